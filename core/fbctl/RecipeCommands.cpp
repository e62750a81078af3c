// fbctl validate RECIPE [--profile NAME | --profile-file FILE] | plan RECIPE [--trial N] [--out DIR]
// validate: load + validate, print every diagnostic; exit 3 on errors. With a
// profile, also what the recipe needs that the cluster lacks (its "tools").
// plan: expand the sweep, list the trials and their parameters, and print (or
// write to DIR/<trial id>/) the batch scripts of one trial or of all trials.
#include "Command.h"
#include "TargetOption.h"

#include "recipe/BatchScriptGenerator.h"
#include "ssh/ConnectionProfile.h"
#include "recipe/RecipeLoader.h"
#include "recipe/RecipeValidator.h"
#include "recipe/SweepExpander.h"
#include "session/CampaignPlan.h"
#include "session/ServiceGroups.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

namespace fb::cli {
namespace {

using namespace fb::recipe;

// `targets` (--target) make services external before validation.
bool loadValid(const QString &path, Recipe *out, const ClusterTools &tools = {}, const QList<TargetOverride> &targets = {})
{
    if (!QFileInfo::exists(path)) {
        err() << "fbctl: " << path << ": no such file\n";
        return false;
    }
    LoadResult r = RecipeLoader().loadFile(path);
    QString targetError;
    if (r.ok() && !applyTargets(&r.recipe, targets, &targetError)) {
        err() << "fbctl: " << targetError << '\n';
        return false;
    }
    if (r.ok()) { // RecipeLoader::loadAndValidateFile, with the targets applied in between
        RecipeValidator validator;
        validator.tools = tools;
        r.diagnostics += validator.validate(r.recipe);
    }
    err() << formatDiagnostics(r.diagnostics);
    err().flush(); // warnings before the summary on a terminal
    *out = r.recipe;
    return r.ok();
}

int validateCommand(const QStringList &args)
{
    const QString usage = QStringLiteral("usage: fbctl validate RECIPE [--profile NAME | --profile-file FILE]\n"
                                         "  with a profile, also warns about what the recipe needs that the cluster lacks\n"
                                         "  (Apptainer for containers, environment modules), as the profile's \"tools\" say\n");
    QString path, profileName, profileFile;
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        if (a == QLatin1String("--help")) { out() << usage; return Ok; }
        if (a == QLatin1String("--profile") && i + 1 < args.size())
            profileName = args[++i];
        else if (a == QLatin1String("--profile-file") && i + 1 < args.size())
            profileFile = args[++i];
        else if (path.isEmpty() && !a.startsWith(QLatin1String("--")))
            path = a;
        else { err() << usage; return Usage; }
    }
    if (path.isEmpty()) { err() << usage; return Usage; }
    ClusterTools tools;
    if (!profileName.isEmpty() || !profileFile.isEmpty()) {
        ConnectionProfile profile;
        if (!loadProfile(profileName, profileFile, &profile))
            return InvalidInput;
        tools = profile.tools;
        tools.source = profile.name;
    }
    Recipe recipe;
    if (!loadValid(path, &recipe, tools)) {
        err().flush();
        return InvalidInput;
    }
    QList<Trial> trials;
    QList<Diagnostic> diags;
    QList<session::ServiceGroup> groups;
    if (!SweepExpander().expand(recipe, &trials, &diags) || !session::groupTrials(recipe, trials, &groups, &diags)) {
        err() << formatDiagnostics(diags);
        return InvalidInput;
    }
    out() << path << ": valid; " << recipe.services.size() << " service(s), " << recipe.clients.size()
          << " client(s), " << trials.size() << " trial(s)";
    if (recipe.sweep.reuseServices && !recipe.services.isEmpty())
        out() << " in " << groups.size() << " service group(s)";
    out() << "\n";
    return Ok;
}

int planCommand(const QStringList &args)
{
    const QString usage = QStringLiteral("usage: fbctl plan RECIPE [--trial N] [--out DIR] [--target NAME=HOST:PORT]...\n"
                                         "  lists the trials; prints trial N's batch scripts (default: the first),\n"
                                         "  or with --out writes every trial's (or trial N's) scripts to DIR/<trial id>/;\n"
                                         "  --target: service NAME already runs at HOST:PORT (no job), as with fbctl run\n");
    QString path, outDir;
    QStringList targetValues;
    int trialNumber = 0;
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        if (a == QLatin1String("--help")) { out() << usage; return Ok; }
        if (a == QLatin1String("--trial") && i + 1 < args.size()) {
            bool ok = false;
            trialNumber = args[++i].toInt(&ok);
            if (!ok || trialNumber < 1) { err() << "fbctl: --trial takes a trial number from 1\n" << usage; return Usage; }
        } else if (a == QLatin1String("--out") && i + 1 < args.size()) {
            outDir = args[++i];
        } else if (a == QLatin1String("--target") && i + 1 < args.size()) {
            targetValues << args[++i];
        } else if (path.isEmpty() && !a.startsWith(QLatin1String("--"))) {
            path = a;
        } else {
            err() << usage;
            return Usage;
        }
    }
    if (path.isEmpty()) { err() << usage; return Usage; }
    QList<TargetOverride> targets;
    QString targetError;
    if (!parseTargets(targetValues, &targets, &targetError)) {
        err() << "fbctl: " << targetError << '\n';
        return Usage;
    }
    Recipe recipe;
    if (!loadValid(path, &recipe, {}, targets))
        return InvalidInput;
    // The typed plan: every trial with its scripts and their requests
    // (session/CampaignPlan), the same the Session panel shows.
    const QString name = recipe.metadata.name.isEmpty() ? QFileInfo(path).completeBaseName() : recipe.metadata.name;
    ScriptContext ctx;
    ctx.runId = BatchScriptGenerator::safeName(name);
    ctx.runDir = QStringLiteral("$HOME/factorybench/runs/") + ctx.runId;
    session::CampaignPlan plan;
    QList<Diagnostic> diags;
    if (!plan.build(recipe, ctx, &diags)) {
        err() << formatDiagnostics(diags);
        return InvalidInput;
    }
    const QList<session::PlannedTrial> &trials = plan.trials();
    if (trialNumber > trials.size()) {
        err() << "fbctl: the recipe has " << trials.size() << " trial(s)\n";
        return Usage;
    }
    out() << trials.size() << " trial(s)";
    if (plan.reuseServices() && !recipe.services.isEmpty())
        out() << " in " << plan.groups().size() << " service group(s) (sweep.reuse_services: each group's services start once)";
    out() << '\n';
    out() << plan.jobCount() << " job(s), " << plan.nodeHoursText() << '\n';
    if (plan.reuseServices() && !recipe.services.isEmpty()) {
        for (const session::PlannedGroup &g : plan.groups()) {
            QStringList services, members;
            for (const BatchScript &s : g.services)
                services << s.name + QStringLiteral(" (") + s.request.timeText() + QLatin1Char(')');
            for (const Service &s : g.group.services.services)
                if (s.external.isSet())
                    services << s.name + QStringLiteral(" (external)");
            for (int i : g.group.trials)
                members << trials[i].trial.id;
            out() << "  " << g.group.id << "  services " << services.join(QStringLiteral(", ")) << "  trials " << members.join(QLatin1Char(' ')) << '\n';
        }
    }
    for (const QString &line : externalServiceLines(recipe))
        out() << line << '\n';
    for (const session::PlannedTrial &p : trials) {
        QStringList params;
        for (const KeyValue &kv : p.trial.parameters)
            params << kv.key + QLatin1Char('=') + kv.value;
        out() << "  " << p.trial.id << "  " << p.trial.key << "  " << params.join(QStringLiteral("  ")) << '\n';
    }
    QStringList writtenGroups;
    for (int i = 0; i < trials.size(); ++i) {
        if (trialNumber ? i + 1 != trialNumber : (outDir.isEmpty() && i > 0))
            continue;
        const session::PlannedTrial &t = trials[i];
        if (!t.errors.isEmpty()) {
            for (const QString &e : t.errors)
                err() << "fbctl: " << e << '\n';
            return InvalidInput;
        }
        // With service reuse the services' scripts are the trial's group's, in the group's folder (once).
        QList<std::pair<QString, BatchScript>> scripts;
        const bool reuse = plan.reuseServices();
        for (const session::PlannedGroup &g : plan.groups())
            if (reuse && g.group.trials.contains(i) && !writtenGroups.contains(g.group.id)) {
                writtenGroups << g.group.id;
                for (const BatchScript &s : g.services)
                    scripts.append({g.group.id, s});
            }
        for (const BatchScript &s : t.scripts)
            if (!reuse || s.role != QLatin1String("service"))
                scripts.append({t.trial.id, s});
        for (const auto &[folder, s] : std::as_const(scripts)) {
            if (outDir.isEmpty()) {
                out() << "\n===== " << folder << '/' << s.fileName << " =====\n" << s.text;
                continue;
            }
            const QString dir = outDir + QLatin1Char('/') + folder;
            QDir().mkpath(dir);
            QSaveFile f(dir + QLatin1Char('/') + s.fileName);
            if (!f.open(QIODevice::WriteOnly) || f.write(s.text.toUtf8()) < 0 || !f.commit()) {
                err() << "fbctl: " << f.fileName() << ": " << f.errorString() << '\n';
                return Failed;
            }
            out() << "wrote " << f.fileName() << '\n';
        }
    }
    return Ok;
}

} // namespace

FB_FBCTL_COMMAND(QStringLiteral("validate"), QStringLiteral("check a recipe: every error with field path and file:line:column"), validateCommand);
FB_FBCTL_COMMAND(QStringLiteral("plan"), QStringLiteral("list a recipe's trials and show or write their batch scripts"), planCommand);

} // namespace fb::cli
