// The redis workload: RESP over keep-alive connections with pipelining.
//
// RedisWorkload holds the validated params (shared, read-only); RedisSession
// is one connection's conversation (AUTH/SELECT handshake, then requests).
// Values are deterministic (see valueFor) so tests can check what was written.
#include "redis.h"

#include "../config.h"
#include "../json.h"
#include "resp.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <random>

namespace fbload {

namespace {

enum Op : uint32_t { Get, Set, Incr, Lpush, Hset, OpCount };
const char* const kOpNames[OpCount] = {"get", "set", "incr", "lpush", "hset"};

enum class KeyDist { Uniform, Gaussian, Sequential };

}  // namespace

class RedisWorkload;

namespace {

class RedisSession final : public Session {
public:
    RedisSession(const RedisWorkload& w, int connIndex, uint64_t seed);
    void onConnected(std::string& out) override;
    bool handshaking() const override { return handshakeNext_ < handshake_.size(); }
    uint32_t writeRequest(std::string& out) override;
    long onData(const char* data, size_t len, int64_t nowNs, ResponseSink& sink) override;
    void reset() override
    {
        handshake_.clear();
        handshakeNext_ = 0;
        scanner_.reset();
    }

private:
    uint64_t nextKey();
    const RedisWorkload& w_;
    std::mt19937_64 rng_;
    std::uniform_real_distribution<double> uni_{0.0, 1.0};
    std::normal_distribution<double> normal_;
    std::vector<const char*> handshake_;  // AUTH / SELECT sent on connect, in order
    size_t handshakeNext_ = 0;            // the one whose reply comes next
    resp::Scanner scanner_;
    std::string key_, value_;
};

}  // namespace

class RedisWorkload final : public Workload {
public:
    explicit RedisWorkload(const RunConfig& cfg)
    {
        const Json& p = cfg.params;
        param::rejectUnknown(p, {"operations", "value_size", "pipeline", "keyspace", "key_distribution",
                                 "key_prefix", "key_stddev", "password", "username", "database"});
        // Operations: {"get":0.8,"set":0.2}; weights are normalised.
        double total = 0;
        if (const Json* ops = p.find("operations"); ops && !ops->isNull()) {
            if (!ops->isObject() || ops->asObject().empty())
                throw ConfigError("params.operations: expected an object of operation weights such as {\"get\":0.8,\"set\":0.2}");
            for (const auto& [name, weight] : ops->asObject()) {
                int idx = -1;
                for (int i = 0; i < static_cast<int>(OpCount); ++i)
                    if (name == kOpNames[i])
                        idx = i;
                if (idx < 0)
                    throw ConfigError("params.operations." + name + ": unknown operation (known: get, set, incr, lpush, hset)");
                if (!weight.isNumber() || weight.asDouble() < 0)
                    throw ConfigError("params.operations." + name + ": expected a non-negative number, got " + weight.dump());
                if (weight.asDouble() > 0) {
                    ops_.push_back(static_cast<uint32_t>(idx));
                    total += weight.asDouble();
                    cumulative_.push_back(total);
                }
            }
            if (total <= 0)
                throw ConfigError("params.operations: at least one weight must be positive");
        } else {
            ops_ = {Get, Set};
            cumulative_ = {0.8, 1.0};
            total = 1.0;
        }
        for (double& c : cumulative_)
            c /= total;
        valueSize = static_cast<size_t>(param::integer(p, "value_size", 64, 0, 512 * 1024 * 1024));
        pipeline = static_cast<int>(param::integer(p, "pipeline", 1, 1, 100000));
        keyspace = static_cast<uint64_t>(param::integer(p, "keyspace", 100000, 1, int64_t{1} << 48));
        std::string dist = param::string(p, "key_distribution", "uniform");
        if (dist == "uniform")
            keyDist = KeyDist::Uniform;
        else if (dist == "gaussian")
            keyDist = KeyDist::Gaussian;
        else if (dist == "sequential")
            keyDist = KeyDist::Sequential;
        else
            throw ConfigError("params.key_distribution: expected one of uniform, gaussian, sequential, got \"" + dist + "\"");
        keyStddev = param::number(p, "key_stddev", static_cast<double>(keyspace) / 6.0, 0, 1e18);
        prefix = param::string(p, "key_prefix", "fbload:");
        password = param::string(p, "password", "");
        username = param::string(p, "username", "");
        database = static_cast<int>(param::integer(p, "database", 0, 0, 1 << 20));
        concurrency = cfg.concurrency;
    }

    std::string name() const override { return "redis"; }
    std::vector<std::string> opNames() const override
    {
        std::vector<std::string> n;
        for (uint32_t o : ops_)
            n.push_back(kOpNames[o]);
        return n;
    }
    int pipelineDepth() const override { return pipeline; }
    // A GET returns a whole value, which can be larger than the default limit.
    size_t maxBufferedBytes() const override { return std::max(kMaxBufferedBytes, valueSize + (size_t{1} << 20)); }
    std::unique_ptr<Session> newSession(int connIndex, uint64_t seed) const override
    {
        return std::make_unique<RedisSession>(*this, connIndex, seed);
    }

    // Index into opNames() for a uniform draw u in [0,1).
    uint32_t pick(double u) const
    {
        auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
        size_t i = std::min(static_cast<size_t>(it - cumulative_.begin()), ops_.size() - 1);
        return static_cast<uint32_t>(i);
    }
    uint32_t opAt(uint32_t index) const { return ops_[index]; }

    std::vector<uint32_t> ops_;
    std::vector<double> cumulative_;
    size_t valueSize = 64;
    int pipeline = 1;
    uint64_t keyspace = 100000;
    KeyDist keyDist = KeyDist::Uniform;
    double keyStddev = 0;
    std::string prefix;
    std::string password, username;
    int database = 0;
    int concurrency = 1;
    // Sequential distribution: the next key, shared by every connection.
    mutable std::atomic<uint64_t> sequence{0};
};

void redisValueFor(std::string& out, std::string_view key, size_t size)
{
    // The value is the key followed by '.' padding, cut to `size`: cheap to
    // build and lets anyone verify a stored value from its key alone.
    size_t k = std::min(key.size(), size);
    out.append(key.data(), k);
    out.append(size - k, '.');
}

namespace {

RedisSession::RedisSession(const RedisWorkload& w, int, uint64_t seed)
    : w_(w), rng_(seed), normal_(static_cast<double>(w.keyspace) / 2.0, w.keyStddev > 0 ? w.keyStddev : 1.0),
      scanner_(w.maxBufferedBytes())
{
    key_.reserve(64);
    value_.reserve(w.valueSize + 64);
}

void RedisSession::onConnected(std::string& out)
{
    handshake_.clear();
    handshakeNext_ = 0;
    if (!w_.password.empty()) {
        if (w_.username.empty())
            resp::appendCommand(out, {"AUTH", w_.password});
        else
            resp::appendCommand(out, {"AUTH", w_.username, w_.password});
        handshake_.push_back("AUTH");
    }
    if (w_.database != 0) {
        std::string db = std::to_string(w_.database);
        resp::appendCommand(out, {"SELECT", db});
        handshake_.push_back("SELECT");
    }
}

uint64_t RedisSession::nextKey()
{
    switch (w_.keyDist) {
    case KeyDist::Uniform:
        return rng_() % w_.keyspace;
    case KeyDist::Gaussian: {
        double v = std::round(normal_(rng_));
        v = std::clamp(v, 0.0, static_cast<double>(w_.keyspace - 1));
        return static_cast<uint64_t>(v);
    }
    case KeyDist::Sequential:
        // One counter shared by all connections and threads: N requests write
        // keys 0..N-1 exactly once each (per lap), however unevenly the
        // connections progress. A relaxed atomic add is cheap next to a syscall.
        return w_.sequence.fetch_add(1, std::memory_order_relaxed) % w_.keyspace;
    }
    return 0;
}

uint32_t RedisSession::writeRequest(std::string& out)
{
    uint32_t idx = w_.ops_.size() == 1 ? 0 : w_.pick(uni_(rng_));
    uint32_t op = w_.opAt(idx);
    uint64_t k = nextKey();
    char num[24];
    auto r = std::to_chars(num, num + sizeof num, k);
    key_.assign(w_.prefix);
    switch (op) {
    case Incr: key_ += "counter:"; break;
    case Lpush: key_ += "list:"; break;
    case Hset: key_ += "hash:"; break;
    default: key_ += "key:"; break;
    }
    key_.append(num, r.ptr);
    switch (op) {
    case Get: resp::appendCommand(out, {"GET", key_}); break;
    case Incr: resp::appendCommand(out, {"INCR", key_}); break;
    case Set:
    case Lpush:
    case Hset:
        value_.clear();
        redisValueFor(value_, key_, w_.valueSize);
        if (op == Set)
            resp::appendCommand(out, {"SET", key_, value_});
        else if (op == Lpush)
            resp::appendCommand(out, {"LPUSH", key_, value_});
        else
            resp::appendCommand(out, {"HSET", key_, "field", value_});
        break;
    }
    return idx;
}

long RedisSession::onData(const char* data, size_t len, int64_t, ResponseSink& sink)
{
    size_t pos = 0;
    while (pos < len) {
        resp::Reply r = scanner_.next(data + pos, len - pos);
        if (r.kind == resp::ReplyKind::Incomplete)
            break;
        if (r.kind == resp::ReplyKind::Invalid)
            return -1;
        pos += r.length;
        if (handshakeNext_ < handshake_.size()) {
            const char* cmd = handshake_[handshakeNext_++];
            if (r.kind == resp::ReplyKind::Error) {
                // AUTH or SELECT refused: reconnecting cannot help, stop the run.
                sink.fatal(std::string("redis ") + cmd + " refused: " + std::string(r.text));
                return -1;
            }
            continue;
        }
        if (!sink.hasCurrent())
            return -1;  // a reply nobody asked for
        sink.complete(r.kind == resp::ReplyKind::Error ? ErrorClass::Server : ErrorClass::None);
    }
    return static_cast<long>(pos);
}

}  // namespace

std::unique_ptr<Workload> makeRedisWorkload(const RunConfig& cfg)
{
    return std::make_unique<RedisWorkload>(cfg);
}

}  // namespace fbload
