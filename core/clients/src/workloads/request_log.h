// RequestLog: params.request_log, a debugging record of every llm request
// (one JSON object per line: when it was due and sent, its dataset line, the
// tokens asked for and the tokens counted), to check a replay against its
// trace (docs/fbload.md, "Datasets and trace replay").
//
// Owned by the llm workload; the sessions of every worker thread append to
// it under one mutex (a debugging aid, not for the hot path of a benchmark).
// Lines are buffered by stdio and flushed when the workload is destroyed.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

namespace fbload {

class RequestLog {
public:
    // Creates or truncates `path`; throws ConfigError naming params.request_log.
    explicit RequestLog(const std::string& path);
    ~RequestLog();
    RequestLog(const RequestLog&) = delete;
    RequestLog& operator=(const RequestLog&) = delete;

    struct Entry {
        uint64_t seq;            // arrival index (open loop) or the connection's request count
        int line;                // dataset line, 0 for synthetic prompts
        int64_t intendedNs;      // CLOCK_MONOTONIC
        int64_t sentNs;
        int64_t doneNs;
        int64_t expectedInput;   // fbload's estimate (words) = the trace's input_tokens
        int64_t maxTokens;
        int64_t inputTokens;     // as the server reported (else the estimate)
        int64_t outputTokens;    // as the server reported (else the chunk count)
        bool ok;
    };
    void write(const Entry& e) const;

private:
    mutable std::mutex mutex_;
    std::FILE* file_ = nullptr;
};

}  // namespace fbload
