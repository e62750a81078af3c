// Helpers shared by the tests that use the mini-cluster from outside: the
// OpenSSH client on its login node, and FactoryBench's command-line tools run
// as child processes.
#pragma once

#include "ssh/ConnectionProfile.h"

#include <QDebug>
#include <QProcess>

namespace fbtest {

// Runs one command on the login node with the OpenSSH client (host key
// checked against the profile's known_hosts, batch mode); returns stdout.
// Without `exitCode` a failure is logged.
inline QString openSsh(const fb::ConnectionProfile &profile, const QString &command, int *exitCode = nullptr,
                       int timeoutMs = 60000)
{
    QProcess p;
    p.start(QStringLiteral("ssh"),
            {QStringLiteral("-o"), QStringLiteral("BatchMode=yes"),
             QStringLiteral("-o"), QStringLiteral("StrictHostKeyChecking=yes"),
             QStringLiteral("-o"), QStringLiteral("UserKnownHostsFile=") + profile.knownHostsFile,
             QStringLiteral("-o"), QStringLiteral("IdentitiesOnly=yes"),
             QStringLiteral("-i"), profile.identityFile,
             QStringLiteral("-p"), QString::number(profile.port),
             profile.user + QLatin1Char('@') + profile.host, command});
    if (!p.waitForFinished(timeoutMs))
        qWarning() << "ssh timed out:" << command;
    if (exitCode)
        *exitCode = p.exitCode();
    else if (p.exitCode() != 0)
        qWarning() << "ssh failed:" << command << p.readAllStandardError();
    return QString::fromUtf8(p.readAllStandardOutput());
}

// One finished child process: exit code (-1 when it crashed or was killed
// for running past its time), stdout, stderr.
struct ProcessRun
{
    int exitCode = -1;
    QString out;
    QString err;
    QByteArray all() const { return (QStringLiteral("exit %1; output: ").arg(exitCode) + (out + err).right(1500)).toUtf8(); }
};

inline ProcessRun runProgram(const QString &program, const QStringList &args, int timeoutMs)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

} // namespace fbtest
