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
    QList<PlannedTrial> trials;

    int jobCount() const;
    // Node-hours the trials may hold at most: every job's nodes × its time
    // limit (jobs without a time limit are counted in jobsWithoutTimeLimit).
    double nodeHours() const;
    int jobsWithoutTimeLimit() const;
    // Trials run in batches of maxParallelTrials, each at least as long as
    // its clients run (queue waits and start-up come on top).
    double estimatedWallSeconds() const;
    // "3 trials · 9 jobs · 1.5 node-hours (estimated, from time limits) · est. wall time ≥ 1m30s",
    // with "· external (no job): redis at db1:6379" after the jobs when a service is external
    QString summary() const;

    static SessionPlan build(const QString &path); // any thread
};

} // namespace fb::gui
