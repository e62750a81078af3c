#include "cli.h"

#include "config.h"
#include "engine.h"
#include "json.h"
#include "metrics_server.h"
#include "output_file.h"
#include "resources.h"
#include "result.h"
#include "serve/server.h"
#include "task_barrier.h"
#include "workload.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

#ifndef FBLOAD_VERSION
#define FBLOAD_VERSION "0.0.0"
#endif

namespace fbload {

namespace {

const char* kHelp = R"(fbload - FactoryBench node-side load generator

Usage:
  fbload run --config CLIENT.json --target HOST:PORT --out RESULT.json
             [--metrics-port N [--metrics-port-auto]] [--metrics-bind ADDR]
             [--metrics-target-file PATH] [--label key=value ...]
             [--duration S] [--requests N] [--workload NAME] [--threads N]
             [--model closed|constant|poisson|gamma] [--concurrency N]
             [--rate R] [--warmup S] [--timeout S] [--set key.path=value ...]
             [--task-index I --tasks N --barrier DIR [--barrier-timeout S]]
  fbload merge -o OUT.json A.json B.json ...
  fbload serve --api openai|ollama|http|redis --port N [...]  a zero-compute
               reference server (fbload serve --help)
  fbload workloads        list compiled-in workloads, one per line
  fbload --version
  fbload --help

--target is not needed by the file and faiss workloads (no server).
--metrics-port-auto: if port N is taken, try N+1, N+2 ... (100 ports in all).
--metrics-target-file: once /metrics is bound, write [{"targets":["host:port"],
"labels":{...}}] there atomically (Prometheus file_sd).
--out: a regular file is replaced atomically (temporary file + rename, created
before the run, so an unwritable folder fails at once); a device or FIFO
(/dev/null) is written in place; - is stdout.
--busy-poll-us N: poll for events this long before sleeping (default 20, 0 off).
--task-index I --tasks N --barrier DIR: this is task I of N of one client (srun
tasks): task 0 alone prepares (tables, collection, bucket), the others wait
for its marker in DIR (a folder all tasks share, new for each run); each task
names its files/objects after itself; all start the load together; task 0
cleans up after all are done. --barrier-timeout S bounds each wait (1800).
Flags override the config file; --set overrides any key (value parsed as
JSON, else taken as a string), e.g. --set params.pipeline=16.
Exit codes: 0 success, 1 run failure, 2 bad arguments or configuration.
Documentation: docs/fbload.md (config keys), docs/result-format.md (output).
)";

std::string hostName()
{
    char h[256] = {};
    gethostname(h, sizeof h - 1);
    return h;
}

// A Prometheus file_sd document naming this run's /metrics endpoint; written
// only after the port is bound, so it always names the port actually served.
// The host is the short host name (what the node's Prometheus scrapes by),
// or the bind address when /metrics listens on one address only.
std::string metricsTarget(const RunConfig& cfg, int port)
{
    std::string host = cfg.metricsBind;
    if (host == "0.0.0.0") {
        host = hostName();
        host = host.substr(0, host.find('.'));
    }
    Json labels = Json::object();
    labels["job"] = "fbload";
    for (const auto& [k, v] : cfg.labels)
        labels[k] = v;
    Json target = Json::object();
    target["targets"] = Json(JsonArray{Json(host + ":" + std::to_string(port))});
    target["labels"] = std::move(labels);
    return Json(JsonArray{std::move(target)}).dump() + "\n";
}

// Preparation of this task (task_barrier.h): the shared part by task 0
// alone, then each task's own part, then all tasks start together. Returns
// run.task for the result (null for a single task). On failure this task is
// marked failed (so no other waits for it in vain) and the error rethrown.
Json prepareTask(const RunConfig& cfg, Workload& workload, const TaskBarrier* barrier)
{
    if (!barrier) {
        workload.prepare(cfg);
        workload.prepareTask(cfg);
        return Json();
    }
    const TaskSpec& t = barrier->spec();
    const std::string self = "fbload: task " + std::to_string(t.index) + "/" + std::to_string(t.count) + ": ";
    double waited = 0;
    try {
        if (t.leader()) {
            workload.prepare(cfg);
            barrier->mark(TaskBarrier::Phase::Prepared);
            std::cerr << self << "prepared for all tasks\n";
        } else {
            waited += barrier->waitFor(TaskBarrier::Phase::Prepared, 0, 0);
            std::cerr << self << "task 0 has prepared (waited " << waited << " s)\n";
        }
        workload.prepareTask(cfg);
        barrier->mark(TaskBarrier::Phase::Ready);
        waited += barrier->waitFor(TaskBarrier::Phase::Ready, 0, t.count - 1);
    } catch (const std::exception& e) {
        barrier->markFailed(e.what());
        throw;
    }
    Json info = Json::object();
    info["index"] = t.index;
    info["count"] = t.count;
    info["prepared"] = t.leader();
    info["barrier_wait_s"] = waited;
    return info;
}

// Declared after the workload in cmdRun, so it runs before the workload's
// cleanup: marks this task done, and task 0 waits for every other task to
// be done before it drops what they use (tables, collection).
struct TaskEnd {
    const std::optional<TaskBarrier>& barrier;
    bool armed = false;
    ~TaskEnd()
    {
        if (!armed || !barrier)
            return;
        try {
            barrier->mark(TaskBarrier::Phase::Done);
            if (barrier->spec().leader() && barrier->spec().count > 1)
                barrier->waitFor(TaskBarrier::Phase::Done, 1, barrier->spec().count - 1);
        } catch (const std::exception& e) {
            std::cerr << "fbload: task " << barrier->spec().index << ": cleanup proceeds without waiting: " << e.what() << "\n";
        }
    }
};

int cmdRun(const std::vector<std::string>& args)
{
    RunConfig cfg;
    std::unique_ptr<Workload> workload;
    std::unique_ptr<OutputFile> out, targetFile;
    std::optional<TaskBarrier> barrier;
    TaskEnd taskEnd{barrier};
    try {
        cfg = parseRunArgs(args);
        workload = makeWorkload(cfg);
        // A replayed trace sets its own send times: a closed-loop run becomes
        // load.model trace; constant/poisson/gamma keep their own arrivals.
        if (workload->arrivalTimesNs() && cfg.model == LoadModel::Closed)
            cfg.model = LoadModel::Trace;
        if (cfg.model == LoadModel::Trace && !workload->arrivalTimesNs())
            throw ConfigError("load.model: trace needs a trace to replay (params.dataset with timestamps)");
        checkResources(cfg, *workload, raiseFdLimit());
        // Before anything is sent: an output that cannot be written fails now.
        out = std::make_unique<OutputFile>(cfg.outPath, "--out");
        if (!cfg.metricsTargetFile.empty())
            targetFile = std::make_unique<OutputFile>(cfg.metricsTargetFile, "--metrics-target-file");
    } catch (const ConfigError& e) {
        std::cerr << "fbload: " << e.what() << "\n";
        return 2;
    }
    Engine::installSignalHandlers();
    Json taskInfo;
    try {
        if (cfg.task.multi())
            barrier.emplace(cfg.task, [] { return Engine::signalled(); });
        taskInfo = prepareTask(cfg, *workload, barrier ? &*barrier : nullptr);
        taskEnd.armed = true;  // a task that failed here marked itself failed instead
    } catch (const std::exception& e) {
        std::cerr << "fbload: preparation failed: " << e.what() << "\n";
        return 1;
    }
    Engine engine(cfg, *workload);
    MetricsServer metrics(engine, cfg.labels);
    if (cfg.metricsPort >= 0) {
        try {
            metrics.start(cfg.metricsBind, cfg.metricsPort, cfg.metricsPortTries);
            std::cerr << "fbload: serving /metrics on port " << metrics.port() << "\n";
            std::string error;
            if (targetFile && !targetFile->commit(metricsTarget(cfg, metrics.port()), error))
                throw std::runtime_error("--metrics-target-file: " + error);
        } catch (const std::exception& e) {
            std::cerr << "fbload: " << e.what() << "\n";
            return 1;
        }
    }
    RunStats stats;
    try {
        stats = engine.run();
    } catch (const std::exception& e) {
        std::cerr << "fbload: " << e.what() << "\n";
        return 1;
    }
    metrics.stop();

    RunTimes t = engine.times();
    ResultMeta meta;
    Json& run = meta.run;
    run["tool"] = "fbload";
    run["version"] = versionString();
    run["workload"] = cfg.workload;
    run["target"] = cfg.host.empty() ? Json() : Json(cfg.host + ":" + std::to_string(cfg.port));
    run["hosts"] = Json(JsonArray{Json(hostName())});
    run["nodes"] = 1;
    Json labels = Json::object();
    for (const auto& [k, v] : cfg.labels)
        labels[k] = v;
    run["labels"] = std::move(labels);
    Json argv = Json::array();
    for (const auto& a : redactArgs(args))
        argv.push(a);
    run["args"] = std::move(argv);
    run["config"] = cfg.toJson();
    Json info = Json::object();
    workload->describe(info);
    run["workload_info"] = std::move(info);
    run["interrupted"] = t.interrupted;
    const std::string failure = engine.failure();
    run["failure"] = failure.empty() ? Json() : Json(failure);
    run["task"] = std::move(taskInfo);
    run["generator"] = engine.health().toJson();
    meta.startUnix = static_cast<double>(t.startUnixNs) / 1e9;
    meta.endUnix = static_cast<double>(t.endUnixNs) / 1e9;
    meta.measureStartUnix = static_cast<double>(t.measureStartUnixNs) / 1e9;
    meta.measureEndUnix = static_cast<double>(t.measureEndUnixNs) / 1e9;
    Json doc = buildResult(stats, meta);
    std::string text = doc.dump(1) + "\n";
    if (std::string error; !out->commit(text, error)) {
        std::cerr << "fbload: " << error << "\n";
        return 1;
    }
    const Json& sum = *doc.find("summary");
    const Json& lat = *sum.find("metrics")->find("latency");
    std::cerr << "fbload: " << stats.ok << " ok, " << stats.errorTotal() << " errors, "
              << sum.find("throughput")->find("requests_per_s")->asDouble() << " req/s, latency p50 "
              << lat.find("p50")->asDouble() << " ms p99 " << lat.find("p99")->asDouble() << " ms"
              << (t.interrupted ? " (interrupted)" : "") << "\n";
    if (engine.health().limited())
        std::cerr << "fbload: GENERATOR LIMITED: " << engine.health().reason() << "\n";
    if (!failure.empty()) {
        std::cerr << "fbload: run stopped: " << failure << "\n";
        return 1;
    }
    if (stats.ok == 0 && stats.errorTotal() > 0) {
        std::cerr << "fbload: no request succeeded\n";
        return 1;
    }
    return 0;
}

int cmdMerge(const std::vector<std::string>& args)
{
    std::string out;
    std::vector<std::string> inputs;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "-o" || args[i] == "--out") {
            if (i + 1 >= args.size()) {
                std::cerr << "fbload merge: -o needs a file name\n";
                return 2;
            }
            out = args[++i];
        } else if (!args[i].empty() && args[i][0] == '-') {
            std::cerr << "fbload merge: unknown argument \"" << args[i] << "\"\n";
            return 2;
        } else {
            inputs.push_back(args[i]);
        }
    }
    if (out.empty() || inputs.empty()) {
        std::cerr << "fbload merge: usage: fbload merge -o OUT.json A.json B.json ...\n";
        return 2;
    }
    std::unique_ptr<OutputFile> outFile;
    try {
        outFile = std::make_unique<OutputFile>(out, "fbload merge: -o");
    } catch (const ConfigError& e) {
        std::cerr << e.what() << "\n";
        return 2;
    }
    std::vector<Json> docs;
    for (const auto& path : inputs) {
        std::ifstream f(path, std::ios::binary);
        if (!f) {
            std::cerr << "fbload merge: cannot read " << path << "\n";
            return 2;
        }
        std::stringstream ss;
        ss << f.rdbuf();
        try {
            docs.push_back(Json::parse(ss.str()));
        } catch (const JsonError& e) {
            std::cerr << "fbload merge: " << path << ": " << e.what() << "\n";
            return 2;
        }
    }
    try {
        Json merged = mergeResults(docs, inputs);
        if (std::string error; !outFile->commit(merged.dump(1) + "\n", error)) {
            std::cerr << "fbload merge: " << error << "\n";
            return 1;
        }
    } catch (const std::exception& e) {
        std::cerr << "fbload merge: " << e.what() << "\n";
        return 2;
    }
    return 0;
}

}  // namespace

std::string versionString()
{
    return FBLOAD_VERSION;
}

int runCli(const std::vector<std::string>& args)
{
    if (args.empty()) {
        std::cerr << kHelp;
        return 2;
    }
    const std::string& cmd = args[0];
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        std::cout << kHelp;
        return 0;
    }
    if (cmd == "--version" || cmd == "version") {
        std::cout << "fbload " << versionString() << " (result schema " << kResultSchema << " v" << kResultSchemaVersion << ")\n";
        return 0;
    }
    if (cmd == "workloads") {
        for (const auto& n : workloadNames())
            std::cout << n << "\n";
        return 0;
    }
    if (cmd == "run")
        return cmdRun(rest);
    if (cmd == "merge")
        return cmdMerge(rest);
    if (cmd == "serve")
        return serve::runServe(rest);
    std::cerr << "fbload: unknown command \"" << cmd << "\" (see fbload --help)\n";
    return 2;
}

}  // namespace fbload
