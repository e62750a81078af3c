#include "Campaign.h"

#include "Await.h"
#include "EngineContext.h"
#include "FbloadDeployer.h"
#include "LocalFiles.h"
#include "ResultCollector.h"
#include "RunJournal.h"
#include "SecretRedactor.h"
#include "ServiceGroups.h"
#include "TrialScheduler.h"

#include "common/Paths.h"
#include "recipe/BatchScriptGenerator.h"
#include "recipe/ExternalTarget.h"
#include "recipe/RecipeLoader.h"
#include "recipe/ShellQuote.h"
#include "recipe/SweepExpander.h"
#include "slurm/SlurmClient.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QRandomGenerator>

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

namespace fb::session {

QString Campaign::jobComment(const QString &runId, const QString &trialId, const QString &component)
{
    return QStringLiteral("factorybench:%1:%2:%3").arg(runId, trialId, component);
}

// ---------------------------------------------------------------------------
// The orchestration. One Impl per run() call; everything on the calling
// thread. The parts: RunJournal (events, records, manifest, resume state),
// ResultCollector (results and logs), TrialScheduler (the trials and their
// service groups: TrialRunner, ServiceGroupRunner), sharing an EngineContext.

struct Campaign::Impl
{
    Campaign *q;
    CampaignOptions opt;
    slurm::SlurmClient slurm;
    CampaignResult result;
    RunJournal journal;
    ResultCollector collector;
    EngineContext ctx;
    QJsonObject fbloadInfo;
    QJsonArray servicesInfo; // the recipe's services, external ones with host and port (recipe/ExternalTarget.h)
    QJsonArray groupsInfo;   // the service groups: id, shared, trials

    Impl(Campaign *campaign, const CampaignOptions &o)
        : q(campaign)
        , opt(o)
        , slurm(campaign->m_runner)
        , journal(campaign->m_store, RunJournal::Hooks{[campaign](const CampaignEvent &e) { emit campaign->event(e); },
                                                       [campaign](const QString &trial, TrialState state, const QString &step) {
                                                           emit campaign->trialChanged(trial, state, step);
                                                       },
                                                       [campaign](const JobRecord &j) { emit campaign->jobChanged(j); },
                                                       [this](const QString &why) { interrupt(why); }})
        , collector(campaign->m_runner, campaign->m_files, &journal, &campaign->m_cancel)
    {
        ctx.runner = campaign->m_runner;
        ctx.files = campaign->m_files;
        ctx.slurm = &slurm;
        ctx.journal = &journal;
        ctx.collector = &collector;
        ctx.options = &opt;
        ctx.cancel = &campaign->m_cancel;
        ctx.detach = &campaign->m_detach;
        ctx.result = &result;
        ctx.interrupt = [this](const QString &why) { interrupt(why); };
        ctx.monitorReady = [campaign](const QString &trial, const QString &host, quint16 port) { emit campaign->monitorReady(trial, host, port); };
    }

    bool cancelled() const { return q->m_cancel.load(); }

    // --- run setup ---------------------------------------------------------

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
        const QString dir = workDir + QStringLiteral("/runs/") + journal.run().id;
        // Owner-only: the run folder holds batch scripts and config files
        // with the recipe's secrets (see docs/ssh.md).
        auto r = ctx.remote(QStringLiteral("umask 077 && mkdir -p %1 && chmod 700 %1 && cd %1 && pwd -P").arg(recipe::shellPath(dir)));
        if (!r)
            return false;
        if (!r->ok()) {
            result.error = QStringLiteral("cannot create the run folder %1 on %2: %3").arg(dir, q->m_runner->destination(), r->describe());
            return false;
        }
        ctx.remoteRunDir = QString::fromUtf8(r->stdOut).trimmed();
        return !ctx.remoteRunDir.isEmpty();
    }

    bool deploy()
    {
        if (!opt.fbloadPath.isEmpty()) {
            ctx.fbloadPath = opt.fbloadPath;
            fbloadInfo = {{QStringLiteral("path"), ctx.fbloadPath}, {QStringLiteral("deployed"), false}};
            return true;
        }
        journal.info({}, QStringLiteral("deploy"), QStringLiteral("checking fbload on %1").arg(q->m_runner->destination()));
        FbloadDeployer deployer(q->m_runner, q->m_files);
        deployer.setBuildPrelude(opt.buildPrelude);
        QObject::connect(&deployer, &FbloadDeployer::progress, q, [this](const QString &m) { journal.info({}, QStringLiteral("deploy"), m); });
        auto d = await(deployer.deploy(), &q->m_cancel);
        if (!d)
            return false;
        if (!d->error.isEmpty()) {
            result.error = d->error;
            journal.error({}, QStringLiteral("deploy"), d->error);
            return false;
        }
        ctx.fbloadPath = d->binaryPath;
        fbloadInfo = {{QStringLiteral("path"), d->binaryPath},
                      {QStringLiteral("source_hash"), d->sourceHash},
                      {QStringLiteral("reused"), d->reused},
                      {QStringLiteral("workloads"), QJsonArray::fromStringList(d->workloads)}};
        journal.info({}, QStringLiteral("deploy"), QStringLiteral("fbload %1 %2 (workloads: %3)")
                                                  .arg(d->sourceHash, d->reused ? QStringLiteral("reused") : QStringLiteral("built"),
                                                       d->workloads.join(QStringLiteral(", "))));
        return true;
    }

    // manifest.json, locally and next to the run on the cluster.
    void writeManifest()
    {
        const QString path = journal.writeManifest({{QStringLiteral("cluster"), q->m_runner->destination()},
                                                    {QStringLiteral("remote_dir"), ctx.remoteRunDir},
                                                    {QStringLiteral("fbload"), fbloadInfo},
                                                    {QStringLiteral("services"), servicesInfo},
                                                    {QStringLiteral("service_groups"), groupsInfo}});
        if (!path.isEmpty() && !ctx.remoteRunDir.isEmpty())
            ctx.upload(path, ctx.remoteRunDir + QStringLiteral("/manifest.json"), {}, QStringLiteral("manifest"));
    }

    // --- interruptions: the run stops, its jobs stay, resume goes on ---------

    // Stops the campaign "interrupted" (not failed, not cancelled): in-flight
    // trials keep their jobs and phase for resume. For a cluster that stays
    // unreachable and for local writes that fail (full disk).
    void interrupt(const QString &why)
    {
        if (q->m_interruption.isEmpty())
            q->m_interruption = why;
        q->m_detach = true; // every wait ends; TrialRunner::abort leaves the jobs alone
        q->m_cancel = true;
    }

    // Jobs of the run Slurm may still hold (not terminal in the store), one per line.
    QString jobsStillThere()
    {
        QStringList lines;
        for (const JobRecord &j : q->m_store->jobs(journal.run().id))
            if (!jobEnded(j))
                lines << QStringLiteral("  job %1  %2 %3  %4").arg(j.jobId, j.trialId, j.component, stateName(j.state));
        return lines.join(QLatin1Char('\n'));
    }

    void linkDown(const QString &reason)
    {
        const int window = q->m_link.windowMs() / 1000;
        switch (q->m_link.failed(reason)) {
        case LinkWatch::Change::Lost:
            journal.warn({}, QStringLiteral("connection"), QStringLiteral("lost contact with %1: %2; reconnecting (giving up after %3 s)")
                                                       .arg(q->m_runner->destination(), reason).arg(window));
            break;
        case LinkWatch::Change::StillDown:
            journal.warn({}, QStringLiteral("connection"), QStringLiteral("still reconnecting to %1 (%2 of %3 s): %4")
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
            journal.info({}, QStringLiteral("connection"), QStringLiteral("connection to %1 is back after %2 s").arg(q->m_runner->destination()).arg(ms / 1000));
    }


    // --- the run ---------------------------------------------------------------

    // Resume of a run whose stored recipe is redacted: the secrets come from
    // the recipe file (the run's, or CampaignOptions::secretsRecipePath),
    // which must be the same recipe apart from them.
    bool restoreSecrets(recipe::LoadResult *loaded)
    {
        const RunRecord &run = journal.run();
        const QString path = opt.secretsRecipePath.isEmpty() ? run.recipePath : opt.secretsRecipePath;
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) {
            result.error = QStringLiteral("run %1: its recipe holds secrets, which are not stored on this machine; resume reads them "
                                          "from the recipe file, but %2 cannot be read (%3): give it with --recipe FILE")
                               .arg(run.id, path, f.errorString());
            result.state = RunState::Failed;
            return false;
        }
        const QString text = QString::fromUtf8(f.readAll());
        recipe::LoadResult full = recipe::RecipeLoader().loadAndValidateText(text, path);
        if (!full.ok() || SecretRedactor(full.recipe).redact(text) != run.recipeText) {
            result.error = QStringLiteral("run %1: %2 is not the recipe the run started from (it differs in more than its secrets); "
                                          "give the original with --recipe FILE").arg(run.id, path);
            result.state = RunState::Failed;
            return false;
        }
        *loaded = full;
        return true;
    }

    // The recipe (from the file, or the run store on resume, its secrets
    // from the file) and its trials; false with the result set.
    bool loadRecipe(recipe::LoadResult *loaded, QList<recipe::Trial> *trials)
    {
        RunRecord &run = journal.run();
        // The recipe: from the file (new run) or the store (resume).
        recipe::RecipeLoader loader;
        loader.setClusterTools(opt.clusterTools);
        if (!opt.resumeRunId.isEmpty()) {
            auto r = q->m_store->run(opt.resumeRunId);
            if (!r) {
                result.state = RunState::Failed;
                result.error = QStringLiteral("no run %1 in %2").arg(opt.resumeRunId, q->m_store->path());
                return false;
            }
            run = *r;
            *loaded = loader.loadAndValidateText(run.recipeText, run.recipePath);
            if (loaded->ok() && run.recipeText.contains(QLatin1String(SecretRedactor::kPlaceholder))
                && !restoreSecrets(loaded))
                return false;
        } else {
            *loaded = loader.loadAndValidateFile(opt.recipePath);
        }
        if (!loaded->ok()) {
            result.state = RunState::Failed;
            result.error = recipe::formatDiagnostics(loaded->diagnostics);
            return false;
        }
        journal.setSecrets(SecretRedactor(loaded->recipe));
        QList<recipe::Diagnostic> diags;
        if (!recipe::SweepExpander().expand(loaded->recipe, trials, &diags)) {
            result.state = RunState::Failed;
            result.error = recipe::formatDiagnostics(diags);
            return false;
        }
        for (const recipe::Diagnostic &d : std::as_const(loaded->diagnostics))
            if (d.severity == recipe::Diagnostic::Warning)
                journal.warn(QString(), QStringLiteral("validate"), d.toString());

        return true;
    }

    // The run record, local and remote folders, the trials (recorded up
    // front, pending), the recipe copy, fbload and the manifest; false when
    // the run cannot go on (finish() says how it ended).
    bool prepareRun(const recipe::LoadResult &loaded, const QList<recipe::Trial> &trials)
    {
        RunRecord &run = journal.run();
        const recipe::Recipe &recipe = loaded.recipe;
        if (opt.resumeRunId.isEmpty()) {
            QFile f(opt.recipePath);
            f.open(QIODevice::ReadOnly);
            run.id = newRunId(recipe.metadata.name.isEmpty() ? QFileInfo(opt.recipePath).baseName() : recipe.metadata.name);
            run.name = recipe.metadata.name;
            run.recipePath = QFileInfo(opt.recipePath).absoluteFilePath();
            // Stored without its secrets; resume takes them from the recipe file again.
            run.recipeText = SecretRedactor(recipe).redact(QString::fromUtf8(f.readAll()));
            run.profile = opt.profileName;
            run.createdAt = QDateTime::currentDateTimeUtc();
        }
        result.runId = run.id;
        const QString localRunDir = (opt.localRunsDir.isEmpty() ? Paths::stateDir() + QStringLiteral("/runs") : opt.localRunsDir)
            + QLatin1Char('/') + run.id;
        journal.open(localRunDir);
        journal.info({}, QStringLiteral("start"), opt.resumeRunId.isEmpty()
                                              ? QStringLiteral("run %1: %2 trial(s) of %3 on %4").arg(run.id).arg(trials.size()).arg(run.name, q->m_runner->destination())
                                              : QStringLiteral("resuming run %1 on %2").arg(run.id, q->m_runner->destination()));

        // Remote run folder (remembered in the store: resume uses the same one).
        if (run.remoteDir.isEmpty()) {
            QString workDir = opt.remoteWorkDir;
            if (workDir.isEmpty())
                workDir = recipe.cluster.workdir;
            if (workDir.isEmpty())
                workDir = QStringLiteral("$HOME/factorybench");
            if (!resolveRemoteRunDir(workDir))
                return false;
            run.remoteDir = ctx.remoteRunDir;
        } else {
            ctx.remoteRunDir = run.remoteDir;
        }
        run.state = RunState::Running;
        if (!journal.save(run)) {
            result.error = QStringLiteral("cannot record the run in %1").arg(q->m_store->path());
            return false;
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
            t.state = TrialState::Pending;
            journal.save(t);
        }
        {
            const QString copy = localRunDir + QStringLiteral("/recipe.yaml");
            QString err;
            if (!writeLocalFile(copy, run.recipeText.toUtf8(), &err)) {
                journal.error({}, QStringLiteral("start"), err);
                interrupt(err);
                return false;
            }
            ctx.upload(copy, ctx.remoteRunDir + QStringLiteral("/recipe.yaml"), {}, QStringLiteral("start"));
        }

        if (cancelled() || !deploy())
            return false;
        writeManifest();

        return true;
    }

    // How many trials run at once: --parallel, else what the run started
    // with (resume), else the recipe's sweep.max_parallel_trials.
    int parallelism(const recipe::Recipe &recipe)
    {
        RunRecord &run = journal.run();
        int parallel = opt.maxParallelTrials;
        if (parallel < 1)
            parallel = run.manifest.value(QStringLiteral("max_parallel_trials")).toInt(0);
        if (parallel < 1)
            parallel = recipe.sweep.maxParallelTrials;
        parallel = std::max(1, parallel);
        run.manifest.insert(QStringLiteral("max_parallel_trials"), parallel);
        journal.save(run); // a resume goes on with the same cap
        if (parallel > 1)
            journal.info({}, QStringLiteral("start"), QStringLiteral("up to %1 trials at once").arg(parallel));

        return parallel;
    }

    CampaignResult execute()
    {
        recipe::LoadResult loaded;
        QList<recipe::Trial> trials;
        if (!loadRecipe(&loaded, &trials))
            return result;
        QList<ServiceGroup> groups;
        QList<recipe::Diagnostic> diags;
        if (!groupTrials(loaded.recipe, trials, &groups, &diags)) {
            result.state = RunState::Failed;
            result.error = recipe::formatDiagnostics(diags);
            return result;
        }
        servicesInfo = recipe::servicesManifest(loaded.recipe);
        for (const ServiceGroup &g : std::as_const(groups)) {
            QJsonArray members;
            for (int i : g.trials)
                members << trials[i].id;
            groupsInfo << QJsonObject{{QStringLiteral("id"), g.id}, {QStringLiteral("shared"), g.shared}, {QStringLiteral("trials"), members}};
        }
        if (prepareRun(loaded, trials)) {
            if (loaded.recipe.sweep.reuseServices && groups.size() < trials.size())
                journal.info({}, QStringLiteral("start"), QStringLiteral("%1 service group(s) for %2 trial(s): each group's services start once (sweep.reuse_services)")
                                                          .arg(groups.size()).arg(trials.size()));
            TrialScheduler scheduler(ctx, q->m_store, TrialScheduler::Hooks{[this] { writeManifest(); },
                                                                          [this](const QString &why) { linkDown(why); },
                                                                          [this] { linkUp(); }});
            scheduler.run(trials, groups, parallelism(loaded.recipe));
        }
        return finish(trials.size());
    }

    CampaignResult finish(int trialCount)
    {
        RunRecord &run = journal.run();
        result.resultFiles = collector.downloaded();
        if (!q->m_interruption.isEmpty()) {
            // Stopped, not ended: the jobs (if any) are left as they are.
            result.state = RunState::Interrupted;
            const QString jobs = jobsStillThere();
            result.error = q->m_interruption
                + (jobs.isEmpty() ? QStringLiteral("\nNo job of the run is left on the cluster.")
                                  : QStringLiteral("\nJobs of the run still on %1 (as last seen):\n%2").arg(q->m_runner->destination(), jobs))
                + QStringLiteral("\nResume the run once that is fixed (fbctl resume %1), or cancel its jobs (fbctl cancel %1).").arg(run.id);
            if (!run.id.isEmpty()) {
                run.state = result.state;
                run.error = result.error;
                journal.save(run);
                journal.error({}, QStringLiteral("end"), QStringLiteral("run %1 interrupted: %2").arg(run.id, result.error));
            }
            return result;
        }
        if (q->m_detach.load()) {
            result.state = RunState::Detached;
            journal.info({}, QStringLiteral("end"), QStringLiteral("run %1 detached: its jobs keep running; resume it to finish").arg(run.id));
            return result;
        }
        if (cancelled()) {
            result.state = RunState::Cancelled;
            // Whatever is still queued or running for this run goes too. A
            // cancel that cannot reach the cluster leaves the jobs running:
            // the run is then "interrupted", never "cancelled" (resume or
            // cancel it later; the jobs are listed).
            if (!ctx.cancelJobs(q->m_store->jobs(run.id), {})) {
                q->m_interruption = QStringLiteral("cancelled, but scancel did not reach %1").arg(q->m_runner->destination());
                return finish(trialCount);
            }
        } else if (result.trialsCompleted == trialCount && trialCount > 0) {
            result.state = RunState::Completed;
        } else {
            result.state = RunState::Failed;
            if (result.error.isEmpty())
                result.error = QStringLiteral("%1 of %2 trial(s) completed").arg(result.trialsCompleted).arg(trialCount);
        }
        if (!run.id.isEmpty()) {
            run.state = result.state;
            run.error = result.state == RunState::Completed ? QString() : result.error;
            run.finishedAt = QDateTime::currentDateTimeUtc();
            writeManifest();
            journal.info({}, QStringLiteral("end"), QStringLiteral("run %1 %2: %3 completed, %4 failed")
                                                .arg(run.id, stateName(result.state)).arg(result.trialsCompleted).arg(result.trialsFailed));
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
    qRegisterMetaType<fb::session::TrialState>();
    qRegisterMetaType<fb::session::RunState>();
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
    run->state = RunState::Cancelled;
    run->finishedAt = QDateTime::currentDateTimeUtc();
    return store->saveRun(*run, error);
}

QStringList Campaign::mergeLogs(const QString &trialDir)
{
    return ResultCollector::mergeLogs(trialDir);
}

} // namespace fb::session
