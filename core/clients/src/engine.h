// Engine: runs one load test: N worker threads, each with its own epoll loop
// driving its share of the connections, under one load model and one clock.
//
// main() owns the Engine for the length of `fbload run`; the Engine owns the
// Workers. Workers never share mutable state: each has its own connections,
// arrival schedule, RunStats and LiveStats, merged or read after the fact.
#pragma once

#include "config.h"
#include "generator_health.h"
#include "live_stats.h"
#include "stats.h"
#include "workload.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <netinet/in.h>
#include <sys/socket.h>
#include <vector>

namespace fbload {

class Worker;
class BlockingWorker;

struct RunTimes {
    int64_t startUnixNs = 0;         // t0: load starts (warm-up begins)
    int64_t measureStartUnixNs = 0;  // warm-up ends
    int64_t measureEndUnixNs = 0;    // issuing stopped (end of duration, quota or signal)
    int64_t endUnixNs = 0;           // in-flight requests drained
    bool interrupted = false;        // stopped by SIGINT/SIGTERM
};

class Engine {
public:
    Engine(const RunConfig& cfg, const Workload& workload);
    ~Engine();

    // Runs to the end (duration, request count or stop()) and returns the
    // merged statistics of all workers. Throws std::runtime_error if the
    // target cannot be resolved.
    RunStats run();
    // Asks the workers to stop issuing and drain; safe from any thread.
    void stop() { stopRequested_.store(true, std::memory_order_relaxed); }
    // Installs SIGINT/SIGTERM handlers that call stop() on the running engine.
    static void installSignalHandlers();
    // True once SIGINT/SIGTERM arrived (also before or without a running engine).
    static bool signalled();

    const RunConfig& config() const { return cfg_; }
    const Workload& workload() const { return workload_; }
    RunTimes times() const { return times_; }
    // Whether the generator kept up (run.generator), valid after run().
    const GeneratorHealth& health() const { return health_; }
    std::vector<MetricSpec> metricSpecs() const;
    std::vector<std::string> opNames() const { return ops_; }
    // For the metrics server: one LiveStats per worker, valid during run().
    std::vector<const LiveStats*> live() const;
    bool stopRequested() const;
    // Records the first fatal session error and stops the run; thread-safe.
    void fail(const std::string& why);
    // The first fatal error, empty when none.
    std::string failure() const;

    // Shared, read-only during the run.
    const sockaddr_storage& address() const { return addr_; }
    socklen_t addressLength() const { return addrLen_; }
    int64_t t0Ns() const { return t0Ns_; }
    int64_t monoToUnixNs() const { return monoToUnix_; }

private:
    RunStats runBlocking();
    const RunConfig& cfg_;
    const Workload& workload_;
    std::vector<std::string> ops_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<std::unique_ptr<BlockingWorker>> blocking_;  // Workload::blocking()
    std::atomic<bool> stopRequested_{false};
    mutable std::mutex failMutex_;
    std::string failure_;
    sockaddr_storage addr_{};
    socklen_t addrLen_ = 0;
    int64_t t0Ns_ = 0;
    int64_t monoToUnix_ = 0;
    RunTimes times_;
    GeneratorHealth health_;
};

}  // namespace fbload
