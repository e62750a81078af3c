#include "EngineContext.h"

#include "Await.h"

#include "recipe/ShellQuote.h"

namespace fb::session {

std::optional<CommandResult> EngineContext::remote(const QString &command, int timeoutMs) const
{
    return await(runner->run(command, timeoutMs), cancel);
}

bool EngineContext::upload(const QString &local, const QString &remotePath, const QString &trial, const QString &step) const
{
    auto r = await(files->uploadFile(local, remotePath), cancel);
    if (!r)
        return false;
    if (!r->isEmpty()) {
        journal->error(trial, step, *r);
        result->error = *r;
        return false;
    }
    // Owner-only, like the run folder: the scripts carry the recipe's
    // secrets (a Redis password), and nothing of a run is for others.
    auto c = remote(QStringLiteral("chmod 600 %1").arg(recipe::shellQuote(remotePath)));
    if (c && !c->ok())
        journal->warn(trial, step, QStringLiteral("cannot make %1 owner-only: %2").arg(remotePath, c->describe()));
    return true;
}

bool EngineContext::cancelJobs(QList<JobRecord> jobs, const QString &trialId) const
{
    QStringList ids;
    for (JobRecord &j : jobs)
        if (!jobEnded(j)) {
            ids << j.jobId;
            // Recorded before scancel: after a crash, resume still knows
            // that a CANCELLED job was ours to cancel, not a failure.
            j.cancelRequested = true;
            journal->save(j);
        }
    if (ids.isEmpty())
        return true;
    journal->info(trialId, QStringLiteral("teardown"), QStringLiteral("cancelling job(s) %1").arg(ids.join(QStringLiteral(", "))));
    // Not cancellable itself: a cancel must reach the cluster.
    auto r = await(slurm->cancel(ids));
    return r && r->ok();
}

} // namespace fb::session
