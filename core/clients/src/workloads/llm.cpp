// The llm workload: Ollama (/api/generate, /api/chat; NDJSON) and
// OpenAI-compatible (/v1/completions, /v1/chat/completions; SSE) servers such
// as Ollama, vLLM and Triton's OpenAI front end.
//
// LlmWorkload renders every request body up front (synthetic prompts of a
// target token length, or a JSONL dataset); LlmSession sends them in turn and
// measures TTFT, ITL, TPOT and E2EL the way vLLM's serving benchmark does,
// with all times taken from the intended send time (no coordinated omission).
#include "../config.h"
#include "../json.h"
#include "dataset.h"
#include "http.h"
#include "http_parser.h"
#include "llm_stream.h"
#include "request_log.h"
#include "vector_http.h" // blockingHttp: model pull and warm-up (not measured)

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <netdb.h>
#include <random>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace fbload {

namespace {

// The params.dialects metrics (llm_dialects.h) follow the last of these.
enum LlmMetric : int { Ttft = kFirstWorkloadMetric, Tpot, Itl, E2el, InputTokens, OutputTokens, FirstDialectMetric };

struct Prompt {
    std::string body;      // the rendered JSON request body
    int64_t inputTokens;   // our estimate, used when the server reports none
    int64_t maxTokens;
    int line = 0;          // dataset line (request log), 0 for synthetic prompts
};

class LlmWorkload;

class LlmSession final : public Session {
public:
    LlmSession(const LlmWorkload& w, int connIndex, int stride);
    uint32_t writeRequest(std::string& out) override;
    uint32_t writeArrival(std::string& out, uint64_t arrivalIndex) override;
    long onData(const char* data, size_t len, int64_t nowNs, ResponseSink& sink) override;
    void onEof(int64_t nowNs, ResponseSink& sink) override;
    bool wantsReconnect() const override { return reconnect_; }
    void reset() override
    {
        parser_.reset();
        decoder_.reset();
        reconnect_ = false;
    }

private:
    void finishResponse(int64_t nowNs, ResponseSink& sink);
    uint32_t write(std::string& out, size_t promptIndex, uint64_t seq);
    void logOutcome(int64_t nowNs, const ResponseSink& sink, bool ok, int64_t in, int64_t out) const;
    const LlmWorkload& w_;
    size_t next_;    // closed loop: the session (dataset conversation) this connection is in
    size_t turn_ = 0;  // and its next turn
    size_t stride_;
    uint64_t sent_ = 0;
    const Prompt* cur_ = nullptr;
    uint64_t curSeq_ = 0;
    HttpResponseParser parser_;
    LlmStreamDecoder decoder_;
    int64_t curInputEstimate_ = 0;
    bool reconnect_ = false;
};

class LlmWorkload final : public Workload {
public:
    explicit LlmWorkload(const RunConfig& cfg) : cfg_(cfg)
    {
        const Json& p = cfg.params;
        param::rejectUnknown(p, {"api", "model", "prompt_tokens", "max_tokens", "stream", "dataset", "ignore_eos",
                                 "pull", "warmup_request", "path", "api_key", "temperature", "headers", "extra_body",
                                 "prompts", "dataset_format", "multi_turn", "shuffle", "num_prompts", "time_scale",
                                 "timestamp_unit", "block_tokens", "request_log", "dialects"});
        dialects_ = DialectRecorder::fromParams(p, FirstDialectMetric);
        std::string api = param::string(p, "api", "openai-chat");
        if (api == "ollama-generate") {
            api_ = LlmApi::OllamaGenerate;
            path_ = "/api/generate";
        } else if (api == "ollama-chat") {
            api_ = LlmApi::OllamaChat;
            path_ = "/api/chat";
        } else if (api == "openai-completions") {
            api_ = LlmApi::OpenAiCompletions;
            path_ = "/v1/completions";
        } else if (api == "openai-chat") {
            api_ = LlmApi::OpenAiChat;
            path_ = "/v1/chat/completions";
        } else {
            throw ConfigError("params.api: expected one of ollama-generate, ollama-chat, openai-completions, openai-chat, got \"" + api + "\"");
        }
        apiName_ = api;
        path_ = param::lineString(p, "path", path_);
        if (path_.empty() || path_[0] != '/' || path_.find(' ') != std::string::npos)
            throw ConfigError("params.path: expected a path starting with '/', got \"" + path_ + "\"");
        model_ = param::string(p, "model", "");
        if (model_.empty())
            throw ConfigError("params.model: missing (the model name the server knows, e.g. \"llama3.2:1b\")");
        promptTokens_ = param::integer(p, "prompt_tokens", 128, 1, 10'000'000);
        maxTokens_ = param::integer(p, "max_tokens", 128, 1, 10'000'000);
        stream_ = param::boolean(p, "stream", true);
        ignoreEos_ = param::boolean(p, "ignore_eos", false);
        pull_ = param::boolean(p, "pull", false);
        warmupRequest_ = param::boolean(p, "warmup_request", pull_);
        temperature_ = param::number(p, "temperature", 0.0, 0.0, 100.0);
        int64_t poolSize = param::integer(p, "prompts", 64, 1, 1'000'000);
        std::string apiKey = param::lineString(p, "api_key", "");
        if (const Json* e = p.find("extra_body"); e && !e->isNull()) {
            if (!e->isObject())
                throw ConfigError("params.extra_body: expected an object merged into every request body, got " + e->typeName());
            extraBody_ = *e;
        }
        headers_.emplace_back("Content-Type", "application/json");
        if (!apiKey.empty())
            headers_.emplace_back("Authorization", "Bearer " + apiKey);
        for (auto& h : param::headers(p, "headers"))
            headers_.push_back(std::move(h));
        hostHeader_ = cfg.host + ":" + std::to_string(cfg.port);

        std::string dataset = param::string(p, "dataset", "");
        if (!dataset.empty())
            loadDataset(dataset, cfg);
        else
            synthesise(static_cast<size_t>(poolSize), cfg.seed);
        if (std::string log = param::string(p, "request_log", ""); !log.empty())
            log_ = std::make_unique<RequestLog>(log);
    }

    std::string name() const override { return "llm"; }
    std::vector<std::string> opNames() const override { return {apiName_}; }
    std::vector<MetricSpec> extraMetrics() const override
    {
        // Order matches LlmMetric.
        std::vector<MetricSpec> m{{"ttft", "us"}, {"tpot", "us"}, {"itl", "us"}, {"e2el", "us"},
                                  {"input_tokens", "tokens"}, {"output_tokens", "tokens"}};
        dialects_.addMetrics(m);
        return m;
    }
    std::unique_ptr<Session> newSession(int connIndex, uint64_t) const override
    {
        return std::make_unique<LlmSession>(*this, connIndex, cfg_.concurrency);
    }
    void prepare(const RunConfig& cfg) override;
    void describe(Json& run) const override
    {
        run["api"] = apiName_;
        run["model"] = model_;
        run["stream"] = stream_;
        if (!datasetFormat_.empty()) {
            run["dataset_format"] = datasetFormat_;
            run["dataset_requests"] = static_cast<int64_t>(prompts_.size());
            run["dataset_sessions"] = static_cast<int64_t>(sessionStart_.size());
        }
    }

    LlmApi api() const { return api_; }
    bool stream() const { return stream_; }
    const DialectRecorder& dialects() const { return dialects_; }
    const std::vector<Prompt>& prompts() const { return prompts_; }
    const std::vector<size_t>& sessionStart() const { return sessionStart_; }
    const RequestLog* log() const { return log_.get(); }
    const std::vector<int64_t>* arrivalTimesNs() const override { return timesNs_.empty() ? nullptr : &timesNs_; }
    std::string request(const Prompt& p) const
    {
        return buildHttpRequest("POST", path_, hostHeader_, headers_, p.body);
    }

private:
    std::string renderBody(const std::string* prompt, const Json* messages, int64_t maxTokens, bool stream) const
    {
        Json b = Json::object();
        b["model"] = model_;
        bool chat = api_ == LlmApi::OllamaChat || api_ == LlmApi::OpenAiChat;
        if (chat) {
            if (messages) {
                b["messages"] = *messages;
            } else {
                Json m = Json::object();
                m["role"] = "user";
                m["content"] = *prompt;
                b["messages"] = Json(JsonArray{m});
            }
        } else {
            b["prompt"] = prompt ? *prompt : std::string();
        }
        b["stream"] = stream;
        if (api_ == LlmApi::OllamaGenerate || api_ == LlmApi::OllamaChat) {
            Json o = Json::object();
            o["num_predict"] = maxTokens;
            o["temperature"] = temperature_;
            b["options"] = std::move(o);
        } else {
            b["max_tokens"] = maxTokens;
            b["temperature"] = temperature_;
            if (stream) {
                Json so = Json::object();
                so["include_usage"] = true;
                b["stream_options"] = std::move(so);
            }
            if (ignoreEos_)
                b["ignore_eos"] = true;  // vLLM extension: generate exactly max_tokens
        }
        if (extraBody_.isObject())
            for (const auto& [k, v] : extraBody_.asObject())
                b[k] = v;
        return b.dump();
    }

    void synthesise(size_t count, uint64_t seed)
    {
        std::mt19937_64 rng(seed);
        for (size_t i = 0; i < count; ++i) {
            std::string text;
            appendSyntheticWords(text, promptTokens_, rng);
            sessionStart_.push_back(prompts_.size());
            prompts_.push_back({renderBody(&text, nullptr, maxTokens_, stream_), promptTokens_, maxTokens_});
        }
    }

    // params.dataset (dataset.h): every request rendered now; a trace's send
    // times become this run's arrivals (arrivalTimesNs).
    void loadDataset(const std::string& file, const RunConfig& cfg)
    {
        const Json& p = cfg.params;
        DatasetOptions o;
        o.path = file;
        std::string format = param::string(p, "dataset_format", "auto");
        if (format == "auto")
            o.format = DatasetFormat::Auto;
        else if (format == "prompts")
            o.format = DatasetFormat::Prompts;
        else if (format == "sharegpt")
            o.format = DatasetFormat::ShareGpt;
        else if (format == "trace")
            o.format = DatasetFormat::Trace;
        else
            throw ConfigError("params.dataset_format: expected one of auto, prompts, sharegpt, trace, got \"" + format + "\"");
        o.multiTurn = param::boolean(p, "multi_turn", false);
        o.shuffle = param::boolean(p, "shuffle", true);
        o.sample = param::integer(p, "num_prompts", 0, 0, 100'000'000);
        o.timeScale = param::number(p, "time_scale", 1.0, 1e-6, 1e6);
        std::string unit = param::string(p, "timestamp_unit", "auto");
        if (unit == "s")
            o.timestampUnitS = 1;
        else if (unit == "ms")
            o.timestampUnitS = 1e-3;
        else if (unit == "us")
            o.timestampUnitS = 1e-6;
        else if (unit != "auto")
            throw ConfigError("params.timestamp_unit: expected one of auto, s, ms, us, got \"" + unit + "\"");
        o.blockTokens = param::integer(p, "block_tokens", 512, 1, 1'000'000);
        o.defaultMaxTokens = maxTokens_;
        // The client's seed, the same in every task (parseRunArgs gives task I
        // seed + I for its own random data): one sample, split by task below.
        o.seed = cfg.seed - static_cast<uint64_t>(cfg.task.index);
        o.taskIndex = cfg.task.index;
        o.tasks = std::max(1, cfg.task.count);
        Dataset ds = fbload::loadDataset(o);
        if (o.multiTurn && ds.format != DatasetFormat::ShareGpt)
            throw ConfigError(std::string("params.multi_turn: applies to sharegpt datasets, ") + file + " is " +
                              datasetFormatName(ds.format));
        datasetFormat_ = datasetFormatName(ds.format);
        bool chat = api_ == LlmApi::OllamaChat || api_ == LlmApi::OpenAiChat;
        for (const DatasetRequest& q : ds.requests) {
            const Json* msgs = chat && q.messages.isArray() ? &q.messages : nullptr;
            prompts_.push_back({renderBody(&q.text, msgs, q.maxTokens, stream_), q.inputTokens, q.maxTokens, q.line});
            if (ds.timed())
                timesNs_.push_back(q.atNs);
        }
        sessionStart_ = std::move(ds.sessionStart);
    }

    const RunConfig& cfg_;
    DialectRecorder dialects_;  // params.dialects
    LlmApi api_ = LlmApi::OpenAiChat;
    std::string apiName_, path_, model_, hostHeader_;
    int64_t promptTokens_ = 128, maxTokens_ = 128;
    bool stream_ = true, ignoreEos_ = false, pull_ = false, warmupRequest_ = false;
    double temperature_ = 0;
    Json extraBody_;
    std::vector<std::pair<std::string, std::string>> headers_;
    std::vector<Prompt> prompts_;
    std::vector<size_t> sessionStart_;  // first prompt of each session (dataset conversation)
    std::vector<int64_t> timesNs_;      // trace replay: send time of each prompt from the run start
    std::string datasetFormat_;
    std::unique_ptr<RequestLog> log_;
};

void LlmWorkload::prepare(const RunConfig& cfg)
{
    bool ollama = api_ == LlmApi::OllamaGenerate || api_ == LlmApi::OllamaChat;
    if (pull_ && ollama) {
        Json b = Json::object();
        b["model"] = model_;
        b["stream"] = false;
        std::cerr << "fbload: pulling model " << model_ << " (Ollama /api/pull)\n";
        auto [status, body] = blockingHttp(cfg, buildHttpRequest("POST", "/api/pull", hostHeader_, headers_, b.dump()), 3600);
        if (status >= 400)
            throw std::runtime_error("model pull failed: HTTP " + std::to_string(status) + " " + body.substr(0, 200));
    } else if (pull_) {
        std::cerr << "fbload: params.pull applies to Ollama APIs only; skipped\n";
    }
    if (warmupRequest_) {
        // One tiny request loads the model into memory before the clock starts.
        std::string word = "hello";
        std::string body = renderBody(&word, nullptr, 1, false);
        auto [status, text] = blockingHttp(cfg, buildHttpRequest("POST", path_, hostHeader_, headers_, body), 600);
        if (status >= 400)
            throw std::runtime_error("warm-up request failed: HTTP " + std::to_string(status) + " " + text.substr(0, 200));
    }
}

LlmSession::LlmSession(const LlmWorkload& w, int connIndex, int stride)
    : w_(w), next_(static_cast<size_t>(connIndex)), stride_(static_cast<size_t>(std::max(1, stride))),
      decoder_(w.api(), w.stream())
{
    decoder_.recordChunks = w.stream() && !w.dialects().empty();
}

uint32_t LlmSession::writeRequest(std::string& out)
{
    // Closed loop: connection i of C takes sessions i, i+C, ..., each one's
    // turns in order (a single prompt is a session of one turn): every prompt
    // is used once before any is repeated, whatever the concurrency.
    const auto& starts = w_.sessionStart();
    size_t s = next_ % starts.size();
    size_t end = s + 1 < starts.size() ? starts[s + 1] : w_.prompts().size();
    size_t index = starts[s] + turn_;
    if (++turn_ >= end - starts[s]) {
        turn_ = 0;
        next_ += stride_;
    }
    return write(out, index, sent_++);
}

uint32_t LlmSession::writeArrival(std::string& out, uint64_t arrivalIndex)
{
    // Open loop: arrival k sends prompt k (mod the pool), whichever
    // connection is free, so a trace's request k goes out at its own time.
    ++sent_;
    return write(out, static_cast<size_t>(arrivalIndex % w_.prompts().size()), arrivalIndex);
}

uint32_t LlmSession::write(std::string& out, size_t promptIndex, uint64_t seq)
{
    const Prompt& p = w_.prompts()[promptIndex];
    out += w_.request(p);
    curInputEstimate_ = p.inputTokens;
    cur_ = &p;
    curSeq_ = seq;
    decoder_.reset();
    return 0;
}

void LlmSession::logOutcome(int64_t nowNs, const ResponseSink& sink, bool ok, int64_t in, int64_t out) const
{
    const RequestLog* log = w_.log();
    if (!log || !cur_ || !sink.hasCurrent())
        return;
    const InFlight& r = sink.current();
    log->write({curSeq_, cur_->line, r.intendedNs, r.sentNs, nowNs, cur_->inputTokens, cur_->maxTokens, in, out, ok});
}

void LlmSession::finishResponse(int64_t nowNs, ResponseSink& sink)
{
    decoder_.finish(nowNs);
    int status = parser_.status();
    if (status >= 400) {
        logOutcome(nowNs, sink, false, -1, -1);
        sink.complete(ErrorClass::HttpStatus, status);
        decoder_.reset();
        return;
    }
    if (decoder_.error || (w_.stream() && !decoder_.done)) {
        logOutcome(nowNs, sink, false, -1, -1);
        sink.complete(ErrorClass::Protocol);
        decoder_.reset();
        return;
    }
    const InFlight& r = sink.current();
    int64_t e2elUs = (nowNs - r.intendedNs) / 1000;
    uint64_t out = decoder_.completionTokens >= 0 ? static_cast<uint64_t>(decoder_.completionTokens) : decoder_.contentChunks;
    uint64_t in = decoder_.promptTokens >= 0 ? static_cast<uint64_t>(decoder_.promptTokens) : static_cast<uint64_t>(curInputEstimate_);
    int64_t ttftUs = -1, tpotUs = -1;
    if (w_.stream() && decoder_.firstTokenNs >= 0) {
        ttftUs = (decoder_.firstTokenNs - r.intendedNs) / 1000;
        sink.record(Ttft, ttftUs);
        for (int64_t itl : decoder_.itlNs)
            sink.record(Itl, itl / 1000);
        // vLLM: TPOT = (E2EL - TTFT) / (output tokens - 1), for outputs longer than one token.
        if (out > 1) {
            tpotUs = (e2elUs - ttftUs) / static_cast<int64_t>(out - 1);
            sink.record(Tpot, tpotUs);
        }
        if (decoder_.recordChunks)
            w_.dialects().record({r.intendedNs, nowNs, std::move(decoder_.chunks), decoder_.completionTokens}, sink);
    }
    sink.record(E2el, e2elUs);
    sink.record(InputTokens, static_cast<int64_t>(in));
    sink.record(OutputTokens, static_cast<int64_t>(out));
    sink.tokens(in, out);
    sink.sloInputs(ttftUs, tpotUs);
    logOutcome(nowNs, sink, true, static_cast<int64_t>(in), static_cast<int64_t>(out));
    sink.complete(ErrorClass::None);
    decoder_.reset();
}

long LlmSession::onData(const char* data, size_t len, int64_t nowNs, ResponseSink& sink)
{
    size_t pos = 0;
    while (pos < len) {
        bool done = false;
        long used = parser_.feed(data + pos, len - pos, done,
                                 [&](const char* d, size_t n) { decoder_.feed(d, n, nowNs); });
        if (used < 0 || decoder_.overflow)
            return -1;  // the connection is closed: this request fails as `protocol`
        pos += static_cast<size_t>(used);
        if (done) {
            if (!sink.hasCurrent())
                return -1;
            finishResponse(nowNs, sink);
            if (parser_.closeAfter()) {
                reconnect_ = true;
                break;
            }
        } else if (used == 0) {
            break;
        }
    }
    return static_cast<long>(pos);
}

void LlmSession::onEof(int64_t nowNs, ResponseSink& sink)
{
    if (parser_.finishOnEof() && sink.hasCurrent())
        finishResponse(nowNs, sink);
}

}  // namespace

std::unique_ptr<Workload> makeLlmWorkload(const RunConfig& cfg)
{
    return std::make_unique<LlmWorkload>(cfg);
}

}  // namespace fbload
