#include "server.h"

#include "../bounds.h"
#include "../clock.h"
#include "../config.h"
#include "../resources.h"
#include "http_request.h"

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdexcept>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace fbload::serve {

namespace {

constexpr uint64_t kListenToken = ~uint64_t{0};
constexpr uint64_t kSignalToken = ~uint64_t{0} - 2;
constexpr size_t kReadChunk = 64 * 1024;

const char* reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    default: return "Error";
    }
}

std::string jsonError(const std::string& why)
{
    std::string s = "{\"error\":";
    appendJsonString(s, why);
    return s + "}";
}

}  // namespace

ServeServer::ServeServer(const ServeOptions& o) : o_(o), model_(o.timing) {}

ServeServer::~ServeServer()
{
    for (auto& c : conns_)
        if (c)
            ::close(c->fd);
    for (int fd : {listenFd_, epollFd_, signalFd_})
        if (fd >= 0)
            ::close(fd);
}

int ServeServer::listen()
{
    addrinfo hints{}, *res = nullptr;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    const std::string port = std::to_string(o_.port);
    if (int rc = getaddrinfo(o_.bind.c_str(), port.c_str(), &hints, &res); rc != 0)
        throw std::runtime_error("--bind " + o_.bind + ": " + gai_strerror(rc));
    listenFd_ = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listenFd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const bool ok = listenFd_ >= 0 && bind(listenFd_, res->ai_addr, res->ai_addrlen) == 0 && ::listen(listenFd_, 4096) == 0;
    const int err = errno;
    freeaddrinfo(res);
    if (!ok)
        throw std::runtime_error("cannot listen on " + o_.bind + ":" + port + ": " + std::strerror(err));
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    getsockname(listenFd_, reinterpret_cast<sockaddr*>(&ss), &len);
    const int bound = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(ss).sin6_port
                                                     : reinterpret_cast<sockaddr_in&>(ss).sin_port);

    epollFd_ = epoll_create1(EPOLL_CLOEXEC);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
    signalFd_ = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    for (auto [fd, token] : {std::pair{listenFd_, kListenToken}, {signalFd_, kSignalToken}}) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = token;
        epoll_ctl(epollFd_, EPOLL_CTL_ADD, fd, &ev);
    }
    return bound;
}

void ServeServer::run()
{
    // Timers fire within the default 50 µs slack otherwise; tokens are due
    // to the microsecond.
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    std::vector<epoll_event> events(1024);
    for (;;) {
        // Sleep until the earliest due token at most: epoll_pwait2 takes a
        // nanosecond timeout, so no timer descriptor needs re-arming.
        timespec timeout{};
        const timespec* tp = nullptr;
        if (int64_t due = model_.nextDueNs(); due != INT64_MAX) {
            const int64_t wait = std::max<int64_t>(0, std::max(due, stallUntilNs_) - monoNs());
            timeout.tv_sec = wait / 1'000'000'000;
            timeout.tv_nsec = wait % 1'000'000'000;
            tp = &timeout;
        }
        const int n = epoll_pwait2(epollFd_, events.data(), static_cast<int>(events.size()), tp, nullptr);
        if (n < 0 && errno != EINTR)
            throw std::runtime_error(std::string("epoll_wait: ") + std::strerror(errno));
        for (int i = 0; i < n; ++i) {
            const uint64_t token = events[static_cast<size_t>(i)].data.u64;
            if (token == kSignalToken)
                return;
            if (token == kListenToken) {
                accept();
            } else {
                const int fd = static_cast<int>(token);
                Conn* c = static_cast<size_t>(fd) < conns_.size() ? conns_[static_cast<size_t>(fd)].get() : nullptr;
                if (!c)
                    continue;
                const uint32_t e = events[static_cast<size_t>(i)].events;
                if (e & EPOLLOUT) {
                    if (!flush(*c))
                        continue;
                }
                if (e & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP))
                    onReadable(*c);
            }
        }
        emitDue();
    }
}

void ServeServer::accept()
{
    for (;;) {
        const int fd = accept4(listenFd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;  // EAGAIN, or out of descriptors: try again on the next event
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (static_cast<size_t>(fd) >= conns_.size())
            conns_.resize(static_cast<size_t>(fd) + 1024);
        auto c = std::make_unique<Conn>();
        c->fd = fd;
        c->serial = nextSerial_++;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.u64 = static_cast<uint64_t>(fd);
        epoll_ctl(epollFd_, EPOLL_CTL_ADD, fd, &ev);
        conns_[static_cast<size_t>(fd)] = std::move(c);
    }
}

ServeServer::Conn* ServeServer::connOf(int fd, uint64_t serial)
{
    if (fd < 0 || static_cast<size_t>(fd) >= conns_.size())
        return nullptr;
    Conn* c = conns_[static_cast<size_t>(fd)].get();
    return c && c->serial == serial ? c : nullptr;
}

void ServeServer::close(Conn& c)
{
    if (c.busy)
        model_.cancel(c.seq, monoNs());
    epoll_ctl(epollFd_, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    conns_[static_cast<size_t>(c.fd)].reset();
}

void ServeServer::onReadable(Conn& c)
{
    char buf[kReadChunk];
    for (;;) {
        const ssize_t n = read(c.fd, buf, sizeof buf);
        if (n > 0) {
            c.in.append(buf, static_cast<size_t>(n));
            if (c.in.size() > kMaxBufferedBytes + kMaxHeadBytes) {
                close(c);  // a client piling up requests behind an answer, or one endless request
                return;
            }
            if (static_cast<size_t>(n) < sizeof buf)
                break;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            break;
        close(c);  // EOF or error: a sequence in progress is cancelled
        return;
    }
    process(c);
}

bool ServeServer::process(Conn& c)
{
    size_t off = 0;
    if (o_.api == Api::Redis) {
        for (;;) {
            size_t used = 0;
            auto r = redis_.handle(std::string_view(c.in).substr(off), c.out, used);
            if (r == RedisHandler::Outcome::NeedMore)
                break;
            ++requests_;
            if (r == RedisHandler::Outcome::Close) {
                c.closeAfter = true;
                break;
            }
            off += used;
        }
    } else {
        while (!c.busy && !c.closeAfter) {
            HttpRequest req;
            size_t used = 0;
            std::string error;
            auto st = parseHttpRequest(std::string_view(c.in).substr(off), req, used, error);
            if (st == ParseStatus::Incomplete)
                break;
            if (st == ParseStatus::Bad) {
                respond(c, 400, "application/json", jsonError(error));
                c.closeAfter = true;
                break;
            }
            off += used;
            ++requests_;
            if (!req.keepAlive)
                c.closeAfter = true;
            route(c, req);
        }
    }
    c.in.erase(0, off);
    return flush(c);
}

void ServeServer::respond(Conn& c, int status, const std::string& type, const std::string& body, bool head)
{
    c.out += "HTTP/1.1 " + std::to_string(status) + " " + reason(status) + "\r\nContent-Type: " + type +
             "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    if (!head)
        c.out += body;
}

void ServeServer::route(Conn& c, const HttpRequest& req)
{
    const std::string& p = req.path;
    if (p == "/metrics")
        return respond(c, 200, "text/plain; version=0.0.4", metricsText());
    if (p == "/health")
        return respond(c, 200, "application/json", "{}");
    if (p == "/control/stats")
        return respond(c, 200, "application/json", statsJson(!queryParam(req.query, "reset").empty()));
    if (p == "/control/stall") {
        std::string s = queryParam(req.query, "seconds");
        double seconds = 0;
        try {
            if (!req.body.empty()) {
                if (const Json* v = Json::parse(req.body).find("seconds"); v && v->isNumber())
                    seconds = v->asDouble();
            } else if (!s.empty()) {
                seconds = std::stod(s);
            }
        } catch (const std::exception& e) {
            return respond(c, 400, "application/json", jsonError(std::string("seconds: ") + e.what()));
        }
        stallUntilNs_ = monoNs() + static_cast<int64_t>(seconds * 1e9);
        return respond(c, 200, "application/json", "{\"stalled_for\":" + formatDouble(seconds) + "}");
    }
    const bool post = req.method == "POST";
    if (o_.api == Api::Http)
        return respond(c, 200, "text/plain", "fbload serve\n", req.method == "HEAD");
    if (o_.api == Api::OpenAi) {
        if (post && p == "/v1/chat/completions")
            return startLlm(c, LlmRoute::OpenAiChat, req.body);
        if (post && p == "/v1/completions")
            return startLlm(c, LlmRoute::OpenAiCompletions, req.body);
        if (p == "/v1/models")
            return respond(c, 200, "application/json",
                           "{\"object\":\"list\",\"data\":[{\"id\":\"fbload-serve\",\"object\":\"model\",\"owned_by\":\"fbload\"}]}");
    } else {
        if (post && p == "/api/generate")
            return startLlm(c, LlmRoute::OllamaGenerate, req.body);
        if (post && p == "/api/chat")
            return startLlm(c, LlmRoute::OllamaChat, req.body);
        if (post && p == "/api/pull")
            return respond(c, 200, "application/json", "{\"status\":\"success\"}");
        if (p == "/api/tags")
            return respond(c, 200, "application/json", "{\"models\":[{\"name\":\"fbload-serve\",\"model\":\"fbload-serve\"}]}");
        if (p == "/api/version")
            return respond(c, 200, "application/json", "{\"version\":\"fbload-serve\"}");
    }
    respond(c, 404, "application/json", jsonError("not found: " + req.method + " " + p));
}

void ServeServer::startLlm(Conn& c, LlmRoute route, const std::string& body)
{
    LlmRequest req;
    try {
        req = parseLlmRequest(route, body);
    } catch (const std::exception& e) {
        return respond(c, 400, "application/json", jsonError(e.what()));
    }
    const int64_t tokens = o_.timing.outputTokens > 0 ? o_.timing.outputTokens : req.maxTokens;
    ++llmRequests_;
    promptTokens_ += static_cast<uint64_t>(req.promptTokens);
    const CapacityModel::Id id = model_.add(monoNs(), tokens);
    if (id >= streams_.size())
        streams_.resize(id + 1);
    Stream& s = streams_[id];
    s.fd = c.fd;
    s.serial = c.serial;
    s.stream = req.stream;
    s.firstNs = 0;
    s.answer.emplace(req, llmRequests_, tokens);
    c.busy = true;
    c.seq = id;
}

void ServeServer::emitDue()
{
    int64_t now = monoNs();
    if (now < stallUntilNs_)
        return;
    CapacityModel::Due d;
    while (model_.popDue(now, d)) {
        Stream& s = streams_[d.id];
        const int64_t lateUs = (now - std::max(d.dueNs, stallUntilNs_)) / 1000;
        lateness_.record(lateUs);
        latenessStats_.record(lateUs);
        ++generationTokens_;
        if (d.index == 0)
            s.firstNs = d.dueNs;
        Conn* c = connOf(s.fd, s.serial);
        if (c) {
            const int64_t arrived = model_.arrivedNs(d.id);
            const int64_t total = d.dueNs - arrived, prefill = s.firstNs - arrived;
            if (s.stream) {
                if (d.index == 0)
                    c->out += s.answer->streamHead();
                else
                    sentItl_.record((now - s.lastSentNs) / 1000);
                s.lastSentNs = now;
                s.answer->appendStreamToken(c->out, d.index, total, prefill);
            } else if (d.last) {
                c->out += s.answer->whole(total, prefill);
            }
        }
        if (d.last) {
            ++succeeded_;
            s.answer.reset();
            if (c) {
                c->busy = false;
                process(*c);  // sends, then serves a request that waited behind this one
            }
        } else if (c && s.stream) {
            flush(*c);
        }
        now = monoNs();
    }
}

bool ServeServer::flush(Conn& c)
{
    while (c.outOff < c.out.size()) {
        const ssize_t n = send(c.fd, c.out.data() + c.outOff, c.out.size() - c.outOff, MSG_NOSIGNAL);
        if (n > 0) {
            c.outOff += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            watchOut(c, true);
            return true;
        }
        close(c);
        return false;
    }
    c.out.clear();
    c.outOff = 0;
    watchOut(c, false);
    if (c.closeAfter && !c.busy) {
        close(c);
        return false;
    }
    return true;
}

void ServeServer::watchOut(Conn& c, bool on)
{
    if (c.watchingOut == on)
        return;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | (on ? EPOLLOUT : 0u);
    ev.data.u64 = static_cast<uint64_t>(c.fd);
    epoll_ctl(epollFd_, EPOLL_CTL_MOD, c.fd, &ev);
    c.watchingOut = on;
}

std::string ServeServer::metricsText() const
{
    const std::string model = "{model_name=\"fbload-serve\"}";
    std::string s;
    auto metric = [&](const char* name, const char* type, const char* help, const std::string& labels, double v) {
        s += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + labels +
             " " + formatDouble(v) + "\n";
    };
    metric("vllm:num_requests_running", "gauge", "Sequences decoding (admitted, holding one of --max-sequences).",
           model, static_cast<double>(model_.running()));
    metric("vllm:num_requests_waiting", "gauge", "Requests in the FIFO queue for a sequence slot.", model,
           static_cast<double>(model_.waiting()));
    metric("vllm:prompt_tokens_total", "counter", "Prompt tokens of the LLM requests received.", model,
           static_cast<double>(promptTokens_));
    metric("vllm:generation_tokens_total", "counter", "Tokens generated (due and sent).", model,
           static_cast<double>(generationTokens_));
    metric("vllm:request_success_total", "counter", "LLM answers completed.",
           "{model_name=\"fbload-serve\",finished_reason=\"length\"}", static_cast<double>(succeeded_));
    metric("fbload_serve_requests_total", "counter", "Requests (HTTP or Redis commands) of every kind.",
           std::string("{api=\"") + apiName(o_.api) + "\"}", static_cast<double>(requests_));
    s += "# HELP fbload_serve_token_lateness_seconds How late tokens left after their due time.\n"
         "# TYPE fbload_serve_token_lateness_seconds summary\n";
    for (double q : {0.5, 0.99, 1.0})
        s += "fbload_serve_token_lateness_seconds{quantile=\"" + formatDouble(q) + "\"} " +
             formatDouble(lateness_.percentile(q * 100) / 1e6) + "\n";
    s += "fbload_serve_token_lateness_seconds_sum " + formatDouble(lateness_.sum() / 1e6) + "\n";
    s += "fbload_serve_token_lateness_seconds_count " + std::to_string(lateness_.count()) + "\n";
    return s;
}

std::string ServeServer::statsJson(bool reset)
{
    Json j = Json::object();
    j["requests"] = llmRequests_;
    j["running"] = model_.running();
    j["waiting"] = model_.waiting();
    j["tokens"] = latenessStats_.count();
    Json late = Json::object();
    late["p50"] = latenessStats_.percentile(50) / 1000;
    late["p99"] = latenessStats_.percentile(99) / 1000;
    late["max"] = static_cast<double>(latenessStats_.max()) / 1000;
    j["lateness_ms"] = std::move(late);
    // The gaps between a stream's tokens as they left: what a perfect client
    // would measure as ITL (the bench compares fbload's ITL with it).
    Json itl = Json::object();
    itl["p50"] = sentItl_.percentile(50) / 1000;
    itl["p99"] = sentItl_.percentile(99) / 1000;
    itl["count"] = sentItl_.count();
    j["sent_itl_ms"] = std::move(itl);
    if (reset) {
        latenessStats_.reset();
        sentItl_.reset();
    }
    return j.dump();
}

int runServe(const std::vector<std::string>& args)
{
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        std::cout << kServeHelp;
        return 0;
    }
    ServeOptions o;
    try {
        o = parseServeArgs(args);
    } catch (const ConfigError& e) {
        std::cerr << e.what() << "\n" << kServeHelp;
        return 2;
    }
    raiseFdLimit();
    try {
        ServeServer server(o);
        const int port = server.listen();
        std::cerr << "fbload serve: listening on " << o.bind << ":" << port << " (api " << apiName(o.api) << ")"
                  << std::endl;
        server.run();
        std::cerr << "fbload serve: stopped by signal\n";
    } catch (const std::exception& e) {
        std::cerr << "fbload serve: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

}  // namespace fbload::serve
