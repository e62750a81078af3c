// Helpers shared by the fbload tests: run the fbload binary, read its result
// with Qt's JSON (an independent reader), find fixture ports.
#pragma once

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QtTest>

namespace fbtest {

inline QString fbloadBin()
{
    return qEnvironmentVariable("FBLOAD_BIN");
}

// The port a fixture wrote to FBLOAD_SERVICES_DIR/<service>/<service>.port.
inline int servicePort(const QString& service)
{
    QFile f(qEnvironmentVariable("FBLOAD_SERVICES_DIR") + "/" + service + "/" + service + ".port");
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    return f.readAll().trimmed().toInt();
}

struct RunOutcome {
    int exitCode = -1;
    QString stderrText;
    QJsonObject result;
};

// Runs fbload with args (timeout in ms); parses `out` when given.
// Runs fbload; `realtime` gives it real-time priority (chrt -f 10) where
// that is allowed (root), for tests that judge its schedule precision: on a
// 2-core machine shared with compilers a sleeping thread may otherwise wait
// milliseconds for a CPU (fbload reports that, rightly, as lateness).
inline RunOutcome runFbload(const QStringList& args, const QString& out = {}, int timeoutMs = 60000, bool realtime = false)
{
    RunOutcome r;
    QProcess p;
    if (realtime && QProcess::execute("chrt", {"-f", "10", "true"}) == 0)
        p.start("chrt", QStringList{"-f", "10", fbloadBin()} + args);
    else
        p.start(fbloadBin(), args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.stderrText = "timed out";
        return r;
    }
    r.exitCode = p.exitCode();
    r.stderrText = QString::fromUtf8(p.readAllStandardError());
    if (!out.isEmpty()) {
        QFile f(out);
        if (f.open(QIODevice::ReadOnly))
            r.result = QJsonDocument::fromJson(f.readAll()).object();
    }
    return r;
}

inline QJsonObject metric(const QJsonObject& result, const QString& name)
{
    return result["summary"].toObject()["metrics"].toObject()[name].toObject();
}

}  // namespace fbtest

namespace fbtest {

// tests/fbload/hostile_server.py (path in FBLOAD_HOSTILE_SERVER): a test
// server that answers every request in a hostile way. Started per test,
// killed by its QProcess (owned here) when this object goes.
class HostileServer {
public:
    HostileServer(const QString& protocol, const QString& mode)
    {
        proc_.setProcessChannelMode(QProcess::SeparateChannels);
        proc_.start("python3", {qEnvironmentVariable("FBLOAD_HOSTILE_SERVER"), protocol, mode});
        waitFor([this] { return port_ > 0; }, 10000);
    }
    ~HostileServer()
    {
        proc_.kill();
        proc_.waitForFinished(5000);
    }
    int port() const { return port_; }
    int connections() { poll(); return conns_; }
    int hostileAnswers() { poll(); return hostile_; }
    // Polls the server's output until pred() holds or timeoutMs passes.
    template <typename Pred>
    bool waitFor(Pred pred, int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        for (;;) {
            poll();
            if (pred())
                return true;
            if (t.elapsed() > timeoutMs || proc_.state() == QProcess::NotRunning)
                return false;
            proc_.waitForReadyRead(20);
        }
    }

private:
    void poll()
    {
        while (proc_.canReadLine()) {
            const QByteArray line = proc_.readLine().trimmed();
            if (line.startsWith("port "))
                port_ = line.mid(5).toInt();
            else if (line.startsWith("conn "))
                ++conns_;
            else if (line.startsWith("hostile "))
                ++hostile_;
        }
    }
    QProcess proc_;
    int port_ = 0, conns_ = 0, hostile_ = 0;
};

// VmHWM (peak resident set) of a running process in bytes, 0 once it is gone.
inline qint64 peakRss(qint64 pid)
{
    QFile f(QString("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray& line : f.readAll().split('\n'))
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong() * 1024;
    return 0;
}

}  // namespace fbtest

namespace fbtest {

// `fbload serve` (the zero-compute reference server) started by a test:
// port 0, the port read from its "listening on ADDR:PORT" line on stderr.
// Killed when this object goes.
class ServeProcess {
public:
    explicit ServeProcess(const QStringList& args)
    {
        proc_.setProcessChannelMode(QProcess::SeparateChannels);
        proc_.setReadChannel(QProcess::StandardError);
        proc_.start(fbloadBin(), QStringList{"serve", "--port", "0"} + args);
        QElapsedTimer t;
        t.start();
        while (port_ == 0 && t.elapsed() < 10000 && proc_.state() != QProcess::NotRunning) {
            proc_.waitForReadyRead(50);
            stderr_ += proc_.readAllStandardError();
            const int at = stderr_.indexOf("listening on ");
            const int eol = stderr_.indexOf(' ', stderr_.indexOf(':', at));
            if (at >= 0 && eol > at)
                port_ = stderr_.mid(stderr_.indexOf(':', at) + 1, eol - stderr_.indexOf(':', at) - 1).toInt();
        }
    }
    ~ServeProcess()
    {
        proc_.terminate();
        if (!proc_.waitForFinished(5000)) {
            proc_.kill();
            proc_.waitForFinished();
        }
    }
    int port() const { return port_; }
    QString target() const { return QString("127.0.0.1:%1").arg(port_); }
    QString errors() { return QString::fromUtf8(stderr_ + proc_.readAllStandardError()); }

private:
    QProcess proc_;
    QByteArray stderr_;
    int port_ = 0;
};

// GET http://127.0.0.1:port/path with curl; the body ("" on failure).
inline QByteArray httpGet(int port, const QString& path)
{
    QProcess curl;
    curl.start("curl", {"-s", "--max-time", "5", QString("http://127.0.0.1:%1%2").arg(port).arg(path)});
    curl.waitForFinished(10000);
    return curl.readAllStandardOutput();
}

// A sample of a Prometheus text page: `name` with any labels, -1 if absent.
inline double promSample(const QByteArray& page, const QByteArray& name)
{
    for (const QByteArray& line : page.split('\n'))
        if (line.startsWith(name + "{") || line.startsWith(name + " "))
            return line.mid(line.lastIndexOf(' ') + 1).toDouble();
    return -1;
}

}  // namespace fbtest
