#include "TrialRunner.h"

#include "Await.h"
#include "LocalFiles.h"

#include "recipe/ShellQuote.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace fb::session {

using slurm::JobInfo;

namespace {
QString componentOf(const recipe::BatchScript &s)
{
    return s.role == QLatin1String("monitor") ? QStringLiteral("monitor") : s.role + QLatin1Char(':') + s.name;
}
} // namespace

TrialRunner::TrialRunner(const EngineContext &ctx, const TrialRecord &record, const recipe::Trial &trial, int slot)
    : m_ctx(ctx)
    , m_t(record)
    , m_trial(trial)
    , m_slot(slot)
{
}

QStringList TrialRunner::jobIds() const
{
    QStringList ids;
    for (const JobRecord &j : m_wait == Wait::Health ? m_services : m_watched)
        ids << j.jobId;
    return ids;
}

TrialOutcome TrialRunner::abort()
{
    return abortWith(m_wait == Wait::Health ? m_services : m_watched, m_t.phase);
}

void TrialRunner::applySlot(recipe::Recipe *r, int slot)
{
    if (slot <= 0)
        return;
    for (recipe::Service &s : r->services)
        for (recipe::Port &p : s.ports)
            p.number += slot * kSlotPortStride;
    if (r->monitor.prometheus.port > 0)
        r->monitor.prometheus.port += slot * kSlotPortStride;
}

// Jobs of this run that Slurm knows by comment: component → job id.
QHash<QString, QString> TrialRunner::jobsByComment()
{
    QHash<QString, QString> found;
    auto r = m_ctx.remote(QStringLiteral("squeue --me --noheader --states=all --format='%i|%k'"));
    if (!r || !r->ok())
        return found;
    const QString prefix = Campaign::jobComment(runId(), m_t.trialId, {});
    for (const QString &line : QString::fromUtf8(r->stdOut).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QString id = line.section(QLatin1Char('|'), 0, 0).trimmed();
        const QString comment = line.section(QLatin1Char('|'), 1).trimmed();
        if (comment.startsWith(prefix))
            found.insert(comment.mid(prefix.size()), id);
    }
    return found;
}

// Submits `script` unless the store or Slurm already has its job.
std::optional<JobRecord> TrialRunner::submit(const recipe::BatchScript &script)
{
    const QString component = componentOf(script);
    for (const JobRecord &j : m_ctx.journal->store()->jobs(runId(), m_t.trialId))
        if (j.component == component)
            return j; // submitted before (resume)
    if (m_adoptable.contains(component)) {
        JobRecord j{runId(), m_t.trialId, m_adoptable.value(component), component, JobState::Pending, {}, -1, {},
                    QDateTime::currentDateTimeUtc(), QDateTime::currentDateTimeUtc()};
        m_ctx.journal->info(m_t.trialId, QStringLiteral("submit"), QStringLiteral("re-attached %1 to job %2").arg(component, j.jobId));
        m_ctx.journal->save(j);
        return j;
    }
    slurm::SubmitOptions so;
    so.workDir = m_trialDir;
    so.ownerOnlyFiles = true; // the jobs write config files with the recipe's secrets
    so.extraArgs << QStringLiteral("--comment=") + Campaign::jobComment(runId(), m_t.trialId, component);
    auto r = await(m_ctx.slurm->submit(m_trialDir + QLatin1Char('/') + script.fileName, so), m_ctx.cancel);
    if (!r)
        return std::nullopt;
    if (r->jobId.isEmpty()) {
        const QString e = QStringLiteral("sbatch %1 failed: %2").arg(script.fileName, r->error);
        m_ctx.journal->error(m_t.trialId, QStringLiteral("submit"), e);
        m_ctx.result->error = e;
        return std::nullopt;
    }
    ++m_ctx.result->jobsSubmitted;
    JobRecord j{runId(), m_t.trialId, r->jobId, component, JobState::Pending, {}, -1, {},
                QDateTime::currentDateTimeUtc(), QDateTime::currentDateTimeUtc()};
    m_ctx.journal->save(j);
    m_ctx.journal->info(m_t.trialId, QStringLiteral("submit"), QStringLiteral("%1 submitted as job %2").arg(component, j.jobId));
    return j;
}

// One squeue (+ end-state) query for `jobs`; updates and stores them.
bool TrialRunner::poll(QList<JobRecord> &jobs)
{
    QStringList ids;
    for (const JobRecord &j : jobs)
        ids << j.jobId;
    auto r = await(m_ctx.slurm->query(ids), m_ctx.cancel);
    if (!r)
        return false;
    if (!r->error.isEmpty()) {
        m_ctx.journal->warn(m_t.trialId, QStringLiteral("poll"), r->error); // the connection may come back
        return true;
    }
    apply(jobs, *r);
    return true;
}

// Updates `jobs` from one query answer and stores the ones that changed;
// true if any did.
bool TrialRunner::apply(QList<JobRecord> &jobs, const slurm::QueryResult &r)
{
    if (!r.error.isEmpty())
        return false;
    bool changed = false;
    for (JobRecord &j : jobs) {
        auto it = std::find_if(r.jobs.begin(), r.jobs.end(), [&](const JobInfo &i) { return i.id == j.jobId; });
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
            m_ctx.journal->info(m_t.trialId, QStringLiteral("jobs"), QStringLiteral("%1 (job %2) %3%4").arg(j.component, j.jobId, stateName(state),
                                                                                               j.nodes.isEmpty() ? QString() : QStringLiteral(" on ") + j.nodes));
        }
    }
    return changed;
}

QString TrialRunner::logTail(const JobRecord &j)
{
    // The generator's --output pattern: logs/<role>-<name>-<jobid>.out.
    const QString role = j.component.section(QLatin1Char(':'), 0, 0);
    const QString name = j.component == QLatin1String("monitor") ? QStringLiteral("prometheus") : j.component.section(QLatin1Char(':'), 1);
    const QString path = QStringLiteral("%1/logs/%2-%3-%4.out").arg(m_trialDir, role, recipe::BatchScriptGenerator::safeName(name), j.jobId);
    auto r = m_ctx.remote(QStringLiteral("tail -n 20 %1 2>/dev/null").arg(recipe::shellQuote(path)));
    return r && r->ok() ? QString::fromUtf8(r->stdOut).trimmed() : QString();
}

QString TrialRunner::jobFailure(const JobRecord &j)
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

// Endpoint files of ready services (the batch-script contract: a service
// job writes <trial>/service-<name>.endpoint, "<host> <port>", atomically
// once its health check passes): file name → content.
QHash<QString, QString> TrialRunner::readyEndpoints()
{
    QHash<QString, QString> ready;
    auto r = m_ctx.remote(QStringLiteral("cd %1 2>/dev/null && for f in service-*.endpoint; do [ -f \"$f\" ] && printf '%s %s\\n' \"$f\" \"$(head -c 200 \"$f\")\"; done; true")
                        .arg(recipe::shellQuote(m_trialDir)));
    if (!r || !r->ok())
        return ready;
    for (const QString &line : QString::fromUtf8(r->stdOut).split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        ready.insert(line.section(QLatin1Char(' '), 0, 0), line.section(QLatin1Char(' '), 1).simplified());
    return ready;
}

// Waits until every job in `jobs` is jobEnded; false on cancel.
bool TrialRunner::waitTerminal(QList<JobRecord> &jobs, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    int interval = m_ctx.options->pollFastMs;
    while (true) {
        if (!poll(jobs))
            return false;
        if (std::all_of(jobs.begin(), jobs.end(), jobEnded))
            return true;
        if (timeoutMs >= 0 && clock.elapsed() > timeoutMs)
            return true;
        if (!pause(interval, m_ctx.cancel))
            return false;
        interval = std::min(m_ctx.options->pollSlowMs, interval * 3 / 2);
    }
}

// Writes the trial folder and scripts and submits (or re-attaches) the
// service jobs. An outcome if the trial ended here.
std::optional<TrialOutcome> TrialRunner::start()
{
    m_trialDir = m_ctx.remoteRunDir + QLatin1Char('/') + m_t.trialId;
    m_localTrialDir = m_ctx.journal->localTrialDir(m_t.trialId);
    // Resume: a trial whose clients had ended is only finished off.
    if (m_t.state == TrialState::Running && clientsEnded(m_t.phase))
        return resumeAfterClients();
    m_t.error.clear(); // e.g. a full disk that stopped an earlier attempt
    m_ctx.journal->setTrial(m_t, TrialState::Running, TrialPhase::Prepare);

    recipe::ScriptContext ctx;
    ctx.runId = runId();
    ctx.trialId = m_t.trialId;
    ctx.runDir = m_ctx.remoteRunDir;
    ctx.trialDir = m_trialDir;
    ctx.fbloadPath = m_ctx.fbloadPath;
    ctx.metricsPortBase += m_slot * kSlotPortStride; // fbload's /metrics, like the service ports
    recipe::Recipe slotted = m_trial.recipe;
    applySlot(&slotted, m_slot);
    QList<recipe::BatchScript> scripts;
    QStringList genErrors;
    if (!recipe::BatchScriptGenerator().generate(slotted, ctx, &scripts, &genErrors)) {
        const QString e = QStringLiteral("cannot generate the batch scripts: ") + genErrors.join(QStringLiteral("; "));
        m_ctx.journal->error(m_t.trialId, QStringLiteral("prepare"), e);
        m_ctx.journal->setTrial(m_t, TrialState::Failed, TrialPhase::Prepare, e);
        return TrialOutcome::Failed;
    }
    // Every local file first, each write checked: a full disk stops the
    // trial here, before anything is uploaded or submitted. The local
    // script copies are redacted; the real text goes up from an
    // owner-only temporary copy that is removed after the upload.
    QJsonObject params;
    for (const recipe::KeyValue &kv : m_trial.parameters)
        params.insert(kv.key, kv.value);
    QString err;
    if (!writeLocalFile(m_localTrialDir + QStringLiteral("/parameters.json"), m_ctx.journal->secrets().redact(QJsonDocument(params).toJson()), &err))
        return localWriteFailed(err);
    // The slot is remembered (the run's resume state): a resumed trial keeps the ports its running jobs use.
    if (!m_ctx.journal->rememberSlot(m_t.trialId, m_slot))
        return localWriteFailed(QStringLiteral("cannot record the port slot of trial %1 in %2").arg(m_t.trialId, m_ctx.journal->store()->path()));
    const auto ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    QList<std::pair<QString, QString>> uploads; // local file to upload → remote path
    for (const recipe::BatchScript &s : scripts) {
        const QString local = m_localTrialDir + QStringLiteral("/scripts/") + s.fileName;
        const QByteArray text = s.text.toUtf8();
        if (!writeLocalFile(local, m_ctx.journal->secrets().redact(text), &err, ownerOnly))
            return localWriteFailed(err);
        QString source = local;
        if (!m_ctx.journal->secrets().isEmpty()) {
            source = local + QStringLiteral(".upload");
            if (!writeLocalFile(source, text, &err, ownerOnly))
                return localWriteFailed(err);
        }
        uploads.append({source, m_trialDir + QLatin1Char('/') + s.fileName});
    }
    auto dropTemporaries = [&] {
        for (const auto &u : uploads)
            if (u.first.endsWith(QLatin1String(".upload")))
                QFile::remove(u.first);
    };
    auto mk = m_ctx.remote(QStringLiteral("umask 077 && mkdir -p %1/logs").arg(recipe::shellQuote(m_trialDir)));
    if (!mk) {
        dropTemporaries();
        return abortWith({}, TrialPhase::Prepare);
    }
    if (!mk->ok()) {
        dropTemporaries();
        m_ctx.journal->setTrial(m_t, TrialState::Failed, TrialPhase::Prepare, mk->describe());
        return TrialOutcome::Failed;
    }
    for (const auto &u : uploads) {
        if (!m_ctx.upload(u.first, u.second, m_t.trialId, QStringLiteral("prepare"))) {
            dropTemporaries();
            return m_ctx.cancelled() ? abortWith({}, TrialPhase::Prepare) : fail(TrialPhase::Prepare, m_ctx.result->error);
        }
    }
    dropTemporaries();

    // Services first; jobs already submitted by an earlier invocation are re-attached.
    m_ctx.journal->setTrial(m_t, TrialState::Running, TrialPhase::Services);
    m_adoptable = jobsByComment();
    for (const recipe::BatchScript &s : scripts) {
        if (s.role != QLatin1String("service")) {
            m_later << s;
            continue;
        }
        auto j = submit(s);
        if (!j)
            return abortWith(m_services, TrialPhase::Services);
        m_services << *j;
    }
    // Health gate: every service publishes its endpoint file once healthy.
    m_ctx.journal->setTrial(m_t, TrialState::Running, TrialPhase::Health);
    m_waited.start();
    m_wait = Wait::Health;
    return std::nullopt;
}

// One poll round for a trial, given the answer of the round's squeue.
// `changed` is set when a job changed state or the trial moved on (the
// run loop then polls fast again). An outcome once the trial has ended.
std::optional<TrialOutcome> TrialRunner::step(const slurm::QueryResult &answer, bool *changed)
{
    if (m_wait == Wait::Health) {
        *changed |= apply(m_services, answer);
        const QHash<QString, QString> ready = m_services.isEmpty() ? QHash<QString, QString>() : readyEndpoints();
        if (m_ctx.cancelled())
            return abortWith(m_services, TrialPhase::Health);
        int nReady = 0;
        for (const JobRecord &j : m_services) {
            const QString file = QStringLiteral("service-%1.endpoint").arg(recipe::BatchScriptGenerator::safeName(j.component.section(QLatin1Char(':'), 1)));
            if (ready.contains(file)) {
                ++nReady;
                if (!m_announced.contains(file)) {
                    m_announced.insert(file);
                    *changed = true;
                    m_ctx.journal->info(m_t.trialId, QStringLiteral("health"), QStringLiteral("%1 is ready: %2").arg(j.component, ready.value(file)));
                }
            } else if (jobEndedBadly(j)) {
                const QString e = jobFailure(j);
                m_ctx.journal->error(m_t.trialId, QStringLiteral("health"), e);
                m_ctx.cancelJobs(m_services, m_t.trialId);
                return fail(TrialPhase::Health, e);
            }
        }
        if (nReady < m_services.size()) {
            if (m_waited.elapsed() > m_ctx.options->serviceReadyTimeoutMs) {
                const QString e = QStringLiteral("services not ready within %1 s").arg(m_ctx.options->serviceReadyTimeoutMs / 1000);
                m_ctx.cancelJobs(m_services, m_t.trialId);
                return fail(TrialPhase::Health, e);
            }
            return std::nullopt;
        }

        // Monitor and clients.
        m_ctx.journal->setTrial(m_t, TrialState::Running, TrialPhase::Clients);
        QList<JobRecord> clients, monitors;
        for (const recipe::BatchScript &s : m_later) {
            auto j = submit(s);
            if (!j)
                return abortWith(m_services + monitors + clients, TrialPhase::Clients);
            (s.role == QLatin1String("monitor") ? monitors : clients) << *j;
        }
        m_watched = clients + m_services + monitors;
        m_nClients = int(clients.size());
        m_wait = Wait::Clients;
        *changed = true;
        return std::nullopt;
    }

    // Wait for the clients; a service that dies meanwhile fails the trial.
    *changed |= apply(m_watched, answer);
    if (!m_monitorAnnounced)
        announceMonitor();
    const auto clientsDone = std::all_of(m_watched.begin(), m_watched.begin() + m_nClients, jobEnded);
    QString failure;
    for (int i = 0; i < m_watched.size() && failure.isEmpty(); ++i) {
        const JobRecord &j = m_watched[i];
        const bool isClient = i < m_nClients;
        if (isClient ? jobEnded(j) && j.state != JobState::Completed : jobEndedBadly(j) && !clientsDone)
            failure = jobFailure(j);
    }
    if (m_ctx.cancelled())
        return abortWith(m_watched, TrialPhase::Clients);
    if (!clientsDone && failure.isEmpty())
        return std::nullopt;
    return finish(failure);
}

// The monitor publishes "<host> <port>" once Prometheus is ready; the GUI
// then opens its live dashboard through a tunnel (monitorReady).
void TrialRunner::announceMonitor()
{
    const bool running = std::any_of(m_watched.begin(), m_watched.end(), [](const JobRecord &j) {
        return j.component == QLatin1String("monitor") && j.state == JobState::Running;
    });
    if (!running)
        return;
    auto m = m_ctx.remote(QStringLiteral("head -c 200 %1/monitor.endpoint 2>/dev/null; true").arg(recipe::shellQuote(m_trialDir)), 30000);
    const QStringList parts = m && m->ok() ? QString::fromUtf8(m->stdOut).simplified().split(QLatin1Char(' ')) : QStringList();
    bool ok = false;
    const int port = parts.size() == 2 ? parts[1].toInt(&ok) : 0;
    if (!ok || port <= 0 || port > 65535 || parts[0].isEmpty())
        return;
    m_monitorAnnounced = true;
    m_ctx.journal->info(m_t.trialId, QStringLiteral("monitor"), QStringLiteral("Prometheus is ready on %1:%2").arg(parts[0]).arg(port));
    m_ctx.monitorReady(m_t.trialId, parts[0], quint16(port));
}

// Results, teardown and logs of a trial whose clients have ended.
TrialOutcome TrialRunner::finish(const QString &failure)
{
    // Results (also after a failure: partial results are still results).
    // The clients' failure is recorded with the phase: a resume from here
    // on (resumeAfterClients) does not see the clients end again.
    m_ctx.journal->setTrial(m_t, TrialState::Running, TrialPhase::Results, failure);
    QString diskError;
    const int downloaded = m_ctx.collector->downloadResults(m_t, m_trialDir, m_localTrialDir, &diskError);
    if (downloaded < 0 && diskError.isEmpty())
        return abortWith(m_watched, TrialPhase::Results);
    if (!diskError.isEmpty()) {
        // The results stay on the cluster; the jobs are done with. The
        // trial stays in its results phase: resume downloads them.
        m_ctx.cancelJobs(m_watched, m_t.trialId);
        m_ctx.interrupt(diskError);
        return TrialOutcome::Cancelled;
    }

    // Teardown, then the logs (complete once the jobs have ended).
    m_ctx.journal->setTrial(m_t, TrialState::Running, TrialPhase::Teardown);
    if (!m_ctx.options->keepServices || !failure.isEmpty()) {
        m_ctx.cancelJobs(m_watched, m_t.trialId);
        waitTerminal(m_watched, 60000);
    }
    m_ctx.journal->setTrial(m_t, TrialState::Running, TrialPhase::Logs);
    m_ctx.collector->collectLogs(m_t, m_trialDir, m_localTrialDir);

    if (!failure.isEmpty()) {
        m_ctx.journal->error(m_t.trialId, QStringLiteral("clients"), failure);
        return fail(TrialPhase::Done, failure);
    }
    if (m_ctx.journal->store()->resultFiles(runId(), m_t.trialId).isEmpty() && m_nClients > 0) {
        const QString e = QStringLiteral("the client jobs completed but wrote no result file (%1/result-*.json)").arg(m_trialDir);
        m_ctx.journal->error(m_t.trialId, QStringLiteral("results"), e);
        return fail(TrialPhase::Done, e);
    }
    m_ctx.journal->setTrial(m_t, TrialState::Completed, TrialPhase::Done);
    m_ctx.journal->info(m_t.trialId, QStringLiteral("done"), QStringLiteral("trial completed"));
    return TrialOutcome::Completed;
}

TrialOutcome TrialRunner::fail(TrialPhase phase, const QString &e)
{
    if (m_ctx.result->error.isEmpty())
        m_ctx.result->error = QStringLiteral("trial %1: %2").arg(m_t.trialId, e);
    m_ctx.journal->setTrial(m_t, TrialState::Failed, phase, e);
    return TrialOutcome::Failed;
}

// A local write failed: the trial goes back to pending (nothing of it was
// submitted) and the run stops; resume writes it again.
TrialOutcome TrialRunner::localWriteFailed(const QString &e)
{
    m_ctx.journal->error(m_t.trialId, QStringLiteral("prepare"), e);
    m_ctx.journal->setTrial(m_t, TrialState::Pending, TrialPhase::Pending, e);
    m_ctx.interrupt(e);
    return TrialOutcome::Cancelled;
}

// Resume of a trial recorded in Results, Teardown or Logs: its clients
// had ended, so its jobs are not watched again (services that we
// cancelled then ended CANCELLED: not a failure). Downloads what is still
// missing, tears down, collects the logs.
TrialOutcome TrialRunner::resumeAfterClients()
{
    QList<JobRecord> clients, others;
    for (const JobRecord &j : m_ctx.journal->store()->jobs(runId(), m_t.trialId))
        (j.component.startsWith(QLatin1String("client:")) ? clients : others) << j;
    m_watched = clients + others;
    m_nClients = int(clients.size());
    m_wait = Wait::Clients;
    m_ctx.journal->info(m_t.trialId, QStringLiteral("resume"), QStringLiteral("its clients had ended (recorded phase: %1): finishing it").arg(phaseName(m_t.phase)));
    return finish(m_t.error);
}

// Cancelled (or a submission failed): take the trial's jobs down.
TrialOutcome TrialRunner::abortWith(QList<JobRecord> jobs, TrialPhase phase)
{
    if (m_ctx.detached())
        return TrialOutcome::Cancelled; // jobs and trial stay as they are, for resume
    for (const JobRecord &j : m_ctx.journal->store()->jobs(runId(), m_t.trialId))
        if (std::none_of(jobs.begin(), jobs.end(), [&](const JobRecord &k) { return k.jobId == j.jobId; }))
            jobs << j;
    const bool gone = m_ctx.cancelJobs(jobs, m_t.trialId);
    if (m_ctx.cancelled()) {
        // A cancel that did not reach the cluster leaves the trial as it
        // is (its jobs run on; the run ends interrupted, see finish()).
        if (gone)
            m_ctx.journal->setTrial(m_t, TrialState::Cancelled, phase, QStringLiteral("cancelled by the user"));
        return TrialOutcome::Cancelled;
    }
    return fail(phase, m_ctx.result->error.isEmpty() ? QStringLiteral("aborted") : m_ctx.result->error);
}

} // namespace fb::session
