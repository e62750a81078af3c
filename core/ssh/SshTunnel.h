// SshTunnel: a local TCP listener on 127.0.0.1 whose every accepted
// connection is forwarded through the login node to remoteHost:remotePort
// (an SSH direct-tcpip channel per connection, like `ssh -L`). Many
// connections at once (Prometheus, browsers). The listener stays open while
// the SSH link is re-established, so the tunnel keeps its local port; it
// serves again once the connection is Ready. Lives in the caller's thread,
// parented to its SshConnection; the listener and channels live in the
// connection's worker thread.
#pragma once

#include <QObject>
#include <QString>

namespace fb {

class SshConnection;

class SshTunnel : public QObject
{
    Q_OBJECT
public:
    enum class State {
        Opening,    // asked for, not listening yet
        Listening,  // forwarding
        Suspended,  // listening, the SSH link is down: new connections wait
        Closed,     // closed by close(); channels shut down in order
        Failed,     // could not listen (port taken) or the connection failed for good
    };
    Q_ENUM(State)

    ~SshTunnel() override;
    State state() const { return m_state; }
    QString errorString() const { return m_error; }
    QString remoteHost() const { return m_remoteHost; }
    quint16 remotePort() const { return m_remotePort; }
    quint16 localPort() const { return m_localPort; } // 0 until Listening
    qint64 bytesToRemote() const { return m_bytesOut; }
    qint64 bytesFromRemote() const { return m_bytesIn; }
    int activeConnections() const { return m_active; }
    qint64 totalConnections() const { return m_total; }

    // Stops listening; open connections are shut down in order (pending data
    // flushed, EOF sent, channel closed).
    void close();

signals:
    void stateChanged(fb::SshTunnel::State state, const QString &reason);
    void statisticsChanged();

private:
    friend class SshConnection;
    SshTunnel(SshConnection *connection, quint64 id, QString remoteHost, quint16 remotePort, quint16 localPort);
    void deliverState(int state, quint16 localPort, const QString &reason);
    void deliverStats(qint64 out, qint64 in, int active, qint64 total);

    SshConnection *m_connection;
    quint64 m_id;
    State m_state = State::Opening;
    QString m_error;
    QString m_remoteHost;
    quint16 m_remotePort;
    quint16 m_localPort;
    qint64 m_bytesOut = 0;
    qint64 m_bytesIn = 0;
    int m_active = 0;
    qint64 m_total = 0;
};

} // namespace fb
