// HttpRequestParser: the request side of HTTP/1.1 for `fbload serve`
// (fbload's own HttpResponseParser reads responses only). Parses one request
// at a time from the front of a connection's input: request line, the
// headers the server needs (Content-Length, Connection, Transfer-Encoding)
// and a Content-Length body. Chunked request bodies are refused (no client
// fbload serves sends them). A head over kMaxHeadBytes or a body over
// kMaxBufferedBytes (bounds.h) is an error.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fbload::serve {

struct HttpRequest {
    std::string method, path, query;  // path without the query string
    std::string body;
    bool keepAlive = true;
};

enum class ParseStatus { Incomplete, Done, Bad };

// Parses the request starting at data[0]; on Done, `used` is its length.
// On Bad, `error` says why (the server answers 400 and closes).
ParseStatus parseHttpRequest(std::string_view data, HttpRequest& req, size_t& used, std::string& error);

// The value of query parameter `name` ("" when absent).
std::string queryParam(std::string_view query, std::string_view name);

}  // namespace fbload::serve
