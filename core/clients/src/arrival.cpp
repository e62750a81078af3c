#include "arrival.h"

#include <cmath>

namespace fbload {

ArrivalSchedule::ArrivalSchedule(LoadModel model, double rate, double burstiness, double rampUpS,
                                 uint64_t seed, int thread, int threads)
    : model_(model), rate_(rate), rampS_(rampUpS), thread_(thread), threads_(threads),
      rng_(seed), exp_(rate), gamma_(burstiness > 0 ? burstiness : 1.0,
                                     1.0 / (rate * (burstiness > 0 ? burstiness : 1.0)))
{
}

ArrivalSchedule::ArrivalSchedule(const std::vector<int64_t>& timesNs, int thread, int threads)
    : ArrivalSchedule(LoadModel::Trace, 1.0, 1.0, 0.0, 0, thread, threads)
{
    times_ = &timesNs;
}

double ArrivalSchedule::gap()
{
    switch (model_) {
    case LoadModel::Constant: return 1.0 / rate_;
    case LoadModel::Poisson: return exp_(rng_);
    case LoadModel::Gamma: return gamma_(rng_);
    case LoadModel::Closed:
    case LoadModel::Trace: break;
    }
    return 0.0;
}

int64_t ArrivalSchedule::toRealTimeNs(double u) const
{
    // With the rate rising linearly from 0 to R over ramp seconds, the expected
    // number of arrivals by time t is Λ(t)·R with Λ(t) = t²/(2·ramp) during the
    // ramp and t - ramp/2 after it. Arrivals generated on the full-rate clock u
    // map to real time through Λ⁻¹, which keeps the gap distribution's shape.
    double t = u;
    if (rampS_ > 0)
        t = u < rampS_ / 2 ? std::sqrt(2.0 * rampS_ * u) : u + rampS_ / 2;
    return static_cast<int64_t>(t * 1e9);
}

ArrivalSchedule::Arrival ArrivalSchedule::next()
{
    while (times_) {
        uint64_t idx = index_++;
        if (idx >= times_->size())
            return {kNoMoreNs, idx};
        if (static_cast<int>(idx % static_cast<uint64_t>(threads_)) == thread_)
            return {(*times_)[idx], idx};
    }
    for (;;) {
        // The first arrival is at t=0 for constant rate, after one gap otherwise.
        uint64_t idx = index_++;
        if (idx > 0 || model_ != LoadModel::Constant)
            virtualS_ += gap();
        if (static_cast<int>(idx % static_cast<uint64_t>(threads_)) == thread_)
            return {toRealTimeNs(virtualS_), idx};
    }
}

}  // namespace fbload
