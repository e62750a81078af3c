// LiveStats: lock-free counters one Worker updates while it runs and the
// MetricsServer reads to answer Prometheus scrapes.
//
// Kept apart from RunStats (plain, thread-owned) so the hot path pays only a
// few relaxed atomic adds and the scrape never stops a worker. Buckets are the
// fixed Prometheus-style ones below, not the HDR histogram layout.
#pragma once

#include "stats.h"

#include <array>
#include <atomic>
#include <memory>

namespace fbload {

inline constexpr std::array<double, 19> kPromBucketsSeconds = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
    0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};

struct PromHistogram {
    std::array<std::atomic<uint64_t>, kPromBucketsSeconds.size() + 1> buckets{};  // last = +Inf
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sumNs{0};
    void observe(int64_t ns)
    {
        double s = static_cast<double>(ns) / 1e9;
        size_t i = 0;
        while (i < kPromBucketsSeconds.size() && s > kPromBucketsSeconds[i])
            ++i;
        buckets[i].fetch_add(1, std::memory_order_relaxed);
        count.fetch_add(1, std::memory_order_relaxed);
        sumNs.fetch_add(static_cast<uint64_t>(ns > 0 ? ns : 0), std::memory_order_relaxed);
    }
};

struct LiveStats {
    explicit LiveStats(size_t ops)
        : nops(ops), opOk(new std::atomic<uint64_t>[ops]()), opErrors(new std::atomic<uint64_t>[ops]())
    {
    }
    size_t nops;
    std::unique_ptr<std::atomic<uint64_t>[]> opOk;
    std::unique_ptr<std::atomic<uint64_t>[]> opErrors;
    std::array<std::atomic<uint64_t>, kErrorClasses> errors{};
    std::atomic<int64_t> inflight{0};
    std::atomic<int64_t> queued{0};  // open loop: arrivals waiting for a connection
    std::atomic<int64_t> connections{0};
    std::atomic<uint64_t> inputTokens{0}, outputTokens{0};
    PromHistogram latency, ttft, itl;
};

}  // namespace fbload
