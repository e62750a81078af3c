#include "SessionPlan.h"

#include "recipe/BatchScriptGenerator.h"
#include "recipe/ExternalTarget.h"
#include "recipe/Quantities.h"
#include "recipe/RecipeLoader.h"
#include "session/CampaignPlan.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QHash>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace fb::gui {

namespace {
QString tr(const char *text) { return QCoreApplication::translate("fb::gui::SessionPlan", text); }
// "1 trial", "3 trials": spelled out, as no translator is installed to pick plural forms.
QString count(qsizetype n, const char *one, const char *many) { return tr(n == 1 ? one : many).arg(n); }
} // namespace

PlannedJob PlannedJob::fromScript(const recipe::BatchScript &script)
{
    PlannedJob j;
    j.role = script.role;
    j.name = script.name;
    j.fileName = script.fileName;
    const recipe::JobRequest &r = script.request;
    j.request = r;
    j.partition = r.partition;
    j.timeLimit = r.timeText();
    j.timeLimitSeconds = r.hasTimeLimit() ? *r.timeSeconds : 0;
    j.nodes = r.nodeCount();
    j.cpusPerTask = r.cpusPerTask > 0 ? QString::number(r.cpusPerTask) : QString();
    j.memory = r.memoryText();
    j.gres = r.gres;
    return j;
}

double SessionPlan::estimatedWallSeconds() const
{
    const int parallel = std::max(1, maxParallelTrials);
    const auto batches = (trials.size() + parallel - 1) / parallel;
    return double(batches) * clientSeconds;
}

QString SessionPlan::summary() const
{
    if (!ok)
        return {};
    QString hours = tr("%1 node-hours (estimated, from time limits)").arg(QString::number(nodeHours(), 'g', 3));
    if (const int open = jobsWithoutTimeLimit(); open > 0)
        hours += count(open, ", %1 job without a time limit not counted", ", %1 jobs without a time limit not counted");
    if (!serviceGroups.isEmpty())
        hours += tr("; %1 without service reuse").arg(QString::number(nodeHoursWithoutReuse(), 'g', 3));
    QString external;
    if (!externalServices.isEmpty())
        external = QStringLiteral(" · ") + tr("external (no job): %1").arg(externalServices.join(QStringLiteral(", ")));
    QString groups;
    if (!serviceGroups.isEmpty())
        groups = QLatin1Char(' ') + count(serviceGroups.size(), "in %1 service group", "in %1 service groups");
    return count(trials.size(), "%1 trial", "%1 trials") + groups + QStringLiteral(" · ") + count(jobCount(), "%1 job", "%1 jobs") + external
        + QStringLiteral(" · ") + hours
        + QStringLiteral(" · ")
        + tr("est. wall time ≥ %1 (client run time; queue waits and start-up come on top)").arg(recipe::formatDuration(estimatedWallSeconds()));
}

SessionPlan SessionPlan::build(const QString &path)
{
    SessionPlan p;
    p.path = path;
    if (!QFileInfo::exists(path)) {
        p.diagnostics = tr("%1: no such file").arg(path);
        return p;
    }
    const recipe::LoadResult loaded = recipe::RecipeLoader().loadAndValidateFile(path);
    p.diagnostics = recipe::formatDiagnostics(loaded.diagnostics).trimmed();
    if (!loaded.ok())
        return p;
    session::CampaignPlan plan;
    QList<recipe::Diagnostic> diags;
    if (!plan.build(loaded.recipe, recipe::ScriptContext(), &diags)) {
        p.diagnostics += recipe::formatDiagnostics(diags);
        return p;
    }
    const recipe::Recipe &r = loaded.recipe;
    p.workload = r.clients.isEmpty() ? QString() : r.clients.first().workload;
    p.monitor = r.monitor.enabled;
    p.scrapeInterval = r.monitor.scrapeInterval;
    p.maxParallelTrials = std::max(1, r.sweep.maxParallelTrials);
    for (const recipe::Service &s : r.services)
        if (s.external.isSet())
            p.externalServices << s.name + QStringLiteral(" at ") + recipe::externalAddress(s.external);
    p.m_jobs = plan.jobCount();
    p.m_nodeHours = plan.nodeHours();
    p.m_nodeHoursWithoutReuse = plan.nodeHoursWithoutReuse();
    p.m_jobsWithoutLimit = plan.jobsWithoutTimeLimit();
    // A shared group's services: listed with its first trial, their scripts from the group's folder.
    QHash<int, const session::PlannedGroup *> sharedFrom; // first trial index → its group
    QSet<int> inShared;
    for (const session::PlannedGroup &g : plan.groups()) {
        if (!plan.reuseServices() || !g.group.shared)
            continue;
        sharedFrom.insert(g.group.trials.first(), &g);
        for (int i : g.group.trials)
            inShared.insert(i);
        QStringList members;
        for (int i : g.group.trials)
            members << plan.trials()[i].trial.id;
        QStringList names;
        for (const recipe::BatchScript &s : g.services)
            names << s.name;
        p.serviceGroups << QStringLiteral("%1: %2 — %3").arg(g.group.id, names.join(QStringLiteral(", ")), members.join(QLatin1Char(' ')));
    }
    for (int index = 0; index < plan.trials().size(); ++index) {
        const session::PlannedTrial &planned = plan.trials()[index];
        const recipe::Trial &t = planned.trial;
        PlannedTrial pt;
        pt.id = t.id;
        for (const recipe::KeyValue &kv : t.parameters)
            pt.parameters << kv.key + QLatin1Char('=') + kv.value;
        // A trial lasts as long as its longest client (fbload's default: 30 s
        // when neither duration nor a request count is given).
        double seconds = 0;
        for (const recipe::Client &c : t.recipe.clients)
            seconds = std::max(seconds, c.warmup + c.duration.value_or(c.requests ? 0.0 : 30.0));
        p.clientSeconds = std::max(p.clientSeconds, seconds);
        if (!planned.errors.isEmpty()) {
            pt.error = planned.errors.join(QStringLiteral("; "));
            pt.scripts = tr("# cannot generate the scripts:\n# ") + planned.errors.join(QStringLiteral("\n# "));
        } else {
            if (const session::PlannedGroup *g = sharedFrom.value(index))
                for (const recipe::BatchScript &s : g->services) {
                    PlannedJob job = PlannedJob::fromScript(s);
                    job.name += tr(" (service group %1)").arg(g->group.id);
                    pt.jobs << job;
                    pt.scripts += tr("# ===== %1/%2 (service job, shared by the %3 trials of service group %1) =====\n%4\n")
                                      .arg(g->group.id, s.fileName).arg(g->group.trials.size()).arg(s.text);
                }
            for (const recipe::BatchScript &s : planned.scripts) {
                if (inShared.contains(index) && s.role == QLatin1String("service"))
                    continue; // the group's, above
                pt.jobs << PlannedJob::fromScript(s);
                pt.scripts += QStringLiteral("# ===== %1 (%2 job) =====\n%3\n").arg(s.fileName, s.role, s.text);
            }
        }
        p.trials << pt;
    }
    p.ok = true;
    return p;
}

} // namespace fb::gui
