#include "JobsPanel.h"

#include <QHeaderView>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace fb::gui {

JobsPanel::JobsPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    m_tree = new QTreeWidget(this);
    m_tree->setObjectName(QStringLiteral("jobTree"));
    m_tree->setHeaderLabels({tr("Job"), tr("Trial"), tr("Component"), tr("State"), tr("Nodes"), tr("Exit"), tr("Reason")});
    m_tree->setRootIsDecorated(false);
    m_tree->setAlternatingRowColors(true);
    m_tree->setSortingEnabled(true);
    m_tree->sortByColumn(0, Qt::DescendingOrder);
    m_tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tree->header()->setStretchLastSection(true);
    layout->addWidget(m_tree);
}

void JobsPanel::updateJob(const fb::session::JobRecord &job)
{
    QTreeWidgetItem *item = nullptr;
    for (int i = 0; i < m_tree->topLevelItemCount() && !item; ++i)
        if (m_tree->topLevelItem(i)->text(0) == job.jobId)
            item = m_tree->topLevelItem(i);
    if (!item) {
        item = new QTreeWidgetItem(m_tree);
        item->setData(0, Qt::DisplayRole, job.jobId);
    }
    item->setText(1, job.trialId);
    item->setText(2, job.component);
    item->setText(3, job.state);
    item->setText(4, job.nodes);
    item->setText(5, job.exitCode >= 0 ? QString::number(job.exitCode) : QString());
    item->setText(6, job.reason);
    const bool bad = job.state == QLatin1String("FAILED") || job.state == QLatin1String("TIMEOUT")
        || job.state == QLatin1String("OUT_OF_MEMORY") || job.state == QLatin1String("NODE_FAIL");
    item->setForeground(3, bad ? QBrush(QColor(0xb0, 0x00, 0x20)) : QBrush());
}

void JobsPanel::clear()
{
    m_tree->clear();
}

int JobsPanel::jobCount() const
{
    return m_tree->topLevelItemCount();
}

} // namespace fb::gui
