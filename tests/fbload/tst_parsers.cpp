// Unit tests of fbload's protocol parsers, without sockets: the RESP reply
// scanner, the HTTP/1.1 response parser (fed byte by byte too, as TCP may
// split anywhere) and the LLM stream decoder for SSE and NDJSON.
#include "bounds.h"
#include "workloads/http_parser.h"
#include "workloads/llm_stream.h"
#include "workloads/redis.h"
#include "workloads/resp.h"

#include <QElapsedTimer>
#include <QtTest>
#include <string>

using namespace fbload;

namespace {
// Feeds `text` to the parser `step` bytes at a time, re-offering unconsumed
// bytes as the engine does. Returns the number of complete responses.
int feedAll(HttpResponseParser& p, const std::string& text, size_t step, std::string* body = nullptr, int* status = nullptr)
{
    std::string pending;
    int responses = 0;
    for (size_t i = 0; i < text.size(); i += step) {
        pending += text.substr(i, step);
        for (;;) {
            bool done = false;
            long used = p.feed(pending.data(), pending.size(), done, [&](const char* d, size_t n) {
                if (body)
                    body->append(d, n);
            });
            if (used < 0)
                return -1;
            pending.erase(0, static_cast<size_t>(used));
            if (done) {
                ++responses;
                if (status)
                    *status = p.status();
                continue;
            }
            if (used == 0 || pending.empty())
                break;
        }
    }
    return responses;
}
}  // namespace

class TestParsers : public QObject {
    Q_OBJECT
private slots:
    void respEncode();
    void respScan_data();
    void respScan();
    void redisValue();
    void httpSplitAnywhere_data();
    void httpSplitAnywhere();
    void httpMalformed();
    void httpCloseDelimited();
    void sseOpenAiChat();
    void ndjsonOllama();
    void nonStreamingUsage();
    void streamErrorObject();
    void respResumesLinearly();
    void respLimits_data();
    void respLimits();
    void httpLimitsAndCapture();
    void streamLimits();
    void streamLineLinear();
};

void TestParsers::respEncode()
{
    std::string out;
    resp::appendCommand(out, {"SET", "k", "a b\r\n"});
    QCOMPARE(QByteArray::fromStdString(out), QByteArray("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na b\r\n\r\n"));
}

void TestParsers::respScan_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("length");
    QTest::newRow("simple") << QByteArray("+OK\r\n") << int(resp::ReplyKind::Simple) << 5;
    QTest::newRow("error") << QByteArray("-ERR no\r\n+OK\r\n") << int(resp::ReplyKind::Error) << 9;
    QTest::newRow("integer") << QByteArray(":42\r\n") << int(resp::ReplyKind::Integer) << 5;
    QTest::newRow("bulk") << QByteArray("$5\r\nhello\r\n") << int(resp::ReplyKind::Bulk) << 11;
    QTest::newRow("bulk with CRLF inside") << QByteArray("$4\r\n\r\n\r\n\r\n") << int(resp::ReplyKind::Bulk) << 10;
    QTest::newRow("null bulk") << QByteArray("$-1\r\n") << int(resp::ReplyKind::Null) << 5;
    QTest::newRow("nested array") << QByteArray("*2\r\n*1\r\n:1\r\n$1\r\nx\r\n") << int(resp::ReplyKind::Array) << 19;
    QTest::newRow("bulk incomplete") << QByteArray("$5\r\nhel") << int(resp::ReplyKind::Incomplete) << 0;
    QTest::newRow("array incomplete") << QByteArray("*2\r\n:1\r\n") << int(resp::ReplyKind::Incomplete) << 0;
    QTest::newRow("garbage") << QByteArray("HTTP/1.1 200 OK\r\n") << int(resp::ReplyKind::Invalid) << 0;
}

void TestParsers::respScan()
{
    QFETCH(QByteArray, data);
    QFETCH(int, kind);
    QFETCH(int, length);
    resp::Reply r = resp::scan(data.constData(), static_cast<size_t>(data.size()));
    QCOMPARE(int(r.kind), kind);
    if (kind != int(resp::ReplyKind::Incomplete) && kind != int(resp::ReplyKind::Invalid))
        QCOMPARE(int(r.length), length);
    if (kind == int(resp::ReplyKind::Integer))
        QCOMPARE(r.integer, 42LL);
    if (kind == int(resp::ReplyKind::Error))
        QCOMPARE(QByteArray(r.text.data(), qsizetype(r.text.size())), QByteArray("ERR no"));
}

void TestParsers::redisValue()
{
    std::string v;
    redisValueFor(v, "fbload:key:7", 16);
    QCOMPARE(QByteArray::fromStdString(v), QByteArray("fbload:key:7...."));
    v.clear();
    redisValueFor(v, "fbload:key:7", 4);
    QCOMPARE(QByteArray::fromStdString(v), QByteArray("fblo"));
}

void TestParsers::httpSplitAnywhere_data()
{
    QTest::addColumn<int>("step");
    for (int s : {1, 2, 3, 7, 64, 100000})
        QTest::newRow(qPrintable(QString("%1-byte pieces").arg(s))) << s;
}

void TestParsers::httpSplitAnywhere()
{
    QFETCH(int, step);
    const std::string text =
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello"
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n10;ext=1\r\n0123456789abcdef\r\n0\r\nX-T: 1\r\n\r\n"
        "HTTP/1.1 204 No Content\r\n\r\n"
        "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbad";
    HttpResponseParser p;
    std::string body;
    int status = 0;
    QCOMPARE(feedAll(p, text, static_cast<size_t>(step), &body, &status), 4);
    QCOMPARE(QByteArray::fromStdString(body), QByteArray("helloabc0123456789abcdefbad"));
    QCOMPARE(status, 500);
    QVERIFY(p.closeAfter());
}

void TestParsers::httpMalformed()
{
    for (const std::string bad : {"HTTP/1.1 abc OK\r\n\r\n", "SSH-2.0-OpenSSH\r\n\r\n",
                                  "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n",
                                  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
        HttpResponseParser p;
        QVERIFY2(feedAll(p, bad, bad.size()) < 0, bad.c_str());
    }
}

void TestParsers::httpCloseDelimited()
{
    HttpResponseParser p;
    std::string body;
    QCOMPARE(feedAll(p, "HTTP/1.0 200 OK\r\n\r\nuntil eof", 4, &body), 0);
    QVERIFY(p.finishOnEof());
    QCOMPARE(QByteArray::fromStdString(body), QByteArray("until eof"));
}

void TestParsers::sseOpenAiChat()
{
    // As vLLM sends it: a role-only first delta (no token), content deltas,
    // an empty-choices usage chunk, [DONE]. Split mid-line on purpose.
    LlmStreamDecoder d(LlmApi::OpenAiChat, true);
    const std::string role = R"(data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]})" "\n\n";
    const std::string t1 = R"(data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]})" "\n\n";
    const std::string t2 = R"(data: {"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"length"}]})" "\n\n";
    const std::string usage = R"(data: {"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14}})" "\n\n";
    d.feed(role.data(), role.size(), 100);
    QCOMPARE(d.firstTokenNs, int64_t{-1});  // the role chunk is not a token
    d.feed(t1.data(), 10, 200);
    d.feed(t1.data() + 10, t1.size() - 10, 300);
    d.feed(t2.data(), t2.size(), 1300);
    d.feed(usage.data(), usage.size(), 1400);
    d.feed("data: [DONE]\n\n", 14, 1500);
    d.finish(1500);
    QVERIFY(!d.error);
    QVERIFY(d.done);
    QCOMPARE(d.firstTokenNs, int64_t{300});  // when the chunk was complete
    QCOMPARE(d.lastTokenNs, int64_t{1300});
    QCOMPARE(d.itlNs.size(), size_t{1});
    QCOMPARE(d.itlNs[0], int64_t{1000});
    QCOMPARE(d.contentChunks, uint64_t{2});
    QCOMPARE(d.promptTokens, int64_t{12});
    QCOMPARE(d.completionTokens, int64_t{2});
}

void TestParsers::ndjsonOllama()
{
    LlmStreamDecoder d(LlmApi::OllamaGenerate, true);
    const std::string body = R"({"model":"m","response":"a","done":false})" "\n"
                             R"({"model":"m","response":" b","done":false})" "\n"
                             R"({"model":"m","response":" c","done":false})" "\n"
                             R"({"model":"m","response":"","done":true,"prompt_eval_count":9,"eval_count":3})";
    size_t l1 = body.find('\n') + 1, l2 = body.find('\n', l1) + 1, l3 = body.find('\n', l2) + 1;
    d.feed(body.data(), l1, 10);
    d.feed(body.data() + l1, l2 - l1, 30);
    d.feed(body.data() + l2, l3 - l2, 60);
    d.feed(body.data() + l3, body.size() - l3, 70);  // last line without newline
    d.finish(80);
    QVERIFY(!d.error);
    QVERIFY(d.done);
    QCOMPARE(d.firstTokenNs, int64_t{10});
    QCOMPARE(d.itlNs.size(), size_t{2});
    QCOMPARE(d.itlNs[0], int64_t{20});
    QCOMPARE(d.itlNs[1], int64_t{30});
    QCOMPARE(d.promptTokens, int64_t{9});
    QCOMPARE(d.completionTokens, int64_t{3});
}

void TestParsers::nonStreamingUsage()
{
    LlmStreamDecoder d(LlmApi::OpenAiCompletions, false);
    const std::string body = R"({"choices":[{"text":"x y z"}],"usage":{"prompt_tokens":5,"completion_tokens":3}})";
    d.feed(body.data(), 20, 10);
    d.feed(body.data() + 20, body.size() - 20, 20);
    d.finish(25);
    QVERIFY(!d.error);
    QCOMPARE(d.promptTokens, int64_t{5});
    QCOMPARE(d.completionTokens, int64_t{3});
    QVERIFY(d.itlNs.empty());
}

void TestParsers::streamErrorObject()
{
    // Servers report failures inside a 200 stream: that is an error, with text.
    LlmStreamDecoder d(LlmApi::OllamaChat, true);
    const std::string body = R"({"error":"model 'x' not found"})" "\n";
    d.feed(body.data(), body.size(), 10);
    d.finish(10);
    QVERIFY(d.error);
    QVERIFY2(QString::fromStdString(d.errorText).contains("not found"), d.errorText.c_str());
}

// The engine re-offers a reply from its first byte with more data each
// time; the scanner resumes where it stopped, so a reply of N elements in
// small pieces costs O(N) (rescanning from the start took minutes here).
void TestParsers::respResumesLinearly()
{
    std::string reply = "*2\r\n*200000\r\n";
    for (int i = 0; i < 200000; ++i)
        reply += ":1\r\n";
    reply += "$5\r\nhello\r\n";
    resp::Scanner s(kMaxBufferedBytes);
    QElapsedTimer t;
    t.start();
    resp::Reply r;
    for (size_t len = 1; len <= reply.size(); len += 7) {
        r = s.next(reply.data(), len);
        QVERIFY(r.kind == resp::ReplyKind::Incomplete || len >= reply.size());
    }
    r = s.next(reply.data(), reply.size());
    QCOMPARE(int(r.kind), int(resp::ReplyKind::Array));
    QCOMPARE(r.length, reply.size());
    QVERIFY2(t.elapsed() < 1000, qPrintable(QString("%1 ms").arg(t.elapsed())));
    // Byte by byte too, with a following reply in the same buffer.
    const std::string two = "*2\r\n$3\r\nabc\r\n-ERR x\r\n+OK\r\n";
    for (size_t len = 1; len < 21; ++len)
        QCOMPARE(int(s.next(two.data(), len).kind), int(resp::ReplyKind::Incomplete));
    r = s.next(two.data(), two.size());
    QCOMPARE(int(r.kind), int(resp::ReplyKind::Array));
    QCOMPARE(r.length, size_t{21});
    r = s.next(two.data() + 21, two.size() - 21);
    QCOMPARE(int(r.kind), int(resp::ReplyKind::Simple));
    QCOMPARE(QByteArray(r.text.data(), int(r.text.size())), QByteArray("OK"));
}

void TestParsers::respLimits_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("kind");
    const int invalid = int(resp::ReplyKind::Invalid);
    QTest::newRow("bulk over the limit, refused on its length") << QByteArray("$17000000\r\n") << invalid;
    QTest::newRow("bulk length overflowing size_t") << QByteArray("$9223372036854775807\r\n") << invalid;
    QTest::newRow("array that cannot fit") << QByteArray("*100000000\r\n") << invalid;
    QTest::newRow("endless simple string") << QByteArray("+") + QByteArray(int(kMaxLineBytes) + 1, 'a') << invalid;
    QTest::newRow("too deep") << QByteArray("*1\r\n").repeated(33) << invalid;
    QTest::newRow("bulk under the limit waits") << QByteArray("$15000000\r\nabc") << int(resp::ReplyKind::Incomplete);
    QTest::newRow("long line under the limit waits") << QByteArray("+") + QByteArray(1000, 'a') << int(resp::ReplyKind::Incomplete);
}

void TestParsers::respLimits()
{
    QFETCH(QByteArray, data);
    QFETCH(int, kind);
    resp::Scanner s(kMaxBufferedBytes);
    QCOMPARE(int(s.next(data.constData(), static_cast<size_t>(data.size())).kind), kind);
}

void TestParsers::httpLimitsAndCapture()
{
    // A head that never ends: pending up to kMaxHeadBytes, then malformed.
    HttpResponseParser p;
    std::string head = "HTTP/1.1 200 OK\r\nX-Long: " + std::string(kMaxHeadBytes - 100, 'a');
    QCOMPARE(feedAll(p, head, 1), 0);
    QCOMPARE(feedAll(p, head + std::string(200, 'a'), 4096), -1);
    // An endless trailer line after a chunked body.
    HttpResponseParser t;
    QCOMPARE(feedAll(t, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: " + std::string(kMaxHeadBytes + 1, 't'), 1000),
             -1);
    // The captured header (s3 reads a part's ETag this way), per response.
    HttpResponseParser c;
    c.captureHeader("etag");
    QCOMPARE(feedAll(c, "HTTP/1.1 200 OK\r\nETag: \"abc\"\r\nContent-Length: 0\r\n\r\n", 3), 1);
    QCOMPARE(QString::fromStdString(c.capturedHeader()), QString("\"abc\""));
    QCOMPARE(feedAll(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 3), 1);
    QVERIFY(c.capturedHeader().empty());
}

void TestParsers::streamLimits()
{
    // A stream line over kMaxLineBytes: overflow at once, nothing kept.
    LlmStreamDecoder d(LlmApi::OpenAiChat, true);
    const std::string piece(64 * 1024, 'a');
    d.feed("data: ", 6, 1);
    for (size_t n = 0; n <= kMaxLineBytes; n += piece.size())
        d.feed(piece.data(), piece.size(), 2);
    QVERIFY(d.overflow && d.error);
    // A non-streamed answer over kMaxBufferedBytes.
    LlmStreamDecoder j(LlmApi::OpenAiChat, false);
    for (size_t n = 0; n <= kMaxBufferedBytes && !j.overflow; n += piece.size())
        j.feed(piece.data(), piece.size(), 1);
    QVERIFY(j.overflow);
    j.reset();
    QVERIFY(!j.overflow && !j.error);
    // More content chunks than kMaxStreamChunks.
    LlmStreamDecoder c(LlmApi::OllamaGenerate, true);
    const std::string token = "{\"response\":\"x\",\"done\":false}\n";
    std::string many;
    for (int i = 0; i < 4096; ++i)
        many += token;
    for (size_t n = 0; n <= kMaxStreamChunks && !c.overflow; n += 4096)
        c.feed(many.data(), many.size(), static_cast<int64_t>(n));
    QVERIFY(c.overflow);
    QCOMPARE(c.contentChunks, uint64_t{kMaxStreamChunks});
}

// A long line arriving in tiny pieces is scanned once (the decoder used to
// search its whole buffer again for every piece).
void TestParsers::streamLineLinear()
{
    LlmStreamDecoder d(LlmApi::OllamaGenerate, true);
    const std::string line = R"({"response":")" + std::string(512 * 1024, 'w') + R"(","done":true,"eval_count":1})" "\n";
    QElapsedTimer t;
    t.start();
    for (size_t i = 0; i < line.size(); i += 2)
        d.feed(line.data() + i, std::min<size_t>(2, line.size() - i), static_cast<int64_t>(i));
    QVERIFY2(t.elapsed() < 1000, qPrintable(QString("%1 ms").arg(t.elapsed())));
    QVERIFY(!d.error);
    QVERIFY(d.done);
    QCOMPARE(d.contentChunks, uint64_t{1});
}

QTEST_GUILESS_MAIN(TestParsers)
#include "tst_parsers.moc"
