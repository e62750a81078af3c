// JobsPanel: the Slurm jobs of the campaign running in this session — job id,
// name, trial, component, state, nodes, elapsed (ticking while RUNNING),
// exit code and Slurm's reason — updated as the campaign's job tracker reports
// changes (no polling of its own). Cancel job and Open log act on the selected
// job through signals: the window routes them to CampaignRunner::cancelJob and
// the Logs panel, so this panel never touches the network or disk.
#pragma once

#include "session/RunStore.h"

#include <QDateTime>
#include <QHash>
#include <QWidget>

class QAction;
class QTimer;
class QTreeWidget;
class QTreeWidgetItem;

namespace fb::gui {

class JobsPanel : public QWidget
{
    Q_OBJECT
public:
    enum Column { JobId, Name, Trial, Component, State, Nodes, Elapsed, Exit, Reason, ColumnCount };

    explicit JobsPanel(QWidget *parent = nullptr);
    void updateJob(const fb::session::JobRecord &job);
    void clear();
    int jobCount() const;
    bool selectJob(const QString &jobId);
    QString selectedJob() const;
    QString elapsedText(const QString &jobId) const;
    QAction *cancelAction() const { return m_cancel; }
    QAction *openLogAction() const { return m_openLog; }

    static QString jobName(const fb::session::JobRecord &job); // the sbatch --job-name of the component
    static QString formatElapsed(qint64 seconds);               // "0:42", "12:03", "1:02:03"
    static bool isActive(fb::session::JobState state);           // PENDING, RUNNING, … (cancellable)
    // The job's log in the local run folder, <state>/runs/<run>/<trial>/logs/*-<jobid>.out.
    static QString localLogPath(const fb::session::JobRecord &job);

signals:
    void cancelRequested(const QString &jobId);
    void openLogRequested(const QString &path, const QString &trial, const QString &node);
    void message(const QString &text); // for the status bar

private:
    struct Tracked
    {
        fb::session::JobRecord job;
        QDateTime runningSince; // first seen RUNNING
        QDateTime endedAt;      // first seen in a final state after running
    };
    QTreeWidgetItem *itemFor(const QString &jobId) const;
    void refreshElapsed();
    void updateActions();

    QTreeWidget *m_tree = nullptr;
    QAction *m_cancel = nullptr;
    QAction *m_openLog = nullptr;
    QTimer *m_tick = nullptr;
    QHash<QString, Tracked> m_jobs;
};

} // namespace fb::gui
