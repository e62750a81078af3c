#include "Campaign.h"

#include "Await.h"
#include "FbloadDeployer.h"

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
#include <QSaveFile>

#include <algorithm>

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

bool writeFileAtomically(const QString &path, const QByteArray &data, QString *error)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size() || !f.commit()) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
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
        CampaignEvent e{QDateTime::currentDateTimeUtc(), level, run.id, trial, step, message};
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
                f.write(e.time.toString(Qt::ISODateWithMs).toUtf8() + ' ' + levelName(level).toUtf8() + ' ' + step.toUtf8() + ": " + message.toUtf8() + '\n');
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
        if (!ok)
            error({}, QStringLiteral("store"), QStringLiteral("cannot record the %1: %2").arg(QLatin1String(what), err));
        return ok;
    }

    void setTrial(TrialRecord &t, const QString &state, const QString &step, const QString &err = {})
    {
        t.state = state;
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
        auto r = remote(QStringLiteral("mkdir -p %1 && cd %1 && pwd -P").arg(recipe::shellPath(dir)));
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
        if (!writeFileAtomically(path, QJsonDocument(m).toJson(), &err))
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
        for (JobRecord &j : jobs) {
            auto it = std::find_if(r->jobs.begin(), r->jobs.end(), [&](const JobInfo &i) { return i.id == j.jobId; });
            QString state = j.state;
            if (it != r->jobs.end()) {
                state = slurm::jobStateName(it->state);
                j.reason = it->reason;
                j.exitCode = it->exitCode;
                if (!it->nodes.isEmpty())
                    j.nodes = it->nodes.join(QLatin1Char(','));
            } else if (r->missing.contains(j.jobId)) {
                state = QStringLiteral("UNKNOWN");
            }
            if (state != j.state) {
                j.state = state;
                j.updatedAt = QDateTime::currentDateTimeUtc();
                store(j, "job");
                info(trialId, QStringLiteral("jobs"), QStringLiteral("%1 (job %2) %3%4").arg(j.component, j.jobId, state,
                                                                                                   j.nodes.isEmpty() ? QString() : QStringLiteral(" on ") + j.nodes));
            }
        }
        return true;
    }

    static bool terminal(const JobRecord &j)
    {
        return j.state == QLatin1String("UNKNOWN") || slurm::isTerminal(slurm::parseJobState(j.state));
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

    bool cancelJobs(const QList<JobRecord> &jobs, const QString &trialId)
    {
        QStringList ids;
        for (const JobRecord &j : jobs)
            if (!terminal(j))
                ids << j.jobId;
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

    // --- one trial -------------------------------------------------------------

    enum class Outcome { Completed, Failed, Cancelled };

    Outcome runTrial(TrialRecord &t, const recipe::Trial &trial)
    {
        const QString trialDir = remoteRunDir + QLatin1Char('/') + t.trialId;
        const QString localTrialDir = localRunDir + QLatin1Char('/') + t.trialId;
        QDir().mkpath(localTrialDir + QStringLiteral("/scripts"));
        setTrial(t, QStringLiteral("running"), QStringLiteral("prepare"));

        recipe::ScriptContext ctx;
        ctx.runId = run.id;
        ctx.trialId = t.trialId;
        ctx.runDir = remoteRunDir;
        ctx.trialDir = trialDir;
        ctx.fbloadPath = fbloadPath;
        QList<recipe::BatchScript> scripts;
        QStringList genErrors;
        if (!recipe::BatchScriptGenerator().generate(trial.recipe, ctx, &scripts, &genErrors)) {
            const QString e = QStringLiteral("cannot generate the batch scripts: ") + genErrors.join(QStringLiteral("; "));
            error(t.trialId, QStringLiteral("prepare"), e);
            setTrial(t, QStringLiteral("failed"), QStringLiteral("prepare"), e);
            return Outcome::Failed;
        }
        auto mk = remote(QStringLiteral("mkdir -p %1/logs").arg(recipe::shellQuote(trialDir)));
        if (!mk)
            return Outcome::Cancelled;
        if (!mk->ok()) {
            setTrial(t, QStringLiteral("failed"), QStringLiteral("prepare"), mk->describe());
            return Outcome::Failed;
        }
        QJsonObject params;
        for (const recipe::KeyValue &kv : trial.parameters)
            params.insert(kv.key, kv.value);
        QString err;
        writeFileAtomically(localTrialDir + QStringLiteral("/parameters.json"), QJsonDocument(params).toJson(), &err);
        for (const recipe::BatchScript &s : scripts) {
            const QString local = localTrialDir + QStringLiteral("/scripts/") + s.fileName;
            if (!writeFileAtomically(local, s.text.toUtf8(), &err)) {
                setTrial(t, QStringLiteral("failed"), QStringLiteral("prepare"), err);
                return Outcome::Failed;
            }
            if (!upload(local, trialDir + QLatin1Char('/') + s.fileName, t.trialId, QStringLiteral("prepare")))
                return cancelled() ? Outcome::Cancelled : fail(t, QStringLiteral("prepare"), result.error);
        }

        // Services first; jobs already submitted by an earlier invocation are re-attached.
        setTrial(t, QStringLiteral("running"), QStringLiteral("services"));
        QHash<QString, QString> adoptable = jobsByComment(t.trialId);
        QList<JobRecord> services, others;
        QList<recipe::BatchScript> later;
        for (const recipe::BatchScript &s : scripts) {
            if (s.role != QLatin1String("service")) {
                later << s;
                continue;
            }
            auto j = submit(t, s, trialDir, &adoptable);
            if (!j)
                return abortTrial(t, services, QStringLiteral("services"));
            services << *j;
        }

        // Health gate: every service publishes FB_READY=1 in its endpoint file.
        setTrial(t, QStringLiteral("running"), QStringLiteral("health"));
        QElapsedTimer waited;
        waited.start();
        int interval = opt.pollFastMs;
        QSet<QString> announced;
        while (!services.isEmpty()) {
            if (!poll(services, t.trialId))
                return abortTrial(t, services, QStringLiteral("health"));
            const QHash<QString, QString> ready = readyEndpoints(trialDir);
            int nReady = 0;
            for (const JobRecord &j : services) {
                const QString file = QStringLiteral("service-%1.endpoint").arg(recipe::BatchScriptGenerator::safeName(j.component.section(QLatin1Char(':'), 1)));
                if (ready.contains(file)) {
                    ++nReady;
                    if (!announced.contains(file)) {
                        announced.insert(file);
                        info(t.trialId, QStringLiteral("health"), QStringLiteral("%1 is ready: %2").arg(j.component, ready.value(file)));
                    }
                } else if (terminal(j)) {
                    const QString e = jobFailure(j, trialDir);
                    error(t.trialId, QStringLiteral("health"), e);
                    cancelJobs(services, t.trialId);
                    return fail(t, QStringLiteral("health"), e);
                }
            }
            if (nReady == services.size())
                break;
            if (waited.elapsed() > opt.serviceReadyTimeoutMs) {
                const QString e = QStringLiteral("services not ready within %1 s").arg(opt.serviceReadyTimeoutMs / 1000);
                cancelJobs(services, t.trialId);
                return fail(t, QStringLiteral("health"), e);
            }
            if (!pause(interval, cancelFlag()))
                return abortTrial(t, services, QStringLiteral("health"));
            interval = std::min(opt.pollSlowMs, interval + 500);
        }

        // Monitor and clients.
        setTrial(t, QStringLiteral("running"), QStringLiteral("clients"));
        QList<JobRecord> clients, monitors;
        for (const recipe::BatchScript &s : later) {
            auto j = submit(t, s, trialDir, &adoptable);
            if (!j)
                return abortTrial(t, services + monitors + clients, QStringLiteral("clients"));
            (s.role == QLatin1String("monitor") ? monitors : clients) << *j;
        }
        QList<JobRecord> watched = clients + services + monitors;
        // Wait for the clients; a service that dies meanwhile fails the trial.
        interval = opt.pollFastMs;
        QString failure;
        while (true) {
            if (!poll(watched, t.trialId))
                return abortTrial(t, watched, QStringLiteral("clients"));
            const auto clientsDone = std::all_of(watched.begin(), watched.begin() + clients.size(), terminal);
            for (int i = 0; i < watched.size() && failure.isEmpty(); ++i) {
                const JobRecord &j = watched[i];
                const bool isClient = i < clients.size();
                if (terminal(j) && (isClient ? j.state != QLatin1String("COMPLETED") : !clientsDone))
                    failure = jobFailure(j, trialDir);
            }
            if (clientsDone || !failure.isEmpty())
                break;
            if (!pause(interval, cancelFlag()))
                return abortTrial(t, watched, QStringLiteral("clients"));
            interval = std::min(opt.pollSlowMs, interval * 3 / 2);
        }

        // Results (also after a failure: partial results are still results).
        setTrial(t, QStringLiteral("running"), QStringLiteral("results"));
        const int downloaded = downloadResults(t, trialDir, localTrialDir);
        if (downloaded < 0)
            return abortTrial(t, watched, QStringLiteral("results"));

        // Teardown, then the logs (complete once the jobs have ended).
        setTrial(t, QStringLiteral("running"), QStringLiteral("teardown"));
        if (!opt.keepServices || !failure.isEmpty()) {
            cancelJobs(watched, t.trialId);
            waitTerminal(watched, t.trialId, 60000);
        }
        setTrial(t, QStringLiteral("running"), QStringLiteral("logs"));
        collectLogs(t, trialDir, localTrialDir);

        if (!failure.isEmpty()) {
            error(t.trialId, QStringLiteral("clients"), failure);
            return fail(t, QStringLiteral("clients"), failure);
        }
        if (q->m_store->resultFiles(run.id, t.trialId).isEmpty() && !clients.isEmpty()) {
            const QString e = QStringLiteral("the client jobs completed but wrote no result file (%1/result-*.json)").arg(trialDir);
            error(t.trialId, QStringLiteral("results"), e);
            return fail(t, QStringLiteral("results"), e);
        }
        setTrial(t, QStringLiteral("completed"), QStringLiteral("done"));
        info(t.trialId, QStringLiteral("done"), QStringLiteral("trial completed"));
        return Outcome::Completed;
    }

    Outcome fail(TrialRecord &t, const QString &step, const QString &e)
    {
        if (result.error.isEmpty())
            result.error = QStringLiteral("trial %1: %2").arg(t.trialId, e);
        setTrial(t, QStringLiteral("failed"), step, e);
        return Outcome::Failed;
    }

    // Cancelled (or a submission failed): take the trial's jobs down.
    Outcome abortTrial(TrialRecord &t, QList<JobRecord> jobs, const QString &step)
    {
        if (q->m_detach.load())
            return Outcome::Cancelled; // jobs and trial stay as they are, for resume
        for (const JobRecord &j : q->m_store->jobs(run.id, t.trialId))
            if (std::none_of(jobs.begin(), jobs.end(), [&](const JobRecord &k) { return k.jobId == j.jobId; }))
                jobs << j;
        cancelJobs(jobs, t.trialId);
        if (cancelled()) {
            setTrial(t, QStringLiteral("cancelled"), step, QStringLiteral("cancelled by the user"));
            return Outcome::Cancelled;
        }
        return fail(t, step, result.error.isEmpty() ? QStringLiteral("aborted") : result.error);
    }

    // Downloads result files not downloaded before; the count, or -1 on cancel.
    int downloadResults(const TrialRecord &t, const QString &trialDir, const QString &localTrialDir)
    {
        // Contract: each client job writes <trial>/result-<client>.json (merged across its tasks).
        auto r = remote(QStringLiteral("cd %1 2>/dev/null && for f in result-*.json; do [ -f \"$f\" ] && sha256sum -- \"$f\"; done; true")
                            .arg(recipe::shellQuote(trialDir)));
        if (!r)
            return -1;
        int count = 0;
        for (const QString &line : QString::fromUtf8(r->stdOut).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            // sha256sum prints "<64 hex> <space or *><name>".
            const QString sha = line.left(64);
            QString name = line.mid(64).trimmed();
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
            QDir().mkpath(QFileInfo(local).absolutePath());
            const QString partial = local + QStringLiteral(".part");
            auto e = await(q->m_files->downloadFile(remotePath, partial), cancelFlag());
            if (!e)
                return -1;
            if (!e->isEmpty()) {
                error(t.trialId, QStringLiteral("results"), *e);
                continue;
            }
            if (sha256File(partial) != sha.toLatin1()) {
                error(t.trialId, QStringLiteral("results"), QStringLiteral("checksum mismatch for %1 (expected %2)").arg(remotePath, sha));
                QFile::remove(partial);
                continue;
            }
            QFile::remove(local);
            QFile::rename(partial, local);
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
        writeFileAtomically(localTrialDir + QStringLiteral("/merged.log"), text, &err);
        writeFileAtomically(localTrialDir + QStringLiteral("/merged.jsonl"), jsonl, &err);
    }

    // --- the run ---------------------------------------------------------------

    CampaignResult execute()
    {
        // The recipe: from the file (new run) or the store (resume).
        recipe::RecipeLoader loader;
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
        } else {
            loaded = loader.loadAndValidateFile(opt.recipePath);
        }
        if (!loaded.ok()) {
            result.state = QStringLiteral("failed");
            result.error = recipe::formatDiagnostics(loaded.diagnostics);
            return result;
        }
        QList<recipe::Trial> trials;
        QList<recipe::Diagnostic> diags;
        if (!recipe::SweepExpander().expand(loaded.recipe, &trials, &diags)) {
            result.state = QStringLiteral("failed");
            result.error = recipe::formatDiagnostics(diags);
            return result;
        }

        if (opt.resumeRunId.isEmpty()) {
            QFile f(opt.recipePath);
            f.open(QIODevice::ReadOnly);
            run.id = newRunId(loaded.recipe.metadata.name.isEmpty() ? QFileInfo(opt.recipePath).baseName() : loaded.recipe.metadata.name);
            run.name = loaded.recipe.metadata.name;
            run.recipePath = QFileInfo(opt.recipePath).absoluteFilePath();
            run.recipeText = QString::fromUtf8(f.readAll());
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
        writeFileAtomically(localRunDir + QStringLiteral("/recipe.yaml"), run.recipeText.toUtf8(), nullptr);
        upload(localRunDir + QStringLiteral("/recipe.yaml"), remoteRunDir + QStringLiteral("/recipe.yaml"), {}, QStringLiteral("start"));

        if (cancelled() || !deploy())
            return finish(trials.size());
        writeManifest();

        for (const recipe::Trial &tr : trials) {
            if (cancelled())
                break;
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
            info(tr.id, QStringLiteral("start"), QStringLiteral("trial %1 (%2)").arg(tr.id, [&] {
                QStringList p;
                for (const recipe::KeyValue &kv : tr.parameters)
                    p << kv.key + QLatin1Char('=') + kv.value;
                return p.isEmpty() ? QStringLiteral("no parameters") : p.join(QStringLiteral(", "));
            }()));
            const Outcome o = runTrial(t, tr);
            writeManifest();
            if (o == Outcome::Completed)
                ++result.trialsCompleted;
            else if (o == Outcome::Failed)
                ++result.trialsFailed;
            if (o == Outcome::Cancelled || (o == Outcome::Failed && opt.stopOnFailure))
                break;
        }
        return finish(trials.size());
    }

    CampaignResult finish(int trialCount)
    {
        if (q->m_detach.load()) {
            result.state = QStringLiteral("detached");
            info({}, QStringLiteral("end"), QStringLiteral("run %1 detached: its jobs keep running; resume it to finish").arg(run.id));
            return result;
        }
        if (cancelled()) {
            result.state = QStringLiteral("cancelled");
            // Whatever is still queued or running for this run goes too.
            cancelJobs(q->m_store->jobs(run.id), {});
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
    return impl.execute();
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
