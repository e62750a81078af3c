// CapacityModel: when each token of each LLM answer is due, under the
// capacity model of `fbload serve` (docs/fbload.md, "Capacity model"):
//
// - at most S sequences run at once (--max-sequences; 0: unlimited); a
//   request that finds all S slots taken waits in a FIFO queue;
// - an admitted sequence's first token is due TTFT after admission, each
//   next one d after the previous one's due time, where
//   d = max(tpot, running / T) — the shared decode budget of T tokens/s
//   (--tokens-per-s; 0: none) split over the running sequences;
// - a sequence frees its slot when its last token is due (or its client
//   goes away), and the head of the queue is admitted at that instant.
//
// TTFT and tpot are fixed, or drawn per delay from a normal or lognormal
// distribution with standard deviation --jitter-ms (mean unchanged, never
// below 0) from one seeded generator. All times are the model's due times,
// never the time a token actually left, so late wake-ups do not drift.
// Owned by the server's event loop; single-threaded.
#pragma once

#include "serve_options.h"

#include <cstdint>
#include <deque>
#include <random>
#include <vector>

namespace fbload::serve {

class CapacityModel {
public:
    using Id = uint32_t;
    struct Due {
        Id id = 0;
        int64_t index = 0;   // 0-based token index
        bool last = false;   // the sequence ends with this token (its id is free afterwards)
        int64_t dueNs = 0;
    };

    explicit CapacityModel(const TimingOptions& t);

    // A request for `tokens` tokens (>= 1) arrives at nowNs: admitted at
    // once when a slot is free, else queued.
    Id add(int64_t nowNs, int64_t tokens);
    // The client went away: the sequence leaves the queue or frees its slot.
    void cancel(Id id, int64_t nowNs);
    // The earliest due time of any token, INT64_MAX when none.
    int64_t nextDueNs() const { return heap_.empty() ? INT64_MAX : heap_.front().dueNs; }
    // Takes the next token due at or before nowNs; false when none is.
    bool popDue(int64_t nowNs, Due& out);

    size_t running() const { return running_; }
    size_t waiting() const { return queue_.size(); }
    // When the sequence was queued and admitted (for the answer's durations).
    int64_t arrivedNs(Id id) const { return seqs_[id].arrivedNs; }
    int64_t admittedNs(Id id) const { return seqs_[id].admittedNs; }
    int64_t tokens(Id id) const { return seqs_[id].tokens; }

private:
    enum class State : uint8_t { Free, Waiting, Running };
    struct Seq {
        State state = State::Free;
        uint32_t gen = 0;  // heap entries of an earlier use of this id are stale
        int64_t tokens = 0, next = 0;
        int64_t arrivedNs = 0, admittedNs = 0;
    };
    struct Entry {
        int64_t dueNs;
        Id id;
        uint32_t gen;
    };
    void admit(Id id, int64_t atNs);
    void release(Id id, int64_t atNs);
    void push(Id id, int64_t dueNs);
    int64_t sample(double meanMs);
    int64_t interval();

    TimingOptions t_;
    std::mt19937_64 rng_;
    std::normal_distribution<double> normal_{0.0, 1.0};
    std::vector<Seq> seqs_;
    std::vector<Id> free_;
    std::deque<Id> queue_;
    std::vector<Entry> heap_;  // min-heap on dueNs
    size_t running_ = 0;
};

}  // namespace fbload::serve
