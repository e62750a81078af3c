// CampaignPlan: what a campaign of a recipe submits, typed — its trials (the
// sweep's expansion), each with its jobs' batch scripts and their requests
// (recipe::JobRequest: partition, nodes, time limit, tasks, CPUs, memory,
// GRES — the fields the scripts' #SBATCH headers are rendered from), and the
// totals: jobs, node-hours (recipe::nodeHours, the one formula) and jobs
// without a time limit — and its service groups (ServiceGroups.h): with
// sweep.reuse_services each group's service jobs once, in the group's
// folder, and the trials' monitor and client jobs; the node-hours with and
// without reuse. fbctl plan and the Session panel read it; the campaign
// engine generates the same scripts trial by trial with the run's real
// folders and port slots.
#pragma once

#include "recipe/BatchScriptGenerator.h"
#include "recipe/Diagnostic.h"
#include "recipe/SweepExpander.h"
#include "session/ServiceGroups.h"

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

struct PlannedGroup
{
    ServiceGroup group;                 // id, trials (indexes into CampaignPlan::trials()), services recipe
    QList<recipe::BatchScript> services;// the group's service jobs (a shared group's, in its folder)
};

class CampaignPlan
{
public:
    // Expands `recipe` (validated), groups the trials by their services and
    // generates every trial's scripts with `context` (its runId, runDir and
    // fbloadPath; trialId and trialDir are set per trial). False with
    // `diagnostics` when the sweep cannot be expanded or a shared service's
    // time limit is too short (ServiceGroups.h); a trial whose scripts cannot
    // be generated carries its error.
    bool build(const recipe::Recipe &recipe, const recipe::ScriptContext &context, QList<recipe::Diagnostic> *diagnostics);

    const QList<PlannedTrial> &trials() const { return m_trials; }
    const QList<PlannedGroup> &groups() const { return m_groups; }
    bool reuseServices() const { return m_reuse; }
    int maxParallelTrials() const { return m_maxParallelTrials; }

    // The jobs the campaign submits: with reuse, each group's services once
    // and every trial's monitor and clients; without, every trial's all.
    QList<recipe::JobRequest> jobs() const;
    int jobCount() const;
    // Node-hours the jobs may hold at most (nodes × time limit,
    // recipe::nodeHours); jobs without a time limit are not counted.
    double nodeHours() const;
    // The same if every trial started its own services (sweep.reuse_services: false).
    double nodeHoursWithoutReuse() const;
    int jobsWithoutTimeLimit() const;
    // "1.5 node-hours (from time limits)", plus ", 2 jobs without a time limit
    // not counted", plus with shared groups " — 4.2 without service reuse".
    QString nodeHoursText() const;

private:
    QList<PlannedTrial> m_trials;
    QList<PlannedGroup> m_groups;
    int m_maxParallelTrials = 1;
    bool m_reuse = false;
};

} // namespace fb::session
