// Factory for the file workload (see file.cpp; the I/O itself is file_io.h).
#pragma once

#include "../workload.h"

namespace fbload {

std::unique_ptr<Workload> makeFileWorkload(const RunConfig& cfg);

}  // namespace fbload
