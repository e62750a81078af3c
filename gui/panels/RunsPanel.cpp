#include "RunsPanel.h"

#include "common/Paths.h"
#include "RunReport.h"

#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace fb::gui {

RunsPanel::RunsPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    m_tree = new QTreeWidget(this);
    m_tree->setObjectName(QStringLiteral("runTree"));
    m_tree->setHeaderLabels({tr("Run / trial"), tr("State"), tr("Details")});
    m_tree->setAlternatingRowColors(true);
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(2, QHeaderView::Stretch);
    auto *bar = new QHBoxLayout;
    m_status = new QLabel(tr("Reading runs…"), this);
    m_status->setWordWrap(true);
    auto *refresh = new QPushButton(tr("Refresh"), this);
    refresh->setObjectName(QStringLiteral("refreshRuns"));
    m_study = new QPushButton(tr("Study"), this);
    m_study->setObjectName(QStringLiteral("studyRun"));
    m_study->setToolTip(tr("Show the selected run as a study: sweep chart and trial table (also: double-click a run)"));
    m_compare = new QPushButton(tr("Compare"), this);
    m_compare->setObjectName(QStringLiteral("compareRuns"));
    m_compare->setToolTip(tr("Compare the selected runs or trials, trial by trial (Ctrl+click to select several)"));
    m_delete = new QPushButton(tr("Delete…"), this);
    m_delete->setObjectName(QStringLiteral("deleteRuns"));
    m_delete->setToolTip(tr("Delete the selected runs from the run store and their local folders"));
    m_report = new QPushButton(tr("Export report…"), this);
    m_report->setObjectName(QStringLiteral("exportReport"));
    m_report->setToolTip(tr("Write the selected run's report: a self-contained HTML file or a PDF (as `fbctl report`)"));
    bar->addWidget(m_status, 1);
    bar->addWidget(m_study);
    bar->addWidget(m_report);
    bar->addWidget(m_compare);
    bar->addWidget(m_delete);
    bar->addWidget(refresh);
    layout->addWidget(m_tree, 1);
    layout->addLayout(bar);
    connect(refresh, &QPushButton::clicked, this, &RunsPanel::reload);
    connect(m_study, &QPushButton::clicked, this, &RunsPanel::studySelected);
    connect(m_tree, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem *item) {
        if (item && !item->parent()) // a run, not one of its trials
            studySelected();
    });
    connect(m_compare, &QPushButton::clicked, this, &RunsPanel::compareSelected);
    connect(m_report, &QPushButton::clicked, this, &RunsPanel::exportReportSelected);
    connect(m_delete, &QPushButton::clicked, this, &RunsPanel::deleteSelected);
    connect(m_tree, &QTreeWidget::itemSelectionChanged, this, &RunsPanel::updateButtons);
    connect(&m_deleter, &QFutureWatcher<QStringList>::finished, this, [this] {
        const QStringList errors = m_deleter.result();
        const QStringList ids = std::exchange(m_deleting, {});
        emit deleted(ids, errors);
        reload();
        if (!errors.isEmpty())
            QMessageBox::warning(this, tr("Delete runs"), errors.join(QLatin1Char('\n')));
    });
    connect(m_tree, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        if (!item)
            return;
        QTreeWidgetItem *runItem = item->parent() ? item->parent() : item;
        emit selectionChanged(runItem->data(0, Qt::UserRole).toString(), item->parent() ? item->text(0) : QString());
    });
    connect(&m_watcher, &QFutureWatcher<RunsSnapshot>::finished, this, [this] {
        showSnapshot(m_watcher.result());
        emit reloaded();
    });
    updateButtons();
    reload();
}

int RunsPanel::runCount() const
{
    return m_tree->topLevelItemCount();
}

void RunsPanel::reload()
{
    if (m_watcher.isRunning())
        return;
    m_status->setText(tr("Reading runs…"));
    m_watcher.setFuture(QtConcurrent::run(&RunsPanel::readStore, Paths::runStorePath()));
}

RunsSnapshot RunsPanel::readStore(const QString &path)
{
    RunsSnapshot s;
    if (!QFileInfo::exists(path))
        return s; // no campaign yet
    session::RunStore store;
    if (!store.open(path, &s.error))
        return s;
    for (const session::RunRecord &r : store.runs()) {
        RunsSnapshot::Run run{r, store.trials(r.id), {}};
        for (const session::ResultFileRecord &f : store.resultFiles(r.id))
            ++run.resultsPerTrial[f.trialId];
        s.runs << run;
    }
    return s;
}

void RunsPanel::showSnapshot(const RunsSnapshot &snapshot)
{
    // Keep the selection across reloads (campaign progress reloads often).
    QString selRun, selTrial;
    if (QTreeWidgetItem *cur = m_tree->currentItem()) {
        QTreeWidgetItem *runItem = cur->parent() ? cur->parent() : cur;
        selRun = runItem->data(0, Qt::UserRole).toString();
        selTrial = cur->parent() ? cur->text(0) : QString();
    }
    const QStringList selected = selectedRuns();
    const QSignalBlocker block(m_tree);
    m_tree->clear();
    if (!snapshot.error.isEmpty()) {
        m_status->setText(tr("Cannot read the run store: %1").arg(snapshot.error));
        return;
    }
    for (const RunsSnapshot::Run &r : snapshot.runs) {
        auto *item = new QTreeWidgetItem(m_tree);
        // Short label (recipe and local start time); the full id in the tooltip.
        item->setText(0, QStringLiteral("%1 · %2").arg(r.run.name, r.run.createdAt.toLocalTime().toString(QStringLiteral("MMM d HH:mm"))));
        item->setData(0, Qt::UserRole, r.run.id);
        item->setText(1, session::stateName(r.run.state));
        int done = 0;
        for (const session::TrialRecord &t : r.trials)
            done += t.state == session::TrialState::Completed;
        item->setText(2, tr("%1/%2 trials · %3").arg(done).arg(r.trials.size()).arg(r.run.profile));
        item->setToolTip(0, tr("Run %1\nRemote folder: %2").arg(r.run.id, r.run.remoteDir));
        if (!r.run.error.isEmpty())
            item->setToolTip(1, r.run.error);
        for (const session::TrialRecord &t : r.trials) {
            auto *child = new QTreeWidgetItem(item);
            child->setText(0, t.trialId);
            child->setText(1, session::stateName(t.state));
            QStringList params;
            for (auto it = t.params.begin(); it != t.params.end(); ++it)
                params << it.key().section(QLatin1Char('.'), -1) + QLatin1Char('=') + it.value().toVariant().toString();
            const QString results = tr("%n result(s)", nullptr, r.resultsPerTrial.value(t.trialId));
            child->setText(2, params.isEmpty() ? results : params.join(QStringLiteral(", ")) + QStringLiteral(" · ") + results);
            child->setToolTip(2, child->text(2));
            if (!t.error.isEmpty())
                child->setToolTip(1, t.error);
        }
    }
    if (m_tree->topLevelItemCount() > 0)
        m_tree->topLevelItem(0)->setExpanded(true);
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *runItem = m_tree->topLevelItem(i);
        if (runItem->data(0, Qt::UserRole).toString() != selRun)
            continue;
        m_tree->setCurrentItem(runItem);
        for (int j = 0; j < runItem->childCount(); ++j)
            if (runItem->child(j)->text(0) == selTrial)
                m_tree->setCurrentItem(runItem->child(j));
    }
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        if (selected.contains(m_tree->topLevelItem(i)->data(0, Qt::UserRole).toString()))
            m_tree->topLevelItem(i)->setSelected(true);
    updateButtons();
    m_status->setText(snapshot.runs.isEmpty() ? tr("No campaigns yet. `fbctl run RECIPE --profile NAME` or the Run button start one.")
                                              : tr("%n run(s)", nullptr, int(snapshot.runs.size())));
}

QStringList RunsPanel::selectedRuns() const
{
    QStringList ids;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *run = m_tree->topLevelItem(i);
        bool selected = run->isSelected();
        for (int j = 0; j < run->childCount() && !selected; ++j)
            selected = run->child(j)->isSelected(); // a selected trial stands for its run
        if (selected)
            ids << run->data(0, Qt::UserRole).toString();
    }
    return ids;
}

QStringList RunsPanel::selectedForComparison() const
{
    QStringList ids;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *run = m_tree->topLevelItem(i);
        const QString runId = run->data(0, Qt::UserRole).toString();
        if (run->isSelected()) {
            ids << runId;
            continue;
        }
        for (int j = 0; j < run->childCount(); ++j)
            if (run->child(j)->isSelected())
                ids << runId + QLatin1Char('/') + run->child(j)->text(0);
    }
    return ids;
}

bool RunsPanel::selectRuns(const QStringList &runIds)
{
    m_tree->clearSelection();
    int found = 0;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *run = m_tree->topLevelItem(i);
        if (runIds.contains(run->data(0, Qt::UserRole).toString())) {
            run->setSelected(true);
            ++found;
        }
    }
    updateButtons();
    return found == runIds.size();
}

void RunsPanel::updateButtons()
{
    const int n = int(selectedRuns().size());
    m_study->setEnabled(n == 1);
    m_report->setEnabled(n == 1);
    m_compare->setEnabled(selectedForComparison().size() >= 2);
    m_delete->setEnabled(n >= 1 && m_deleting.isEmpty());
}

void RunsPanel::compareSelected()
{
    const QStringList ids = selectedForComparison();
    if (ids.size() >= 2)
        emit compareRequested(ids);
}

void RunsPanel::studySelected()
{
    const QStringList ids = selectedRuns();
    if (ids.size() == 1)
        emit studyRequested(ids.first());
}

void RunsPanel::exportReportSelected()
{
    const QStringList ids = selectedRuns();
    if (ids.size() != 1)
        return;
    QString filter;
    QString path = QFileDialog::getSaveFileName(this, tr("Export Report"), QDir::home().filePath(ids.first() + QStringLiteral(".html")),
                                                tr("HTML report (*.html);;PDF report (*.pdf)"), &filter);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += filter.contains(QLatin1String("pdf")) ? QStringLiteral(".pdf") : QStringLiteral(".html");
    QString error;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    const bool ok = exportReport(ids.first(), path, &error);
    QApplication::restoreOverrideCursor();
    if (ok)
        m_status->setText(tr("Report written: %1").arg(QDir::toNativeSeparators(path)));
    else
        QMessageBox::warning(this, tr("Export Report"), error);
}

bool RunsPanel::exportReport(const QString &runId, const QString &path, QString *error)
{
    auto data = report::loadReportData(Paths::runStorePath(), runId, error);
    if (!data)
        return false;
    report::RunReport r(std::move(*data));
    return QFileInfo(path).suffix().compare(QLatin1String("pdf"), Qt::CaseInsensitive) == 0 ? r.writePdf(path, error)
                                                                                          : r.writeHtml(path, error);
}

void RunsPanel::deleteSelected()
{
    const QStringList ids = selectedRuns();
    if (ids.isEmpty() || !m_deleting.isEmpty())
        return;
    const QString runsDir = Paths::stateDir() + QStringLiteral("/runs");
    QMessageBox box(QMessageBox::Warning, tr("Delete runs"),
                    tr("Delete %n run(s) from the run store and their local folders?", nullptr, int(ids.size())),
                    QMessageBox::Yes | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("confirmDeleteRuns"));
    box.setInformativeText(tr("%1\n\nResults, logs and manifests under %2 are removed. Files on the cluster are kept.")
                               .arg(ids.join(QLatin1Char('\n')), QDir::toNativeSeparators(runsDir)));
    box.setDefaultButton(QMessageBox::Cancel);
    if (box.exec() != QMessageBox::Yes)
        return;
    m_deleting = ids;
    updateButtons();
    m_status->setText(tr("Deleting %n run(s)…", nullptr, int(ids.size())));
    m_deleter.setFuture(QtConcurrent::run(&RunsPanel::deleteRuns, Paths::runStorePath(), runsDir, ids));
}

QStringList RunsPanel::deleteRuns(const QString &storePath, const QString &runsDir, const QStringList &runIds)
{
    QStringList errors;
    session::RunStore store;
    QString error;
    if (!store.open(storePath, &error))
        return {error};
    for (const QString &id : runIds) {
        // Run ids are generated ("20261123-091500-name-abcd"); refuse anything
        // that could walk out of the runs folder.
        if (id.isEmpty() || id.contains(QLatin1Char('/')) || id.contains(QLatin1Char('\\')) || id.startsWith(QLatin1Char('.'))) {
            errors << tr("run %1: not a run id").arg(id);
            continue;
        }
        if (!store.deleteRun(id, &error)) {
            errors << tr("run %1: %2").arg(id, error);
            continue;
        }
        QDir dir(runsDir + QLatin1Char('/') + id);
        if (dir.exists() && !dir.removeRecursively())
            errors << tr("run %1: cannot remove %2").arg(id, dir.absolutePath());
    }
    return errors;
}

} // namespace fb::gui
