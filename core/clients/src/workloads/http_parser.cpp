#include "http_parser.h"

#include "../bounds.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace fbload {

bool equalsIgnoreCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = static_cast<char>(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

static bool containsTokenIgnoreCase(std::string_view value, std::string_view token)
{
    for (size_t i = 0; i + token.size() <= value.size(); ++i)
        if (equalsIgnoreCase(value.substr(i, token.size()), token))
            return true;
    return false;
}

void HttpResponseParser::reset()
{
    state_ = State::Head;
    status_ = 0;
    close_ = false;
    remaining_ = 0;
    scanned_ = 0;
    captured_.clear();
}

bool HttpResponseParser::finishOnEof()
{
    if (state_ == State::UntilClose) {
        state_ = State::Head;
        return true;
    }
    return false;
}

long HttpResponseParser::feed(const char* data, size_t len, bool& done, const BodyFn& onBody)
{
    done = false;
    size_t pos = 0;
    for (;;) {
        switch (state_) {
        case State::Head: {
            // Resume the search where the last call stopped (minus 3 bytes: the
            // terminator may straddle the two reads).
            const size_t skip = std::min(len - pos, scanned_ > 3 ? scanned_ - 3 : 0);
            const void* end = memmem(data + pos + skip, len - pos - skip, "\r\n\r\n", 4);
            if (!end) {
                scanned_ = len - pos;
                return scanned_ > kMaxHeadBytes ? -1 : static_cast<long>(pos);
            }
            scanned_ = 0;
            size_t headEnd = static_cast<size_t>(static_cast<const char*>(end) - data) + 4;
            if (headEnd - pos > kMaxHeadBytes)
                return -1;
            std::string_view head(data + pos, headEnd - pos);
            pos = headEnd;
            captured_.clear();
            // Status line: HTTP/1.x SSS reason
            if (head.size() < 12 || head.substr(0, 5) != "HTTP/")
                return -1;
            int status = 0;
            auto r = std::from_chars(head.data() + 9, head.data() + 12, status);
            if (r.ec != std::errc() || status < 100 || status > 999)
                return -1;
            bool http10 = head.substr(5, 3) == "1.0";
            bool chunked = false, haveLength = false, keepAlive = false, closeHdr = false;
            uint64_t length = 0;
            size_t lineStart = head.find("\r\n") + 2;
            while (lineStart < head.size()) {
                size_t lineEnd = head.find("\r\n", lineStart);
                if (lineEnd == std::string_view::npos || lineEnd == lineStart)
                    break;
                std::string_view line = head.substr(lineStart, lineEnd - lineStart);
                lineStart = lineEnd + 2;
                size_t colon = line.find(':');
                if (colon == std::string_view::npos)
                    continue;
                std::string_view name = line.substr(0, colon);
                std::string_view value = line.substr(colon + 1);
                while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
                    value.remove_prefix(1);
                if (equalsIgnoreCase(name, "content-length")) {
                    auto rr = std::from_chars(value.data(), value.data() + value.size(), length);
                    if (rr.ec != std::errc())
                        return -1;
                    haveLength = true;
                } else if (equalsIgnoreCase(name, "transfer-encoding")) {
                    chunked = containsTokenIgnoreCase(value, "chunked");
                } else if (equalsIgnoreCase(name, "connection")) {
                    closeHdr = containsTokenIgnoreCase(value, "close");
                    keepAlive = containsTokenIgnoreCase(value, "keep-alive");
                }
                if (!captureName_.empty() && equalsIgnoreCase(name, captureName_))
                    captured_.assign(value);
            }
            if (status >= 100 && status < 200)
                continue;  // interim response (100 Continue): the real one follows
            status_ = status;
            close_ = closeHdr || (http10 && !keepAlive);
            if (headRequest_ || status == 204 || status == 304) {
                done = true;
                return static_cast<long>(pos);
            }
            if (chunked) {
                state_ = State::ChunkSize;
            } else if (haveLength) {
                remaining_ = length;
                state_ = State::Length;
                if (length == 0) {
                    state_ = State::Head;
                    done = true;
                    return static_cast<long>(pos);
                }
            } else {
                close_ = true;
                state_ = State::UntilClose;
            }
            break;
        }
        case State::Length: {
            size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, len - pos));
            if (n && onBody)
                onBody(data + pos, n);
            pos += n;
            remaining_ -= n;
            if (remaining_ == 0) {
                state_ = State::Head;
                done = true;
            }
            return static_cast<long>(pos);
        }
        case State::ChunkSize: {
            const void* eol = memmem(data + pos, len - pos, "\r\n", 2);
            if (!eol)
                return len - pos > 1024 ? -1 : static_cast<long>(pos);
            size_t e = static_cast<size_t>(static_cast<const char*>(eol) - data);
            uint64_t size = 0;
            auto r = std::from_chars(data + pos, data + e, size, 16);
            if (r.ec != std::errc())
                return -1;
            pos = e + 2;
            if (size == 0) {
                state_ = State::Trailer;
            } else {
                remaining_ = size;
                state_ = State::ChunkData;
            }
            break;
        }
        case State::ChunkData: {
            size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, len - pos));
            if (n && onBody)
                onBody(data + pos, n);
            pos += n;
            remaining_ -= n;
            if (remaining_ > 0)
                return static_cast<long>(pos);
            state_ = State::ChunkDataEnd;
            break;
        }
        case State::ChunkDataEnd:
            if (len - pos < 2)
                return static_cast<long>(pos);
            if (data[pos] != '\r' || data[pos + 1] != '\n')
                return -1;
            pos += 2;
            state_ = State::ChunkSize;
            break;
        case State::Trailer: {
            // Trailer lines count against the head limit together.
            const size_t skip = std::min(len - pos, scanned_ > 1 ? scanned_ - 1 : 0);
            const void* eol = memmem(data + pos + skip, len - pos - skip, "\r\n", 2);
            if (!eol) {
                scanned_ = len - pos;
                return scanned_ > kMaxHeadBytes ? -1 : static_cast<long>(pos);
            }
            size_t e = static_cast<size_t>(static_cast<const char*>(eol) - data);
            bool empty = e == pos;
            scanned_ = 0;
            pos = e + 2;
            if (empty) {
                state_ = State::Head;
                done = true;
                return static_cast<long>(pos);
            }
            break;
        }
        case State::UntilClose:
            if (len > pos && onBody)
                onBody(data + pos, len - pos);
            return static_cast<long>(len);
        }
        if (pos >= len && state_ != State::Trailer && state_ != State::Head)
            return static_cast<long>(pos);
        if (pos >= len && state_ == State::Head)
            return static_cast<long>(pos);
    }
}

}  // namespace fbload
