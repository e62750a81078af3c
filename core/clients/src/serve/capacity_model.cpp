#include "capacity_model.h"

#include <algorithm>
#include <cmath>

namespace fbload::serve {

namespace {
struct Later {
    template <typename E>
    bool operator()(const E& a, const E& b) const
    {
        return a.dueNs > b.dueNs;
    }
};
}  // namespace

CapacityModel::CapacityModel(const TimingOptions& t) : t_(t), rng_(t.seed) {}

int64_t CapacityModel::sample(double meanMs)
{
    double ms = meanMs;
    if (t_.jitterMs > 0 && meanMs > 0) {
        const double z = normal_(rng_);
        if (t_.jitter == JitterDist::Normal) {
            ms = meanMs + t_.jitterMs * z;
        } else {
            // Lognormal with the given mean m and standard deviation s:
            // sigma^2 = ln(1 + s^2/m^2), mu = ln(m) - sigma^2/2.
            const double s2 = std::log1p((t_.jitterMs * t_.jitterMs) / (meanMs * meanMs));
            ms = std::exp(std::log(meanMs) - s2 / 2 + std::sqrt(s2) * z);
        }
    }
    return static_cast<int64_t>(std::max(0.0, ms) * 1e6);
}

int64_t CapacityModel::interval()
{
    int64_t d = sample(t_.tpotMs);
    if (t_.tokensPerS > 0)
        d = std::max(d, static_cast<int64_t>(static_cast<double>(running_) / t_.tokensPerS * 1e9));
    return d;
}

void CapacityModel::push(Id id, int64_t dueNs)
{
    heap_.push_back({dueNs, id, seqs_[id].gen});
    std::push_heap(heap_.begin(), heap_.end(), Later{});
}

CapacityModel::Id CapacityModel::add(int64_t nowNs, int64_t tokens)
{
    Id id;
    if (!free_.empty()) {
        id = free_.back();
        free_.pop_back();
    } else {
        id = static_cast<Id>(seqs_.size());
        seqs_.emplace_back();
    }
    Seq& s = seqs_[id];
    s.tokens = std::max<int64_t>(1, tokens);
    s.next = 0;
    s.arrivedNs = s.admittedNs = nowNs;
    if (t_.maxSequences > 0 && running_ >= static_cast<size_t>(t_.maxSequences)) {
        s.state = State::Waiting;
        queue_.push_back(id);
    } else {
        admit(id, nowNs);
    }
    return id;
}

void CapacityModel::admit(Id id, int64_t atNs)
{
    Seq& s = seqs_[id];
    s.state = State::Running;
    s.admittedNs = atNs;
    ++running_;
    push(id, atNs + sample(t_.ttftMs));
}

void CapacityModel::release(Id id, int64_t atNs)
{
    Seq& s = seqs_[id];
    if (s.state == State::Running) {
        --running_;
        while (!queue_.empty() && (t_.maxSequences <= 0 || running_ < static_cast<size_t>(t_.maxSequences))) {
            Id next = queue_.front();
            queue_.pop_front();
            admit(next, atNs);
        }
    }
    s.state = State::Free;
    ++s.gen;
    free_.push_back(id);
}

void CapacityModel::cancel(Id id, int64_t nowNs)
{
    Seq& s = seqs_[id];
    if (s.state == State::Waiting)
        queue_.erase(std::find(queue_.begin(), queue_.end(), id));
    if (s.state != State::Free)
        release(id, nowNs);
}

bool CapacityModel::popDue(int64_t nowNs, Due& out)
{
    while (!heap_.empty() && heap_.front().dueNs <= nowNs) {
        std::pop_heap(heap_.begin(), heap_.end(), Later{});
        Entry e = heap_.back();
        heap_.pop_back();
        Seq& s = seqs_[e.id];
        if (s.gen != e.gen || s.state != State::Running)
            continue;  // cancelled since
        out.id = e.id;
        out.index = s.next++;
        out.dueNs = e.dueNs;
        out.last = s.next >= s.tokens;
        if (out.last)
            release(e.id, e.dueNs);
        else
            push(e.id, e.dueNs + interval());
        return true;
    }
    return false;
}

}  // namespace fbload::serve
