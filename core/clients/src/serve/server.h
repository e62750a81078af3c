// ServeServer: `fbload serve`, a zero-compute reference server on one epoll
// loop (one thread): OpenAI or Ollama LLM APIs with timed token streams
// (capacity_model.h, llm_protocol.h), plain HTTP, or a Redis subset
// (redis_handler.h); /metrics (vLLM-style gauges) and /control/* on the
// HTTP APIs. The loop sleeps in epoll_pwait2 until the earliest due token.
// See docs/fbload.md, "fbload serve".
#pragma once

#include "capacity_model.h"
#include "../histogram.h"
#include "llm_protocol.h"
#include "redis_handler.h"
#include "serve_options.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fbload::serve {

struct HttpRequest;

class ServeServer {
public:
    explicit ServeServer(const ServeOptions& o);
    ~ServeServer();
    ServeServer(const ServeServer&) = delete;
    ServeServer& operator=(const ServeServer&) = delete;

    // Binds and listens; returns the port. Throws std::runtime_error.
    int listen();
    // Serves until SIGINT or SIGTERM (blocked and read from a signalfd).
    void run();

private:
    struct Conn {
        int fd = -1;
        uint64_t serial = 0;
        std::string in, out;
        size_t outOff = 0;
        bool busy = false;        // an LLM answer in progress: later requests wait
        bool closeAfter = false;  // close once the output is sent
        bool watchingOut = false;
        CapacityModel::Id seq = 0;
    };
    struct Stream {
        int fd = -1;
        uint64_t serial = 0;
        bool stream = false;
        int64_t firstNs = 0;
        int64_t lastSentNs = 0;  // when the previous token actually left
        std::optional<LlmAnswer> answer;
    };

    void accept();
    void onReadable(Conn& c);
    // Handles buffered requests; false when the connection was closed.
    bool process(Conn& c);
    void route(Conn& c, const HttpRequest& req);
    void startLlm(Conn& c, LlmRoute route, const std::string& body);
    void respond(Conn& c, int status, const std::string& type, const std::string& body, bool head = false);
    bool flush(Conn& c);
    void watchOut(Conn& c, bool on);
    void close(Conn& c);
    Conn* connOf(int fd, uint64_t serial);
    void emitDue();
    std::string metricsText() const;
    std::string statsJson(bool reset);

    ServeOptions o_;
    int listenFd_ = -1, epollFd_ = -1, signalFd_ = -1;
    int64_t stallUntilNs_ = 0;
    uint64_t nextSerial_ = 1;
    std::vector<std::unique_ptr<Conn>> conns_;  // by fd
    std::vector<Stream> streams_;               // by CapacityModel::Id
    CapacityModel model_;
    RedisHandler redis_;
    // Counters for /metrics.
    uint64_t requests_ = 0, llmRequests_ = 0, succeeded_ = 0;
    uint64_t promptTokens_ = 0, generationTokens_ = 0;
    Histogram lateness_;       // µs a token left after its due time, since start
    Histogram latenessStats_;  // the same since the last /control/stats?reset=1
    Histogram sentItl_;        // µs between the tokens of a stream as they actually left, since that reset
};

// `fbload serve ARGS`: returns the exit code (0, 1 failure, 2 bad arguments).
int runServe(const std::vector<std::string>& args);

}  // namespace fbload::serve
