// Helpers shared by the fbload tests: run the fbload binary, read its result
// with Qt's JSON (an independent reader), find fixture ports.
#pragma once

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
