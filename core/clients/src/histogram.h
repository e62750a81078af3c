// Histogram: a log-linear bucketed histogram in the manner of HdrHistogram.
//
// Values are integers in a unit chosen by the owner (microseconds for times,
// tokens for token counts). With 3 significant digits every value from 1 to
// 3.6e9 (1 µs .. 1 h) lands in a bucket whose width is at most 1/1024 of its
// value. Bucket layout is fixed by (significant digits, highest value), so two
// histograms with the same layout merge exactly by adding counts; that is what
// makes results from several threads and several nodes combine without loss.
// Each worker thread owns its histograms; merging happens after the run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fbload {

class Json;

class Histogram {
public:
    static constexpr int64_t kDefaultHighest = 3'600'000'000;  // 1 h in µs

    explicit Histogram(int significantDigits = 3, int64_t highest = kDefaultHighest);

    // Records value `count` times. Values below 0 clamp to 0, above the highest
    // trackable value clamp to it (and are counted in overflow()).
    void record(int64_t value, uint64_t count = 1);
    // Adds all counts of other; layouts must match (throws otherwise).
    void merge(const Histogram& other);
    void reset();

    uint64_t count() const { return total_; }
    uint64_t overflow() const { return overflow_; }
    int64_t min() const { return total_ ? min_ : 0; }
    int64_t max() const { return total_ ? max_ : 0; }
    // Mean and stdev from exact running sums, not from buckets.
    double mean() const;
    double stdev() const;
    double sum() const { return sum_; }
    // Value at percentile p (0..100): the midpoint of the bucket holding the
    // sample of rank ceil(p/100 * count), clamped to [min, max]. Depends only
    // on bucket counts, min and max, so merged results equal a single run.
    double percentile(double p) const;

    int significantDigits() const { return digits_; }
    int64_t highest() const { return highest_; }
    size_t bucketCount() const { return counts_.size(); }
    // Lowest and highest value that map to bucket index i.
    int64_t bucketLow(size_t i) const;
    int64_t bucketHigh(size_t i) const;
    size_t indexOf(int64_t value) const;
    uint64_t countAt(size_t i) const { return counts_[i]; }

    // {"layout":"log-linear","significant_digits":3,"highest":..,"count":..,
    //  "min":..,"max":..,"sum":..,"sum_sq":..,"buckets":[[low,count],...]}
    Json toJson() const;
    // Throws std::runtime_error naming the problem when the document is malformed.
    static Histogram fromJson(const Json& j);

private:
    int digits_;
    int64_t highest_;
    int subBucketHalfCountMagnitude_;
    int64_t subBucketHalfCount_;
    int64_t subBucketMask_;
    int bucketCount_;
    std::vector<uint64_t> counts_;
    uint64_t total_ = 0;
    uint64_t overflow_ = 0;
    int64_t min_ = 0;
    int64_t max_ = 0;
    double sum_ = 0;
    double sumSq_ = 0;
};

}  // namespace fbload
