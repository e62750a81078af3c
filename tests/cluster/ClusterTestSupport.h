// Helpers shared by the tests that use the mini-cluster from outside: the
// OpenSSH client on its login node, and FactoryBench's command-line tools run
// as child processes.
#pragma once

#include "ssh/ConnectionProfile.h"

#include <QDebug>
#include <QProcess>
#include <QRegularExpression>

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

// The mini-cluster's profile, written by its fixture (FB_CLUSTER_DIR/profile.json);
// false with `error` outside ctest or when it cannot be read.
inline bool loadClusterProfile(fb::ConnectionProfile *profile, QString *profileFile, QString *error)
{
    const QString dir = qEnvironmentVariable("FB_CLUSTER_DIR");
    if (dir.isEmpty()) {
        *error = QStringLiteral("FB_CLUSTER_DIR is not set: run through ctest (minicluster fixture)");
        return false;
    }
    *profileFile = dir + QStringLiteral("/profile.json");
    return fb::ProfileStore::loadFile(*profileFile, profile, error);
}

// The run id `fbctl run` printed ("run 20261203-101500-name-1a2b …").
inline QString runIdOf(const QString &output)
{
    static const QRegularExpression re(QStringLiteral("run (\\d{8}-\\d{6}-[A-Za-z0-9_.-]+-[0-9a-f]{4})"));
    return re.match(output).captured(1);
}

// The run's jobs as Slurm knows them, by their comment (also those ended
// within MinJobAge): "<job id>|factorybench:<run>:<trial or group>:<component>".
inline QStringList slurmJobsOf(const fb::ConnectionProfile &profile, const QString &runId)
{
    QStringList jobs;
    for (const QString &line : openSsh(profile, QStringLiteral("squeue --me --noheader --states=all --format='%i|%k'")).split(QLatin1Char('\n')))
        if (line.contains(QStringLiteral("factorybench:%1:").arg(runId)))
            jobs << line.trimmed();
    return jobs;
}

} // namespace fbtest
