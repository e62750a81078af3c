// JobTracker: watches a set of Slurm jobs with one batched query per poll and
// reports state changes. Polling adapts: fast while jobs start or change, then
// slower while they run steadily, fast again on any change. Owned by the
// campaign (or the Jobs panel); uses a SlurmClient it does not own.
#pragma once

#include "SlurmClient.h"

#include <QElapsedTimer>
#include <QMap>
#include <QObject>
#include <QTimer>

namespace fb::slurm {

class JobTracker : public QObject
{
    Q_OBJECT
public:
    explicit JobTracker(SlurmClient *client, QObject *parent = nullptr);

    void track(const QString &jobId);
    void untrack(const QString &jobId);
    QStringList trackedIds() const { return m_jobs.keys(); }
    JobInfo job(const QString &jobId) const { return m_jobs.value(jobId).info; }
    QList<JobInfo> jobs() const;

    // Poll intervals: `fast` while anything is pending or changed lately,
    // growing to `slow` while all jobs run steadily.
    void setIntervals(int fastMs, int slowMs);
    int currentIntervalMs() const { return m_interval; }
    int pollCount() const { return m_polls; }
    void pollNow();

signals:
    void jobChanged(const fb::slurm::JobInfo &job);
    void jobFinished(const fb::slurm::JobInfo &job); // once per job, in a terminal state
    void pollFailed(const QString &error);            // the connection failed; polling goes on

private:
    struct Tracked
    {
        JobInfo info;
        int missingPolls = 0;
        bool finished = false;
    };
    void schedule();
    void onResult(const QueryResult &r);

    SlurmClient *m_client;
    QMap<QString, Tracked> m_jobs;
    QTimer m_timer;
    int m_fast = 1000;
    int m_slow = 15000;
    int m_interval = 1000;
    int m_polls = 0;
    bool m_inFlight = false;
    bool m_pollAgain = false;
};

} // namespace fb::slurm
