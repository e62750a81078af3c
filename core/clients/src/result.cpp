#include "result.h"

#include "generator_health.h"
#include "workloads/llm_dialects.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <stdexcept>

namespace fbload {

std::string isoTime(double unixSeconds)
{
    auto secs = static_cast<time_t>(std::floor(unixSeconds));
    int ms = static_cast<int>((unixSeconds - std::floor(unixSeconds)) * 1000);
    tm t{};
    gmtime_r(&secs, &t);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                  t.tm_hour, t.tm_min, t.tm_sec, ms);
    return buf;
}

namespace {

double round3(double v)
{
    return std::round(v * 1000.0) / 1000.0;
}

Json metricSummary(const Histogram& h, const std::string& unit)
{
    // Histograms store µs; the summary speaks milliseconds like vLLM's report.
    bool time = unit == "us";
    double f = time ? 1e-3 : 1.0;
    Json m = Json::object();
    m["unit"] = time ? "ms" : unit;
    m["count"] = h.count();
    m["mean"] = round3(h.mean() * f);
    m["stdev"] = round3(h.stdev() * f);
    m["min"] = round3(static_cast<double>(h.min()) * f);
    m["max"] = round3(static_cast<double>(h.max()) * f);
    m["p50"] = round3(h.percentile(50) * f);
    m["p90"] = round3(h.percentile(90) * f);
    m["p95"] = round3(h.percentile(95) * f);
    m["p99"] = round3(h.percentile(99) * f);
    m["p999"] = round3(h.percentile(99.9) * f);
    return m;
}

uint64_t u64(const Json& j, const char* key)
{
    const Json* v = j.find(key);
    if (!v || !v->isNumber())
        throw std::runtime_error(std::string("missing or non-numeric \"") + key + "\"");
    return static_cast<uint64_t>(v->asInt());
}

double num(const Json& j, const char* key)
{
    const Json* v = j.find(key);
    if (!v || !v->isNumber())
        throw std::runtime_error(std::string("missing or non-numeric \"") + key + "\"");
    return v->asDouble();
}

const Json& obj(const Json& j, const char* key)
{
    const Json* v = j.find(key);
    if (!v || !v->isObject())
        throw std::runtime_error(std::string("missing object \"") + key + "\"");
    return *v;
}

}  // namespace

Json buildResult(const RunStats& s, const ResultMeta& meta)
{
    Json doc = Json::object();
    doc["schema"] = kResultSchema;
    doc["schema_version"] = kResultSchemaVersion;

    Json run = meta.run;
    run["start"] = isoTime(meta.startUnix);
    run["end"] = isoTime(meta.endUnix);
    run["start_unix"] = meta.startUnix;
    run["end_unix"] = meta.endUnix;
    run["measure_start_unix"] = meta.measureStartUnix;
    run["measure_end_unix"] = meta.measureEndUnix;
    double window = std::max(meta.measureEndUnix - meta.measureStartUnix, 1e-9);
    run["measured_s"] = round3(window);
    doc["run"] = std::move(run);

    Json sum = Json::object();
    Json req = Json::object();
    req["sent"] = s.sent;
    req["completed"] = s.ok;
    req["errors"] = s.errorTotal();
    req["unfinished"] = s.unfinished;
    req["unsent"] = s.unsent;
    req["warmup"] = s.warmupRequests;
    req["good"] = s.good;
    sum["requests"] = std::move(req);
    Json tok = Json::object();
    tok["input"] = s.inputTokens;
    tok["output"] = s.outputTokens;
    sum["tokens"] = std::move(tok);
    Json thr = Json::object();
    thr["requests_per_s"] = round3(static_cast<double>(s.ok) / window);
    // What the load model asked for (sent or still queued when the run ended).
    thr["offered_requests_per_s"] = round3(static_cast<double>(s.sent + s.unsent) / window);
    thr["goodput_requests_per_s"] = round3(static_cast<double>(s.good) / window);
    thr["input_tokens_per_s"] = round3(static_cast<double>(s.inputTokens) / window);
    thr["output_tokens_per_s"] = round3(static_cast<double>(s.outputTokens) / window);
    thr["total_tokens_per_s"] = round3(static_cast<double>(s.inputTokens + s.outputTokens) / window);
    // Workloads that move data (file) record a `bytes` metric per request.
    if (int b = s.metricIndex("bytes"); b >= 0) {
        const double bytes = s.hist[static_cast<size_t>(b)].sum();
        thr["bytes_per_s"] = round3(bytes / window);
        thr["mib_per_s"] = round3(bytes / window / (1024.0 * 1024.0));
    }
    sum["throughput"] = std::move(thr);
    Json errs = Json::object();
    for (size_t i = 1; i < kErrorClasses; ++i)
        errs[errorClassName(static_cast<ErrorClass>(i))] = s.errors[i];
    sum["errors"] = std::move(errs);
    Json st = Json::object();
    for (const auto& [code, n] : s.httpStatus)
        st[std::to_string(code)] = n;
    sum["http_status"] = std::move(st);
    Json ops = Json::object();
    for (size_t i = 0; i < s.opNames.size(); ++i) {
        Json o = Json::object();
        o["completed"] = s.opOk[i];
        o["errors"] = s.opErrors[i];
        o["requests_per_s"] = round3(static_cast<double>(s.opOk[i]) / window);
        ops[s.opNames[i]] = std::move(o);
    }
    sum["ops"] = std::move(ops);
    Json metrics = Json::object();
    Json dialects = Json::object();  // params.dialects: dialect.<tool>.<metric> grouped by tool
    for (size_t i = 0; i < s.metrics.size(); ++i) {
        std::string tool, name;
        if (DialectRecorder::splitMetricName(s.metrics[i].name, tool, name)) {
            if (!dialects.find(tool))
                dialects[tool] = Json::object();
            dialects[tool][name] = metricSummary(s.hist[i], s.metrics[i].unit);
        } else {
            metrics[s.metrics[i].name] = metricSummary(s.hist[i], s.metrics[i].unit);
        }
    }
    sum["metrics"] = std::move(metrics);
    if (!dialects.asObject().empty())
        sum["dialects"] = std::move(dialects);
    doc["summary"] = std::move(sum);

    Json ts = Json::object();
    ts["interval_s"] = 1;
    Json layout = Json::object();
    layout["layout"] = "log-linear";
    layout["significant_digits"] = kSecondRowDigits;
    layout["highest"] = Histogram::kDefaultHighest;
    layout["unit"] = "us";
    ts["latency_histogram"] = std::move(layout);
    Json rows = Json::array();
    Histogram scratch(kSecondRowDigits);
    for (const auto& [sec, r] : s.seconds) {
        Json row = Json::object();
        row["time"] = sec;
        row["t"] = round3(static_cast<double>(sec) - meta.measureStartUnix);
        row["phase"] = static_cast<double>(sec + 1) <= meta.measureStartUnix ? "warmup" : "measure";
        row["sent"] = r.sent;
        row["completed"] = r.completed;
        row["errors"] = r.errors;
        row["input_tokens"] = r.inputTokens;
        row["output_tokens"] = r.outputTokens;
        row["inflight_max"] = r.inflightMax;
        row["latency_sum_ms"] = round3(r.latencySumUs / 1000.0);
        row["latency_mean_ms"] = r.completed ? round3(r.latencySumUs / 1000.0 / static_cast<double>(r.completed)) : 0.0;
        row["latency_min_ms"] = r.latencyMinUs >= 0 ? round3(static_cast<double>(r.latencyMinUs) / 1000.0) : 0.0;
        row["latency_max_ms"] = round3(static_cast<double>(r.latencyMaxUs) / 1000.0);
        // Row percentiles from the coarse per-second histogram (2 digits).
        scratch.reset();
        Json buckets = Json::array();
        for (const auto& [low, n] : r.latencyBuckets) {
            scratch.record(low, n);
            buckets.push(Json(JsonArray{Json(low), Json(n)}));
        }
        auto pct = [&](double p) {
            if (!scratch.count())
                return 0.0;
            double v = std::clamp(scratch.percentile(p), static_cast<double>(std::max<int64_t>(r.latencyMinUs, 0)),
                                  static_cast<double>(r.latencyMaxUs));
            return round3(v / 1000.0);
        };
        row["latency_p50_ms"] = pct(50);
        row["latency_p99_ms"] = pct(99);
        row["latency_buckets"] = std::move(buckets);
        rows.push(std::move(row));
    }
    ts["rows"] = std::move(rows);
    doc["timeseries"] = std::move(ts);

    Json hists = Json::object();
    for (size_t i = 0; i < s.metrics.size(); ++i) {
        Json h = s.hist[i].toJson();
        Json withUnit = Json::object();
        withUnit["unit"] = s.metrics[i].unit;
        for (auto& [k, v] : h.asObject())
            withUnit[k] = std::move(v);
        hists[s.metrics[i].name] = std::move(withUnit);
    }
    doc["histograms"] = std::move(hists);
    return doc;
}

void readResult(const Json& doc, RunStats& s, ResultMeta& meta)
{
    const Json* schema = doc.find("schema");
    if (!schema || !schema->isString() || schema->asString() != kResultSchema)
        throw std::runtime_error(std::string("not a ") + kResultSchema + " document");
    const Json* ver = doc.find("schema_version");
    if (!ver || !ver->isNumber() || ver->asInt() != kResultSchemaVersion)
        throw std::runtime_error("unsupported schema_version (this fbload reads version " +
                                 std::to_string(kResultSchemaVersion) + ")");
    const Json& run = obj(doc, "run");
    meta.run = run;
    meta.startUnix = num(run, "start_unix");
    meta.endUnix = num(run, "end_unix");
    meta.measureStartUnix = num(run, "measure_start_unix");
    meta.measureEndUnix = num(run, "measure_end_unix");

    const Json& sum = obj(doc, "summary");
    const Json& req = obj(sum, "requests");
    s.sent = u64(req, "sent");
    s.ok = u64(req, "completed");
    s.unfinished = u64(req, "unfinished");
    s.unsent = u64(req, "unsent");
    s.warmupRequests = u64(req, "warmup");
    s.good = u64(req, "good");
    const Json& tok = obj(sum, "tokens");
    s.inputTokens = u64(tok, "input");
    s.outputTokens = u64(tok, "output");
    const Json& errs = obj(sum, "errors");
    for (size_t i = 1; i < kErrorClasses; ++i)
        if (const Json* v = errs.find(errorClassName(static_cast<ErrorClass>(i))); v && v->isNumber())
            s.errors[i] = static_cast<uint64_t>(v->asInt());
    for (const auto& [code, n] : obj(sum, "http_status").asObject())
        s.httpStatus[std::stoi(code)] = static_cast<uint64_t>(n.asInt());
    for (const auto& [name, o] : obj(sum, "ops").asObject()) {
        s.opNames.push_back(name);
        s.opOk.push_back(u64(o, "completed"));
        s.opErrors.push_back(u64(o, "errors"));
    }
    for (const auto& [name, h] : obj(doc, "histograms").asObject()) {
        const Json* unit = h.find("unit");
        s.metrics.push_back({name, unit && unit->isString() ? unit->asString() : "us"});
        try {
            s.hist.push_back(Histogram::fromJson(h));
        } catch (const std::exception& e) {
            throw std::runtime_error("histograms." + name + ": " + e.what());
        }
    }
    const Json& ts = obj(doc, "timeseries");
    const Json* rows = ts.find("rows");
    if (!rows || !rows->isArray())
        throw std::runtime_error("timeseries.rows: missing array");
    for (const Json& row : rows->asArray()) {
        SecondRow r;
        int64_t sec = static_cast<int64_t>(u64(row, "time"));
        r.sent = u64(row, "sent");
        r.completed = u64(row, "completed");
        r.errors = u64(row, "errors");
        r.inputTokens = u64(row, "input_tokens");
        r.outputTokens = u64(row, "output_tokens");
        r.inflightMax = static_cast<int64_t>(u64(row, "inflight_max"));
        r.latencySumUs = num(row, "latency_sum_ms") * 1000.0;
        r.latencyMaxUs = static_cast<int64_t>(std::llround(num(row, "latency_max_ms") * 1000.0));
        r.latencyMinUs = r.completed ? static_cast<int64_t>(std::llround(num(row, "latency_min_ms") * 1000.0)) : -1;
        if (const Json* b = row.find("latency_buckets"); b && b->isArray())
            for (const Json& p : b->asArray())
                if (p.isArray() && p.asArray().size() == 2)
                    r.latencyBuckets[p.asArray()[0].asInt()] += static_cast<uint64_t>(p.asArray()[1].asInt());
        s.seconds[sec].merge(r);
    }
}

Json mergeResults(const std::vector<Json>& docs, const std::vector<std::string>& names)
{
    if (docs.empty())
        throw std::runtime_error("nothing to merge");
    RunStats total;
    ResultMeta meta;
    Json hosts = Json::array();
    Json sources = Json::array();
    Json tasks = Json::array();  // each part's run.task (multi-instance clients)
    std::vector<GeneratorHealth> generators;  // each part's run.generator, when it has one
    std::vector<std::string> generatorHosts;
    int64_t nodes = 0;
    for (size_t i = 0; i < docs.size(); ++i) {
        RunStats s;
        ResultMeta m;
        try {
            readResult(docs[i], s, m);
        } catch (const std::exception& e) {
            throw std::runtime_error(names[i] + ": " + e.what());
        }
        if (i == 0) {
            meta = m;
            total = s;
        } else {
            const Json* w0 = meta.run.find("workload");
            const Json* w1 = m.run.find("workload");
            if (w0 && w1 && w0->dump() != w1->dump())
                throw std::runtime_error(names[i] + ": workload " + w1->dump() + " differs from " + w0->dump() + " in " + names[0]);
            try {
                total.merge(s);
            } catch (const std::exception& e) {
                throw std::runtime_error(names[i] + ": " + e.what());
            }
            meta.startUnix = std::min(meta.startUnix, m.startUnix);
            meta.endUnix = std::max(meta.endUnix, m.endUnix);
            meta.measureStartUnix = std::min(meta.measureStartUnix, m.measureStartUnix);
            meta.measureEndUnix = std::max(meta.measureEndUnix, m.measureEndUnix);
        }
        if (const Json* h = m.run.find("hosts"); h && h->isArray())
            for (const Json& x : h->asArray())
                hosts.push(x);
        const Json* n = m.run.find("nodes");
        nodes += n && n->isNumber() ? n->asInt() : 1;
        if (const Json* t = m.run.find("task"); t && t->isObject())
            tasks.push(*t);
        if (const Json* g = m.run.find("generator"); g && g->isObject()) {
            try {
                generators.push_back(GeneratorHealth::fromJson(*g));
            } catch (const std::exception& e) {
                throw std::runtime_error(names[i] + ": " + e.what());
            }
            const Json* h = m.run.find("hosts");
            generatorHosts.push_back(h && h->isArray() && !h->asArray().empty() && h->asArray()[0].isString()
                                         ? h->asArray()[0].asString() : names[i]);
        }
        sources.push(names[i]);
    }
    meta.run["hosts"] = std::move(hosts);
    meta.run["nodes"] = nodes;
    meta.run["merged_from"] = std::move(sources);
    if (!generators.empty())
        meta.run["generator"] = GeneratorHealth::merge(generators, generatorHosts).toJson();
    else
        meta.run["generator"] = Json();  // parts from before run.generator existed
    if (!tasks.asArray().empty()) {
        meta.run["task"] = Json();  // the merged file is no one task
        meta.run["tasks"] = std::move(tasks);
    }
    return buildResult(total, meta);
}

}  // namespace fbload
