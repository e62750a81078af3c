#include "SlurmJob.h"

#include <QHash>

namespace fb::slurm {

JobState parseJobState(const QString &text)
{
    // Slurm appends details ("CANCELLED by 1001") and squeue's compact form
    // uses two-letter codes; both map to the same states.
    static const QHash<QString, JobState> names{
        {QStringLiteral("PENDING"), JobState::Pending},       {QStringLiteral("PD"), JobState::Pending},
        {QStringLiteral("CONFIGURING"), JobState::Configuring}, {QStringLiteral("CF"), JobState::Configuring},
        {QStringLiteral("RUNNING"), JobState::Running},       {QStringLiteral("R"), JobState::Running},
        {QStringLiteral("COMPLETING"), JobState::Completing}, {QStringLiteral("CG"), JobState::Completing},
        {QStringLiteral("SUSPENDED"), JobState::Suspended},   {QStringLiteral("S"), JobState::Suspended},
        {QStringLiteral("COMPLETED"), JobState::Completed},   {QStringLiteral("CD"), JobState::Completed},
        {QStringLiteral("FAILED"), JobState::Failed},         {QStringLiteral("F"), JobState::Failed},
        {QStringLiteral("TIMEOUT"), JobState::Timeout},       {QStringLiteral("TO"), JobState::Timeout},
        {QStringLiteral("CANCELLED"), JobState::Cancelled},   {QStringLiteral("CA"), JobState::Cancelled},
        {QStringLiteral("OUT_OF_MEMORY"), JobState::OutOfMemory}, {QStringLiteral("OOM"), JobState::OutOfMemory},
        {QStringLiteral("NODE_FAIL"), JobState::NodeFail},    {QStringLiteral("NF"), JobState::NodeFail},
        {QStringLiteral("PREEMPTED"), JobState::Preempted},   {QStringLiteral("PR"), JobState::Preempted},
        {QStringLiteral("BOOT_FAIL"), JobState::BootFail},    {QStringLiteral("BF"), JobState::BootFail},
        {QStringLiteral("DEADLINE"), JobState::Deadline},     {QStringLiteral("DL"), JobState::Deadline},
        // Transitional states Slurm reports while it requeues or resizes.
        {QStringLiteral("REQUEUED"), JobState::Pending},      {QStringLiteral("RQ"), JobState::Pending},
        {QStringLiteral("REQUEUE_HOLD"), JobState::Pending},  {QStringLiteral("RESIZING"), JobState::Running},
        {QStringLiteral("SIGNALING"), JobState::Running},     {QStringLiteral("STAGE_OUT"), JobState::Completing},
        {QStringLiteral("STOPPED"), JobState::Suspended},
    };
    QString word = text.trimmed().section(QLatin1Char(' '), 0, 0).toUpper();
    if (word.endsWith(QLatin1Char('+'))) // sacct marks truncated names with '+'
        word.chop(1);
    return names.value(word, JobState::Unknown);
}

QString jobStateName(JobState s)
{
    switch (s) {
    case JobState::Unknown: return QStringLiteral("UNKNOWN");
    case JobState::Pending: return QStringLiteral("PENDING");
    case JobState::Configuring: return QStringLiteral("CONFIGURING");
    case JobState::Running: return QStringLiteral("RUNNING");
    case JobState::Completing: return QStringLiteral("COMPLETING");
    case JobState::Suspended: return QStringLiteral("SUSPENDED");
    case JobState::Completed: return QStringLiteral("COMPLETED");
    case JobState::Failed: return QStringLiteral("FAILED");
    case JobState::Timeout: return QStringLiteral("TIMEOUT");
    case JobState::Cancelled: return QStringLiteral("CANCELLED");
    case JobState::OutOfMemory: return QStringLiteral("OUT_OF_MEMORY");
    case JobState::NodeFail: return QStringLiteral("NODE_FAIL");
    case JobState::Preempted: return QStringLiteral("PREEMPTED");
    case JobState::BootFail: return QStringLiteral("BOOT_FAIL");
    case JobState::Deadline: return QStringLiteral("DEADLINE");
    }
    return QStringLiteral("UNKNOWN");
}

bool isTerminal(JobState s)
{
    switch (s) {
    case JobState::Completed:
    case JobState::Failed:
    case JobState::Timeout:
    case JobState::Cancelled:
    case JobState::OutOfMemory:
    case JobState::NodeFail:
    case JobState::Preempted:
    case JobState::BootFail:
    case JobState::Deadline:
        return true;
    default:
        return false;
    }
}

bool isSuccess(JobState s) { return s == JobState::Completed; }

QString JobInfo::summary() const
{
    QString s = QStringLiteral("%1 %2 %3").arg(id, name, jobStateName(state));
    if (!nodeList.isEmpty())
        s += QStringLiteral(" on ") + nodeList;
    if (!reason.isEmpty() && reason != QLatin1String("None"))
        s += QStringLiteral(" (") + reason + QLatin1Char(')');
    return s;
}

} // namespace fb::slurm
