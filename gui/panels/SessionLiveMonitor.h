// SessionLiveMonitor: the live dashboard of a running campaign. When the
// campaign reports that a trial's Prometheus answers on its node
// (CampaignRunner::monitorReady), it takes the profile's live SSH connection
// from the ConnectionsPanel (connecting it when needed), opens a tunnel to
// that host:port through the TunnelsPanel (so the user sees it there; it
// listens on 127.0.0.1 only), polls Prometheus through it until it answers,
// and then puts the Dashboard dock in live mode for that trial. When the
// trial's clients are done (or it ends, or the campaign does) live mode stops
// and the tunnel closes; once the run has finished its recorded charts are
// shown. Everything is asynchronous; problems (no connection, tunnel failed,
// Prometheus silent for readyTimeoutMs) become Logs-panel events and a status
// message, never a dialog, and never affect the campaign.
#pragma once

#include "session/CampaignRunner.h"
#include "ssh/SshConnection.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QPointer>

class QTimer;

namespace fb {
class SshTunnel;
}
namespace fb::metrics {
class PrometheusClient;
}

namespace fb::gui {

class CampaignPanel;
class ConnectionsPanel;
class ResultsDashboardPanel;
class TunnelsPanel;

class SessionLiveMonitor : public QObject
{
    Q_OBJECT
public:
    SessionLiveMonitor(session::CampaignRunner *runner, CampaignPanel *campaign, ConnectionsPanel *connections,
                       TunnelsPanel *tunnels, ResultsDashboardPanel *dashboard, QObject *parent = nullptr);
    ~SessionLiveMonitor() override;

    void setReadyTimeout(int ms) { m_readyTimeoutMs = ms; }
    QString liveTrial() const { return m_live ? m_trial : QString(); }
    SshTunnel *tunnel() const { return m_tunnel; }

public slots:
    void monitorReady(const QString &trialId, const QString &host, quint16 port);
    void stop(); // live mode off, tunnel closed

signals:
    void wentLive(const QString &trialId);          // the Dashboard dock shows the trial live
    void stopped(const QString &trialId);
    void event(const fb::session::CampaignEvent &event); // for the Logs panel
    void message(const QString &text);               // for the status bar

private:
    void openTunnel();
    void probe();
    void goLive();
    void report(session::CampaignEvent::Level level, const QString &text);

    session::CampaignRunner *m_runner;
    CampaignPanel *m_campaign;
    ConnectionsPanel *m_connections;
    TunnelsPanel *m_tunnels;
    ResultsDashboardPanel *m_dashboard;
    QString m_profile;           // the campaign's connection profile
    QString m_runId;
    QString m_trial;
    QString m_host;
    quint16 m_port = 0;
    QHash<QString, QDateTime> m_trialStarted;
    QHash<QString, QDateTime> m_clientsStarted; // x = 0 of the live charts, as in the recorded results
    QPointer<SshTunnel> m_tunnel;
    metrics::PrometheusClient *m_client = nullptr;
    QTimer *m_probeTimer = nullptr;
    QDateTime m_deadline;
    bool m_probing = false;      // a readiness query is in flight
    int m_generation = 0;        // bumped by stop(): late probe answers are ignored
    bool m_live = false;
    bool m_wentLive = false;     // this run had a live dashboard: show its results after
    bool m_waitingForConnection = false;
    int m_readyTimeoutMs = 60000;
};

} // namespace fb::gui
