// fbload's llm workload against `fbload serve` (the zero-compute reference
// server, one for the OpenAI and one for the Ollama API, started here: TTFT
// 200 ms, 20 ms per token). The server's timing is the known truth: fbload must measure TTFT within 2 ms and ITL within 1 ms of
// it over 64 concurrent streams, and count tokens exactly, for both the
// OpenAI SSE and the Ollama NDJSON streaming formats.
#include "fbload_test_util.h"

#include <QJsonArray>

#include <memory>

using namespace fbtest;

namespace {
constexpr int kConcurrency = 64;
constexpr int kRequests = 192;  // three rounds per stream: ~1.6 s per run
constexpr int kMaxTokens = 16;
constexpr int kPromptTokens = 32;
constexpr double kTtftMs = 200, kTpotMs = 20;

std::unique_ptr<ServeProcess> g_openai, g_ollama;

// The server speaking `api` (params.api: openai-* or ollama-*).
QString target(const QString& api = "openai-chat")
{
    return (api.startsWith("ollama") ? g_ollama : g_openai)->target();
}

// The server's own record of how late its tokens left (ms), so a
// failure says whether fbload or the (CPU-starved) server was off.
QString serverLateness(const QString& api, bool reset)
{
    QProcess curl;
    curl.start("curl", {"-s", "--max-time", "5",
                        QString("http://%1/control/stats%2").arg(target(api), reset ? "?reset=1" : "")});
    curl.waitForFinished(10000);
    auto o = QJsonDocument::fromJson(curl.readAllStandardOutput()).object();
    return QString::fromUtf8(QJsonDocument(o["lateness_ms"].toObject()).toJson(QJsonDocument::Compact));
}

qint64 histogramCount(const QJsonObject& result, const QString& name)
{
    return static_cast<qint64>(result["histograms"].toObject()[name].toObject()["count"].toDouble());
}
}  // namespace

class TestLlm : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void streaming_data();
    void streaming();
    void nonStreaming_data();
    void nonStreaming();
    void serverErrorIsCounted();
    void goodputFollowsSlo();
    void datasetPrompts();
    void ollamaPullAndWarmup();

private:
    QTemporaryDir dir_;
};

void TestLlm::initTestCase()
{
    QVERIFY2(!fbloadBin().isEmpty(), "FBLOAD_BIN is not set");
    g_openai = std::make_unique<ServeProcess>(QStringList{"--api", "openai", "--ttft-ms", "200", "--tpot-ms", "20"});
    g_ollama = std::make_unique<ServeProcess>(QStringList{"--api", "ollama", "--ttft-ms", "200", "--tpot-ms", "20"});
    QVERIFY2(g_openai->port() > 0, qPrintable(g_openai->errors()));
    QVERIFY2(g_ollama->port() > 0, qPrintable(g_ollama->errors()));
    QVERIFY(dir_.isValid());
}

void TestLlm::streaming_data()
{
    QTest::addColumn<QString>("api");
    QTest::newRow("openai-chat (SSE)") << "openai-chat";
    QTest::newRow("openai-completions (SSE)") << "openai-completions";
    QTest::newRow("ollama-generate (NDJSON)") << "ollama-generate";
    QTest::newRow("ollama-chat (NDJSON)") << "ollama-chat";
}

void TestLlm::streaming()
{
    QFETCH(QString, api);
    const QString out = dir_.filePath(api + ".json");
    serverLateness(api, true);
    // The ramp spreads the 64 streams over 0.53 s so their tokens do not all
    // fall due in the same instant (the server's one thread would then send
    // the 64th of them later than the first, and we would measure that).
    auto r = runFbload({"run", "--workload", "llm", "--target", target(api), "--out", out,
                        "--requests", QString::number(kRequests), "--concurrency", QString::number(kConcurrency),
                        "--set", "load.ramp_up_s=0.53", "--set", "params.api=" + api, "--set", "params.model=synthetic",
                        "--set", QString("params.max_tokens=%1").arg(kMaxTokens),
                        "--set", QString("params.prompt_tokens=%1").arg(kPromptTokens)},
                       out);
    const QString late = serverLateness(api, false);
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const auto summary = r.result["summary"].toObject();
    const auto requests = summary["requests"].toObject();
    QCOMPARE(requests["completed"].toInt(), kRequests);
    QCOMPARE(requests["errors"].toInt(), 0);

    // Token counts are exact: the server sends exactly max_tokens tokens and
    // counts one prompt token per word of fbload's synthetic prompts.
    const auto tokens = summary["tokens"].toObject();
    QCOMPARE(tokens["output"].toInteger(), qint64(kRequests) * kMaxTokens);
    QCOMPARE(tokens["input"].toInteger(), qint64(kRequests) * kPromptTokens);
    QCOMPARE(histogramCount(r.result, "itl"), qint64(kRequests) * (kMaxTokens - 1));
    QCOMPARE(histogramCount(r.result, "ttft"), qint64(kRequests));
    QCOMPARE(metric(r.result, "output_tokens")["min"].toDouble(), double(kMaxTokens));
    QCOMPARE(metric(r.result, "output_tokens")["max"].toDouble(), double(kMaxTokens));

    const double ttft = metric(r.result, "ttft")["p50"].toDouble();
    const double itl = metric(r.result, "itl")["p50"].toDouble();
    const double tpot = metric(r.result, "tpot")["p50"].toDouble();
    const double e2el = metric(r.result, "e2el")["p50"].toDouble();
    qInfo("%s: TTFT p50 %.3f ms, ITL p50 %.3f ms, TPOT p50 %.3f ms, E2EL p50 %.3f ms; server lateness %s",
          qPrintable(api), ttft, itl, tpot, e2el, qPrintable(late));
    QVERIFY2(qAbs(ttft - kTtftMs) <= 2.0,
             qPrintable(QString("TTFT p50 %1 ms, expected 200 +- 2 (server lateness %2)").arg(ttft).arg(late)));
    QVERIFY2(qAbs(itl - kTpotMs) <= 1.0,
             qPrintable(QString("ITL p50 %1 ms, expected 20 +- 1 (server lateness %2)").arg(itl).arg(late)));
    QVERIFY2(qAbs(tpot - kTpotMs) <= 1.0, qPrintable(QString("TPOT p50 %1 ms, expected 20 +- 1").arg(tpot)));
    // E2EL = TTFT + (n-1) * ITL for every request, so its median follows.
    QVERIFY2(qAbs(e2el - (kTtftMs + (kMaxTokens - 1) * kTpotMs)) <= 4.0,
             qPrintable(QString("E2EL p50 %1 ms, expected 500 +- 4").arg(e2el)));
}

void TestLlm::nonStreaming_data()
{
    QTest::addColumn<QString>("api");
    QTest::newRow("openai-chat") << "openai-chat";
    QTest::newRow("ollama-generate") << "ollama-generate";
}

void TestLlm::nonStreaming()
{
    QFETCH(QString, api);
    const QString out = dir_.filePath("ns-" + api + ".json");
    auto r = runFbload({"run", "--workload", "llm", "--target", target(api), "--out", out, "--requests", "16",
                        "--concurrency", "8", "--set", "params.api=" + api, "--set", "params.model=synthetic",
                        "--set", "params.stream=false", "--set", "params.max_tokens=5", "--set",
                        "params.prompt_tokens=7"},
                       out);
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const auto summary = r.result["summary"].toObject();
    QCOMPARE(summary["requests"].toObject()["completed"].toInt(), 16);
    // Without streaming the counts come from the server's usage report.
    QCOMPARE(summary["tokens"].toObject()["output"].toInteger(), qint64(16 * 5));
    QCOMPARE(summary["tokens"].toObject()["input"].toInteger(), qint64(16 * 7));
    // The whole answer arrives at TTFT + 4 * TPOT = 280 ms.
    const double e2el = metric(r.result, "e2el")["p50"].toDouble();
    QVERIFY2(qAbs(e2el - 280.0) <= 4.0, qPrintable(QString("E2EL p50 %1 ms, expected 280 +- 4").arg(e2el)));
}

void TestLlm::serverErrorIsCounted()
{
    // A wrong path gets the server's 404: counted as an HTTP status error,
    // and a run where nothing succeeded exits 1.
    const QString out = dir_.filePath("404.json");
    auto r = runFbload({"run", "--workload", "llm", "--target", target(), "--out", out, "--requests", "4",
                        "--set", "params.model=synthetic", "--set", "params.path=/v1/nothing-here"},
                       out);
    QCOMPARE(r.exitCode, 1);
    const auto summary = r.result["summary"].toObject();
    QCOMPARE(summary["errors"].toObject()["http_status"].toInt(), 4);
    QCOMPARE(summary["http_status"].toObject()["404"].toInt(), 4);
}

void TestLlm::goodputFollowsSlo()
{
    // TTFT is ~200 ms: an SLO of 150 ms fails every request, 300 ms passes all.
    for (auto [slo, good] : {std::pair{150, 0}, std::pair{300, 8}}) {
        const QString out = dir_.filePath(QString("slo%1.json").arg(slo));
        auto r = runFbload({"run", "--workload", "llm", "--target", target(), "--out", out, "--requests", "8",
                            "--concurrency", "8", "--set", "params.model=synthetic", "--set", "params.max_tokens=2",
                            "--set", QString("slo.ttft_ms=%1").arg(slo)},
                           out);
        QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
        const auto summary = r.result["summary"].toObject();
        QCOMPARE(summary["requests"].toObject()["completed"].toInt(), 8);
        QCOMPARE(summary["requests"].toObject()["good"].toInt(), good);
        QCOMPARE(summary["throughput"].toObject()["goodput_requests_per_s"].toDouble() > 0, good > 0);
    }
}

void TestLlm::datasetPrompts()
{
    // A JSONL dataset: prompt and chat lines, one with its own max_tokens.
    const QString path = dir_.filePath("prompts.jsonl");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"prompt": "one two three four five", "max_tokens": 3})" "\n"
            "\n"
            R"({"messages": [{"role": "user", "content": "six seven"}]})" "\n");
    f.close();
    const QString out = dir_.filePath("dataset.json");
    // One connection walks the prompts in order: 5+2+5+2 input words,
    // 3+4+3+4 output tokens (4 = params.max_tokens).
    auto r = runFbload({"run", "--workload", "llm", "--target", target(), "--out", out, "--requests", "4",
                        "--set", "params.model=synthetic", "--set", "params.api=openai-chat", "--set",
                        "params.max_tokens=4", "--set", "params.dataset=" + path},
                       out);
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const auto tokens = r.result["summary"].toObject()["tokens"].toObject();
    QCOMPARE(tokens["input"].toInt(), 14);
    QCOMPARE(tokens["output"].toInt(), 14);

    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("{\"prompt\": \"ok\"}\n{\"text\": \"no prompt\"}\n");
    f.close();
    r = runFbload({"run", "--workload", "llm", "--target", target(), "--requests", "1", "--set",
                   "params.model=synthetic", "--set", "params.dataset=" + path});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains("params.dataset: " + path + ":2: expected"), qPrintable(r.stderrText));
}

void TestLlm::ollamaPullAndWarmup()
{
    const QString out = dir_.filePath("pull.json");
    auto r = runFbload({"run", "--workload", "llm", "--target", target("ollama-generate"), "--out", out, "--requests", "2", "--set",
                        "params.model=synthetic", "--set", "params.api=ollama-generate", "--set",
                        "params.max_tokens=2", "--set", "params.pull=true"},
                       out);
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    QVERIFY2(r.stderrText.contains("pulling model synthetic"), qPrintable(r.stderrText));
    // The warm-up request happened before the clock: not in the statistics.
    QCOMPARE(r.result["summary"].toObject()["requests"].toObject()["sent"].toInt(), 2);
}

QTEST_GUILESS_MAIN(TestLlm)
#include "tst_llm.moc"
