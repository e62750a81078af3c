// RunStore: the local record of every campaign — runs, their trials, the
// Slurm jobs each trial submitted with their states, downloaded result files
// with checksums, and manifests — in one SQLite file (Paths::runStorePath()).
// Every write is a transaction, so a crash leaves the store as it was before
// or after a step, never between; a restarted campaign reads from here which
// jobs it already submitted and which results it already has (resume without
// submitting or downloading twice).
//
// The schema carries a version; opening an older store migrates it forward in
// one transaction. A RunStore belongs to one thread (Qt Sql connections are
// per thread): the campaign engine's. Readers on other threads open their own.
#pragma once

#include "session/States.h"
#include "session/TrialPhase.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <optional>
#include <QString>

namespace fb::session {

struct RunRecord
{
    QString id;             // "20261123-091500-redis-demo"
    QString name;           // the recipe's name
    QString recipePath;
    QString recipeText;     // the exact recipe YAML
    QString profile;        // connection profile name
    QString remoteDir;      // <workdir>/runs/<id>
    RunState state = RunState::Planned; // stored by name (States.h)
    QString error;
    QDateTime createdAt;
    QDateTime finishedAt;
    QJsonObject manifest;
};

struct TrialRecord
{
    QString runId;
    QString trialId;        // stable id from the sweep expander
    int index = 0;
    QJsonObject params;     // the parameter values of this trial
    TrialState state = TrialState::Pending; // stored by name (States.h)
    QString step;           // the campaign step it is in (shown; for display only)
    TrialPhase phase = TrialPhase::Pending; // what resume acts on (see TrialPhase.h)
    QString error;
    QDateTime startedAt;
    QDateTime finishedAt;
};

struct JobRecord
{
    QString runId;
    QString trialId;
    QString jobId;          // Slurm's
    QString component;      // "service:redis", "client:load", "monitor"
    JobState state = JobState::Pending; // stored by Slurm's name; Unknown: Slurm no longer knows the job
    QString reason;
    int exitCode = -1;
    QString nodes;
    QDateTime submittedAt;
    QDateTime updatedAt;
    bool cancelRequested = false; // FactoryBench scancelled it: CANCELLED is then no failure (sticky once stored)
};

struct ResultFileRecord
{
    QString runId;
    QString trialId;
    QString remotePath;
    QString localPath;
    QString sha256;
    qint64 size = 0;
    QDateTime downloadedAt;
};

class RunStore
{
public:
    static constexpr int kSchemaVersion = 2;

    RunStore();
    ~RunStore();
    RunStore(const RunStore &) = delete;
    RunStore &operator=(const RunStore &) = delete;

    // Opens (creating or migrating) the store; false with *error naming the file.
    bool open(const QString &path, QString *error);
    void close();
    bool isOpen() const;
    int schemaVersion() const;
    QString path() const { return m_path; }

    bool saveRun(const RunRecord &run, QString *error);          // insert or update
    bool saveTrial(const TrialRecord &trial, QString *error);
    bool saveJob(const JobRecord &job, QString *error);
    bool saveResultFile(const ResultFileRecord &file, QString *error);
    bool deleteRun(const QString &runId, QString *error);        // with its trials, jobs and result records

    QList<RunRecord> runs() const;                               // newest first
    std::optional<RunRecord> run(const QString &runId) const;
    QList<TrialRecord> trials(const QString &runId) const;       // by index
    QList<JobRecord> jobs(const QString &runId, const QString &trialId = {}) const;
    QList<ResultFileRecord> resultFiles(const QString &runId, const QString &trialId = {}) const;
    std::optional<ResultFileRecord> resultFile(const QString &runId, const QString &trialId, const QString &remotePath) const;

private:
    bool migrate(int from, QString *error);
    bool exec(const QString &sql, const QVariantList &binds, QString *error) const;

    QString m_connection;
    QString m_path;
};

} // namespace fb::session
