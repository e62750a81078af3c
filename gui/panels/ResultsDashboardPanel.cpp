#include "ResultsDashboardPanel.h"

#include "CompareRunsView.h"
#include "Dashboard.h"
#include "common/Paths.h"
#include "metrics/RunComparison.h"
#include "session/RunStore.h"

#include <QLabel>
#include <QSplitter>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace fb::gui {

ResultsDashboardPanel::ResultsDashboardPanel(QWidget *parent)
    : QWidget(parent)
{
    m_layout = new QVBoxLayout(this);
    m_layout->setContentsMargins(6, 6, 6, 6);
    m_message = new QLabel(tr("Select a run or a trial in the Runs panel to see its charts; select several and press Compare to compare them."), this);
    m_message->setObjectName(QStringLiteral("dashboardMessage"));
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);
    m_layout->addWidget(m_message, 1);
    connect(&m_watcher, &QFutureWatcher<LoadedResults>::finished, this, [this] {
        present(m_watcher.result());
        if (m_pending) // the selection moved on meanwhile
            request(std::exchange(m_pending, {}));
    });
}

void ResultsDashboardPanel::clearCharts()
{
    // The old charts go; the splitter (compare mode) owns dashboard and table.
    QWidget *old = m_compare ? m_compare->parentWidget() : static_cast<QWidget *>(m_dashboard);
    delete old;
    m_dashboard = nullptr;
    m_compare = nullptr;
}

void ResultsDashboardPanel::showLive(metrics::PrometheusClient *client, const QString &workload, const QDateTime &start,
                                     const QString &title, int intervalMs)
{
    clearCharts();
    charts::DashboardSpec spec = charts::DashboardSpec::forWorkload(workload);
    spec.title = title;
    m_dashboard = new charts::Dashboard(spec, this);
    m_dashboard->setObjectName(QStringLiteral("liveDashboard"));
    m_layout->addWidget(m_dashboard, 1);
    m_message->hide();
    m_dashboard->startLive(client, start, intervalMs);
    emit liveStarted();
}

void ResultsDashboardPanel::stopLive()
{
    if (!m_dashboard || !m_dashboard->isLive())
        return;
    m_dashboard->stopLive();
    // The charts stay up until the recorded results replace them: say they
    // are no longer updating.
    QString title = m_dashboard->title();
    if (title.endsWith(QLatin1String(" (live)")))
        title.chop(7);
    m_dashboard->setTitle(title + tr(" (live view ended)"));
}

bool ResultsDashboardPanel::isLive() const { return m_dashboard && m_dashboard->isLive(); }

void ResultsDashboardPanel::present(const LoadedResults &r)
{
    clearCharts();
    if (r.docs.isEmpty() || (r.compare && r.docs.size() < 2)) {
        QStringList lines = r.errors;
        if (lines.isEmpty())
            lines << (r.compare ? tr("%1: fewer than two of these runs have results to compare.").arg(r.title)
                                : tr("%1: no result files downloaded yet.").arg(r.title));
        m_message->setText(lines.join(QLatin1Char('\n')));
        m_message->show();
        emit shown(int(r.docs.size()));
        return;
    }
    charts::DashboardSpec spec = charts::DashboardSpec::forWorkload(r.docs.first().workload());
    spec.title = r.title;
    if (r.compare) {
        auto *split = new QSplitter(Qt::Vertical, this);
        split->setObjectName(QStringLiteral("compareSplitter"));
        m_dashboard = new charts::Dashboard(spec, split);
        m_compare = new charts::CompareRunsView(split);
        m_compare->setObjectName(QStringLiteral("compareView"));
        m_compare->setComparison(metrics::RunComparison(r.docs.first(), r.docs.mid(1)));
        split->addWidget(m_dashboard);
        split->addWidget(m_compare);
        split->setStretchFactor(0, 3);
        split->setStretchFactor(1, 2);
        m_layout->addWidget(split, 1);
    } else {
        m_dashboard = new charts::Dashboard(spec, this);
        m_layout->addWidget(m_dashboard, 1);
    }
    m_dashboard->setObjectName(QStringLiteral("resultsDashboard"));
    m_dashboard->showResults(r.docs);
    m_message->setVisible(!r.errors.isEmpty());
    m_message->setText(r.errors.join(QLatin1Char('\n')));
    emit shown(int(r.docs.size()));
}

void ResultsDashboardPanel::request(std::function<LoadedResults()> job)
{
    if (m_watcher.isRunning()) {
        m_pending = std::move(job);
        return;
    }
    m_watcher.setFuture(QtConcurrent::run(std::move(job)));
}

void ResultsDashboardPanel::showRun(const QString &runId, const QString &trialId)
{
    if (runId.isEmpty())
        return;
    const QString store = Paths::runStorePath();
    request([store, runId, trialId] { return load(store, runId, trialId); });
}

void ResultsDashboardPanel::compareRuns(const QStringList &runIds)
{
    if (runIds.size() < 2)
        return;
    const QString store = Paths::runStorePath();
    request([store, runIds] { return loadComparison(store, runIds); });
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

LoadedResults ResultsDashboardPanel::loadComparison(const QString &storePath, const QStringList &runIds)
{
    LoadedResults r;
    r.compare = true;
    session::RunStore store;
    QString error;
    if (!store.open(storePath, &error)) {
        r.errors << error;
        return r;
    }
    QList<session::RunRecord> runs;
    for (const QString &id : runIds) {
        if (auto run = store.run(id))
            runs << *run;
        else
            r.errors << tr("run %1: not in the run store").arg(id);
    }
    // The oldest run is the baseline the others are compared with.
    std::stable_sort(runs.begin(), runs.end(), [](const auto &a, const auto &b) { return a.createdAt < b.createdAt; });
    QStringList labels;
    for (const session::RunRecord &run : std::as_const(runs)) {
        QList<metrics::ResultDocument> docs;
        for (const session::ResultFileRecord &f : store.resultFiles(run.id)) {
            if (auto doc = metrics::ResultDocument::load(f.localPath, &error))
                docs << *doc;
            else
                r.errors << error;
        }
        if (docs.isEmpty()) {
            r.errors << tr("run %1: no result files").arg(run.id);
            continue;
        }
        // A run with several result files (clients, trials) compares as one.
        std::optional<metrics::ResultDocument> doc = docs.size() == 1 ? docs.first() : metrics::ResultDocument::merge(docs, &error);
        if (!doc) {
            r.errors << tr("run %1: %2").arg(run.id, error);
            continue;
        }
        const QString label = QStringLiteral("%1 %2").arg(run.name, run.createdAt.toLocalTime().toString(QStringLiteral("MMM d HH:mm")));
        doc->run.insert(QStringLiteral("label"), label);
        labels << label;
        r.docs << *doc;
    }
    r.title = tr("Compare: %1").arg(labels.join(QStringLiteral(" · ")));
    return r;
}

} // namespace fb::gui
