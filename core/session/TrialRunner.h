// TrialRunner: one trial of a campaign, as a resumable state machine —
// prepare (its monitor and client scripts written locally, checked, uploaded
// owner-only), wait until its service group (ServiceGroupRunner: the
// services, shared by the trials of a group or the trial's own) is ready,
// ask each service with between_trials to run it and wait for its exit code,
// submit monitor and clients (or re-attach jobs submitted before: from the
// run store, or by their --comment when a crash came between sbatch and the
// store write), wait for the clients, then collect (results, teardown, logs).
// The campaign advances every in-flight trial by one step() per poll round
// with the answer of one squeue for all of them; the steps are short (a few
// remote commands), so several trials run at once on one thread. A trial
// recorded in its Results, Teardown or Logs phase (TrialPhase.h) is only
// finished off on resume.
#pragma once

#include "recipe/BatchScriptGenerator.h"
#include "recipe/SweepExpander.h"
#include "session/EngineContext.h"
#include "session/JobSet.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSet>

#include <optional>

namespace fb::session {

enum class TrialOutcome { Completed, Failed, Cancelled };

class ServiceGroupRunner;

class TrialRunner
{
public:
    // Trials that run at the same time may share a node, so the fixed ports a
    // recipe gives its services and its Prometheus must differ between them:
    // services in slot s (their group's) and the monitor in slot m (the
    // trial's) use the recipe's port + slot × kSlotPortStride (and so do the
    // fbload clients' /metrics ports, 9500 + …). Slot 0 (every trial when they
    // run one at a time) keeps the recipe's ports. The clients and the
    // monitor read the service ports from the endpoint files, so they follow.
    static constexpr int kSlotPortStride = 100;

    TrialRunner(const EngineContext &ctx, const TrialRecord &record, const recipe::Trial &trial, int slot, ServiceGroupRunner *group);

    const TrialRecord &record() const { return m_t; }
    int slot() const { return m_slot; }
    ServiceGroupRunner *group() const { return m_group; }
    // The trial's own jobs the next poll must ask Slurm about (its group's are asked for by the group).
    QStringList jobIds() const;

    // Prepares the trial; an outcome when it ended here (or, on resume, was
    // finished off: then it does not need its group's services).
    std::optional<TrialOutcome> start();
    // One poll round, given the answer of the round's squeue (the group has
    // had its step). `changed` is set when a job changed state or the trial
    // moved on. An outcome once it ended before its clients did (once they
    // have ended, clientsEnded() and collect()).
    std::optional<TrialOutcome> step(const slurm::QueryResult &answer, bool *changed);
    // Cancelled or detached while in flight: takes its jobs down (not when detaching).
    TrialOutcome abort();
    // The trial's clients have ended (step() said so): its results, teardown
    // and logs are left to collect(), so that the scheduler can start the
    // next trial first (its jobs queue while this one's results come home).
    bool clientsEnded() const { return m_clientsEnded; }
    bool clientsFailed() const { return m_clientsEnded && !m_failure.isEmpty(); }
    TrialOutcome collect() { return finish(m_failure); }

    static void applySlot(recipe::Recipe *r, int serviceSlot, int monitorSlot);

private:
    QString runId() const { return m_ctx.journal->run().id; }
    bool requestBetween();
    std::optional<TrialOutcome> waitBetween(bool *changed);
    std::optional<TrialOutcome> submitClients();
    void announceMonitor();
    TrialOutcome finish(const QString &failure);
    TrialOutcome resumeAfterClients();
    TrialOutcome fail(TrialPhase phase, const QString &e);
    TrialOutcome localWriteFailed(const QString &e);
    TrialOutcome abortWith(QList<JobRecord> jobs, TrialPhase phase);

    const EngineContext &m_ctx;
    TrialRecord m_t;
    recipe::Trial m_trial;
    int m_slot = 0;
    ServiceGroupRunner *m_group = nullptr;
    QString m_trialDir;       // remote
    QString m_localTrialDir;
    JobSet m_jobs;
    enum class Wait { Group, Between, Clients } m_wait = Wait::Group;
    QList<recipe::BatchScript> m_scripts;    // monitor and clients, submitted once the services are ready
    QStringList m_between;                   // services whose between_trials has not reported yet
    QList<JobRecord> m_watched;              // clients first (m_nClients of them), then monitors
    int m_nClients = 0;
    QElapsedTimer m_waited;
    bool m_monitorAnnounced = false;
    bool m_clientsEnded = false;
    QString m_failure;                       // why the clients failed, once they ended
};

} // namespace fb::session
