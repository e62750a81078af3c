// RunStats: what one worker thread measured, and (after merging) what the
// whole run or several nodes measured.
//
// Each Worker owns one RunStats and writes to it without locks; after the run
// the engine merges them. Everything in here is additive (histogram counts,
// counters, per-second rows keyed by Unix second), which is what lets
// `fbload merge` reproduce exactly the numbers of one run over the union.
#pragma once

#include "histogram.h"

#include <array>
#include <climits>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fbload {

enum class ErrorClass : uint8_t { None, Connect, Timeout, HttpStatus, Protocol, Closed, Server, Dropped, Count_ };
constexpr size_t kErrorClasses = static_cast<size_t>(ErrorClass::Count_);
const char* errorClassName(ErrorClass c);

// Metric ids every workload has; workload-specific ones follow.
enum : int { kMetricLatency = 0, kMetricServiceTime = 1, kFirstWorkloadMetric = 2 };

struct MetricSpec {
    std::string name;
    std::string unit;  // "us" (stored; reported in ms) or "tokens"
};

// One second of the run (all phases), keyed by Unix second.
struct SecondRow {
    uint64_t sent = 0;
    uint64_t completed = 0;  // successful responses
    uint64_t errors = 0;
    double latencySumUs = 0;
    int64_t latencyMaxUs = 0;
    int64_t latencyMinUs = -1;
    uint64_t inputTokens = 0;
    uint64_t outputTokens = 0;
    int64_t inflightMax = 0;
    // Sparse latency histogram of this second (2 significant digits), [low, count].
    std::map<int64_t, uint64_t> latencyBuckets;
    void merge(const SecondRow& o);
};

struct RunStats {
    std::vector<MetricSpec> metrics;
    std::vector<Histogram> hist;  // parallel to metrics
    std::vector<std::string> opNames;
    std::vector<uint64_t> opOk, opErrors;
    std::array<uint64_t, kErrorClasses> errors{};
    std::map<int, uint64_t> httpStatus;  // non-2xx status -> count
    uint64_t sent = 0;        // measured requests written to the wire
    uint64_t ok = 0;          // measured successful responses
    uint64_t warmupRequests = 0;
    uint64_t inputTokens = 0, outputTokens = 0;
    uint64_t good = 0;        // measured requests that met every SLO (goodput)
    uint64_t unsent = 0;      // open loop: arrivals still queued when the run ended
    uint64_t unfinished = 0;  // requests still in flight when the run ended
    std::map<int64_t, SecondRow> seconds;  // Unix second -> row

    void init(const std::vector<MetricSpec>& specs, const std::vector<std::string>& ops);
    // Adds other; metric and op lists are matched by name (missing ones are added).
    void merge(const RunStats& o);
    uint64_t errorTotal() const;
    int metricIndex(const std::string& name) const;
};

// Histogram layout of the per-second rows: coarse on purpose (26 KB dense).
constexpr int kSecondRowDigits = 2;

// The per-second rows one worker thread fills. Completion times on one thread
// only move forward, so latencies go into a dense histogram of the current
// second, folded into that second's sparse row when the second changes.
class SecondRows {
public:
    explicit SecondRows(std::map<int64_t, SecondRow>& seconds) : seconds_(seconds), hist_(kSecondRowDigits) {}
    SecondRow& at(int64_t unixSec);
    void recordLatency(int64_t us) { hist_.record(us); }
    // Folds the last second's histogram (at the end of the run).
    void finish();

private:
    void fold();

    std::map<int64_t, SecondRow>& seconds_;
    int64_t sec_ = INT64_MIN;
    SecondRow* row_ = nullptr;
    Histogram hist_;
};

}  // namespace fbload
