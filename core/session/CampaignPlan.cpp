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
    m_groups.clear();
    m_maxParallelTrials = std::max(1, recipe.sweep.maxParallelTrials);
    m_reuse = recipe.sweep.reuseServices;
    QList<recipe::Trial> trials;
    if (!recipe::SweepExpander().expand(recipe, &trials, diagnostics))
        return false;
    QList<ServiceGroup> groups;
    if (!groupTrials(recipe, trials, &groups, diagnostics))
        return false;
    const recipe::BatchScriptGenerator generator;
    QList<int> groupOf(trials.size(), 0);
    for (int g = 0; g < groups.size(); ++g) {
        PlannedGroup pg;
        pg.group = groups[g];
        recipe::ScriptContext ctx = context;
        ctx.trialId = groups[g].id;
        ctx.trialDir = ctx.runDir + QLatin1Char('/') + groups[g].id;
        QList<recipe::BatchScript> all;
        QStringList errors;
        if (generator.generate(groups[g].services, ctx, &all, &errors))
            for (const recipe::BatchScript &s : std::as_const(all))
                if (s.role == QLatin1String("service"))
                    pg.services << s;
        for (int i : std::as_const(groups[g].trials))
            groupOf[i] = g;
        m_groups << pg;
    }
    for (int i = 0; i < trials.size(); ++i) {
        const recipe::Trial &t = trials[i];
        PlannedTrial p;
        p.trial = t;
        recipe::ScriptContext ctx = context;
        ctx.trialId = t.id;
        ctx.trialDir = ctx.runDir + QLatin1Char('/') + t.id;
        if (m_reuse)
            ctx.servicesDir = ctx.runDir + QLatin1Char('/') + groups[groupOf[i]].id;
        QStringList errors;
        if (!generator.generate(t.recipe, ctx, &p.scripts, &errors)) {
            p.scripts.clear();
            p.errors = errors;
        }
        m_trials << p;
    }
    return true;
}

QList<recipe::JobRequest> CampaignPlan::jobs() const
{
    QList<recipe::JobRequest> out;
    if (m_reuse)
        for (const PlannedGroup &g : m_groups)
            for (const recipe::BatchScript &s : g.services)
                out << s.request;
    for (const PlannedTrial &t : m_trials)
        for (const recipe::BatchScript &s : t.scripts)
            if (!m_reuse || s.role != QLatin1String("service"))
                out << s.request;
    return out;
}

int CampaignPlan::jobCount() const
{
    return int(jobs().size());
}

double CampaignPlan::nodeHours() const
{
    return recipe::nodeHours(jobs());
}

double CampaignPlan::nodeHoursWithoutReuse() const
{
    double h = 0;
    for (const PlannedTrial &t : m_trials)
        h += recipe::nodeHours(t.jobs());
    return h;
}

int CampaignPlan::jobsWithoutTimeLimit() const
{
    int n = 0;
    for (const recipe::JobRequest &j : jobs())
        n += j.hasTimeLimit() ? 0 : 1;
    return n;
}

QString CampaignPlan::nodeHoursText() const
{
    QString text = units::format(nodeHours(), units::Unit::None) + QStringLiteral(" node-hours (from time limits)");
    if (const int open = jobsWithoutTimeLimit(); open > 0)
        text += open == 1 ? QStringLiteral(", 1 job without a time limit not counted")
                          : QStringLiteral(", %1 jobs without a time limit not counted").arg(open);
    if (m_reuse && m_groups.size() < m_trials.size())
        text += QStringLiteral("; %1 without service reuse").arg(units::format(nodeHoursWithoutReuse(), units::Unit::None));
    return text;
}

} // namespace fb::session
