#include "Campaign.h"

#include "Await.h"
#include "FbloadDeployer.h"
#include "LocalFiles.h"
#include "SecretRedactor.h"
#include "TrialPhase.h"

#include "common/AppInfo.h"
#include "common/Paths.h"
#include "recipe/BatchScriptGenerator.h"
#include "recipe/RecipeLoader.h"
#include "recipe/ShellQuote.h"
#include "recipe/SweepExpander.h"
#include "slurm/SlurmClient.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

namespace fb::session {

using slurm::JobInfo;
using slurm::JobState;

namespace {

QString levelName(CampaignEvent::Level l)
{
    switch (l) {
    case CampaignEvent::Info: return QStringLiteral("INFO");
    case CampaignEvent::Warning: return QStringLiteral("WARN");
    case CampaignEvent::Error: return QStringLiteral("ERROR");
    }
    return {};
}

QByteArray sha256File(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return h.result().toHex();
}

QString componentOf(const recipe::BatchScript &s)
{
    return s.role == QLatin1String("monitor") ? QStringLiteral("monitor") : s.role + QLatin1Char(':') + s.name;
}

} // namespace

QString CampaignEvent::toText() const
{
    QString s = time.toUTC().toString(Qt::ISODateWithMs) + QLatin1Char(' ') + levelName(level);
    if (!trialId.isEmpty())
        s += QLatin1Char(' ') + trialId;
    if (!step.isEmpty())
        s += QLatin1Char(' ') + step + QLatin1Char(':');
    return s + QLatin1Char(' ') + message;
}

QByteArray CampaignEvent::toJsonLine() const
{
    QJsonObject o{{QStringLiteral("time"), time.toUTC().toString(Qt::ISODateWithMs)},
                  {QStringLiteral("level"), levelName(level).toLower()},
                  {QStringLiteral("source"), QStringLiteral("campaign")},
                  {QStringLiteral("run"), runId},
                  {QStringLiteral("message"), message}};
    if (!trialId.isEmpty())
        o.insert(QStringLiteral("trial"), trialId);
    if (!step.isEmpty())
        o.insert(QStringLiteral("step"), step);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString Campaign::jobComment(const QString &runId, const QString &trialId, const QString &component)
{
    return QStringLiteral("factorybench:%1:%2:%3").arg(runId, trialId, component);
}

// ---------------------------------------------------------------------------
// The engine. One Impl per run() call; everything on the calling thread.

struct Campaign::Impl
{
    Campaign *q;
    CampaignOptions opt;
    slurm::SlurmClient slurm;
    RunRecord run;
    QString localRunDir;
    QString remoteRunDir;   // absolute, resolved on the login node
    QString fbloadPath;
    QJsonObject fbloadInfo;
    CampaignResult result;
    QFile textLog;
    QFile jsonLog;
    SecretRedactor secrets; // the recipe's secrets, kept out of local files and events

    Impl(Campaign *campaign, const CampaignOptions &o)
        : q(campaign)
        , opt(o)
        , slurm(campaign->m_runner)
    {
    }

    bool cancelled() const { return q->m_cancel.load(); }
    const std::atomic_bool *cancelFlag() const { return &q->m_cancel; }

    void emitEvent(CampaignEvent::Level level, const QString &trial, const QString &step, const QString &message)
    {
        CampaignEvent e{QDateTime::currentDateTimeUtc(), level, run.id, trial, step, secrets.redact(message)};
        if (textLog.isOpen()) {
            textLog.write(e.toText().toUtf8() + '\n');
            textLog.flush();
        }
        if (jsonLog.isOpen()) {
            jsonLog.write(e.toJsonLine() + '\n');
            jsonLog.flush();
        }
        if (!trial.isEmpty() && !localRunDir.isEmpty()) {
            // Per-trial copy, merged with the job logs into the trial's merged log.
            const QString dir = localRunDir + QLatin1Char('/') + trial + QStringLiteral("/logs");
            QDir().mkpath(dir);
            QFile f(dir + QStringLiteral("/campaign.events"));
            if (f.open(QIODevice::Append | QIODevice::Text))
                f.write(e.time.toString(Qt::ISODateWithMs).toUtf8() + ' ' + levelName(level).toUtf8() + ' ' + step.toUtf8() + ": " + e.message.toUtf8() + '\n');
        }
        emit q->event(e);
    }
    void info(const QString &trial, const QString &step, const QString &m) { emitEvent(CampaignEvent::Info, trial, step, m); }
    void warn(const QString &trial, const QString &step, const QString &m) { emitEvent(CampaignEvent::Warning, trial, step, m); }
    void error(const QString &trial, const QString &step, const QString &m) { emitEvent(CampaignEvent::Error, trial, step, m); }

    // A command on the login node; nullopt when cancelled. Transport errors
    // come back as a CommandResult with `error` set.
    std::optional<CommandResult> remote(const QString &command, int timeoutMs = 120000)
    {
        return await(q->m_runner->run(command, timeoutMs), cancelFlag());
    }

    bool store(const auto &record, const char *what)
    {
        QString err;
        bool ok = false;
        if constexpr (std::is_same_v<std::decay_t<decltype(record)>, RunRecord>)
            ok = q->m_store->saveRun(record, &err);
        else if constexpr (std::is_same_v<std::decay_t<decltype(record)>, TrialRecord>)
            ok = q->m_store->saveTrial(record, &err);
        else if constexpr (std::is_same_v<std::decay_t<decltype(record)>, JobRecord>) {
            ok = q->m_store->saveJob(record, &err);
            emit q->jobChanged(record);
        }
        else
            ok = q->m_store->saveResultFile(record, &err);
        if (!ok) {
            const QString e = QStringLiteral("cannot record the %1 in %2: %3").arg(QLatin1String(what), q->m_store->path(), err);
            error({}, QStringLiteral("store"), e);
            // A full or failing disk under the run store: stop (jobs stay for
            // resume, which finds unrecorded ones by their comment) rather
            // than go on with a record that no longer matches the cluster.
            static const QRegularExpression diskFault(QStringLiteral("disk is full|disk I/O error|No space left|readonly|read-only"),
                                                      QRegularExpression::CaseInsensitiveOption);
            if (diskFault.match(err).hasMatch())
                interrupt(QStringLiteral("cannot write ") + q->m_store->path() + QStringLiteral(": ") + err);
        }
        return ok;
    }

    void setTrial(TrialRecord &t, const QString &state, TrialPhase phase, const QString &err = {})
    {
        const QString step = phaseName(phase);
        t.state = state;
        t.phase = phase;
        t.step = step;
        if (!err.isEmpty())
            t.error = err;
        if (state == QLatin1String("running") && !t.startedAt.isValid())
            t.startedAt = QDateTime::currentDateTimeUtc();
        if (state != QLatin1String("running") && state != QLatin1String("pending"))
            t.finishedAt = QDateTime::currentDateTimeUtc();
        store(t, "trial");
        emit q->trialChanged(t.trialId, state, step);
    }

    // --- run setup ---------------------------------------------------------

    bool openLogs()
    {
        QDir().mkpath(localRunDir);
        textLog.setFileName(localRunDir + QStringLiteral("/campaign.log"));
        jsonLog.setFileName(localRunDir + QStringLiteral("/campaign.jsonl"));
        return textLog.open(QIODevice::Append | QIODevice::Text) && jsonLog.open(QIODevice::Append);
    }

    static QString newRunId(const QString &recipeName)
    {
        QString slug = recipe::BatchScriptGenerator::safeName(recipeName.toLower()).left(32);
        if (slug.isEmpty())
            slug = QStringLiteral("run");
        return QStringLiteral("%1-%2-%3")
            .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")), slug)
            .arg(QRandomGenerator::global()->bounded(0x10000), 4, 16, QLatin1Char('0'));
    }

    bool resolveRemoteRunDir(const QString &workDir)
    {
        const QString dir = workDir + QStringLiteral("/runs/") + run.id;
        // Owner-only: the run folder holds batch scripts and config files
        // with the recipe's secrets (see docs/ssh.md).
        auto r = remote(QStringLiteral("umask 077 && mkdir -p %1 && chmod 700 %1 && cd %1 && pwd -P").arg(recipe::shellPath(dir)));
        if (!r)
            return false;
        if (!r->ok()) {
            result.error = QStringLiteral("cannot create the run folder %1 on %2: %3").arg(dir, q->m_runner->destination(), r->describe());
            return false;
        }
        remoteRunDir = QString::fromUtf8(r->stdOut).trimmed();
        return !remoteRunDir.isEmpty();
    }

    bool upload(const QString &local, const QString &remotePath, const QString &trial, const QString &step)
    {
        auto r = await(q->m_files->uploadFile(local, remotePath), cancelFlag());
        if (!r)
            return false;
        if (!r->isEmpty()) {
            error(trial, step, *r);
            result.error = *r;
            return false;
        }
        // Owner-only, like the run folder: the scripts carry the recipe's
        // secrets (a Redis password), and nothing of a run is for others.
        auto c = remote(QStringLiteral("chmod 600 %1").arg(recipe::shellQuote(remotePath)));
        if (c && !c->ok())
            warn(trial, step, QStringLiteral("cannot make %1 owner-only: %2").arg(remotePath, c->describe()));
        return true;
    }

    bool deploy()
    {
        if (!opt.fbloadPath.isEmpty()) {
            fbloadPath = opt.fbloadPath;
            fbloadInfo = {{QStringLiteral("path"), fbloadPath}, {QStringLiteral("deployed"), false}};
            return true;
        }
        info({}, QStringLiteral("deploy"), QStringLiteral("checking fbload on %1").arg(q->m_runner->destination()));
        FbloadDeployer deployer(q->m_runner, q->m_files);
        deployer.setBuildPrelude(opt.buildPrelude);
        QObject::connect(&deployer, &FbloadDeployer::progress, q, [this](const QString &m) { info({}, QStringLiteral("deploy"), m); });
        auto d = await(deployer.deploy(), cancelFlag());
        if (!d)
            return false;
        if (!d->error.isEmpty()) {
            result.error = d->error;
            error({}, QStringLiteral("deploy"), d->error);
            return false;
        }
        fbloadPath = d->binaryPath;
        fbloadInfo = {{QStringLiteral("path"), d->binaryPath},
                      {QStringLiteral("source_hash"), d->sourceHash},
                      {QStringLiteral("reused"), d->reused},
                      {QStringLiteral("workloads"), QJsonArray::fromStringList(d->workloads)}};
        info({}, QStringLiteral("deploy"), QStringLiteral("fbload %1 %2 (workloads: %3)")
                                                  .arg(d->sourceHash, d->reused ? QStringLiteral("reused") : QStringLiteral("built"),
                                                       d->workloads.join(QStringLiteral(", "))));
        return true;
    }

    void writeManifest()
    {
        QJsonObject m = run.manifest;
        m.insert(QStringLiteral("schema"), 1);
        m.insert(QStringLiteral("run"), run.id);
        m.insert(QStringLiteral("recipe"), run.name);
        m.insert(QStringLiteral("recipe_path"), run.recipePath);
        m.insert(QStringLiteral("profile"), run.profile);
        m.insert(QStringLiteral("cluster"), q->m_runner->destination());
        m.insert(QStringLiteral("remote_dir"), remoteRunDir);
        m.insert(QStringLiteral("app"), QJsonObject{{QStringLiteral("version"), versionString()},
                                                    {QStringLiteral("commit"), gitCommit()}});
        m.insert(QStringLiteral("fbload"), fbloadInfo);
        m.insert(QStringLiteral("created"), run.createdAt.toString(Qt::ISODateWithMs));
        m.insert(QStringLiteral("state"), run.state);
        QJsonArray trials;
        for (const TrialRecord &t : q->m_store->trials(run.id)) {
            QJsonArray jobs;
            for (const JobRecord &j : q->m_store->jobs(run.id, t.trialId))
                jobs.append(QJsonObject{{QStringLiteral("component"), j.component}, {QStringLiteral("job_id"), j.jobId},
                                        {QStringLiteral("state"), j.state}, {QStringLiteral("exit_code"), j.exitCode},
                                        {QStringLiteral("nodes"), j.nodes}});
            QJsonArray results;
            for (const ResultFileRecord &r : q->m_store->resultFiles(run.id, t.trialId))
                results.append(QJsonObject{{QStringLiteral("remote"), r.remotePath}, {QStringLiteral("local"), r.localPath},
                                           {QStringLiteral("sha256"), r.sha256}, {QStringLiteral("size"), r.size}});
            trials.append(QJsonObject{{QStringLiteral("id"), t.trialId}, {QStringLiteral("parameters"), t.params},
                                      {QStringLiteral("state"), t.state}, {QStringLiteral("error"), t.error},
                                      {QStringLiteral("jobs"), jobs}, {QStringLiteral("results"), results}});
        }
        m.insert(QStringLiteral("trials"), trials);
        run.manifest = m;
        store(run, "run");
        QString err;
        const QString path = localRunDir + QStringLiteral("/manifest.json");
        if (!writeLocalFile(path, secrets.redact(QJsonDocument(m).toJson()), &err))
            warn({}, QStringLiteral("manifest"), err);
        else if (!remoteRunDir.isEmpty())
            upload(path, remoteRunDir + QStringLiteral("/manifest.json"), {}, QStringLiteral("manifest"));
    }

    // --- jobs ----------------------------------------------------------------

    // Jobs of this run that Slurm knows by comment: component → job id.
    QHash<QString, QString> jobsByComment(const QString &trialId)
    {
        QHash<QString, QString> found;
        auto r = remote(QStringLiteral("squeue --me --noheader --states=all --format='%i|%k'"));
        if (!r || !r->ok())
            return found;
        const QString prefix = jobComment(run.id, trialId, {});
        for (const QString &line : QString::fromUtf8(r->stdOut).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            const QString id = line.section(QLatin1Char('|'), 0, 0).trimmed();
            const QString comment = line.section(QLatin1Char('|'), 1).trimmed();
            if (comment.startsWith(prefix))
                found.insert(comment.mid(prefix.size()), id);
        }
        return found;
    }

    // Submits `script` unless the store or Slurm already has its job.
    std::optional<JobRecord> submit(const TrialRecord &t, const recipe::BatchScript &script, const QString &trialDir,
                                    QHash<QString, QString> *adoptable)
    {
        const QString component = componentOf(script);
        for (const JobRecord &j : q->m_store->jobs(run.id, t.trialId))
            if (j.component == component)
                return j; // submitted before (resume)
        if (adoptable->contains(component)) {
            JobRecord j{run.id, t.trialId, adoptable->value(component), component, QStringLiteral("PENDING"), {}, -1, {},
                        QDateTime::currentDateTimeUtc(), QDateTime::currentDateTimeUtc()};
            info(t.trialId, QStringLiteral("submit"), QStringLiteral("re-attached %1 to job %2").arg(component, j.jobId));
            store(j, "job");
            return j;
        }
        slurm::SubmitOptions so;
        so.workDir = trialDir;
        so.ownerOnlyFiles = true; // the jobs write config files with the recipe's secrets
        so.extraArgs << QStringLiteral("--comment=") + jobComment(run.id, t.trialId, component);
        auto r = await(slurm.submit(trialDir + QLatin1Char('/') + script.fileName, so), cancelFlag());
        if (!r)
            return std::nullopt;
        if (r->jobId.isEmpty()) {
            const QString e = QStringLiteral("sbatch %1 failed: %2").arg(script.fileName, r->error);
            error(t.trialId, QStringLiteral("submit"), e);
            result.error = e;
            return std::nullopt;
        }
        ++result.jobsSubmitted;
        JobRecord j{run.id, t.trialId, r->jobId, component, QStringLiteral("PENDING"), {}, -1, {},
                    QDateTime::currentDateTimeUtc(), QDateTime::currentDateTimeUtc()};
        store(j, "job");
        info(t.trialId, QStringLiteral("submit"), QStringLiteral("%1 submitted as job %2").arg(component, j.jobId));
        return j;
    }

    // One squeue (+ end-state) query for `jobs`; updates and stores them.
    bool poll(QList<JobRecord> &jobs, const QString &trialId)
    {
        QStringList ids;
        for (const JobRecord &j : jobs)
            ids << j.jobId;
        auto r = await(slurm.query(ids), cancelFlag());
        if (!r)
            return false;
        if (!r->error.isEmpty()) {
            warn(trialId, QStringLiteral("poll"), r->error); // the connection may come back
            return true;
        }
        apply(jobs, trialId, *r);
        return true;
    }

    // Updates `jobs` from one query answer and stores the ones that changed;
    // true if any did.
    bool apply(QList<JobRecord> &jobs, const QString &trialId, const slurm::QueryResult &r)
    {
        if (!r.error.isEmpty())
            return false;
        bool changed = false;
        for (JobRecord &j : jobs) {
            auto it = std::find_if(r.jobs.begin(), r.jobs.end(), [&](const JobInfo &i) { return i.id == j.jobId; });
            QString state = j.state;
            if (it != r.jobs.end()) {
                state = slurm::jobStateName(it->state);
                j.reason = it->reason;
                j.exitCode = it->exitCode;
                if (!it->nodes.isEmpty())
                    j.nodes = it->nodes.join(QLatin1Char(','));
            } else if (r.missing.contains(j.jobId)) {
                state = QStringLiteral("UNKNOWN");
            }
            if (state != j.state) {
                changed = true;
                j.state = state;
                j.updatedAt = QDateTime::currentDateTimeUtc();
                store(j, "job");
                info(trialId, QStringLiteral("jobs"), QStringLiteral("%1 (job %2) %3%4").arg(j.component, j.jobId, state,
                                                                                                   j.nodes.isEmpty() ? QString() : QStringLiteral(" on ") + j.nodes));
            }
        }
        return changed;
    }

    static bool terminal(const JobRecord &j)
    {
        return j.state == QLatin1String("UNKNOWN") || slurm::isTerminal(slurm::parseJobState(j.state));
    }
    // Ended in a way that fails its trial: not when FactoryBench cancelled it.
    static bool endedBadly(const JobRecord &j)
    {
        return terminal(j) && !(j.cancelRequested && j.state == QLatin1String("CANCELLED"));
    }

    // --- interruptions: the run stops, its jobs stay, resume goes on ---------

    // Stops the campaign "interrupted" (not failed, not cancelled): in-flight
    // trials keep their jobs and phase for resume. For a cluster that stays
    // unreachable and for local writes that fail (full disk).
    void interrupt(const QString &why)
    {
        if (q->m_interruption.isEmpty())
            q->m_interruption = why;
        q->m_detach = true; // every wait ends; abortTrial leaves the jobs alone
        q->m_cancel = true;
    }

    // Jobs of the run Slurm may still hold (not terminal in the store), one per line.
    QString jobsStillThere()
    {
        QStringList lines;
        for (const JobRecord &j : q->m_store->jobs(run.id))
            if (!terminal(j))
                lines << QStringLiteral("  job %1  %2 %3  %4").arg(j.jobId, j.trialId, j.component, j.state);
        return lines.join(QLatin1Char('\n'));
    }

    void linkDown(const QString &reason)
    {
        const int window = q->m_link.windowMs() / 1000;
        switch (q->m_link.failed(reason)) {
        case LinkWatch::Change::Lost:
            warn({}, QStringLiteral("connection"), QStringLiteral("lost contact with %1: %2; reconnecting (giving up after %3 s)")
                                                       .arg(q->m_runner->destination(), reason).arg(window));
            break;
        case LinkWatch::Change::StillDown:
            warn({}, QStringLiteral("connection"), QStringLiteral("still reconnecting to %1 (%2 of %3 s): %4")
                                                       .arg(q->m_runner->destination()).arg(q->m_link.downMs() / 1000).arg(window).arg(reason));
            break;
        default:
            break;
        }
        if (q->m_link.expired() && q->m_interruption.isEmpty())
            interrupt(QStringLiteral("no contact with %1 for %2 s: %3").arg(q->m_runner->destination()).arg(window).arg(reason));
    }

    void linkUp()
    {
        const qint64 ms = q->m_link.downMs();
        if (q->m_link.answered() == LinkWatch::Change::Restored)
            info({}, QStringLiteral("connection"), QStringLiteral("connection to %1 is back after %2 s").arg(q->m_runner->destination()).arg(ms / 1000));
    }


    QString logTail(const JobRecord &j, const QString &trialDir)
    {
        // The generator's --output pattern: logs/<role>-<name>-<jobid>.out.
        const QString role = j.component.section(QLatin1Char(':'), 0, 0);
        const QString name = j.component == QLatin1String("monitor") ? QStringLiteral("prometheus") : j.component.section(QLatin1Char(':'), 1);
        const QString path = QStringLiteral("%1/logs/%2-%3-%4.out").arg(trialDir, role, recipe::BatchScriptGenerator::safeName(name), j.jobId);
        auto r = remote(QStringLiteral("tail -n 20 %1 2>/dev/null").arg(recipe::shellQuote(path)));
        return r && r->ok() ? QString::fromUtf8(r->stdOut).trimmed() : QString();
    }

    QString jobFailure(const JobRecord &j, const QString &trialDir)
    {
        QString e = QStringLiteral("%1 (job %2) ended %3").arg(j.component, j.jobId, j.state);
        if (j.exitCode > 0)
            e += QStringLiteral(" with exit code %1").arg(j.exitCode);
        if (!j.nodes.isEmpty())
            e += QStringLiteral(" on ") + j.nodes;
        const QString tail = logTail(j, trialDir);
        if (!tail.isEmpty())
            e += QStringLiteral(":\n") + tail;
        return e;
    }

    // Endpoint files of ready services (the batch-script contract: a service
    // job writes <trial>/service-<name>.endpoint, "<host> <port>", atomically
    // once its health check passes): file name → content.
    QHash<QString, QString> readyEndpoints(const QString &trialDir)
    {
        QHash<QString, QString> ready;
        auto r = remote(QStringLiteral("cd %1 2>/dev/null && for f in service-*.endpoint; do [ -f \"$f\" ] && printf '%s %s\\n' \"$f\" \"$(head -c 200 \"$f\")\"; done; true")
                            .arg(recipe::shellQuote(trialDir)));
        if (!r || !r->ok())
            return ready;
        for (const QString &line : QString::fromUtf8(r->stdOut).split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            ready.insert(line.section(QLatin1Char(' '), 0, 0), line.section(QLatin1Char(' '), 1).simplified());
        return ready;
    }

    bool cancelJobs(QList<JobRecord> jobs, const QString &trialId)
    {
        QStringList ids;
        for (JobRecord &j : jobs)
            if (!terminal(j)) {
                ids << j.jobId;
                // Recorded before scancel: after a crash, resume still knows
                // that a CANCELLED job was ours to cancel, not a failure.
                j.cancelRequested = true;
                store(j, "job");
            }
        if (ids.isEmpty())
            return true;
        info(trialId, QStringLiteral("teardown"), QStringLiteral("cancelling job(s) %1").arg(ids.join(QStringLiteral(", "))));
        // Not cancellable itself: a cancel must reach the cluster.
        auto r = await(slurm.cancel(ids));
        return r && r->ok();
    }

    // Waits until every job in `jobs` is terminal; false on cancel.
    bool waitTerminal(QList<JobRecord> &jobs, const QString &trialId, int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        int interval = opt.pollFastMs;
        while (true) {
            if (!poll(jobs, trialId))
                return false;
            if (std::all_of(jobs.begin(), jobs.end(), terminal))
                return true;
            if (timeoutMs >= 0 && t.elapsed() > timeoutMs)
                return true;
            if (!pause(interval, cancelFlag()))
                return false;
            interval = std::min(opt.pollSlowMs, interval * 3 / 2);
        }
    }

    // --- one trial, as a resumable state machine ------------------------------
    //
    // Several trials run at once on this one thread without threads of their
    // own: each trial is a TrialRun whose steps are short (a few remote
    // commands each), and the run loop advances every in-flight trial by one
    // step per poll round, after one squeue for all of their jobs. With a cap
    // of 1 this is exactly the old one-after-another order.

    enum class Outcome { Completed, Failed, Cancelled };

    struct TrialRun
    {
        TrialRecord t;
        recipe::Trial trial;
        int slot = 0;              // 0 … cap-1; shifts the trial's fixed ports (see applySlot)
        QString trialDir;
        QString localTrialDir;
        enum Phase { Health, Clients } phase = Health;
        QHash<QString, QString> adoptable;
        QList<JobRecord> services;
        QList<recipe::BatchScript> later; // monitor and clients, submitted once the services are healthy
        QList<JobRecord> watched;  // clients first (nClients of them), then services and monitors
        int nClients = 0;
        QElapsedTimer waited;
        QSet<QString> announced;
        bool monitorAnnounced = false;

        QStringList jobIds() const
        {
            QStringList ids;
            for (const JobRecord &j : phase == Health ? services : watched)
                ids << j.jobId;
            return ids;
        }
    };

    // Trials that run at the same time may share a node, so the fixed ports a
    // recipe gives its services and its Prometheus must differ between them:
    // the trial in slot s uses the recipe's port + s × kSlotPortStride (and
    // so do the fbload clients' /metrics ports, 9500 + …). Slot 0
    // (every trial when they run one at a time) keeps the recipe's ports. The
    // clients and the monitor read the service ports from the endpoint files,
    // so they follow. (A job that picks a free port itself would be better;
    // that needs the batch script generator, core/recipe.)
    static constexpr int kSlotPortStride = 100;
    // A poll's squeue that has not answered by then counts as an outage.
    static constexpr int kPollAnswerMs = 90000;

    static void applySlot(recipe::Recipe *r, int slot)
    {
        if (slot <= 0)
            return;
        for (recipe::Service &s : r->services)
            for (recipe::Port &p : s.ports)
                p.number += slot * kSlotPortStride;
        if (r->monitor.prometheus.port > 0)
            r->monitor.prometheus.port += slot * kSlotPortStride;
    }

    // Writes the trial folder and scripts and submits (or re-attaches) the
    // service jobs. An outcome if the trial ended here.
    std::optional<Outcome> startTrial(TrialRun &r)
    {
        TrialRecord &t = r.t;
        r.trialDir = remoteRunDir + QLatin1Char('/') + t.trialId;
        r.localTrialDir = localRunDir + QLatin1Char('/') + t.trialId;
        // Resume: a trial whose clients had ended is only finished off.
        if (t.state == QLatin1String("running") && clientsEnded(t.phase))
            return resumeAfterClients(r);
        t.error.clear(); // e.g. a full disk that stopped an earlier attempt
        setTrial(t, QStringLiteral("running"), TrialPhase::Prepare);

        recipe::ScriptContext ctx;
        ctx.runId = run.id;
        ctx.trialId = t.trialId;
        ctx.runDir = remoteRunDir;
        ctx.trialDir = r.trialDir;
        ctx.fbloadPath = fbloadPath;
        ctx.metricsPortBase += r.slot * kSlotPortStride; // fbload's /metrics, like the service ports
        recipe::Recipe slotted = r.trial.recipe;
        applySlot(&slotted, r.slot);
        QList<recipe::BatchScript> scripts;
        QStringList genErrors;
        if (!recipe::BatchScriptGenerator().generate(slotted, ctx, &scripts, &genErrors)) {
            const QString e = QStringLiteral("cannot generate the batch scripts: ") + genErrors.join(QStringLiteral("; "));
            error(t.trialId, QStringLiteral("prepare"), e);
            setTrial(t, QStringLiteral("failed"), TrialPhase::Prepare, e);
            return Outcome::Failed;
        }
        // Every local file first, each write checked: a full disk stops the
        // trial here, before anything is uploaded or submitted. The local
        // script copies are redacted; the real text goes up from an
        // owner-only temporary copy that is removed after the upload.
        QJsonObject params;
        for (const recipe::KeyValue &kv : r.trial.parameters)
            params.insert(kv.key, kv.value);
        QString err;
        if (!writeLocalFile(r.localTrialDir + QStringLiteral("/parameters.json"), secrets.redact(QJsonDocument(params).toJson()), &err)
            // The slot is remembered: a resumed trial keeps the ports its running jobs use.
            || !writeLocalFile(r.localTrialDir + QStringLiteral("/slot"), QByteArray::number(r.slot) + '\n', &err))
            return localWriteFailed(t, err);
        const auto ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
        QList<std::pair<QString, QString>> uploads; // local file to upload → remote path
        for (const recipe::BatchScript &s : scripts) {
            const QString local = r.localTrialDir + QStringLiteral("/scripts/") + s.fileName;
            const QByteArray text = s.text.toUtf8();
            if (!writeLocalFile(local, secrets.redact(text), &err, ownerOnly))
                return localWriteFailed(t, err);
            QString source = local;
            if (!secrets.isEmpty()) {
                source = local + QStringLiteral(".upload");
                if (!writeLocalFile(source, text, &err, ownerOnly))
                    return localWriteFailed(t, err);
            }
            uploads.append({source, r.trialDir + QLatin1Char('/') + s.fileName});
        }
        auto dropTemporaries = [&] {
            for (const auto &u : uploads)
                if (u.first.endsWith(QLatin1String(".upload")))
                    QFile::remove(u.first);
        };
        auto mk = remote(QStringLiteral("umask 077 && mkdir -p %1/logs").arg(recipe::shellQuote(r.trialDir)));
        if (!mk) {
            dropTemporaries();
            return abortTrial(t, {}, TrialPhase::Prepare);
        }
        if (!mk->ok()) {
            dropTemporaries();
            setTrial(t, QStringLiteral("failed"), TrialPhase::Prepare, mk->describe());
            return Outcome::Failed;
        }
        for (const auto &u : uploads) {
            if (!upload(u.first, u.second, t.trialId, QStringLiteral("prepare"))) {
                dropTemporaries();
                return cancelled() ? abortTrial(t, {}, TrialPhase::Prepare) : fail(t, TrialPhase::Prepare, result.error);
            }
        }
        dropTemporaries();

        // Services first; jobs already submitted by an earlier invocation are re-attached.
        setTrial(t, QStringLiteral("running"), TrialPhase::Services);
        r.adoptable = jobsByComment(t.trialId);
        for (const recipe::BatchScript &s : scripts) {
            if (s.role != QLatin1String("service")) {
                r.later << s;
                continue;
            }
            auto j = submit(t, s, r.trialDir, &r.adoptable);
            if (!j)
                return abortTrial(t, r.services, TrialPhase::Services);
            r.services << *j;
        }
        // Health gate: every service publishes its endpoint file once healthy.
        setTrial(t, QStringLiteral("running"), TrialPhase::Health);
        r.waited.start();
        r.phase = TrialRun::Health;
        return std::nullopt;
    }

    // One poll round for a trial, given the answer of the round's squeue.
    // `changed` is set when a job changed state or the trial moved on (the
    // run loop then polls fast again). An outcome once the trial has ended.
    std::optional<Outcome> stepTrial(TrialRun &r, const slurm::QueryResult &answer, bool *changed)
    {
        TrialRecord &t = r.t;
        if (r.phase == TrialRun::Health) {
            *changed |= apply(r.services, t.trialId, answer);
            const QHash<QString, QString> ready = r.services.isEmpty() ? QHash<QString, QString>() : readyEndpoints(r.trialDir);
            if (cancelled())
                return abortTrial(t, r.services, TrialPhase::Health);
            int nReady = 0;
            for (const JobRecord &j : r.services) {
                const QString file = QStringLiteral("service-%1.endpoint").arg(recipe::BatchScriptGenerator::safeName(j.component.section(QLatin1Char(':'), 1)));
                if (ready.contains(file)) {
                    ++nReady;
                    if (!r.announced.contains(file)) {
                        r.announced.insert(file);
                        *changed = true;
                        info(t.trialId, QStringLiteral("health"), QStringLiteral("%1 is ready: %2").arg(j.component, ready.value(file)));
                    }
                } else if (endedBadly(j)) {
                    const QString e = jobFailure(j, r.trialDir);
                    error(t.trialId, QStringLiteral("health"), e);
                    cancelJobs(r.services, t.trialId);
                    return fail(t, TrialPhase::Health, e);
                }
            }
            if (nReady < r.services.size()) {
                if (r.waited.elapsed() > opt.serviceReadyTimeoutMs) {
                    const QString e = QStringLiteral("services not ready within %1 s").arg(opt.serviceReadyTimeoutMs / 1000);
                    cancelJobs(r.services, t.trialId);
                    return fail(t, TrialPhase::Health, e);
                }
                return std::nullopt;
            }

            // Monitor and clients.
            setTrial(t, QStringLiteral("running"), TrialPhase::Clients);
            QList<JobRecord> clients, monitors;
            for (const recipe::BatchScript &s : r.later) {
                auto j = submit(t, s, r.trialDir, &r.adoptable);
                if (!j)
                    return abortTrial(t, r.services + monitors + clients, TrialPhase::Clients);
                (s.role == QLatin1String("monitor") ? monitors : clients) << *j;
            }
            r.watched = clients + r.services + monitors;
            r.nClients = int(clients.size());
            r.phase = TrialRun::Clients;
            *changed = true;
            return std::nullopt;
        }

        // Wait for the clients; a service that dies meanwhile fails the trial.
        *changed |= apply(r.watched, t.trialId, answer);
        if (!r.monitorAnnounced)
            announceMonitor(r);
        const auto clientsDone = std::all_of(r.watched.begin(), r.watched.begin() + r.nClients, terminal);
        QString failure;
        for (int i = 0; i < r.watched.size() && failure.isEmpty(); ++i) {
            const JobRecord &j = r.watched[i];
            const bool isClient = i < r.nClients;
            if (isClient ? terminal(j) && j.state != QLatin1String("COMPLETED") : endedBadly(j) && !clientsDone)
                failure = jobFailure(j, r.trialDir);
        }
        if (cancelled())
            return abortTrial(t, r.watched, TrialPhase::Clients);
        if (!clientsDone && failure.isEmpty())
            return std::nullopt;
        return finishTrial(r, failure);
    }

    // The monitor publishes "<host> <port>" once Prometheus is ready; the GUI
    // then opens its live dashboard through a tunnel (monitorReady).
    void announceMonitor(TrialRun &r)
    {
        const bool running = std::any_of(r.watched.begin(), r.watched.end(), [](const JobRecord &j) {
            return j.component == QLatin1String("monitor") && j.state == QLatin1String("RUNNING");
        });
        if (!running)
            return;
        auto m = remote(QStringLiteral("head -c 200 %1/monitor.endpoint 2>/dev/null; true").arg(recipe::shellQuote(r.trialDir)), 30000);
        const QStringList parts = m && m->ok() ? QString::fromUtf8(m->stdOut).simplified().split(QLatin1Char(' ')) : QStringList();
        bool ok = false;
        const int port = parts.size() == 2 ? parts[1].toInt(&ok) : 0;
        if (!ok || port <= 0 || port > 65535 || parts[0].isEmpty())
            return;
        r.monitorAnnounced = true;
        info(r.t.trialId, QStringLiteral("monitor"), QStringLiteral("Prometheus is ready on %1:%2").arg(parts[0]).arg(port));
        emit q->monitorReady(r.t.trialId, parts[0], quint16(port));
    }

    // Results, teardown and logs of a trial whose clients have ended.
    Outcome finishTrial(TrialRun &r, const QString &failure)
    {
        TrialRecord &t = r.t;
        // Results (also after a failure: partial results are still results).
        // The clients' failure is recorded with the phase: a resume from here
        // on (resumeAfterClients) does not see the clients end again.
        setTrial(t, QStringLiteral("running"), TrialPhase::Results, failure);
        QString diskError;
        const int downloaded = downloadResults(t, r.trialDir, r.localTrialDir, &diskError);
        if (downloaded < 0 && diskError.isEmpty())
            return abortTrial(t, r.watched, TrialPhase::Results);
        if (!diskError.isEmpty()) {
            // The results stay on the cluster; the jobs are done with. The
            // trial stays in its results phase: resume downloads them.
            cancelJobs(r.watched, t.trialId);
            interrupt(diskError);
            return Outcome::Cancelled;
        }

        // Teardown, then the logs (complete once the jobs have ended).
        setTrial(t, QStringLiteral("running"), TrialPhase::Teardown);
        if (!opt.keepServices || !failure.isEmpty()) {
            cancelJobs(r.watched, t.trialId);
            waitTerminal(r.watched, t.trialId, 60000);
        }
        setTrial(t, QStringLiteral("running"), TrialPhase::Logs);
        collectLogs(t, r.trialDir, r.localTrialDir);

        if (!failure.isEmpty()) {
            error(t.trialId, QStringLiteral("clients"), failure);
            return fail(t, TrialPhase::Done, failure);
        }
        if (q->m_store->resultFiles(run.id, t.trialId).isEmpty() && r.nClients > 0) {
            const QString e = QStringLiteral("the client jobs completed but wrote no result file (%1/result-*.json)").arg(r.trialDir);
            error(t.trialId, QStringLiteral("results"), e);
            return fail(t, TrialPhase::Done, e);
        }
        setTrial(t, QStringLiteral("completed"), TrialPhase::Done);
        info(t.trialId, QStringLiteral("done"), QStringLiteral("trial completed"));
        return Outcome::Completed;
    }

    // The lowest slot no in-flight trial holds; a resumed trial gets its old
    // slot back when it is free (its running jobs use that slot's ports).
    int freeSlot(const std::vector<std::unique_ptr<TrialRun>> &active, const QString &trialId) const
    {
        auto taken = [&](int s) {
            return std::any_of(active.begin(), active.end(), [s](const auto &a) { return a->slot == s; });
        };
        QFile f(localRunDir + QLatin1Char('/') + trialId + QStringLiteral("/slot"));
        bool ok = false;
        const int previous = f.open(QIODevice::ReadOnly) ? f.readAll().trimmed().toInt(&ok) : -1;
        if (ok && previous >= 0 && !taken(previous))
            return previous;
        int s = 0;
        while (taken(s))
            ++s;
        return s;
    }

    Outcome fail(TrialRecord &t, TrialPhase phase, const QString &e)
    {
        if (result.error.isEmpty())
            result.error = QStringLiteral("trial %1: %2").arg(t.trialId, e);
        setTrial(t, QStringLiteral("failed"), phase, e);
        return Outcome::Failed;
    }

    // A local write failed: the trial goes back to pending (nothing of it was
    // submitted) and the run stops; resume writes it again.
    Outcome localWriteFailed(TrialRecord &t, const QString &e)
    {
        error(t.trialId, QStringLiteral("prepare"), e);
        setTrial(t, QStringLiteral("pending"), TrialPhase::Pending, e);
        interrupt(e);
        return Outcome::Cancelled;
    }

    // Resume of a trial recorded in Results, Teardown or Logs: its clients
    // had ended, so its jobs are not watched again (services that we
    // cancelled then ended CANCELLED: not a failure). Downloads what is still
    // missing, tears down, collects the logs.
    Outcome resumeAfterClients(TrialRun &r)
    {
        TrialRecord &t = r.t;
        QList<JobRecord> clients, others;
        for (const JobRecord &j : q->m_store->jobs(run.id, t.trialId))
            (j.component.startsWith(QLatin1String("client:")) ? clients : others) << j;
        r.watched = clients + others;
        r.nClients = int(clients.size());
        r.phase = TrialRun::Clients;
        info(t.trialId, QStringLiteral("resume"), QStringLiteral("its clients had ended (recorded phase: %1): finishing it").arg(phaseName(t.phase)));
        return finishTrial(r, t.error);
    }

    // Cancelled (or a submission failed): take the trial's jobs down.
    Outcome abortTrial(TrialRecord &t, QList<JobRecord> jobs, TrialPhase phase)
    {
        if (q->m_detach.load())
            return Outcome::Cancelled; // jobs and trial stay as they are, for resume
        for (const JobRecord &j : q->m_store->jobs(run.id, t.trialId))
            if (std::none_of(jobs.begin(), jobs.end(), [&](const JobRecord &k) { return k.jobId == j.jobId; }))
                jobs << j;
        const bool gone = cancelJobs(jobs, t.trialId);
        if (cancelled()) {
            // A cancel that did not reach the cluster leaves the trial as it
            // is (its jobs run on; the run ends interrupted, see finish()).
            if (gone)
                setTrial(t, QStringLiteral("cancelled"), phase, QStringLiteral("cancelled by the user"));
            return Outcome::Cancelled;
        }
        return fail(t, phase, result.error.isEmpty() ? QStringLiteral("aborted") : result.error);
    }

    // Downloads result files not downloaded before; the count, or -1 on
    // cancel or when a local write failed (*diskError says which file).
    int downloadResults(const TrialRecord &t, const QString &trialDir, const QString &localTrialDir, QString *diskError)
    {
        // Contract: each client job writes <trial>/result-<client>.json (merged across its tasks).
        // One line per file: "<size> <sha256sum's line>" (the size tells a
        // short local copy — a full disk — from a changed remote file).
        auto r = remote(QStringLiteral("cd %1 2>/dev/null && for f in result-*.json; do [ -f \"$f\" ] && printf '%s ' \"$(stat -c %s -- \"$f\")\" && sha256sum -- \"$f\"; done; true")
                            .arg(recipe::shellQuote(trialDir)));
        if (!r)
            return -1;
        int count = 0;
        for (const QString &line : QString::fromUtf8(r->stdOut).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            // sha256sum prints "<64 hex> <space or *><name>".
            const qint64 remoteSize = line.section(QLatin1Char(' '), 0, 0).toLongLong();
            const QString sum = line.section(QLatin1Char(' '), 1);
            const QString sha = sum.left(64);
            QString name = sum.mid(64).trimmed();
            if (name.startsWith(QLatin1Char('*')))
                name.remove(0, 1);
            if (sha.size() != 64 || name.isEmpty())
                continue;
            const QString remotePath = trialDir + QLatin1Char('/') + name;
            if (auto done = q->m_store->resultFile(run.id, t.trialId, remotePath); done && done->sha256 == sha) {
                info(t.trialId, QStringLiteral("results"), QStringLiteral("%1 already downloaded").arg(name));
                continue;
            }
            const QString local = localTrialDir + QStringLiteral("/results/") + name;
            const QString folder = QFileInfo(local).absolutePath();
            if (!QDir().mkpath(folder)) {
                *diskError = localWriteError(local, QStringLiteral("cannot create the folder %1").arg(folder));
                error(t.trialId, QStringLiteral("results"), *diskError);
                return -1;
            }
            // The transfer writes <local>.part itself and renames it when
            // complete (a later attempt resumes it).
            auto e = await(q->m_files->downloadFile(remotePath, local), cancelFlag());
            if (!e)
                return -1;
            if (!e->isEmpty()) {
                // A failure naming our file is this machine's (a full disk),
                // not the client's: the result stays on the cluster for resume.
                if (e->contains(local)) {
                    *diskError = localWriteError(local, *e);
                    error(t.trialId, QStringLiteral("results"), *diskError + QStringLiteral("; the result stays on the cluster (%1): free space and resume the run").arg(remotePath));
                    return -1;
                }
                error(t.trialId, QStringLiteral("results"), *e);
                continue;
            }
            if (sha256File(local) != sha.toLatin1()) {
                const qint64 localSize = QFileInfo(local).size();
                QFile::remove(local);
                if (localSize < remoteSize) {
                    // Fewer bytes arrived than were sent: this machine's disk.
                    *diskError = localWriteError(local, QStringLiteral("%1 of %2 bytes reached the disk").arg(localSize).arg(remoteSize));
                    error(t.trialId, QStringLiteral("results"), *diskError + QStringLiteral("; the result stays on the cluster (%1): free space and resume the run").arg(remotePath));
                    return -1;
                }
                error(t.trialId, QStringLiteral("results"), QStringLiteral("checksum mismatch for %1 (expected %2)").arg(remotePath, sha));
                continue;
            }
            ResultFileRecord rec{run.id, t.trialId, remotePath, local, sha, QFileInfo(local).size(), QDateTime::currentDateTimeUtc()};
            store(rec, "result file");
            ++count;
            ++result.resultFiles;
            info(t.trialId, QStringLiteral("results"), QStringLiteral("downloaded %1 (%2 bytes, sha256 %3)").arg(name).arg(rec.size).arg(sha.left(12)));
        }
        return count;
    }

    void collectLogs(const TrialRecord &t, const QString &trialDir, const QString &localTrialDir)
    {
        auto r = remote(QStringLiteral("cd %1/logs 2>/dev/null && ls -1; true").arg(recipe::shellQuote(trialDir)));
        if (!r || !r->ok())
            return;
        for (const QString &name : QString::fromUtf8(r->stdOut).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            auto e = await(q->m_files->downloadFile(trialDir + QStringLiteral("/logs/") + name,
                                                    localTrialDir + QStringLiteral("/logs/") + name), cancelFlag());
            if (e && !e->isEmpty())
                warn(t.trialId, QStringLiteral("logs"), *e);
        }
        // Campaign events of this trial, then the merged log.
        const QStringList merged = mergeLogs(localTrialDir);
        QByteArray text, jsonl;
        for (const QString &line : merged) {
            text += line.toUtf8() + '\n';
            const QString time = line.section(QLatin1Char(' '), 0, 0);
            const QString source = line.section(QLatin1Char(' '), 1, 1);
            jsonl += QJsonDocument(QJsonObject{{QStringLiteral("time"), time},
                                               {QStringLiteral("source"), source},
                                               {QStringLiteral("trial"), t.trialId},
                                               {QStringLiteral("message"), line.section(QLatin1Char(' '), 2)}})
                         .toJson(QJsonDocument::Compact)
                + '\n';
        }
        QString err;
        if (!writeLocalFile(localTrialDir + QStringLiteral("/merged.log"), secrets.redact(text), &err)
            || !writeLocalFile(localTrialDir + QStringLiteral("/merged.jsonl"), secrets.redact(jsonl), &err))
            warn(t.trialId, QStringLiteral("logs"), err);
    }

    // --- the run ---------------------------------------------------------------

    // Resume of a run whose stored recipe is redacted: the secrets come from
    // the recipe file (the run's, or CampaignOptions::secretsRecipePath),
    // which must be the same recipe apart from them.
    bool restoreSecrets(recipe::LoadResult *loaded)
    {
        const QString path = opt.secretsRecipePath.isEmpty() ? run.recipePath : opt.secretsRecipePath;
        result.state = QStringLiteral("failed");
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) {
            result.error = QStringLiteral("run %1: its recipe holds secrets, which are not stored on this machine; resume reads them "
                                          "from the recipe file, but %2 cannot be read (%3): give it with --recipe FILE")
                               .arg(run.id, path, f.errorString());
            return false;
        }
        const QString text = QString::fromUtf8(f.readAll());
        recipe::LoadResult full = recipe::RecipeLoader().loadAndValidateText(text, path);
        if (!full.ok() || SecretRedactor(full.recipe).redact(text) != run.recipeText) {
            result.error = QStringLiteral("run %1: %2 is not the recipe the run started from (it differs in more than its secrets); "
                                          "give the original with --recipe FILE").arg(run.id, path);
            return false;
        }
        *loaded = full;
        result.state.clear();
        return true;
    }

    CampaignResult execute()
    {
        // The recipe: from the file (new run) or the store (resume).
        recipe::RecipeLoader loader;
        loader.setClusterTools(opt.clusterTools);
        recipe::LoadResult loaded;
        if (!opt.resumeRunId.isEmpty()) {
            auto r = q->m_store->run(opt.resumeRunId);
            if (!r) {
                result.state = QStringLiteral("failed");
                result.error = QStringLiteral("no run %1 in %2").arg(opt.resumeRunId, q->m_store->path());
                return result;
            }
            run = *r;
            loaded = loader.loadAndValidateText(run.recipeText, run.recipePath);
            if (loaded.ok() && run.recipeText.contains(QLatin1String(SecretRedactor::kPlaceholder))
                && !restoreSecrets(&loaded))
                return result;
        } else {
            loaded = loader.loadAndValidateFile(opt.recipePath);
        }
        if (!loaded.ok()) {
            result.state = QStringLiteral("failed");
            result.error = recipe::formatDiagnostics(loaded.diagnostics);
            return result;
        }
        secrets = SecretRedactor(loaded.recipe);
        QList<recipe::Trial> trials;
        QList<recipe::Diagnostic> diags;
        if (!recipe::SweepExpander().expand(loaded.recipe, &trials, &diags)) {
            result.state = QStringLiteral("failed");
            result.error = recipe::formatDiagnostics(diags);
            return result;
        }
        for (const recipe::Diagnostic &d : std::as_const(loaded.diagnostics))
            if (d.severity == recipe::Diagnostic::Warning)
                warn(QString(), QStringLiteral("validate"), d.toString());

        if (opt.resumeRunId.isEmpty()) {
            QFile f(opt.recipePath);
            f.open(QIODevice::ReadOnly);
            run.id = newRunId(loaded.recipe.metadata.name.isEmpty() ? QFileInfo(opt.recipePath).baseName() : loaded.recipe.metadata.name);
            run.name = loaded.recipe.metadata.name;
            run.recipePath = QFileInfo(opt.recipePath).absoluteFilePath();
            // Stored without its secrets; resume takes them from the recipe file again.
            run.recipeText = SecretRedactor(loaded.recipe).redact(QString::fromUtf8(f.readAll()));
            run.profile = opt.profileName;
            run.createdAt = QDateTime::currentDateTimeUtc();
        }
        result.runId = run.id;
        localRunDir = (opt.localRunsDir.isEmpty() ? Paths::stateDir() + QStringLiteral("/runs") : opt.localRunsDir)
            + QLatin1Char('/') + run.id;
        openLogs();
        info({}, QStringLiteral("start"), opt.resumeRunId.isEmpty()
                                              ? QStringLiteral("run %1: %2 trial(s) of %3 on %4").arg(run.id).arg(trials.size()).arg(run.name, q->m_runner->destination())
                                              : QStringLiteral("resuming run %1 on %2").arg(run.id, q->m_runner->destination()));

        // Remote run folder (remembered in the store: resume uses the same one).
        if (run.remoteDir.isEmpty()) {
            QString workDir = opt.remoteWorkDir;
            if (workDir.isEmpty())
                workDir = loaded.recipe.cluster.workdir;
            if (workDir.isEmpty())
                workDir = QStringLiteral("$HOME/factorybench");
            if (!resolveRemoteRunDir(workDir))
                return finish(trials.size());
            run.remoteDir = remoteRunDir;
        } else {
            remoteRunDir = run.remoteDir;
        }
        run.state = QStringLiteral("running");
        if (!store(run, "run")) {
            result.error = QStringLiteral("cannot record the run in %1").arg(q->m_store->path());
            return finish(trials.size());
        }
        // Trials are recorded up front (pending), so status shows the whole plan.
        const QList<TrialRecord> known = q->m_store->trials(run.id);
        for (const recipe::Trial &tr : trials) {
            if (std::any_of(known.begin(), known.end(), [&](const TrialRecord &k) { return k.trialId == tr.id; }))
                continue;
            TrialRecord t;
            t.runId = run.id;
            t.trialId = tr.id;
            t.index = tr.index * 1000 + tr.repetition;
            for (const recipe::KeyValue &kv : tr.parameters)
                t.params.insert(kv.key, kv.value);
            t.state = QStringLiteral("pending");
            store(t, "trial");
        }
        {
            const QString copy = localRunDir + QStringLiteral("/recipe.yaml");
            QString err;
            if (!writeLocalFile(copy, run.recipeText.toUtf8(), &err)) {
                error({}, QStringLiteral("start"), err);
                interrupt(err);
                return finish(trials.size());
            }
            upload(copy, remoteRunDir + QStringLiteral("/recipe.yaml"), {}, QStringLiteral("start"));
        }

        if (cancelled() || !deploy())
            return finish(trials.size());
        writeManifest();

        // How many trials run at once: --parallel, else what the run started
        // with (resume), else the recipe's sweep.max_parallel_trials.
        int parallel = opt.maxParallelTrials;
        if (parallel < 1)
            parallel = run.manifest.value(QStringLiteral("max_parallel_trials")).toInt(0);
        if (parallel < 1)
            parallel = loaded.recipe.sweep.maxParallelTrials;
        parallel = std::max(1, parallel);
        run.manifest.insert(QStringLiteral("max_parallel_trials"), parallel);
        store(run, "run"); // a resume goes on with the same cap
        if (parallel > 1)
            info({}, QStringLiteral("start"), QStringLiteral("up to %1 trials at once").arg(parallel));

        // Trials in order, those already in flight (resume) first so their
        // jobs are re-attached before anything new is submitted.
        QList<recipe::Trial> queue;
        {
            const QList<TrialRecord> recorded = q->m_store->trials(run.id);
            auto inFlight = [&](const recipe::Trial &tr) {
                return std::any_of(recorded.begin(), recorded.end(), [&](const TrialRecord &k) {
                    return k.trialId == tr.id && k.state == QLatin1String("running");
                });
            };
            for (const recipe::Trial &tr : trials)
                if (inFlight(tr))
                    queue << tr;
            for (const recipe::Trial &tr : trials)
                if (!inFlight(tr))
                    queue << tr;
        }
        std::vector<std::unique_ptr<TrialRun>> active;
        bool stop = false; // no new trials (cancel, or a failure with --stop-on-failure)
        int interval = opt.pollFastMs;
        auto settle = [&](const Outcome o) {
            writeManifest();
            if (o == Outcome::Completed)
                ++result.trialsCompleted;
            else if (o == Outcome::Failed)
                ++result.trialsFailed;
            if (o == Outcome::Cancelled || (o == Outcome::Failed && opt.stopOnFailure))
                stop = true;
        };
        while (true) {
            // Fill free slots with the next trials.
            while (!stop && !cancelled() && int(active.size()) < parallel && !queue.isEmpty()) {
                const recipe::Trial tr = queue.takeFirst();
                TrialRecord t;
                for (const TrialRecord &k : q->m_store->trials(run.id))
                    if (k.trialId == tr.id)
                        t = k;
                if (t.state == QLatin1String("completed")) {
                    ++result.trialsCompleted;
                    continue;
                }
                if (t.state == QLatin1String("failed") && !opt.resumeRunId.isEmpty()) {
                    ++result.trialsFailed;
                    continue;
                }
                auto tr2 = std::make_unique<TrialRun>();
                tr2->t = t;
                tr2->trial = tr;
                tr2->slot = freeSlot(active, tr.id);
                info(tr.id, QStringLiteral("start"), QStringLiteral("trial %1 (%2)%3").arg(tr.id, [&] {
                    QStringList p;
                    for (const recipe::KeyValue &kv : tr.parameters)
                        p << kv.key + QLatin1Char('=') + kv.value;
                    return p.isEmpty() ? QStringLiteral("no parameters") : p.join(QStringLiteral(", "));
                }(), parallel > 1 ? QStringLiteral(" in slot %1").arg(tr2->slot) : QString()));
                if (const auto o = startTrial(*tr2)) {
                    settle(*o);
                    continue;
                }
                active.push_back(std::move(tr2));
                interval = opt.pollFastMs;
            }
            if (active.empty())
                break;
            if (cancelled()) {
                // Cancel or detach: every in-flight trial ends here (abortTrial
                // leaves the jobs running when detaching).
                for (auto &a : active)
                    settle(abortTrial(a->t, a->phase == TrialRun::Health ? a->services : a->watched, a->t.phase));
                active.clear();
                break;
            }
            // One squeue for the jobs of every in-flight trial.
            QStringList ids;
            for (const auto &a : active)
                ids << a->jobIds();
            slurm::QueryResult answer;
            if (!ids.isEmpty()) {
                auto r = await(slurm.query(ids), cancelFlag(), kPollAnswerMs);
                if (!r && cancelled())
                    continue; // handled above
                answer = r ? *r : slurm::QueryResult{};
                if (!r)
                    answer.error = QStringLiteral("squeue on %1: no answer within %2 s").arg(q->m_runner->destination()).arg(kPollAnswerMs / 1000);
                if (!answer.error.isEmpty()) {
                    // The cluster is out of reach: say so, wait within the
                    // reconnect window (linkDown interrupts the run after it).
                    linkDown(answer.error);
                    pause(opt.pollFastMs, cancelFlag());
                    continue;
                }
                linkUp();
            }
            bool changed = false;
            for (auto it = active.begin(); it != active.end();) {
                if (const auto o = stepTrial(**it, answer, &changed)) {
                    settle(*o);
                    it = active.erase(it);
                    changed = true;
                } else {
                    ++it;
                }
            }
            if (!stop && !cancelled() && int(active.size()) < parallel && !queue.isEmpty())
                continue; // a slot is free: start the next trial at once
            if (active.empty())
                continue;
            interval = changed ? opt.pollFastMs : std::min(opt.pollSlowMs, interval * 3 / 2);
            pause(interval, cancelFlag());
        }
        return finish(trials.size());
    }

    CampaignResult finish(int trialCount)
    {
        if (!q->m_interruption.isEmpty()) {
            // Stopped, not ended: the jobs (if any) are left as they are.
            result.state = QStringLiteral("interrupted");
            const QString jobs = jobsStillThere();
            result.error = q->m_interruption
                + (jobs.isEmpty() ? QStringLiteral("\nNo job of the run is left on the cluster.")
                                  : QStringLiteral("\nJobs of the run still on %1 (as last seen):\n%2").arg(q->m_runner->destination(), jobs))
                + QStringLiteral("\nResume the run once that is fixed (fbctl resume %1), or cancel its jobs (fbctl cancel %1).").arg(run.id);
            if (!run.id.isEmpty()) {
                run.state = result.state;
                run.error = result.error;
                store(run, "run");
                error({}, QStringLiteral("end"), QStringLiteral("run %1 interrupted: %2").arg(run.id, result.error));
            }
            return result;
        }
        if (q->m_detach.load()) {
            result.state = QStringLiteral("detached");
            info({}, QStringLiteral("end"), QStringLiteral("run %1 detached: its jobs keep running; resume it to finish").arg(run.id));
            return result;
        }
        if (cancelled()) {
            result.state = QStringLiteral("cancelled");
            // Whatever is still queued or running for this run goes too. A
            // cancel that cannot reach the cluster leaves the jobs running:
            // the run is then "interrupted", never "cancelled" (resume or
            // cancel it later; the jobs are listed).
            if (!cancelJobs(q->m_store->jobs(run.id), {})) {
                q->m_interruption = QStringLiteral("cancelled, but scancel did not reach %1").arg(q->m_runner->destination());
                return finish(trialCount);
            }
        } else if (result.trialsCompleted == trialCount && trialCount > 0) {
            result.state = QStringLiteral("completed");
        } else {
            result.state = QStringLiteral("failed");
            if (result.error.isEmpty())
                result.error = QStringLiteral("%1 of %2 trial(s) completed").arg(result.trialsCompleted).arg(trialCount);
        }
        if (!run.id.isEmpty()) {
            run.state = result.state;
            run.error = result.state == QLatin1String("completed") ? QString() : result.error;
            run.finishedAt = QDateTime::currentDateTimeUtc();
            writeManifest();
            info({}, QStringLiteral("end"), QStringLiteral("run %1 %2: %3 completed, %4 failed")
                                                .arg(run.id, result.state).arg(result.trialsCompleted).arg(result.trialsFailed));
        }
        return result;
    }
};

Campaign::Campaign(CommandRunner *runner, RemoteFiles *files, RunStore *store, QObject *parent)
    : QObject(parent)
    , m_runner(runner)
    , m_files(files)
    , m_store(store)
{
    qRegisterMetaType<fb::session::CampaignEvent>();
    qRegisterMetaType<fb::session::CampaignResult>();
    qRegisterMetaType<fb::session::JobRecord>();
}

CampaignResult Campaign::run(const CampaignOptions &options)
{
    Impl impl(this, options);
    m_link = LinkWatch(options.reconnectWindowMs);
    m_interruption.clear();
    m_active = &impl;
    const CampaignResult r = impl.execute();
    m_active = nullptr;
    return r;
}

void Campaign::reportLink(bool up, const QString &reason)
{
    if (!m_active)
        return;
    if (up)
        m_active->linkUp();
    else
        m_active->linkDown(reason);
}

bool Campaign::cancelRun(CommandRunner *runner, RunStore *store, const QString &runId, QString *error)
{
    auto run = store->run(runId);
    if (!run) {
        *error = QStringLiteral("no run %1 in %2").arg(runId, store->path());
        return false;
    }
    QStringList ids;
    for (const JobRecord &j : store->jobs(runId))
        ids << j.jobId;
    // Jobs submitted just before a crash are known only to Slurm, by comment.
    auto q = await(runner->run(QStringLiteral("squeue --me --noheader --format='%i|%k'")));
    if (q && q->ok()) {
        const QString prefix = jobComment(runId, {}, {}).chopped(2);
        for (const QString &line : QString::fromUtf8(q->stdOut).split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            if (line.section(QLatin1Char('|'), 1).startsWith(prefix + QLatin1Char(':')))
                ids << line.section(QLatin1Char('|'), 0, 0).trimmed();
    }
    ids.removeDuplicates();
    if (!ids.isEmpty()) {
        slurm::SlurmClient client(runner);
        auto r = await(client.cancel(ids));
        if (!r || !r->ok()) {
            *error = QStringLiteral("scancel on %1 failed: %2").arg(runner->destination(), r ? r->describe() : QStringLiteral("no answer"));
            return false;
        }
    }
    run->state = QStringLiteral("cancelled");
    run->finishedAt = QDateTime::currentDateTimeUtc();
    return store->saveRun(*run, error);
}

QStringList Campaign::mergeLogs(const QString &trialDir)
{
    // Job logs carry no timestamps on most lines: a line takes the time of
    // the last timestamped line before it (else the file's start), so the
    // merge keeps each file's own order. Sources are named by file: the
    // component and job id ("service-redis-1234").
    struct Line
    {
        QDateTime time;
        int file;
        int seq;
        QString text;
    };
    QList<Line> lines;
    static const QRegularExpression stamp(QStringLiteral("^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?Z?)\\s"));
    const QDir logs(trialDir + QStringLiteral("/logs"));
    const QStringList files = logs.entryList(QDir::Files, QDir::Name);
    for (int fi = 0; fi < files.size(); ++fi) {
        QFile f(logs.filePath(files[fi]));
        if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
            continue;
        const QFileInfo info(f);
        QDateTime current = info.birthTime().isValid() ? info.birthTime().toUTC() : info.lastModified().toUTC();
        const QString source = QFileInfo(files[fi]).completeBaseName();
        int seq = 0;
        while (!f.atEnd()) {
            QString text = QString::fromUtf8(f.readLine()).trimmed();
            if (text.isEmpty())
                continue;
            const auto m = stamp.match(text);
            if (m.hasMatch()) {
                QDateTime t = QDateTime::fromString(m.captured(1), Qt::ISODateWithMs);
                if (t.isValid())
                    current = t.toUTC();
                text = text.mid(m.capturedLength());
            }
            lines.append({current, fi, seq++, source + QLatin1Char(' ') + text});
        }
    }
    std::stable_sort(lines.begin(), lines.end(), [](const Line &a, const Line &b) {
        return a.time < b.time || (a.time == b.time && (a.file < b.file || (a.file == b.file && a.seq < b.seq)));
    });
    QStringList out;
    for (const Line &l : lines)
        out << l.time.toString(Qt::ISODateWithMs) + QLatin1Char(' ') + l.text;
    return out;
}

} // namespace fb::session
