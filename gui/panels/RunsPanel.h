// RunsPanel: the campaigns in the local run store, newest first, each with its
// trials (state, step, parameters, results). The store is read on a worker
// thread (QtConcurrent; a RunStore per read) so a large or locked store never
// stalls the window; the tree is replaced once the snapshot arrives.
#pragma once

#include "session/RunStore.h"

#include <QFutureWatcher>
#include <QWidget>

class QLabel;
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

signals:
    void reloaded();
    // A run (trialId empty) or one of its trials was selected.
    void selectionChanged(const QString &runId, const QString &trialId);

private:
    void show(const RunsSnapshot &snapshot);
    QTreeWidget *m_tree = nullptr;
    QLabel *m_status = nullptr;
    QFutureWatcher<RunsSnapshot> m_watcher;
};

} // namespace fb::gui
