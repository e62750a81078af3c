// Factory for the redis workload (see redis.cpp), and the value rule tests use.
#pragma once

#include "../workload.h"

#include <string>
#include <string_view>

namespace fbload {

std::unique_ptr<Workload> makeRedisWorkload(const RunConfig& cfg);
// The value fbload writes for `key`: the key then '.' padding, `size` bytes.
void redisValueFor(std::string& out, std::string_view key, size_t size);

}  // namespace fbload
