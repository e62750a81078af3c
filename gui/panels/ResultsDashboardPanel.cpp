#include "ResultsDashboardPanel.h"

#include "CompareRunsView.h"
#include "Dashboard.h"
#include "common/Paths.h"
#include "metrics/RunComparison.h"
#include "session/RunStore.h"
#include "session/StudyLoader.h"

#include <QHash>

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
    // The old charts go; in compare mode the box around the view owns it.
    QWidget *old = m_compare ? m_compare->parentWidget() : static_cast<QWidget *>(m_dashboard);
    delete old;
    m_dashboard = nullptr;
    m_compare = nullptr;
}

void ResultsDashboardPanel::showLive(metrics::PrometheusClient *client, const QString &workload, const QDateTime &start,
                                     const QString &title, int intervalMs, double scrapeSeconds)
{
    clearCharts();
    charts::DashboardSpec spec = charts::DashboardSpec::forWorkload(workload);
    spec.title = title;
    m_dashboard = new charts::Dashboard(spec, this);
    m_dashboard->setObjectName(QStringLiteral("liveDashboard"));
    m_layout->addWidget(m_dashboard, 1);
    m_message->hide();
    m_dashboard->startLive(client, start, intervalMs, scrapeSeconds);
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

void ResultsDashboardPanel::setLiveStart(const QDateTime &start)
{
    if (isLive())
        m_dashboard->setLiveStart(start);
}

bool ResultsDashboardPanel::isLive() const { return m_dashboard && m_dashboard->isLive(); }

void ResultsDashboardPanel::present(const LoadedResults &r)
{
    clearCharts();
    if (r.compare ? r.sides.size() < 2 : r.docs.isEmpty()) {
        QStringList lines = r.errors;
        if (lines.isEmpty())
            lines << (r.compare ? tr("%1: fewer than two of these runs have results to compare.").arg(r.title)
                                : tr("%1: no result files downloaded yet.").arg(r.title));
        m_message->setText(lines.join(QLatin1Char('\n')));
        m_message->show();
        emit shown(int(r.docs.size()));
        return;
    }
    if (r.compare) {
        // Trial by trial (points per matched trial, never a time series
        // joining the runs' trials across their gaps) and the verdict table.
        auto *box = new QWidget(this);
        box->setObjectName(QStringLiteral("compareBox"));
        (new QVBoxLayout(box))->setContentsMargins(0, 0, 0, 0);
        m_compare = new charts::CompareRunsView(box);
        m_compare->setObjectName(QStringLiteral("compareView"));
        m_compare->setTitle(r.title);
        box->layout()->addWidget(m_compare);
        m_compare->setSides(r.sides);
        m_layout->addWidget(box, 1);
        m_message->setVisible(!r.errors.isEmpty() || !m_compare->model()->comparison()->unmatched().isEmpty());
        m_message->setText((r.errors + m_compare->model()->comparison()->unmatched()).join(QLatin1Char('\n')));
        emit shown(int(r.sides.size()));
        return;
    }
    charts::DashboardSpec spec = charts::DashboardSpec::forWorkload(r.docs.first().workload());
    spec.title = r.title;
    m_dashboard = new charts::Dashboard(spec, this);
    m_layout->addWidget(m_dashboard, 1);
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
    QString error;
    // The run as a study: one document per trial (its clients merged), named
    // by its swept values rather than its id.
    const std::optional<metrics::Study> study = session::loadStudy(storePath, runId, &error);
    if (!study) {
        r.errors << error;
        return r;
    }
    QHash<QString, int> uses;
    for (const metrics::StudyTrial &t : study->trials())
        ++uses[study->trialLabel(t)];
    for (const metrics::StudyTrial &t : study->trials()) {
        if (!trialId.isEmpty() && t.id != trialId)
            continue;
        if (!t.error.isEmpty())
            r.errors << t.error;
        if (!t.result)
            continue;
        metrics::ResultDocument doc = *t.result;
        QString label = study->trialLabel(t);
        if (uses.value(label) > 1) // repetitions share their swept values
            label += QStringLiteral(" (%1)").arg(t.id);
        doc.run.insert(QStringLiteral("label"), label);
        r.docs << doc;
    }
    if (!trialId.isEmpty() && r.docs.size() == 1)
        r.title = QStringLiteral("%1 / %2").arg(runId, r.docs.first().label());
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
    // Each entry is a run ("RUN") or one of its trials ("RUN/TRIAL"); the
    // oldest run comes first, as the baseline the view starts with.
    struct Entry
    {
        session::RunRecord run;
        QStringList trials;
    };
    QList<Entry> entries;
    for (const QString &id : runIds) {
        const QString runId = id.section(QLatin1Char('/'), 0, 0), trial = id.section(QLatin1Char('/'), 1);
        const std::optional<session::RunRecord> run = store.run(runId);
        if (!run) {
            r.errors << tr("run %1: not in the run store").arg(runId);
            continue;
        }
        entries << Entry{*run, trial.isEmpty() ? QStringList() : QStringList{trial}};
    }
    std::stable_sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) { return a.run.createdAt < b.run.createdAt; });
    QStringList labels;
    for (const Entry &e : std::as_const(entries)) {
        std::optional<metrics::Study> study = session::loadStudy(store, e.run.id, &error);
        if (study && !e.trials.isEmpty())
            study = metrics::selectTrials(*study, e.trials, &error);
        if (!study) {
            r.errors << error;
            continue;
        }
        if (study->resultCount() == 0) {
            r.errors << tr("run %1: no result files").arg(e.run.id);
            continue;
        }
        for (const metrics::StudyTrial &t : study->trials())
            if (!t.error.isEmpty())
                r.errors << t.error;
        QString label = QStringLiteral("%1 %2").arg(e.run.name, e.run.createdAt.toLocalTime().toString(QStringLiteral("MMM d HH:mm")));
        if (!e.trials.isEmpty())
            label += QLatin1Char('/') + e.trials.join(QLatin1Char(','));
        labels << label;
        r.sides << metrics::ComparisonSide{*study, label};
    }
    r.title = tr("Compare: %1").arg(labels.join(QStringLiteral(" · ")));
    return r;
}

} // namespace fb::gui
