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
inline RunOutcome runFbload(const QStringList& args, const QString& out = {}, int timeoutMs = 60000)
{
    RunOutcome r;
    QProcess p;
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
