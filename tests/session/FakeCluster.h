// FakeCluster: a CommandRunner and RemoteFiles with no SSH and no Slurm
// behind them, for unit tests of the campaign engine (tests/session). It
// answers the commands the engine sends (sbatch, squeue, sacct, scancel, the
// endpoint/result/log listings, mkdir/chmod) from an in-memory cluster:
//   - a job stays PENDING for `pendingPolls` squeue rounds, then RUNNING;
//   - a RUNNING service publishes its endpoint file and runs until scancel;
//   - a client runs `clientPolls` rounds, then COMPLETED with its result file
//     (FAILED, exit 1, without one, for a trial in `failingTrials`);
//   - the monitor runs until scancel.
//   - with serviceLifePolls, the first service to run that long dies (FAILED);
// Every command and file transfer is one numbered step. `crashAtStep` makes
// step N the last one: its effect happens on the "cluster", its answer never
// arrives, `onCrash` runs (the test closes the run store and detaches the
// campaign: the world freezes as at a crash) and every later step fails
// without effect until `revive()`.
#pragma once

#include "common/CommandRunner.h"
#include "common/RemoteFiles.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMap>
#include <QSet>
#include <QString>
#include <QStringList>

#include <functional>

namespace fb::test {

struct FakeJob
{
    QString id;
    QString runId;
    QString trialId;
    QString component;   // "service:redis", "client:kv", "monitor"
    QString trialDir;
    QString state = QStringLiteral("PENDING");
    int polls = 0;        // squeue rounds seen
    int exitCode = -1;
    bool cancelled = false;

    bool terminal() const { return state != QLatin1String("PENDING") && state != QLatin1String("RUNNING"); }
    QString role() const { return component.section(QLatin1Char(':'), 0, 0); }
    QString name() const { return component == QLatin1String("monitor") ? QStringLiteral("prometheus") : component.section(QLatin1Char(':'), 1); }
};

class FakeCluster : public CommandRunner, public RemoteFiles
{
public:
    // CommandRunner
    QFuture<CommandResult> run(const QString &command, int timeoutMs = 60000) override;
    QString destination() const override { return QStringLiteral("fake@cluster"); }
    // RemoteFiles
    QFuture<QString> uploadFile(const QString &localPath, const QString &remotePath) override;
    QFuture<QString> downloadFile(const QString &remotePath, const QString &localPath) override;

    // Behaviour.
    int pendingPolls = 1;
    int clientPolls = 2;
    QSet<QString> failingTrials;       // their clients fail
    QSet<QString> failingServiceTrials;// their services fail before they are ready (a trial's or a group's id)
    int serviceLifePolls = 0;          // > 0: a RUNNING service fails (exit 137) after that many more squeue rounds, once
    int crashAtStep = 0;               // 0: never
    std::function<void()> onCrash;
    void revive()
    {
        m_dead = false;
        crashAtStep = 0;
    }

    // What happened.
    int steps() const { return m_step; }
    QStringList commands;              // every step, in order: the command, or "upload|download <remote path>"
    QStringList unknownCommands;       // commands the fake did not recognise
    QList<FakeJob> jobs;               // every job ever submitted
    QHash<QString, int> answeredDownloads; // remote path → downloads whose answer arrived
    QHash<QString, QByteArray> remoteFiles; // uploaded and written by jobs
    QHash<QString, QList<QByteArray>> uploads; // remote path → every upload's content, in order
    int maxTrialsRunning = 0;          // most trials with a RUNNING client at once
    int servicesKilled = 0;
    QStringList clientStartOrder;      // trial ids, in the order their clients started running

    int submissions(const QString &trialId, const QString &component) const;

private:
    bool begin();                      // counts the step; false when dead (or the crash step)
    CommandResult answer(const QString &command);
    void tick(const QStringList &ids);
    FakeJob *job(const QString &id);
    QByteArray resultText(const FakeJob &j) const;

    int m_step = 0;
    bool m_dead = false;
    int m_nextId = 100;
};

} // namespace fb::test
