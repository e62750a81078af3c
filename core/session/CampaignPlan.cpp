#include "CampaignPlan.h"

#include "common/Units.h"

#include <algorithm>

namespace fb::session {

QList<recipe::JobRequest> PlannedTrial::jobs() const
{
    QList<recipe::JobRequest> out;
    for (const recipe::BatchScript &s : scripts)
        out << s.request;
    return out;
}

bool CampaignPlan::build(const recipe::Recipe &recipe, const recipe::ScriptContext &context, QList<recipe::Diagnostic> *diagnostics)
{
    m_trials.clear();
    m_maxParallelTrials = std::max(1, recipe.sweep.maxParallelTrials);
    QList<recipe::Trial> trials;
    if (!recipe::SweepExpander().expand(recipe, &trials, diagnostics))
        return false;
    const recipe::BatchScriptGenerator generator;
    for (const recipe::Trial &t : std::as_const(trials)) {
        PlannedTrial p;
        p.trial = t;
        recipe::ScriptContext ctx = context;
        ctx.trialId = t.id;
        ctx.trialDir = ctx.runDir + QLatin1Char('/') + t.id;
        QStringList errors;
        if (!generator.generate(t.recipe, ctx, &p.scripts, &errors)) {
            p.scripts.clear();
            p.errors = errors;
        }
        m_trials << p;
    }
    return true;
}

int CampaignPlan::jobCount() const
{
    int n = 0;
    for (const PlannedTrial &t : m_trials)
        n += int(t.scripts.size());
    return n;
}

double CampaignPlan::nodeHours() const
{
    double h = 0;
    for (const PlannedTrial &t : m_trials)
        h += recipe::nodeHours(t.jobs());
    return h;
}

int CampaignPlan::jobsWithoutTimeLimit() const
{
    int n = 0;
    for (const PlannedTrial &t : m_trials)
        for (const recipe::BatchScript &s : t.scripts)
            n += s.request.hasTimeLimit() ? 0 : 1;
    return n;
}

QString CampaignPlan::nodeHoursText() const
{
    QString text = units::format(nodeHours(), units::Unit::None) + QStringLiteral(" node-hours (from time limits)");
    if (const int open = jobsWithoutTimeLimit(); open > 0)
        text += open == 1 ? QStringLiteral(", 1 job without a time limit not counted")
                          : QStringLiteral(", %1 jobs without a time limit not counted").arg(open);
    return text;
}

} // namespace fb::session
