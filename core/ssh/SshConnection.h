// SshConnection: one authenticated SSH session to a cluster's login node,
// shared by commands, SFTP transfers and tunnels (like OpenSSH's
// ControlMaster). The libssh session, its channels and the tunnel listeners
// live in a worker thread that this object owns; libssh objects never leave
// it. Everything here is asynchronous: methods return at once and report
// through signals, QFutures and the handle objects (SshProcess, SshTransfer,
// SshTunnel) they create, so the caller's (GUI) thread never waits on the
// network.
//
// Authentication follows OpenSSH's order: agent, identity keys (encrypted
// ones through SshAuthPrompter::passphrase), keyboard-interactive (any
// number of rounds), password. Host keys are checked against the profile's
// known_hosts file (default ~/.ssh/known_hosts, so OpenSSH agrees).
//
// Resilience: keepalives every profile.keepaliveSeconds notice a dead link
// within 3 intervals (at most 30 s); the connection then reconnects with
// backoff, commands in flight fail with an error that says so, transfers
// resume, tunnels keep their local ports.
#pragma once

#include "ConnectionProfile.h"
#include "SshCommandResult.h"
#include "SshProcess.h"
#include "SshTransfer.h"
#include "SshTunnel.h"

#include <QFuture>
#include <QHash>
#include <QObject>
#include <QPointer>

#include <atomic>
#include <functional>
#include <memory>

class QThread;

namespace fb {

class SshAuthPrompter;
class SshWorker;

class SshConnection : public QObject
{
    Q_OBJECT
public:
    enum class State { Disconnected, Connecting, Authenticating, Ready, Reconnecting, Failed };
    Q_ENUM(State)

    // `prompter` may be null (batch mode: nothing can be asked, unknown hosts are refused).
    explicit SshConnection(const ConnectionProfile &profile, SshAuthPrompter *prompter = nullptr,
                           QObject *parent = nullptr);
    ~SshConnection() override; // closes everything; waits for the worker only to let go of libssh

    const ConnectionProfile &profile() const { return m_profile; }
    State state() const { return m_state; }
    QString errorString() const { return m_error; }  // reason of the last Failed/Reconnecting
    QString target() const; // "user@host:port" for messages
    // Local TCP port of the current SSH link (0 when not connected): lets
    // tests and diagnostics find the sshd process serving this connection.
    quint16 linkLocalPort() const { return m_linkPort; }
    static QString stateName(State s);

    // Session channels opened at once (commands, SFTP); more wait in a queue.
    // OpenSSH's MaxSessions defaults to 10 per connection.
    void setMaxSessions(int n);
    // First and largest delay between reconnect attempts (doubling).
    void setReconnectDelays(int firstMs, int maxMs);
    // For tests that must act at an exact point of a transfer: `probe` runs in
    // the worker thread with every progress report (about every 100 ms), and
    // the transfer waits while it runs. Set it before starting transfers.
    void setTransferProbe(std::function<void(quint64 id, qint64 done, qint64 total)> probe);

    void connectToHost();
    void disconnectFromHost();

    // Runs a command with /bin/sh semantics on the login node (quote every
    // value with shellQuote()). Commands wait while the connection is
    // connecting or reconnecting; ones in flight when the link drops fail.
    // timeoutMs 0: none.
    QFuture<SshCommandResult> run(const QString &command, int timeoutMs = 0);
    SshProcess *start(const QString &command, int timeoutMs = 0);

    SshTransfer *upload(const QString &localPath, const QString &remotePath);
    SshTransfer *download(const QString &remotePath, const QString &localPath);

    // localPort 0: pick a free port (see SshTunnel::localPort once Listening).
    SshTunnel *openTunnel(const QString &remoteHost, quint16 remotePort, quint16 localPort = 0);

    // POSIX shell single-quoting.
    static QString shellQuote(const QString &value);

signals:
    void stateChanged(fb::SshConnection::State state, const QString &reason);

private:
    friend class SshProcess;
    friend class SshTransfer;
    friend class SshTunnel;
    friend class SshWorker;
    void cancelCommand(quint64 id);
    void cancelTransfer(quint64 id);
    void closeTunnel(quint64 id);
    SshProcess *startProcess(const QString &command, int timeoutMs, bool collect);
    SshTransfer *startTransfer(SshTransfer::Direction d, const QString &local, const QString &remote);
    SshAuthPrompter *prompter() const { return m_prompter; }

    ConnectionProfile m_profile;
    SshAuthPrompter *m_prompter;
    State m_state = State::Disconnected;
    QString m_error;
    quint16 m_linkPort = 0;
    quint64 m_nextId = 1;
    QThread *m_thread = nullptr;
    SshWorker *m_worker = nullptr; // lives in m_thread
    std::shared_ptr<std::atomic_bool> m_stopping;
    QHash<quint64, QPointer<SshProcess>> m_processes;
    QHash<quint64, QPointer<SshTransfer>> m_transfers;
    QHash<quint64, QPointer<SshTunnel>> m_tunnels;
};

} // namespace fb
