// TrialRunner: one trial of a campaign, as a resumable state machine —
// prepare (scripts written locally, checked, uploaded owner-only), submit the
// services (or re-attach jobs submitted before: from the run store, or by
// their --comment when a crash came between sbatch and the store write),
// wait for their endpoint files (health), submit monitor and clients, wait for
// the clients, then collect (results, teardown, logs). The campaign advances
// every in-flight trial by one step() per poll round with the answer of one
// squeue for all of them; the steps are short (a few remote commands), so
// several trials run at once on one thread. A trial recorded in its Results,
// Teardown or Logs phase (TrialPhase.h) is only finished off on resume.
#pragma once

#include "recipe/BatchScriptGenerator.h"
#include "recipe/SweepExpander.h"
#include "session/EngineContext.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSet>

#include <optional>

namespace fb::session {

enum class TrialOutcome { Completed, Failed, Cancelled };

class TrialRunner
{
public:
    // Trials that run at the same time may share a node, so the fixed ports a
    // recipe gives its services and its Prometheus must differ between them:
    // the trial in slot s uses the recipe's port + s × kSlotPortStride (and
    // so do the fbload clients' /metrics ports, 9500 + …). Slot 0 (every
    // trial when they run one at a time) keeps the recipe's ports. The clients
    // and the monitor read the service ports from the endpoint files, so they
    // follow. (A job that picks a free port itself would be better; that
    // needs the batch script generator, core/recipe.)
    static constexpr int kSlotPortStride = 100;

    TrialRunner(const EngineContext &ctx, const TrialRecord &record, const recipe::Trial &trial, int slot);

    const TrialRecord &record() const { return m_t; }
    int slot() const { return m_slot; }
    // The jobs the next poll must ask Slurm about.
    QStringList jobIds() const;

    // Prepares and submits (or re-attaches) the services; an outcome when the
    // trial ended here (or, on resume, was finished off).
    std::optional<TrialOutcome> start();
    // One poll round, given the answer of the round's squeue. `changed` is set
    // when a job changed state or the trial moved on. An outcome once it ended.
    std::optional<TrialOutcome> step(const slurm::QueryResult &answer, bool *changed);
    // Cancelled or detached while in flight: takes its jobs down (not when detaching).
    TrialOutcome abort();

    static void applySlot(recipe::Recipe *r, int slot);

private:
    QString runId() const { return m_ctx.journal->run().id; }
    QHash<QString, QString> jobsByComment();
    std::optional<JobRecord> submit(const recipe::BatchScript &script);
    bool poll(QList<JobRecord> &jobs);
    bool apply(QList<JobRecord> &jobs, const slurm::QueryResult &r);
    bool waitTerminal(QList<JobRecord> &jobs, int timeoutMs);
    QString logTail(const JobRecord &j);
    QString jobFailure(const JobRecord &j);
    QHash<QString, QString> readyEndpoints();
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
    QString m_trialDir;       // remote
    QString m_localTrialDir;
    enum class Wait { Health, Clients } m_wait = Wait::Health;
    QHash<QString, QString> m_adoptable;     // component → job id, found by comment
    QList<JobRecord> m_services;
    QList<recipe::BatchScript> m_later;      // monitor and clients, submitted once the services are healthy
    QList<JobRecord> m_watched;              // clients first (m_nClients of them), then services and monitors
    int m_nClients = 0;
    QElapsedTimer m_waited;
    QSet<QString> m_announced;
    bool m_monitorAnnounced = false;
};

} // namespace fb::session
