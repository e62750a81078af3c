// MetricsServer: serves live `/metrics` in the Prometheus text format while a
// run is in progress, so the cluster's Prometheus can scrape every client.
//
// Owned by main() for the length of `fbload run`; one thread, blocking I/O
// with short poll timeouts (scrapes are rare and tiny). Reads the workers'
// LiveStats atomics only; never blocks the load.
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace fbload {

class Engine;

class MetricsServer {
public:
    MetricsServer(const Engine& engine, std::vector<std::pair<std::string, std::string>> labels);
    ~MetricsServer();
    // Binds and starts serving; port 0 picks a free port. With tries > 1 a
    // port already in use steps to the next one (port, port+1, ...), so
    // clients started at the same instant on one node never collide: the
    // bind itself decides, there is no probe-then-bind window. Throws on
    // failure, naming the ports tried.
    void start(const std::string& bindAddress, int port, int tries = 1);
    void stop();
    int port() const { return port_; }
    // The exposition text (also used by tests).
    std::string render() const;

private:
    void serve();
    const Engine& engine_;
    std::vector<std::pair<std::string, std::string>> labels_;
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace fbload
