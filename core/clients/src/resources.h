// The operating-system resources one run needs, checked before anything is
// sent: file descriptors (RLIMIT_NOFILE) and, for blocking workloads, threads.
#pragma once

#include <sys/resource.h>

namespace fbload {

struct RunConfig;
class Workload;

struct FdLimit {
    rlim_t soft = 0;
    rlim_t hard = 0;
};

// Raises the soft RLIMIT_NOFILE to the hard limit (fbload is the only
// program of its process, and every connection is a descriptor) and
// returns the limits now in force.
FdLimit raiseFdLimit();
// Throws ConfigError (naming load.concurrency, with the numbers) when the
// run's connections cannot all be open at once within `limit`, or exceed
// kMaxConnections / kMaxBlockingConnections (bounds.h).
void checkResources(const RunConfig& cfg, const Workload& workload, const FdLimit& limit);

}  // namespace fbload
