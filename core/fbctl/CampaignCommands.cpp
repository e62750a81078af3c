// fbctl run | resume | status | cancel | results | logs — campaigns on a cluster.
//
//   fbctl run RECIPE --profile NAME [--keep-services] [--stop-on-failure] [--parallel N] [--workdir DIR] [--fbload PATH]
//             [--reconnect-window SECONDS] [--openssh] [--target NAME=HOST:PORT]...
//   fbctl resume RUN [--profile NAME] [--parallel N] [--recipe FILE] [--reconnect-window SECONDS]
//   fbctl status [RUN]
//   fbctl cancel RUN [--profile NAME]
//   fbctl results RUN
//   fbctl logs RUN [--trial ID] [--json]
//
// Progress goes to stdout, one event per line. Ctrl-C (SIGINT) or SIGTERM
// cancels: the run's jobs are scancelled and the run ends "cancelled" (exit 5)
// — unless scancel cannot reach the cluster: the run then ends "interrupted"
// with its jobs listed (exit 4), never "cancelled" while they keep running.
// A cluster out of reach for longer than the reconnect window (a lost link,
// a changed host key) ends the run "interrupted" too (exit 4).
// A killed fbctl (SIGKILL, lost laptop) leaves the run "running" in the store:
// `fbctl resume RUN` re-attaches to its jobs and finishes it.
#include "Command.h"
#include "TargetOption.h"

#include "common/Paths.h"
#include "session/Campaign.h"
#include "session/RunStore.h"
#include "session/StudyLoader.h"
#include "common/Units.h"
#include "ssh/ConnectionProfile.h"
#include "session/ClusterTransport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>

namespace fb::cli {
namespace {

using namespace fb::session;

std::atomic<Campaign *> g_running{nullptr};

extern "C" void onInterrupt(int)
{
    if (Campaign *c = g_running.load())
        c->requestCancel(); // an atomic store: async-signal-safe
}

bool openStore(RunStore *store)
{
    QString error;
    if (!store->open(Paths::runStorePath(), &error)) {
        err() << "fbctl: " << error << '\n';
        return false;
    }
    return true;
}

QCommandLineParser *parserFor(const QString &syntax, const QList<QCommandLineOption> &options)
{
    auto *p = new QCommandLineParser;
    p->setApplicationDescription(syntax);
    p->addOptions(options);
    p->addHelpOption();
    return p;
}

int exitFor(const CampaignResult &r)
{
    if (r.state == RunState::Completed)
        return Ok;
    if (r.state == RunState::Interrupted)
        return r.error.startsWith(QLatin1String("cannot write")) ? Failed : Connection;
    if (r.state == RunState::Cancelled)
        return Cancelled;
    if (r.error.contains(QLatin1String("ssh:")) || r.error.contains(QLatin1String("Connection")))
        return Connection;
    return Failed;
}

bool g_openSsh = false; // --openssh: the system's ssh/scp instead of the libssh session

// --reconnect-window SECONDS: a whole number >= 1.
bool parseWindow(const QString &text, int *outMs)
{
    bool ok = false;
    const int n = text.toInt(&ok);
    if (!ok || n < 1 || n > 86400) {
        err() << "fbctl: --reconnect-window: expected seconds from 1 to 86400, got \"" << text << "\"\n";
        return false;
    }
    *outMs = n * 1000;
    return true;
}

QCommandLineOption reconnectWindowOption()
{
    return QCommandLineOption(QStringLiteral("reconnect-window"),
                              QStringLiteral("How long the cluster may be unreachable before the run stops \"interrupted\" (default 300)."),
                              QStringLiteral("seconds"));
}

// --parallel N: a whole number >= 1.
bool parseParallel(const QString &text, int *out)
{
    bool ok = false;
    const int n = text.toInt(&ok);
    if (!ok || n < 1) {
        err() << "fbctl: --parallel: expected a whole number >= 1, got \"" << text << "\"\n";
        return false;
    }
    *out = n;
    return true;
}

int runCampaign(const CampaignOptions &options, const ConnectionProfile &profile, RunStore *store)
{
    ClusterTransport link;
    if (!link.open(profile, g_openSsh ? ClusterTransport::Kind::OpenSsh : ClusterTransport::Kind::LibSsh)) {
        err() << "fbctl: " << link.error() << '\n';
        // Accepting a new key is the answer to an unknown host only: a changed
        // key needs the user to check it and fix known_hosts themselves.
        if (link.error().contains(QLatin1String("not known")))
            err() << "(accept the host key first: fbctl connect --profile " << profile.name << " --accept-new-host)\n";
        return Connection;
    }
    Campaign campaign(link.commands(), link.files(), store);
    link.setLinkObserver([&campaign](bool up, const QString &reason) { campaign.reportLink(up, reason); });
    QObject::connect(&campaign, &Campaign::event, [](const CampaignEvent &e) {
        // Progress is read live by people and by scripts through a pipe: flush
        // the C stream too (stdout is fully buffered when it is not a terminal).
        (e.level == CampaignEvent::Info ? out() : err()) << e.toText() << '\n';
        out().flush();
        err().flush();
        std::fflush(stdout);
    });
    g_running = &campaign;
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    const CampaignResult r = campaign.run(options);
    g_running = nullptr;
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    out() << "run " << r.runId << ": " << stateName(r.state) << " (" << r.trialsCompleted << " completed, " << r.trialsFailed
          << " failed; " << r.jobsSubmitted << " job(s) submitted, " << r.resultFiles << " result file(s) downloaded)\n";
    // An interrupted run already said why (and which jobs are left) in its last event.
    if (!r.error.isEmpty() && r.state != RunState::Completed && !(r.state == RunState::Interrupted && !r.runId.isEmpty()))
        err() << "fbctl: " << r.error << '\n';
    return exitFor(r);
}

int runCommand(const QStringList &args)
{
    const QCommandLineOption profile(QStringLiteral("profile"), QStringLiteral("Connection profile name."), QStringLiteral("name"));
    const QCommandLineOption profileFile(QStringLiteral("profile-file"), QStringLiteral("Connection profile JSON file."), QStringLiteral("file"));
    const QCommandLineOption keep(QStringLiteral("keep-services"), QStringLiteral("Leave service and monitor jobs running after each trial."));
    const QCommandLineOption stop(QStringLiteral("stop-on-failure"), QStringLiteral("Stop at the first failed trial."));
    const QCommandLineOption parallel(QStringLiteral("parallel"), QStringLiteral("Run up to N trials at once (default: the recipe's sweep.max_parallel_trials, else 1)."), QStringLiteral("N"));
    const QCommandLineOption workdir(QStringLiteral("workdir"), QStringLiteral("Remote work folder (default: the recipe's, else $HOME/factorybench)."), QStringLiteral("dir"));
    const QCommandLineOption fbload(QStringLiteral("fbload"), QStringLiteral("Use this remote fbload binary instead of deploying one."), QStringLiteral("path"));
    const QCommandLineOption openssh(QStringLiteral("openssh"), QStringLiteral("Use the system's OpenSSH client instead of FactoryBench's own SSH session."));
    const QCommandLineOption window = reconnectWindowOption();
    const QCommandLineOption target(QStringLiteral("target"),
                                    QStringLiteral("Service NAME already runs at HOST:PORT: no job for it, its health check runs from the clients (repeatable)."),
                                    QStringLiteral("NAME=HOST:PORT"));
    std::unique_ptr<QCommandLineParser> p(parserFor(QStringLiteral("fbctl run RECIPE --profile NAME"), {profile, profileFile, keep, stop, parallel, workdir, fbload, openssh, window, target}));
    if (!p->parse(QStringList{QStringLiteral("fbctl run")} + args) || p->positionalArguments().size() != 1
        || (!p->isSet(profile) && !p->isSet(profileFile))) {
        if (p->isSet(QStringLiteral("help"))) {
            out() << p->helpText();
            return Ok;
        }
        err() << (p->errorText().isEmpty() ? QString() : p->errorText() + QLatin1Char('\n'))
              << "usage: fbctl run RECIPE --profile NAME [--keep-services] [--stop-on-failure] [--parallel N] [--workdir DIR] [--fbload PATH] [--reconnect-window SECONDS] [--openssh] [--target NAME=HOST:PORT]...\n";
        return Usage;
    }
    int parallelTrials = 0;
    if (p->isSet(parallel) && !parseParallel(p->value(parallel), &parallelTrials))
        return Usage;
    int windowMs = CampaignOptions().reconnectWindowMs;
    if (p->isSet(window) && !parseWindow(p->value(window), &windowMs))
        return Usage;
    QList<recipe::TargetOverride> targets;
    QString targetError;
    if (!parseTargets(p->values(target), &targets, &targetError)) {
        err() << "fbctl: " << targetError << '\n';
        return Usage;
    }
    ConnectionProfile prof;
    if (!loadProfile(p->value(profile), p->value(profileFile), &prof))
        return InvalidInput;
    RunStore store;
    if (!openStore(&store))
        return Failed;
    CampaignOptions o;
    o.recipePath = p->positionalArguments().first();
    if (!QFileInfo::exists(o.recipePath)) {
        err() << "fbctl: " << o.recipePath << ": no such file\n";
        return InvalidInput;
    }
    if (!targets.isEmpty()) {
        // The campaign runs a copy with the targets written in (TargetOption.h).
        if (!writeTargetedRecipe(o.recipePath, targets, &o.recipePath, &targetError)) {
            err() << "fbctl: " << targetError << '\n';
            return InvalidInput;
        }
        out() << "--target: running " << o.recipePath << '\n';
    }
    o.profileName = prof.name;
    o.remoteWorkDir = p->value(workdir).isEmpty() ? prof.remoteWorkDir : p->value(workdir);
    o.buildPrelude = prof.buildPrelude;
    o.clusterTools = prof.tools;
    o.clusterTools.source = prof.name;
    o.fbloadPath = p->value(fbload);
    o.keepServices = p->isSet(keep);
    o.stopOnFailure = p->isSet(stop);
    o.maxParallelTrials = parallelTrials;
    o.reconnectWindowMs = windowMs;
    g_openSsh = p->isSet(openssh);
    const int code = runCampaign(o, prof, &store);
    // Invalid recipes fail before a run exists.
    return code == Failed && store.runs().isEmpty() ? InvalidInput : code;
}

int resumeCommand(const QStringList &args)
{
    const QCommandLineOption profile(QStringLiteral("profile"), QStringLiteral("Connection profile (default: the run's)."), QStringLiteral("name"));
    const QCommandLineOption profileFile(QStringLiteral("profile-file"), QStringLiteral("Connection profile JSON file."), QStringLiteral("file"));
    const QCommandLineOption openssh(QStringLiteral("openssh"), QStringLiteral("Use the system's OpenSSH client."));
    const QCommandLineOption parallel(QStringLiteral("parallel"), QStringLiteral("Run up to N trials at once (default: as the run started)."), QStringLiteral("N"));
    const QCommandLineOption recipe(QStringLiteral("recipe"), QStringLiteral("Take the run's secrets from this recipe file (default: the file the run started from)."), QStringLiteral("file"));
    const QCommandLineOption window = reconnectWindowOption();
    std::unique_ptr<QCommandLineParser> p(parserFor(QStringLiteral("fbctl resume RUN"), {profile, profileFile, openssh, parallel, recipe, window}));
    const QString usage = QStringLiteral("usage: fbctl resume RUN [--profile NAME] [--parallel N] [--recipe FILE] [--reconnect-window SECONDS] [--openssh]\n");
    if (!p->parse(QStringList{QStringLiteral("fbctl resume")} + args) || p->positionalArguments().size() != 1) {
        if (p->isSet(QStringLiteral("help")))
            return out() << p->helpText(), Ok;
        err() << usage;
        return Usage;
    }
    int parallelTrials = 0;
    if (p->isSet(parallel) && !parseParallel(p->value(parallel), &parallelTrials))
        return Usage;
    int windowMs = CampaignOptions().reconnectWindowMs;
    if (p->isSet(window) && !parseWindow(p->value(window), &windowMs))
        return Usage;
    RunStore store;
    if (!openStore(&store))
        return Failed;
    const QString runId = p->positionalArguments().first();
    auto run = store.run(runId);
    if (!run) {
        err() << "fbctl: no run " << runId << " in " << store.path() << " (`fbctl status` lists the runs)\n";
        return InvalidInput;
    }
    ConnectionProfile prof;
    if (!loadProfile(p->isSet(profile) ? p->value(profile) : run->profile, p->value(profileFile), &prof))
        return InvalidInput;
    CampaignOptions o;
    o.resumeRunId = runId;
    o.maxParallelTrials = parallelTrials;
    o.reconnectWindowMs = windowMs;
    o.secretsRecipePath = p->value(recipe);
    o.profileName = prof.name;
    o.buildPrelude = prof.buildPrelude;
    o.clusterTools = prof.tools;
    o.clusterTools.source = prof.name;
    const QJsonObject fbload = run->manifest.value(QStringLiteral("fbload")).toObject();
    o.fbloadPath = fbload.value(QStringLiteral("path")).toString(); // the same binary as before
    g_openSsh = p->isSet(openssh);
    return runCampaign(o, prof, &store);
}

int statusCommand(const QStringList &args)
{
    if (args.size() > 1 || (args.size() == 1 && args.first().startsWith(QLatin1Char('-')))) {
        const bool help = args.first() == QLatin1String("--help");
        (help ? out() : err()) << "usage: fbctl status [RUN]\n";
        return help ? Ok : Usage;
    }
    RunStore store;
    if (!openStore(&store))
        return Failed;
    if (args.isEmpty()) {
        for (const RunRecord &r : store.runs())
            out() << r.id << '\t' << stateName(r.state) << '\t' << r.profile << '\t' << r.createdAt.toString(Qt::ISODate) << '\n';
        return Ok;
    }
    auto run = store.run(args.first());
    if (!run) {
        err() << "fbctl: no run " << args.first() << " in " << store.path() << '\n';
        return InvalidInput;
    }
    out() << "run " << run->id << " (" << run->name << ") " << stateName(run->state) << " on " << run->profile << '\n'
          << "remote folder " << run->remoteDir << '\n';
    if (!run->error.isEmpty())
        out() << "error: " << run->error << '\n';
    for (const TrialRecord &t : store.trials(run->id)) {
        QStringList params;
        for (auto it = t.params.begin(); it != t.params.end(); ++it)
            params << it.key() + QLatin1Char('=') + it.value().toVariant().toString();
        out() << "  " << t.trialId << '\t' << stateName(t.state) << '\t' << t.step << '\t' << params.join(QStringLiteral(", ")) << '\n';
        if (!t.error.isEmpty())
            out() << "    error: " << t.error.section(QLatin1Char('\n'), 0, 0) << '\n';
        for (const JobRecord &j : store.jobs(run->id, t.trialId))
            out() << "    job " << j.jobId << '\t' << j.component << '\t' << stateName(j.state) << (j.nodes.isEmpty() ? QString() : QStringLiteral(" on ") + j.nodes) << '\n';
    }
    return Ok;
}

int cancelCommand(const QStringList &args)
{
    const QCommandLineOption profile(QStringLiteral("profile"), QStringLiteral("Connection profile (default: the run's)."), QStringLiteral("name"));
    const QCommandLineOption profileFile(QStringLiteral("profile-file"), QStringLiteral("Connection profile JSON file."), QStringLiteral("file"));
    std::unique_ptr<QCommandLineParser> p(parserFor(QStringLiteral("fbctl cancel RUN"), {profile, profileFile}));
    if (!p->parse(QStringList{QStringLiteral("fbctl cancel")} + args) || p->positionalArguments().size() != 1) {
        if (p->isSet(QStringLiteral("help")))
            return out() << p->helpText(), Ok;
        err() << "usage: fbctl cancel RUN [--profile NAME]\n";
        return Usage;
    }
    RunStore store;
    if (!openStore(&store))
        return Failed;
    auto run = store.run(p->positionalArguments().first());
    if (!run) {
        err() << "fbctl: no run " << p->positionalArguments().first() << '\n';
        return InvalidInput;
    }
    ConnectionProfile prof;
    if (!loadProfile(p->isSet(profile) ? p->value(profile) : run->profile, p->value(profileFile), &prof))
        return InvalidInput;
    ClusterTransport link;
    if (!link.open(prof)) {
        err() << "fbctl: " << link.error() << '\n';
        return Connection;
    }
    QString error;
    if (!Campaign::cancelRun(link.commands(), &store, run->id, &error)) {
        err() << "fbctl: " << error << '\n';
        return Failed;
    }
    out() << "run " << run->id << " cancelled\n";
    return Ok;
}

// One line per trial whose load generator limited it (run.generator).
void printGeneratorLimited(const metrics::Study &study, QTextStream &to)
{
    for (const metrics::StudyTrial &t : study.trials())
        if (t.result)
            if (const QString why = t.result->generatorLimitedReason(); !why.isEmpty())
                to << t.id << ": GENERATOR LIMITED: " << why << '\n';
}

// `fbctl results RUN --summary`: one row per trial — its swept values and
// the run's main figures (Study::mainMetrics: throughput, p50/p99 latencies,
// error rate) in scaled units, columns aligned for a terminal.
int printResultSummary(const RunStore &store, const QString &runId)
{
    QString error;
    const std::optional<metrics::Study> study = session::loadStudy(store, runId, &error);
    if (!study) {
        err() << "fbctl: " << error << '\n';
        return Failed;
    }
    const QStringList metricKeys = study->mainMetrics();
    QList<QStringList> rows;
    QStringList header{QStringLiteral("trial")};
    for (const metrics::StudyParameter &p : study->parameters())
        header << p.name;
    for (const QString &key : metricKeys)
        header << study->metric(key)->displayName();
    header << QStringLiteral("client");
    rows << header;
    for (const metrics::StudyTrial &t : study->trials()) {
        QStringList row{t.id};
        for (const metrics::StudyParameter &p : study->parameters())
            row << t.parameter(p.path);
        for (const QString &key : metricKeys) {
            const units::MetricUnit u = study->metric(key)->unit;
            const double v = t.value(key);
            row << (std::isfinite(v) ? units::format(v * u.toBase, u.unit) : (t.result ? QStringLiteral("n/a") : t.state));
        }
        // fbload's own verdict on itself (run.generator): the figures of a
        // generator-limited trial describe the client as much as the server.
        row << (!t.result ? QString() : t.result->generatorLimitedReason().isEmpty() ? QStringLiteral("ok") : QStringLiteral("GENERATOR LIMITED"));
        rows << row;
    }
    QList<qsizetype> widths(header.size(), 0);
    for (const QStringList &row : std::as_const(rows))
        for (qsizetype c = 0; c < row.size(); ++c)
            widths[c] = std::max(widths[c], row[c].size());
    for (const QStringList &row : std::as_const(rows)) {
        QString line;
        for (qsizetype c = 0; c < row.size(); ++c)
            line += c + 1 < row.size() ? row[c].leftJustified(widths[c] + 2) : row[c];
        out() << line << '\n';
    }
    for (const metrics::StudyTrial &t : study->trials())
        if (!t.error.isEmpty())
            out() << t.id << ": " << t.error << '\n';
    printGeneratorLimited(*study, out());
    return Ok;
}

int resultsCommand(const QStringList &args)
{
    const QStringList positional = QStringList(args).filter(QRegularExpression(QStringLiteral("^[^-]")));
    const bool summary = args.contains(QLatin1String("--summary"));
    if (positional.size() != 1 || args.size() != positional.size() + (summary ? 1 : 0)) {
        const bool help = args.contains(QLatin1String("--help"));
        (help ? out() : err()) << "usage: fbctl results RUN [--summary]\n"
                                  "  without --summary: trial, sha256, size and local path of each downloaded result\n"
                                  "  --summary: per trial its swept values, throughput, p50/p99 latency and error rate\n";
        return help ? Ok : Usage;
    }
    RunStore store;
    if (!openStore(&store))
        return Failed;
    if (!store.run(positional.first())) {
        err() << "fbctl: no run " << positional.first() << '\n';
        return InvalidInput;
    }
    if (summary)
        return printResultSummary(store, positional.first());
    for (const ResultFileRecord &r : store.resultFiles(positional.first()))
        out() << r.trialId << '\t' << r.sha256 << '\t' << r.size << '\t' << r.localPath << '\n';
    // The listing stays machine-readable; the generator verdict goes to stderr.
    QString error;
    if (const std::optional<metrics::Study> study = session::loadStudy(store, positional.first(), &error))
        printGeneratorLimited(*study, err());
    return Ok;
}

int logsCommand(const QStringList &args)
{
    const QCommandLineOption trial(QStringLiteral("trial"), QStringLiteral("Only this trial."), QStringLiteral("id"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("JSON lines instead of text."));
    std::unique_ptr<QCommandLineParser> p(parserFor(QStringLiteral("fbctl logs RUN"), {trial, json}));
    if (!p->parse(QStringList{QStringLiteral("fbctl logs")} + args) || p->positionalArguments().size() != 1) {
        if (p->isSet(QStringLiteral("help")))
            return out() << p->helpText(), Ok;
        err() << "usage: fbctl logs RUN [--trial ID] [--json]\n";
        return Usage;
    }
    RunStore store;
    if (!openStore(&store))
        return Failed;
    const QString runId = p->positionalArguments().first();
    if (!store.run(runId)) {
        err() << "fbctl: no run " << runId << '\n';
        return InvalidInput;
    }
    const QString runDir = Paths::stateDir() + QStringLiteral("/runs/") + runId;
    for (const TrialRecord &t : store.trials(runId)) {
        if (p->isSet(trial) && t.trialId != p->value(trial))
            continue;
        QFile f(runDir + QLatin1Char('/') + t.trialId + (p->isSet(json) ? QStringLiteral("/merged.jsonl") : QStringLiteral("/merged.log")));
        if (!f.open(QIODevice::ReadOnly)) {
            if (!p->isSet(json))
                out() << "# " << t.trialId << ": no merged log yet (" << stateName(t.state) << ")\n";
            continue;
        }
        if (!p->isSet(json))
            out() << "# " << t.trialId << '\n';
        out() << QString::fromUtf8(f.readAll());
    }
    return Ok;
}

} // namespace

FB_FBCTL_COMMAND(QStringLiteral("run"), QStringLiteral("run a recipe's campaign on a cluster"), runCommand);
FB_FBCTL_COMMAND(QStringLiteral("resume"), QStringLiteral("resume an interrupted campaign"), resumeCommand);
FB_FBCTL_COMMAND(QStringLiteral("status"), QStringLiteral("list runs, or show a run's trials and jobs"), statusCommand);
FB_FBCTL_COMMAND(QStringLiteral("cancel"), QStringLiteral("cancel a run's jobs"), cancelCommand);
FB_FBCTL_COMMAND(QStringLiteral("results"), QStringLiteral("list a run's downloaded result files"), resultsCommand);
FB_FBCTL_COMMAND(QStringLiteral("logs"), QStringLiteral("print a run's merged, time-ordered logs"), logsCommand);

} // namespace fb::cli
