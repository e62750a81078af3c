// HttpResponseParser: an incremental HTTP/1.1 response parser for keep-alive
// client connections (Content-Length, chunked, and close-delimited bodies).
//
// Owned by one Session. The engine keeps unconsumed bytes and offers them
// again, so the head is parsed only once "\r\n\r\n" has arrived (the search
// resumes where the last one stopped, so a head arriving byte by byte costs
// linear time); bodies are streamed to a callback as they come (the LLM
// workload timestamps tokens from those callbacks) and never buffered here.
// A head or trailer section over kMaxHeadBytes (bounds.h) is malformed.
// Allocation-free on the hot path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace fbload {

class HttpResponseParser {
public:
    using BodyFn = std::function<void(const char*, size_t)>;

    // The request being answered was HEAD (no body whatever the headers say).
    void expectNoBody(bool on) { headRequest_ = on; }
    // Consumes bytes of at most one response. Returns bytes used or -1 on a
    // malformed response; `done` turns true when the response is complete.
    long feed(const char* data, size_t len, bool& done, const BodyFn& onBody = {});
    // EOF from the peer: completes a close-delimited body. Returns true if a
    // response was completed by it.
    bool finishOnEof();
    void reset();

    int status() const { return status_; }
    bool closeAfter() const { return close_; }
    bool inProgress() const { return state_ != State::Head; }
    // Keeps the value of response header `name` (case-insensitive; empty to
    // keep none), readable through capturedHeader() once the head is parsed.
    void captureHeader(std::string_view name) { captureName_ = name; }
    const std::string& capturedHeader() const { return captured_; }

private:
    enum class State { Head, Length, ChunkSize, ChunkData, ChunkDataEnd, Trailer, UntilClose };
    State state_ = State::Head;
    int status_ = 0;
    bool close_ = false;
    bool headRequest_ = false;
    uint64_t remaining_ = 0;
    size_t scanned_ = 0;  // bytes of the unfinished head or trailer already searched
    std::string_view captureName_;
    std::string captured_;
};

// Case-insensitive ASCII comparison, for header names.
bool equalsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace fbload
