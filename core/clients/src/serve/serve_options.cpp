#include "serve_options.h"

#include "../config.h"
#include "../json.h"

#include <charconv>
#include <cmath>

namespace fbload::serve {

const char* const kServeHelp = R"(Usage:
  fbload serve --api openai|ollama|http|redis --port N [--bind ADDR]
               [--ttft-ms X] [--tpot-ms Y] [--jitter-ms J [--jitter normal|lognormal]]
               [--output-tokens N] [--max-sequences S] [--tokens-per-s T] [--seed N]

A zero-compute reference server (docs/fbload.md, "fbload serve"). --port 0
picks a free port; the port is printed on stderr ("fbload serve: listening on
ADDR:PORT"). Default bind 127.0.0.1, TTFT 200 ms, 20 ms per token, no jitter,
output length from the request (max_tokens / num_predict), unlimited sequences
and token budget. Stops on SIGINT/SIGTERM.
)";

const char* apiName(Api api)
{
    switch (api) {
    case Api::OpenAi: return "openai";
    case Api::Ollama: return "ollama";
    case Api::Http: return "http";
    case Api::Redis: return "redis";
    }
    return "?";
}

namespace {

double number(const std::string& flag, const std::string& v, double lo, double hi)
{
    double d = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), d);
    if (r.ec != std::errc() || r.ptr != v.data() + v.size() || !std::isfinite(d) || d < lo || d > hi)
        throw ConfigError("fbload serve: " + flag + ": expected a number in [" + formatDouble(lo) + ", " +
                          formatDouble(hi) + "], got \"" + v + "\"");
    return d;
}

int64_t integer(const std::string& flag, const std::string& v, int64_t lo, int64_t hi)
{
    int64_t i = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), i);
    if (r.ec != std::errc() || r.ptr != v.data() + v.size() || i < lo || i > hi)
        throw ConfigError("fbload serve: " + flag + ": expected an integer in [" + std::to_string(lo) + ", " +
                          std::to_string(hi) + "], got \"" + v + "\"");
    return i;
}

}  // namespace

ServeOptions parseServeArgs(const std::vector<std::string>& args)
{
    ServeOptions o;
    bool haveApi = false, havePort = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (i + 1 >= args.size())
            throw ConfigError("fbload serve: " + (a.rfind("--", 0) == 0 ? a + " needs a value" : "unexpected argument \"" + a + "\""));
        const std::string& v = args[++i];
        TimingOptions& t = o.timing;
        if (a == "--api") {
            if (v == "openai")
                o.api = Api::OpenAi;
            else if (v == "ollama")
                o.api = Api::Ollama;
            else if (v == "http")
                o.api = Api::Http;
            else if (v == "redis")
                o.api = Api::Redis;
            else
                throw ConfigError("fbload serve: --api: expected one of openai, ollama, http, redis, got \"" + v + "\"");
            haveApi = true;
        } else if (a == "--port") {
            o.port = static_cast<int>(integer(a, v, 0, 65535));
            havePort = true;
        } else if (a == "--bind") {
            o.bind = v;
        } else if (a == "--ttft-ms") {
            t.ttftMs = number(a, v, 0, 3.6e6);
        } else if (a == "--tpot-ms") {
            t.tpotMs = number(a, v, 0, 3.6e6);
        } else if (a == "--jitter-ms") {
            t.jitterMs = number(a, v, 0, 3.6e6);
        } else if (a == "--jitter") {
            if (v == "normal")
                t.jitter = JitterDist::Normal;
            else if (v == "lognormal")
                t.jitter = JitterDist::LogNormal;
            else
                throw ConfigError("fbload serve: --jitter: expected normal or lognormal, got \"" + v + "\"");
        } else if (a == "--output-tokens") {
            t.outputTokens = integer(a, v, 0, 10'000'000);
        } else if (a == "--max-sequences") {
            t.maxSequences = integer(a, v, 0, 10'000'000);
        } else if (a == "--tokens-per-s") {
            t.tokensPerS = number(a, v, 0, 1e12);
        } else if (a == "--seed") {
            t.seed = static_cast<uint64_t>(integer(a, v, 0, INT64_MAX));
        } else {
            throw ConfigError("fbload serve: unknown argument \"" + a + "\" (see fbload serve --help)");
        }
    }
    if (!haveApi)
        throw ConfigError("fbload serve: --api is required (openai, ollama, http or redis)");
    if (!havePort)
        throw ConfigError("fbload serve: --port is required (0 picks a free port)");
    return o;
}

}  // namespace fbload::serve
