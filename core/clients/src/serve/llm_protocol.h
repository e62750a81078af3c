// The OpenAI and Ollama wire formats of `fbload serve`: what a request asks
// for (LlmRequest) and the bytes of each answer piece (LlmAnswer).
//
// OpenAI (platform.openai.com/docs/api-reference; as vLLM serves it):
// POST /v1/completions and /v1/chat/completions; max_completion_tokens or
// max_tokens (default 16); "stream": true answers with server-sent events,
// one "data: {chunk}" per token (chat: the first also carries the role-only
// delta vLLM sends with its first output), the last with finish_reason
// "length", then, with stream_options.include_usage, a chunk with empty
// "choices" and "usage", then "data: [DONE]". Without "stream" one JSON
// object with "usage".
// Ollama (docs.ollama.com/api; /api/usage for the counters): POST
// /api/generate and /api/chat; options.num_predict (default 128); streams by
// default, NDJSON, one object per token with "done": false, then a final one
// with "done": true, done_reason, total_duration, load_duration,
// prompt_eval_count, prompt_eval_duration, eval_count, eval_duration (ns);
// "stream": false gives the final object with the whole text.
//
// Every token is the text "tok" (" tok" after the first); prompt tokens are
// counted as whitespace-separated words of the prompt or the messages'
// contents (fbload's synthetic prompts are one token per word).
#pragma once

#include "../json.h"

#include <cstdint>
#include <string>

namespace fbload::serve {

enum class LlmRoute { OpenAiCompletions, OpenAiChat, OllamaGenerate, OllamaChat };

struct LlmRequest {
    LlmRoute route = LlmRoute::OpenAiChat;
    std::string model;
    bool stream = false;
    bool includeUsage = false;
    int64_t maxTokens = 16;
    int64_t promptTokens = 0;
};

// Decodes a request body; throws std::runtime_error with the reason (400).
LlmRequest parseLlmRequest(LlmRoute route, const std::string& body);

// The answer to one request: renders the bytes to send for each token.
class LlmAnswer {
public:
    LlmAnswer(const LlmRequest& req, uint64_t serial, int64_t tokens);
    // HTTP head of a streamed answer (chunked).
    std::string streamHead() const;
    // The body bytes that go with token `index` (0-based) of a stream:
    // appended to out as one HTTP chunk (the last also ends the body).
    // durations in ns: since arrival, and of the decode (for Ollama's counters).
    void appendStreamToken(std::string& out, int64_t index, int64_t totalNs, int64_t queuedAndPrefillNs) const;
    // The whole non-streamed answer (head and body).
    std::string whole(int64_t totalNs, int64_t queuedAndPrefillNs) const;

private:
    std::string ollamaFinal(bool withText, int64_t totalNs, int64_t prefillNs) const;
    LlmRequest req_;
    std::string id_, modelJson_;
    std::string common_;  // OpenAI: the chunk's fields before "choices"
    int64_t created_;
    int64_t tokens_;
};

}  // namespace fbload::serve
