#include "TrialRunner.h"

#include "Await.h"
#include "LocalFiles.h"
#include "ServiceGroupRunner.h"

#include "recipe/ShellQuote.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace fb::session {

TrialRunner::TrialRunner(const EngineContext &ctx, const TrialRecord &record, const recipe::Trial &trial, int slot, ServiceGroupRunner *group)
    : m_ctx(ctx)
    , m_t(record)
    , m_trial(trial)
    , m_slot(slot)
    , m_group(group)
    , m_trialDir(ctx.remoteRunDir + QLatin1Char('/') + record.trialId)
    , m_localTrialDir(ctx.journal->localTrialDir(record.trialId))
    , m_jobs(ctx, record.trialId, m_trialDir, JobSet::Stored::Keep)
{
}

QStringList TrialRunner::jobIds() const
{
    QStringList ids;
    if (m_wait == Wait::Clients && !m_clientsEnded)
        for (const JobRecord &j : m_watched)
            ids << j.jobId;
    return ids;
}

TrialOutcome TrialRunner::abort()
{
    return abortWith(m_watched, m_t.phase);
}

void TrialRunner::applySlot(recipe::Recipe *r, int serviceSlot, int monitorSlot)
{
    if (serviceSlot > 0)
        for (recipe::Service &s : r->services)
            for (recipe::Port &p : s.ports)
                p.number += serviceSlot * kSlotPortStride;
    if (monitorSlot > 0 && r->monitor.prometheus.port > 0)
        r->monitor.prometheus.port += monitorSlot * kSlotPortStride;
}

// Writes the trial folder and its monitor and client scripts. An outcome if
// the trial ended here.
std::optional<TrialOutcome> TrialRunner::start()
{
    // Resume: a trial whose clients had ended is only finished off.
    if (m_t.state == TrialState::Running && session::clientsEnded(m_t.phase))
        return resumeAfterClients();
    m_t.error.clear(); // e.g. a full disk that stopped an earlier attempt
    m_ctx.journal->setTrial(m_t, TrialState::Running, TrialPhase::Prepare);

    recipe::ScriptContext ctx;
    ctx.runId = runId();
    ctx.trialId = m_t.trialId;
    ctx.runDir = m_ctx.remoteRunDir;
    ctx.trialDir = m_trialDir;
    ctx.servicesDir = m_group->remoteDir();
    ctx.fbloadPath = m_ctx.fbloadPath;
    ctx.metricsPortBase += m_slot * kSlotPortStride; // fbload's /metrics, like the service ports
    recipe::Recipe slotted = m_trial.recipe;
    applySlot(&slotted, m_group->slot(), m_slot);
    QList<recipe::BatchScript> all;
    QStringList genErrors;
    if (!recipe::BatchScriptGenerator().generate(slotted, ctx, &all, &genErrors)) {
        const QString e = QStringLiteral("cannot generate the batch scripts: ") + genErrors.join(QStringLiteral("; "));
        m_ctx.journal->error(m_t.trialId, QStringLiteral("prepare"), e);
        m_ctx.journal->setTrial(m_t, TrialState::Failed, TrialPhase::Prepare, e);
        return TrialOutcome::Failed;
    }
    for (const recipe::BatchScript &s : std::as_const(all))
        if (s.role != QLatin1String("service"))
            m_scripts << s;
    for (const recipe::Service &s : std::as_const(slotted.services))
        if (!s.betweenTrials.isEmpty())
            m_between << recipe::BatchScriptGenerator::safeName(s.name);
    // Every local file first, each write checked: a full disk stops the
    // trial here, before anything is uploaded or submitted. The local
    // script copies are redacted; the real text goes up from an
    // owner-only temporary copy that is removed after the upload.
    QJsonObject params;
    for (const recipe::KeyValue &kv : m_trial.parameters)
        params.insert(kv.key, kv.value);
    if (m_group->shared())
        params.insert(QStringLiteral("service_group"), m_group->id());
    QString err;
    if (!writeLocalFile(m_localTrialDir + QStringLiteral("/parameters.json"), m_ctx.journal->secrets().redact(QJsonDocument(params).toJson()), &err))
        return localWriteFailed(err);
    // The slot is remembered (the run's resume state): a resumed trial keeps the ports its running jobs use.
    if (!m_ctx.journal->rememberSlot(m_t.trialId, m_slot))
        return localWriteFailed(QStringLiteral("cannot record the port slot of trial %1 in %2").arg(m_t.trialId, m_ctx.journal->store()->path()));
    const auto ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    QList<std::pair<QString, QString>> uploads; // local file to upload → remote path
    for (const recipe::BatchScript &s : std::as_const(m_scripts)) {
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

    // Health gate: the group's services publish their endpoint files once healthy.
    m_ctx.journal->setTrial(m_t, TrialState::Running, TrialPhase::Health);
    m_wait = Wait::Group;
    return std::nullopt;
}

// Asks each service with between_trials to run it before this trial: a
// request file in the group's between/ folder (the service job's loop runs
// it and writes <trial>-<service>.done with the exit code). Not again for a
// trial whose clients were submitted before (resume).
bool TrialRunner::requestBetween()
{
    for (const JobRecord &j : m_ctx.journal->store()->jobs(runId(), m_t.trialId))
        if (j.component.startsWith(QLatin1String("client:")))
            m_between.clear();
    if (m_between.isEmpty())
        return true;
    QStringList cmds{QStringLiteral("umask 077 && mkdir -p %1/between").arg(recipe::shellQuote(m_group->remoteDir()))};
    for (const QString &service : std::as_const(m_between)) {
        const QString base = m_group->remoteDir() + QStringLiteral("/between/") + m_t.trialId + QLatin1Char('-') + service;
        cmds << QStringLiteral("rm -f %1 && : > %2 && mv -f %2 %3")
                    .arg(recipe::shellQuote(base + QStringLiteral(".done")), recipe::shellQuote(base + QStringLiteral(".tmp")),
                         recipe::shellQuote(base + QStringLiteral(".request")));
    }
    auto r = m_ctx.remote(cmds.join(QStringLiteral(" && ")));
    if (!r)
        return false;
    if (!r->ok()) {
        m_ctx.result->error = QStringLiteral("cannot ask for between_trials in %1: %2").arg(m_group->remoteDir(), r->describe());
        return false;
    }
    m_ctx.journal->info(m_t.trialId, QStringLiteral("between"), QStringLiteral("between_trials of %1").arg(m_between.join(QStringLiteral(", "))));
    m_waited.start();
    return true;
}

// The exit codes of the between_trials requested for this trial; the trial
// fails on one that is not 0 (its output is in the trial's logs).
std::optional<TrialOutcome> TrialRunner::waitBetween(bool *changed)
{
    QStringList files;
    for (const QString &service : std::as_const(m_between))
        files << recipe::shellQuote(m_t.trialId + QLatin1Char('-') + service + QStringLiteral(".done"));
    auto r = m_ctx.remote(QStringLiteral("cd %1/between 2>/dev/null && for f in %2; do [ -f \"$f\" ] && printf '%s %s\\n' \"$f\" \"$(head -c 20 \"$f\")\"; done; true")
                              .arg(recipe::shellQuote(m_group->remoteDir()), files.join(QLatin1Char(' '))));
    if (!r)
        return abortWith(m_watched, TrialPhase::Health);
    if (r->ok()) {
        for (const QString &line : QString::fromUtf8(r->stdOut).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            const QString service = line.section(QLatin1Char(' '), 0, 0).chopped(5).mid(m_t.trialId.size() + 1);
            const QString code = line.section(QLatin1Char(' '), 1).trimmed();
            if (!m_between.removeOne(service))
                continue;
            *changed = true;
            if (code != QLatin1String("0"))
                return fail(TrialPhase::Health, QStringLiteral("between_trials of service %1 exited with %2 before trial %3 (its output: %4/logs/between-%1.out)")
                                                    .arg(service, code, m_t.trialId, m_trialDir));
            m_ctx.journal->info(m_t.trialId, QStringLiteral("between"), QStringLiteral("between_trials of %1 done").arg(service));
        }
    }
    if (m_between.isEmpty())
        return submitClients();
    if (m_waited.elapsed() > m_ctx.options->serviceReadyTimeoutMs)
        return fail(TrialPhase::Health, QStringLiteral("between_trials of %1 did not finish within %2 s")
                                             .arg(m_between.join(QStringLiteral(", "))).arg(m_ctx.options->serviceReadyTimeoutMs / 1000));
    return std::nullopt;
}

std::optional<TrialOutcome> TrialRunner::submitClients()
{
    m_ctx.journal->setTrial(m_t, TrialState::Running, TrialPhase::Clients);
    m_jobs.findAdoptable();
    QList<JobRecord> clients, monitors;
    for (const recipe::BatchScript &s : std::as_const(m_scripts)) {
        auto j = m_jobs.submit(s);
        if (!j)
            return abortWith(monitors + clients, TrialPhase::Clients);
        (s.role == QLatin1String("monitor") ? monitors : clients) << *j;
    }
    m_watched = clients + monitors;
    m_nClients = int(clients.size());
    m_wait = Wait::Clients;
    return std::nullopt;
}

// One poll round for a trial, given the answer of the round's squeue.
// `changed` is set when a job changed state or the trial moved on (the
// run loop then polls fast again). An outcome once the trial has ended.
std::optional<TrialOutcome> TrialRunner::step(const slurm::QueryResult &answer, bool *changed)
{
    using GroupState = ServiceGroupRunner::State;
    if (m_clientsEnded)
        return std::nullopt; // collect() finishes it
    if (m_ctx.cancelled())
        return abortWith(m_watched, m_t.phase);
    if (m_wait == Wait::Group) {
        if (m_group->state() == GroupState::Failed)
            return fail(TrialPhase::Health, m_group->failure());
        if (m_group->state() != GroupState::Ready)
            return std::nullopt;
        *changed = true;
        if (!requestBetween())
            return m_ctx.cancelled() ? abortWith(m_watched, TrialPhase::Health) : fail(TrialPhase::Health, m_ctx.result->error);
        if (m_between.isEmpty())
            return submitClients();
        m_wait = Wait::Between;
        return std::nullopt;
    }
    if (m_wait == Wait::Between) {
        if (m_group->state() == GroupState::Failed)
            return fail(TrialPhase::Health, m_group->failure());
        return waitBetween(changed);
    }

    // Wait for the clients; a service that dies meanwhile fails the trial.
    *changed |= m_jobs.apply(m_watched, answer);
    if (!m_monitorAnnounced)
        announceMonitor();
    const auto clientsDone = std::all_of(m_watched.begin(), m_watched.begin() + m_nClients, jobEnded);
    QString failure;
    for (int i = 0; i < m_watched.size() && failure.isEmpty(); ++i) {
        const JobRecord &j = m_watched[i];
        const bool isClient = i < m_nClients;
        if (isClient ? jobEnded(j) && j.state != JobState::Completed : jobEndedBadly(j) && !clientsDone)
            failure = m_jobs.failure(j);
    }
    if (failure.isEmpty() && !clientsDone && m_group->state() == GroupState::Failed)
        failure = m_group->failure();
    if (m_ctx.cancelled())
        return abortWith(m_watched, TrialPhase::Clients);
    if (!clientsDone && failure.isEmpty())
        return std::nullopt;
    m_clientsEnded = true;
    m_failure = failure;
    *changed = true;
    return std::nullopt;
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

    // Teardown (the trial's jobs; services of its own, not a shared group's),
    // then the logs (complete once the jobs have ended).
    m_ctx.journal->setTrial(m_t, TrialState::Running, TrialPhase::Teardown);
    if (!m_ctx.options->keepServices || !failure.isEmpty()) {
        m_ctx.cancelJobs(m_watched, m_t.trialId);
        m_jobs.waitTerminal(m_watched, 60000);
    }
    if (m_group && !m_group->shared())
        m_group->stop();
    m_ctx.journal->setTrial(m_t, TrialState::Running, TrialPhase::Logs);
    QStringList moreLogs;
    if (m_group && m_group->shared())
        moreLogs << m_group->remoteDir(); // the shared services' logs so far
    m_ctx.collector->collectLogs(m_t, m_trialDir, m_localTrialDir, moreLogs);

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
// had ended, so its jobs are not watched again (jobs that we cancelled
// then ended CANCELLED: not a failure). Downloads what is still missing,
// tears down, collects the logs.
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
