// The workload registry: the one place that knows which workloads exist.
// Optional workloads (postgres, mysql ...) register here behind the
// FBLOAD_WITH_<NAME> definitions CMake sets when their library is found.
#include "../config.h"
#include "../workload.h"
#include "http.h"
#include "redis.h"
#ifdef FBLOAD_WITH_S3
#include "s3.h"
#endif
#include "vector.h"
#ifdef FBLOAD_WITH_POSTGRES
#include "postgres.h"
#endif

namespace fbload {

namespace {
struct Entry {
    const char* name;
    std::unique_ptr<Workload> (*make)(const RunConfig&);
};
const Entry kWorkloads[] = {
    {"redis", makeRedisWorkload},
    {"http", makeHttpWorkload},
    {"llm", makeLlmWorkload},
#ifdef FBLOAD_WITH_S3
    {"s3", makeS3Workload},
#endif
    {"vector", makeVectorWorkload},
#ifdef FBLOAD_WITH_POSTGRES
    {"postgres", makePostgresWorkload},
#endif
};
}  // namespace

std::vector<std::string> workloadNames()
{
    std::vector<std::string> n;
    for (const Entry& e : kWorkloads)
        n.emplace_back(e.name);
    return n;
}

std::unique_ptr<Workload> makeWorkload(const RunConfig& cfg)
{
    for (const Entry& e : kWorkloads)
        if (cfg.workload == e.name)
            return e.make(cfg);
    std::string known;
    for (const Entry& e : kWorkloads)
        known += (known.empty() ? "" : ", ") + std::string(e.name);
    throw ConfigError("workload: unknown workload \"" + cfg.workload + "\" (compiled in: " + known + ")");
}

}  // namespace fbload
