// JobSet: the Slurm jobs of one owner of a campaign — a trial (its monitor
// and clients) or a service group (its services) — whose scripts live in one
// remote folder. Submits a script unless the run store or Slurm already has
// its job (resume: from the store, or by the job's --comment when a crash
// came between sbatch and the store write), applies a poll's squeue answer,
// says why a job failed (with its log's tail), lists the ready endpoint
// files of the folder and waits for jobs to end. TrialRunner and
// ServiceGroupRunner share it.
#pragma once

#include "recipe/BatchScriptGenerator.h"
#include "session/EngineContext.h"

#include <QHash>

#include <optional>

namespace fb::session {

class JobSet
{
public:
    // What a stored job of the same component means on submit.
    enum class Stored {
        Keep,        // the job, whatever its state (a trial's clients run once)
        ReplaceEnded // a new job when the stored one has ended (a service group restarted on resume)
    };

    JobSet(const EngineContext &ctx, const QString &ownerId, const QString &remoteDir, Stored stored);

    const QString &ownerId() const { return m_owner; }
    const QString &remoteDir() const { return m_dir; }

    // "service:redis", "client:kv", "monitor".
    static QString componentOf(const recipe::BatchScript &s);
    // Reads the jobs Slurm knows by this owner's comment (once, before submitting).
    void findAdoptable();
    // Submits `script` (from the folder, owner-only files) unless the store or
    // Slurm has its job; nullopt when cancelled or sbatch failed (result->error set).
    std::optional<JobRecord> submit(const recipe::BatchScript &script);
    // Updates `jobs` from one squeue answer, stores and reports those that
    // changed; true if any did.
    bool apply(QList<JobRecord> &jobs, const slurm::QueryResult &answer) const;
    // Waits (polling) until every job has ended or `timeoutMs` passed; false on cancel.
    bool waitTerminal(QList<JobRecord> &jobs, int timeoutMs) const;
    // "service:redis (job 12) ended FAILED with exit code 3 (…); last lines of its log: …"
    QString failure(const JobRecord &j) const;
    // Endpoint files of ready services in the folder: file name → "<host> <port>".
    QHash<QString, QString> readyEndpoints() const;
    // The endpoint file a service job publishes: "service-<safe name>.endpoint".
    static QString endpointFile(const JobRecord &service);

private:
    QString logTail(const JobRecord &j) const;

    const EngineContext &m_ctx;
    QString m_owner;
    QString m_dir;
    Stored m_stored;
    QHash<QString, QString> m_adoptable; // component → job id, found by comment
};

} // namespace fb::session
