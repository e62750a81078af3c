// TunnelsPanel: the SSH tunnels (local 127.0.0.1 listeners forwarded through
// the login node, like `ssh -L`) of the current profile's connection, taken
// from the ConnectionsPanel. Each row shows where it goes, its local URL
// (click to open in the browser), bytes each way (refreshed once a second
// from the tunnel's counters) and its state. Open and Close are asynchronous:
// the tunnel reports Listening or Failed through signals.
#pragma once

#include "ssh/SshTunnel.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;
class QTableWidget;
class QTimer;

namespace fb::gui {

class ConnectionsPanel;

class TunnelsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit TunnelsPanel(ConnectionsPanel *connections, QWidget *parent = nullptr);

    // Opens a tunnel through the current profile's connection (localPort 0:
    // any free port). Returns null, with statusText() saying why, when that
    // profile has no connection. `name` empty: "host:port".
    SshTunnel *openTunnel(const QString &remoteHost, quint16 remotePort, quint16 localPort = 0,
                          const QString &name = {});
    void closeTunnel(int row);   // closes it; a closed row is removed by a second Close
    int tunnelCount() const;
    SshTunnel *tunnel(int row) const;
    QString cellText(int row, int column) const;
    QString statusText() const;
    void refresh();              // counters and states now (the timer does it every second)

    enum Column { NameColumn, RemoteColumn, UrlColumn, InColumn, OutColumn, ConnectionsColumn, StateColumn };

public slots:
    void showOpenDialog(); // "Open tunnel…": remote host, remote port, optional local port

private:
    struct Row
    {
        QString name;
        QString profile;
        QPointer<SshTunnel> tunnel;
        SshTunnel::State lastState = SshTunnel::State::Opening;
        QString reason;
    };
    void updateStatus();
    void updateRow(int row);
    static QString stateName(SshTunnel::State s);

    ConnectionsPanel *m_connections;
    QList<Row> m_rows;
    QTableWidget *m_table = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_open = nullptr;
    QPushButton *m_close = nullptr;
    QTimer *m_timer = nullptr;
};

} // namespace fb::gui
