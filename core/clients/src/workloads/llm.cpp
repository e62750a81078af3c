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
#include "http.h"
#include "http_parser.h"
#include "llm_stream.h"
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

enum LlmMetric : int { Ttft = kFirstWorkloadMetric, Tpot, Itl, E2el, InputTokens, OutputTokens };

// Common English words that BPE tokenizers (Llama, GPT, Qwen) encode as one
// token each when preceded by a space, so N words is close to N tokens.
const char* const kWords[] = {
    "the", "of", "and", "to", "in", "is", "was", "for", "on", "that", "with", "as", "by", "at", "from",
    "his", "it", "an", "were", "are", "which", "this", "be", "or", "has", "had", "first", "one", "their",
    "its", "new", "after", "but", "who", "not", "they", "have", "her", "she", "two", "been", "other", "when",
    "there", "all", "during", "into", "school", "time", "may", "years", "more", "most", "only", "over",
    "city", "some", "world", "would", "where", "later", "up", "such", "used", "many", "can", "state", "about",
    "national", "out", "known", "university", "united", "then", "made", "three", "while", "between", "will",
    "team", "war", "him", "also", "film", "season", "these", "under", "part", "each", "could", "well", "both"};

struct Prompt {
    std::string body;      // the rendered JSON request body
    int64_t inputTokens;   // our estimate, used when the server reports none
};

class LlmWorkload;

class LlmSession final : public Session {
public:
    LlmSession(const LlmWorkload& w, int connIndex, int stride);
    uint32_t writeRequest(std::string& out) override;
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
    const LlmWorkload& w_;
    size_t next_;
    size_t stride_;
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
                                 "prompts"});
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
            loadDataset(dataset);
        else
            synthesise(static_cast<size_t>(poolSize), cfg.seed);
    }

    std::string name() const override { return "llm"; }
    std::vector<std::string> opNames() const override { return {apiName_}; }
    std::vector<MetricSpec> extraMetrics() const override
    {
        // Order matches LlmMetric.
        return {{"ttft", "us"}, {"tpot", "us"}, {"itl", "us"}, {"e2el", "us"},
                {"input_tokens", "tokens"}, {"output_tokens", "tokens"}};
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
    }

    LlmApi api() const { return api_; }
    bool stream() const { return stream_; }
    const std::vector<Prompt>& prompts() const { return prompts_; }
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
        constexpr size_t nWords = sizeof kWords / sizeof kWords[0];
        for (size_t i = 0; i < count; ++i) {
            std::string text;
            for (int64_t t = 0; t < promptTokens_; ++t) {
                if (t)
                    text.push_back(' ');
                text += kWords[rng() % nWords];
            }
            prompts_.push_back({renderBody(&text, nullptr, maxTokens_, stream_), promptTokens_});
        }
    }

    void loadDataset(const std::string& file)
    {
        std::ifstream in(file);
        if (!in)
            throw ConfigError("params.dataset: cannot read " + file);
        std::string l;
        int lineNo = 0;
        while (std::getline(in, l)) {
            ++lineNo;
            if (l.find_first_not_of(" \t\r") == std::string::npos)
                continue;
            Json j;
            try {
                j = Json::parse(l);
            } catch (const JsonError& e) {
                throw ConfigError("params.dataset: " + file + ":" + std::to_string(lineNo) + ": " + e.what());
            }
            const Json* prompt = j.find("prompt");
            const Json* messages = j.find("messages");
            if (!(prompt && prompt->isString()) && !(messages && messages->isArray()))
                throw ConfigError("params.dataset: " + file + ":" + std::to_string(lineNo) +
                                  ": expected {\"prompt\": \"...\"} or {\"messages\": [...]}");
            int64_t maxTok = maxTokens_;
            for (const char* k : {"max_tokens", "output_tokens"})
                if (const Json* m = j.find(k); m && m->isNumber())
                    maxTok = m->asInt();
            std::string text = prompt && prompt->isString() ? prompt->asString() : std::string();
            if (!prompt && messages)
                for (const Json& m : messages->asArray())
                    if (const Json* c = m.find("content"); c && c->isString())
                        text += c->asString() + " ";
            // Word count as the input-token estimate; servers usually report the true count.
            int64_t words = 0;
            bool inWord = false;
            for (char c : text) {
                bool space = c == ' ' || c == '\n' || c == '\t';
                words += (!space && !inWord) ? 1 : 0;
                inWord = !space;
            }
            bool chat = api_ == LlmApi::OllamaChat || api_ == LlmApi::OpenAiChat;
            const Json* msgs = chat && messages && messages->isArray() ? messages : nullptr;
            prompts_.push_back({renderBody(&text, msgs, maxTok, stream_), words});
        }
        if (prompts_.empty())
            throw ConfigError("params.dataset: " + file + " has no prompts");
    }

    const RunConfig& cfg_;
    LlmApi api_ = LlmApi::OpenAiChat;
    std::string apiName_, path_, model_, hostHeader_;
    int64_t promptTokens_ = 128, maxTokens_ = 128;
    bool stream_ = true, ignoreEos_ = false, pull_ = false, warmupRequest_ = false;
    double temperature_ = 0;
    Json extraBody_;
    std::vector<std::pair<std::string, std::string>> headers_;
    std::vector<Prompt> prompts_;
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
}

uint32_t LlmSession::writeRequest(std::string& out)
{
    // Connection i of C takes prompts i, i+C, ...: every prompt is used once
    // before any is repeated, whatever the concurrency.
    const auto& prompts = w_.prompts();
    const Prompt& p = prompts[next_ % prompts.size()];
    next_ += stride_;
    out += w_.request(p);
    curInputEstimate_ = p.inputTokens;
    decoder_.reset();
    return 0;
}

void LlmSession::finishResponse(int64_t nowNs, ResponseSink& sink)
{
    decoder_.finish(nowNs);
    int status = parser_.status();
    if (status >= 400) {
        sink.complete(ErrorClass::HttpStatus, status);
        decoder_.reset();
        return;
    }
    if (decoder_.error || (w_.stream() && !decoder_.done)) {
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
    }
    sink.record(E2el, e2elUs);
    sink.record(InputTokens, static_cast<int64_t>(in));
    sink.record(OutputTokens, static_cast<int64_t>(out));
    sink.tokens(in, out);
    sink.sloInputs(ttftUs, tpotUs);
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
