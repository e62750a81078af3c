#include "engine.h"

#include "arrival.h"
#include "blocking_worker.h"
#include "clock.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <deque>
#include <netdb.h>
#include <netinet/tcp.h>
#include <stdexcept>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <thread>
#include <unistd.h>

namespace fbload {

namespace {

std::atomic<Engine*> g_engine{nullptr};
std::atomic<bool> g_signalled{false};

void onSignal(int)
{
    // Only async-signal-safe work here: atomics are lock-free on every target we build for.
    g_signalled.store(true, std::memory_order_relaxed);
    if (Engine* e = g_engine.load(std::memory_order_relaxed))
        e->stop();
}

constexpr uint64_t kTimerToken = ~uint64_t{0};
constexpr size_t kInitialIn = 16 * 1024;  // receive buffer per connection before any growth
constexpr int64_t kSecondNs = 1'000'000'000;

// A growable FIFO ring; InFlight records are pushed and popped at the rate of
// requests, so this avoids std::deque's block churn on the hot path.
template <typename T>
class Ring {
public:
    bool empty() const { return size_ == 0; }
    size_t size() const { return size_; }
    T& front() { return buf_[head_]; }
    const T& front() const { return buf_[head_]; }
    void push(const T& v)
    {
        if (size_ == buf_.size())
            grow();
        buf_[(head_ + size_) & (buf_.size() - 1)] = v;
        ++size_;
    }
    void pop()
    {
        head_ = (head_ + 1) & (buf_.size() - 1);
        --size_;
    }
    void clear() { head_ = size_ = 0; }

private:
    void grow()
    {
        std::vector<T> n(buf_.empty() ? 8 : buf_.size() * 2);
        for (size_t i = 0; i < size_; ++i)
            n[i] = buf_[(head_ + i) & (buf_.size() - 1)];
        buf_.swap(n);
        head_ = 0;
    }
    std::vector<T> buf_;
    size_t head_ = 0, size_ = 0;
};

}  // namespace

// Worker: one thread, one epoll loop, a fixed set of connections. Owned by
// the Engine; its RunStats are read by the Engine only after the thread ends.
class Worker final : public ResponseSink {
public:
    Worker(Engine& engine, int index, int threads, int firstConn, int connCount, int64_t quota)
        : engine_(engine), cfg_(engine.config()), index_(index), quota_(quota),
          live_(engine.opNames().size()),
          schedule_(cfg_.model == LoadModel::Trace && engine.workload().arrivalTimesNs()
                        ? ArrivalSchedule(*engine.workload().arrivalTimesNs(), index, threads)
                        : ArrivalSchedule(cfg_.model, cfg_.openLoop() ? cfg_.rate : 1.0, cfg_.burstiness,
                                          cfg_.rampUpS, cfg_.seed, index, threads)),
          rows_(stats_.seconds)
    {
        stats_.init(engine.metricSpecs(), engine.opNames());
        depth_ = std::max(1, engine.workload().pipelineDepth());
        conns_.resize(static_cast<size_t>(connCount));
        for (int i = 0; i < connCount; ++i) {
            Conn& c = conns_[static_cast<size_t>(i)];
            c.global = firstConn + i;
            c.session = engine.workload().newSession(c.global, cfg_.seed * 1'000'003 + static_cast<uint64_t>(c.global));
            c.growIn(kInitialIn);
        }
        maxBuffered_ = std::max(kInitialIn, engine.workload().maxBufferedBytes());
    }

    void start() { thread_ = std::thread([this] { run(); }); }
    void join()
    {
        if (thread_.joinable())
            thread_.join();
    }
    RunStats& stats() { return stats_; }
    const LiveStats& live() const { return live_; }
    int64_t issuingStoppedNs() const { return issuingStoppedNs_; }
    const ThreadHealth& health() const { return health_; }

    // ResponseSink
    const InFlight& current() const override { return cur_->q.front(); }
    bool hasCurrent() const override { return cur_ && !cur_->q.empty(); }
    void record(int metric, int64_t value) override
    {
        const InFlight& r = cur_->q.front();
        if (r.measured)
            stats_.hist[static_cast<size_t>(metric)].record(value);
        if (metric == ttftMetric_)
            live_.ttft.observe(value * 1000);
        else if (metric == itlMetric_)
            live_.itl.observe(value * 1000);
    }
    void recordWeighted(int metric, int64_t value, uint64_t count) override
    {
        if (cur_->q.front().measured)
            stats_.hist[static_cast<size_t>(metric)].record(value, count);
    }
    void tokens(uint64_t input, uint64_t output) override
    {
        curInputTokens_ = input;
        curOutputTokens_ = output;
    }
    void sloInputs(int64_t ttftUs, int64_t tpotUs) override
    {
        curTtftUs_ = ttftUs;
        curTpotUs_ = tpotUs;
    }
    void complete(ErrorClass outcome, int httpStatus) override;
    void fatal(const std::string& why) override { engine_.fail(why); }

private:
    struct Conn {
        int fd = -1;
        enum class State { Down, Connecting, Open } state = State::Down;
        std::unique_ptr<Session> session;
        std::string out;
        size_t outOff = 0;
        // Receive buffer. Not a std::vector: resize() would zero-fill, which
        // commits every page up front (16 MiB RSS at 1000 connections); left
        // uninitialised, only the pages read() actually fills are touched.
        std::unique_ptr<char[]> in;
        size_t inCap = 0;
        size_t inLen = 0;
        void growIn(size_t cap)
        {
            std::unique_ptr<char[]> n(new char[cap]);
            if (inLen)
                std::memcpy(n.get(), in.get(), inLen);
            in = std::move(n);
            inCap = cap;
        }
        // After a connection is lost: a buffer a large reply grew goes back
        // to the initial size, so the memory is returned.
        void shrinkIn()
        {
            if (inCap > kInitialIn) {
                inLen = 0;
                growIn(kInitialIn);
            }
        }
        Ring<InFlight> q;
        int global = 0;
        int64_t startAtNs = 0;      // closed loop ramp: first request not before this
        int64_t reconnectAtNs = 0;  // Down: try again at this time
        int64_t connectStartNs = 0; // Connecting: since when (connect timeout)
        int64_t backoffNs = 0;
        bool watchingOut = false;
        bool inIdle = false;
    };

    void run();
    void openConn(Conn& c, int64_t now);
    void closeConn(Conn& c, ErrorClass why, int64_t now, bool reconnectNow);
    void onEvent(Conn& c, uint32_t events);
    void onConnected(Conn& c, int64_t now);
    void readFrom(Conn& c);
    bool flush(Conn& c);
    void watchOut(Conn& c, bool on);
    void pump(Conn& c, int64_t now);
    void issue(Conn& c, int64_t intendedNs, int64_t now, uint64_t arrival = 0);
    void dispatchPending(int64_t now);
    int waitEvents(std::vector<epoll_event>& events);
    void onTimer(int64_t now);
    void stopIssuing(int64_t now, bool signalled);
    bool canIssue(const Conn& c) const
    {
        return c.state == Conn::State::Open && !c.session->handshaking() &&
               static_cast<int>(c.q.size()) < depth_;
    }
    bool quotaLeft() const { return quota_ <= 0 || measuredIssued_ < quota_; }
    // A failed connect counts from the moment the load starts: attempts in
    // the head start before t0 count when there is no warm-up.
    bool connectMeasured(int64_t now) const { return std::max(now, t0_) >= warmupEndNs_; }
    SecondRow& rowAt(int64_t monoNow);
    void countError(ErrorClass cls, bool measured, int64_t now);
    size_t totalInflight() const;

    Engine& engine_;
    const RunConfig& cfg_;
    int index_;
    int64_t quota_;
    int depth_ = 1;
    size_t maxBuffered_ = 0;  // Workload::maxBufferedBytes
    std::vector<Conn> conns_;
    RunStats stats_;
    LiveStats live_;
    ArrivalSchedule schedule_;
    std::thread thread_;
    int ep_ = -1;
    int timerFd_ = -1;
    int64_t armedNs_ = -1;

    int64_t t0_ = 0, warmupEndNs_ = 0, measureEndNs_ = 0;
    bool issuing_ = true;
    int64_t issuingStoppedNs_ = 0;
    int64_t drainDeadlineNs_ = 0;
    int64_t nextTickNs_ = 0;
    int64_t tickNs_ = 100'000'000;
    int64_t measuredIssued_ = 0;
    // Open loop.
    ArrivalSchedule::Arrival nextArrival_{};
    bool arrivalsDone_ = false;
    std::deque<ArrivalSchedule::Arrival> pending_;  // arrivals waiting for a free connection
    std::vector<int> idle_;        // connections with a free pipeline slot
    // Busy-polling before sleeping (see waitEvents).
    int64_t spinNs_ = 0;
    int spinMisses_ = 0;
    int spinSkip_ = 0;
    // Current response being completed (set around Session::onData).
    Conn* cur_ = nullptr;
    uint64_t curInputTokens_ = 0, curOutputTokens_ = 0;
    int64_t curTtftUs_ = -1, curTpotUs_ = -1;
    int ttftMetric_ = -1, itlMetric_ = -1;
    int opMetricBase_ = -1;  // index of "latency.<first op>" when there are several ops
    SecondRows rows_;  // per-second rows, in stats_.seconds
    int64_t curInflight_ = 0;
    ThreadHealth health_;  // schedule lag, CPU and events (generator_health.h)
};

size_t Worker::totalInflight() const
{
    size_t n = 0;
    for (const Conn& c : conns_)
        n += c.q.size();
    return n;
}

SecondRow& Worker::rowAt(int64_t monoNow)
{
    return rows_.at((monoNow + engine_.monoToUnixNs()) / kSecondNs);
}

void Worker::countError(ErrorClass cls, bool measured, int64_t now)
{
    live_.errors[static_cast<size_t>(cls)].fetch_add(1, std::memory_order_relaxed);
    if (measured)
        stats_.errors[static_cast<size_t>(cls)]++;
    rowAt(now).errors++;
}

void Worker::complete(ErrorClass outcome, int httpStatus)
{
    int64_t now = monoNs();
    InFlight r = cur_->q.front();
    cur_->q.pop();
    --curInflight_;
    live_.inflight.fetch_sub(1, std::memory_order_relaxed);
    SecondRow& row = rowAt(now);
    if (outcome == ErrorClass::None) {
        int64_t latencyUs = (now - r.intendedNs) / 1000;
        live_.opOk[r.op].fetch_add(1, std::memory_order_relaxed);
        live_.latency.observe(now - r.intendedNs);
        live_.inputTokens.fetch_add(curInputTokens_, std::memory_order_relaxed);
        live_.outputTokens.fetch_add(curOutputTokens_, std::memory_order_relaxed);
        row.completed++;
        row.latencySumUs += static_cast<double>(latencyUs);
        row.latencyMaxUs = std::max(row.latencyMaxUs, latencyUs);
        row.latencyMinUs = row.latencyMinUs < 0 ? latencyUs : std::min(row.latencyMinUs, latencyUs);
        row.inputTokens += curInputTokens_;
        row.outputTokens += curOutputTokens_;
        rows_.recordLatency(latencyUs);
        if (r.measured) {
            stats_.ok++;
            stats_.opOk[r.op]++;
            stats_.hist[kMetricLatency].record(latencyUs);
            stats_.hist[kMetricServiceTime].record((now - r.sentNs) / 1000);
            if (opMetricBase_ >= 0)
                stats_.hist[static_cast<size_t>(opMetricBase_) + r.op].record(latencyUs);
            stats_.inputTokens += curInputTokens_;
            stats_.outputTokens += curOutputTokens_;
            // Goodput as vLLM defines it: a request counts when it meets every SLO set.
            bool good = true;
            if (cfg_.sloTtftMs)
                good = good && curTtftUs_ >= 0 && static_cast<double>(curTtftUs_) <= *cfg_.sloTtftMs * 1000;
            if (cfg_.sloTpotMs)
                good = good && (curTpotUs_ < 0 ? true : static_cast<double>(curTpotUs_) <= *cfg_.sloTpotMs * 1000);
            if (cfg_.sloE2elMs)
                good = good && static_cast<double>(latencyUs) <= *cfg_.sloE2elMs * 1000;
            if (good)
                stats_.good++;
        }
    } else {
        live_.opErrors[r.op].fetch_add(1, std::memory_order_relaxed);
        if (r.measured) {
            stats_.opErrors[r.op]++;
            if (outcome == ErrorClass::HttpStatus)
                stats_.httpStatus[httpStatus]++;
        }
        countError(outcome, r.measured, now);
    }
    curInputTokens_ = curOutputTokens_ = 0;
    curTtftUs_ = curTpotUs_ = -1;
}

void Worker::watchOut(Conn& c, bool on)
{
    if (c.watchingOut == on)
        return;
    epoll_event ev{};
    ev.events = EPOLLIN | (on ? EPOLLOUT : 0u);
    ev.data.u64 = static_cast<uint64_t>(&c - conns_.data());
    epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
    c.watchingOut = on;
}

void Worker::openConn(Conn& c, int64_t now)
{
    const auto& addr = engine_.address();
    c.fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
        countError(ErrorClass::Connect, connectMeasured(now), now);
        c.reconnectAtNs = now + 100'000'000;
        return;
    }
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc = ::connect(c.fd, reinterpret_cast<const sockaddr*>(&addr), engine_.addressLength());
    if (rc < 0 && errno != EINPROGRESS) {
        ::close(c.fd);
        c.fd = -1;
        countError(ErrorClass::Connect, connectMeasured(now), now);
        c.backoffNs = std::min<int64_t>(std::max<int64_t>(c.backoffNs * 2, 50'000'000), 1'000'000'000);
        c.reconnectAtNs = now + c.backoffNs;
        return;
    }
    c.state = Conn::State::Connecting;
    c.connectStartNs = now;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = static_cast<uint64_t>(&c - conns_.data());
    epoll_ctl(ep_, EPOLL_CTL_ADD, c.fd, &ev);
    c.watchingOut = true;
}

void Worker::closeConn(Conn& c, ErrorClass why, int64_t now, bool reconnectNow)
{
    if (c.fd >= 0) {
        epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
        ::close(c.fd);
        c.fd = -1;
    }
    if (c.state == Conn::State::Open)
        live_.connections.fetch_sub(1, std::memory_order_relaxed);
    c.state = Conn::State::Down;
    // Everything still in flight on this connection failed with the same cause.
    Conn* saved = cur_;
    cur_ = &c;
    while (!c.q.empty())
        complete(why == ErrorClass::None ? ErrorClass::Closed : why, 0);
    cur_ = saved;
    c.out.clear();
    c.outOff = 0;
    c.inLen = 0;
    c.shrinkIn();
    c.session->reset();
    c.reconnectAtNs = reconnectNow ? now : now + std::max<int64_t>(c.backoffNs, 50'000'000);
}

void Worker::onConnected(Conn& c, int64_t now)
{
    c.state = Conn::State::Open;
    c.backoffNs = 0;
    live_.connections.fetch_add(1, std::memory_order_relaxed);
    c.session->onConnected(c.out);
    pump(c, now);
}

bool Worker::flush(Conn& c)
{
    while (c.outOff < c.out.size()) {
        ssize_t n = ::send(c.fd, c.out.data() + c.outOff, c.out.size() - c.outOff, MSG_NOSIGNAL);
        if (n > 0) {
            c.outOff += static_cast<size_t>(n);
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            watchOut(c, true);
            return true;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            return false;
        }
    }
    c.out.clear();
    c.outOff = 0;
    watchOut(c, false);
    return true;
}

void Worker::issue(Conn& c, int64_t intendedNs, int64_t now, uint64_t arrival)
{
    bool measured = intendedNs >= warmupEndNs_;
    uint32_t op = cfg_.openLoop() ? c.session->writeArrival(c.out, arrival) : c.session->writeRequest(c.out);
    c.q.push(InFlight{intendedNs, now, op, measured});
    ++curInflight_;
    live_.inflight.fetch_add(1, std::memory_order_relaxed);
    rowAt(now).sent++;
    if (measured) {
        stats_.sent++;
        if (!cfg_.openLoop())  // open loop counts arrivals instead (see onTimer)
            ++measuredIssued_;
        else
            health_.recordSend(now - intendedNs, now);
    } else {
        stats_.warmupRequests++;
    }
}

void Worker::pump(Conn& c, int64_t now)
{
    if (cfg_.openLoop()) {
        while (canIssue(c) && !pending_.empty()) {
            issue(c, t0_ + pending_.front().atNs, now, pending_.front().index);
            pending_.pop_front();
        }
        live_.queued.store(static_cast<int64_t>(pending_.size()), std::memory_order_relaxed);
        if (canIssue(c) && !c.inIdle) {
            idle_.push_back(static_cast<int>(&c - conns_.data()));
            c.inIdle = true;
        }
    } else if (issuing_ && now >= c.startAtNs) {
        while (canIssue(c) && issuing_) {
            issue(c, now, now);
            if (!quotaLeft())
                stopIssuing(now, false);
        }
    }
    if (c.state == Conn::State::Open && c.outOff < c.out.size() && !c.watchingOut) {
        if (!flush(c))
            closeConn(c, ErrorClass::Closed, now, false);
    }
}

void Worker::dispatchPending(int64_t now)
{
    while (!pending_.empty() && !idle_.empty()) {
        Conn& c = conns_[static_cast<size_t>(idle_.back())];
        idle_.pop_back();
        c.inIdle = false;
        if (canIssue(c))
            pump(c, now);  // re-adds itself to idle_ if it still has room
    }
    live_.queued.store(static_cast<int64_t>(pending_.size()), std::memory_order_relaxed);
}

// Why busy-poll: at high request rates the client's blocking epoll_wait is
// what slows the server down. Every response that finds this thread asleep
// makes the server's CPU pay for waking it (on a VM, an inter-processor
// interrupt and a VM exit); against a single-worker nginx fbload measured
// 0.85-0.88 of wrk because of that alone, wrk doing more work per request
// and so sleeping less often. Polling a few microseconds while requests
// are in flight catches the next response awake. Adaptive: after kSpinMissLimit polls in a
// row found nothing (slow server, LLM streams), the next kSpinSkipWaits waits
// block at once, so low-rate runs do not burn CPU.
int Worker::waitEvents(std::vector<epoll_event>& events)
{
    constexpr int kSpinMissLimit = 8;
    constexpr int kSpinSkipWaits = 64;
    const int size = static_cast<int>(events.size());
    if (spinNs_ > 0 && curInflight_ > 0 && spinSkip_ == 0) {
        const int64_t spinStart = monoNs();
        const int64_t until = spinStart + spinNs_;
        int n;
        int64_t t = spinStart;
        do
            n = epoll_wait(ep_, events.data(), size, 0);
        while (n == 0 && (t = monoNs()) < until);
        health_.spinNs += (n == 0 ? t : monoNs()) - spinStart;
        if (n != 0) {
            spinMisses_ = 0;
            return n;
        }
        if (++spinMisses_ >= kSpinMissLimit) {
            spinMisses_ = 0;
            spinSkip_ = kSpinSkipWaits;
        }
    } else if (spinSkip_ > 0) {
        --spinSkip_;
    }
    return epoll_wait(ep_, events.data(), size, -1);
}

// Reads at most kMaxReadPerWake bytes, then returns to the event loop (which
// reports the connection again while bytes are left: epoll is level
// triggered), so a server that never stops sending cannot keep the worker
// from its clock, its timeouts, a signal or its other connections. The
// receive buffer grows up to Workload::maxBufferedBytes; full and nothing
// consumed means a reply over the limit: a `protocol` error.
void Worker::readFrom(Conn& c)
{
    size_t budget = kMaxReadPerWake;
    while (budget > 0) {
        if (c.inCap - c.inLen < 4096 && c.inCap < maxBuffered_)
            c.growIn(std::min(c.inCap * 2, maxBuffered_));
        size_t room = std::min(c.inCap - c.inLen, budget);
        if (room == 0) {
            closeConn(c, ErrorClass::Protocol, monoNs(), false);
            return;
        }
        ssize_t n = ::read(c.fd, c.in.get() + c.inLen, room);
        int64_t now = monoNs();  // stamp arrival right after the bytes land
        if (n > 0) {
            budget -= static_cast<size_t>(n);
            c.inLen += static_cast<size_t>(n);
            cur_ = &c;
            long used = c.session->onData(c.in.get(), c.inLen, now, *this);
            cur_ = nullptr;
            if (used < 0) {
                closeConn(c, ErrorClass::Protocol, now, false);
                return;
            }
            if (used > 0) {
                c.inLen -= static_cast<size_t>(used);
                if (c.inLen)
                    std::memmove(c.in.get(), c.in.get() + used, c.inLen);
            }
            if (c.session->wantsReconnect() && c.q.empty()) {
                closeConn(c, ErrorClass::None, now, true);
                return;
            }
            if (static_cast<size_t>(n) < room)
                break;
        } else if (n == 0) {
            cur_ = &c;
            c.session->onEof(now, *this);
            cur_ = nullptr;
            closeConn(c, ErrorClass::Closed, now, true);
            return;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            break;
        } else {
            closeConn(c, ErrorClass::Closed, now, false);
            return;
        }
    }
    pump(c, monoNs());
}

void Worker::onEvent(Conn& c, uint32_t events)
{
    int64_t now = monoNs();
    if (c.state == Conn::State::Connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0 || (events & (EPOLLERR | EPOLLHUP))) {
            epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
            ::close(c.fd);
            c.fd = -1;
            c.state = Conn::State::Down;
            countError(ErrorClass::Connect, connectMeasured(now), now);
            c.backoffNs = std::min<int64_t>(std::max<int64_t>(c.backoffNs * 2, 50'000'000), 1'000'000'000);
            c.reconnectAtNs = now + c.backoffNs;
            return;
        }
        if (events & EPOLLOUT) {
            watchOut(c, false);
            onConnected(c, now);
        }
        return;
    }
    if (c.state != Conn::State::Open)
        return;
    if (events & EPOLLOUT) {
        if (!flush(c)) {
            closeConn(c, ErrorClass::Closed, now, false);
            return;
        }
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
        readFrom(c);
}

void Worker::stopIssuing(int64_t now, bool signalled)
{
    if (!issuing_)
        return;
    issuing_ = false;
    issuingStoppedNs_ = now;
    // Let in-flight requests finish (they were measured), but not forever:
    // after a signal Slurm's KillWait is short, so drain for at most a second.
    int64_t grace = signalled ? 1'000'000'000 : static_cast<int64_t>(std::min(cfg_.timeoutS, 10.0) * 1e9);
    drainDeadlineNs_ = now + grace;
}

void Worker::onTimer(int64_t now)
{
    if (issuing_ && engine_.stopRequested())
        stopIssuing(now, true);
    if (issuing_ && now >= measureEndNs_)
        stopIssuing(now, false);

    if (cfg_.openLoop()) {
        // A replayed trace ends after its last arrival has been sent.
        if (issuing_ && nextArrival_.atNs == ArrivalSchedule::kNoMoreNs && pending_.empty()) {
            arrivalsDone_ = true;
            stopIssuing(now, false);
        }
        bool added = false;
        uint64_t arrived = 0;
        while (issuing_ && !arrivalsDone_ && t0_ + nextArrival_.atNs <= now) {
            int64_t intended = t0_ + nextArrival_.atNs;
            if (intended >= measureEndNs_ || (!quotaLeft() && intended >= warmupEndNs_)) {
                arrivalsDone_ = true;
                stopIssuing(now, false);
                break;
            }
            pending_.push_back(nextArrival_);
            if (intended >= warmupEndNs_)
                ++measuredIssued_;  // the quota counts arrivals, sent or not
            added = true;
            ++arrived;
            nextArrival_ = schedule_.next();
        }
        if (added) {
            dispatchPending(now);
            // New arrivals are at the back: those still queued found no free connection.
            health_.connectionWaits += std::min<uint64_t>(arrived, pending_.size());
        }
    } else if (issuing_) {
        for (Conn& c : conns_)
            if (c.state == Conn::State::Open && c.q.empty() && now >= c.startAtNs)
                pump(c, now);
    }

    if (now >= nextTickNs_) {
        nextTickNs_ = now + tickNs_;
        int64_t timeoutNs = static_cast<int64_t>(cfg_.timeoutS * 1e9);
        for (Conn& c : conns_) {
            if (c.state == Conn::State::Open && !c.q.empty() && now - c.q.front().sentNs > timeoutNs)
                closeConn(c, ErrorClass::Timeout, now, true);
            else if (c.state == Conn::State::Connecting && now - c.connectStartNs > timeoutNs) {
                epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
                ::close(c.fd);
                c.fd = -1;
                c.state = Conn::State::Down;
                countError(ErrorClass::Connect, connectMeasured(now), now);
                c.reconnectAtNs = now;
            }
        }
        SecondRow& row = rowAt(now);
        row.inflightMax = std::max(row.inflightMax, curInflight_);
    }
    for (Conn& c : conns_)
        if (c.state == Conn::State::Down && now >= c.reconnectAtNs && (issuing_ || !c.q.empty()))
            openConn(c, now);
}

void Worker::run()
{
    const int64_t startNs = monoNs();
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    timerFd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    epoll_event tev{};
    tev.events = EPOLLIN;
    tev.data.u64 = kTimerToken;
    epoll_ctl(ep_, EPOLL_CTL_ADD, timerFd_, &tev);

    t0_ = engine_.t0Ns();
    warmupEndNs_ = t0_ + static_cast<int64_t>(cfg_.warmupS * 1e9);
    measureEndNs_ = cfg_.durationS > 0 ? warmupEndNs_ + static_cast<int64_t>(cfg_.durationS * 1e9) : INT64_MAX;
    spinNs_ = static_cast<int64_t>(cfg_.busyPollUs) * 1000;
    tickNs_ = std::clamp<int64_t>(static_cast<int64_t>(cfg_.timeoutS * 1e9 / 4), 1'000'000, 100'000'000);
    if (auto it = std::find_if(stats_.metrics.begin(), stats_.metrics.end(), [](auto& m) { return m.name == "ttft"; });
        it != stats_.metrics.end())
        ttftMetric_ = static_cast<int>(it - stats_.metrics.begin());
    if (auto it = std::find_if(stats_.metrics.begin(), stats_.metrics.end(), [](auto& m) { return m.name == "itl"; });
        it != stats_.metrics.end())
        itlMetric_ = static_cast<int>(it - stats_.metrics.begin());
    if (stats_.opNames.size() > 1)
        opMetricBase_ = stats_.metricIndex("latency." + stats_.opNames[0]);
    if (cfg_.openLoop())
        nextArrival_ = schedule_.next();

    int64_t now = monoNs();
    int total = std::max(1, cfg_.concurrency);
    for (Conn& c : conns_) {
        c.startAtNs = t0_ + static_cast<int64_t>(cfg_.rampUpS * 1e9 * c.global / total);
        openConn(c, now);
    }
    nextTickNs_ = now;

    std::vector<epoll_event> events(256);
    for (;;) {
        now = monoNs();
        onTimer(now);
        if (!issuing_) {
            bool drained = totalInflight() == 0;
            if (drained || now >= drainDeadlineNs_)
                break;
        }
        // Sleep until the next arrival or tick (timerfd: sub-millisecond precision).
        int64_t deadline = nextTickNs_;
        if (!issuing_)
            deadline = std::min(deadline, drainDeadlineNs_);
        else
            deadline = std::min(deadline, measureEndNs_);
        if (cfg_.openLoop() && issuing_ && !arrivalsDone_)
            deadline = std::min(deadline, t0_ + nextArrival_.atNs);
        if (!cfg_.openLoop() && issuing_ && now < t0_)
            deadline = std::min(deadline, t0_);
        for (const Conn& c : conns_)
            if (c.state == Conn::State::Down)
                deadline = std::min(deadline, c.reconnectAtNs);
        if (deadline != armedNs_) {
            itimerspec its{};
            int64_t d = std::max<int64_t>(deadline, 1);
            its.it_value.tv_sec = d / kSecondNs;
            its.it_value.tv_nsec = d % kSecondNs;
            timerfd_settime(timerFd_, TFD_TIMER_ABSTIME, &its, nullptr);
            armedNs_ = deadline;
        }
        int n = waitEvents(events);
        if (n < 0 && errno != EINTR)
            break;
        health_.events += static_cast<uint64_t>(std::max(n, 0));
        for (int i = 0; i < n; ++i) {
            if (events[static_cast<size_t>(i)].data.u64 == kTimerToken) {
                uint64_t expirations;
                [[maybe_unused]] ssize_t r = ::read(timerFd_, &expirations, sizeof expirations);
                armedNs_ = -1;
                continue;
            }
            Conn& c = conns_[events[static_cast<size_t>(i)].data.u64];
            if (c.fd >= 0)
                onEvent(c, events[static_cast<size_t>(i)].events);
        }
    }

    // Whatever is left was cut off by the drain deadline.
    for (Conn& c : conns_) {
        while (!c.q.empty()) {
            if (c.q.front().measured)
                stats_.unfinished++;
            c.q.pop();
            live_.inflight.fetch_sub(1, std::memory_order_relaxed);
        }
        if (c.fd >= 0)
            ::close(c.fd);
        c.fd = -1;
    }
    for (const ArrivalSchedule::Arrival& a : pending_)
        if (t0_ + a.atNs >= warmupEndNs_)
            stats_.unsent++;
    pending_.clear();
    rows_.finish();
    if (!issuingStoppedNs_)
        issuingStoppedNs_ = monoNs();
    ::close(timerFd_);
    ::close(ep_);
    health_.sampleThreadClocks();
    health_.wallNs = monoNs() - startNs;
}

Engine::Engine(const RunConfig& cfg, const Workload& workload)
    : cfg_(cfg), workload_(workload), ops_(workload.opNames())
{
}

Engine::~Engine()
{
    Engine* self = this;
    g_engine.compare_exchange_strong(self, nullptr);
}

bool Engine::stopRequested() const
{
    return stopRequested_.load(std::memory_order_relaxed);
}

void Engine::fail(const std::string& why)
{
    {
        std::lock_guard<std::mutex> lock(failMutex_);
        if (failure_.empty())
            failure_ = cfg_.host.empty() ? why : cfg_.host + ":" + std::to_string(cfg_.port) + ": " + why;
    }
    stop();
}

std::string Engine::failure() const
{
    std::lock_guard<std::mutex> lock(failMutex_);
    return failure_;
}

bool Engine::signalled()
{
    return g_signalled.load(std::memory_order_relaxed);
}

void Engine::installSignalHandlers()
{
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);
}

std::vector<MetricSpec> Engine::metricSpecs() const
{
    // Workload metrics come right after the two common ones, so their ids are
    // kFirstWorkloadMetric + i; per-op latencies follow.
    std::vector<MetricSpec> m{{"latency", "us"}, {"service_time", "us"}};
    for (auto& x : workload_.extraMetrics())
        m.push_back(x);
    if (ops_.size() > 1)
        for (const auto& op : ops_)
            m.push_back({"latency." + op, "us"});
    return m;
}

std::vector<const LiveStats*> Engine::live() const
{
    std::vector<const LiveStats*> v;
    for (const auto& w : workers_)
        v.push_back(&w->live());
    for (const auto& w : blocking_)
        v.push_back(&w->live());
    return v;
}

RunStats Engine::run()
{
    if (workload_.blocking())
        return runBlocking();
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string port = std::to_string(cfg_.port);
    int rc = getaddrinfo(cfg_.host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0 || !res)
        throw std::runtime_error("cannot resolve " + cfg_.host + ": " + gai_strerror(rc));
    std::memcpy(&addr_, res->ai_addr, res->ai_addrlen);
    addrLen_ = res->ai_addrlen;
    freeaddrinfo(res);

    g_engine.store(this);
    if (g_signalled.load())
        stop();
    int threads = std::max(1, std::min(cfg_.threads, cfg_.concurrency));
    int first = 0;
    for (int t = 0; t < threads; ++t) {
        int n = cfg_.concurrency / threads + (t < cfg_.concurrency % threads ? 1 : 0);
        int64_t quota = 0;
        if (cfg_.requests > 0)
            quota = cfg_.requests / threads + (t < cfg_.requests % threads ? 1 : 0);
        workers_.push_back(std::make_unique<Worker>(*this, t, threads, first, n, quota));
        first += n;
    }
    monoToUnix_ = unixNs() - monoNs();
    // A short head start lets the connections open before the clock starts.
    t0Ns_ = monoNs() + 50'000'000;
    times_.startUnixNs = t0Ns_ + monoToUnix_;
    times_.measureStartUnixNs = times_.startUnixNs + static_cast<int64_t>(cfg_.warmupS * 1e9);
    for (auto& w : workers_)
        w->start();
    int64_t stoppedAt = 0;
    for (auto& w : workers_) {
        w->join();
        stoppedAt = std::max(stoppedAt, w->issuingStoppedNs());
    }
    times_.endUnixNs = unixNs();
    times_.interrupted = stopRequested() && failure().empty();
    // A run bounded by a request count ends when its last request completes
    // (as vLLM's benchmark_duration does); ending the window when the last one
    // was sent would inflate the throughput of short runs.
    int64_t durationEndNs = cfg_.durationS > 0 ? t0Ns_ + static_cast<int64_t>((cfg_.warmupS + cfg_.durationS) * 1e9) : INT64_MAX;
    bool quotaEnded = (cfg_.requests > 0 || cfg_.model == LoadModel::Trace) && !times_.interrupted && stoppedAt < durationEndNs;
    times_.measureEndUnixNs = std::max(quotaEnded ? times_.endUnixNs : stoppedAt + monoToUnix_, times_.measureStartUnixNs);
    RunStats total;
    total.init(metricSpecs(), ops_);
    // Achieved send rate: measured sends over the time they took, which late
    // sends stretch past the end of the measured window.
    int64_t sendSpanNs = times_.measureEndUnixNs - times_.measureStartUnixNs;
    for (auto& w : workers_) {
        total.merge(w->stats());
        health_.addThread(w->health());
        if (w->health().lastSendNs)
            sendSpanNs = std::max(sendSpanNs, w->health().lastSendNs + monoToUnix_ - times_.measureStartUnixNs);
    }
    // A replayed trace offers its own rate: its requests over its (scaled) span.
    double offered = cfg_.rate;
    if (const auto* t = workload_.arrivalTimesNs(); cfg_.model == LoadModel::Trace && t && t->back() > t->front())
        offered = static_cast<double>(t->size()) / (static_cast<double>(t->back() - t->front()) / 1e9);
    health_.setRun(cfg_.openLoop(), offered, static_cast<double>(sendSpanNs) / 1e9, total.sent, total.unsent);
    g_engine.store(nullptr);
    return total;
}

// Blocking workloads: one thread per connection, closed loop (the workload
// resolves and connects itself, so no address here).
RunStats Engine::runBlocking()
{
    g_engine.store(this);
    if (g_signalled.load())
        stop();
    const int conns = std::max(1, cfg_.concurrency);
    for (int c = 0; c < conns; ++c) {
        int64_t quota = 0;
        if (cfg_.requests > 0)
            quota = cfg_.requests / conns + (c < cfg_.requests % conns ? 1 : 0);
        blocking_.push_back(std::make_unique<BlockingWorker>(*this, c, quota));
    }
    monoToUnix_ = unixNs() - monoNs();
    t0Ns_ = monoNs() + 50'000'000;
    times_.startUnixNs = t0Ns_ + monoToUnix_;
    times_.measureStartUnixNs = times_.startUnixNs + static_cast<int64_t>(cfg_.warmupS * 1e9);
    for (auto& w : blocking_)
        w->start();
    int64_t stoppedAt = 0;
    for (auto& w : blocking_) {
        w->join();
        stoppedAt = std::max(stoppedAt, w->issuingStoppedNs());
    }
    times_.endUnixNs = unixNs();
    times_.interrupted = stopRequested() && failure().empty();
    // Every call completes before its thread stops issuing, so the measured
    // window ends when the last thread stopped.
    times_.measureEndUnixNs = std::max(stoppedAt + monoToUnix_, times_.measureStartUnixNs);
    RunStats total;
    total.init(metricSpecs(), ops_);
    for (auto& w : blocking_)
        total.merge(w->stats());
    g_engine.store(nullptr);
    return total;
}

}  // namespace fbload
