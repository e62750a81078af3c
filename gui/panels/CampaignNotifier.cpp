#include "CampaignNotifier.h"

#include <QApplication>
#include <QMainWindow>
#include <QStatusBar>
#include <QSystemTrayIcon>

namespace fb::gui {

CampaignNotifier::CampaignNotifier(QWidget *window, QObject *parent)
    : QObject(parent)
    , m_window(window)
{
}

CampaignNotifier::Channel CampaignNotifier::choose(session::RunState state, bool trayAvailable, bool trayShowsMessages)
{
    if (state == session::RunState::Detached)
        return Channel::None;
    return trayAvailable && trayShowsMessages ? Channel::Tray : Channel::AlertAndStatusBar;
}

CampaignNotifier::Notice CampaignNotifier::describe(const session::CampaignResult &r)
{
    Notice n;
    n.failed = r.state != session::RunState::Completed;
    const QString run = r.runId.isEmpty() ? tr("The campaign") : tr("Run %1").arg(r.runId);
    if (r.state == session::RunState::Completed) {
        n.title = tr("Campaign completed");
        n.body = tr("%1: %n trial(s) completed", nullptr, r.trialsCompleted).arg(run);
        if (r.trialsFailed > 0)
            n.body += tr(", %n failed", nullptr, r.trialsFailed);
        n.body += tr(", %n result file(s).", nullptr, r.resultFiles);
    } else if (r.state == session::RunState::Cancelled) {
        n.title = tr("Campaign cancelled");
        n.body = tr("%1 was cancelled; its jobs were stopped.").arg(run);
    } else if (r.state == session::RunState::Interrupted) {
        // Not a failure of the service: the jobs may still be running on the
        // cluster, and the run goes on with Resume once the cause is gone.
        n.title = tr("Campaign interrupted");
        n.body = tr("%1 stopped: %2. Its jobs may still be on the cluster; resume the run (Runs panel or "
                    "`fbctl resume %3`) or cancel it.")
                     .arg(run, r.error.section(QLatin1Char('\n'), 0, 0), r.runId);
    } else {
        n.title = tr("Campaign failed");
        n.body = tr("%1 %2: %3").arg(run, session::stateName(r.state), r.error.section(QLatin1Char('\n'), 0, 0));
    }
    return n;
}

CampaignNotifier::Notice CampaignNotifier::notify(const session::CampaignResult &result)
{
    Notice n = describe(result);
    n.channel = choose(result.state, QSystemTrayIcon::isSystemTrayAvailable(), QSystemTrayIcon::supportsMessages());
    switch (n.channel) {
    case Channel::None:
        return n;
    case Channel::Tray:
        if (!m_tray) {
            m_tray = new QSystemTrayIcon(m_window ? m_window->windowIcon() : QApplication::windowIcon(), this);
            m_tray->setToolTip(QStringLiteral("FactoryBench"));
        }
        m_tray->show();
        m_tray->showMessage(n.title, n.body, n.failed ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information, 10000);
        break;
    case Channel::AlertAndStatusBar:
        if (m_window) {
            QApplication::alert(m_window->window()); // flashes the taskbar entry when the window is in the background
            if (auto *main = qobject_cast<QMainWindow *>(m_window->window()))
                main->statusBar()->showMessage(n.title + QStringLiteral(" — ") + n.body, 30000);
        }
        break;
    }
    emit notified(n);
    return n;
}

} // namespace fb::gui
