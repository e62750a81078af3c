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
#ifdef FBLOAD_WITH_MYSQL
#include "mysql.h"
#endif
#include "file.h"

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
#ifdef FBLOAD_WITH_MYSQL
    {"mysql", makeMysqlWorkload},
#endif
    {"file", makeFileWorkload},
};

// Workloads linked into the fbload executable only (faiss: a large static
// library that the engine's tests need not link), added by main().
std::vector<Entry>& added()
{
    static std::vector<Entry> v;
    return v;
}

std::vector<Entry> allWorkloads()
{
    std::vector<Entry> all(std::begin(kWorkloads), std::end(kWorkloads));
    all.insert(all.end(), added().begin(), added().end());
    return all;
}
}  // namespace

void registerWorkload(const char* name, std::unique_ptr<Workload> (*make)(const RunConfig&))
{
    added().push_back({name, make});
}

std::vector<std::string> workloadNames()
{
    std::vector<std::string> n;
    for (const Entry& e : allWorkloads())
        n.emplace_back(e.name);
    return n;
}

bool workloadIsTargetless(const std::string& name)
{
    return name == "file" || name == "faiss";
}

std::unique_ptr<Workload> makeWorkload(const RunConfig& cfg)
{
    const std::vector<Entry> all = allWorkloads();
    for (const Entry& e : all)
        if (cfg.workload == e.name) {
            std::unique_ptr<Workload> w = e.make(cfg);
            // Blocking workloads get one thread per connection, closed loop.
            if (w->blocking() && cfg.openLoop())
                throw ConfigError("load.model: the " + cfg.workload + " workload runs the closed model only, got \"" +
                                  loadModelName(cfg.model) + "\"");
            return w;
        }
    std::string known;
    for (const Entry& e : all)
        known += (known.empty() ? "" : ", ") + std::string(e.name);
    throw ConfigError("workload: unknown workload \"" + cfg.workload + "\" (compiled in: " + known + ")");
}

}  // namespace fbload
