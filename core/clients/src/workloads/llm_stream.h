// LlmStreamDecoder: turns the body of one LLM API response into token timings
// and token counts, for Ollama (NDJSON) and OpenAI-compatible (SSE) APIs,
// streaming or not.
//
// Owned by the llm Session, reset per request; separate so the parsing rules
// can be unit-tested without sockets. Timing follows vLLM's serving benchmark:
// the first chunk carrying generated text sets TTFT, every later such chunk
// adds one inter-token latency; token counts come from the server's usage
// report (OpenAI `usage`, Ollama `eval_count`) and fall back to chunk counts.
// Linear in the bytes received: lines are split out of each new piece as it
// arrives and only an unfinished line is kept.
#pragma once

#include "llm_dialects.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fbload {

enum class LlmApi { OllamaGenerate, OllamaChat, OpenAiCompletions, OpenAiChat };

class LlmStreamDecoder {
public:
    LlmStreamDecoder(LlmApi api, bool stream) : api_(api), stream_(stream) {}

    void feed(const char* data, size_t len, int64_t nowNs);
    // The HTTP body is complete: handles a last line without newline and, in
    // non-streaming mode, the whole JSON document.
    void finish(int64_t nowNs);
    void reset();

    int64_t firstTokenNs = -1;
    int64_t lastTokenNs = -1;
    std::vector<int64_t> itlNs;
    uint64_t contentChunks = 0;
    int64_t promptTokens = -1;      // from the server, -1 if it did not say
    int64_t completionTokens = -1;  // from the server, -1 if it did not say
    bool done = false;              // saw [DONE] or "done": true
    bool error = false;
    std::string errorText;
    // A line over kMaxLineBytes, a non-streamed answer over kMaxBufferedBytes
    // or kMaxStreamChunks chunks (bounds.h): the response is a protocol error at once
    // (also sets `error`); nothing more is buffered until reset().
    bool overflow = false;
    // Every event with its time, for the metric dialects (llm_dialects.h);
    // kept only when recordChunks is set (params.dialects).
    bool recordChunks = false;
    std::vector<ChunkEvent> chunks;

private:
    void line(std::string_view l, int64_t nowNs);
    void setOverflow(const char* what);
    void event(std::string_view json, int64_t nowNs);

    LlmApi api_;
    bool stream_;
    std::string buf_;  // the unfinished line (stream) or the whole answer (not streamed)
};

}  // namespace fbload
