// Factory for the postgres workload (see postgres.cpp; the SQL it sends is
// built by sqlmix.h, which tests check without a server).
#pragma once

#include "../workload.h"

namespace fbload {

std::unique_ptr<Workload> makePostgresWorkload(const RunConfig& cfg);

}  // namespace fbload
