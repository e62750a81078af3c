#include "CampaignPanel.h"

#include "CampaignNotifier.h"

#include "ssh/ConnectionProfile.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QHeaderView>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace fb::gui {

CampaignPanel::CampaignPanel(session::CampaignRunner *runner, QWidget *parent)
    : QWidget(parent)
    , m_runner(runner)
{
    m_notifier = new CampaignNotifier(this, this);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);

    auto *fileRow = new QHBoxLayout;
    m_path = new QLineEdit(this);
    m_path->setObjectName(QStringLiteral("recipePath"));
    m_path->setPlaceholderText(tr("Recipe file (.yaml)"));
    auto *open = new QPushButton(tr("Open…"), this);
    fileRow->addWidget(new QLabel(tr("Recipe:"), this));
    fileRow->addWidget(m_path, 1);
    fileRow->addWidget(open);
    layout->addLayout(fileRow);

    m_diagnostics = new QLabel(this);
    m_diagnostics->setObjectName(QStringLiteral("diagnostics"));
    m_diagnostics->setWordWrap(true);
    m_diagnostics->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_diagnostics);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("planSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = m_summary->font();
    bold.setBold(true);
    m_summary->setFont(bold);
    layout->addWidget(m_summary);

    // The plan on top, the selected trial's scripts below.
    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(QStringLiteral("planSplitter"));
    m_table = new QTreeWidget(split);
    m_table->setObjectName(QStringLiteral("planTable"));
    m_table->setColumnCount(ColumnCount);
    m_table->setHeaderLabels({tr("Trial / job"), tr("Parameters"), tr("Partition"), tr("Nodes"), tr("Time limit"), tr("CPUs"),
                              tr("GPUs"), tr("Memory"), tr("State"), tr("Step")});
    m_table->setAlternatingRowColors(true);
    m_table->setUniformRowHeights(true);
    m_table->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->header()->setStretchLastSection(true);
    m_preview = new QPlainTextEdit(split);
    m_preview->setObjectName(QStringLiteral("scriptPreview"));
    m_preview->setReadOnly(true);
    m_preview->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_preview->setPlaceholderText(tr("The batch scripts of the selected trial appear here, exactly as they are submitted."));
    split->addWidget(m_table);
    split->addWidget(m_preview);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    auto *runRow = new QHBoxLayout;
    m_status = new QLabel(tr("Open a recipe to start."), this);
    m_status->setObjectName(QStringLiteral("campaignStatus"));
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("campaignProgress"));
    m_progress->setMaximumWidth(220);
    m_progress->setFormat(tr("%v of %m trials"));
    m_progress->setValue(0);
    m_progress->hide(); // shown once a campaign starts
    m_run = new QPushButton(tr("Run campaign"), this);
    m_run->setObjectName(QStringLiteral("runCampaign"));
    m_run->setDefault(true);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelCampaign"));
    runRow->addWidget(m_status, 1);
    runRow->addWidget(m_progress);
    runRow->addWidget(m_cancel);
    runRow->addWidget(m_run);
    layout->addLayout(runRow);

    connect(open, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open recipe"), QFileInfo(m_path->text()).absolutePath(),
                                                          tr("Recipes (*.yaml *.yml)"));
        if (!path.isEmpty())
            setRecipePath(path);
    });
    connect(m_path, &QLineEdit::editingFinished, this, [this] { setRecipePath(m_path->text()); });
    connect(m_table, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        while (item && item->parent()) // a job row: its trial's scripts
            item = item->parent();
        const int i = item ? m_table->indexOfTopLevelItem(item) : -1;
        m_preview->setPlainText(i >= 0 && i < m_plan.trials.size() ? m_plan.trials[i].scripts : QString());
    });
    connect(&m_planWatcher, &QFutureWatcher<SessionPlan>::finished, this, [this] { showPlan(m_planWatcher.result()); });
    connect(m_run, &QPushButton::clicked, this, &CampaignPanel::startCampaign);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        m_runner->cancel();
        m_status->setText(tr("Cancelling: stopping the run's jobs…"));
        m_cancel->setEnabled(false);
    });
    connect(m_runner, &session::CampaignRunner::trialChanged, this, [this](const QString &trial, session::TrialState state, const QString &step) {
        if (state == session::TrialState::Completed || state == session::TrialState::Failed)
            m_progress->setValue(++m_trialsDone);
        m_status->setText(tr("Trial %1: %2 (%3)").arg(trial, step, session::stateName(state)));
        showTrialState(trial, state, step);
    });
    connect(m_runner, &session::CampaignRunner::finished, this, [this](const session::CampaignResult &r) {
        m_status->setText(r.state == session::RunState::Completed
                              ? tr("Run %1 completed: %2 trial(s), %3 result file(s).").arg(r.runId).arg(r.trialsCompleted).arg(r.resultFiles)
                              : tr("Run %1 %2: %3").arg(r.runId, session::stateName(r.state), r.error.section(QLatin1Char('\n'), 0, 0)));
        updateButtons();
        m_notifier->notify(r);
    });
    updateButtons();
}

QString CampaignPanel::recipePath() const
{
    return m_path->text();
}

void CampaignPanel::setProfile(const QString &name)
{
    m_profile = name;
    updateButtons();
}

void CampaignPanel::setRecipePath(const QString &path)
{
    m_path->setText(path);
    if (path.isEmpty() || m_planWatcher.isRunning())
        return;
    m_status->setText(tr("Checking %1…").arg(QFileInfo(path).fileName()));
    m_planWatcher.setFuture(QtConcurrent::run(&SessionPlan::build, path));
}

void CampaignPanel::showPlan(const SessionPlan &plan)
{
    m_plan = plan;
    m_table->clear();
    for (const PlannedTrial &t : plan.trials) {
        auto *item = new QTreeWidgetItem(m_table);
        item->setText(TrialColumn, t.id);
        item->setText(ParametersColumn, t.parameters.isEmpty() ? tr("(no swept parameters)") : t.parameters.join(QStringLiteral(", ")));
        QStringList partitions;
        int nodes = 0;
        double longest = 0;
        QString longestText;
        for (const PlannedJob &j : t.jobs) {
            auto *job = new QTreeWidgetItem(item);
            job->setText(TrialColumn, j.role == j.name ? j.role : j.role + QLatin1Char(' ') + j.name);
            job->setToolTip(TrialColumn, j.fileName);
            job->setText(PartitionColumn, j.partition.isEmpty() ? tr("default") : j.partition);
            job->setText(NodesColumn, QString::number(j.nodes));
            job->setText(TimeColumn, j.timeLimit.isEmpty() ? tr("partition default") : j.timeLimit);
            job->setText(CpusColumn, j.cpusPerTask);
            job->setText(GpusColumn, j.gres);
            job->setText(MemoryColumn, j.memory);
            if (!partitions.contains(job->text(PartitionColumn)))
                partitions << job->text(PartitionColumn);
            nodes += j.nodes;
            if (j.timeLimitSeconds > longest) {
                longest = j.timeLimitSeconds;
                longestText = j.timeLimit;
            }
        }
        // The trial's row: what it holds at most while all its jobs run.
        item->setText(PartitionColumn, partitions.join(QStringLiteral(", ")));
        item->setText(NodesColumn, t.jobs.isEmpty() ? QString() : QString::number(nodes));
        item->setToolTip(NodesColumn, tr("%1 jobs, %2 nodes in all").arg(t.jobs.size()).arg(nodes));
        item->setText(TimeColumn, longestText);
        item->setText(StateColumn, t.error.isEmpty() ? tr("planned") : tr("error"));
        QFont bold = item->font(TrialColumn);
        bold.setBold(true);
        item->setFont(TrialColumn, bold); // trials stand out from their jobs
        if (!t.error.isEmpty())
            item->setToolTip(StateColumn, t.error);
    }
    if (plan.trials.size() <= 20)
        m_table->expandAll();
    if (m_table->topLevelItemCount() > 0)
        m_table->setCurrentItem(m_table->topLevelItem(0));
    else
        m_preview->clear();
    m_summary->setText(plan.summary());
    m_diagnostics->setText(plan.diagnostics.isEmpty() ? QString() : plan.diagnostics.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")));
    m_diagnostics->setStyleSheet(plan.ok ? QString() : QStringLiteral("color: #b00020"));
    m_status->setText(plan.ok ? tr("%n trial(s) ready to run.", nullptr, int(plan.trials.size())) : tr("The recipe has errors."));
    if (plan.path != m_path->text())
        setRecipePath(m_path->text()); // the path changed while we were checking
    updateButtons();
    emit planReady(plan.ok);
}

bool CampaignPanel::startCampaign()
{
    if (m_runner->isRunning() || !m_plan.ok || m_profile.isEmpty())
        return false;
    ConnectionProfile profile;
    QString error;
    // A small JSON file; read here so a broken profile is reported at once.
    if (!ProfileStore().load(m_profile, &profile, &error)) {
        QMessageBox::warning(this, tr("Connection profile"), error);
        return false;
    }
    session::CampaignOptions o;
    o.recipePath = m_plan.path;
    o.profileName = profile.name;
    m_runProfile = profile.name;
    o.remoteWorkDir = profile.remoteWorkDir;
    o.buildPrelude = profile.buildPrelude;
    o.clusterTools = profile.tools;
    o.clusterTools.source = profile.name;
    m_trialsDone = 0;
    m_progress->setMaximum(int(m_plan.trials.size()));
    for (int i = 0; i < m_table->topLevelItemCount(); ++i) {
        m_table->topLevelItem(i)->setText(StateColumn, tr("queued"));
        m_table->topLevelItem(i)->setText(StepColumn, QString());
    }
    m_progress->setValue(0);
    m_progress->show();
    m_runner->start(o, profile, {}, m_prompter);
    m_status->setText(tr("Starting on %1…").arg(profile.name));
    updateButtons();
    return true;
}

QTreeWidgetItem *CampaignPanel::trialItem(const QString &trialId) const
{
    for (int i = 0; i < m_table->topLevelItemCount(); ++i)
        if (m_table->topLevelItem(i)->text(TrialColumn) == trialId)
            return m_table->topLevelItem(i);
    return nullptr;
}

void CampaignPanel::showTrialState(const QString &trial, session::TrialState state, const QString &step)
{
    QTreeWidgetItem *item = trialItem(trial);
    if (!item)
        return; // a resumed run of another recipe version: the status line still says it
    item->setText(StateColumn, session::stateName(state));
    item->setText(StepColumn, step);
    const QColor colour = state == session::TrialState::Completed ? QColor(0x1b, 0x7f, 0x3b)
                        : state == session::TrialState::Failed    ? QColor(0xb0, 0x00, 0x20)
                        : state == session::TrialState::Running   ? QColor(0x1f, 0x5f, 0xbf)
                                                                  : QColor();
    item->setForeground(StateColumn, colour.isValid() ? QBrush(colour) : QBrush());
}

QString CampaignPanel::planSummary() const { return m_summary->text(); }

int CampaignPanel::planRowCount() const { return m_table->topLevelItemCount(); }

QString CampaignPanel::trialCell(const QString &trialId, int column) const
{
    const QTreeWidgetItem *item = trialItem(trialId);
    return item ? item->text(column) : QString();
}

void CampaignPanel::updateButtons()
{
    const bool running = m_runner->isRunning();
    m_run->setEnabled(!running && m_plan.ok && !m_profile.isEmpty());
    m_run->setToolTip(m_profile.isEmpty() ? tr("Select a connection first") : tr("Run on %1").arg(m_profile));
    m_cancel->setEnabled(running);
    m_path->setEnabled(!running);
}

} // namespace fb::gui
