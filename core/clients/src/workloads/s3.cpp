// The s3 workload: PUT, GET, LIST and DELETE of objects over keep-alive HTTP
// connections, every request signed with AWS Signature V4 (sigv4.h), with
// multipart upload for objects from `multipart_threshold` up.
//
// Objects are addressed path-style (/bucket/key), which S3, MinIO and s3rver
// all accept. Object number i is named <key_prefix>obj-<i>; its size comes
// from the size distribution through a hash of i and its bytes from
// s3ObjectBytes(i), so a GET is verified (length and every byte) against the
// key alone. A multipart upload is a sequence of requests on one connection
// (initiate, the parts, complete), each measured as its own operation.
#include "s3.h"

#include "../config.h"
#include "../json.h"
#include "http.h"
#include "http_parser.h"
#include "sigv4.h"
#include "vector_http.h"

#include <algorithm>
#include <cmath>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netdb.h>
#include <random>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace fbload {

namespace {

uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// User-facing operations, then the steps of a multipart upload.
enum Op : uint32_t { Put, Get, List, Delete, MpInit, MpPart, MpComplete, OpCount };
const char* const kOpNames[OpCount] = {"put", "get", "list", "delete", "multipart_init", "multipart_part",
                                       "multipart_complete"};

}  // namespace

uint64_t s3ObjectWord(uint64_t index, uint64_t w)
{
    return splitmix64(splitmix64(index ^ 0x5333u) + w);
}

void s3ObjectBytes(std::string& out, uint64_t index, size_t size)
{
    out.resize(size);
    for (size_t off = 0; off < size; off += 8) {
        uint64_t v = s3ObjectWord(index, off / 8);
        for (size_t b = 0; b < 8 && off + b < size; ++b)
            out[off + b] = static_cast<char>((v >> (8 * b)) & 0xff);
    }
}

namespace {

// A byte count: a number, or a string with a unit as recipes write it
// ("64KiB", "16MiB", "1GB"; K/KiB = 1024, KB = 1000). Names the field.
int64_t parseSize(const Json& v, const std::string& where, int64_t min, int64_t max)
{
    double bytes = -1;
    if (v.isNumber()) {
        bytes = v.asDouble();
    } else if (v.isString()) {
        const std::string& t = v.asString();
        size_t i = 0;
        while (i < t.size() && ((t[i] >= '0' && t[i] <= '9') || t[i] == '.'))
            ++i;
        std::string unit = t.substr(i);
        while (!unit.empty() && unit.front() == ' ')
            unit.erase(0, 1);
        static const std::pair<const char*, double> kUnits[] = {
            {"", 1}, {"B", 1}, {"K", 1024.0}, {"KiB", 1024.0}, {"KB", 1e3}, {"M", 1048576.0}, {"MiB", 1048576.0},
            {"MB", 1e6}, {"G", 1073741824.0}, {"GiB", 1073741824.0}, {"GB", 1e9}};
        for (const auto& [name, mult] : kUnits)
            if (i > 0 && unit == name)
                bytes = std::strtod(t.substr(0, i).c_str(), nullptr) * mult;
    }
    if (bytes < static_cast<double>(min) || bytes > static_cast<double>(max) || bytes != std::floor(bytes))
        throw ConfigError(where + ": expected a whole number of bytes from " + std::to_string(min) + " to " +
                          std::to_string(max) + ", or a size such as \"64KiB\", got " + v.dump());
    return static_cast<int64_t>(bytes);
}

int64_t sizeParam(const Json& p, const char* key, int64_t def, int64_t min, int64_t max)
{
    const Json* v = p.find(key);
    return v && !v->isNull() ? parseSize(*v, std::string("params.") + key, min, max) : def;
}

struct SizeClass {
    size_t size;
    double cumulative;  // normalised upper bound of this class
};

class S3Workload;

class S3Session final : public Session {
public:
    // A part's ETag is a response header: the parser keeps it for finish().
    S3Session(const S3Workload& w, uint64_t seed) : w_(w), rng_(seed) { parser_.captureHeader("etag"); }
    uint32_t writeRequest(std::string& out) override;
    long onData(const char* data, size_t len, int64_t nowNs, ResponseSink& sink) override;
    void onEof(int64_t nowNs, ResponseSink& sink) override;
    bool wantsReconnect() const override { return reconnect_; }
    void reset() override
    {
        parser_.reset();
        reconnect_ = false;
        multipart_ = false;  // an upload cut by a lost connection is abandoned
    }

private:
    void sign(std::string& out, const char* method, const std::string& path,
              std::vector<std::pair<std::string, std::string>> query, const std::string& body);
    void onBody(const char* d, size_t l);
    void finish(ResponseSink& sink);
    uint64_t nextKey();

    const S3Workload& w_;
    std::mt19937_64 rng_;
    std::uniform_real_distribution<double> uni_{0.0, 1.0};
    HttpResponseParser parser_;
    bool reconnect_ = false;
    std::string body_;      // request body being sent
    std::string captured_;  // response body kept for LIST and multipart replies
    std::string etag_;      // ETag header of the current response
    uint32_t op_ = Put;
    uint64_t key_ = 0;
    // GET verification state.
    size_t expected_ = 0, received_ = 0;
    uint64_t wordIndex_ = UINT64_MAX, word_ = 0;  // the expected word being compared
    bool mismatch_ = false;
    // Multipart upload in progress on this connection.
    bool multipart_ = false;
    uint64_t mpKey_ = 0;
    size_t mpSize_ = 0, mpNextPart_ = 0, mpParts_ = 0;
    std::string uploadId_;
    std::vector<std::string> etags_;
};

class S3Workload final : public Workload {
public:
    explicit S3Workload(const RunConfig& cfg)
    {
        const Json& p = cfg.params;
        param::rejectUnknown(p, {"bucket", "create_bucket", "access_key", "secret_key", "region", "key_prefix",
                                 "objects", "key_distribution", "operations", "object_size", "object_sizes",
                                 "multipart_threshold", "part_size", "verify", "list_max_keys", "list_expect",
                                 "payload", "host_header"});
        bucket = param::string(p, "bucket", "fbload");
        // S3 bucket naming rules (3-63 lower-case letters, digits, '.', '-').
        if (bucket.size() < 3 || bucket.size() > 63 ||
            bucket.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") != std::string::npos)
            throw ConfigError("params.bucket: expected 3-63 lower-case letters, digits, '.' or '-', got \"" + bucket + "\"");
        createBucket = param::boolean(p, "create_bucket", true);
        const char* envAccess = std::getenv("AWS_ACCESS_KEY_ID");
        const char* envSecret = std::getenv("AWS_SECRET_ACCESS_KEY");
        creds.accessKey = param::lineString(p, "access_key", envAccess ? envAccess : "");
        creds.secretKey = param::string(p, "secret_key", envSecret ? envSecret : "");
        if (creds.accessKey.empty() || creds.secretKey.empty())
            throw ConfigError("params.access_key/params.secret_key: S3 credentials are required (params or "
                              "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)");
        creds.region = param::lineString(p, "region", "us-east-1");
        creds.service = "s3";
        prefix = param::lineString(p, "key_prefix", "fbload/");
        // Tasks of one client (--tasks N) each own the keys under <key_prefix>t<I>/.
        if (cfg.task.multi())
            prefix += "t" + std::to_string(cfg.task.index) + "/";
        keyspace = static_cast<uint64_t>(param::integer(p, "objects", 1000, 1, int64_t{1} << 40));
        std::string dist = param::string(p, "key_distribution", "uniform");
        if (dist != "uniform" && dist != "sequential")
            throw ConfigError("params.key_distribution: expected uniform or sequential, got \"" + dist + "\"");
        sequential = dist == "sequential";
        parseOperations(p);
        parseSizes(p);
        multipartThreshold = static_cast<size_t>(sizeParam(p, "multipart_threshold", int64_t{64} << 20, 1, int64_t{5} << 40));
        // S3 and MinIO refuse parts under 5 MiB (except the last one).
        partSize = static_cast<size_t>(sizeParam(p, "part_size", int64_t{8} << 20, int64_t{5} << 20, int64_t{5} << 30));
        partSize &= ~size_t{7};  // parts start on 8-byte words of the object stream (see writeRequest)
        verify = param::boolean(p, "verify", true);
        listMaxKeys = static_cast<int>(param::integer(p, "list_max_keys", 1000, 1, 1000));
        listExpect = param::integer(p, "list_expect", -1, -1, int64_t{1} << 40);
        std::string payload = param::string(p, "payload", "signed");
        if (payload != "signed" && payload != "unsigned")
            throw ConfigError("params.payload: expected signed or unsigned, got \"" + payload + "\"");
        unsignedPayload = payload == "unsigned";
        hostHeader = param::lineString(p, "host_header", cfg.host + ":" + std::to_string(cfg.port));
        for (size_t s : sizes)
            usesMultipart = usesMultipart || s >= multipartThreshold;
    }

    std::string name() const override { return "s3"; }
    std::vector<std::string> opNames() const override
    {
        std::vector<std::string> n(kOpNames, kOpNames + (usesMultipart ? OpCount : MpInit));
        return n;
    }
    std::unique_ptr<Session> newSession(int, uint64_t seed) const override
    {
        return std::make_unique<S3Session>(*this, seed);
    }
    void prepare(const RunConfig& cfg) override;
    void describe(Json& runParams) const override
    {
        runParams["s3_bucket"] = bucket;
        runParams["s3_key_prefix"] = prefix;
        runParams["s3_multipart"] = usesMultipart;
    }

    uint32_t pickOp(double u) const
    {
        auto it = std::upper_bound(opCumulative.begin(), opCumulative.end(), u);
        return ops[std::min(static_cast<size_t>(it - opCumulative.begin()), ops.size() - 1)];
    }
    size_t sizeOf(uint64_t index) const
    {
        double u = static_cast<double>(splitmix64(index ^ 0x517e) >> 11) * 0x1.0p-53;
        for (const SizeClass& c : sizeClasses)
            if (u < c.cumulative)
                return c.size;
        return sizeClasses.back().size;
    }
    std::string objectKey(uint64_t index) const { return prefix + "obj-" + std::to_string(index); }
    // "/bucket/encoded-key"
    std::string objectPath(uint64_t index) const { return "/" + bucket + "/" + sigv4::uriEncode(objectKey(index), false); }

    std::string bucket, prefix, hostHeader;
    sigv4::Credentials creds;
    bool createBucket = true, sequential = false, verify = true, unsignedPayload = false, usesMultipart = false;
    uint64_t keyspace = 1000;
    std::vector<uint32_t> ops;
    std::vector<double> opCumulative;
    std::vector<SizeClass> sizeClasses;
    std::vector<size_t> sizes;
    size_t multipartThreshold = 0, partSize = 0;
    int listMaxKeys = 1000;
    int64_t listExpect = -1;
    mutable std::atomic<uint64_t> sequence{0};
    mutable std::atomic<bool> reported{false};  // first integrity failure printed once

private:
    void parseOperations(const Json& p)
    {
        double total = 0;
        const Json* o = p.find("operations");
        if (!o || o->isNull()) {
            ops = {Put, Get};
            opCumulative = {0.5, 1.0};
            return;
        }
        if (!o->isObject() || o->asObject().empty())
            throw ConfigError("params.operations: expected an object of weights such as {\"put\":0.2,\"get\":0.8}");
        for (const auto& [name, weight] : o->asObject()) {
            int idx = -1;
            for (int i = 0; i < static_cast<int>(MpInit); ++i)
                if (name == kOpNames[i])
                    idx = i;
            if (idx < 0)
                throw ConfigError("params.operations." + name + ": unknown operation (known: put, get, list, delete)");
            if (!weight.isNumber() || weight.asDouble() < 0)
                throw ConfigError("params.operations." + name + ": expected a non-negative number, got " + weight.dump());
            if (weight.asDouble() > 0) {
                ops.push_back(static_cast<uint32_t>(idx));
                total += weight.asDouble();
                opCumulative.push_back(total);
            }
        }
        if (total <= 0)
            throw ConfigError("params.operations: at least one weight must be positive");
        for (double& c : opCumulative)
            c /= total;
    }

    void parseSizes(const Json& p)
    {
        const int64_t kMax = int64_t{5} << 30;  // S3's largest single object part
        const Json* list = p.find("object_sizes");
        if (list && !list->isNull()) {
            if (p.find("object_size") && !p.find("object_size")->isNull())
                throw ConfigError("params.object_sizes: give either object_size or object_sizes, not both");
            if (!list->isArray() || list->asArray().empty())
                throw ConfigError("params.object_sizes: expected an array such as [{\"size\":4096,\"weight\":0.9},{\"size\":1048576,\"weight\":0.1}]");
            double total = 0;
            size_t i = 0;
            for (const Json& e : list->asArray()) {
                const std::string where = "params.object_sizes[" + std::to_string(i++) + "]";
                if (!e.isObject())
                    throw ConfigError(where + ": expected an object {\"size\":bytes,\"weight\":w}");
                const Json* s = e.find("size");
                const Json* w = e.find("weight");
                if (!s)
                    throw ConfigError(where + ".size: missing");
                const size_t bytes = static_cast<size_t>(parseSize(*s, where + ".size", 0, kMax));
                double weight = w ? (w->isNumber() ? w->asDouble() : -1) : 1.0;
                if (weight < 0)
                    throw ConfigError(where + ".weight: expected a non-negative number");
                if (weight == 0)
                    continue;
                total += weight;
                sizes.push_back(bytes);
                sizeClasses.push_back({sizes.back(), total});
            }
            if (total <= 0)
                throw ConfigError("params.object_sizes: at least one weight must be positive");
            for (SizeClass& c : sizeClasses)
                c.cumulative /= total;
            return;
        }
        size_t s = static_cast<size_t>(sizeParam(p, "object_size", 4096, 0, kMax));
        sizes = {s};
        sizeClasses = {{s, 1.0}};
    }
};

void S3Workload::prepare(const RunConfig& cfg)
{
    const std::string where = cfg.host + ":" + std::to_string(cfg.port) + ": bucket \"" + bucket + "\"";
    auto exchange = [&](const char* method) {
        const std::string date = sigv4::amzDateNow();
        const std::string hash = sigv4::sha256Hex("");
        sigv4::Request r{method, "/" + bucket, {}, {{"host", hostHeader}, {"x-amz-content-sha256", hash}, {"x-amz-date", date}}, hash};
        std::vector<std::pair<std::string, std::string>> headers = {
            {"x-amz-content-sha256", hash}, {"x-amz-date", date}, {"Authorization", sigv4::authorization(r, creds, date)}};
        return blockingHttp(cfg, buildHttpRequest(method, "/" + bucket, hostHeader, headers, ""), cfg.timeoutS,
                            std::string_view(method) == "HEAD");
    };
    // HEAD first: it checks the credentials and the bucket before any load.
    auto [headStatus, unused] = exchange("HEAD");
    (void)unused;
    if (headStatus == 200)
        return;
    if (headStatus == 403)
        throw std::runtime_error(where + ": access denied (HTTP 403): check params.access_key and params.secret_key");
    if (headStatus != 404)
        throw std::runtime_error(where + ": HEAD answered HTTP " + std::to_string(headStatus));
    if (!createBucket)
        throw std::runtime_error(where + ": no such bucket (and params.create_bucket is false)");
    auto [status, body] = exchange("PUT");
    // 409 BucketAlreadyOwnedByYou: created meanwhile by another client of ours.
    if (status == 200 || (status == 409 && body.find("BucketAlreadyOwnedByYou") != std::string::npos))
        return;
    throw std::runtime_error(where + ": creating it failed with HTTP " + std::to_string(status) + ": " + body.substr(0, 300));
}

uint64_t S3Session::nextKey()
{
    if (w_.sequential)
        return w_.sequence.fetch_add(1, std::memory_order_relaxed) % w_.keyspace;
    return rng_() % w_.keyspace;
}

void S3Session::sign(std::string& out, const char* method, const std::string& path,
                     std::vector<std::pair<std::string, std::string>> query, const std::string& body)
{
    const std::string date = sigv4::amzDateNow();
    const std::string hash = w_.unsignedPayload ? "UNSIGNED-PAYLOAD" : sigv4::sha256Hex(body);
    sigv4::Request r{method, path, query, {{"host", w_.hostHeader}, {"x-amz-content-sha256", hash}, {"x-amz-date", date}}, hash};
    // The signing key could be cached per day, but four HMACs are noise next
    // to hashing the body, and one code path is the one tst_sigv4 checks.
    const std::string auth = sigv4::authorization(r, w_.creds, date);
    std::string target = path;
    if (!query.empty())
        target += '?' + sigv4::canonicalQuery(query);
    out += buildHttpRequest(method, target, w_.hostHeader,
                            {{"x-amz-content-sha256", hash}, {"x-amz-date", date}, {"Authorization", auth}}, body);
}

uint32_t S3Session::writeRequest(std::string& out)
{
    captured_.clear();
    etag_.clear();
    received_ = 0;
    wordIndex_ = UINT64_MAX;
    mismatch_ = false;
    parser_.expectNoBody(false);
    if (multipart_) {
        if (mpNextPart_ < mpParts_) {
            op_ = MpPart;
            size_t off = mpNextPart_ * w_.partSize;
            size_t len = std::min(w_.partSize, mpSize_ - off);
            // The object's bytes are a function of the word index, so a part
            // starting at a multiple of 8 is that slice of the whole object.
            body_.resize(len);
            for (size_t i = 0; i < len; i += 8) {
                uint64_t v = s3ObjectWord(mpKey_, (off + i) / 8);
                for (size_t b = 0; b < 8 && i + b < len; ++b)
                    body_[i + b] = static_cast<char>((v >> (8 * b)) & 0xff);
            }
            ++mpNextPart_;
            sign(out, "PUT", w_.objectPath(mpKey_),
                 {{"partNumber", std::to_string(mpNextPart_)}, {"uploadId", uploadId_}}, body_);
        } else {
            op_ = MpComplete;
            body_ = "<CompleteMultipartUpload>";
            for (size_t i = 0; i < etags_.size(); ++i)
                body_ += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + etags_[i] + "</ETag></Part>";
            body_ += "</CompleteMultipartUpload>";
            sign(out, "POST", w_.objectPath(mpKey_), {{"uploadId", uploadId_}}, body_);
        }
        return op_;
    }
    op_ = w_.ops.size() == 1 ? w_.ops[0] : w_.pickOp(uni_(rng_));
    switch (op_) {
    case Put:
        key_ = nextKey();
        if (w_.sizeOf(key_) >= w_.multipartThreshold) {
            op_ = MpInit;
            multipart_ = true;
            mpKey_ = key_;
            mpSize_ = w_.sizeOf(key_);
            mpParts_ = (mpSize_ + w_.partSize - 1) / w_.partSize;
            mpNextPart_ = 0;
            etags_.clear();
            uploadId_.clear();
            body_.clear();
            sign(out, "POST", w_.objectPath(mpKey_), {{"uploads", ""}}, body_);
            break;
        }
        s3ObjectBytes(body_, key_, w_.sizeOf(key_));
        sign(out, "PUT", w_.objectPath(key_), {}, body_);
        break;
    case Get:
        key_ = nextKey();
        expected_ = w_.sizeOf(key_);
        body_.clear();
        sign(out, "GET", w_.objectPath(key_), {}, body_);
        break;
    case List:
        body_.clear();
        sign(out, "GET", "/" + w_.bucket,
             {{"list-type", "2"}, {"max-keys", std::to_string(w_.listMaxKeys)}, {"prefix", w_.prefix}}, body_);
        break;
    case Delete:
        key_ = nextKey();
        body_.clear();
        sign(out, "DELETE", w_.objectPath(key_), {}, body_);
        break;
    default:
        break;
    }
    return op_;
}

void S3Session::onBody(const char* d, size_t l)
{
    if (op_ == Get) {
        // Error replies (404 NoSuchKey ...) carry XML, not the object.
        if (!w_.verify || mismatch_ || parser_.status() >= 300)
            return;
        // Compare against the expected stream as bytes arrive, one hash per
        // 8-byte word (chunks may split words anywhere).
        for (size_t i = 0; i < l; ++i) {
            size_t off = received_ + i;
            if (off / 8 != wordIndex_) {
                wordIndex_ = off / 8;
                word_ = s3ObjectWord(key_, wordIndex_);
            }
            if (off >= expected_ || static_cast<char>((word_ >> (8 * (off % 8))) & 0xff) != d[i]) {
                mismatch_ = true;
                if (!w_.reported.exchange(true))
                    std::fprintf(stderr, "fbload: s3: integrity check failed: object \"%s\" differs at byte %zu\n",
                                 w_.objectKey(key_).c_str(), off);
                break;
            }
        }
        received_ += l;
    } else if (captured_.size() < (1u << 20)) {
        captured_.append(d, l);
    }
}

// The text of <tag>...</tag> in the captured reply (empty when absent).
std::string xmlText(const std::string& xml, const std::string& tag)
{
    size_t a = xml.find("<" + tag + ">");
    if (a == std::string::npos)
        return {};
    a += tag.size() + 2;
    size_t b = xml.find("</" + tag + ">", a);
    return b == std::string::npos ? std::string() : xml.substr(a, b - a);
}

void S3Session::finish(ResponseSink& sink)
{
    if (!sink.hasCurrent())
        return;
    const int st = parser_.status();
    ErrorClass outcome = st < 300 ? ErrorClass::None : ErrorClass::HttpStatus;
    if (op_ >= MpInit && outcome != ErrorClass::None)
        multipart_ = false;  // give the upload up; the next put starts afresh
    if (outcome == ErrorClass::None) {
        switch (op_) {
        case Get:
            if (w_.verify && (mismatch_ || received_ != expected_)) {
                if (!mismatch_ && !w_.reported.exchange(true))
                    std::fprintf(stderr, "fbload: s3: integrity check failed: object \"%s\" has %zu bytes, expected %zu\n",
                                 w_.objectKey(key_).c_str(), received_, expected_);
                outcome = ErrorClass::Protocol;
            }
            break;
        case List:
            if (w_.listExpect >= 0) {
                // Counted from the <Key> elements, not the server's KeyCount.
                int64_t n = 0;
                for (size_t p = captured_.find("<Key>"); p != std::string::npos; p = captured_.find("<Key>", p + 5))
                    ++n;
                int64_t want = std::min<int64_t>(w_.listExpect, w_.listMaxKeys);
                if (n != want) {
                    if (!w_.reported.exchange(true))
                        std::fprintf(stderr, "fbload: s3: LIST of bucket \"%s\" prefix \"%s\" returned %lld keys, expected %lld\n",
                                     w_.bucket.c_str(), w_.prefix.c_str(), static_cast<long long>(n), static_cast<long long>(want));
                    outcome = ErrorClass::Protocol;
                }
            }
            break;
        case MpInit:
            uploadId_ = xmlText(captured_, "UploadId");
            if (uploadId_.empty()) {
                multipart_ = false;
                outcome = ErrorClass::Protocol;
            }
            break;
        case MpPart:
            etag_ = parser_.capturedHeader();
            if (etag_.empty()) {
                multipart_ = false;
                outcome = ErrorClass::Protocol;
            } else {
                etags_.push_back(etag_);
            }
            break;
        case MpComplete:
            multipart_ = false;
            // S3 may answer 200 and still report the failure in the body.
            if (captured_.find("<Error>") != std::string::npos)
                outcome = ErrorClass::Server;
            break;
        default:
            break;
        }
    }
    sink.complete(outcome, st);
}

long S3Session::onData(const char* data, size_t len, int64_t, ResponseSink& sink)
{
    size_t pos = 0;
    while (pos < len) {
        bool done = false;
        long used = parser_.feed(data + pos, len - pos, done, [this](const char* d, size_t l) { onBody(d, l); });
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

void S3Session::onEof(int64_t, ResponseSink& sink)
{
    if (parser_.finishOnEof())
        finish(sink);
}

}  // namespace

std::unique_ptr<Workload> makeS3Workload(const RunConfig& cfg)
{
    return std::make_unique<S3Workload>(cfg);
}

}  // namespace fbload
