#include "JobsPanel.h"

#include "common/Paths.h"
#include "recipe/BatchScriptGenerator.h"

#include <QAction>
#include <QDir>
#include <QHeaderView>
#include <QMenu>
#include <QTimer>
#include <QToolBar>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace fb::gui {

namespace {
bool isBad(session::JobState state)
{
    using S = session::JobState;
    return state == S::Failed || state == S::Timeout || state == S::OutOfMemory || state == S::NodeFail || state == S::BootFail;
}
} // namespace

JobsPanel::JobsPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    auto *bar = new QToolBar(this);
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->setIconSize(QSize(16, 16));
    m_cancel = bar->addAction(tr("Cancel job"));
    m_cancel->setObjectName(QStringLiteral("cancelJob"));
    m_cancel->setToolTip(tr("scancel the selected job"));
    m_openLog = bar->addAction(tr("Open log"));
    m_openLog->setObjectName(QStringLiteral("openJobLog"));
    m_openLog->setToolTip(tr("Show the job's output file in the Logs panel"));
    layout->addWidget(bar);

    m_tree = new QTreeWidget(this);
    m_tree->setObjectName(QStringLiteral("jobTree"));
    m_tree->setHeaderLabels({tr("Job"), tr("Name"), tr("Trial"), tr("Component"), tr("State"), tr("Nodes"), tr("Elapsed"),
                             tr("Exit"), tr("Reason")});
    m_tree->setRootIsDecorated(false);
    m_tree->setAlternatingRowColors(true);
    m_tree->setUniformRowHeights(true);
    m_tree->setSortingEnabled(true);
    m_tree->sortByColumn(JobId, Qt::DescendingOrder);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tree->header()->setSectionResizeMode(QHeaderView::Interactive);
    m_tree->header()->setStretchLastSection(true);
    const QFontMetrics fm(m_tree->font());
    const QList<QPair<int, QString>> widths{{JobId, QStringLiteral("1234567")},          {Name, QStringLiteral("fb-t001-monitor-prometheus")},
                                            {Trial, QStringLiteral("t0001")},            {Component, QStringLiteral("service:redis")},
                                            {State, QStringLiteral("COMPLETED")},        {Nodes, QStringLiteral("node[01-02]")},
                                            {Elapsed, QStringLiteral("1:00:00")},        {Exit, QStringLiteral("Exit")}};
    for (const auto &[column, sample] : widths)
        m_tree->header()->resizeSection(column, fm.horizontalAdvance(sample) + 28);
    layout->addWidget(m_tree, 1);

    m_tick = new QTimer(this);
    m_tick->setInterval(1000);
    connect(m_tick, &QTimer::timeout, this, &JobsPanel::refreshElapsed);
    connect(m_tree, &QTreeWidget::itemSelectionChanged, this, &JobsPanel::updateActions);
    connect(m_cancel, &QAction::triggered, this, [this] {
        const QString id = selectedJob();
        if (id.isEmpty())
            return;
        emit message(tr("Cancelling job %1…").arg(id)); // before: the window may answer with a message of its own
        emit cancelRequested(id);
    });
    connect(m_openLog, &QAction::triggered, this, [this] {
        const QString id = selectedJob();
        if (!m_jobs.contains(id))
            return;
        const session::JobRecord &j = m_jobs[id].job;
        const QString path = localLogPath(j);
        if (path.isEmpty()) {
            emit message(tr("The log of job %1 is not in the run folder yet: logs are downloaded when the trial ends.").arg(id));
            return;
        }
        emit openLogRequested(path, j.trialId, j.nodes);
    });
    connect(m_tree, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        if (QTreeWidgetItem *item = m_tree->itemAt(pos))
            m_tree->setCurrentItem(item);
        if (selectedJob().isEmpty())
            return;
        QMenu menu(this);
        menu.addAction(m_cancel);
        menu.addAction(m_openLog);
        menu.exec(m_tree->viewport()->mapToGlobal(pos));
    });
    updateActions();
}

QString JobsPanel::jobName(const session::JobRecord &job)
{
    const QString role = job.component.section(QLatin1Char(':'), 0, 0);
    QString name = job.component.section(QLatin1Char(':'), 1);
    if (name.isEmpty()) // the generator names the monitor job after its Prometheus
        name = role == QLatin1String("monitor") ? QStringLiteral("prometheus") : role;
    return recipe::BatchScriptGenerator::safeName(QStringLiteral("fb-%1-%2-%3").arg(job.trialId, role, name));
}

QString JobsPanel::formatElapsed(qint64 s)
{
    s = std::max<qint64>(s, 0);
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

bool JobsPanel::isActive(session::JobState state)
{
    // Slurm's transitional states (REQUEUED, RESIZING, STAGE_OUT) parse to these.
    return state != session::JobState::Unknown && !slurm::isTerminal(state);
}

QString JobsPanel::localLogPath(const session::JobRecord &job)
{
    const QDir logs(Paths::stateDir() + QStringLiteral("/runs/%1/%2/logs").arg(job.runId, job.trialId));
    const QStringList hits = logs.entryList({QStringLiteral("*-%1.out").arg(job.jobId)}, QDir::Files);
    return hits.isEmpty() ? QString() : logs.filePath(hits.first());
}

QTreeWidgetItem *JobsPanel::itemFor(const QString &jobId) const
{
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        if (m_tree->topLevelItem(i)->text(JobId) == jobId)
            return m_tree->topLevelItem(i);
    return nullptr;
}

void JobsPanel::updateJob(const session::JobRecord &job)
{
    Tracked &t = m_jobs[job.jobId];
    t.job = job;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    // Slurm's start time is not in the record: the tracker's update time when
    // it first reports RUNNING is when it started (to the poll interval).
    if (job.state == session::JobState::Running && !t.runningSince.isValid())
        t.runningSince = job.updatedAt.isValid() ? job.updatedAt.toUTC() : now;
    if (job.state != session::JobState::Running && t.runningSince.isValid() && !t.endedAt.isValid())
        t.endedAt = job.updatedAt.isValid() ? job.updatedAt.toUTC() : now;

    QTreeWidgetItem *item = itemFor(job.jobId);
    if (!item) {
        item = new QTreeWidgetItem(m_tree);
        item->setData(JobId, Qt::DisplayRole, job.jobId);
    }
    item->setText(Name, jobName(job));
    item->setToolTip(Name, item->text(Name));
    item->setText(Trial, job.trialId);
    item->setText(Component, job.component);
    item->setText(State, session::stateName(job.state));
    item->setText(Nodes, job.nodes);
    item->setText(Exit, job.exitCode >= 0 ? QString::number(job.exitCode) : QString());
    item->setText(Reason, job.reason == QLatin1String("None") ? QString() : job.reason);
    item->setToolTip(Reason, job.reason);
    item->setForeground(State, isBad(job.state) ? QBrush(QColor(0xb0, 0x00, 0x20)) : QBrush());
    refreshElapsed();
    updateActions();
}

void JobsPanel::refreshElapsed()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    bool ticking = false;
    for (auto it = m_jobs.cbegin(); it != m_jobs.cend(); ++it) {
        QTreeWidgetItem *item = itemFor(it.key());
        if (!item || !it->runningSince.isValid())
            continue;
        const QDateTime end = it->endedAt.isValid() ? it->endedAt : now;
        item->setText(Elapsed, formatElapsed(it->runningSince.secsTo(end)));
        ticking |= !it->endedAt.isValid();
    }
    if (ticking && !m_tick->isActive())
        m_tick->start();
    else if (!ticking)
        m_tick->stop();
}

void JobsPanel::updateActions()
{
    const QString id = selectedJob();
    m_cancel->setEnabled(!id.isEmpty() && isActive(m_jobs.value(id).job.state));
    m_openLog->setEnabled(!id.isEmpty());
}

bool JobsPanel::selectJob(const QString &jobId)
{
    QTreeWidgetItem *item = itemFor(jobId);
    if (item)
        m_tree->setCurrentItem(item);
    return item;
}

QString JobsPanel::selectedJob() const
{
    QTreeWidgetItem *item = m_tree->currentItem();
    return item && item->isSelected() ? item->text(JobId) : QString();
}

QString JobsPanel::elapsedText(const QString &jobId) const
{
    QTreeWidgetItem *item = itemFor(jobId);
    return item ? item->text(Elapsed) : QString();
}

void JobsPanel::clear()
{
    m_tree->clear();
    m_jobs.clear();
    m_tick->stop();
    updateActions();
}

int JobsPanel::jobCount() const
{
    return m_tree->topLevelItemCount();
}

} // namespace fb::gui
