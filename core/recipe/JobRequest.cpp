#include "recipe/JobRequest.h"

#include "recipe/Quantities.h"
#include "recipe/ShellQuote.h"

namespace fb::recipe {

JobRequest JobRequest::fromResources(const Resources &r, const QString &role, const QString &name, const QString &jobName,
                                     const QString &output, const QString &where)
{
    JobRequest j;
    j.role = role;
    j.name = name;
    j.jobName = jobName;
    j.output = output;
    j.account = r.account;
    j.partition = r.partition;
    j.qos = r.qos;
    j.timeSeconds = r.time;
    j.nodes = r.nodes;
    j.ntasks = r.ntasks;
    j.cpusPerTask = r.cpusPerTask;
    j.memoryBytes = r.memory;
    j.gres = r.gpusPerNode > 0 ? QStringLiteral("gpu:%1").arg(r.gpusPerNode) : r.gres;
    j.exclusive = r.exclusive.value_or(false);
    j.reservation = r.reservation;
    j.constraint = r.constraint;
    j.where = where;
    return j;
}

QString JobRequest::timeText() const { return timeSeconds ? formatSlurmTime(*timeSeconds) : QString(); }

QString JobRequest::memoryText() const { return memoryBytes ? formatSlurmMemory(*memoryBytes) : QString(); }

bool JobRequest::sbatchLines(QStringList *lines, QStringList *errors) const
{
    bool ok = true;
    auto add = [&](const QString &option, const QString &value, const QString &what) {
        if (!isSbatchSafe(value)) {
            errors->append(QStringLiteral("%1: \"%2\" cannot go into an #SBATCH line: use letters, digits and _.,:=+/@%-").arg(what, value));
            ok = false;
            return;
        }
        lines->append(QStringLiteral("#SBATCH --%1=%2").arg(option, value));
    };
    const QString w = where + QLatin1Char('.');
    add(QStringLiteral("job-name"), jobName, QStringLiteral("job name"));
    add(QStringLiteral("output"), output, QStringLiteral("output"));
    if (!account.isEmpty()) add(QStringLiteral("account"), account, w + QStringLiteral("account"));
    if (!partition.isEmpty()) add(QStringLiteral("partition"), partition, w + QStringLiteral("partition"));
    if (!qos.isEmpty()) add(QStringLiteral("qos"), qos, w + QStringLiteral("qos"));
    if (timeSeconds) add(QStringLiteral("time"), timeText(), w + QStringLiteral("time"));
    if (nodes > 0) add(QStringLiteral("nodes"), QString::number(nodes), w + QStringLiteral("nodes"));
    if (ntasks > 0) add(QStringLiteral("ntasks"), QString::number(ntasks), w + QStringLiteral("ntasks"));
    if (cpusPerTask > 0) add(QStringLiteral("cpus-per-task"), QString::number(cpusPerTask), w + QStringLiteral("cpus_per_task"));
    if (memoryBytes) add(QStringLiteral("mem"), memoryText(), w + QStringLiteral("memory"));
    if (!gres.isEmpty()) add(QStringLiteral("gres"), gres, w + QStringLiteral("gres")); // "gpu:N" from gpus_per_node is always safe
    if (exclusive) lines->append(QStringLiteral("#SBATCH --exclusive"));
    if (!reservation.isEmpty()) add(QStringLiteral("reservation"), reservation, w + QStringLiteral("reservation"));
    if (!constraint.isEmpty()) add(QStringLiteral("constraint"), constraint, w + QStringLiteral("constraint"));
    return ok;
}

double JobRequest::nodeHours() const { return hasTimeLimit() ? nodeCount() * *timeSeconds / 3600.0 : 0.0; }

double nodeHours(const QList<JobRequest> &jobs)
{
    double h = 0;
    for (const JobRequest &j : jobs)
        h += j.nodeHours();
    return h;
}

} // namespace fb::recipe
