// JobRequest: what one Slurm job of a trial asks for — partition, nodes, time
// limit, tasks, CPUs, memory, GRES, … — as typed fields. The batch-script
// generator fills one per job from the recipe's resources (cluster defaults
// merged with the job's own) and renders the script's #SBATCH header from it
// (sbatchLines), so the plan (session/CampaignPlan, the Session panel,
// fbctl plan) reads the same fields sbatch gets instead of parsing script
// text. nodeHours() is the one node-hours formula of FactoryBench.
#pragma once

#include "recipe/Recipe.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace fb::recipe {

struct JobRequest
{
    QString role;                      // "service", "client", "monitor"
    QString name;                      // the service's or client's name; "prometheus" for the monitor
    QString jobName;                   // --job-name
    QString output;                    // --output, relative to the trial folder
    QString account;
    QString partition;                 // empty: the cluster's default
    QString qos;
    std::optional<double> timeSeconds; // --time; none: the partition's default
    int nodes = 0;                     // --nodes; 0: Slurm's default (one)
    int ntasks = 0;
    int cpusPerTask = 0;               // 0: Slurm's default
    std::optional<qint64> memoryBytes; // --mem (per node)
    QString gres;                      // "gpu:4" (from gpus_per_node) or the recipe's gres
    bool exclusive = false;
    QString reservation;
    QString constraint;
    QString where;                     // where its values come from, for errors: "service redis resources"

    // The request of a job with `merged` resources (cluster defaults merged with the job's own).
    static JobRequest fromResources(const Resources &merged, const QString &role, const QString &name, const QString &jobName,
                                    const QString &output, const QString &where);

    // The #SBATCH lines, in the order the scripts have always had them. False
    // (lines still filled with the writable ones) when a value cannot go into
    // an #SBATCH line (ShellQuote's isSbatchSafe); `errors` name the field.
    bool sbatchLines(QStringList *lines, QStringList *errors) const;

    int nodeCount() const { return nodes > 0 ? nodes : 1; }
    QString timeText() const;          // as in --time; empty without a limit
    QString memoryText() const;        // as in --mem; empty without one
    // Node-hours this job may hold at most: nodes × time limit. 0 without a
    // time limit (count those with hasTimeLimit()).
    double nodeHours() const;
    bool hasTimeLimit() const { return timeSeconds && *timeSeconds > 0; }

    bool operator==(const JobRequest &) const = default;
};

// The sum of nodeHours() over `jobs`: FactoryBench's one node-hours formula
// (fbctl plan, the editor's summary, the Session panel).
double nodeHours(const QList<JobRequest> &jobs);

} // namespace fb::recipe
