// The client ceiling (issue 20): the largest number of concurrent SSE streams
// one fbload thread sustains against `fbload serve` with ITL p99 error <= 1 ms,
// and stream events (content chunks) per second per core of client CPU.
//
// Setup: `fbload serve --api openai --ttft-ms 100 --tpot-ms 20|50` pinned to the
// second core, `fbload run --threads 1` pinned to the first, both at
// real-time priority (chrt -f 50) so other jobs do not preempt them; N streams of 32
// tokens, closed loop, a 2 s ramp and warm-up, then 4 s measured. N steps up
// until fbload's ITL p99 error passes 1 ms: the error is taken against the
// gaps the server's tokens actually left with (its /control/stats
// sent_itl_ms), so the server's own lateness on a shared machine is not
// charged to the client; the error against the configured per-token time is printed
// too. Each step also prints the server's lateness p99, the events per
// second and events per second per core of client CPU.
// Goals: >= 5,000 streams, >= 200,000 events/s per core. Printed, not
// asserted (a shared 2-core machine); asserted is that each step ran cleanly.
#include "fbload_test_util.h"

#include <QRegularExpression>

#include <algorithm>

using namespace fbtest;

namespace {

struct Step {
    int streams = 0;
    double itlP50 = 0, itlP99 = 0, serverLateP99 = 0, sentItlP99 = 0;
    double eventsPerS = 0, cpuUtil = 0;
    bool ok = false;
};

Step runStep(int streams, double tpotMs, const QString& dir)
{
    Step s;
    s.streams = streams;
    QProcess serve;
    serve.setReadChannel(QProcess::StandardError);
    serve.start("taskset", {"-c", "1", "chrt", "-f", "50", fbloadBin(), "serve", "--api", "openai", "--port", "0", "--ttft-ms", "100",
                            "--tpot-ms", QString::number(tpotMs)});
    QByteArray err;
    int port = 0;
    QElapsedTimer t;
    t.start();
    while (port == 0 && t.elapsed() < 10000 && serve.state() != QProcess::NotRunning) {
        serve.waitForReadyRead(100);
        err += serve.readAllStandardError();
        auto m = QRegularExpression(":(\\d+) \\(api").match(QString::fromUtf8(err));
        if (m.hasMatch())
            port = m.captured(1).toInt();
    }
    if (port == 0) {
        qWarning("fbload serve did not start: %s", err.constData());
        return s;
    }
    const QString out = dir + QString("/streams%1-%2.json").arg(streams).arg(tpotMs);
    QProcess client;
    client.start("/usr/bin/time",
                 {"-f", "FBTIME cpu=%U+%S wall=%e", "taskset", "-c", "0", "chrt", "-f", "50", fbloadBin(), "run", "--workload", "llm",
                  "--target", QString("127.0.0.1:%1").arg(port), "--out", out, "--threads", "1", "--concurrency",
                  QString::number(streams), "--duration", "4", "--warmup", "2", "--set", "load.ramp_up_s=2", "--set",
                  "params.api=openai-chat", "--set", "params.model=bench", "--set", "params.max_tokens=32", "--set",
                  "params.prompt_tokens=8"});
    // The server's lateness over the measured part only: reset after the warm-up.
    bool reset = false;
    while (!client.waitForFinished(200)) {
        if (!reset && t.elapsed() > 2500) {
            httpGet(port, "/control/stats?reset=1");
            reset = true;
        }
    }
    const QJsonObject stats = QJsonDocument::fromJson(httpGet(port, "/control/stats")).object();
    serve.terminate();
    serve.waitForFinished(5000);
    const QString cerr = QString::fromUtf8(client.readAllStandardError());
    QFile f(out);
    if (client.exitCode() != 0 || !f.open(QIODevice::ReadOnly)) {
        qWarning("%d streams: fbload failed: %s", streams, qPrintable(cerr.right(400)));
        return s;
    }
    const auto result = QJsonDocument::fromJson(f.readAll()).object();
    const auto summary = result["summary"].toObject();
    const double measured = result["run"].toObject()["measured_s"].toDouble();
    s.itlP50 = metric(result, "itl")["p50"].toDouble();
    s.itlP99 = metric(result, "itl")["p99"].toDouble();
    s.serverLateP99 = stats["lateness_ms"].toObject()["p99"].toDouble();
    s.sentItlP99 = stats["sent_itl_ms"].toObject()["p99"].toDouble();
    s.eventsPerS = summary["tokens"].toObject()["output"].toDouble() / measured;
    auto m = QRegularExpression("FBTIME cpu=([0-9.]+)\\+([0-9.]+) wall=([0-9.]+)").match(cerr);
    if (m.hasMatch())
        s.cpuUtil = (m.captured(1).toDouble() + m.captured(2).toDouble()) / m.captured(3).toDouble();
    s.ok = summary["requests"].toObject()["errors"].toInt() == 0 && s.eventsPerS > 0;
    return s;
}

}  // namespace

class BenchServe : public QObject {
    Q_OBJECT
private slots:
    void clientCeiling();
};

void BenchServe::clientCeiling()
{
    QVERIFY2(!fbloadBin().isEmpty(), "FBLOAD_BIN is not set");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    double bestPerCore = 0;
    QStringList results;
    // 20 ms per token up to the server's own limit on one core (~120,000
    // tokens/s here), then 50 ms per token (20 events/s per stream) to reach
    // 5,000 streams and more with the server still on time.
    for (double tpot : {20.0, 50.0}) {
        int best = 0, bestTruth = 0;
        const QList<int> steps = tpot < 30 ? QList<int>{500, 1000, 2000, 3000, 4000}
                                           : QList<int>{5000, 6000, 8000, 10000};
        for (int streams : steps) {
            const Step s = runStep(streams, tpot, dir.path());
            QVERIFY2(s.ok, qPrintable(QString("%1 streams: the run failed").arg(streams)));
            // fbload's error: its ITL p99 against the gaps the tokens actually
            // left with (the server's record); and against the configured
            // truth, which also holds the server's own lateness.
            const double error = qAbs(s.itlP99 - s.sentItlP99);
            const double truthError = qAbs(s.itlP99 - tpot);
            const double perCore = s.cpuUtil > 0 ? s.eventsPerS / s.cpuUtil : 0;
            bestPerCore = std::max(bestPerCore, perCore);
            qInfo("%5d streams, %2.0f ms/token: fbload ITL p50 %.3f ms p99 %.3f ms; sent ITL p99 %.3f ms (server "
                  "lateness p99 %.3f ms); ITL p99 error %.3f ms (vs %.0f ms: %.3f ms); %.0f events/s at %.0f %% of a "
                  "core = %.0f events/s per core",
                  streams, tpot, s.itlP50, s.itlP99, s.sentItlP99, s.serverLateP99, error, tpot, truthError,
                  s.eventsPerS, 100 * s.cpuUtil, perCore);
            if (error > 1.0)
                break;
            best = streams;
            if (truthError <= 1.0)
                bestTruth = streams;
        }
        results << QString("%1 ms/token: %2 streams within 1 ms of the server's sent gaps (%3 within 1 ms of %1 ms, "
                           "server lateness included)")
                       .arg(tpot).arg(best).arg(bestTruth);
    }
    qInfo("RESULT: %s (goal >= 5000); up to %.0f stream events/s per client core (goal >= 200000)",
          qPrintable(results.join("; ")), bestPerCore);
}

QTEST_GUILESS_MAIN(BenchServe)
#include "bench_serve.moc"
