// Factory for the s3 workload (see s3.cpp), and the object rule tests use to
// check what fbload stored.
#pragma once

#include "../workload.h"

#include <cstdint>
#include <string>

namespace fbload {

std::unique_ptr<Workload> makeS3Workload(const RunConfig& cfg);
// The bytes fbload PUTs as object number `index` (`size` bytes): a
// deterministic pseudo-random stream, so any GET can be verified from the key
// alone without keeping copies of what was written.
void s3ObjectBytes(std::string& out, uint64_t index, size_t size);
// One 8-byte word of that stream (word `w` of object `index`), little-endian.
uint64_t s3ObjectWord(uint64_t index, uint64_t w);

}  // namespace fbload
