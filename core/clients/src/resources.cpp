#include "resources.h"

#include "config.h"
#include "bounds.h"
#include "workload.h"

#include <string>

namespace fbload {

FdLimit raiseFdLimit()
{
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return {};
    if (rl.rlim_cur < rl.rlim_max) {
        rlimit raised = rl;
        raised.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            rl = raised;
    }
    return {rl.rlim_cur, rl.rlim_max};
}

void checkResources(const RunConfig& cfg, const Workload& workload, const FdLimit& limit)
{
    const std::string n = std::to_string(cfg.concurrency);
    if (workload.blocking() && cfg.concurrency > kMaxBlockingConnections)
        throw ConfigError("load.concurrency: " + n + " connections of the " + workload.name() +
                          " workload would need one thread each; at most " + std::to_string(kMaxBlockingConnections) +
                          " per fbload (run more clients instead)");
    const long long needed = static_cast<long long>(cfg.concurrency) * workload.fdsPerConnection() +
                             kReservedFds + 2LL * cfg.threads;
    if (limit.soft != RLIM_INFINITY && static_cast<unsigned long long>(needed) > limit.soft)
        throw ConfigError("load.concurrency: " + n + " connections need " + std::to_string(needed) +
                          " file descriptors, but fbload may open only " + std::to_string(limit.soft) +
                          " (ulimit -n; hard limit " +
                          (limit.hard == RLIM_INFINITY ? std::string("unlimited") : std::to_string(limit.hard)) +
                          "): lower load.concurrency or raise the limit");
}

}  // namespace fbload
