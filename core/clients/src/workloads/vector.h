// Factory for the vector workload over HTTP (Chroma, Weaviate); see vector.cpp.
#pragma once

#include "../workload.h"

namespace fbload {

std::unique_ptr<Workload> makeVectorWorkload(const RunConfig& cfg);

}  // namespace fbload
