#include "OpenSshRunner.h"

#include <QPromise>
#include <QProcess>
#include <QTimer>

#include <memory>

namespace fb {

OpenSshRunner::OpenSshRunner(ConnectionProfile profile, QObject *parent)
    : QObject(parent)
    , m_profile(std::move(profile))
{
}

QString OpenSshRunner::destination() const
{
    return QStringLiteral("%1@%2:%3").arg(m_profile.user, m_profile.host).arg(m_profile.port);
}

QStringList OpenSshRunner::sshArguments() const
{
    QStringList a{QStringLiteral("-o"), QStringLiteral("BatchMode=yes"),
                  QStringLiteral("-o"), QStringLiteral("StrictHostKeyChecking=yes"),
                  QStringLiteral("-o"), QStringLiteral("ServerAliveInterval=%1").arg(qMax(1, m_profile.keepaliveSeconds)),
                  QStringLiteral("-p"), QString::number(m_profile.port)};
    if (!m_profile.knownHostsFile.isEmpty())
        a << QStringLiteral("-o") << QStringLiteral("UserKnownHostsFile=") + m_profile.knownHostsFile;
    if (!m_profile.identityFile.isEmpty())
        a << QStringLiteral("-i") << m_profile.identityFile;
    if (m_profile.identitiesOnly)
        a << QStringLiteral("-o") << QStringLiteral("IdentitiesOnly=yes");
    if (!m_profile.proxyJump.isEmpty())
        a << QStringLiteral("-J") << m_profile.proxyJump;
    return a;
}

QFuture<CommandResult> OpenSshRunner::run(const QString &command, int timeoutMs)
{
    return runProcess(QStringLiteral("ssh"), sshArguments() << m_profile.user + QLatin1Char('@') + m_profile.host << command,
                      timeoutMs);
}

QStringList OpenSshRunner::scpArguments() const
{
    QStringList a = sshArguments();
    const int p = a.indexOf(QStringLiteral("-p"));
    a[p] = QStringLiteral("-P"); // scp spells the port option differently
    return QStringList{QStringLiteral("-q"), QStringLiteral("-p")} + a;
}

QFuture<QString> OpenSshRunner::uploadFile(const QString &localPath, const QString &remotePath)
{
    const QString dest = destination();
    return runProcess(QStringLiteral("scp"),
                      scpArguments() << QStringLiteral("--") << localPath
                                     << m_profile.user + QLatin1Char('@') + m_profile.host + QLatin1Char(':') + remotePath,
                      600000)
        .then(this, [dest, localPath, remotePath](const CommandResult &r) {
            return r.ok() ? QString()
                          : QStringLiteral("upload of %1 to %2:%3 failed: %4").arg(localPath, dest, remotePath, r.describe());
        });
}

QFuture<QString> OpenSshRunner::downloadFile(const QString &remotePath, const QString &localPath)
{
    const QString dest = destination();
    return runProcess(QStringLiteral("scp"),
                      scpArguments() << QStringLiteral("--")
                                     << m_profile.user + QLatin1Char('@') + m_profile.host + QLatin1Char(':') + remotePath
                                     << localPath,
                      600000)
        .then(this, [dest, localPath, remotePath](const CommandResult &r) {
            return r.ok() ? QString()
                          : QStringLiteral("download of %1:%2 failed: %3").arg(dest, remotePath, r.describe());
        });
}

QFuture<CommandResult> OpenSshRunner::runProcess(const QString &program, const QStringList &args, int timeoutMs)
{
    auto promise = std::make_shared<QPromise<CommandResult>>();
    QFuture<CommandResult> future = promise->future();
    promise->start();

    auto *process = new QProcess(this);
    auto *timer = new QTimer(process);
    timer->setSingleShot(true);
    auto finish = [this, process, promise](CommandResult r) {
        if (promise->future().isFinished())
            return;
        promise->addResult(std::move(r));
        promise->finish();
        process->deleteLater();
        --m_active;
        if (!m_queue.isEmpty())
            m_queue.takeFirst()();
    };
    connect(timer, &QTimer::timeout, process, [process, finish, timeoutMs] {
        process->kill();
        CommandResult r;
        r.error = QStringLiteral("command timed out after %1 s").arg(timeoutMs / 1000.0);
        r.stdOut = process->readAllStandardOutput();
        r.stdErr = process->readAllStandardError();
        finish(std::move(r));
    });
    connect(process, &QProcess::errorOccurred, process, [process, finish](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart)
            return; // crashes and kills arrive through finished()
        CommandResult r;
        r.error = QStringLiteral("cannot start %1: %2").arg(process->program(), process->errorString());
        finish(std::move(r));
    });
    connect(process, &QProcess::finished, process, [this, process, finish](int code, QProcess::ExitStatus status) {
        CommandResult r;
        r.stdOut = process->readAllStandardOutput();
        r.stdErr = process->readAllStandardError();
        if (status != QProcess::NormalExit)
            r.error = QStringLiteral("ssh to %1 crashed").arg(destination());
        else if (code == 255 && process->program() == QLatin1String("ssh"))
            r.error = QStringLiteral("ssh to %1 failed: %2").arg(destination(), QString::fromUtf8(r.stdErr.trimmed()));
        else
            r.exitCode = code;
        finish(std::move(r));
    });
    // sshd drops connections beyond MaxStartups (10 by default) that are
    // still authenticating: at most kMaxProcesses ssh/scp at once, the rest queue.
    auto startNow = [this, timer, process, program, args, timeoutMs] {
        ++m_active;
        timer->start(timeoutMs);
        process->start(program, args);
    };
    if (m_active < kMaxProcesses)
        startNow();
    else
        m_queue.append(startNow);
    return future;
}

} // namespace fb
