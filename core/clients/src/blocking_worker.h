// BlockingWorker: one thread driving one BlockingSession, closed loop, for
// workloads whose client library blocks (mysql via libmariadb) or that have
// no socket (file, faiss). The epoll Worker in engine.cpp cannot host them:
// a blocking call would stall every other connection of its thread.
//
// Owned by the Engine like Worker; its RunStats are read only after join().
#pragma once

#include "histogram.h"
#include "live_stats.h"
#include "stats.h"
#include "workload.h"

#include <memory>
#include <thread>

namespace fbload {

class Engine;
struct RunConfig;

class BlockingWorker final : public CallSink {
public:
    BlockingWorker(Engine& engine, int connIndex, int64_t quota);
    void start() { thread_ = std::thread([this] { run(); }); }
    void join()
    {
        if (thread_.joinable())
            thread_.join();
    }
    RunStats& stats() { return stats_; }
    const LiveStats& live() const { return live_; }
    int64_t issuingStoppedNs() const { return stoppedNs_; }

    // CallSink
    void record(int metric, int64_t value) override;
    void fatal(const std::string& why) override;

private:
    void run();
    void account(uint32_t op, ErrorClass outcome, int64_t startNs, int64_t endNs, bool measured);
    SecondRow& rowAt(int64_t monoNow);

    Engine& engine_;
    const RunConfig& cfg_;
    int conn_;
    int64_t quota_;
    std::unique_ptr<BlockingSession> session_;
    RunStats stats_;
    LiveStats live_;
    std::thread thread_;
    bool measured_ = false;  // the current call
    int opMetricBase_ = -1;
    int64_t stoppedNs_ = 0;
    SecondRows rows_;  // per-second rows, in stats_.seconds
};

}  // namespace fbload
