#include "JobSet.h"

#include "Await.h"

#include "recipe/ShellQuote.h"

#include <QElapsedTimer>

#include <algorithm>

namespace fb::session {

JobSet::JobSet(const EngineContext &ctx, const QString &ownerId, const QString &remoteDir, Stored stored)
    : m_ctx(ctx)
    , m_owner(ownerId)
    , m_dir(remoteDir)
    , m_stored(stored)
{
}

QString JobSet::componentOf(const recipe::BatchScript &s)
{
    return s.role == QLatin1String("monitor") ? QStringLiteral("monitor") : s.role + QLatin1Char(':') + s.name;
}

QString JobSet::endpointFile(const JobRecord &service)
{
    return QStringLiteral("service-%1.endpoint").arg(recipe::BatchScriptGenerator::safeName(service.component.section(QLatin1Char(':'), 1)));
}

void JobSet::findAdoptable()
{
    m_adoptable.clear();
    auto r = m_ctx.remote(QStringLiteral("squeue --me --noheader --states=all --format='%i|%k|%T'"));
    if (!r || !r->ok())
        return;
    const QString prefix = Campaign::jobComment(m_ctx.journal->run().id, m_owner, {});
    for (const QString &line : QString::fromUtf8(r->stdOut).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QStringList f = line.split(QLatin1Char('|'));
        if (f.size() < 2 || !f[1].trimmed().startsWith(prefix))
            continue;
        // A service group restarted on resume adopts only a job that is still alive.
        const JobState state = slurm::parseJobState(f.value(2).trimmed());
        if (m_stored == Stored::ReplaceEnded && !f.value(2).trimmed().isEmpty() && slurm::isTerminal(state))
            continue;
        m_adoptable.insert(f[1].trimmed().mid(prefix.size()), f[0].trimmed());
    }
}

std::optional<JobRecord> JobSet::submit(const recipe::BatchScript &script)
{
    const QString component = componentOf(script);
    const QString runId = m_ctx.journal->run().id;
    for (const JobRecord &j : m_ctx.journal->store()->jobs(runId, m_owner))
        if (j.component == component && (m_stored == Stored::Keep || !jobEnded(j)))
            return j; // submitted before (resume)
    if (m_adoptable.contains(component)) {
        JobRecord j{runId, m_owner, m_adoptable.take(component), component, JobState::Pending, {}, -1, {},
                    QDateTime::currentDateTimeUtc(), QDateTime::currentDateTimeUtc()};
        m_ctx.journal->info(m_owner, QStringLiteral("submit"), QStringLiteral("re-attached %1 to job %2").arg(component, j.jobId));
        m_ctx.journal->save(j);
        return j;
    }
    slurm::SubmitOptions so;
    so.workDir = m_dir;
    so.ownerOnlyFiles = true; // the jobs write config files with the recipe's secrets
    so.extraArgs << QStringLiteral("--comment=") + Campaign::jobComment(runId, m_owner, component);
    auto r = await(m_ctx.slurm->submit(m_dir + QLatin1Char('/') + script.fileName, so), m_ctx.cancel);
    if (!r)
        return std::nullopt;
    if (r->jobId.isEmpty()) {
        const QString e = QStringLiteral("sbatch %1 failed: %2").arg(script.fileName, r->error);
        m_ctx.journal->error(m_owner, QStringLiteral("submit"), e);
        m_ctx.result->error = e;
        return std::nullopt;
    }
    ++m_ctx.result->jobsSubmitted;
    JobRecord j{runId, m_owner, r->jobId, component, JobState::Pending, {}, -1, {},
                QDateTime::currentDateTimeUtc(), QDateTime::currentDateTimeUtc()};
    m_ctx.journal->save(j);
    m_ctx.journal->info(m_owner, QStringLiteral("submit"), QStringLiteral("%1 submitted as job %2").arg(component, j.jobId));
    return j;
}

bool JobSet::apply(QList<JobRecord> &jobs, const slurm::QueryResult &r) const
{
    if (!r.error.isEmpty())
        return false;
    bool changed = false;
    for (JobRecord &j : jobs) {
        auto it = std::find_if(r.jobs.begin(), r.jobs.end(), [&](const slurm::JobInfo &i) { return i.id == j.jobId; });
        JobState state = j.state;
        if (it != r.jobs.end()) {
            state = it->state;
            j.reason = it->reason;
            j.exitCode = it->exitCode;
            if (!it->nodes.isEmpty())
                j.nodes = it->nodes.join(QLatin1Char(','));
        } else if (r.missing.contains(j.jobId)) {
            state = JobState::Unknown;
        }
        if (state != j.state) {
            changed = true;
            j.state = state;
            j.updatedAt = QDateTime::currentDateTimeUtc();
            m_ctx.journal->save(j);
            m_ctx.journal->info(m_owner, QStringLiteral("jobs"), QStringLiteral("%1 (job %2) %3%4").arg(j.component, j.jobId, stateName(state),
                                                                                                  j.nodes.isEmpty() ? QString() : QStringLiteral(" on ") + j.nodes));
        }
    }
    return changed;
}

bool JobSet::waitTerminal(QList<JobRecord> &jobs, int timeoutMs) const
{
    QElapsedTimer clock;
    clock.start();
    int interval = m_ctx.options->pollFastMs;
    while (true) {
        QStringList ids;
        for (const JobRecord &j : jobs)
            ids << j.jobId;
        auto r = await(m_ctx.slurm->query(ids), m_ctx.cancel);
        if (!r)
            return false;
        if (!r->error.isEmpty())
            m_ctx.journal->warn(m_owner, QStringLiteral("poll"), r->error); // the connection may come back
        else
            apply(jobs, *r);
        if (std::all_of(jobs.begin(), jobs.end(), jobEnded))
            return true;
        if (timeoutMs >= 0 && clock.elapsed() > timeoutMs)
            return true;
        if (!pause(interval, m_ctx.cancel))
            return false;
        interval = std::min(m_ctx.options->pollSlowMs, interval * 3 / 2);
    }
}

QString JobSet::logTail(const JobRecord &j) const
{
    // The generator's --output pattern: logs/<role>-<name>-<jobid>.out.
    const QString role = j.component.section(QLatin1Char(':'), 0, 0);
    const QString name = j.component == QLatin1String("monitor") ? QStringLiteral("prometheus") : j.component.section(QLatin1Char(':'), 1);
    const QString path = QStringLiteral("%1/logs/%2-%3-%4.out").arg(m_dir, role, recipe::BatchScriptGenerator::safeName(name), j.jobId);
    auto r = m_ctx.remote(QStringLiteral("tail -n 20 %1 2>/dev/null").arg(recipe::shellQuote(path)));
    return r && r->ok() ? QString::fromUtf8(r->stdOut).trimmed() : QString();
}

QString JobSet::failure(const JobRecord &j) const
{
    QString e = QStringLiteral("%1 (job %2) ended %3").arg(j.component, j.jobId, stateName(j.state));
    if (j.exitCode > 0)
        e += QStringLiteral(" with exit code %1").arg(j.exitCode);
    if (!j.nodes.isEmpty())
        e += QStringLiteral(" on ") + j.nodes;
    const QString tail = logTail(j);
    if (!tail.isEmpty())
        e += QStringLiteral(":\n") + tail;
    return e;
}

// The batch-script contract: a service job writes <folder>/service-<name>.endpoint,
// "<host> <port>", atomically once its health check passes.
QHash<QString, QString> JobSet::readyEndpoints() const
{
    QHash<QString, QString> ready;
    auto r = m_ctx.remote(QStringLiteral("cd %1 2>/dev/null && for f in service-*.endpoint; do [ -f \"$f\" ] && printf '%s %s\\n' \"$f\" \"$(head -c 200 \"$f\")\"; done; true")
                              .arg(recipe::shellQuote(m_dir)));
    if (!r || !r->ok())
        return ready;
    for (const QString &line : QString::fromUtf8(r->stdOut).split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        ready.insert(line.section(QLatin1Char(' '), 0, 0), line.section(QLatin1Char(' '), 1).simplified());
    return ready;
}

} // namespace fb::session
