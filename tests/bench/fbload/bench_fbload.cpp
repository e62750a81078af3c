// Benchmarks: fbload next to the peer tools users would otherwise publish
// numbers from, same machine, same server, same run.
//
//   redis: fbload vs redis-benchmark, GET and SET, 50 clients, pipeline 16,
//          64-byte values, 100k random keys, one client thread each.
//          Target: throughput ratio >= 1.0.
//   http:  fbload vs wrk on the same local nginx, 1 thread, 32 connections.
//          Target: throughput ratio >= 0.9. Also fbload with busy polling
//          off, for reference.
//   rss:   fbload's peak RSS holding 1000 connections (wrk's for reference).
//
// The ratios are printed, not asserted: on a shared 2-core machine the server
// under test takes one core and the client the other, so the figures say how
// close the client comes to the server's limit. Other jobs on the machine
// add noise, so each tool runs kRounds times, alternating with its peer, and
// the MEDIANS are compared, with every round and the min-max spread printed
// (tests/bench/BenchRounds.h), never the best of N. What is asserted is that
// every tool ran, without errors, and produced a throughput in every round.
#include "../BenchRounds.h"
#include "fbload_test_util.h"

#include <QRegularExpression>

using namespace fbtest;

namespace {

constexpr int kSeconds = 3;
constexpr int kRounds = 5;

struct Proc {
    int exitCode = -1;
    QString out, err;
};

Proc runTool(const QString& program, const QStringList& args, int timeoutMs = 60000)
{
    QProcess p;
    p.start(program, args);
    Proc r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "timed out";
        return r;
    }
    r.exitCode = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

// Runs a command under GNU time, which appends "FBTIME cpu=USER+SYS rss=KIB"
// to stderr: CPU seconds per request is a steadier figure than throughput
// on a shared machine.
Proc runTimed(const QString& program, const QStringList& args)
{
    return runTool("/usr/bin/time", QStringList{"-f", "FBTIME cpu=%U+%S RSS_KIB=%M", program} + args);
}

double cpuSeconds(const Proc& timed)
{
    auto m = QRegularExpression("FBTIME cpu=([0-9.]+)\\+([0-9.]+)").match(timed.err);
    return m.hasMatch() ? m.captured(1).toDouble() + m.captured(2).toDouble() : -1;
}

QJsonObject readJson(const QString& path)
{
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return QJsonDocument::fromJson(f.readAll()).object();
}

double completed(const QJsonObject& result)
{
    return result["summary"].toObject()["requests"].toObject()["completed"].toDouble();
}

// Peak RSS in MiB of a command, by GNU time's %M (KiB).
double peakRssMiB(const Proc& timed)
{
    auto m = QRegularExpression("RSS_KIB=(\\d+)").match(timed.err);
    return m.hasMatch() ? m.captured(1).toDouble() / 1024.0 : -1;
}

double fbloadRate(const QJsonObject& result)
{
    return result["summary"].toObject()["throughput"].toObject()["requests_per_s"].toDouble();
}

// wrk's "Requests/sec:   12345.67".
double wrkRate(const QString& out)
{
    auto m = QRegularExpression("Requests/sec:\\s+([0-9.]+)").match(out);
    return m.hasMatch() ? m.captured(1).toDouble() : 0;
}

}  // namespace

class BenchFbload : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void redisVsRedisBenchmark_data();
    void redisVsRedisBenchmark();
    void httpVsWrk();
    void rssAt1000Connections();

private:
    QTemporaryDir dir_;
};

void BenchFbload::initTestCase()
{
    QVERIFY2(!fbloadBin().isEmpty(), "FBLOAD_BIN is not set");
    QVERIFY(servicePort("redis") > 0 && servicePort("nginx") > 0);
    QVERIFY(dir_.isValid());
}

void BenchFbload::redisVsRedisBenchmark_data()
{
    QTest::addColumn<QString>("op");
    QTest::newRow("SET") << "set";
    QTest::newRow("GET") << "get";
}

void BenchFbload::redisVsRedisBenchmark()
{
    QFETCH(QString, op);
    const QString port = QString::number(servicePort("redis"));
    fbbench::Rounds peerRate("redis-benchmark"), rate("fbload"), peerCpu("redis-benchmark CPU"), cpu("fbload CPU");
    for (int round = 0; round < kRounds; ++round) {
        // redis-benchmark runs a request count: ~3 s worth at the rates seen here.
        auto peer = runTimed("redis-benchmark", {"-h", "127.0.0.1", "-p", port, "-c", "50", "-P", "16", "-d", "64",
                                                "-r", "100000", "-n", "600000", "-t", op, "--csv"});
        QVERIFY2(peer.exitCode == 0, qPrintable(peer.err));
        // "SET","298240.38",...
        auto m = QRegularExpression("\"" + op.toUpper() + "\",\"([0-9.]+)\"").match(peer.out);
        QVERIFY2(m.hasMatch(), qPrintable(peer.out));
        peerRate.add(m.captured(1).toDouble());
        peerCpu.add(cpuSeconds(peer) / 600000.0 * 1e6);

        const QString out = dir_.filePath(QString("redis-%1-%2.json").arg(op).arg(round));
        // Same shape: 50 connections, pipeline 16, 64-byte values, 100k random
        // keys named "key:N" like redis-benchmark's "key:__rand_int__".
        auto t = runTimed(fbloadBin(), {"run", "--workload", "redis", "--target", "127.0.0.1:" + port, "--out", out,
                                        "--threads", "1", "--concurrency", "50", "--duration", QString::number(kSeconds),
                                        "--set", "params.pipeline=16", "--set", "params.value_size=64", "--set",
                                        "params.keyspace=100000", "--set", "params.key_prefix=", "--set",
                                        QString(R"(params.operations={"%1":1})").arg(op)});
        QVERIFY2(t.exitCode == 0, qPrintable(t.err));
        const auto result = readJson(out);
        QCOMPARE(result["summary"].toObject()["requests"].toObject()["errors"].toInt(), 0);
        rate.add(fbloadRate(result));
        cpu.add(cpuSeconds(t) / completed(result) * 1e6);
    }
    for (const auto* r : {&rate, &peerRate, &cpu, &peerCpu})
        QVERIFY2(r->allPositive(), qPrintable(r->name()));
    qInfo("BENCH redis %s, %d interleaved rounds:", qPrintable(op.toUpper()), kRounds);
    for (const auto* r : {&rate, &peerRate})
        qInfo("  %s", qPrintable(r->summary(1, "req/s", 0)));
    for (const auto* r : {&cpu, &peerCpu})
        qInfo("  %s", qPrintable(r->summary(1, "us/request", 2)));
    qInfo("  %s", qPrintable(fbbench::ratioLine(rate, peerRate, 1.0)));
    qInfo("  client CPU per request, ratio of medians %.2f (lower is better)", cpu.median() / peerCpu.median());
}

void BenchFbload::httpVsWrk()
{
    const QString url = QString("http://127.0.0.1:%1/index.html").arg(servicePort("nginx"));
    fbbench::Rounds peerRate("wrk"), rate("fbload"), peerCpu("wrk CPU"), cpu("fbload CPU"),
        noPollRate("fbload without busy polling"), noPollCpu("fbload without busy polling CPU");
    for (int round = 0; round < kRounds; ++round) {
        auto peer = runTimed("wrk", {"-t", "1", "-c", "32", "-d", QString("%1s").arg(kSeconds), url});
        QVERIFY2(peer.exitCode == 0, qPrintable(peer.err));
        QVERIFY2(!peer.out.contains("Non-2xx"), qPrintable(peer.out));
        peerRate.add(wrkRate(peer.out));
        auto n = QRegularExpression("(\\d+) requests in").match(peer.out);
        QVERIFY2(n.hasMatch(), qPrintable(peer.out));
        peerCpu.add(cpuSeconds(peer) / n.captured(1).toDouble() * 1e6);

        const QString out = dir_.filePath(QString("http-%1.json").arg(round));
        auto t = runTimed(fbloadBin(), {"run", "--workload", "http", "--target",
                                        QString("127.0.0.1:%1").arg(servicePort("nginx")), "--out", out, "--threads",
                                        "1", "--concurrency", "32", "--duration", QString::number(kSeconds), "--set",
                                        "params.path=/index.html"});
        QVERIFY2(t.exitCode == 0, qPrintable(t.err));
        const auto result = readJson(out);
        QCOMPARE(result["summary"].toObject()["requests"].toObject()["errors"].toInt(), 0);
        rate.add(fbloadRate(result));
        cpu.add(cpuSeconds(t) / completed(result) * 1e6);

        // The same run without busy polling (docs/fbload.md, "Busy polling"),
        // to show what it buys on this machine today.
        const QString outNoPoll = dir_.filePath(QString("http-nopoll-%1.json").arg(round));
        auto np = runTimed(fbloadBin(), {"run", "--workload", "http", "--target",
                                         QString("127.0.0.1:%1").arg(servicePort("nginx")), "--out", outNoPoll,
                                         "--threads", "1", "--concurrency", "32", "--duration",
                                         QString::number(kSeconds), "--set", "params.path=/index.html",
                                         "--busy-poll-us", "0"});
        QVERIFY2(np.exitCode == 0, qPrintable(np.err));
        const auto npResult = readJson(outNoPoll);
        noPollRate.add(fbloadRate(npResult));
        noPollCpu.add(cpuSeconds(np) / completed(npResult) * 1e6);
    }
    for (const auto* r : {&rate, &peerRate, &cpu, &peerCpu, &noPollRate})
        QVERIFY2(r->allPositive(), qPrintable(r->name()));
    qInfo("BENCH http, %d interleaved rounds:", kRounds);
    for (const auto* r : {&rate, &peerRate, &noPollRate})
        qInfo("  %s", qPrintable(r->summary(1, "req/s", 0)));
    for (const auto* r : {&cpu, &peerCpu, &noPollCpu})
        qInfo("  %s", qPrintable(r->summary(1, "us/request", 2)));
    qInfo("  %s", qPrintable(fbbench::ratioLine(rate, peerRate, 0.9)));
    qInfo("  %s", qPrintable(fbbench::ratioLine(noPollRate, peerRate, 0.9)));
    qInfo("  client CPU per request, ratio of medians %.2f (lower is better)", cpu.median() / peerCpu.median());
}

void BenchFbload::rssAt1000Connections()
{
    const QString target = QString("127.0.0.1:%1").arg(servicePort("nginx"));
    const QString out = dir_.filePath("rss.json");
    auto timed = runTimed(fbloadBin(), {"run", "--workload", "http", "--target",
                                           target, "--out", out, "--threads", "2", "--concurrency", "1000",
                                           "--duration", QString::number(kSeconds)});
    QVERIFY2(timed.exitCode == 0, qPrintable(timed.err));
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const auto result = QJsonDocument::fromJson(f.readAll()).object();
    // All 1000 connections were up and busy at once.
    int inflight = 0;
    for (const auto& row : result["timeseries"].toObject()["rows"].toArray())
        inflight = qMax(inflight, row.toObject()["inflight_max"].toInt());
    QCOMPARE(inflight, 1000);
    QCOMPARE(result["summary"].toObject()["requests"].toObject()["errors"].toInt(), 0);
    const double rss = peakRssMiB(timed);
    QVERIFY(rss > 0);

    auto wrk = runTimed("wrk", {"-t", "2", "-c", "1000", "-d",
                                         QString("%1s").arg(kSeconds), "http://" + target + "/index.html"});
    const double wrkRss = peakRssMiB(wrk);
    qInfo("BENCH rss: fbload %.1f MiB peak at 1000 connections (%.0f req/s); wrk %.1f MiB (%.0f req/s)", rss,
          fbloadRate(result), wrkRss, wrkRate(wrk.out));
}

QTEST_GUILESS_MAIN(BenchFbload)
#include "bench_fbload.moc"
