#include "blocking_worker.h"

#include "clock.h"
#include "config.h"
#include "engine.h"

#include <algorithm>
#include <exception>

namespace fbload {

namespace {
constexpr int64_t kSecondNs = 1'000'000'000;

void sleepUntil(int64_t monoTargetNs)
{
    const int64_t now = monoNs();
    if (monoTargetNs > now)
        std::this_thread::sleep_for(std::chrono::nanoseconds(monoTargetNs - now));
}
}  // namespace

BlockingWorker::BlockingWorker(Engine& engine, int connIndex, int64_t quota)
    : engine_(engine), cfg_(engine.config()), conn_(connIndex), quota_(quota), live_(engine.opNames().size()),
      rows_(stats_.seconds)
{
    stats_.init(engine.metricSpecs(), engine.opNames());
    session_ = engine.workload().newBlockingSession(connIndex, cfg_.seed * 1'000'003 + static_cast<uint64_t>(connIndex));
    if (stats_.opNames.size() > 1)
        opMetricBase_ = stats_.metricIndex("latency." + stats_.opNames[0]);
}

void BlockingWorker::record(int metric, int64_t value)
{
    if (measured_)
        stats_.hist[static_cast<size_t>(metric)].record(value);
}

void BlockingWorker::fatal(const std::string& why)
{
    engine_.fail(why);
}

SecondRow& BlockingWorker::rowAt(int64_t monoNow)
{
    return rows_.at((monoNow + engine_.monoToUnixNs()) / kSecondNs);
}

// The accounting of Worker::complete for one finished call (closed loop:
// intended = sent, so latency and service time are the same here).
void BlockingWorker::account(uint32_t op, ErrorClass outcome, int64_t startNs, int64_t endNs, bool measured)
{
    SecondRow& row = rowAt(endNs);
    row.sent++;
    const int64_t latencyUs = (endNs - startNs) / 1000;
    if (outcome == ErrorClass::None) {
        live_.opOk[op].fetch_add(1, std::memory_order_relaxed);
        live_.latency.observe(endNs - startNs);
        row.completed++;
        row.latencySumUs += static_cast<double>(latencyUs);
        row.latencyMaxUs = std::max(row.latencyMaxUs, latencyUs);
        row.latencyMinUs = row.latencyMinUs < 0 ? latencyUs : std::min(row.latencyMinUs, latencyUs);
        rows_.recordLatency(latencyUs);
        if (measured) {
            stats_.ok++;
            stats_.good++;
            stats_.opOk[op]++;
            stats_.hist[kMetricLatency].record(latencyUs);
            stats_.hist[kMetricServiceTime].record(latencyUs);
            if (opMetricBase_ >= 0)
                stats_.hist[static_cast<size_t>(opMetricBase_) + op].record(latencyUs);
        }
    } else {
        live_.opErrors[op].fetch_add(1, std::memory_order_relaxed);
        live_.errors[static_cast<size_t>(outcome)].fetch_add(1, std::memory_order_relaxed);
        row.errors++;
        if (measured) {
            stats_.opErrors[op]++;
            stats_.errors[static_cast<size_t>(outcome)]++;
        }
    }
}

void BlockingWorker::run()
{
    const int64_t t0 = engine_.t0Ns();
    const int64_t warmupEnd = t0 + static_cast<int64_t>(cfg_.warmupS * 1e9);
    const int64_t measureEnd = cfg_.durationS > 0 ? warmupEnd + static_cast<int64_t>(cfg_.durationS * 1e9) : INT64_MAX;
    const int total = std::max(1, cfg_.concurrency);
    const int64_t startAt = t0 + static_cast<int64_t>(cfg_.rampUpS * 1e9 * conn_ / total);

    std::string error;
    if (!session_ || !session_->open(error)) {
        // prepare() reached the server a moment ago: a connection refused now
        // is not transient (authentication, too many connections, a bad path).
        engine_.fail(session_ ? error : "workload has no blocking session");
        stoppedNs_ = monoNs();
        return;
    }
    live_.connections.fetch_add(1, std::memory_order_relaxed);
    sleepUntil(std::max(startAt, t0));
    int64_t issued = 0;
    for (;;) {
        const int64_t start = monoNs();
        if (engine_.stopRequested() || start >= measureEnd || (quota_ > 0 && issued >= quota_))
            break;
        measured_ = start >= warmupEnd;
        if (measured_) {
            ++issued;
            stats_.sent++;
        } else {
            stats_.warmupRequests++;
        }
        live_.inflight.fetch_add(1, std::memory_order_relaxed);
        uint32_t op = 0;
        ErrorClass outcome = ErrorClass::Protocol;
        try {
            outcome = session_->call(op, *this);
        } catch (const std::exception& e) {
            // A library that throws (Faiss) must not take the process down
            // from a worker thread: the run stops with its message instead.
            engine_.fail(engine_.workload().name() + ": " + e.what());
        }
        const int64_t end = monoNs();
        live_.inflight.fetch_sub(1, std::memory_order_relaxed);
        account(op, outcome, start, end, measured_);
    }
    stoppedNs_ = monoNs();
    session_->close();
    live_.connections.fetch_sub(1, std::memory_order_relaxed);
    rows_.finish();
}

}  // namespace fbload
