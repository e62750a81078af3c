// SlurmClient: Slurm's user commands (sbatch, squeue, sacct, scontrol,
// scancel, tail of job logs) run on the login node through a CommandRunner,
// with their command lines built and their outputs parsed here. All calls are
// asynchronous. Owned by whoever drives jobs (the campaign).
//
// Job end states come from squeue while Slurm keeps the job (MinJobAge), from
// sacct where accounting exists, and otherwise from `scontrol show job`, so
// clusters without slurmdbd (like the test mini-cluster) work too.
#pragma once

#include "SlurmJob.h"

#include "common/CommandRunner.h"

#include <QFuture>
#include <QHash>
#include <QObject>

namespace fb::slurm {

struct SubmitOptions
{
    QString jobName;
    QString workDir;          // --chdir
    QStringList afterOk;      // job ids this job waits for (--dependency=afterok:…)
    QStringList afterAny;     // --dependency=afterany:…
    QStringList extraArgs;    // further sbatch options, each already one argument
    // Submit under umask 077: Slurm hands the job the submitter's umask
    // (SLURM_UMASK), so every file the job creates (config files with a
    // password, logs, results) is owner-only.
    bool ownerOnlyFiles = false;
};

struct SubmitResult
{
    QString jobId;            // empty on failure
    QString error;            // sbatch's message, naming the host
};

struct QueryResult
{
    QList<JobInfo> jobs;      // one per id Slurm still knows of
    QStringList missing;      // ids no source knows (purged long ago)
    QString error;            // the poll itself failed (connection); jobs is empty then
};

class SlurmClient : public QObject
{
    Q_OBJECT
public:
    explicit SlurmClient(CommandRunner *runner, QObject *parent = nullptr);

    QFuture<SubmitResult> submit(const QString &remoteScript, const SubmitOptions &options = {});
    // One squeue call for all ids, then one sacct-or-scontrol call for jobs
    // that ended (for their exit codes) or that squeue no longer lists.
    QFuture<QueryResult> query(const QStringList &ids);
    QFuture<CommandResult> cancel(const QStringList &ids, const QString &signal = {});
    QFuture<CommandResult> tail(const QString &remotePath, int lines = 50);

    // Command lines and parsers, public for tests and for the batch preview.
    static QString sbatchCommand(const QString &remoteScript, const SubmitOptions &options);
    static QString squeueCommand(const QStringList &ids);
    static QString endStateCommand(const QStringList &ids);
    static QString cancelCommand(const QStringList &ids, const QString &signal);
    static SubmitResult parseSbatch(const CommandResult &r, const QString &host);
    static QList<JobInfo> parseSqueue(const QByteArray &out);
    static QList<JobInfo> parseSacct(const QByteArray &out);
    static QList<JobInfo> parseScontrol(const QByteArray &out);
    static bool validJobId(const QString &id);

private:
    CommandRunner *m_runner;
    bool m_haveSacct = true; // cleared once sacct says accounting is off
};

} // namespace fb::slurm
