#include "http_request.h"

#include "../bounds.h"
#include "../workloads/http_parser.h"  // equalsIgnoreCase

#include <charconv>

namespace fbload::serve {

namespace {
std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}
}  // namespace

ParseStatus parseHttpRequest(std::string_view data, HttpRequest& req, size_t& used, std::string& error)
{
    const size_t headEnd = data.find("\r\n\r\n");
    if (headEnd == std::string_view::npos) {
        if (data.size() > kMaxHeadBytes) {
            error = "request head longer than " + std::to_string(kMaxHeadBytes) + " bytes";
            return ParseStatus::Bad;
        }
        return ParseStatus::Incomplete;
    }
    std::string_view head = data.substr(0, headEnd);
    size_t eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    const size_t sp1 = line.find(' ');
    const size_t sp2 = line.rfind(' ');
    if (sp1 == std::string_view::npos || sp2 == sp1 || line.substr(sp2 + 1, 5) != "HTTP/") {
        error = "malformed request line";
        return ParseStatus::Bad;
    }
    req.method.assign(line.substr(0, sp1));
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const size_t q = target.find('?');
    req.path.assign(target.substr(0, q));
    req.query.assign(q == std::string_view::npos ? std::string_view() : target.substr(q + 1));
    req.keepAlive = line.substr(sp2 + 1) != "HTTP/1.0";
    uint64_t length = 0;
    while (eol != std::string_view::npos) {
        const size_t start = eol + 2;
        eol = head.find("\r\n", start);
        std::string_view h = head.substr(start, eol == std::string_view::npos ? std::string_view::npos : eol - start);
        const size_t colon = h.find(':');
        if (colon == std::string_view::npos)
            continue;
        std::string_view name = trim(h.substr(0, colon)), value = trim(h.substr(colon + 1));
        if (equalsIgnoreCase(name, "content-length")) {
            auto r = std::from_chars(value.data(), value.data() + value.size(), length);
            if (r.ec != std::errc() || r.ptr != value.data() + value.size()) {
                error = "bad Content-Length";
                return ParseStatus::Bad;
            }
        } else if (equalsIgnoreCase(name, "connection")) {
            if (equalsIgnoreCase(value, "close"))
                req.keepAlive = false;
            else if (equalsIgnoreCase(value, "keep-alive"))
                req.keepAlive = true;
        } else if (equalsIgnoreCase(name, "transfer-encoding") && !equalsIgnoreCase(value, "identity")) {
            error = "chunked request bodies are not supported";
            return ParseStatus::Bad;
        }
    }
    if (length > kMaxBufferedBytes) {
        error = "request body longer than " + std::to_string(kMaxBufferedBytes) + " bytes";
        return ParseStatus::Bad;
    }
    const size_t total = headEnd + 4 + static_cast<size_t>(length);
    if (data.size() < total)
        return ParseStatus::Incomplete;
    req.body.assign(data.substr(headEnd + 4, static_cast<size_t>(length)));
    used = total;
    return ParseStatus::Done;
}

std::string queryParam(std::string_view query, std::string_view name)
{
    while (!query.empty()) {
        const size_t amp = query.find('&');
        std::string_view kv = query.substr(0, amp);
        const size_t eq = kv.find('=');
        if (kv.substr(0, eq) == name)
            return std::string(eq == std::string_view::npos ? std::string_view() : kv.substr(eq + 1));
        if (amp == std::string_view::npos)
            break;
        query.remove_prefix(amp + 1);
    }
    return {};
}

}  // namespace fbload::serve
