// EngineContext: what the parts of one campaign run share — the cluster
// (commands, file transfers, Slurm), the run's journal and result collector,
// the options, the cancel/detach flags, the result being counted, the remote
// run folder and fbload — with the few operations every part needs (a
// cancellable remote command, an owner-only upload, cancelling jobs). Built
// by Campaign::run on its thread; lives as long as the run.
#pragma once

#include "session/Campaign.h"
#include "session/ResultCollector.h"
#include "session/RunJournal.h"
#include "slurm/SlurmClient.h"

#include <atomic>
#include <functional>
#include <optional>

namespace fb::session {

struct EngineContext
{
    CommandRunner *runner = nullptr;
    RemoteFiles *files = nullptr;
    slurm::SlurmClient *slurm = nullptr;
    RunJournal *journal = nullptr;
    ResultCollector *collector = nullptr;
    const CampaignOptions *options = nullptr;
    const std::atomic_bool *cancel = nullptr; // cancel or detach: every wait ends
    const std::atomic_bool *detach = nullptr; // … and the jobs stay
    CampaignResult *result = nullptr;
    QString remoteRunDir;                     // absolute, resolved on the login node
    QString fbloadPath;
    std::function<void(const QString &why)> interrupt; // stop the run "interrupted" (jobs stay)
    std::function<void(const QString &trialId, const QString &host, quint16 port)> monitorReady;

    bool cancelled() const { return cancel->load(); }
    bool detached() const { return detach->load(); }
    // A command on the login node; nullopt when cancelled. Transport errors
    // come back as a CommandResult with `error` set.
    std::optional<CommandResult> remote(const QString &command, int timeoutMs = 120000) const;
    // Uploads and makes the file owner-only; false (result->error set) on failure or cancel.
    bool upload(const QString &local, const QString &remotePath, const QString &trial, const QString &step) const;
    // scancels the jobs of `jobs` Slurm may still hold, marking them
    // cancel-requested first; false when the cancel did not reach the cluster.
    bool cancelJobs(QList<JobRecord> jobs, const QString &trialId) const;
};

// The job will not run again (or Slurm no longer knows it).
inline bool jobEnded(const JobRecord &j) { return j.state == JobState::Unknown || slurm::isTerminal(j.state); }
// Ended in a way that fails its trial: not when FactoryBench cancelled it.
inline bool jobEndedBadly(const JobRecord &j) { return jobEnded(j) && !(j.cancelRequested && j.state == JobState::Cancelled); }

} // namespace fb::session
