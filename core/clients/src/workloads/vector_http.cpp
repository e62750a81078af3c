// See vector_http.h.
#include "vector_http.h"

#include "../clock.h"
#include "../config.h"
#include "../bounds.h"
#include "http_parser.h"

#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace fbload {

std::pair<int, std::string> blockingHttp(const RunConfig& cfg, const std::string& request, double timeoutS,
                                         bool head)
{
    const std::string where = cfg.host + ":" + std::to_string(cfg.port);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(cfg.host.c_str(), std::to_string(cfg.port).c_str(), &hints, &res) != 0 || !res)
        throw std::runtime_error("cannot resolve " + cfg.host);
    int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv{static_cast<time_t>(timeoutS), 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int rc = ::connect(fd, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    auto fail = [&](const std::string& why) {
        ::close(fd);
        throw std::runtime_error(where + ": " + why);
    };
    if (rc < 0)
        fail(std::string("cannot connect: ") + std::strerror(errno));
    for (size_t off = 0; off < request.size();) {
        ssize_t n = ::send(fd, request.data() + off, request.size() - off, MSG_NOSIGNAL);
        if (n <= 0)
            fail(std::string("send failed: ") + std::strerror(errno));
        off += static_cast<size_t>(n);
    }
    HttpResponseParser parser;
    parser.expectNoBody(head);
    std::string buf, body;
    bool tooLong = false;
    auto onBody = [&](const char* d, size_t l) {
        if (l > kMaxBufferedBytes - body.size())
            tooLong = true;
        else
            body.append(d, l);
    };
    // SO_RCVTIMEO bounds one recv; this bounds the whole answer (a server
    // dripping a byte at a time never trips the former).
    const int64_t deadline = monoNs() + static_cast<int64_t>(timeoutS * 1e9);
    char chunk[65536];
    for (;;) {
        if (monoNs() > deadline)
            fail("no complete answer within " + std::to_string(timeoutS) + " s");
        ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) {
            if (n == 0 && parser.finishOnEof()) {
                ::close(fd);
                return {parser.status(), body};
            }
            fail(n == 0 ? "connection closed early" : std::string("receive failed: ") + std::strerror(errno));
        }
        buf.append(chunk, static_cast<size_t>(n));
        bool done = false;
        long used = 0;
        do {
            used = parser.feed(buf.data(), buf.size(), done, onBody);
            if (used < 0)
                fail("malformed HTTP response");
            if (tooLong)
                fail("answer longer than " + std::to_string(kMaxBufferedBytes >> 20) + " MiB");
            buf.erase(0, static_cast<size_t>(used));
        } while (!done && used > 0 && !buf.empty());
        if (done) {
            ::close(fd);
            return {parser.status(), body};
        }
    }
}

}  // namespace fbload
