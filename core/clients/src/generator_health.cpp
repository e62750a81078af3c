#include "generator_health.h"

#include "json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <stdexcept>

namespace fbload {

namespace {

double round3(double v)
{
    return std::round(v * 1000.0) / 1000.0;
}

double number(const Json& j, const char* key, const char* where)
{
    const Json* v = j.find(key);
    if (!v || !v->isNumber())
        throw std::runtime_error(std::string(where) + "." + key + ": missing or not a number");
    return v->asDouble();
}

std::string percent(double fraction)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f %%", fraction * 100.0);
    return buf;
}

}  // namespace

double ThreadHealth::utilisation() const
{
    if (wallNs <= 0)
        return 0;
    return static_cast<double>(std::max<int64_t>(cpuNs - spinNs, 0)) / static_cast<double>(wallNs);
}

void ThreadHealth::sampleThreadClocks()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    cpuNs = static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    // /proc/thread-self/schedstat: on-CPU ns, run-queue wait ns, timeslices
    // (absent when the kernel lacks schedstats; then the wait stays unknown).
    std::ifstream f("/proc/thread-self/schedstat");
    int64_t onCpu = 0, wait = 0;
    if (f >> onCpu >> wait)
        cpuWaitNs = wait;
}

void GeneratorHealth::setRun(bool openLoop, double offeredRate, double sendSpanS, uint64_t sent, uint64_t unsent)
{
    openLoop_ = openLoop;
    offeredRate_ = openLoop ? offeredRate : 0;
    sendSpanS_ = sendSpanS;
    sent_ = sent;
    unsent_ = unsent;
}

void GeneratorHealth::addThread(const ThreadHealth& t)
{
    lagUs_.merge(t.lagUs);
    late_ += t.lateSends;
    ThreadHealth copy = t;
    copy.lagUs.reset();
    threads_.push_back(std::move(copy));
}

double GeneratorHealth::lateFraction() const
{
    // Arrivals still queued when the run ended were never sent: late by definition.
    const uint64_t arrivals = lagUs_.count() + unsent_;
    return arrivals ? static_cast<double>(late_ + unsent_) / static_cast<double>(arrivals) : 0.0;
}

std::string GeneratorHealth::reason() const
{
    std::vector<std::string> why;
    if (openLoop_ && lateFraction() > kLateFractionLimit) {
        std::string r = percent(lateFraction()) + " of sends were over 1 ms late (lag p99 " +
                        std::to_string(static_cast<int64_t>(lagUs_.percentile(99) / 1000.0)) + " ms";
        if (unsent_)
            r += ", " + std::to_string(unsent_) + " never sent";
        r += ")";
        int64_t cpuWait = 0;
        for (const auto& t : threads_)
            cpuWait += std::max<int64_t>(t.cpuWaitNs, 0);
        if (cpuWait > 0)
            r += " [worker threads waited " + std::to_string(cpuWait / 1'000'000) + " ms for a CPU]";
        // Late because every connection was busy: the schedule needs more connections
        // (or a faster server), not more CPU.
        uint64_t waits = 0;
        for (const auto& t : threads_)
            waits += t.connectionWaits;
        if (waits * 2 > late_ + unsent_)
            r += ": " + std::to_string(waits) + " arrivals found every connection busy (raise concurrency)";
        why.push_back(r);
    }
    for (size_t i = 0; i < threads_.size(); ++i)
        if (threads_[i].utilisation() > kBusyLimit)
            why.push_back("worker thread " + std::to_string(i) + (threads_[i].host.empty() ? "" : " on " + threads_[i].host) +
                          " was " + percent(threads_[i].utilisation()) + " busy");
    for (const auto& r : partReasons_)
        if (std::find(why.begin(), why.end(), r) == why.end())
            why.push_back(r);
    std::string out;
    for (const auto& r : why)
        out += (out.empty() ? "" : "; ") + r;
    return out;
}

Json GeneratorHealth::toJson() const
{
    Json g = Json::object();
    const std::string why = reason();
    g["generator_limited"] = !why.empty();
    g["reason"] = why.empty() ? Json() : Json(why);
    g["open_loop"] = openLoop_;
    const double window = std::max(sendSpanS_, 1e-9);
    g["offered_requests_per_s"] = openLoop_ ? Json(round3(offeredRate_)) : Json();
    g["achieved_requests_per_s"] = round3(static_cast<double>(sent_) / window);
    g["achieved_vs_offered"] = openLoop_ && offeredRate_ > 0
                                   ? Json(round3(static_cast<double>(sent_) / window / offeredRate_))
                                   : Json();
    g["sent"] = sent_;
    g["send_span_s"] = round3(sendSpanS_);
    g["unsent"] = unsent_;
    Json lag = Json::object();
    lag["unit"] = "ms";
    lag["count"] = lagUs_.count();
    lag["late"] = late_;
    lag["late_threshold_ms"] = static_cast<double>(kLateSendUs) / 1000.0;
    lag["late_fraction"] = std::round(lateFraction() * 1e6) / 1e6;
    lag["p50"] = round3(lagUs_.percentile(50) / 1000.0);
    lag["p99"] = round3(lagUs_.percentile(99) / 1000.0);
    lag["max"] = round3(static_cast<double>(lagUs_.max()) / 1000.0);
    g["schedule_lag"] = std::move(lag);
    g["schedule_lag_histogram"] = lagUs_.toJson();
    Json threads = Json::array();
    int64_t cpu = 0;
    uint64_t events = 0;
    double eventsPerS = 0;  // threads run side by side: their rates add
    for (const auto& t : threads_) {
        Json o = Json::object();
        if (!t.host.empty())
            o["host"] = t.host;
        o["cpu_s"] = static_cast<double>(t.cpuNs) / 1e9;
        o["busy_poll_s"] = static_cast<double>(t.spinNs) / 1e9;
        o["wall_s"] = static_cast<double>(t.wallNs) / 1e9;
        o["cpu_wait_s"] = t.cpuWaitNs >= 0 ? Json(static_cast<double>(t.cpuWaitNs) / 1e9) : Json();
        o["utilisation"] = std::round(t.utilisation() * 1e4) / 1e4;
        o["events"] = t.events;
        o["connection_waits"] = t.connectionWaits;
        o["events_per_s"] = t.wallNs > 0 ? round3(static_cast<double>(t.events) * 1e9 / static_cast<double>(t.wallNs)) : 0.0;
        threads.push(std::move(o));
        cpu += t.cpuNs;
        events += t.events;
        eventsPerS += t.wallNs > 0 ? static_cast<double>(t.events) * 1e9 / static_cast<double>(t.wallNs) : 0.0;
    }
    g["threads"] = std::move(threads);
    g["cpu_s"] = static_cast<double>(cpu) / 1e9;
    g["events"] = events;
    g["events_per_s"] = round3(eventsPerS);
    if (!partReasons_.empty()) {
        Json parts = Json::array();
        for (const auto& r : partReasons_)
            parts.push(r);
        g["part_reasons"] = std::move(parts);
    }
    return g;
}

GeneratorHealth GeneratorHealth::fromJson(const Json& j)
{
    constexpr const char* where = "run.generator";
    if (!j.isObject())
        throw std::runtime_error(std::string(where) + ": not an object");
    GeneratorHealth g;
    const Json* ol = j.find("open_loop");
    g.openLoop_ = ol && ol->isBool() && ol->asBool();
    if (const Json* r = j.find("offered_requests_per_s"); r && r->isNumber())
        g.offeredRate_ = r->asDouble();
    g.sent_ = static_cast<uint64_t>(number(j, "sent", where));
    g.unsent_ = static_cast<uint64_t>(number(j, "unsent", where));
    g.sendSpanS_ = number(j, "send_span_s", where);
    if (const Json* h = j.find("schedule_lag_histogram"); h && h->isObject())
        g.lagUs_ = Histogram::fromJson(*h);
    if (const Json* lag = j.find("schedule_lag"); lag && lag->isObject())
        g.late_ = static_cast<uint64_t>(number(*lag, "late", "run.generator.schedule_lag"));
    if (const Json* ts = j.find("threads"); ts && ts->isArray())
        for (const Json& o : ts->asArray()) {
            ThreadHealth t;
            t.cpuNs = static_cast<int64_t>(std::llround(number(o, "cpu_s", "run.generator.threads[]") * 1e9));
            t.spinNs = static_cast<int64_t>(std::llround(number(o, "busy_poll_s", "run.generator.threads[]") * 1e9));
            t.wallNs = static_cast<int64_t>(std::llround(number(o, "wall_s", "run.generator.threads[]") * 1e9));
            t.events = static_cast<uint64_t>(number(o, "events", "run.generator.threads[]"));
            if (const Json* w = o.find("cpu_wait_s"); w && w->isNumber())
                t.cpuWaitNs = static_cast<int64_t>(std::llround(w->asDouble() * 1e9));
            if (const Json* w = o.find("connection_waits"); w && w->isNumber())
                t.connectionWaits = static_cast<uint64_t>(w->asInt());
            if (const Json* h = o.find("host"); h && h->isString())
                t.host = h->asString();
            g.threads_.push_back(std::move(t));
        }
    if (const Json* parts = j.find("part_reasons"); parts && parts->isArray())
        for (const Json& r : parts->asArray())
            if (r.isString())
                g.partReasons_.push_back(r.asString());
    // A part flagged by a rule this version does not know stays flagged.
    const Json* flagged = j.find("generator_limited");
    const Json* why = j.find("reason");
    if (flagged && flagged->isBool() && flagged->asBool() && g.reason().empty())
        g.partReasons_.push_back(why && why->isString() ? why->asString() : "flagged generator_limited");
    return g;
}

GeneratorHealth GeneratorHealth::merge(const std::vector<GeneratorHealth>& parts, const std::vector<std::string>& hosts)
{
    GeneratorHealth m;
    double window = 0;
    for (size_t i = 0; i < parts.size(); ++i) {
        const GeneratorHealth& p = parts[i];
        const std::string host = i < hosts.size() ? hosts[i] : std::string();
        m.openLoop_ = m.openLoop_ || p.openLoop_;
        m.offeredRate_ += p.offeredRate_;  // nodes offer side by side
        window = std::max(window, p.sendSpanS_);
        m.sent_ += p.sent_;
        m.unsent_ += p.unsent_;
        m.lagUs_.merge(p.lagUs_);
        m.late_ += p.late_;
        for (ThreadHealth t : p.threads_) {
            if (t.host.empty())
                t.host = host;
            m.threads_.push_back(std::move(t));
        }
        // Any flagged part flags the merge, even if the union dilutes its late share.
        if (const std::string r = p.reason(); !r.empty())
            m.partReasons_.push_back(host.empty() ? r : host + ": " + r);
    }
    m.sendSpanS_ = window;
    return m;
}

}  // namespace fbload
