#include "SessionPlan.h"

#include "recipe/BatchScriptGenerator.h"
#include "recipe/Quantities.h"
#include "recipe/RecipeLoader.h"
#include "recipe/SweepExpander.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QRegularExpression>

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
    static const QRegularExpression directive(QStringLiteral("^#SBATCH\\s+--([a-z-]+)(?:=(\\S+))?"),
                                              QRegularExpression::MultilineOption);
    for (auto it = directive.globalMatch(script.text); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        const QString option = m.captured(1), value = m.captured(2);
        if (option == QLatin1String("partition"))
            j.partition = value;
        else if (option == QLatin1String("time")) {
            j.timeLimit = value;
            j.timeLimitSeconds = recipe::parseSlurmTimeLimit(value);
        } else if (option == QLatin1String("nodes"))
            j.nodes = std::max(1, value.section(QLatin1Char('-'), -1).toInt()); // "2" or "1-2": the most it may hold
        else if (option == QLatin1String("cpus-per-task"))
            j.cpusPerTask = value;
        else if (option == QLatin1String("mem"))
            j.memory = value;
        else if (option == QLatin1String("gres"))
            j.gres = value;
    }
    return j;
}

int SessionPlan::jobCount() const
{
    int n = 0;
    for (const PlannedTrial &t : trials)
        n += int(t.jobs.size());
    return n;
}

double SessionPlan::nodeHours() const
{
    double h = 0;
    for (const PlannedTrial &t : trials)
        for (const PlannedJob &j : t.jobs)
            h += j.nodes * j.timeLimitSeconds / 3600.0;
    return h;
}

int SessionPlan::jobsWithoutTimeLimit() const
{
    int n = 0;
    for (const PlannedTrial &t : trials)
        for (const PlannedJob &j : t.jobs)
            n += j.timeLimitSeconds <= 0 ? 1 : 0;
    return n;
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
    return count(trials.size(), "%1 trial", "%1 trials") + QStringLiteral(" · ") + count(jobCount(), "%1 job", "%1 jobs")
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
    QList<recipe::Trial> trials;
    QList<recipe::Diagnostic> diags;
    if (!recipe::SweepExpander().expand(loaded.recipe, &trials, &diags)) {
        p.diagnostics += recipe::formatDiagnostics(diags);
        return p;
    }
    const recipe::Recipe &r = loaded.recipe;
    p.workload = r.clients.isEmpty() ? QString() : r.clients.first().workload;
    p.monitor = r.monitor.enabled;
    p.scrapeInterval = r.monitor.scrapeInterval;
    p.maxParallelTrials = std::max(1, r.sweep.maxParallelTrials);
    for (const recipe::Trial &t : trials) {
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
        recipe::ScriptContext ctx;
        ctx.trialId = t.id;
        ctx.trialDir = ctx.runDir + QLatin1Char('/') + t.id;
        QList<recipe::BatchScript> scripts;
        QStringList errors;
        if (!recipe::BatchScriptGenerator().generate(t.recipe, ctx, &scripts, &errors)) {
            pt.error = errors.join(QStringLiteral("; "));
            pt.scripts = tr("# cannot generate the scripts:\n# ") + errors.join(QStringLiteral("\n# "));
        } else {
            for (const recipe::BatchScript &s : scripts) {
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
