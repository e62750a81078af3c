// Factory for the mysql workload (see mysql.cpp; the SQL it sends is built
// by sqlmix.h, shared with postgres).
#pragma once

#include "../workload.h"

namespace fbload {

std::unique_ptr<Workload> makeMysqlWorkload(const RunConfig& cfg);

}  // namespace fbload
