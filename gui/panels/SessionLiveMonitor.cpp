#include "SessionLiveMonitor.h"

#include "CampaignPanel.h"
#include "ConnectionsPanel.h"
#include "ResultsDashboardPanel.h"
#include "TunnelsPanel.h"

#include "metrics/PrometheusClient.h"
#include "ssh/SshTunnel.h"

#include <QFutureWatcher>
#include <QTimer>
#include <QUrl>

namespace fb::gui {

namespace {
bool clientsDone(session::TrialState state, const QString &step)
{
    // After "clients" the trial downloads results and tears its jobs down
    // (the monitor included): nothing new to chart.
    return state != session::TrialState::Running || step == QLatin1String("results") || step == QLatin1String("teardown")
        || step == QLatin1String("logs");
}
} // namespace

SessionLiveMonitor::SessionLiveMonitor(session::CampaignRunner *runner, CampaignPanel *campaign, ConnectionsPanel *connections,
                                       TunnelsPanel *tunnels, ResultsDashboardPanel *dashboard, QObject *parent)
    : QObject(parent)
    , m_runner(runner)
    , m_campaign(campaign)
    , m_connections(connections)
    , m_tunnels(tunnels)
    , m_dashboard(dashboard)
{
    m_probeTimer = new QTimer(this);
    m_probeTimer->setInterval(1000);
    connect(m_probeTimer, &QTimer::timeout, this, &SessionLiveMonitor::probe);
    connect(runner, &session::CampaignRunner::monitorReady, this, &SessionLiveMonitor::monitorReady);
    connect(runner, &session::CampaignRunner::event, this, [this](const session::CampaignEvent &e) {
        if (!e.runId.isEmpty())
            m_runId = e.runId;
    });
    connect(runner, &session::CampaignRunner::trialChanged, this, [this](const QString &trial, session::TrialState state, const QString &step) {
        if (state == session::TrialState::Running && !m_trialStarted.contains(trial))
            m_trialStarted.insert(trial, QDateTime::currentDateTimeUtc());
        // x = 0 where the trial's clients start, as in the recorded results:
        // services and health checks before them have nothing to chart (the
        // live view began ~11 s before fbload's first request).
        if (step == QLatin1String("clients") && !m_clientsStarted.contains(trial)) {
            m_clientsStarted.insert(trial, QDateTime::currentDateTimeUtc());
            if (trial == m_trial && m_live)
                m_dashboard->setLiveStart(m_clientsStarted.value(trial));
        }
        if (trial == m_trial && clientsDone(state, step))
            stop();
    });
    connect(runner, &session::CampaignRunner::finished, this, [this](const session::CampaignResult &r) {
        stop();
        m_trialStarted.clear();
        m_clientsStarted.clear();
        // The recorded charts replace the live ones once the results are in.
        if (std::exchange(m_wentLive, false) && r.resultFiles > 0 && !r.runId.isEmpty())
            m_dashboard->showRun(r.runId, {});
    });
    connect(connections, &ConnectionsPanel::connectionStateChanged, this, [this](const QString &profile, SshConnection::State s) {
        if (!m_waitingForConnection || profile != m_profile)
            return;
        if (s == SshConnection::State::Ready) {
            m_waitingForConnection = false;
            openTunnel();
        } else if (s == SshConnection::State::Failed) {
            m_waitingForConnection = false;
            report(session::CampaignEvent::Warning,
                   tr("no live dashboard: cannot connect %1 (%2)").arg(m_profile, m_connections->stateText(m_profile)));
        }
    });
}

SessionLiveMonitor::~SessionLiveMonitor() = default;

void SessionLiveMonitor::report(session::CampaignEvent::Level level, const QString &text)
{
    emit event(session::CampaignEvent{QDateTime::currentDateTimeUtc(), level, m_runId, m_trial, QStringLiteral("live"), text});
    emit message(m_trial.isEmpty() ? text : tr("Trial %1: %2").arg(m_trial, text));
}

void SessionLiveMonitor::monitorReady(const QString &trialId, const QString &host, quint16 port)
{
    stop(); // the newest trial's monitor replaces an earlier one
    m_trial = trialId;
    m_host = host;
    m_port = port;
    m_deadline = QDateTime::currentDateTimeUtc().addMSecs(m_readyTimeoutMs);
    m_profile = m_campaign->runProfile();
    if (m_connections->currentProfile() != m_profile) {
        // Tunnels go through the selected profile's connection.
        report(session::CampaignEvent::Warning,
               tr("no live dashboard: select the connection %1 to follow the run live").arg(m_profile));
        return;
    }
    SshConnection *c = m_connections->connection(m_profile);
    const SshConnection::State s = c ? c->state() : SshConnection::State::Disconnected;
    if (s == SshConnection::State::Ready) {
        openTunnel();
        return;
    }
    m_waitingForConnection = true;
    if (s == SshConnection::State::Disconnected || s == SshConnection::State::Failed) {
        report(session::CampaignEvent::Info, tr("connecting %1 for the live dashboard").arg(m_profile));
        m_connections->connectProfile(m_profile); // the state change above continues
    }
}

void SessionLiveMonitor::openTunnel()
{
    SshTunnel *t = m_tunnels->openTunnel(m_host, m_port, 0, tr("Prometheus %1").arg(m_trial));
    if (!t) {
        report(session::CampaignEvent::Warning, tr("no live dashboard: %1").arg(m_tunnels->statusText()));
        return;
    }
    m_tunnel = t;
    connect(t, &SshTunnel::stateChanged, this, [this, t](SshTunnel::State s, const QString &reason) {
        if (t != m_tunnel)
            return; // an earlier trial's tunnel, closing
        if (s == SshTunnel::State::Listening && !m_client) {
            m_client = new metrics::PrometheusClient(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(t->localPort())), this);
            m_client->setTimeout(5000);
            report(session::CampaignEvent::Info, tr("tunnel 127.0.0.1:%1 → %2:%3 open; waiting for Prometheus")
                                                     .arg(t->localPort()).arg(m_host).arg(m_port));
            m_probeTimer->start();
            probe();
        } else if (s == SshTunnel::State::Failed) {
            report(session::CampaignEvent::Warning, tr("no live dashboard: the tunnel to %1:%2 failed: %3").arg(m_host).arg(m_port).arg(reason));
            stop();
        }
    });
}

void SessionLiveMonitor::probe()
{
    if (!m_client || m_probing || m_live)
        return;
    if (QDateTime::currentDateTimeUtc() > m_deadline) {
        report(session::CampaignEvent::Warning, tr("no live dashboard: Prometheus on %1:%2 did not answer within %3 s")
                                                    .arg(m_host).arg(m_port).arg(m_readyTimeoutMs / 1000));
        stop();
        return;
    }
    m_probing = true;
    // A watcher owned here rather than .then(this, …): in Qt 6.4 a
    // continuation whose context died first asserts when the request is cancelled.
    auto *watcher = new QFutureWatcher<metrics::PrometheusResponse>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation = m_generation] {
        watcher->deleteLater();
        if (generation != m_generation)
            return; // a probe of a monitor given up since
        m_probing = false;
        if (!watcher->isCanceled() && watcher->future().resultCount() > 0 && watcher->result().ok && m_client && !m_live)
            goLive();
    });
    watcher->setFuture(m_client->query(QStringLiteral("vector(1)"))); // answers once the query engine is up
}

void SessionLiveMonitor::goLive()
{
    m_probeTimer->stop();
    m_live = true;
    m_wentLive = true;
    const QDateTime start = m_clientsStarted.value(m_trial, m_trialStarted.value(m_trial, QDateTime::currentDateTimeUtc().addSecs(-60)));
    const QString title = tr("%1 / %2 (live)").arg(m_runId.isEmpty() ? tr("run") : m_runId, m_trial);
    const SessionPlan &plan = m_campaign->sessionPlan();
    m_dashboard->showLive(m_client, plan.workload, start, title, 2000, plan.scrapeInterval);
    report(session::CampaignEvent::Info, tr("live dashboard from Prometheus on %1:%2").arg(m_host).arg(m_port));
    emit wentLive(m_trial);
}

void SessionLiveMonitor::stop()
{
    m_probeTimer->stop();
    m_waitingForConnection = false;
    m_probing = false;
    ++m_generation;
    const bool wasLive = std::exchange(m_live, false);
    if (wasLive)
        m_dashboard->stopLive();
    if (m_tunnel) {
        for (int row = 0; row < m_tunnels->tunnelCount(); ++row)
            if (m_tunnels->tunnel(row) == m_tunnel)
                m_tunnels->closeTunnel(row); // the row stays, "Closed", until the user removes it
    }
    m_tunnel = nullptr;
    if (m_client) {
        m_client->deleteLater(); // the dashboard holds it by QPointer
        m_client = nullptr;
    }
    if (wasLive)
        emit stopped(m_trial);
}

} // namespace fb::gui
