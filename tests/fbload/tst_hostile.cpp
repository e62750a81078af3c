// fbload against hostile servers (tests/fbload/hostile_server.py), for every
// protocol it speaks: an endless line, an endless body, a slow drip and
// garbage must each cost protocol or timeout errors, never unbounded memory
// or a hang. Every run writes its result, ends within 2 s of its duration
// (or of SIGTERM), and stays under the documented memory bound
// (docs/fbload.md, "Limits"). Also: a closed port counts as connect errors.
#include "fbload_test_util.h"

#include <csignal>

using namespace fbtest;

namespace {

constexpr int kConcurrency = 2;
constexpr double kDurationS = 1.0;
constexpr double kTimeoutS = 0.4;
// docs/fbload.md, "Limits": 1.5 x 16 MiB per connection while a buffer
// grows, plus the process itself (about 12 MB here; 32 MiB allowed).
constexpr qint64 kMemoryBound = (32 + kConcurrency * 24) * qint64{1024 * 1024};

double errorTotal(const QJsonObject& result)
{
    double n = 0;
    const QJsonObject errors = result["summary"].toObject()["errors"].toObject();
    for (auto it = errors.begin(); it != errors.end(); ++it)
        n += it.value().toDouble();
    return n;
}

}  // namespace

class TestHostile : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void hostileServer_data();
    void hostileServer();
    void connectFailuresAreErrors();

private:
    QTemporaryDir dir_;
};

void TestHostile::initTestCase()
{
    QVERIFY2(!fbloadBin().isEmpty(), "FBLOAD_BIN is not set");
    QVERIFY2(QFile::exists(qEnvironmentVariable("FBLOAD_HOSTILE_SERVER")), "FBLOAD_HOSTILE_SERVER is not set");
    QVERIFY(dir_.isValid());
}

void TestHostile::hostileServer_data()
{
    QTest::addColumn<QString>("protocol");  // what the server speaks
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QStringList>("args");  // the fbload workload
    QTest::addColumn<bool>("sigterm");      // stopped by SIGTERM, else by its duration
    QProcess list;
    list.start(fbloadBin(), {"workloads"});
    list.waitForFinished();
    const QStringList compiled = QString::fromUtf8(list.readAllStandardOutput()).split('\n');
    const QList<QPair<QString, QStringList>> workloads = {
        {"http", {"--workload", "http"}},
        {"sse", {"--workload", "llm", "--set", "params.model=m", "--set", "params.api=openai-chat"}},
        {"ndjson", {"--workload", "llm", "--set", "params.model=m", "--set", "params.api=ollama-generate"}},
        {"redis", {"--workload", "redis"}},
        {"vector", {"--workload", "vector"}},
        {"s3", {"--workload", "s3", "--set", "params.access_key=AK", "--set", "params.secret_key=SK"}},
    };
    const QStringList modes{"endless-line", "endless-body", "slow-drip", "garbage"};
    for (int w = 0; w < workloads.size(); ++w) {
        const auto& [protocol, args] = workloads[w];
        if (!compiled.contains(args[1]))
            continue;
        // Each protocol and each mode meets both ways of stopping.
        for (int m = 0; m < modes.size(); ++m) {
            const QString& mode = modes[m];
            const bool sigterm = (w + m) % 2 == 1;
            QTest::newRow(qPrintable(protocol + " " + mode + (sigterm ? " sigterm" : " duration")))
                << protocol << mode << args << sigterm;
        }
    }
    // stream: false keeps the whole answer: an endless one must stop at the limit.
    QTest::newRow("llm stream false endless-body duration")
        << "http" << "endless-body"
        << QStringList{"--workload", "llm", "--set", "params.model=m", "--set", "params.stream=false"} << false;
}

void TestHostile::hostileServer()
{
    QFETCH(QString, protocol);
    QFETCH(QString, mode);
    QFETCH(QStringList, args);
    QFETCH(bool, sigterm);
    HostileServer server(protocol, mode);
    QVERIFY2(server.port() > 0, "the hostile server did not start");
    const QString out = dir_.filePath(QString(QTest::currentDataTag()).replace(' ', '-') + ".json");
    QProcess p;
    QElapsedTimer clock;
    clock.start();
    p.start(fbloadBin(), QStringList{"run", "--target", QString("127.0.0.1:%1").arg(server.port()), "--out", out,
                                     "--concurrency", QString::number(kConcurrency), "--timeout",
                                     QString::number(kTimeoutS), "--duration", sigterm ? "60" : QString::number(kDurationS)} +
                             args);
    QVERIFY(p.waitForStarted());
    qint64 peak = 0;
    auto sample = [&] { peak = std::max(peak, peakRss(p.processId())); };
    qint64 stopAt = -1;  // ms since start when the run was asked to stop
    if (sigterm) {
        // Stop once a connection has failed (fbload opened a third one) and
        // hostile bytes are flowing: the worst moment to be asked.
        const bool failedOnce = server.waitFor([&] {
            sample();
            return server.connections() > kConcurrency && server.hostileAnswers() > kConcurrency;
        }, 15000);
        QVERIFY2(failedOnce, "fbload never gave up a hostile connection");
        sample();
        stopAt = clock.elapsed();
        ::kill(static_cast<pid_t>(p.processId()), SIGTERM);
    } else {
        stopAt = 50 + static_cast<qint64>(kDurationS * 1000);  // the head start, then the duration
    }
    while (!p.waitForFinished(20)) {
        sample();
        if (clock.elapsed() > stopAt + 10000)
            break;
    }
    const qint64 ended = clock.elapsed();
    const QString err = QString::fromUtf8(p.readAllStandardError());
    if (p.state() != QProcess::NotRunning) {
        p.kill();
        p.waitForFinished();
        QFAIL(qPrintable("fbload still running 10 s after it should have stopped: " + err));
    }
    // Duration: in-flight requests get at most timeout_s to drain; 2 s is the margin.
    const qint64 allowed = static_cast<qint64>((sigterm ? 1.0 : kTimeoutS) * 1000) + 2000;
    QVERIFY2(ended - stopAt <= allowed, qPrintable(QString("stopped %1 ms after it was due (%2 allowed)")
                                                       .arg(ended - stopAt).arg(allowed)));
    qInfo("peak RSS %lld MiB (bound %lld MiB), stopped %lld ms after it was due", peak >> 20, kMemoryBound >> 20,
          ended - stopAt);
    QVERIFY2(peak > 0 && peak <= kMemoryBound,
             qPrintable(QString("peak RSS %1 MiB, bound %2 MiB").arg(peak >> 20).arg(kMemoryBound >> 20)));
    // No answer was ever valid: every request failed, and the run says so.
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QVERIFY2(p.exitCode() == 1 && err.contains("no request succeeded"), qPrintable(err));
    QFile f(out);
    QVERIFY2(f.open(QIODevice::ReadOnly), "no result file written");
    const QJsonObject result = QJsonDocument::fromJson(f.readAll()).object();
    QCOMPARE(result["run"].toObject()["interrupted"].toBool(), sigterm);
    QCOMPARE(result["summary"].toObject()["requests"].toObject()["completed"].toInt(), 0);
    QVERIFY2(errorTotal(result) >= 1, qPrintable(QJsonDocument(result["summary"].toObject()).toJson()));
    const QJsonObject errors = result["summary"].toObject()["errors"].toObject();
    QCOMPARE(errors["connect"].toInt(), 0);
    // A line or reply over its limit and garbage are protocol errors; a drip
    // is a timeout; an endless body is either, by whether fbload keeps it.
    const int protocolErrors = errors["protocol"].toInt(), timeouts = errors["timeout"].toInt();
    const bool expected = mode == "endless-line" || mode == "garbage" ? protocolErrors >= 1
                          : mode == "slow-drip"                      ? timeouts >= 1
                                                                     : protocolErrors + timeouts >= 1;
    QVERIFY2(expected, qPrintable(QJsonDocument(errors).toJson()));
}

// Nothing listens on 127.0.0.1:1: every attempt is a connect error, counted
// from the first one (before the clock starts), and the run fails.
void TestHostile::connectFailuresAreErrors()
{
    const QString out = dir_.filePath("closed.json");
    auto r = runFbload({"run", "--workload", "http", "--target", "127.0.0.1:1", "--concurrency", "4", "--duration", "1",
                        "--out", out},
                       out, 20000);
    QCOMPARE(r.exitCode, 1);
    const QJsonObject errors = r.result["summary"].toObject()["errors"].toObject();
    // 4 connections retrying with back-off (50, 100, 200, 400 ms ...): at least 4 attempts each in 1 s.
    QVERIFY2(errors["connect"].toInt() >= 16, qPrintable(QJsonDocument(errors).toJson()));
    QCOMPARE(errorTotal(r.result), errors["connect"].toDouble());
    QVERIFY2(r.stderrText.contains(QString("0 ok, %1 errors").arg(errors["connect"].toInt())), qPrintable(r.stderrText));
    QVERIFY2(r.stderrText.contains("no request succeeded"), qPrintable(r.stderrText));
}

QTEST_GUILESS_MAIN(TestHostile)
#include "tst_hostile.moc"
