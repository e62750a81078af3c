// JobsPanel: the Slurm jobs of the campaign running in this session — trial,
// component, job id, state, nodes, exit code — updated as the campaign's job
// tracker reports changes (no polling of its own).
#pragma once

#include "session/RunStore.h"

#include <QWidget>

class QTreeWidget;

namespace fb::gui {

class JobsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit JobsPanel(QWidget *parent = nullptr);
    void updateJob(const fb::session::JobRecord &job);
    void clear();
    int jobCount() const;

private:
    QTreeWidget *m_tree = nullptr;
};

} // namespace fb::gui
