// SshWorker: the libssh side of an SshConnection. It lives in the
// connection's worker thread and is the only code that touches the
// ssh_session, its channels, the SFTP session and the tunnel sockets
// (libssh sessions must stay in one thread). The thread runs a Qt event
// loop; a QSocketNotifier on ssh_get_fd() wakes the worker when the server
// sends something, and every wake-up pumps all channels without blocking on
// them. Short protocol exchanges (opening a channel, an SFTP write, auth)
// are made in blocking mode: they hold up only this thread, never the caller.
// Downloads are written and hashed by a FileSink thread per file.
// Internal to core/ssh; SshConnection owns it.
#pragma once

#include "ConnectionProfile.h"
#include "SshCommandResult.h"
#include "SshTransfer.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

// libssh's opaque handles, so that this header does not pull libssh in.
struct ssh_session_struct;
struct ssh_channel_struct;
struct ssh_key_struct;
struct sftp_session_struct;
struct sftp_file_struct;

class QSocketNotifier;
class QTcpServer;
class QTcpSocket;

namespace fb {

class SshAuthPrompter;
class SshConnection;

class SshWorker : public QObject
{
    Q_OBJECT
public:
    SshWorker(const ConnectionProfile &profile, SshConnection *owner, SshAuthPrompter *prompter,
              std::shared_ptr<std::atomic_bool> stopping);
    ~SshWorker() override;

    // All of these run in the worker thread (SshConnection queues them).
    void connectToHost();
    void disconnectFromHost();
    void shutdown();
    void setMaxSessions(int n) { m_maxSessions = qMax(2, n); }
    void setReconnectDelays(int firstMs, int maxMs);
    void addCommand(quint64 id, const QString &command, int timeoutMs);
    void cancelCommand(quint64 id);
    void addTransfer(quint64 id, SshTransfer::Direction direction, const QString &local, const QString &remote);
    void cancelTransfer(quint64 id);
    void openTunnel(quint64 id, const QString &host, quint16 port, quint16 localPort);
    void closeTunnel(quint64 id);

signals:
    void stateChanged(int state, const QString &reason, quint16 linkPort);
    void commandOutput(quint64 id, const QByteArray &out, const QByteArray &err);
    void commandFinished(quint64 id, const fb::SshCommandResult &result);
    void transferProgress(quint64 id, qint64 done, qint64 total);
    void transferResumed(quint64 id, qint64 offset);
    void transferFinished(quint64 id, const fb::SshTransferResult &result);
    void tunnelState(quint64 id, int state, quint16 localPort, const QString &reason);
    void tunnelStats(quint64 id, qint64 out, qint64 in, int active, qint64 total);

private:
    struct Command;
    struct Transfer;
    struct Tunnel;
    struct TunnelConn;
    enum class Outcome { Success, Partial, Denied, Error };

    // connection and authentication
    bool establish(QString *error, bool *fatal);
    bool checkHostKey(QString *error);
    bool authenticate(QString *error);
    Outcome authPublicKey(QStringList *notes);
    Outcome authKeyboardInteractive(QStringList *notes);
    Outcome authPassword(QStringList *notes);
    template<typename T>
    std::optional<T> ask(std::function<QFuture<T>(SshAuthPrompter *)> call);
    void setState(int state, const QString &reason = {});
    void linkLost(const QString &reason);
    void teardownSession();
    void scheduleReconnect();
    void reconnect();
    void failEverything(const QString &reason);
    bool linkDead() const;
    QString libsshError() const;
    bool sessionInputPending(qint64 *credit) const; // the kernel holds unread bytes of the SSH connection
    QString target() const;
    QString notConnected() const; // error for work asked while Disconnected/Failed

    // event loop
    void pump();
    void tick();
    void flushStats();

    // commands
    void startQueuedCommands();
    bool startCommand(Command &c);
    void pumpCommands();
    void finishCommand(std::unique_ptr<Command> c);
    void runInternal(const QString &command, std::function<void(const SshCommandResult &)> done);
    int sessionChannels() const;

    // transfers
    bool ensureSftp(QString *error);
    void stepTransfers();
    bool beginFile(Transfer &t, QString *error);
    int stepDownload(Transfer &t, QString *error);
    int stepUpload(Transfer &t, QString *error);
    void verifyFile(Transfer &t);
    void closeFile(Transfer &t);
    void finishTransfer(quint64 id, bool ok, const QString &error);
    bool expandDirectory(Transfer &t, QString *error);

    // tunnels
    void acceptTunnelConnections(Tunnel &t);
    bool openTunnelChannel(Tunnel &t, TunnelConn &c);
    void pumpTunnels();
    bool pumpTunnelConn(Tunnel &t, TunnelConn &c); // false: finished, remove it
    void dropTunnelConn(Tunnel &t, TunnelConn &c, bool orderly);
    Tunnel *tunnel(quint64 id);

    ConnectionProfile m_profile;
    SshConnection *m_owner;
    SshAuthPrompter *m_prompter;
    std::shared_ptr<std::atomic_bool> m_stopping;

    ssh_session_struct *m_session = nullptr;
    sftp_session_struct *m_sftp = nullptr;
    ssh_key_struct *m_unlockedKey = nullptr; // decrypted identity kept for reconnects, like ssh-agent would
    QSocketNotifier *m_notifier = nullptr;
    int m_state = 0;             // SshConnection::State
    QString m_failure;           // why the last connection attempt failed (state Failed)
    bool m_wanted = false;       // the user asked to be connected
    bool m_everReady = false;
    bool m_pumping = false;
    bool m_pumpAgain = false;
    int m_maxSessions = 8;
    int m_backoffFirst = 1000;
    int m_backoffMax = 30000;
    int m_backoff = 1000;
    QTimer m_reconnectTimer;
    QTimer m_tickTimer;          // keepalives, dead-link and timeout checks
    QTimer m_stepTimer;          // keeps uploads (which get no wake-up from the server) moving
    QTimer m_statsTimer;         // rate-limits progress signals to the caller's thread
    QElapsedTimer m_sinceKeepalive;
    QElapsedTimer m_sinceWake;   // dead-link fallback where TCP_INFO is not available

    std::deque<std::unique_ptr<Command>> m_queued;
    std::vector<std::unique_ptr<Command>> m_running;
    std::vector<std::unique_ptr<Transfer>> m_transfers;
    std::vector<std::unique_ptr<Tunnel>> m_tunnels;
    quint64 m_nextInternalId = 1ULL << 62;
    QByteArray m_buffer;
};

} // namespace fb
