// `fbload serve` in-process, without sockets or clocks: the capacity model's
// due times (slots, FIFO queue, token budget, cancellation, seeded jitter)
// and the request parser and answer formats, the latter read back with
// fbload's own stream decoder.
#include "serve/capacity_model.h"
#include "serve/http_request.h"
#include "serve/llm_protocol.h"
#include "workloads/llm_stream.h"

#include <QtTest>

#include <cmath>
#include <string>
#include <vector>

using namespace fbload;
using namespace fbload::serve;

namespace {
constexpr int64_t kMs = 1'000'000;

// Every token of the model as (id, index, due ms), until none is left.
std::vector<CapacityModel::Due> drain(CapacityModel& m)
{
    std::vector<CapacityModel::Due> out;
    CapacityModel::Due d;
    while (m.popDue(INT64_MAX, d))
        out.push_back(d);
    return out;
}
}  // namespace

class TestServeModel : public QObject {
    Q_OBJECT
private slots:
    void fixedTiming();
    void slotsQueueFifo();
    void cancelFreesSlot();
    void tokenBudget();
    void jitterIsSeededWithTheGivenMean();
    void httpRequests();
    void answersDecode_data();
    void answersDecode();
};

void TestServeModel::fixedTiming()
{
    TimingOptions t;
    t.ttftMs = 100;
    t.tpotMs = 10;
    CapacityModel m(t);
    m.add(0, 3);
    const auto d = drain(m);
    QCOMPARE(d.size(), size_t(3));
    QCOMPARE(d[0].dueNs, 100 * kMs);
    QCOMPARE(d[1].dueNs, 110 * kMs);
    QCOMPARE(d[2].dueNs, 120 * kMs);
    QVERIFY(d[2].last && !d[1].last);
    QCOMPARE(m.running(), size_t(0));
}

void TestServeModel::slotsQueueFifo()
{
    // S = 2, three requests of 2 tokens (D = 50 + 10 = 60 ms): the third is
    // admitted when the first releases its slot, at 60 ms.
    TimingOptions t;
    t.ttftMs = 50;
    t.tpotMs = 10;
    t.maxSequences = 2;
    CapacityModel m(t);
    const auto a = m.add(0, 2), b = m.add(1 * kMs, 2), c = m.add(2 * kMs, 2);
    QCOMPARE(m.running(), size_t(2));
    QCOMPARE(m.waiting(), size_t(1));
    CapacityModel::Due d;
    QVERIFY(!m.popDue(49 * kMs, d));
    std::vector<std::pair<CapacityModel::Id, int64_t>> seen;
    while (m.popDue(INT64_MAX, d)) {
        seen.emplace_back(d.id, d.dueNs);
        if (d.id == a && d.last)
            QCOMPARE(m.admittedNs(c), 60 * kMs);
    }
    const std::vector<std::pair<CapacityModel::Id, int64_t>> expected{
        {a, 50 * kMs}, {b, 51 * kMs}, {a, 60 * kMs}, {b, 61 * kMs}, {c, 110 * kMs}, {c, 120 * kMs}};
    QCOMPARE(seen, expected);
    QCOMPARE(m.waiting(), size_t(0));
}

void TestServeModel::cancelFreesSlot()
{
    TimingOptions t;
    t.ttftMs = 50;
    t.tpotMs = 10;
    t.maxSequences = 1;
    CapacityModel m(t);
    const auto a = m.add(0, 5);
    const auto b = m.add(0, 5);
    const auto c = m.add(0, 1);
    m.cancel(b, 1 * kMs);  // leaves the queue
    QCOMPARE(m.waiting(), size_t(1));
    m.cancel(a, 10 * kMs);  // frees the slot: c is admitted at 10 ms
    QCOMPARE(m.running(), size_t(1));
    QCOMPARE(m.admittedNs(c), 10 * kMs);
    const auto d = drain(m);
    QCOMPARE(d.size(), size_t(1));
    QCOMPARE(d[0].id, c);
    QCOMPARE(d[0].dueNs, 60 * kMs);
}

void TestServeModel::tokenBudget()
{
    // 4 running under T = 100 tokens/s: d = max(10 ms, 4/100 s) = 40 ms.
    TimingOptions t;
    t.ttftMs = 0;
    t.tpotMs = 10;
    t.tokensPerS = 100;
    CapacityModel m(t);
    for (int i = 0; i < 4; ++i)
        m.add(0, 3);
    CapacityModel::Due d;
    std::vector<int64_t> firstStream;
    while (m.popDue(INT64_MAX, d))
        if (d.id == 0)
            firstStream.push_back(d.dueNs);
    QCOMPARE(firstStream, (std::vector<int64_t>{0, 40 * kMs, 80 * kMs}));
}

void TestServeModel::jitterIsSeededWithTheGivenMean()
{
    for (JitterDist dist : {JitterDist::Normal, JitterDist::LogNormal}) {
        TimingOptions t;
        t.ttftMs = 0;
        t.tpotMs = 20;
        t.jitterMs = 4;
        t.jitter = dist;
        t.seed = 7;
        CapacityModel a(t), b(t);
        a.add(0, 20001);
        b.add(0, 20001);
        const auto da = drain(a), db = drain(b);
        double sum = 0, sq = 0;
        for (size_t i = 1; i < da.size(); ++i) {
            QCOMPARE(da[i].dueNs, db[i].dueNs);  // the same seed, the same times
            const double gap = double(da[i].dueNs - da[i - 1].dueNs) / kMs;
            sum += gap;
            sq += gap * gap;
        }
        const double n = double(da.size() - 1), mean = sum / n, sd = std::sqrt(sq / n - mean * mean);
        // 20,000 draws: the standard error of the mean is 4/sqrt(20000) = 0.03 ms.
        QVERIFY2(std::abs(mean - 20) < 0.15, qPrintable(QString("mean %1").arg(mean)));
        QVERIFY2(std::abs(sd - 4) < 0.2, qPrintable(QString("sd %1").arg(sd)));
    }
}

void TestServeModel::httpRequests()
{
    HttpRequest r;
    size_t used = 0;
    std::string error;
    const std::string two = "POST /v1/completions?x=1 HTTP/1.1\r\nContent-Length: 2\r\nconnection: close\r\n\r\n{}"
                            "GET / HTTP/1.0\r\n\r\n";
    QCOMPARE(parseHttpRequest(two.substr(0, 40), r, used, error), ParseStatus::Incomplete);
    QCOMPARE(parseHttpRequest(two, r, used, error), ParseStatus::Done);
    QCOMPARE(r.method, std::string("POST"));
    QCOMPARE(r.path, std::string("/v1/completions"));
    QCOMPARE(queryParam(r.query, "x"), std::string("1"));
    QCOMPARE(r.body, std::string("{}"));
    QVERIFY(!r.keepAlive);
    QCOMPARE(parseHttpRequest(std::string_view(two).substr(used), r, used, error), ParseStatus::Done);
    QVERIFY(!r.keepAlive);  // HTTP/1.0
    QCOMPARE(parseHttpRequest("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", r, used, error), ParseStatus::Bad);
    QCOMPARE(parseHttpRequest("garbage\r\n\r\n", r, used, error), ParseStatus::Bad);
}

void TestServeModel::answersDecode_data()
{
    QTest::addColumn<int>("route");
    QTest::addColumn<bool>("stream");
    for (bool stream : {true, false}) {
        const char* s = stream ? " stream" : "";
        QTest::newRow(qPrintable(QString("openai-chat") + s)) << int(LlmRoute::OpenAiChat) << stream;
        QTest::newRow(qPrintable(QString("openai-completions") + s)) << int(LlmRoute::OpenAiCompletions) << stream;
        QTest::newRow(qPrintable(QString("ollama-generate") + s)) << int(LlmRoute::OllamaGenerate) << stream;
        QTest::newRow(qPrintable(QString("ollama-chat") + s)) << int(LlmRoute::OllamaChat) << stream;
    }
}

// Each answer, as fbload's own decoder reads it: 5 content tokens, the
// usage (3 prompt words, 5 completion tokens) and the end of the stream.
void TestServeModel::answersDecode()
{
    QFETCH(int, route);
    QFETCH(bool, stream);
    const auto r = static_cast<LlmRoute>(route);
    const bool chat = r == LlmRoute::OpenAiChat || r == LlmRoute::OllamaChat;
    std::string body = std::string("{\"model\":\"m\",\"stream\":") + (stream ? "true" : "false") +
                       ",\"max_tokens\":5,\"options\":{\"num_predict\":5},\"stream_options\":{\"include_usage\":true}," +
                       (chat ? R"("messages":[{"role":"user","content":"one two three"}]})" : R"("prompt":"one two three"})");
    const LlmRequest req = parseLlmRequest(r, body);
    QCOMPARE(req.maxTokens, int64_t(5));
    QCOMPARE(req.promptTokens, int64_t(3));
    LlmAnswer a(req, 1, req.maxTokens);
    const LlmApi api = r == LlmRoute::OpenAiChat          ? LlmApi::OpenAiChat
                       : r == LlmRoute::OpenAiCompletions ? LlmApi::OpenAiCompletions
                       : r == LlmRoute::OllamaGenerate    ? LlmApi::OllamaGenerate
                                                          : LlmApi::OllamaChat;
    LlmStreamDecoder dec(api, stream);
    if (stream) {
        for (int64_t i = 0; i < 5; ++i) {
            std::string chunked;
            a.appendStreamToken(chunked, i, 100, 10);
            // Strip the HTTP chunk framing: "<hex>\r\n<payload>\r\n" [+ "0\r\n\r\n"].
            const size_t start = chunked.find("\r\n") + 2;
            const size_t len = std::stoul(chunked.substr(0, start - 2), nullptr, 16);
            const std::string payload = chunked.substr(start, len);
            dec.feed(payload.data(), payload.size(), i);
            QCOMPARE(chunked.size() > start + len + 2, i == 4);  // only the last ends the body
        }
    } else {
        const std::string whole = a.whole(100, 10);
        const std::string payload = whole.substr(whole.find("\r\n\r\n") + 4);
        dec.feed(payload.data(), payload.size(), 0);
    }
    dec.finish(5);
    QVERIFY2(!dec.error, dec.errorText.c_str());
    QVERIFY(dec.done);
    QCOMPARE(dec.promptTokens, int64_t(3));
    QCOMPARE(dec.completionTokens, int64_t(5));
    if (stream)
        QCOMPARE(dec.contentChunks, uint64_t(5));
}

QTEST_GUILESS_MAIN(TestServeModel)
#include "tst_serve_model.moc"
