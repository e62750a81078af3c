// Metric dialects: TTFT, ITL, TPOT and E2EL of one streamed LLM response
// under the definitions of other benchmark tools, from the raw chunk timings
// fbload sees (docs/metric-dialects.md has each definition and its source).
//
// The tools differ on which chunk is the first token (vLLM: any chunk with a
// choice, even an empty one; AIPerf and GuideLLM: the first chunk with text),
// on where the request ends (last token chunk, or the end of the stream), on
// how many tokens there were (the server's usage, else a count of chunks) and
// on how ITL is averaged (every gap pooled; one mean per request; one mean
// per request weighted by its gaps). computeDialect() is pure and exact in
// nanoseconds, so a scripted stream gives each tool's documented value; the
// DialectRecorder feeds the results into the run's histograms as
// `dialect.<tool>.<metric>`, which the result groups into summary.dialects.
#pragma once

#include "../stats.h"

#include <cstdint>
#include <string>
#include <vector>

namespace fbload {

class Json;
class ResponseSink;

enum class Dialect { Vllm, Aiperf, Guidellm };
const char* dialectName(Dialect d);

// One streamed event (SSE data line, NDJSON line) of a response.
struct ChunkEvent {
    int64_t atNs;  // when its bytes were read
    bool choice;   // OpenAI: a non-empty `choices` array; Ollama: not the final `done` line
    bool content;  // it carried generated text (content, reasoning, response)
};

struct RequestTiming {
    int64_t startNs = 0;               // the request's start (fbload: its intended send time)
    int64_t endNs = 0;                 // the stream's end ([DONE], the final line, end of body)
    std::vector<ChunkEvent> chunks;
    int64_t serverOutputTokens = -1;   // usage.completion_tokens / eval_count, -1 unknown
};

// A value with the weight it carries in the tool's aggregate (1 unless the
// tool weights it); -1 ns means the tool reports no value for this request.
struct Weighted {
    int64_t ns = -1;
    uint64_t weight = 1;
};

struct DialectValues {
    int64_t ttftNs = -1;
    int64_t e2elNs = -1;
    Weighted tpot;
    std::vector<Weighted> itl;  // vLLM: every gap; AIPerf, GuideLLM: one value per request
    uint64_t outputTokens = 0;  // the token count the tool divides by
};

DialectValues computeDialect(Dialect d, const RequestTiming& r);

// The dialects a run asked for (params.dialects) and their metric ids.
class DialectRecorder {
public:
    // Reads params.dialects (absent: none); throws ConfigError naming the
    // field. The dialect metrics get the ids from firstId on.
    static DialectRecorder fromParams(const Json& params, int firstId);
    bool empty() const { return dialects_.empty(); }
    // Appends `dialect.<tool>.{ttft,itl,tpot,e2el}` to specs (at firstId).
    void addMetrics(std::vector<MetricSpec>& specs) const;
    void record(const RequestTiming& r, ResponseSink& sink) const;
    // Grouping for the result: "dialect.vllm.ttft" -> ("vllm", "ttft").
    static bool splitMetricName(const std::string& name, std::string& dialect, std::string& metric);

private:
    std::vector<Dialect> dialects_;
    int firstId_ = -1;
};

}  // namespace fbload
