#include "config.h"
#include "bounds.h"
#include "workload.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace fbload {

const char* loadModelName(LoadModel m)
{
    switch (m) {
    case LoadModel::Closed: return "closed";
    case LoadModel::Constant: return "constant";
    case LoadModel::Poisson: return "poisson";
    case LoadModel::Gamma: return "gamma";
    case LoadModel::Trace: return "trace";
    }
    return "?";
}

namespace {

std::string shown(const Json& v)
{
    std::string s = v.dump();
    if (s.size() > 60)
        s = s.substr(0, 57) + "...";
    return s;
}

[[noreturn]] void bad(const std::string& field, const std::string& expected, const Json& got)
{
    throw ConfigError(field + ": expected " + expected + ", got " + shown(got));
}

// Numbers may come as JSON numbers or, from the command line, as strings.
std::optional<double> asNumber(const Json& v)
{
    if (v.isNumber())
        return v.asDouble();
    if (v.isString()) {
        const std::string& s = v.asString();
        if (s.empty())
            return std::nullopt;
        char* end = nullptr;
        double d = std::strtod(s.c_str(), &end);
        if (end && *end == '\0' && std::isfinite(d))
            return d;
    }
    return std::nullopt;
}

double numberField(const Json& v, const std::string& field, double min, double max, bool exclusiveMin = false)
{
    auto d = asNumber(v);
    std::string what = exclusiveMin && min == 0 ? "a positive number" : (min == 0 ? "a non-negative number" : "a number");
    if (!d)
        bad(field, what, v);
    if ((exclusiveMin ? *d <= min : *d < min) || *d > max) {
        std::ostringstream os;
        os << what << " in " << (exclusiveMin ? "(" : "[") << min << ", " << max << "]";
        bad(field, os.str(), v);
    }
    return *d;
}

int64_t intField(const Json& v, const std::string& field, int64_t min, int64_t max)
{
    auto d = asNumber(v);
    if (!d || std::floor(*d) != *d)
        bad(field, "an integer", v);
    if (*d < static_cast<double>(min) || *d > static_cast<double>(max))
        bad(field, "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]", v);
    return static_cast<int64_t>(*d);
}

Json readFile(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    if (!f)
        throw ConfigError("--config: cannot read " + path);
    std::stringstream ss;
    ss << f.rdbuf();
    try {
        return Json::parse(ss.str());
    } catch (const JsonError& e) {
        throw ConfigError(path + ": " + e.what());
    }
}

// --set a.b.c=value: the value is parsed as JSON when it is valid JSON,
// otherwise taken as a string (so --set params.path=/x works unquoted).
void setPath(Json& doc, const std::string& assignment)
{
    auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw ConfigError("--set: expected key.path=value, got \"" + assignment + "\"");
    std::string path = assignment.substr(0, eq);
    std::string text = assignment.substr(eq + 1);
    Json value;
    try {
        value = Json::parse(text);
    } catch (const JsonError&) {
        value = Json(text);
    }
    Json* node = &doc;
    size_t start = 0;
    for (;;) {
        size_t dot = path.find('.', start);
        std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (key.empty())
            throw ConfigError("--set: empty key in \"" + path + "\"");
        if (!node->isObject() && !node->isNull())
            throw ConfigError("--set: " + path.substr(0, start ? start - 1 : 0) + " is not an object");
        if (dot == std::string::npos) {
            (*node)[key] = std::move(value);
            return;
        }
        node = &(*node)[key];
        start = dot + 1;
    }
}

}  // namespace

void applyConfigJson(RunConfig& cfg, const Json& doc)
{
    if (!doc.isObject())
        throw ConfigError("config: expected a JSON object at the top level, got " + doc.typeName());
    static const char* known[] = {"workload", "threads", "load", "warmup_s", "duration_s", "requests",
                                  "timeout_s", "seed", "slo", "params", "target", "labels", "metrics_port",
                                  "busy_poll_us"};
    for (const auto& [k, v] : doc.asObject()) {
        bool ok = false;
        for (const char* n : known)
            ok = ok || k == n;
        if (!ok)
            throw ConfigError(k + ": unknown key (known: workload, threads, load, warmup_s, duration_s, requests, "
                                  "timeout_s, seed, slo, params, target, labels, metrics_port, busy_poll_us)");
    }
    if (const Json* w = doc.find("workload"); w && !w->isNull()) {
        if (!w->isString() || w->asString().empty())
            bad("workload", "a workload name such as \"redis\"", *w);
        cfg.workload = w->asString();
    }
    if (const Json* v = doc.find("threads"); v && !v->isNull())
        cfg.threads = static_cast<int>(intField(*v, "threads", 1, 1024));
    if (const Json* load = doc.find("load"); load && !load->isNull()) {
        if (!load->isObject())
            bad("load", "an object", *load);
        for (const auto& [k, v] : load->asObject())
            if (k != "model" && k != "concurrency" && k != "rate" && k != "burstiness" && k != "ramp_up_s")
                throw ConfigError("load." + k + ": unknown key (known: model, concurrency, rate, burstiness, ramp_up_s)");
        if (const Json* m = load->find("model"); m && !m->isNull()) {
            std::string s = m->isString() ? m->asString() : "";
            if (s == "closed")
                cfg.model = LoadModel::Closed;
            else if (s == "constant")
                cfg.model = LoadModel::Constant;
            else if (s == "poisson")
                cfg.model = LoadModel::Poisson;
            else if (s == "gamma")
                cfg.model = LoadModel::Gamma;
            else if (s == "trace")
                cfg.model = LoadModel::Trace;
            else
                bad("load.model", "one of closed, constant, poisson, gamma, trace", *m);
        }
        if (const Json* v = load->find("concurrency"); v && !v->isNull())
            cfg.concurrency = static_cast<int>(intField(*v, "load.concurrency", 1, kMaxConnections));
        if (const Json* v = load->find("rate"); v && !v->isNull())
            cfg.rate = numberField(*v, "load.rate", 0, 1e9, true);
        if (const Json* v = load->find("burstiness"); v && !v->isNull())
            cfg.burstiness = numberField(*v, "load.burstiness", 0, 1e6, true);
        if (const Json* v = load->find("ramp_up_s"); v && !v->isNull())
            cfg.rampUpS = numberField(*v, "load.ramp_up_s", 0, 86400);
    }
    if (const Json* v = doc.find("warmup_s"); v && !v->isNull())
        cfg.warmupS = numberField(*v, "warmup_s", 0, 86400);
    if (const Json* v = doc.find("duration_s"); v) {
        cfg.durationS = v->isNull() ? 0 : numberField(*v, "duration_s", 0, 7 * 86400.0, true);
    }
    if (const Json* v = doc.find("requests"); v)
        cfg.requests = v->isNull() ? 0 : intField(*v, "requests", 1, int64_t{1} << 50);
    if (const Json* v = doc.find("timeout_s"); v && !v->isNull())
        cfg.timeoutS = numberField(*v, "timeout_s", 0, 86400, true);
    if (const Json* v = doc.find("seed"); v && !v->isNull())
        cfg.seed = static_cast<uint64_t>(intField(*v, "seed", 0, int64_t{1} << 53));
    if (const Json* v = doc.find("busy_poll_us"); v && !v->isNull())
        cfg.busyPollUs = static_cast<int>(intField(*v, "busy_poll_us", 0, 10'000));
    if (const Json* slo = doc.find("slo"); slo && !slo->isNull()) {
        if (!slo->isObject())
            bad("slo", "an object", *slo);
        for (const auto& [k, v] : slo->asObject()) {
            std::optional<double> val;
            if (!v.isNull())
                val = numberField(v, "slo." + k, 0, 1e9, true);
            if (k == "ttft_ms")
                cfg.sloTtftMs = val;
            else if (k == "tpot_ms")
                cfg.sloTpotMs = val;
            else if (k == "e2el_ms")
                cfg.sloE2elMs = val;
            else
                throw ConfigError("slo." + k + ": unknown key (known: ttft_ms, tpot_ms, e2el_ms)");
        }
    }
    if (const Json* p = doc.find("params"); p && !p->isNull()) {
        if (!p->isObject())
            bad("params", "an object", *p);
        cfg.params = *p;
    }
    if (const Json* t = doc.find("target"); t && t->isString() && cfg.host.empty()) {
        // Allowed in the file for hand-written configs; --target wins.
        auto c = t->asString().rfind(':');
        if (c == std::string::npos)
            bad("target", "HOST:PORT", *t);
        cfg.host = t->asString().substr(0, c);
        requireLineSafe("target", cfg.host);  // the default Host: header
        cfg.port = static_cast<int>(intField(Json(t->asString().substr(c + 1)), "target", 1, 65535));
    }
    if (const Json* v = doc.find("metrics_port"); v && !v->isNull())
        cfg.metricsPort = static_cast<int>(intField(*v, "metrics_port", 0, 65535));
    if (const Json* l = doc.find("labels"); l && !l->isNull()) {
        if (!l->isObject())
            bad("labels", "an object of strings", *l);
        for (const auto& [k, v] : l->asObject()) {
            if (!v.isString())
                bad("labels." + k, "a string", v);
            cfg.labels.emplace_back(k, v.asString());
        }
    }
}

static bool validLabelName(const std::string& k)
{
    if (k.empty() || (k[0] >= '0' && k[0] <= '9') || k.rfind("__", 0) == 0)
        return false;
    for (char c : k)
        if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return false;
    return true;
}

void validate(RunConfig& cfg)
{
    if (cfg.workload.empty())
        throw ConfigError("workload: missing (set \"workload\" in the config or pass --workload)");
    if ((cfg.host.empty() || cfg.port <= 0) && !workloadIsTargetless(cfg.workload))
        throw ConfigError("--target: missing (expected HOST:PORT)");
    if (cfg.openLoop() && cfg.model != LoadModel::Trace && cfg.rate <= 0)
        throw ConfigError(std::string("load.rate: expected a positive number for load.model \"") + loadModelName(cfg.model) + "\", got null");
    if (cfg.model == LoadModel::Gamma && cfg.burstiness <= 0)
        throw ConfigError("load.burstiness: expected a positive number");
    if (cfg.durationS <= 0 && cfg.requests <= 0 && cfg.model != LoadModel::Trace)  // a trace ends by itself
        throw ConfigError("duration_s: the run needs a bound: set duration_s or requests");
    if (cfg.threads > cfg.concurrency)
        cfg.threads = cfg.concurrency;  // a thread without connections would idle
    if (cfg.metricsPort < 0 && cfg.metricsPortTries > 1)
        throw ConfigError("--metrics-port-auto: needs --metrics-port N (the first port to try)");
    if (cfg.metricsPort < 0 && !cfg.metricsTargetFile.empty())
        throw ConfigError("--metrics-target-file: needs --metrics-port N");
    for (const auto& [k, v] : cfg.labels)
        if (!validLabelName(k))
            throw ConfigError("--label: \"" + k + "\" is not a valid Prometheus label name");
    if (cfg.task.index >= cfg.task.count)
        throw ConfigError("--task-index: " + std::to_string(cfg.task.index) + " is not below --tasks " +
                          std::to_string(cfg.task.count) + " (tasks count from 0)");
    if (cfg.task.multi() && cfg.task.barrierDir.empty())
        throw ConfigError("--barrier: required with --tasks " + std::to_string(cfg.task.count) +
                          " (a folder all tasks share, new for each run)");
}

RunConfig parseRunArgs(const std::vector<std::string>& args)
{
    RunConfig cfg;
    cfg.args = args;
    Json overrides = Json::object();  // flags collected as a config document
    std::vector<std::string> sets;
    std::string target;
    std::vector<std::pair<std::string, std::string>> labels;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= args.size())
                throw ConfigError(a + ": missing value");
            return args[++i];
        };
        if (a == "--config")
            cfg.configPath = value();
        else if (a == "--target")
            target = value();
        else if (a == "--out" || a == "-o")
            cfg.outPath = value();
        else if (a == "--metrics-port")
            overrides["metrics_port"] = Json(value());
        else if (a == "--metrics-port-auto")
            cfg.metricsPortTries = kMetricsPortAutoTries;
        else if (a == "--metrics-target-file")
            cfg.metricsTargetFile = value();
        else if (a == "--busy-poll-us")
            overrides["busy_poll_us"] = Json(value());
        else if (a == "--metrics-bind")
            cfg.metricsBind = value();
        else if (a == "--task-index")
            cfg.task.index = static_cast<int>(intField(Json(value()), a, 0, 1 << 20));
        else if (a == "--tasks")
            cfg.task.count = static_cast<int>(intField(Json(value()), a, 1, 1 << 20));
        else if (a == "--barrier")
            cfg.task.barrierDir = value();
        else if (a == "--barrier-timeout")
            cfg.task.timeoutS = numberField(Json(value()), a, 0, 7 * 24 * 3600.0, true);
        else if (a == "--label") {
            std::string kv = value();
            auto eq = kv.find('=');
            if (eq == std::string::npos || eq == 0)
                throw ConfigError("--label: expected key=value, got \"" + kv + "\"");
            labels.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
        } else if (a == "--duration")
            overrides["duration_s"] = Json(value());
        else if (a == "--requests")
            overrides["requests"] = Json(value());
        else if (a == "--workload")
            overrides["workload"] = Json(value());
        else if (a == "--threads")
            overrides["threads"] = Json(value());
        else if (a == "--warmup")
            overrides["warmup_s"] = Json(value());
        else if (a == "--timeout")
            overrides["timeout_s"] = Json(value());
        else if (a == "--model")
            overrides["load"]["model"] = Json(value());
        else if (a == "--concurrency")
            overrides["load"]["concurrency"] = Json(value());
        else if (a == "--rate")
            overrides["load"]["rate"] = Json(value());
        else if (a == "--set")
            sets.push_back(value());
        else
            throw ConfigError("unknown argument \"" + a + "\" (see fbload --help)");
    }
    Json doc = Json::object();
    if (!cfg.configPath.empty())
        doc = readFile(cfg.configPath);
    if (!doc.isObject())
        throw ConfigError(cfg.configPath + ": expected a JSON object at the top level");
    // Flags override the file key by key (load.* merges into the file's load).
    for (auto& [k, v] : overrides.asObject()) {
        if (k == "load" && doc.find("load") && doc.find("load")->isObject()) {
            for (auto& [lk, lv] : v.asObject())
                doc["load"][lk] = lv;
        } else {
            doc[k] = v;
        }
    }
    for (const auto& s : sets)
        setPath(doc, s);
    applyConfigJson(cfg, doc);
    if (!target.empty()) {
        auto c = target.rfind(':');
        if (c == std::string::npos || c == 0)
            throw ConfigError("--target: expected HOST:PORT, got \"" + target + "\"");
        cfg.host = target.substr(0, c);
        if (cfg.host.size() > 2 && cfg.host.front() == '[' && cfg.host.back() == ']')
            cfg.host = cfg.host.substr(1, cfg.host.size() - 2);
        requireLineSafe("--target", cfg.host);  // the default Host: header
        cfg.port = static_cast<int>(intField(Json(target.substr(c + 1)), "--target port", 1, 65535));
    }
    for (auto& l : labels)
        cfg.labels.push_back(std::move(l));
    validate(cfg);
    // Tasks of one client send different data (keys, vectors, payloads):
    // task I draws from seed + I, recorded as such in its run.config.
    cfg.seed += static_cast<uint64_t>(cfg.task.index);
    return cfg;
}

bool isSecretName(const std::string& name)
{
    std::string n;
    for (char c : name)
        n.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    for (const char* s : {"password", "passwd", "secret", "token", "api_key", "apikey", "api-key", "auth", "cookie"})
        if (n.find(s) != std::string::npos)
            return true;
    return false;
}

std::vector<std::string> redactArgs(const std::vector<std::string>& args)
{
    std::vector<std::string> out = args;
    for (size_t i = 0; i + 1 < out.size(); ++i) {
        if (out[i] != "--set")
            continue;
        std::string& a = out[++i];
        auto eq = a.find('=');
        // params.headers={"Authorization": ...} holds secrets inside the value.
        if (eq == std::string::npos)
            continue;
        std::string key = a.substr(0, eq);
        bool headers = key.size() >= 7 && key.compare(key.size() - 7, 7, "headers") == 0;
        if (isSecretName(key) || (headers && isSecretName(a.substr(eq + 1))))
            a = a.substr(0, eq + 1) + "***";
    }
    return out;
}

Json RunConfig::toJson() const
{
    Json j = Json::object();
    j["workload"] = workload;
    j["threads"] = threads;
    Json load = Json::object();
    load["model"] = loadModelName(model);
    load["concurrency"] = concurrency;
    load["rate"] = openLoop() && model != LoadModel::Trace ? Json(rate) : Json();
    load["burstiness"] = model == LoadModel::Gamma ? Json(burstiness) : Json();
    load["ramp_up_s"] = rampUpS;
    j["load"] = std::move(load);
    j["warmup_s"] = warmupS;
    j["duration_s"] = durationS > 0 ? Json(durationS) : Json();
    j["requests"] = requests > 0 ? Json(requests) : Json();
    j["timeout_s"] = timeoutS;
    j["seed"] = seed;
    j["busy_poll_us"] = busyPollUs;
    Json slo = Json::object();
    slo["ttft_ms"] = sloTtftMs ? Json(*sloTtftMs) : Json();
    slo["tpot_ms"] = sloTpotMs ? Json(*sloTpotMs) : Json();
    slo["e2el_ms"] = sloE2elMs ? Json(*sloE2elMs) : Json();
    j["slo"] = std::move(slo);
    // Result files get shared: never publish credentials.
    Json p = params;
    if (p.isObject()) {
        for (auto& [k, v] : p.asObject())
            if (isSecretName(k) && !v.isNull())
                v = "***";
        if (Json* h = p.find("headers"); h && h->isObject())
            for (auto& [k, v] : h->asObject())
                if (isSecretName(k))
                    v = "***";
    }
    j["params"] = std::move(p);
    return j;
}

void requireLineSafe(const std::string& field, std::string_view value)
{
    for (size_t i = 0; i < value.size(); ++i) {
        const auto b = static_cast<unsigned char>(value[i]);
        if (b >= 0x20 && b != 0x7f)
            continue;
        static const char* const kNames[] = {"NUL", nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                                             nullptr, "tab", "LF", nullptr, nullptr, "CR"};
        char code[8];
        std::snprintf(code, sizeof code, "0x%02x", b);
        std::string what = code;
        if (b < sizeof kNames / sizeof kNames[0] && kNames[b])
            what += std::string(" (") + kNames[b] + ")";
        throw ConfigError(field + ": control character " + what + " at byte " + std::to_string(i) +
                          " is not allowed (the value is sent inside a protocol line)");
    }
}

namespace param {

std::string lineString(const Json& params, const char* key, const std::string& def)
{
    std::string s = string(params, key, def);
    requireLineSafe(std::string("params.") + key, s);
    return s;
}

std::vector<std::pair<std::string, std::string>> headers(const Json& params, const char* key)
{
    std::vector<std::pair<std::string, std::string>> out;
    const Json* h = params.find(key);
    if (!h || h->isNull())
        return out;
    const std::string where = std::string("params.") + key;
    if (!h->isObject())
        throw ConfigError(where + ": expected an object of header names to strings, got " + h->typeName());
    for (const auto& [k, v] : h->asObject()) {
        // A name with control characters is shown JSON-escaped, not raw.
        bool printable = true;
        for (char ch : k)
            printable = printable && static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f;
        const std::string field = where + "." + (printable ? k : Json(k).dump());
        requireLineSafe(field + " (header name)", k);
        // RFC 9110 token characters; a ':' or space would change the header's meaning.
        if (k.empty() || k.find_first_not_of("!#$%&'*+-.^_`|~0123456789"
                                             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != std::string::npos)
            throw ConfigError(field + ": \"" + k + "\" is not a valid header name (letters, digits and !#$%&'*+-.^_`|~)");
        if (!v.isString())
            throw ConfigError(field + ": expected a string, got " + v.typeName());
        requireLineSafe(field, v.asString());
        out.emplace_back(k, v.asString());
    }
    return out;
}

double number(const Json& params, const char* key, double def, double min, double max)
{
    const Json* v = params.find(key);
    if (!v || v->isNull())
        return def;
    return numberField(*v, std::string("params.") + key, min, max);
}

int64_t integer(const Json& params, const char* key, int64_t def, int64_t min, int64_t max)
{
    const Json* v = params.find(key);
    if (!v || v->isNull())
        return def;
    return intField(*v, std::string("params.") + key, min, max);
}

std::string string(const Json& params, const char* key, const std::string& def)
{
    const Json* v = params.find(key);
    if (!v || v->isNull())
        return def;
    if (!v->isString())
        bad(std::string("params.") + key, "a string", *v);
    return v->asString();
}

bool boolean(const Json& params, const char* key, bool def)
{
    const Json* v = params.find(key);
    if (!v || v->isNull())
        return def;
    if (v->isBool())
        return v->asBool();
    if (v->isString() && (v->asString() == "true" || v->asString() == "false"))
        return v->asString() == "true";
    bad(std::string("params.") + key, "true or false", *v);
}

void rejectUnknown(const Json& params, std::initializer_list<const char*> known)
{
    if (!params.isObject())
        return;
    for (const auto& [k, v] : params.asObject()) {
        bool ok = false;
        std::string list;
        for (const char* n : known) {
            ok = ok || k == n;
            list += (list.empty() ? "" : ", ") + std::string(n);
        }
        if (!ok)
            throw ConfigError("params." + k + ": unknown key for this workload (known: " + list + ")");
    }
}

}  // namespace param

}  // namespace fbload
