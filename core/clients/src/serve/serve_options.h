// ServeOptions: the command line of `fbload serve` (docs/fbload.md, "fbload
// serve"), parsed and checked in one place. Owned by the caller of
// runServe(); read-only afterwards.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fbload::serve {

enum class Api { OpenAi, Ollama, Http, Redis };
enum class JitterDist { Normal, LogNormal };

// The timing and capacity model of the LLM APIs (capacity_model.h).
struct TimingOptions {
    double ttftMs = 200;       // first token after admission
    double tpotMs = 20;        // between tokens
    double jitterMs = 0;       // standard deviation of each delay (0: fixed)
    JitterDist jitter = JitterDist::Normal;
    int64_t outputTokens = 0;  // > 0: every answer has this many tokens
    int64_t maxSequences = 0;  // 0: unlimited
    double tokensPerS = 0;     // shared decode budget, 0: unlimited
    uint64_t seed = 1;
};

struct ServeOptions {
    Api api = Api::OpenAi;
    std::string bind = "127.0.0.1";
    int port = 0;
    TimingOptions timing;
};

const char* apiName(Api api);
// Throws ConfigError (config.h) naming the flag.
ServeOptions parseServeArgs(const std::vector<std::string>& args);
extern const char* const kServeHelp;

}  // namespace fbload::serve
