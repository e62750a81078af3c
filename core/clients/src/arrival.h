// ArrivalSchedule: the intended send times of an open-loop run.
//
// One global sequence of arrivals (constant, Poisson or gamma gaps, with an
// optional linear ramp of the rate) is generated from the seed; worker thread
// t of T takes arrivals t, t+T, t+2T, ... Every thread generates the same
// sequence, so the offered process is exactly the configured one no matter
// how many threads share it (a superposition of per-thread gamma processes
// would not be). Owned by one Worker.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace fbload {

// Trace: open loop at the times the workload replays (Workload::arrivalTimesNs).
enum class LoadModel { Closed, Constant, Poisson, Gamma, Trace };

class ArrivalSchedule {
public:
    // rate in requests per second; burstiness is the gamma shape (1 = Poisson,
    // < 1 burstier, > 1 more regular), as in vLLM's serving benchmark.
    ArrivalSchedule(LoadModel model, double rate, double burstiness, double rampUpS,
                    uint64_t seed, int thread, int threads);
    // LoadModel::Trace: arrival k at timesNs[k] (not copied: must outlive this).
    ArrivalSchedule(const std::vector<int64_t>& timesNs, int thread, int threads);

    // next() after the last arrival of a trace: never due.
    static constexpr int64_t kNoMoreNs = INT64_MAX / 4;

    // Next arrival of this thread in ns since the run start, together with the
    // global arrival index (used for the request-count bound).
    struct Arrival {
        int64_t atNs;
        uint64_t index;
    };
    Arrival next();

    // One gap in seconds at the full rate; exposed for the statistics tests.
    double gap();

private:
    int64_t toRealTimeNs(double virtualS) const;

    LoadModel model_;
    double rate_;
    double rampS_;
    int thread_;
    int threads_;
    std::mt19937_64 rng_;
    std::exponential_distribution<double> exp_;
    std::gamma_distribution<double> gamma_;
    double virtualS_ = 0;  // time on the full-rate clock, before the ramp mapping
    uint64_t index_ = 0;
    const std::vector<int64_t>* times_ = nullptr;  // LoadModel::Trace
};

}  // namespace fbload
