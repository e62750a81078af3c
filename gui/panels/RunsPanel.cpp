#include "RunsPanel.h"

#include "common/Paths.h"

#include <QFileInfo>
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
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(2, QHeaderView::Stretch);
    auto *bar = new QHBoxLayout;
    m_status = new QLabel(tr("Reading runs…"), this);
    auto *refresh = new QPushButton(tr("Refresh"), this);
    refresh->setObjectName(QStringLiteral("refreshRuns"));
    bar->addWidget(m_status, 1);
    bar->addWidget(refresh);
    layout->addWidget(m_tree, 1);
    layout->addLayout(bar);
    connect(refresh, &QPushButton::clicked, this, &RunsPanel::reload);
    connect(m_tree, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        if (!item)
            return;
        QTreeWidgetItem *runItem = item->parent() ? item->parent() : item;
        emit selectionChanged(runItem->data(0, Qt::UserRole).toString(), item->parent() ? item->text(0) : QString());
    });
    connect(&m_watcher, &QFutureWatcher<RunsSnapshot>::finished, this, [this] {
        show(m_watcher.result());
        emit reloaded();
    });
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

void RunsPanel::show(const RunsSnapshot &snapshot)
{
    // Keep the selection across reloads (campaign progress reloads often).
    QString selRun, selTrial;
    if (QTreeWidgetItem *cur = m_tree->currentItem()) {
        QTreeWidgetItem *runItem = cur->parent() ? cur->parent() : cur;
        selRun = runItem->data(0, Qt::UserRole).toString();
        selTrial = cur->parent() ? cur->text(0) : QString();
    }
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
        item->setText(1, r.run.state);
        int done = 0;
        for (const session::TrialRecord &t : r.trials)
            done += t.state == QLatin1String("completed");
        item->setText(2, tr("%1/%2 trials · %3").arg(done).arg(r.trials.size()).arg(r.run.profile));
        item->setToolTip(0, tr("Run %1\nRemote folder: %2").arg(r.run.id, r.run.remoteDir));
        if (!r.run.error.isEmpty())
            item->setToolTip(1, r.run.error);
        for (const session::TrialRecord &t : r.trials) {
            auto *child = new QTreeWidgetItem(item);
            child->setText(0, t.trialId);
            child->setText(1, t.state);
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
    m_status->setText(snapshot.runs.isEmpty() ? tr("No campaigns yet. `fbctl run RECIPE --profile NAME` or the Run button start one.")
                                              : tr("%n run(s)", nullptr, int(snapshot.runs.size())));
}

} // namespace fb::gui
