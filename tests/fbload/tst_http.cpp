// fbload's http workload against a real nginx (fixture fbload_nginx), whose
// stub_status counter and access log show what actually arrived; plus the
// run-level behaviours every workload shares: SIGTERM still writes the
// result, an unreachable target is a connect error and exit code 1.
#include "fbload_test_util.h"

#include <QDir>
#include <QHostInfo>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTcpServer>
#include <QThread>

#include <memory>
#include <vector>

using namespace fbtest;

namespace {

QString nginxTarget()
{
    return QString("127.0.0.1:%1").arg(servicePort("nginx"));
}

QString curl(const QString& path)
{
    QProcess p;
    p.start("curl", {"-s", "--max-time", "5", "http://" + nginxTarget() + path});
    p.waitForFinished(10000);
    return QString::fromUtf8(p.readAllStandardOutput());
}

// nginx's total request count (stub_status; it includes this request).
qint64 nginxRequests()
{
    auto m = QRegularExpression("\\n\\s*(\\d+)\\s+(\\d+)\\s+(\\d+)").match(curl("/nginx_status"));
    return m.hasMatch() ? m.captured(3).toLongLong() : -1;
}

}  // namespace

class TestHttp : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void getCountsMatchServer();
    void postSendsHeadersAndBody();
    void statusErrorsAreCounted();
    void sigtermWritesResult();
    void connectRefused();
    void liveMetrics();
    void metricsPortStepsAndPublishes();
    void metricsPortTakenWithoutAuto();
    void warmupIsExcluded();

private:
    QTemporaryDir dir_;
};

void TestHttp::initTestCase()
{
    QVERIFY2(!fbloadBin().isEmpty(), "FBLOAD_BIN is not set");
    QVERIFY2(servicePort("nginx") > 0, "the nginx fixture did not write its port");
    QVERIFY(dir_.isValid());
}

void TestHttp::getCountsMatchServer()
{
    const qint64 before = nginxRequests();
    QVERIFY(before > 0);
    const QString out = dir_.filePath("get.json");
    auto r = runFbload({"run", "--workload", "http", "--target", nginxTarget(), "--out", out, "--duration", "2",
                        "--concurrency", "8", "--threads", "2", "--set", "params.path=/index.html"},
                       out);
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const qint64 after = nginxRequests();
    const auto req = r.result["summary"].toObject()["requests"].toObject();
    const qint64 sent = req["sent"].toInteger();
    QVERIFY(sent > 1000);
    QCOMPARE(req["completed"].toInteger(), sent);
    QCOMPARE(req["errors"].toInt(), 0);
    // Every request fbload counted reached nginx, and nothing else did
    // (+1: the second stub_status request).
    QCOMPARE(after - before, sent + 1);
    // 8 keep-alive connections, two threads.
    QCOMPARE(r.result["run"].toObject()["config"].toObject()["threads"].toInt(), 2);
    const double rps = r.result["summary"].toObject()["throughput"].toObject()["requests_per_s"].toDouble();
    QVERIFY2(qAbs(rps - double(sent) / 2.0) / rps < 0.05, "throughput should be completions over the 2 s window");
}

void TestHttp::postSendsHeadersAndBody()
{
    // Truncate, not remove: nginx keeps the file open (O_APPEND).
    QFile(qEnvironmentVariable("FBLOAD_SERVICES_DIR") + "/nginx/logged.log").open(QIODevice::WriteOnly | QIODevice::Truncate);
    const QString out = dir_.filePath("post.json");
    auto r = runFbload({"run", "--workload", "http", "--target", nginxTarget(), "--out", out, "--requests", "20",
                        "--concurrency", "2", "--set", "params.method=post", "--set", "params.path=/logged", "--set",
                        R"(params.headers={"X-Fbload-Test":"it's \"quoted\""})", "--set",
                        R"(params.body={"hello":"world"})"},
                       out);
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    QCOMPARE(r.result["summary"].toObject()["requests"].toObject()["completed"].toInt(), 20);
    QFile log(qEnvironmentVariable("FBLOAD_SERVICES_DIR") + "/nginx/logged.log");
    QVERIFY(log.open(QIODevice::ReadOnly));
    QStringList lines = QString::fromUtf8(log.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 20);
    // nginx escapes '"' in logs as \x22. The body is sent verbatim: 17 bytes;
    // keep-alive: no "Connection: close" header.
    for (const QString& l : lines)
        QCOMPARE(l, QString(R"(POST /logged it's \x22quoted\x22 17 -)"));
}

void TestHttp::statusErrorsAreCounted()
{
    const QString out = dir_.filePath("500.json");
    auto r = runFbload({"run", "--workload", "http", "--target", nginxTarget(), "--out", out, "--requests", "50",
                        "--set", "params.path=/status500"},
                       out);
    QCOMPARE(r.exitCode, 1);  // nothing succeeded
    QVERIFY2(r.stderrText.contains("no request succeeded"), qPrintable(r.stderrText));
    const auto summary = r.result["summary"].toObject();
    QCOMPARE(summary["errors"].toObject()["http_status"].toInt(), 50);
    QCOMPARE(summary["http_status"].toObject()["500"].toInt(), 50);
    QCOMPARE(summary["requests"].toObject()["completed"].toInt(), 0);
}

void TestHttp::sigtermWritesResult()
{
    // As scancel or a Slurm time limit would: SIGTERM in the middle of a long run.
    const QString out = dir_.filePath("term.json");
    QProcess p;
    p.start(fbloadBin(), {"run", "--workload", "http", "--target", nginxTarget(), "--out", out, "--duration", "60",
                          "--model", "constant", "--rate", "200", "--concurrency", "4"});
    QVERIFY(p.waitForStarted());
    QThread::msleep(1500);
    QElapsedTimer t;
    t.start();
    p.terminate();  // SIGTERM
    QVERIFY(p.waitForFinished(10000));
    QVERIFY2(t.elapsed() < 3000, "fbload should stop within a second or so of SIGTERM");
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
    QFile f(out);
    QVERIFY2(f.open(QIODevice::ReadOnly), "no result written after SIGTERM");
    const auto result = QJsonDocument::fromJson(f.readAll()).object();
    const auto run = result["run"].toObject();
    QCOMPARE(run["interrupted"].toBool(), true);
    const double measured = run["measured_s"].toDouble();
    QVERIFY2(measured > 1.0 && measured < 2.5, qPrintable(QString("measured_s %1").arg(measured)));
    const int completed = result["summary"].toObject()["requests"].toObject()["completed"].toInt();
    QVERIFY2(qAbs(completed - 200 * measured) < 30, qPrintable(QString("%1 completed").arg(completed)));
}

void TestHttp::connectRefused()
{
    // A port nobody listens on: bind one, remember it, close it.
    QTcpServer s;
    QVERIFY(s.listen(QHostAddress::LocalHost));
    const quint16 port = s.serverPort();
    s.close();
    const QString out = dir_.filePath("refused.json");
    auto r = runFbload({"run", "--workload", "http", "--target", QString("127.0.0.1:%1").arg(port), "--out", out,
                        "--duration", "1"},
                       out);
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.result["summary"].toObject()["errors"].toObject()["connect"].toInt() > 0);
    QVERIFY2(r.stderrText.contains("no request succeeded"), qPrintable(r.stderrText));
}

void TestHttp::liveMetrics()
{
    // /metrics while the run is going: Prometheus text that promtool accepts,
    // with the run's labels and counters that move.
    QProcess p;
    p.start(fbloadBin(), {"run", "--workload", "http", "--target", nginxTarget(), "--out", dir_.filePath("m.json"),
                          "--duration", "3", "--metrics-port", "0", "--metrics-bind", "127.0.0.1", "--label",
                          "node=n7"});
    QVERIFY(p.waitForStarted());
    QByteArray err;
    QRegularExpression re("serving /metrics on port (\\d+)");
    QRegularExpressionMatch m;
    QTRY_VERIFY_WITH_TIMEOUT((err += p.readAllStandardError(), m = re.match(QString::fromUtf8(err))).hasMatch(), 5000);
    QThread::msleep(700);
    QProcess c;
    c.start("curl", {"-s", "--max-time", "5", QString("http://127.0.0.1:%1/metrics").arg(m.captured(1))});
    QVERIFY(c.waitForFinished(10000));
    const QByteArray text = c.readAllStandardOutput();
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 0);
    QVERIFY2(text.contains("# TYPE fbload_requests_total counter"), text.constData());
    QVERIFY(text.contains("# TYPE fbload_latency_seconds histogram"));
    QVERIFY(text.contains(R"(fbload_latency_seconds_bucket{workload="http",node="n7",le="+Inf"})"));
    auto count = QRegularExpression(R"(fbload_requests_total\{[^}]*op="get"\} (\d+))").match(QString::fromUtf8(text));
    QVERIFY(count.hasMatch());
    QVERIFY(count.captured(1).toLongLong() > 0);
    QProcess promtool;
    promtool.start("promtool", {"check", "metrics"});
    if (!promtool.waitForStarted())
        QSKIP("promtool is not installed");
    promtool.write(text);
    promtool.closeWriteChannel();
    QVERIFY(promtool.waitForFinished(20000));
    QVERIFY2(promtool.exitCode() == 0, promtool.readAllStandardError().constData());
}

// Two fbloads started at the same instant with the same preferred /metrics
// port, which something else already holds: both come up, on different
// ports past it, and each target file names the port its own process serves.
void TestHttp::metricsPortStepsAndPublishes()
{
    QTcpServer holder;
    QVERIFY(holder.listen(QHostAddress::LocalHost, 0));
    const int taken = holder.serverPort();
    struct Client {
        QString name, targetFile;
        std::unique_ptr<QProcess> proc;
        QByteArray err;
        int port = 0;
    };
    std::vector<Client> clients(2);
    for (int i = 0; i < 2; ++i) {
        Client& c = clients[static_cast<size_t>(i)];
        c.name = QString("c%1").arg(i);
        c.targetFile = dir_.filePath(QString("targets/client-%1.json").arg(c.name));
        c.proc = std::make_unique<QProcess>();
    }
    QVERIFY(QDir(dir_.path()).mkpath("targets"));
    // The first binds 127.0.0.1, the second every address: the target host
    // is the bind address, or the short host name for 0.0.0.0.
    for (int i = 0; i < 2; ++i) {
        Client& c = clients[static_cast<size_t>(i)];
        QStringList args{"run", "--workload", "http", "--target", nginxTarget(), "--out",
                         dir_.filePath(c.name + ".json"), "--duration", "3", "--concurrency", "2",
                         "--metrics-port", QString::number(taken), "--metrics-port-auto",
                         "--metrics-target-file", c.targetFile, "--label", "client=" + c.name};
        if (i == 0)
            args << "--metrics-bind" << "127.0.0.1";
        c.proc->start(fbloadBin(), args);
    }
    QRegularExpression re("serving /metrics on port (\\d+)");
    for (Client& c : clients) {
        QVERIFY(c.proc->waitForStarted());
        QRegularExpressionMatch m;
        QTRY_VERIFY_WITH_TIMEOUT((c.err += c.proc->readAllStandardError(), m = re.match(QString::fromUtf8(c.err))).hasMatch(), 5000);
        c.port = m.captured(1).toInt();
    }
    QVERIFY2(clients[0].port != clients[1].port, qPrintable(QString("both on %1").arg(clients[0].port)));
    QString shortHost = QHostInfo::localHostName().section('.', 0, 0);
    for (size_t i = 0; i < clients.size(); ++i) {
        const Client& c = clients[i];
        QVERIFY2(c.port > taken && c.port < taken + 100, qPrintable(QString("port %1, preferred %2").arg(c.port).arg(taken)));
        QFile f(c.targetFile);
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(c.targetFile));
        const QJsonArray doc = QJsonDocument::fromJson(f.readAll()).array();
        QCOMPARE(doc.size(), 1);
        const QJsonObject t = doc[0].toObject();
        const QString host = i == 0 ? QString("127.0.0.1") : shortHost;
        QCOMPARE(t["targets"].toArray(), QJsonArray{QString("%1:%2").arg(host).arg(c.port)});
        QCOMPARE(t["labels"].toObject()["job"].toString(), QString("fbload"));
        QCOMPARE(t["labels"].toObject()["client"].toString(), c.name);
        QVERIFY2(!QFile::exists(c.targetFile + ".tmp." + QString::number(c.proc->processId())), "temporary file left behind");
        // The port in the file is the one serving this client's metrics.
        QProcess curlP;
        curlP.start("curl", {"-s", "--max-time", "5", QString("http://127.0.0.1:%1/metrics").arg(c.port)});
        QVERIFY(curlP.waitForFinished(10000));
        const QByteArray text = curlP.readAllStandardOutput();
        QVERIFY2(text.contains(QString("client=\"%1\"").arg(c.name).toUtf8()), text.left(400).constData());
    }
    for (Client& c : clients) {
        QVERIFY(c.proc->waitForFinished(20000));
        QVERIFY2(c.proc->exitCode() == 0, (c.err + c.proc->readAllStandardError()).constData());
    }
}

// Without --metrics-port-auto a taken port is still an error naming it.
void TestHttp::metricsPortTakenWithoutAuto()
{
    QTcpServer holder;
    QVERIFY(holder.listen(QHostAddress::LocalHost, 0));
    const QString port = QString::number(holder.serverPort());
    auto r = runFbload({"run", "--workload", "http", "--target", nginxTarget(), "--out", dir_.filePath("taken.json"),
                        "--duration", "1", "--metrics-port", port, "--metrics-bind", "127.0.0.1"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.stderrText.contains("--metrics-port " + port + " on 127.0.0.1: Address already in use"),
             qPrintable(r.stderrText));
    r = runFbload({"run", "--workload", "http", "--target", nginxTarget(), "--duration", "1", "--metrics-port-auto"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains("--metrics-port-auto: needs --metrics-port"), qPrintable(r.stderrText));
}

void TestHttp::warmupIsExcluded()
{
    // Constant 100 req/s: 1 s of warm-up, then 1 s measured.
    const QString out = dir_.filePath("warmup.json");
    auto r = runFbload({"run", "--workload", "http", "--target", nginxTarget(), "--out", out, "--model", "constant",
                        "--rate", "100", "--concurrency", "4", "--warmup", "1", "--duration", "1"},
                       out);
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const auto req = r.result["summary"].toObject()["requests"].toObject();
    QVERIFY2(qAbs(req["sent"].toInt() - 100) <= 1, qPrintable(QString("%1 measured").arg(req["sent"].toInt())));
    QVERIFY2(qAbs(req["warmup"].toInt() - 100) <= 1, qPrintable(QString("%1 warm-up").arg(req["warmup"].toInt())));
    QCOMPARE(r.result["histograms"].toObject()["latency"].toObject()["count"].toInt(), req["completed"].toInt());
    const auto run = r.result["run"].toObject();
    QVERIFY(qAbs(run["measure_start_unix"].toDouble() - run["start_unix"].toDouble() - 1.0) < 0.01);
    bool sawWarmup = false;
    for (const auto& row : r.result["timeseries"].toObject()["rows"].toArray())
        sawWarmup = sawWarmup || row.toObject()["phase"].toString() == "warmup";
    QVERIFY(sawWarmup);
}

QTEST_GUILESS_MAIN(TestHttp)
#include "tst_http.moc"
