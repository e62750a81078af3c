// SshCommandRunner: the campaign engine's CommandRunner and RemoteFiles over
// an SshConnection (libssh, one shared session), so that the Slurm client and
// the fbload deployer use the same authenticated link as the GUI's tunnels.
// The connection is not owned and must outlive the runner; it may be
// connecting or reconnecting (commands wait for it).
#pragma once

#include "common/CommandRunner.h"
#include "common/RemoteFiles.h"

#include <QObject>
#include <QPointer>

namespace fb {

class SshConnection;

class SshCommandRunner : public QObject, public CommandRunner, public RemoteFiles
{
    Q_OBJECT
public:
    explicit SshCommandRunner(SshConnection *connection, QObject *parent = nullptr);

    QFuture<CommandResult> run(const QString &command, int timeoutMs = 60000) override;
    QString destination() const override;
    // SFTP, written to "<target>.part", SHA-256 checked, then renamed.
    QFuture<QString> uploadFile(const QString &localPath, const QString &remotePath) override;
    QFuture<QString> downloadFile(const QString &remotePath, const QString &localPath) override;

private:
    QPointer<SshConnection> m_connection;
    QString m_destination;
};

} // namespace fb
