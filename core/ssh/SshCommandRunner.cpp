#include "SshCommandRunner.h"

#include "SshConnection.h"

namespace fb {

SshCommandRunner::SshCommandRunner(SshConnection *connection, QObject *parent)
    : QObject(parent), m_connection(connection), m_destination(connection->target())
{
}

QString SshCommandRunner::destination() const
{
    return m_destination;
}

QFuture<CommandResult> SshCommandRunner::run(const QString &command, int timeoutMs)
{
    if (!m_connection) {
        CommandResult r;
        r.error = QStringLiteral("%1: the SSH connection was closed").arg(m_destination);
        return QtFuture::makeReadyFuture(r);
    }
    const QString where = m_destination;
    // The continuation runs where the SshProcess finishes: this thread.
    return m_connection->run(command, timeoutMs).then([where, command](QFuture<SshCommandResult> f) {
        CommandResult r;
        if (f.resultCount() == 0) { // the connection was destroyed first
            r.error = QStringLiteral("%1: `%2` abandoned: the SSH connection was closed").arg(where, command);
            return r;
        }
        const SshCommandResult s = f.result();
        r.exitCode = s.exitStatus;
        r.stdOut = s.standardOutput;
        r.stdErr = s.standardError;
        r.error = s.error;
        if (r.error.isEmpty() && s.exitStatus < 0)
            r.error = QStringLiteral("%1: `%2` ended without an exit status (killed by a signal?)").arg(where, s.command);
        return r;
    });
}

namespace {
QFuture<QString> transferFuture(SshTransfer *t)
{
    QObject::connect(t, &SshTransfer::finished, t, &QObject::deleteLater);
    const QString what = t->remotePath();
    return t->future().then([what](QFuture<SshTransferResult> f) {
        if (f.resultCount() == 0)
            return QStringLiteral("%1: transfer abandoned: the SSH connection was closed").arg(what);
        const SshTransferResult r = f.result();
        return r.ok ? QString() : r.error;
    });
}
} // namespace

QFuture<QString> SshCommandRunner::uploadFile(const QString &localPath, const QString &remotePath)
{
    if (!m_connection)
        return QtFuture::makeReadyFuture(QStringLiteral("%1: the SSH connection was closed").arg(m_destination));
    return transferFuture(m_connection->upload(localPath, remotePath));
}

QFuture<QString> SshCommandRunner::downloadFile(const QString &remotePath, const QString &localPath)
{
    if (!m_connection)
        return QtFuture::makeReadyFuture(QStringLiteral("%1: the SSH connection was closed").arg(m_destination));
    return transferFuture(m_connection->download(remotePath, localPath));
}

} // namespace fb
