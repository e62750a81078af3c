// The vector workload against a vector database's HTTP API: insert random
// normalised embeddings in batches and query the top k nearest.
//
//   backend chroma:   POST /api/v1/collections (prepare), then
//                     POST /api/v1/collections/{id}/add and .../query
//   backend weaviate: POST /v1/schema (prepare), then POST /v1/batch/objects
//                     and GraphQL nearVector through POST /v1/graphql
//
// Both answer some failures with HTTP 200 and the error in the body
// (Weaviate's per-object batch errors and GraphQL "errors"), so bodies are
// read and such replies count as server errors. The Faiss in-process case
// (faiss.h) runs no network load and is not part of this workload.
#include "vector.h"

#include "../config.h"
#include "../json.h"
#include "http.h"
#include "http_parser.h"
#include "vector_http.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>

namespace fbload {

namespace {

enum Op : uint32_t { Insert, Query, OpCount };
const char* const kOpNames[OpCount] = {"insert", "query"};
enum class Backend { Chroma, Weaviate };
bool hasErrors(const std::string& reply);

class VectorWorkload;

class VectorSession final : public Session {
public:
    VectorSession(const VectorWorkload& w, int connIndex, uint64_t seed) : w_(w), conn_(connIndex), rng_(seed) {}
    uint32_t writeRequest(std::string& out) override;
    long onData(const char* data, size_t len, int64_t nowNs, ResponseSink& sink) override;
    // One insert of n vectors, as an HTTP request.
    std::string insertRequest(int n);
    void onEof(int64_t, ResponseSink& sink) override
    {
        if (parser_.finishOnEof())
            finish(sink);
    }
    bool wantsReconnect() const override { return reconnect_; }
    void reset() override
    {
        parser_.reset();
        reconnect_ = false;
    }

private:
    void appendVector(std::string& out);
    void finish(ResponseSink& sink);

    const VectorWorkload& w_;
    int conn_;
    std::mt19937_64 rng_;
    std::normal_distribution<float> gauss_{0.0f, 1.0f};
    std::uniform_real_distribution<double> uni_{0.0, 1.0};
    std::vector<float> v_;
    HttpResponseParser parser_;
    bool reconnect_ = false;
    std::string body_, reply_;
    uint32_t op_ = Insert;
    uint64_t inserted_ = 0;  // ids of this connection so far
};

class VectorWorkload final : public Workload {
public:
    explicit VectorWorkload(const RunConfig& cfg)
    {
        const Json& p = cfg.params;
        param::rejectUnknown(p, {"backend", "collection", "dimension", "batch_size", "top_k", "count", "operations",
                                 "recreate", "host_header", "api_key"});
        const std::string b = param::string(p, "backend", "chroma");
        if (b == "chroma")
            backend = Backend::Chroma;
        else if (b == "weaviate")
            backend = Backend::Weaviate;
        else if (b == "faiss")
            throw ConfigError("params.backend: faiss runs in-process without a server: use --workload faiss "
                              "(see docs/fbload-data.md, vector)");
        else
            throw ConfigError("params.backend: expected chroma or weaviate, got \"" + b + "\"");
        collection = param::string(p, "collection", backend == Backend::Chroma ? "fbload" : "Fbload");
        // Chroma: 3-63 of [A-Za-z0-9._-]; Weaviate: a GraphQL name starting upper-case.
        const bool okName = backend == Backend::Chroma
            ? collection.size() >= 3 && collection.size() <= 63 &&
                  collection.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == std::string::npos
            : !collection.empty() && collection[0] >= 'A' && collection[0] <= 'Z' &&
                  collection.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
        if (!okName)
            throw ConfigError("params.collection: \"" + collection + "\" is not a valid " +
                              (backend == Backend::Chroma ? "Chroma collection name (3-63 of A-Z a-z 0-9 . _ -)"
                                                          : "Weaviate class name (starts upper-case; A-Z a-z 0-9 _)"));
        dimension = static_cast<int>(param::integer(p, "dimension", 128, 1, 65536));
        batchSize = static_cast<int>(param::integer(p, "batch_size", 100, 1, 100000));
        k = static_cast<int>(param::integer(p, "top_k", 10, 1, 10000));
        preload = param::integer(p, "count", 0, 0, int64_t{1} << 40);
        recreate = param::boolean(p, "recreate", true);
        // Tasks of one client (--tasks N) insert ids t<I>c<connection>-<n>.
        if (cfg.task.multi())
            taskTag = "t" + std::to_string(cfg.task.index);
        apiKey = param::lineString(p, "api_key", "");
        hostHeader = param::lineString(p, "host_header", cfg.host + ":" + std::to_string(cfg.port));
        double total = 0;
        if (const Json* o = p.find("operations"); o && !o->isNull()) {
            if (!o->isObject() || o->asObject().empty())
                throw ConfigError("params.operations: expected an object of weights such as {\"insert\":0.2,\"query\":0.8}");
            for (const auto& [name, weight] : o->asObject()) {
                int idx = name == "insert" ? int(Insert) : name == "query" ? int(Query) : -1;
                if (idx < 0)
                    throw ConfigError("params.operations." + name + ": unknown operation (known: insert, query)");
                if (!weight.isNumber() || weight.asDouble() < 0)
                    throw ConfigError("params.operations." + name + ": expected a non-negative number, got " + weight.dump());
                weights[idx] = weight.asDouble();
                total += weight.asDouble();
            }
            if (total <= 0)
                throw ConfigError("params.operations: at least one weight must be positive");
        } else {
            weights[Insert] = 1;
            weights[Query] = 1;
            total = 2;
        }
        insertShare = weights[Insert] / total;
        headers.emplace_back("Content-Type", "application/json");
        if (!apiKey.empty())
            headers.emplace_back("Authorization", "Bearer " + apiKey);
    }

    std::string name() const override { return "vector"; }
    std::vector<std::string> opNames() const override { return {kOpNames[Insert], kOpNames[Query]}; }
    std::unique_ptr<Session> newSession(int connIndex, uint64_t seed) const override
    {
        return std::make_unique<VectorSession>(*this, connIndex, seed);
    }
    void prepare(const RunConfig& cfg) override;
    void prepareTask(const RunConfig& cfg) override;
    void create(const RunConfig& cfg, bool drop);
    void load(const RunConfig& cfg);
    void describe(Json& runParams) const override
    {
        runParams["vector_backend"] = backend == Backend::Chroma ? "chroma" : "weaviate";
        runParams["vector_batch_size"] = batchSize;
        runParams["vector_dimension"] = dimension;
    }

    std::string request(const std::string& method, const std::string& path, const std::string& body) const
    {
        return buildHttpRequest(method, path, hostHeader, headers, body);
    }
    // The first failing reply is printed once, with what the server said.
    void report(const std::string& what) const
    {
        if (!reported.exchange(true))
            std::fprintf(stderr, "fbload: vector (%s): %s\n", backend == Backend::Chroma ? "chroma" : "weaviate", what.c_str());
    }

    Backend backend = Backend::Chroma;
    std::string collection, collectionId, hostHeader, apiKey, taskTag;
    std::vector<std::pair<std::string, std::string>> headers;
    int dimension = 128, batchSize = 100, k = 10;
    int64_t preload = 0;  // vectors inserted by prepare, before the clock starts
    bool recreate = true;
    double weights[OpCount] = {0, 0};
    double insertShare = 0.5;
    mutable std::atomic<bool> reported{false};
};

void VectorWorkload::prepare(const RunConfig& cfg)
{
    create(cfg, recreate);
    load(cfg);
}

void VectorWorkload::prepareTask(const RunConfig& cfg)
{
    // Tasks other than 0 address the collection task 0 (re)created: Chroma
    // names it by id, which get_or_create returns without touching it.
    if (backend == Backend::Chroma && collectionId.empty())
        create(cfg, false);
}

void VectorWorkload::create(const RunConfig& cfg, bool drop)
{
    const std::string where = cfg.host + ":" + std::to_string(cfg.port) + ": ";
    if (backend == Backend::Chroma) {
        if (drop) {
            auto [st, body] = blockingHttp(cfg, request("DELETE", "/api/v1/collections/" + collection, ""), cfg.timeoutS);
            if (st >= 300 && st != 404 && body.find("does not exist") == std::string::npos)
                throw std::runtime_error(where + "deleting collection \"" + collection + "\": HTTP " + std::to_string(st) + ": " + body.substr(0, 300));
        }
        Json create = Json::object();
        create["name"] = collection;
        Json meta = Json::object();
        meta["hnsw:space"] = "cosine";
        create["metadata"] = std::move(meta);
        create["get_or_create"] = true;
        auto [st, body] = blockingHttp(cfg, request("POST", "/api/v1/collections", create.dump()), cfg.timeoutS);
        if (st >= 300)
            throw std::runtime_error(where + "creating collection \"" + collection + "\": HTTP " + std::to_string(st) + ": " + body.substr(0, 300));
        try {
            const Json doc = Json::parse(body);
            const Json* id = doc.find("id");
            // The id goes into every request line: only what a Chroma id (a UUID) is made of.
            if (!id || !id->isString() || id->asString().empty() ||
                id->asString().find_first_not_of("ABCDEFabcdef0123456789-") != std::string::npos)
                throw std::runtime_error("no \"id\" made of hex digits and '-'");
            collectionId = id->asString();
        } catch (const std::exception& e) {
            throw std::runtime_error(where + "creating collection \"" + collection + "\": unexpected reply (" + e.what() + "): " + body.substr(0, 300));
        }
        return;
    }
    if (drop) {
        auto [st, body] = blockingHttp(cfg, request("DELETE", "/v1/schema/" + collection, ""), cfg.timeoutS);
        if (st >= 300 && st != 404)
            throw std::runtime_error(where + "deleting class \"" + collection + "\": HTTP " + std::to_string(st) + ": " + body.substr(0, 300));
    }
    const std::string schema = "{\"class\":\"" + collection +
                               "\",\"vectorizer\":\"none\",\"properties\":[{\"name\":\"idx\",\"dataType\":[\"text\"]}]}";
    auto [st, body] = blockingHttp(cfg, request("POST", "/v1/schema", schema), cfg.timeoutS);
    // 422 "already exists" is fine when the class is kept (recreate false).
    if (st >= 300 && !(st == 422 && body.find("already exists") != std::string::npos))
        throw std::runtime_error(where + "creating class \"" + collection + "\": HTTP " + std::to_string(st) + ": " + body.substr(0, 300));
}

void VectorWorkload::load(const RunConfig& cfg)
{
    // `count` vectors in batches through the same requests the sessions send
    // (ids "p-<n>"), one connection per batch; not measured.
    VectorSession loader(*this, -1, cfg.seed ^ 0x10adULL);
    for (int64_t done = 0; done < preload;) {
        const int n = static_cast<int>(std::min<int64_t>(batchSize, preload - done));
        auto [st, body] = blockingHttp(cfg, loader.insertRequest(n), cfg.timeoutS);
        if (st >= 300 || (backend == Backend::Weaviate && hasErrors(body)))
            throw std::runtime_error(cfg.host + ":" + std::to_string(cfg.port) + ": loading params.count vectors: batch at " +
                                     std::to_string(done) + " failed with HTTP " + std::to_string(st) + ": " + body.substr(0, 300));
        done += n;
    }
}

void VectorSession::appendVector(std::string& out)
{
    v_.resize(static_cast<size_t>(w_.dimension));
    double norm = 0;
    for (float& x : v_) {
        x = gauss_(rng_);
        norm += double(x) * x;
    }
    const double inv = norm > 0 ? 1.0 / std::sqrt(norm) : 0;
    out += '[';
    char num[32];
    for (size_t i = 0; i < v_.size(); ++i) {
        int n = std::snprintf(num, sizeof num, i ? ",%.6g" : "%.6g", v_[i] * inv);
        out.append(num, static_cast<size_t>(n));
    }
    out += ']';
}

std::string VectorSession::insertRequest(int n)
{
    // Ids: c<connection>-<n> (p-<n> for the preload), unique within a run;
    // t<task>c<connection>-<n> for the tasks of a multi-instance client.
    const std::string idPrefix = conn_ < 0 ? "p-" : w_.taskTag + "c" + std::to_string(conn_) + "-";
    body_.clear();
    if (w_.backend == Backend::Chroma) {
        std::string ids;
        body_ = "{\"embeddings\":[";
        for (int i = 0; i < n; ++i) {
            if (i) {
                body_ += ',';
                ids += ',';
            }
            appendVector(body_);
            ids += "\"" + idPrefix + std::to_string(inserted_++) + "\"";
        }
        body_ += "],\"ids\":[" + ids + "]}";
        return w_.request("POST", "/api/v1/collections/" + w_.collectionId + "/add", body_);
    }
    body_ = "{\"objects\":[";
    for (int i = 0; i < n; ++i) {
        if (i)
            body_ += ',';
        body_ += "{\"class\":\"" + w_.collection + "\",\"properties\":{\"idx\":\"" + idPrefix +
                 std::to_string(inserted_++) + "\"},\"vector\":";
        appendVector(body_);
        body_ += '}';
    }
    body_ += "]}";
    return w_.request("POST", "/v1/batch/objects", body_);
}

uint32_t VectorSession::writeRequest(std::string& out)
{
    reply_.clear();
    op_ = w_.weights[Query] <= 0 ? Insert : w_.weights[Insert] <= 0 ? Query : (uni_(rng_) < w_.insertShare ? Insert : Query);
    if (op_ == Insert) {
        out += insertRequest(w_.batchSize);
        return op_;
    }
    if (w_.backend == Backend::Chroma) {
        body_ = "{\"query_embeddings\":[";
        appendVector(body_);
        body_ += "],\"n_results\":" + std::to_string(w_.k) + ",\"include\":[\"distances\"]}";
        out += w_.request("POST", "/api/v1/collections/" + w_.collectionId + "/query", body_);
        return op_;
    }
    std::string gql = "{Get{" + w_.collection + "(nearVector:{vector:";
    appendVector(gql);
    gql += "},limit:" + std::to_string(w_.k) + "){idx _additional{distance}}}}";
    Json q = Json::object();
    q["query"] = gql;
    out += w_.request("POST", "/v1/graphql", q.dump());
    return op_;
}

// True when the reply has an "errors" member that is a non-empty object or
// array (Weaviate: per-object batch errors, GraphQL errors; "errors": null
// and [] are not failures). A scan, not a parse: replies can be large.
bool hasErrors(const std::string& reply)
{
    for (size_t p = reply.find("\"errors\""); p != std::string::npos; p = reply.find("\"errors\"", p + 8)) {
        size_t i = p + 8;
        while (i < reply.size() && (reply[i] == ' ' || reply[i] == ':' || reply[i] == '\n' || reply[i] == '\t'))
            ++i;
        if (i >= reply.size())
            return false;
        if (reply[i] == '{')
            return true;
        if (reply[i] == '[') {
            size_t j = i + 1;
            while (j < reply.size() && (reply[j] == ' ' || reply[j] == '\n'))
                ++j;
            if (j < reply.size() && reply[j] != ']')
                return true;
        }
    }
    return false;
}

void VectorSession::finish(ResponseSink& sink)
{
    if (!sink.hasCurrent())
        return;
    const int st = parser_.status();
    const char* what = kOpNames[op_];
    if (st >= 300) {
        w_.report(std::string(what) + " failed with HTTP " + std::to_string(st) + ": " + reply_.substr(0, 300));
        sink.complete(ErrorClass::HttpStatus, st);
        return;
    }
    ErrorClass outcome = ErrorClass::None;
    // Errors reported with 200: Weaviate per-object batch results and GraphQL.
    if (w_.backend == Backend::Weaviate && hasErrors(reply_))
        outcome = ErrorClass::Server;
    else if (op_ == Query && reply_.find(w_.backend == Backend::Chroma ? "\"ids\"" : "\"Get\"") == std::string::npos)
        outcome = ErrorClass::Protocol;
    if (outcome != ErrorClass::None)
        w_.report(std::string(what) + ": the server reported an error: " + reply_.substr(0, 300));
    sink.complete(outcome, st);
}

long VectorSession::onData(const char* data, size_t len, int64_t, ResponseSink& sink)
{
    size_t pos = 0;
    while (pos < len) {
        bool done = false;
        long used = parser_.feed(data + pos, len - pos, done, [this](const char* d, size_t l) {
            if (reply_.size() < (1u << 20))
                reply_.append(d, l);
        });
        if (used < 0)
            return -1;
        pos += static_cast<size_t>(used);
        if (done) {
            finish(sink);
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

}  // namespace

std::unique_ptr<Workload> makeVectorWorkload(const RunConfig& cfg)
{
    return std::make_unique<VectorWorkload>(cfg);
}

}  // namespace fbload
