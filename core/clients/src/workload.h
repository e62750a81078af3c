// The workload plug-in interface: a Workload is the validated, read-only
// description of what to send (shared by all threads); a Session is one
// protocol conversation on one connection (owned by that connection).
//
// The engine owns sockets, timing, load models and statistics; a Session only
// turns requests into bytes and bytes into completed responses, reporting them
// through the ResponseSink. Adding a workload (postgres, s3 ...) means one
// Workload subclass registered in workloads/registry.cpp.
#pragma once

#include "bounds.h"
#include "stats.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fbload {

struct RunConfig;
class Json;

// One request between being written and its response completing.
struct InFlight {
    int64_t intendedNs;  // when it should have been sent (open loop) or was sent (closed)
    int64_t sentNs;      // when it was written
    uint32_t op;
    bool measured;       // false during warm-up
};

// Implemented by the engine; a Session reports parse results through it.
// Responses complete in order (HTTP/1.1 and RESP are both in-order protocols).
class ResponseSink {
public:
    virtual ~ResponseSink() = default;
    // The oldest request in flight on this connection (the one being answered).
    virtual const InFlight& current() const = 0;
    virtual bool hasCurrent() const = 0;
    // Records a workload metric (by id) for the current request, if measured.
    virtual void record(int metric, int64_t value) = 0;
    // Records `value` `count` times (a tool's weighted aggregate, llm_dialects.h).
    virtual void recordWeighted(int metric, int64_t value, uint64_t count)
    {
        for (uint64_t i = 0; i < count; ++i)
            record(metric, value);
    }
    // LLM accounting for the current request: tokens and SLO inputs (µs, -1 unknown).
    virtual void tokens(uint64_t input, uint64_t output) = 0;
    virtual void sloInputs(int64_t ttftUs, int64_t tpotUs) = 0;
    // Finishes the current request; ErrorClass::None means success.
    virtual void complete(ErrorClass outcome, int httpStatus = 0) = 0;
    // A failure no retry can fix (credentials refused): stops the whole run,
    // which then exits 1 with this message after writing its result.
    virtual void fatal(const std::string& why) = 0;
};

class Session {
public:
    virtual ~Session() = default;
    // Bytes to send once connected, before any request (AUTH, SELECT).
    virtual void onConnected(std::string& out) { (void)out; }
    // True while handshake replies are outstanding; requests wait until false.
    virtual bool handshaking() const { return false; }
    // Appends one request to out and returns its op index.
    virtual uint32_t writeRequest(std::string& out) = 0;
    // Open loop: the request of global arrival `arrivalIndex` (0, 1, ... in
    // send order). A workload whose requests belong to arrivals (a replayed
    // trace: request k at the trace's k-th time) overrides it.
    virtual uint32_t writeArrival(std::string& out, uint64_t arrivalIndex)
    {
        (void)arrivalIndex;
        return writeRequest(out);
    }
    // Consumes received bytes: returns how many were used (the rest is kept
    // and offered again with more data), or -1 on a protocol error.
    virtual long onData(const char* data, size_t len, int64_t nowNs, ResponseSink& sink) = 0;
    // The peer will close after the last response (HTTP "Connection: close").
    virtual bool wantsReconnect() const { return false; }
    // The connection was lost: forget partial parse state.
    virtual void reset() {}
    // The peer closed the connection: a body delimited by EOF may be complete now.
    virtual void onEof(int64_t nowNs, ResponseSink& sink) { (void)nowNs; (void)sink; }
};

// Reports what one blocking call measured (BlockingSession::call).
class CallSink {
public:
    virtual ~CallSink() = default;
    // Records a workload metric (by id) for this call, if measured.
    virtual void record(int metric, int64_t value) = 0;
    // A failure no retry can fix: stops the whole run (exit 1 with this message).
    virtual void fatal(const std::string& why) = 0;
};

// A connection of a workload whose client library blocks (libmariadb) or that
// has no socket at all (file, faiss). The engine runs each one on its own
// thread, closed loop: call() returns when the request is done.
class BlockingSession {
public:
    virtual ~BlockingSession() = default;
    // Connects or opens files; false with `error` (naming host or path) on failure.
    virtual bool open(std::string& error) = 0;
    // Runs one request, sets its op index and returns its outcome.
    virtual ErrorClass call(uint32_t& op, CallSink& sink) = 0;
    // After the run: release what open() took (files, connection).
    virtual void close() {}
};

class Workload {
public:
    virtual ~Workload() = default;
    virtual std::string name() const = 0;
    virtual std::vector<std::string> opNames() const = 0;
    // Workload-specific metrics (ids from kFirstWorkloadMetric, in this order).
    virtual std::vector<MetricSpec> extraMetrics() const { return {}; }
    // Requests a connection may have outstanding (redis pipeline depth; HTTP 1).
    virtual int pipelineDepth() const { return 1; }
    // The most a connection's receive buffer may hold unconsumed (one whole
    // reply for protocols that are scanned only once complete); beyond it
    // the connection fails as `protocol`.
    virtual size_t maxBufferedBytes() const { return kMaxBufferedBytes; }
    // File descriptors one connection holds (sockets, files), for the check
    // against RLIMIT_NOFILE before the run.
    virtual int fdsPerConnection() const { return 1; }
    // One Session per connection; `connIndex` is global across threads.
    virtual std::unique_ptr<Session> newSession(int connIndex, uint64_t seed) const = 0;
    // A replayed trace's send times (ns from the run start, non-decreasing),
    // or nullptr. With load.model trace the engine sends arrival k at
    // element k and stops after the last (cli.cpp switches a closed-loop
    // run to trace when the workload has them).
    virtual const std::vector<int64_t>* arrivalTimesNs() const { return nullptr; }
    // Blocking workloads return a session here (newSession is then unused)
    // and get one thread per connection instead of the epoll loop.
    virtual bool blocking() const { return false; }
    virtual std::unique_ptr<BlockingSession> newBlockingSession(int connIndex, uint64_t seed) const
    {
        (void)connIndex;
        (void)seed;
        return nullptr;
    }

    // Runs before the load starts (model pull, tables, a collection, a
    // bucket); throws on failure. What it creates exists once on the server:
    // with several tasks (--tasks N, task_barrier.h) only task 0 runs it,
    // the others wait until it has succeeded.
    virtual void prepare(const RunConfig& cfg) { (void)cfg; }
    // Runs in every task after prepare() succeeded, for what is the task's
    // own (its files, the collection id it addresses); throws on failure.
    virtual void prepareTask(const RunConfig& cfg) { (void)cfg; }
    // Extra fields for the result's summary (e.g. the LLM API used).
    virtual void describe(Json& runParams) const { (void)runParams; }
};

// The registry: compiled-in workload names, and construction with validated params.
std::vector<std::string> workloadNames();
// Throws ConfigError for an unknown workload or bad params.
std::unique_ptr<Workload> makeWorkload(const RunConfig& cfg);
// Adds a workload linked into the executable only (main() calls this).
void registerWorkload(const char* name, std::unique_ptr<Workload> (*make)(const RunConfig&));
// True for workloads that run without a server (no --target needed).
bool workloadIsTargetless(const std::string& name);

}  // namespace fbload
