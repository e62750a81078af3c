// The http workload: one fixed request (method, path, headers, body) sent over
// keep-alive connections; a response is a success when its status is < 400.
//
// HttpWorkload pre-renders the request bytes once; HttpSession only copies
// them and parses responses, which keeps the client cheap next to wrk.
#include "http.h"

#include "../config.h"
#include "../json.h"
#include "http_parser.h"

namespace fbload {

std::string buildHttpRequest(const std::string& method, const std::string& path, const std::string& hostHeader,
                             const std::vector<std::pair<std::string, std::string>>& headers,
                             const std::string& body)
{
    std::string r = method + " " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\n";
    bool haveUa = false;
    for (const auto& [k, v] : headers) {
        r += k + ": " + v + "\r\n";
        haveUa = haveUa || equalsIgnoreCase(k, "user-agent");
    }
    if (!haveUa)
        r += "User-Agent: fbload\r\n";
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
        r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    r += "\r\n";
    r += body;
    return r;
}

namespace {

class HttpWorkload;

class HttpSession final : public Session {
public:
    HttpSession(const std::string& request, bool head) : request_(request) { parser_.expectNoBody(head); }
    uint32_t writeRequest(std::string& out) override
    {
        out += request_;
        return 0;
    }
    long onData(const char* data, size_t len, int64_t, ResponseSink& sink) override
    {
        size_t pos = 0;
        while (pos < len) {
            bool done = false;
            long used = parser_.feed(data + pos, len - pos, done);
            if (used < 0)
                return -1;
            pos += static_cast<size_t>(used);
            if (done) {
                if (!sink.hasCurrent())
                    return -1;
                int st = parser_.status();
                sink.complete(st < 400 ? ErrorClass::None : ErrorClass::HttpStatus, st);
                if (parser_.closeAfter()) {
                    reconnect_ = true;
                    break;
                }
            } else if (used == 0) {
                break;
            }
        }
        return static_cast<long>(pos);
    }
    void onEof(int64_t, ResponseSink& sink) override
    {
        if (parser_.finishOnEof() && sink.hasCurrent()) {
            int st = parser_.status();
            sink.complete(st < 400 ? ErrorClass::None : ErrorClass::HttpStatus, st);
        }
    }
    bool wantsReconnect() const override { return reconnect_; }
    void reset() override
    {
        parser_.reset();
        reconnect_ = false;
    }

private:
    const std::string& request_;
    HttpResponseParser parser_;
    bool reconnect_ = false;
};

class HttpWorkload final : public Workload {
public:
    explicit HttpWorkload(const RunConfig& cfg)
    {
        const Json& p = cfg.params;
        param::rejectUnknown(p, {"method", "path", "headers", "body", "host_header"});
        method_ = param::string(p, "method", "GET");
        for (char& c : method_)
            if (c >= 'a' && c <= 'z')
                c = static_cast<char>(c - 'a' + 'A');
        requireLineSafe("params.method", method_);
        if (method_.empty() || method_.find(' ') != std::string::npos)
            throw ConfigError("params.method: expected an HTTP method such as GET or POST, got \"" + method_ + "\"");
        std::string path = param::lineString(p, "path", "/");
        if (path.empty() || path[0] != '/' || path.find(' ') != std::string::npos)
            throw ConfigError("params.path: expected a path starting with '/', got \"" + path + "\"");
        const auto headers = param::headers(p, "headers");
        std::string body;
        if (const Json* b = p.find("body"); b && !b->isNull())
            body = b->isString() ? b->asString() : b->dump();  // an object body is sent as JSON
        std::string host = param::lineString(p, "host_header", cfg.host + ":" + std::to_string(cfg.port));
        request_ = buildHttpRequest(method_, path, host, headers, body);
    }
    std::string name() const override { return "http"; }
    std::vector<std::string> opNames() const override
    {
        std::string m = method_;
        for (char& c : m)
            if (c >= 'A' && c <= 'Z')
                c = static_cast<char>(c - 'A' + 'a');
        return {m};
    }
    std::unique_ptr<Session> newSession(int, uint64_t) const override
    {
        return std::make_unique<HttpSession>(request_, method_ == "HEAD");
    }

private:
    std::string method_;
    std::string request_;
};

}  // namespace

std::unique_ptr<Workload> makeHttpWorkload(const RunConfig& cfg)
{
    return std::make_unique<HttpWorkload>(cfg);
}

}  // namespace fbload
