// CampaignPlan: what a campaign of a recipe submits, typed — its trials (the
// sweep's expansion), each with its jobs' batch scripts and their requests
// (recipe::JobRequest: partition, nodes, time limit, tasks, CPUs, memory,
// GRES — the fields the scripts' #SBATCH headers are rendered from), and the
// totals: jobs, node-hours (recipe::nodeHours, the one formula) and jobs
// without a time limit. fbctl plan and the Session panel read it; the
// campaign engine generates the same scripts trial by trial with the run's
// real folders and port slot.
#pragma once

#include "recipe/BatchScriptGenerator.h"
#include "recipe/Diagnostic.h"
#include "recipe/SweepExpander.h"

#include <QList>
#include <QString>

namespace fb::session {

struct PlannedTrial
{
    recipe::Trial trial;               // id, parameters, the trial's resolved recipe
    QList<recipe::BatchScript> scripts;// in submission order (monitor, services, clients); each with its request
    QStringList errors;                // why the scripts cannot be generated (then there are none)

    QList<recipe::JobRequest> jobs() const;
};

class CampaignPlan
{
public:
    // Expands `recipe` (validated) and generates every trial's scripts with
    // `context` (its runId, runDir and fbloadPath; trialId and trialDir are
    // set per trial). False with `diagnostics` when the sweep cannot be
    // expanded; a trial whose scripts cannot be generated carries its error.
    bool build(const recipe::Recipe &recipe, const recipe::ScriptContext &context, QList<recipe::Diagnostic> *diagnostics);

    const QList<PlannedTrial> &trials() const { return m_trials; }
    int maxParallelTrials() const { return m_maxParallelTrials; }

    int jobCount() const;
    // Node-hours the trials' jobs may hold at most (nodes × time limit,
    // recipe::nodeHours); jobs without a time limit are not counted.
    double nodeHours() const;
    int jobsWithoutTimeLimit() const;
    // "1.5 node-hours (from time limits)", plus ", 2 jobs without a time limit not counted".
    QString nodeHoursText() const;

private:
    QList<PlannedTrial> m_trials;
    int m_maxParallelTrials = 1;
};

} // namespace fb::session
