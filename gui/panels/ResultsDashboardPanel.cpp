#include "ResultsDashboardPanel.h"

#include "Dashboard.h"
#include "common/Paths.h"
#include "session/RunStore.h"

#include <QLabel>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace fb::gui {

ResultsDashboardPanel::ResultsDashboardPanel(QWidget *parent)
    : QWidget(parent)
{
    m_layout = new QVBoxLayout(this);
    m_layout->setContentsMargins(6, 6, 6, 6);
    m_message = new QLabel(tr("Select a run or a trial in the Runs panel to see its charts."), this);
    m_message->setObjectName(QStringLiteral("dashboardMessage"));
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);
    m_layout->addWidget(m_message, 1);
    connect(&m_watcher, &QFutureWatcher<LoadedResults>::finished, this, [this] {
        const LoadedResults r = m_watcher.result();
        delete m_dashboard;
        m_dashboard = nullptr;
        if (r.docs.isEmpty()) {
            m_message->setText(r.errors.isEmpty() ? tr("%1: no result files downloaded yet.").arg(r.title)
                                                  : r.errors.join(QLatin1Char('\n')));
            m_message->show();
        } else {
            charts::DashboardSpec spec = charts::DashboardSpec::forWorkload(r.docs.first().workload());
            spec.title = r.title;
            m_dashboard = new charts::Dashboard(spec, this);
            m_dashboard->setObjectName(QStringLiteral("resultsDashboard"));
            m_dashboard->showResults(r.docs);
            m_layout->addWidget(m_dashboard, 1);
            m_message->setVisible(!r.errors.isEmpty());
            m_message->setText(r.errors.join(QLatin1Char('\n')));
        }
        emit shown(int(r.docs.size()));
        if (!m_pendingRun.isEmpty()) { // the selection moved on meanwhile
            const QString run = std::exchange(m_pendingRun, {}), trial = std::exchange(m_pendingTrial, {});
            showRun(run, trial);
        }
    });
}

void ResultsDashboardPanel::showRun(const QString &runId, const QString &trialId)
{
    if (runId.isEmpty())
        return;
    if (m_watcher.isRunning()) {
        m_pendingRun = runId;
        m_pendingTrial = trialId;
        return;
    }
    m_watcher.setFuture(QtConcurrent::run(&ResultsDashboardPanel::load, Paths::runStorePath(), runId, trialId));
}

LoadedResults ResultsDashboardPanel::load(const QString &storePath, const QString &runId, const QString &trialId)
{
    LoadedResults r;
    r.title = trialId.isEmpty() ? runId : runId + QLatin1Char('/') + trialId;
    session::RunStore store;
    QString error;
    if (!store.open(storePath, &error)) {
        r.errors << error;
        return r;
    }
    for (const session::ResultFileRecord &f : store.resultFiles(runId, trialId)) {
        auto doc = metrics::ResultDocument::load(f.localPath, &error);
        if (doc)
            r.docs << *doc;
        else
            r.errors << error;
    }
    return r;
}

} // namespace fb::gui
