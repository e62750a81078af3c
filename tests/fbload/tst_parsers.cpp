// Unit tests of fbload's protocol parsers, without sockets: the RESP reply
// scanner, the HTTP/1.1 response parser (fed byte by byte too, as TCP may
// split anywhere) and the LLM stream decoder for SSE and NDJSON.
#include "workloads/http_parser.h"
#include "workloads/llm_stream.h"
#include "workloads/redis.h"
#include "workloads/resp.h"

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

QTEST_GUILESS_MAIN(TestParsers)
#include "tst_parsers.moc"
