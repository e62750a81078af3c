// ClusterTransport: the link a campaign talks to the cluster through, made
// from a connection profile. By default one libssh session (SshConnection:
// commands, SFTP and tunnels share it, keepalives and reconnects included),
// adapted to CommandRunner/RemoteFiles by SshCommandRunner; or, on request,
// the system's OpenSSH client (OpenSshRunner) for setups libssh cannot
// reproduce (ProxyJump chains, smart cards).
//
// open() waits (with a local event loop, on the calling thread) until the
// session is ready or has failed; call it on a thread that may wait.
#pragma once

#include "common/CommandRunner.h"
#include "common/RemoteFiles.h"
#include "ssh/ConnectionProfile.h"

#include <atomic>
#include <functional>
#include <memory>

namespace fb {
class OpenSshRunner;
class SshAuthPrompter;
class SshCommandRunner;
class SshConnection;
} // namespace fb

namespace fb::session {

class ClusterTransport
{
public:
    enum class Kind { LibSsh, OpenSsh };
    ClusterTransport();
    ~ClusterTransport();

    // False with error() naming the host on failure (connect, auth, host key).
    bool open(const ConnectionProfile &profile, Kind kind = Kind::LibSsh, SshAuthPrompter *prompter = nullptr,
              const std::atomic_bool *cancel = nullptr, int timeoutMs = 60000);
    // Called on this thread when the link goes down (reconnecting, failed)
    // or comes back: Campaign::reportLink, so the campaign says at once that
    // it is reconnecting. A link that failed for good after it had worked (a
    // changed host key) is tried again every few seconds — never accepting a
    // different key — so a restored key lets the campaign go on.
    void setLinkObserver(std::function<void(bool up, const QString &reason)> observer);
    CommandRunner *commands() const { return m_commands; }
    RemoteFiles *files() const { return m_files; }
    SshConnection *connection() const { return m_connection.get(); } // null with OpenSSH
    QString error() const { return m_error; }

private:
    std::unique_ptr<SshConnection> m_connection;
    std::unique_ptr<SshCommandRunner> m_sshRunner;
    std::unique_ptr<OpenSshRunner> m_openSsh;
    CommandRunner *m_commands = nullptr;
    RemoteFiles *m_files = nullptr;
    QString m_error;
    std::function<void(bool, const QString &)> m_observer;
    int m_retryMs = 2000;
};

} // namespace fb::session
