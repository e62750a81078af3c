// Campaign: turns a validated recipe into Slurm jobs on the cluster and back
// into downloaded results — the "one-click session". For each trial of the
// sweep it writes the trial folder and scripts, submits the service jobs,
// waits for them to run and publish healthy endpoints, submits the monitor
// and the client jobs, waits for the clients, downloads their result JSON
// (checksummed), collects the job logs and cancels what is left.
//
// Every step is recorded in the RunStore before and after it happens, and
// every job carries `--comment=factorybench:<run>:<trial>:<component>`, so a
// campaign killed at any point can be resumed (run(resumeRunId)): jobs that
// were submitted are re-attached (found in the store, or by their comment
// when the crash came between sbatch and the store write), results already
// downloaded are not downloaded again.
//
// Up to maxParallelTrials trials run at once, interleaved on the calling
// thread: each is a TrialRunner (submit, wait, collect) advanced one step per
// poll round; RunJournal records the run (events, store, manifest, resume
// state) and ResultCollector brings results and logs home.
//
// The engine is straight-line code that waits with fb::session::await() —
// a local event loop — so it must run on a thread that may block: fbctl's
// main thread, or the GUI's campaign worker thread (CampaignRunner), never the
// GUI thread. It talks to the cluster only through CommandRunner and
// RemoteFiles, which must live on the same thread.
#pragma once

#include "common/ClusterTools.h"
#include "common/CommandRunner.h"
#include "common/RemoteFiles.h"
#include "session/CampaignEvent.h"
#include "session/LinkWatch.h"
#include "session/RunStore.h"

#include <QDateTime>
#include <QObject>
#include <QStringList>

#include <atomic>

namespace fb::session {

struct CampaignOptions
{
    QString recipePath;        // a new run from this recipe …
    QString resumeRunId;       // … or resume this run from the store
    QString profileName;       // recorded with the run
    QString remoteWorkDir;     // default: the recipe's cluster.workdir, else "$HOME/factorybench"
    QString buildPrelude;      // from the connection profile: run before building fbload
    ClusterTools clusterTools; // from the connection profile: the validator warns about what the cluster lacks
    QString localRunsDir;      // default: Paths::stateDir() + "/runs"
    QString fbloadPath;        // use this remote fbload instead of deploying one (tests)
    bool keepServices = false; // leave service and monitor jobs running after each trial
    bool stopOnFailure = false;// stop the campaign at the first failed trial
    int maxParallelTrials = 0; // trials at once; 0: as the run started (resume), else the recipe's sweep.max_parallel_trials
    int pollFastMs = 1000;     // job polling while jobs start or change
    int pollSlowMs = 5000;     // … while they run steadily
    int serviceReadyTimeoutMs = 15 * 60 * 1000; // queue wait + start + health gate
    // How long the cluster may be unreachable (connection lost, host key
    // changed, Slurm not answering) before the campaign stops "interrupted"
    // with its jobs listed (they keep running; resume or cancel later).
    int reconnectWindowMs = 5 * 60 * 1000;
    // Resume: the recipe file to take the run's secrets from (they are not
    // stored locally); default the run's own recipe path. Its text, redacted,
    // must equal the stored copy.
    QString secretsRecipePath;
};

struct CampaignResult
{
    QString runId;
    RunState state = RunState::Failed; // how the run ended: Completed, Failed, Cancelled, Detached (left
                               // running; resume later), Interrupted (cluster unreachable, a local write
                               // failed, or a cancel that could not reach the cluster: jobs may be left)
    QString error;             // first error, for the exit message
    int trialsCompleted = 0;
    int trialsFailed = 0;
    int resultFiles = 0;       // downloaded in this invocation
    int jobsSubmitted = 0;     // sbatch calls made in this invocation
};

class Campaign : public QObject
{
    Q_OBJECT
public:
    Campaign(CommandRunner *runner, RemoteFiles *files, RunStore *store, QObject *parent = nullptr);

    // Runs (or resumes) the campaign to its end on the calling thread.
    CampaignResult run(const CampaignOptions &options);

    // Thread-safe: the running campaign stops at its next wait, cancels the
    // run's jobs and ends as "cancelled".
    void requestCancel() { m_cancel = true; }
    // Thread-safe: stop waiting at the next wait but leave every job running
    // and the run "running" in the store (the app is closing); resume later.
    void requestDetach()
    {
        m_detach = true;
        m_cancel = true;
    }
    bool cancelRequested() const { return m_cancel; }
    // The owner's transport reports its link (SshConnection::stateChanged):
    // down starts the reconnect window at once (the campaign says it is
    // reconnecting) rather than at the next failed poll. Campaign's thread.
    void reportLink(bool up, const QString &reason);

    // Cancels every job of a run that Slurm still knows (from the store and by
    // comment) and marks the run cancelled. For `fbctl cancel` and the GUI.
    static bool cancelRun(CommandRunner *runner, RunStore *store, const QString &runId, QString *error);

    // The `--comment` every job of the run carries; component "service:redis".
    static QString jobComment(const QString &runId, const QString &trialId, const QString &component);
    // Merges job logs and campaign events into one time-ordered list of lines.
    static QStringList mergeLogs(const QString &trialDir);

signals:
    void event(const fb::session::CampaignEvent &event);
    void trialChanged(const QString &trialId, fb::session::TrialState state, const QString &step); // step: the phase's name
    void jobChanged(const fb::session::JobRecord &job); // submitted, re-attached or changed state
    // The trial's monitor (Prometheus) answers on host:port of its node, as
    // it published in <trial>/monitor.endpoint; once per trial.
    void monitorReady(const QString &trialId, const QString &host, quint16 port);

private:
    struct Impl;
    CommandRunner *m_runner;
    RemoteFiles *m_files;
    RunStore *m_store;
    std::atomic_bool m_cancel{false};
    std::atomic_bool m_detach{false};
    LinkWatch m_link;
    Impl *m_active = nullptr; // the running engine (reportLink)
    QString m_interruption; // why the run ends "interrupted"; set on the campaign's thread
};

} // namespace fb::session

Q_DECLARE_METATYPE(fb::session::CampaignResult)
Q_DECLARE_METATYPE(fb::session::JobRecord)
