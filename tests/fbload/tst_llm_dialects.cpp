// Metric dialects (params.dialects, docs/metric-dialects.md): a scripted
// OpenAI chat stream with known chunk times gives each tool's documented
// TTFT, ITL, TPOT and E2EL exactly, and the tools' ways of averaging ITL over
// requests give their documented means.
//
// The scripted stream (request start S = 0; times in ms; the server reports
// usage.completion_tokens = 4):
//   100  {"choices":[{"delta":{"role":"assistant","content":""}}]}   empty first chunk
//   250  {"choices":[{"delta":{"content":"Hello"}}]}                  1 token
//   300  {"choices":[{"delta":{"content":" big world"}}]}             2 tokens in one chunk
//   400  {"choices":[{"delta":{"content":"!"}}]}                      1 token
//   430  {"choices":[{"delta":{},"finish_reason":"stop"}]}            no text
//   440  {"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":4}}
//   450  data: [DONE]                                                 end of the stream
//
// vLLM (any chunk with a choice is a token; latency ends at the last one):
//   TTFT = 100; ITL = gaps 150, 50, 100, 30 (pooled);
//   E2EL = 430; TPOT = (430 - 100) / (4 - 1) = 110.
// AIPerf (only chunks with text; latency ends at the last one; ITL per request):
//   TTFT = 250; E2EL = 400; ITL = TPOT = (400 - 250) / (4 - 1) = 50.
// GuideLLM (only chunks with text; latency ends with the stream):
//   TTFT = 250; E2EL = 450; ITL = (400 - 250) / (4 - 1) = 50, weight 3;
//   TPOT = (400 - 0) / 4 = 100, weight 4.
// fbload's own metrics for the same stream (unchanged by dialects):
//   TTFT = 250 (first text); ITL = 50, 100 (gaps between text chunks);
//   E2EL = 450 (end of the stream); TPOT = (450 - 250) / 3 = 66.666.
//
// Aggregation over two requests, the second streaming 2 tokens with text at
// 200 and 300 (its own choice chunks), ending at 310:
//   vLLM ITL mean, pooled gaps:      (150 + 50 + 100 + 30 + 100) / 5 = 86
//   AIPerf ITL mean, per request:    (50 + 100) / 2 = 75
//   GuideLLM ITL mean, token-weighted: (50*3 + 100*1) / 4 = 62.5
#include "fbload_test_util.h"

#include "config.h"
#include "histogram.h"
#include "json.h"
#include "result.h"
#include "stats.h"
#include "workload.h"
#include "workloads/llm_dialects.h"
#include "workloads/llm_stream.h"

#include <map>

using namespace fbtest;
using namespace fbload;

namespace {

constexpr int64_t kMs = 1'000'000;

// Feeds a scripted SSE stream line by line at its times.
LlmStreamDecoder scripted(LlmApi api, const std::vector<std::pair<int64_t, std::string>>& lines, int64_t endMs)
{
    LlmStreamDecoder d(api, true);
    d.recordChunks = true;
    for (const auto& [ms, line] : lines) {
        const std::string l = line + "\n\n";
        d.feed(l.data(), l.size(), ms * kMs);
    }
    d.finish(endMs * kMs);
    return d;
}

LlmStreamDecoder requestA()
{
    return scripted(LlmApi::OpenAiChat,
                    {{100, R"(data: {"choices":[{"delta":{"role":"assistant","content":""}}]})"},
                     {250, R"(data: {"choices":[{"delta":{"content":"Hello"}}]})"},
                     {300, R"(data: {"choices":[{"delta":{"content":" big world"}}]})"},
                     {400, R"(data: {"choices":[{"delta":{"content":"!"}}]})"},
                     {430, R"(data: {"choices":[{"delta":{},"finish_reason":"stop"}]})"},
                     {440, R"(data: {"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":4}})"},
                     {450, "data: [DONE]"}},
                    450);
}

LlmStreamDecoder requestB()
{
    return scripted(LlmApi::OpenAiChat,
                    {{200, R"(data: {"choices":[{"delta":{"content":"Hi"}}]})"},
                     {300, R"(data: {"choices":[{"delta":{"content":"!"}}]})"},
                     {305, R"(data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}})"},
                     {310, "data: [DONE]"}},
                    310);
}

RequestTiming timing(const LlmStreamDecoder& d, int64_t endMs)
{
    return RequestTiming{0, endMs * kMs, d.chunks, d.completionTokens};
}

// Collects what DialectRecorder::record reports, as the engine's histograms would.
class Sink final : public ResponseSink {
public:
    std::map<int, Histogram> hist;
    InFlight cur{0, 0, 0, true};
    const InFlight& current() const override { return cur; }
    bool hasCurrent() const override { return true; }
    void record(int metric, int64_t value) override { hist[metric].record(value); }
    void recordWeighted(int metric, int64_t value, uint64_t count) override { hist[metric].record(value, count); }
    void tokens(uint64_t, uint64_t) override {}
    void sloInputs(int64_t, int64_t) override {}
    void complete(ErrorClass, int) override {}
    void fatal(const std::string&) override {}
};

std::vector<int64_t> ns(const std::vector<Weighted>& v)
{
    std::vector<int64_t> out;
    for (const auto& w : v)
        out.push_back(w.ns);
    return out;
}

}  // namespace

class TestLlmDialects : public QObject {
    Q_OBJECT
private slots:
    void decoderSeesEveryChunk();
    void vllm();
    void aiperf();
    void guidellm();
    void fbloadDefaultUnchanged();
    void noUsageFallsBackToChunks();
    void ollamaFinalLineIsNoToken();
    void aggregationAcrossRequests();
    void resultGroupsDialects();
    void paramsValidation();
    void runAgainstServe();
};

void TestLlmDialects::decoderSeesEveryChunk()
{
    const auto d = requestA();
    QVERIFY(d.done && !d.error);
    QCOMPARE(d.chunks.size(), size_t(5));  // the usage-only chunk carries neither a choice nor text
    QCOMPARE(d.completionTokens, int64_t(4));
    const std::vector<std::pair<bool, bool>> expect{{true, false}, {true, true}, {true, true}, {true, true}, {true, false}};
    for (size_t i = 0; i < expect.size(); ++i) {
        QCOMPARE(d.chunks[i].choice, expect[i].first);
        QCOMPARE(d.chunks[i].content, expect[i].second);
    }
}

void TestLlmDialects::vllm()
{
    const DialectValues v = computeDialect(Dialect::Vllm, timing(requestA(), 450));
    QCOMPARE(v.ttftNs, 100 * kMs);
    QCOMPARE(ns(v.itl), (std::vector<int64_t>{150 * kMs, 50 * kMs, 100 * kMs, 30 * kMs}));
    QCOMPARE(v.e2elNs, 430 * kMs);
    QCOMPARE(v.tpot.ns, 110 * kMs);
    QCOMPARE(v.tpot.weight, uint64_t(1));
    QCOMPARE(v.outputTokens, uint64_t(4));
}

void TestLlmDialects::aiperf()
{
    const DialectValues v = computeDialect(Dialect::Aiperf, timing(requestA(), 450));
    QCOMPARE(v.ttftNs, 250 * kMs);
    QCOMPARE(v.e2elNs, 400 * kMs);
    QCOMPARE(ns(v.itl), std::vector<int64_t>{50 * kMs});
    QCOMPARE(v.itl[0].weight, uint64_t(1));
    QCOMPARE(v.tpot.ns, 50 * kMs);
}

void TestLlmDialects::guidellm()
{
    const DialectValues v = computeDialect(Dialect::Guidellm, timing(requestA(), 450));
    QCOMPARE(v.ttftNs, 250 * kMs);
    QCOMPARE(v.e2elNs, 450 * kMs);
    QCOMPARE(ns(v.itl), std::vector<int64_t>{50 * kMs});
    QCOMPARE(v.itl[0].weight, uint64_t(3));
    QCOMPARE(v.tpot.ns, 100 * kMs);
    QCOMPARE(v.tpot.weight, uint64_t(4));
}

void TestLlmDialects::fbloadDefaultUnchanged()
{
    // What llm.cpp records as ttft/itl today: first text chunk, gaps between text chunks.
    const auto d = requestA();
    QCOMPARE(d.firstTokenNs, 250 * kMs);
    QCOMPARE(d.itlNs, (std::vector<int64_t>{50 * kMs, 100 * kMs}));
    QCOMPARE(d.lastTokenNs, 400 * kMs);
}

void TestLlmDialects::noUsageFallsBackToChunks()
{
    // Without usage every tool falls back to counting (vLLM and AIPerf count
    // tokens of the text with a tokenizer; fbload has none and counts text
    // chunks, as GuideLLM does): 3 chunks with text.
    RequestTiming t = timing(requestA(), 450);
    t.serverOutputTokens = -1;
    const DialectValues g = computeDialect(Dialect::Guidellm, t);
    QCOMPARE(g.outputTokens, uint64_t(3));
    QCOMPARE(g.itl[0].ns, 75 * kMs);           // (400 - 250) / 2
    QCOMPARE(g.itl[0].weight, uint64_t(2));
    QCOMPARE(g.tpot.ns, 400 * kMs / 3);        // (400 - 0) / 3, in whole ns
    const DialectValues v = computeDialect(Dialect::Vllm, t);
    QCOMPARE(v.tpot.ns, 165 * kMs);            // (430 - 100) / 2
}

void TestLlmDialects::ollamaFinalLineIsNoToken()
{
    // Ollama NDJSON: the final done line (empty text, counts) is not a token for any tool.
    LlmStreamDecoder d(LlmApi::OllamaChat, true);
    d.recordChunks = true;
    const std::vector<std::pair<int64_t, std::string>> lines{
        {50, R"({"message":{"role":"assistant","content":""},"done":false})"},
        {120, R"({"message":{"role":"assistant","content":"Hi"},"done":false})"},
        {200, R"({"message":{"role":"assistant","content":" there"},"done":false})"},
        {260, R"({"message":{"role":"assistant","content":""},"done":true,"eval_count":2,"prompt_eval_count":5})"}};
    for (const auto& [ms, l] : lines) {
        const std::string x = l + "\n";
        d.feed(x.data(), x.size(), ms * kMs);
    }
    d.finish(260 * kMs);
    const RequestTiming t{0, 260 * kMs, d.chunks, d.completionTokens};
    const DialectValues v = computeDialect(Dialect::Vllm, t);
    QCOMPARE(v.ttftNs, 50 * kMs);   // the empty first line has a message: vLLM's "choice"
    QCOMPARE(v.e2elNs, 200 * kMs);  // not the done line
    QCOMPARE(v.tpot.ns, 150 * kMs); // (200 - 50) / (2 - 1)
    const DialectValues g = computeDialect(Dialect::Guidellm, t);
    QCOMPARE(g.ttftNs, 120 * kMs);
    QCOMPARE(g.e2elNs, 260 * kMs);
}

void TestLlmDialects::aggregationAcrossRequests()
{
    Json params = Json::object();
    params["dialects"] = Json(JsonArray{Json("vllm"), Json("aiperf"), Json("guidellm")});
    const DialectRecorder rec = DialectRecorder::fromParams(params, 10);
    std::vector<MetricSpec> specs;
    rec.addMetrics(specs);
    QCOMPARE(specs.size(), size_t(12));
    QCOMPARE(QString::fromStdString(specs[0].name), QString("dialect.vllm.ttft"));
    QCOMPARE(QString::fromStdString(specs[5].name), QString("dialect.aiperf.itl"));
    QCOMPARE(QString::fromStdString(specs[11].name), QString("dialect.guidellm.e2el"));
    Sink sink;
    rec.record(timing(requestA(), 450), sink);
    rec.record(timing(requestB(), 310), sink);
    // Ids: 10 + 4 * dialect + {ttft, itl, tpot, e2el}; histograms hold µs.
    QCOMPARE(sink.hist[10 + 1].count(), uint64_t(5));
    QCOMPARE(sink.hist[10 + 1].mean(), 86000.0);  // vLLM: pooled gaps
    QCOMPARE(sink.hist[14 + 1].count(), uint64_t(2));
    QCOMPARE(sink.hist[14 + 1].mean(), 75000.0);  // AIPerf: one mean per request
    QCOMPARE(sink.hist[18 + 1].count(), uint64_t(4));
    QCOMPARE(sink.hist[18 + 1].mean(), 62500.0);  // GuideLLM: weighted by gaps
    // GuideLLM TPOT: A 100 ms x 4, B (300 - 0) / 2 = 150 ms x 2 -> 700 / 6.
    QCOMPARE(sink.hist[18 + 2].count(), uint64_t(6));
    QCOMPARE(sink.hist[18 + 2].sum(), 700000.0);
    QCOMPARE(sink.hist[10 + 0].min(), int64_t(100000));  // vLLM TTFT of A
    QCOMPARE(sink.hist[18 + 3].max(), int64_t(450000));  // GuideLLM E2EL of A
}

void TestLlmDialects::resultGroupsDialects()
{
    RunStats s;
    s.init({{"latency", "us"}, {"service_time", "us"}, {"ttft", "us"}, {"dialect.vllm.ttft", "us"},
            {"dialect.aiperf.itl", "us"}},
           {"openai-chat"});
    s.hist[3].record(100000);
    s.hist[4].record(50000, 3);
    ResultMeta meta;
    meta.measureEndUnix = 1;
    const Json doc = buildResult(s, meta);
    const Json& sum = *doc.find("summary");
    QVERIFY(sum.find("metrics")->find("ttft"));
    QVERIFY(!sum.find("metrics")->find("dialect.vllm.ttft"));  // grouped, not listed twice
    const Json* d = sum.find("dialects");
    QVERIFY(d);
    QCOMPARE(d->find("vllm")->find("ttft")->find("p50")->asDouble(), 100.0);
    QCOMPARE(d->find("aiperf")->find("itl")->find("count")->asInt(), int64_t(3));
    // ... and the histograms keep them, so `fbload merge` combines them.
    QVERIFY(doc.find("histograms")->find("dialect.aiperf.itl"));
}

void TestLlmDialects::paramsValidation()
{
    Json p = Json::object();
    p["dialects"] = Json(JsonArray{Json("vllm"), Json("lmperf")});
    try {
        DialectRecorder::fromParams(p, 0);
        QFAIL("an unknown dialect was accepted");
    } catch (const ConfigError& e) {
        QVERIFY2(QString(e.what()).contains("params.dialects[1]"), e.what());
    }
    p["dialects"] = "vllm";
    QVERIFY_THROWS_EXCEPTION(ConfigError, DialectRecorder::fromParams(p, 0));
    QVERIFY(DialectRecorder::fromParams(Json::object(), 0).empty());
}

void TestLlmDialects::runAgainstServe()
{
    // End to end: `--set params.dialects=[...]` adds the blocks; `fbload serve`
    // sends text in every chunk, so the tools agree on TTFT within a chunk.
    QVERIFY2(!fbloadBin().isEmpty(), "FBLOAD_BIN is not set");
    ServeProcess serve({"--api", "openai", "--ttft-ms", "50", "--tpot-ms", "5"});
    QVERIFY2(serve.port() > 0, qPrintable(serve.errors()));
    QTemporaryDir dir;
    const QString out = dir.filePath("r.json");
    auto r = runFbload({"run", "--workload", "llm", "--target", serve.target(), "--out", out, "--requests", "8",
                        "--concurrency", "4", "--set", "params.model=synthetic", "--set", "params.max_tokens=6",
                        "--set", "params.dialects=[\"vllm\",\"aiperf\",\"guidellm\"]"},
                       out);
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const QJsonObject d = r.result["summary"].toObject()["dialects"].toObject();
    QCOMPARE(d.keys(), (QStringList{"aiperf", "guidellm", "vllm"}));
    for (const QString& tool : d.keys())
        for (const char* m : {"ttft", "itl", "tpot", "e2el"})
            QVERIFY2(d[tool].toObject()[m].toObject()["count"].toInteger() > 0, qPrintable(tool + "." + QString(m)));
    QCOMPARE(d["vllm"].toObject()["ttft"].toObject()["count"].toInteger(), 8);
    QCOMPARE(d["aiperf"].toObject()["itl"].toObject()["count"].toInteger(), 8);  // one per request
    QVERIFY(!r.result["summary"].toObject()["metrics"].toObject().contains("dialect.vllm.ttft"));
    // GuideLLM's TPOT includes the first token, so it is above vLLM's at TTFT 50 ms >> 5 ms/token.
    QVERIFY(d["guidellm"].toObject()["tpot"].toObject()["mean"].toDouble() >
            d["vllm"].toObject()["tpot"].toObject()["mean"].toDouble());
}

QTEST_GUILESS_MAIN(TestLlmDialects)
#include "tst_llm_dialects.moc"
