// GeneratorHealth: did the load generator itself keep up? (run.generator in
// the result; docs/result-format.md "Generator health").
//
// Each event-loop Worker owns one ThreadHealth and fills it without locks:
// the schedule lag of every measured open-loop send (dispatch time minus
// intended send time), its CPU time (CLOCK_THREAD_CPUTIME_ID), its wall time,
// the time it spent busy-polling (not work) and the epoll events it handled.
// After the run the engine gathers them into one GeneratorHealth, which
// judges the run `generator_limited` by two rules:
//   - more than 1 % of the measured arrivals were sent over 1 ms late
//     (arrivals never sent before the run ended count as late), or
//   - a worker thread was over 90 % busy (CPU time minus busy-poll time over
//     wall time).
// Mergeable: `fbload merge` adds lag histograms and counts, lists every
// part's threads, and flags the merged run when any part was flagged.
#pragma once

#include "histogram.h"

#include <cstdint>
#include <string>
#include <vector>

namespace fbload {

class Json;

inline constexpr int64_t kLateSendUs = 1000;       // a send this late (µs) is "late"
inline constexpr double kLateFractionLimit = 0.01; // more late sends than this: limited
inline constexpr double kBusyLimit = 0.90;         // a thread busier than this: limited

struct ThreadHealth {
    Histogram lagUs;           // measured open-loop sends: dispatch - intended, µs
    uint64_t lateSends = 0;    // of those, lag > kLateSendUs
    uint64_t events = 0;       // epoll events handled
    uint64_t connectionWaits = 0;  // open-loop arrivals that found every connection busy
    int64_t cpuNs = 0;         // CLOCK_THREAD_CPUTIME_ID at the end of the thread
    int64_t spinNs = 0;        // time spent busy-polling (CPU, but not work)
    int64_t wallNs = 0;        // the thread's life
    int64_t cpuWaitNs = -1;    // runnable but waiting for a CPU (schedstat), -1 unknown
    std::string host;          // set when parts from several nodes are merged

    int64_t lastSendNs = 0;    // monotonic time of the last measured open-loop send
    void recordSend(int64_t lagNs, int64_t nowNs)
    {
        lastSendNs = nowNs;
        const int64_t us = lagNs > 0 ? lagNs / 1000 : 0;
        lagUs.record(us);
        if (us > kLateSendUs)
            ++lateSends;
    }
    // Busy share of the wall time, busy-poll spinning excluded; 0..1+.
    double utilisation() const;
    // Reads this thread's CPU time and run-queue wait; call on the thread itself.
    void sampleThreadClocks();
};

class GeneratorHealth {
public:
    // offeredRate: the configured open-loop rate (req/s), 0 for closed loop;
    // sendSpanS: from the start of the measured window to the last measured
    // send (at least the window: arrivals sent late stretch it).
    void setRun(bool openLoop, double offeredRate, double sendSpanS, uint64_t sent, uint64_t unsent);
    // Adds one worker thread: its lag samples join the run's, its CPU is listed.
    void addThread(const ThreadHealth& t);

    bool limited() const { return !reason().empty(); }
    // Why the run is generator-limited, empty when it is not.
    std::string reason() const;
    double lateFraction() const;
    const Histogram& lagUs() const { return lagUs_; }
    uint64_t lateSends() const { return late_; }
    const std::vector<ThreadHealth>& threads() const { return threads_; }

    Json toJson() const;
    // Reads run.generator back (throws std::runtime_error naming the field).
    static GeneratorHealth fromJson(const Json& j);
    // Combines the parts of a merged run; `hosts` names each part's node.
    static GeneratorHealth merge(const std::vector<GeneratorHealth>& parts, const std::vector<std::string>& hosts);

private:
    bool openLoop_ = false;
    double offeredRate_ = 0;  // sum over merged parts
    double sendSpanS_ = 0;
    uint64_t sent_ = 0, unsent_ = 0;
    Histogram lagUs_;
    uint64_t late_ = 0;
    std::vector<ThreadHealth> threads_;  // lagUs left empty: the run's is lagUs_
    std::vector<std::string> partReasons_;  // merged: each flagged part's reason
};

}  // namespace fbload
