// SlurmJob: what FactoryBench knows of one Slurm job — its id, name, state
// with Slurm's reason, nodes, times and exit code — and the parsing of
// Slurm's state names. Values, owned by whoever tracks the job (the campaign).
#pragma once

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace fb::slurm {

enum class JobState {
    Unknown,
    Pending,
    Configuring,
    Running,
    Completing,
    Suspended,
    Completed,
    Failed,
    Timeout,
    Cancelled,
    OutOfMemory,
    NodeFail,
    Preempted,
    BootFail,
    Deadline,
};

// "RUNNING", "CANCELLED by 1001", "OUT_OF_MEMORY", "CD", "F" … → JobState.
JobState parseJobState(const QString &text);
QString jobStateName(JobState s); // "RUNNING"
bool isTerminal(JobState s);      // the job will not run again
bool isSuccess(JobState s);       // COMPLETED

struct JobInfo
{
    QString id;            // "1234" or "1234_5" for array tasks
    QString name;
    JobState state = JobState::Unknown;
    QString reason;        // Slurm's reason ("Resources", "NonZeroExitCode", "None")
    QString nodeList;      // compressed, as Slurm prints it: "mel[2001-2003]"
    QStringList nodes;     // expanded
    QString partition;
    QString elapsed;       // Slurm's "D-HH:MM:SS"
    QString timeLimit;
    int exitCode = -1;     // from ExitCode=N:S; -1 while unknown
    int exitSignal = 0;
    QString stdOutPath;
    QString stdErrPath;
    QDateTime startTime;
    QDateTime endTime;

    bool operator==(const JobInfo &) const = default;
    QString summary() const; // "1234 fbredis RUNNING on mel2001"
};

} // namespace fb::slurm

Q_DECLARE_METATYPE(fb::slurm::JobInfo)
