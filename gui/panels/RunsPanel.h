// RunsPanel: the campaigns in the local run store, newest first, each with its
// trials (state, step, parameters, results). The store is read on a worker
// thread (QtConcurrent; a RunStore per read) so a large or locked store never
// stalls the window; the tree is replaced once the snapshot arrives.
// Several runs (or trials, even of one run) can be selected: Compare asks the
// dashboard to compare them,
// Delete (after a confirmation) removes them from the store and deletes their
// local folders, also on a worker thread.
#pragma once

#include "session/RunStore.h"

#include <QFutureWatcher>
#include <QWidget>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace fb::gui {

struct RunsSnapshot
{
    struct Run
    {
        session::RunRecord run;
        QList<session::TrialRecord> trials;
        QHash<QString, int> resultsPerTrial;
    };
    QList<Run> runs;
    QString error;
};

class RunsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit RunsPanel(QWidget *parent = nullptr);

    void reload();                         // asynchronous; `reloaded` when done
    int runCount() const;
    static RunsSnapshot readStore(const QString &path); // any thread
    QStringList selectedRuns() const;      // run ids, in tree order
    bool selectRuns(const QStringList &runIds);
    // What Compare compares: a selected run as "RUN", selected trials of a run
    // (the run itself not selected) as "RUN/TRIAL" each, in tree order.
    QStringList selectedForComparison() const;
    void compareSelected();                // needs two or more runs or trials
    void studySelected();                  // needs exactly one run: studyRequested
    void deleteSelected();                 // asks first; asynchronous, `deleted` when done
    void exportReportSelected();           // one run: asks for a file, then exportReport
    // The run's report (report/RunReport.h, as `fbctl report`): HTML or PDF
    // by the file's suffix; false with *error. GUI thread (it draws charts).
    bool exportReport(const QString &runId, const QString &path, QString *error);
    // Removes the runs from the store and their folders under <runsDir>; any thread. Errors name the run.
    static QStringList deleteRuns(const QString &storePath, const QString &runsDir, const QStringList &runIds);

signals:
    void reloaded();
    // A run (trialId empty) or one of its trials was selected.
    void selectionChanged(const QString &runId, const QString &trialId);
    void compareRequested(const QStringList &runIds); // "RUN" or "RUN/TRIAL" (see selectedForComparison)
    void studyRequested(const QString &runId); // Study pressed (or a run double-clicked)
    void deleted(const QStringList &runIds, const QStringList &errors);

private:
    void showSnapshot(const RunsSnapshot &snapshot);
    void updateButtons();
    QTreeWidget *m_tree = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_study = nullptr;
    QPushButton *m_compare = nullptr;
    QPushButton *m_delete = nullptr;
    QPushButton *m_report = nullptr;
    QFutureWatcher<RunsSnapshot> m_watcher;
    QFutureWatcher<QStringList> m_deleter;
    QStringList m_deleting;
};

} // namespace fb::gui
