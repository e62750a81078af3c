// SshConfigImport: turns the Host entries of an OpenSSH client config
// (~/.ssh/config) into connection profiles, so users keep one source of
// truth. Recognised: Host, HostName (with %h), Port, User, IdentityFile,
// IdentitiesOnly, ProxyJump; values follow OpenSSH's rule (the first value
// obtained for a host wins, blocks apply in file order, `Host *` included).
// What cannot be carried over (Match and Include blocks, ProxyJump, which
// the libssh connection does not follow) is reported with file:line.
#pragma once

#include "ConnectionProfile.h"

#include <QList>
#include <QStringList>

namespace fb {

struct SshConfigImport
{
    QList<ConnectionProfile> profiles; // one per concrete Host alias, in file order
    QStringList notes;                 // "PATH:LINE: …" for what was not or only partly imported
    QString error;                     // the file could not be read
};

// path empty: ~/.ssh/config.
SshConfigImport importSshConfig(const QString &path = {});

} // namespace fb
