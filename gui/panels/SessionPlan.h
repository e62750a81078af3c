// SessionPlan: what a campaign of a recipe will submit, for the Session
// dock's plan table — one entry per trial (its id and swept parameter
// values), each with its jobs as the generated batch scripts request them
// (partition, nodes, time limit, CPUs, GPUs, memory: the fields of the
// scripts' recipe::JobRequest, from which their #SBATCH lines are rendered,
// so the table shows exactly what sbatch gets), and the totals of the summary
// line (node-hours: recipe::nodeHours, the one formula). build() loads,
// validates and plans (session::CampaignPlan); it touches disk only and may
// run on any thread.
#pragma once

#include "recipe/JobRequest.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace fb::recipe {
struct BatchScript;
}

namespace fb::gui {

struct PlannedJob
{
    QString role;          // service, client, monitor
    QString name;          // service or client name; "monitor"
    QString fileName;      // service-redis.sbatch
    QString partition;     // empty: the cluster's default
    QString timeLimit;     // as in --time; empty: the partition's default
    double timeLimitSeconds = 0; // 0 when no --time is given
    int nodes = 1;
    QString cpusPerTask;   // empty: Slurm's default
    QString memory;        // --mem
    QString gres;          // e.g. gpu:4
    recipe::JobRequest request; // the fields above come from it

    static PlannedJob fromScript(const recipe::BatchScript &script); // reads script.request
};

struct PlannedTrial
{
    QString id;            // t001
    QStringList parameters; // "clients[0].load.concurrency=4"
    QList<PlannedJob> jobs;
    QString scripts;       // every script of the trial, with headers, as submitted
    QString error;         // the scripts cannot be generated (then no jobs)
};

struct SessionPlan
{
    QString path;
    QString diagnostics;   // every finding, one per line
    bool ok = false;
    QString workload;      // the first client's workload (the live dashboard's kind)
    bool monitor = false;  // the recipe runs a Prometheus monitor job
    double scrapeInterval = 5; // its scrape interval, seconds (the live dashboard's rate window follows it)
    int maxParallelTrials = 1;
    double clientSeconds = 0; // the longest client's warm-up + duration: a trial's run time
    QStringList externalServices; // "redis at db1:6379": already running (services[].external), no job
    // Service groups of several trials (sweep.reuse_services): "g01: redis — t001 … t003".
    QStringList serviceGroups;
    QList<PlannedTrial> trials;   // a shared group's service jobs are listed with its first trial

    // From session::CampaignPlan (the one count and node-hours formula).
    int jobCount() const { return m_jobs; }
    // Node-hours the jobs may hold at most: every job's nodes × its time
    // limit (jobs without a time limit are counted in jobsWithoutTimeLimit).
    double nodeHours() const { return m_nodeHours; }
    // The same if every trial started its own services.
    double nodeHoursWithoutReuse() const { return m_nodeHoursWithoutReuse; }
    int jobsWithoutTimeLimit() const { return m_jobsWithoutLimit; }
    // Trials run in batches of maxParallelTrials, each at least as long as
    // its clients run (queue waits and start-up come on top).
    double estimatedWallSeconds() const;
    // "3 trials · 9 jobs · 1.5 node-hours (estimated, from time limits) · est. wall time ≥ 1m30s";
    // with service groups "3 trials in 1 service group · 7 jobs · 2 node-hours (…; 4 without service reuse) · …",
    // with "· external (no job): redis at db1:6379" after the jobs when a service is external
    QString summary() const;

    static SessionPlan build(const QString &path); // any thread

private:
    int m_jobs = 0;
    double m_nodeHours = 0;
    double m_nodeHoursWithoutReuse = 0;
    int m_jobsWithoutLimit = 0;
};

} // namespace fb::gui
