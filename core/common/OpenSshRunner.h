// OpenSshRunner: a CommandRunner over the system's OpenSSH client (`ssh`),
// one process per command, host key checked strictly against the profile's
// known_hosts, BatchMode (never prompts). FactoryBench's own connection is
// the libssh one in core/ssh; this runner serves tests and users whose
// OpenSSH setup (ProxyJump chains, smart cards) libssh cannot reproduce.
#pragma once

#include "CommandRunner.h"
#include "ssh/ConnectionProfile.h"

#include <QObject>

namespace fb {

class OpenSshRunner : public QObject, public CommandRunner
{
    Q_OBJECT
public:
    explicit OpenSshRunner(ConnectionProfile profile, QObject *parent = nullptr);

    QFuture<CommandResult> run(const QString &command, int timeoutMs = 60000) override;
    QString destination() const override;
    QStringList sshArguments() const; // the options every call uses, before the destination

private:
    ConnectionProfile m_profile;
};

} // namespace fb
