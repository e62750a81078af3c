#include "histogram.h"

#include "json.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

namespace fbload {

Histogram::Histogram(int significantDigits, int64_t highest)
    : digits_(significantDigits), highest_(highest)
{
    if (significantDigits < 1 || significantDigits > 5)
        throw std::invalid_argument("histogram: significant digits must be 1..5");
    if (highest < 2)
        throw std::invalid_argument("histogram: highest value must be >= 2");
    // Same derivation as HdrHistogram with lowest discernible value 1: enough
    // linear sub-buckets per power of two to keep `digits` significant digits.
    int64_t largestSingleUnitResolution = 2;
    for (int i = 0; i < significantDigits; ++i)
        largestSingleUnitResolution *= 10;
    int subBucketCountMagnitude = static_cast<int>(std::ceil(std::log2(static_cast<double>(largestSingleUnitResolution))));
    subBucketHalfCountMagnitude_ = std::max(subBucketCountMagnitude, 1) - 1;
    int64_t subBucketCount = int64_t{1} << (subBucketHalfCountMagnitude_ + 1);
    subBucketHalfCount_ = subBucketCount / 2;
    subBucketMask_ = subBucketCount - 1;
    int64_t smallestUntrackable = subBucketCount;
    bucketCount_ = 1;
    while (smallestUntrackable <= highest) {
        smallestUntrackable <<= 1;
        ++bucketCount_;
    }
    counts_.assign(static_cast<size_t>((bucketCount_ + 1) * subBucketHalfCount_), 0);
}

size_t Histogram::indexOf(int64_t value) const
{
    int pow2ceiling = 64 - std::countl_zero(static_cast<uint64_t>(value | subBucketMask_));
    int bucketIndex = pow2ceiling - (subBucketHalfCountMagnitude_ + 1);
    int64_t subBucketIndex = value >> bucketIndex;
    int64_t bucketBaseIndex = static_cast<int64_t>(bucketIndex + 1) << subBucketHalfCountMagnitude_;
    return static_cast<size_t>(bucketBaseIndex + subBucketIndex - subBucketHalfCount_);
}

int64_t Histogram::bucketLow(size_t i) const
{
    int64_t idx = static_cast<int64_t>(i);
    int bucketIndex = static_cast<int>((idx >> subBucketHalfCountMagnitude_) - 1);
    int64_t subBucketIndex = (idx & (subBucketHalfCount_ - 1)) + subBucketHalfCount_;
    if (bucketIndex < 0) {
        subBucketIndex -= subBucketHalfCount_;
        bucketIndex = 0;
    }
    return subBucketIndex << bucketIndex;
}

int64_t Histogram::bucketHigh(size_t i) const
{
    int64_t low = bucketLow(i);
    int pow2ceiling = 64 - std::countl_zero(static_cast<uint64_t>(low | subBucketMask_));
    int bucketIndex = pow2ceiling - (subBucketHalfCountMagnitude_ + 1);
    return low + (int64_t{1} << bucketIndex) - 1;
}

void Histogram::record(int64_t value, uint64_t count)
{
    if (count == 0)
        return;
    if (value < 0)
        value = 0;
    if (value > highest_) {
        value = highest_;
        overflow_ += count;
    }
    counts_[indexOf(value)] += count;
    if (total_ == 0) {
        min_ = max_ = value;
    } else {
        min_ = std::min(min_, value);
        max_ = std::max(max_, value);
    }
    total_ += count;
    double v = static_cast<double>(value);
    sum_ += v * static_cast<double>(count);
    sumSq_ += v * v * static_cast<double>(count);
}

void Histogram::merge(const Histogram& o)
{
    if (o.digits_ != digits_ || o.counts_.size() != counts_.size())
        throw std::runtime_error("histogram layouts differ (significant digits or range); cannot merge exactly");
    if (o.total_ == 0)
        return;
    for (size_t i = 0; i < counts_.size(); ++i)
        counts_[i] += o.counts_[i];
    if (total_ == 0) {
        min_ = o.min_;
        max_ = o.max_;
    } else {
        min_ = std::min(min_, o.min_);
        max_ = std::max(max_, o.max_);
    }
    total_ += o.total_;
    overflow_ += o.overflow_;
    sum_ += o.sum_;
    sumSq_ += o.sumSq_;
}

void Histogram::reset()
{
    std::fill(counts_.begin(), counts_.end(), 0);
    total_ = overflow_ = 0;
    min_ = max_ = 0;
    sum_ = sumSq_ = 0;
}

double Histogram::mean() const
{
    return total_ ? sum_ / static_cast<double>(total_) : 0.0;
}

double Histogram::stdev() const
{
    if (total_ < 2)
        return 0.0;
    double n = static_cast<double>(total_);
    double m = sum_ / n;
    double var = sumSq_ / n - m * m;  // population stdev, as numpy.std (vLLM)
    return var > 0 ? std::sqrt(var) : 0.0;
}

double Histogram::percentile(double p) const
{
    if (total_ == 0)
        return 0.0;
    p = std::clamp(p, 0.0, 100.0);
    auto rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(total_)));
    rank = std::clamp<uint64_t>(rank, 1, total_);
    uint64_t seen = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
        seen += counts_[i];
        if (seen >= rank) {
            double lo = static_cast<double>(bucketLow(i));
            double hi = static_cast<double>(bucketHigh(i));
            double mid = (lo + hi) / 2.0;
            return std::clamp(mid, static_cast<double>(min_), static_cast<double>(max_));
        }
    }
    return static_cast<double>(max_);
}

Json Histogram::toJson() const
{
    Json j = Json::object();
    j["layout"] = "log-linear";
    j["significant_digits"] = digits_;
    j["highest"] = highest_;
    j["count"] = total_;
    j["overflow"] = overflow_;
    j["min"] = min();
    j["max"] = max();
    j["sum"] = sum_;
    j["sum_sq"] = sumSq_;
    Json buckets = Json::array();
    for (size_t i = 0; i < counts_.size(); ++i)
        if (counts_[i])
            buckets.push(Json(JsonArray{Json(bucketLow(i)), Json(counts_[i])}));
    j["buckets"] = std::move(buckets);
    return j;
}

Histogram Histogram::fromJson(const Json& j)
{
    auto need = [&](const char* k) -> const Json& {
        const Json* v = j.find(k);
        if (!v || !v->isNumber())
            throw std::runtime_error(std::string("histogram: missing or non-numeric \"") + k + "\"");
        return *v;
    };
    const Json* layout = j.find("layout");
    if (!layout || !layout->isString() || layout->asString() != "log-linear")
        throw std::runtime_error("histogram: unknown layout (expected \"log-linear\")");
    Histogram h(static_cast<int>(need("significant_digits").asInt()), need("highest").asInt());
    const Json* b = j.find("buckets");
    if (!b || !b->isArray())
        throw std::runtime_error("histogram: missing \"buckets\" array");
    for (const Json& pair : b->asArray()) {
        if (!pair.isArray() || pair.asArray().size() != 2)
            throw std::runtime_error("histogram: bucket entries must be [low, count]");
        int64_t low = pair.asArray()[0].asInt();
        int64_t cnt = pair.asArray()[1].asInt();
        if (low < 0 || low > h.highest_ || cnt < 0)
            throw std::runtime_error("histogram: bucket value out of range");
        size_t idx = h.indexOf(low);
        if (h.bucketLow(idx) != low)
            throw std::runtime_error("histogram: bucket low " + std::to_string(low) + " is not a bucket boundary of this layout");
        h.counts_[idx] += static_cast<uint64_t>(cnt);
        h.total_ += static_cast<uint64_t>(cnt);
    }
    if (h.total_ != static_cast<uint64_t>(need("count").asInt()))
        throw std::runtime_error("histogram: bucket counts do not add up to \"count\"");
    h.min_ = need("min").asInt();
    h.max_ = need("max").asInt();
    h.sum_ = need("sum").asDouble();
    h.sumSq_ = need("sum_sq").asDouble();
    if (const Json* o = j.find("overflow"); o && o->isNumber())
        h.overflow_ = static_cast<uint64_t>(o->asInt());
    return h;
}

}  // namespace fbload
