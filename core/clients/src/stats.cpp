#include "stats.h"

#include <algorithm>

namespace fbload {

const char* errorClassName(ErrorClass c)
{
    switch (c) {
    case ErrorClass::None: return "none";
    case ErrorClass::Connect: return "connect";
    case ErrorClass::Timeout: return "timeout";
    case ErrorClass::HttpStatus: return "http_status";
    case ErrorClass::Protocol: return "protocol";
    case ErrorClass::Closed: return "closed";
    case ErrorClass::Server: return "server";
    case ErrorClass::Dropped: return "dropped";
    case ErrorClass::Count_: break;
    }
    return "?";
}

void SecondRow::merge(const SecondRow& o)
{
    sent += o.sent;
    completed += o.completed;
    errors += o.errors;
    latencySumUs += o.latencySumUs;
    latencyMaxUs = std::max(latencyMaxUs, o.latencyMaxUs);
    if (o.latencyMinUs >= 0)
        latencyMinUs = latencyMinUs < 0 ? o.latencyMinUs : std::min(latencyMinUs, o.latencyMinUs);
    inputTokens += o.inputTokens;
    outputTokens += o.outputTokens;
    // Threads and nodes run side by side, so their in-flight peaks add up.
    inflightMax += o.inflightMax;
    for (const auto& [low, c] : o.latencyBuckets)
        latencyBuckets[low] += c;
}

void RunStats::init(const std::vector<MetricSpec>& specs, const std::vector<std::string>& ops)
{
    metrics = specs;
    hist.assign(specs.size(), Histogram());
    opNames = ops;
    opOk.assign(ops.size(), 0);
    opErrors.assign(ops.size(), 0);
}

int RunStats::metricIndex(const std::string& name) const
{
    for (size_t i = 0; i < metrics.size(); ++i)
        if (metrics[i].name == name)
            return static_cast<int>(i);
    return -1;
}

void RunStats::merge(const RunStats& o)
{
    for (size_t i = 0; i < o.metrics.size(); ++i) {
        int idx = metricIndex(o.metrics[i].name);
        if (idx < 0) {
            metrics.push_back(o.metrics[i]);
            hist.push_back(o.hist[i]);
        } else {
            hist[static_cast<size_t>(idx)].merge(o.hist[i]);
        }
    }
    for (size_t i = 0; i < o.opNames.size(); ++i) {
        auto it = std::find(opNames.begin(), opNames.end(), o.opNames[i]);
        size_t idx = static_cast<size_t>(it - opNames.begin());
        if (it == opNames.end()) {
            opNames.push_back(o.opNames[i]);
            opOk.push_back(0);
            opErrors.push_back(0);
        }
        opOk[idx] += o.opOk[i];
        opErrors[idx] += o.opErrors[i];
    }
    for (size_t i = 0; i < kErrorClasses; ++i)
        errors[i] += o.errors[i];
    for (const auto& [s, c] : o.httpStatus)
        httpStatus[s] += c;
    sent += o.sent;
    ok += o.ok;
    warmupRequests += o.warmupRequests;
    inputTokens += o.inputTokens;
    outputTokens += o.outputTokens;
    good += o.good;
    unsent += o.unsent;
    unfinished += o.unfinished;
    for (const auto& [sec, row] : o.seconds)
        seconds[sec].merge(row);
}

uint64_t RunStats::errorTotal() const
{
    uint64_t t = 0;
    for (size_t i = 1; i < kErrorClasses; ++i)
        t += errors[i];
    return t;
}

SecondRow& SecondRows::at(int64_t unixSec)
{
    if (unixSec != sec_) {
        fold();
        sec_ = unixSec;
        row_ = &seconds_[unixSec];
    }
    return *row_;
}

void SecondRows::fold()
{
    if (!row_)
        return;
    for (size_t i = 0; i < hist_.bucketCount(); ++i)
        if (uint64_t n = hist_.countAt(i))
            row_->latencyBuckets[hist_.bucketLow(i)] += n;
    hist_.reset();
}

void SecondRows::finish()
{
    fold();
    row_ = nullptr;
    sec_ = INT64_MIN;
}

}  // namespace fbload
