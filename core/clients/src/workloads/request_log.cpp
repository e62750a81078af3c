#include "request_log.h"

#include "../config.h"

#include <cerrno>
#include <cinttypes>
#include <cstring>

namespace fbload {

RequestLog::RequestLog(const std::string& path)
{
    file_ = std::fopen(path.c_str(), "w");
    if (!file_)
        throw ConfigError("params.request_log: cannot write " + path + ": " + std::strerror(errno));
}

RequestLog::~RequestLog()
{
    if (file_)
        std::fclose(file_);
}

void RequestLog::write(const Entry& e) const
{
    std::lock_guard<std::mutex> lock(mutex_);
    std::fprintf(file_,
                 "{\"seq\":%" PRIu64 ",\"line\":%d,\"intended_ns\":%" PRId64 ",\"sent_ns\":%" PRId64
                 ",\"done_ns\":%" PRId64 ",\"expected_input_tokens\":%" PRId64 ",\"max_tokens\":%" PRId64
                 ",\"input_tokens\":%" PRId64 ",\"output_tokens\":%" PRId64 ",\"ok\":%s}\n",
                 e.seq, e.line, e.intendedNs, e.sentNs, e.doneNs, e.expectedInput, e.maxTokens, e.inputTokens,
                 e.outputTokens, e.ok ? "true" : "false");
}

}  // namespace fbload
