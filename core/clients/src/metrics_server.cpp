#include "metrics_server.h"

#include "clock.h"
#include "engine.h"
#include "live_stats.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace fbload {

namespace {

std::string escapeLabel(const std::string& v)
{
    std::string o;
    for (char c : v) {
        if (c == '\\' || c == '"')
            o.push_back('\\');
        if (c == '\n') {
            o += "\\n";
            continue;
        }
        o.push_back(c);
    }
    return o;
}

std::string fmt(double v)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

}  // namespace

MetricsServer::MetricsServer(const Engine& engine, std::vector<std::pair<std::string, std::string>> labels)
    : engine_(engine), labels_(std::move(labels))
{
}

MetricsServer::~MetricsServer()
{
    stop();
}

void MetricsServer::start(const std::string& bindAddress, int port, int tries)
{
    sockaddr_in a{};
    a.sin_family = AF_INET;
    if (inet_pton(AF_INET, bindAddress.c_str(), &a.sin_addr) != 1)
        throw std::runtime_error("--metrics-bind: not an IPv4 address: " + bindAddress);
    if (port == 0)
        tries = 1;  // the kernel picks a free port
    tries = std::max(1, std::min(tries, 65536 - port));
    int e = 0;
    for (int i = 0; i < tries; ++i) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0)
            throw std::runtime_error(std::string("--metrics-port: socket: ") + std::strerror(errno));
        // SO_REUSEADDR only skips TIME_WAIT leftovers of an earlier run; Linux
        // still refuses a second listener, in bind() or, when two processes
        // bind at the same instant, in listen(): both are stepped over.
        int one = 1;
        setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        a.sin_port = htons(static_cast<uint16_t>(port + i));
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(fd_, 16) == 0) {
            socklen_t len = sizeof a;
            getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
            port_ = ntohs(a.sin_port);
            thread_ = std::thread([this] { serve(); });
            return;
        }
        e = errno;
        ::close(fd_);
        fd_ = -1;
        if (e != EADDRINUSE)
            break;
    }
    std::string ports = tries > 1 ? std::to_string(port) + "-" + std::to_string(port + tries - 1) : std::to_string(port);
    throw std::runtime_error("--metrics-port " + ports + " on " + bindAddress + ": " + std::strerror(e));
}

void MetricsServer::stop()
{
    stop_ = true;
    if (thread_.joinable())
        thread_.join();
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
}

std::string MetricsServer::render() const
{
    const auto& cfg = engine_.config();
    std::string base = "workload=\"" + escapeLabel(cfg.workload) + "\"";
    for (const auto& [k, v] : labels_)
        base += "," + k + "=\"" + escapeLabel(v) + "\"";
    auto live = engine_.live();
    auto ops = engine_.opNames();
    std::string o;
    auto header = [&](const char* name, const char* type, const char* help) {
        o += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    };

    header("fbload_requests_total", "counter", "Requests finished (successful or not), by operation.");
    for (size_t i = 0; i < ops.size(); ++i) {
        uint64_t ok = 0, err = 0;
        for (const LiveStats* l : live) {
            if (i < l->nops) {
                ok += l->opOk[i].load(std::memory_order_relaxed);
                err += l->opErrors[i].load(std::memory_order_relaxed);
            }
        }
        o += "fbload_requests_total{" + base + ",op=\"" + escapeLabel(ops[i]) + "\"} " + std::to_string(ok + err) + "\n";
    }
    header("fbload_errors_total", "counter", "Failed requests and connection attempts, by error class.");
    for (size_t c = 1; c < kErrorClasses; ++c) {
        uint64_t n = 0;
        for (const LiveStats* l : live)
            n += l->errors[c].load(std::memory_order_relaxed);
        o += "fbload_errors_total{" + base + ",class=\"" + errorClassName(static_cast<ErrorClass>(c)) + "\"} " +
             std::to_string(n) + "\n";
    }
    auto gauge = [&](const char* name, const char* help, auto getter) {
        header(name, "gauge", help);
        int64_t n = 0;
        for (const LiveStats* l : live)
            n += getter(*l);
        o += std::string(name) + "{" + base + "} " + std::to_string(n) + "\n";
    };
    gauge("fbload_inflight", "Requests written and not yet answered.",
          [](const LiveStats& l) { return l.inflight.load(std::memory_order_relaxed); });
    gauge("fbload_queued", "Open loop: arrivals waiting for a free connection.",
          [](const LiveStats& l) { return l.queued.load(std::memory_order_relaxed); });
    gauge("fbload_connections", "Open connections to the target.",
          [](const LiveStats& l) { return l.connections.load(std::memory_order_relaxed); });
    header("fbload_tokens_total", "counter", "LLM tokens of successful requests, by direction.");
    uint64_t in = 0, out = 0;
    for (const LiveStats* l : live) {
        in += l->inputTokens.load(std::memory_order_relaxed);
        out += l->outputTokens.load(std::memory_order_relaxed);
    }
    o += "fbload_tokens_total{" + base + ",direction=\"input\"} " + std::to_string(in) + "\n";
    o += "fbload_tokens_total{" + base + ",direction=\"output\"} " + std::to_string(out) + "\n";

    auto histogram = [&](const char* name, const char* help, PromHistogram LiveStats::*member) {
        header(name, "histogram", help);
        uint64_t cumulative = 0;
        for (size_t b = 0; b <= kPromBucketsSeconds.size(); ++b) {
            for (const LiveStats* l : live)
                cumulative += (l->*member).buckets[b].load(std::memory_order_relaxed);
            std::string le = b < kPromBucketsSeconds.size() ? fmt(kPromBucketsSeconds[b]) : "+Inf";
            o += std::string(name) + "_bucket{" + base + ",le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
        }
        uint64_t count = 0, sumNs = 0;
        for (const LiveStats* l : live) {
            count += (l->*member).count.load(std::memory_order_relaxed);
            sumNs += (l->*member).sumNs.load(std::memory_order_relaxed);
        }
        o += std::string(name) + "_sum{" + base + "} " + fmt(static_cast<double>(sumNs) / 1e9) + "\n";
        o += std::string(name) + "_count{" + base + "} " + std::to_string(count) + "\n";
    };
    histogram("fbload_latency_seconds", "Latency of successful requests from the intended send time.", &LiveStats::latency);
    if (cfg.workload == "llm") {
        histogram("fbload_ttft_seconds", "LLM time to first token.", &LiveStats::ttft);
        histogram("fbload_itl_seconds", "LLM inter-token latency.", &LiveStats::itl);
    }
    header("fbload_up", "gauge", "1 while fbload is running.");
    o += "fbload_up{" + base + "} 1\n";
    return o;
}

void MetricsServer::serve()
{
    while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0)
            continue;
        int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0)
            continue;
        timeval tv{2, 0};
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        std::string req;
        char buf[2048];
        // At most 16 KiB and 2 s per request in all (a client dripping bytes
        // must not hold this thread, and with it the end of the run).
        const int64_t deadline = monoNs() + 2'000'000'000;
        while (req.find("\r\n\r\n") == std::string::npos && req.size() < 16384 && monoNs() < deadline) {
            ssize_t n = ::recv(c, buf, sizeof buf, 0);
            if (n <= 0)
                break;
            req.append(buf, static_cast<size_t>(n));
        }
        std::string body, status = "200 OK";
        bool metricsPath = req.rfind("GET /metrics", 0) == 0 || req.rfind("GET / ", 0) == 0;
        if (metricsPath)
            body = render();
        else {
            status = "404 Not Found";
            body = "fbload serves /metrics\n";
        }
        std::string resp = "HTTP/1.1 " + status + "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                           "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
        size_t off = 0;
        while (off < resp.size()) {
            ssize_t n = ::send(c, resp.data() + off, resp.size() - off, MSG_NOSIGNAL);
            if (n <= 0)
                break;
            off += static_cast<size_t>(n);
        }
        ::close(c);
    }
}

}  // namespace fbload
