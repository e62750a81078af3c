#include "llm_dialects.h"

#include "../config.h"
#include "../json.h"
#include "../workload.h"

#include <algorithm>

namespace fbload {

const char* dialectName(Dialect d)
{
    switch (d) {
    case Dialect::Vllm: return "vllm";
    case Dialect::Aiperf: return "aiperf";
    case Dialect::Guidellm: return "guidellm";
    }
    return "?";
}

namespace {

constexpr const char* kMetrics[] = {"ttft", "itl", "tpot", "e2el"};  // per dialect, in id order
constexpr int kMetricsPerDialect = 4;

// The events a tool counts as token chunks, in order.
std::vector<int64_t> counted(const RequestTiming& r, bool anyChoice)
{
    std::vector<int64_t> t;
    for (const ChunkEvent& c : r.chunks)
        if (anyChoice ? c.choice : c.content)
            t.push_back(c.atNs);
    return t;
}

// The server's usage count, else the tool's fallback (a count of chunks).
uint64_t tokens(const RequestTiming& r, size_t fallback)
{
    return r.serverOutputTokens > 0 ? static_cast<uint64_t>(r.serverOutputTokens) : fallback;
}

}  // namespace

DialectValues computeDialect(Dialect d, const RequestTiming& r)
{
    DialectValues v;
    switch (d) {
    case Dialect::Vllm: {
        // vllm/benchmarks/lib/endpoint_request_func.py: every chunk with a
        // non-empty `choices` (text may be empty) is a token: the first sets
        // ttft, each later one appends a gap to itl; latency ends at the last
        // such chunk. serve.py calculate_metrics: tpot = (latency - ttft) /
        // (output_len - 1) when output_len > 1; itls of all requests pooled.
        const auto t = counted(r, true);
        if (t.empty())
            return v;
        v.ttftNs = t.front() - r.startNs;
        v.e2elNs = t.back() - r.startNs;
        for (size_t i = 1; i < t.size(); ++i)
            v.itl.push_back({t[i] - t[i - 1], 1});
        v.outputTokens = tokens(r, static_cast<size_t>(std::count_if(r.chunks.begin(), r.chunks.end(),
                                                                     [](const ChunkEvent& c) { return c.content; })));
        if (v.outputTokens > 1)
            v.tpot = {(v.e2elNs - v.ttftNs) / static_cast<int64_t>(v.outputTokens - 1), 1};
        return v;
    }
    case Dialect::Aiperf: {
        // aiperf/parsers/openai_parsers.py drops responses without text;
        // metrics/types/ttft_metric.py: first response - request start;
        // request_latency_metric.py: last response - request start;
        // inter_token_latency_metric.py: (latency - ttft) / (osl - 1), osl >= 2,
        // one value per request. AIPerf has no separate TPOT: its ITL is one.
        const auto t = counted(r, false);
        if (t.empty())
            return v;
        v.ttftNs = t.front() - r.startNs;
        v.e2elNs = t.back() - r.startNs;
        v.outputTokens = tokens(r, t.size());
        if (v.outputTokens >= 2) {
            v.tpot = {(v.e2elNs - v.ttftNs) / static_cast<int64_t>(v.outputTokens - 1), 1};
            v.itl.push_back(v.tpot);
        }
        return v;
    }
    case Dialect::Guidellm: {
        // guidellm/backends/openai/http.py: an iteration is a line that added
        // text; request_end is taken after the stream ended. schemas/
        // request_stats.py: ttft = first_token_iteration - request_start;
        // itl = (last - first) / (output_tokens - 1), weighted by
        // output_tokens - 1; tpot = (last - request_start) / output_tokens,
        // weighted by output_tokens (benchmark/schemas/metrics.py).
        const auto t = counted(r, false);
        if (t.empty())
            return v;
        v.ttftNs = t.front() - r.startNs;
        v.e2elNs = r.endNs - r.startNs;
        v.outputTokens = tokens(r, t.size());
        if (v.outputTokens > 1)
            v.itl.push_back({(t.back() - t.front()) / static_cast<int64_t>(v.outputTokens - 1), v.outputTokens - 1});
        if (v.outputTokens > 0)
            v.tpot = {(t.back() - r.startNs) / static_cast<int64_t>(v.outputTokens), v.outputTokens};
        return v;
    }
    }
    return v;
}

DialectRecorder DialectRecorder::fromParams(const Json& params, int firstId)
{
    DialectRecorder rec;
    rec.firstId_ = firstId;
    const Json* d = params.find("dialects");
    if (!d || d->isNull())
        return rec;
    if (!d->isArray())
        throw ConfigError("params.dialects: expected a list of vllm, aiperf, guidellm, got " + d->typeName());
    for (size_t i = 0; i < d->asArray().size(); ++i) {
        const Json& x = d->asArray()[i];
        const std::string name = x.isString() ? x.asString() : x.dump();
        Dialect which;
        if (name == "vllm")
            which = Dialect::Vllm;
        else if (name == "aiperf" || name == "genai-perf")
            which = Dialect::Aiperf;
        else if (name == "guidellm")
            which = Dialect::Guidellm;
        else
            throw ConfigError("params.dialects[" + std::to_string(i) + "]: expected vllm, aiperf or guidellm, got " + name);
        if (std::find(rec.dialects_.begin(), rec.dialects_.end(), which) == rec.dialects_.end())
            rec.dialects_.push_back(which);
    }
    return rec;
}

void DialectRecorder::addMetrics(std::vector<MetricSpec>& specs) const
{
    for (Dialect d : dialects_)
        for (const char* m : kMetrics)
            specs.push_back({std::string("dialect.") + dialectName(d) + "." + m, "us"});
}

void DialectRecorder::record(const RequestTiming& r, ResponseSink& sink) const
{
    for (size_t i = 0; i < dialects_.size(); ++i) {
        const DialectValues v = computeDialect(dialects_[i], r);
        const int base = firstId_ + static_cast<int>(i) * kMetricsPerDialect;
        if (v.ttftNs >= 0)
            sink.record(base + 0, v.ttftNs / 1000);
        for (const Weighted& w : v.itl)
            sink.recordWeighted(base + 1, w.ns / 1000, w.weight);
        if (v.tpot.ns >= 0)
            sink.recordWeighted(base + 2, v.tpot.ns / 1000, v.tpot.weight);
        if (v.e2elNs >= 0)
            sink.record(base + 3, v.e2elNs / 1000);
    }
}

bool DialectRecorder::splitMetricName(const std::string& name, std::string& dialect, std::string& metric)
{
    constexpr std::string_view prefix = "dialect.";
    if (name.compare(0, prefix.size(), prefix) != 0)
        return false;
    const size_t dot = name.find('.', prefix.size());
    if (dot == std::string::npos)
        return false;
    dialect = name.substr(prefix.size(), dot - prefix.size());
    metric = name.substr(dot + 1);
    return true;
}

}  // namespace fbload
