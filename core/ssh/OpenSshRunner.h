// OpenSshRunner: a CommandRunner over the system's OpenSSH client (`ssh`),
// one process per command, host key checked strictly against the profile's
// known_hosts, BatchMode (never prompts). FactoryBench's own connection is
// the libssh one in core/ssh; this runner serves tests and users whose
// OpenSSH setup (ProxyJump chains, smart cards) libssh cannot reproduce.
#pragma once

#include "common/CommandRunner.h"
#include "common/RemoteFiles.h"
#include "ConnectionProfile.h"

#include <QList>
#include <QObject>

#include <functional>

namespace fb {

class OpenSshRunner : public QObject, public CommandRunner, public RemoteFiles
{
    Q_OBJECT
public:
    explicit OpenSshRunner(ConnectionProfile profile, QObject *parent = nullptr);

    QFuture<CommandResult> run(const QString &command, int timeoutMs = 60000) override;
    QString destination() const override;
    // With scp (OpenSSH's, SFTP protocol underneath); remote paths may start with "~/".
    QFuture<QString> uploadFile(const QString &localPath, const QString &remotePath) override;
    QFuture<QString> downloadFile(const QString &remotePath, const QString &localPath) override;
    QStringList sshArguments() const; // the options every call uses, before the destination

private:
    QFuture<CommandResult> runProcess(const QString &program, const QStringList &args, int timeoutMs);
    QStringList scpArguments() const;
    ConnectionProfile m_profile;
    static constexpr int kMaxProcesses = 6;
    int m_active = 0;
    QList<std::function<void()>> m_queue;
};

} // namespace fb
