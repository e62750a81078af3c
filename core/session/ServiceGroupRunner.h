// ServiceGroupRunner: the services of one service group (ServiceGroups.h) —
// their scripts written and uploaded to the group's folder, their jobs
// submitted (or re-attached on resume: from the run store or by comment; a
// shared group whose job has ended gets a new one), the health gate (every
// service's endpoint file), and the group's life: Ready while every service
// job runs; a service that ends meanwhile fails the group with the job's
// reason (the trials waiting on it or running against it fail with it).
// The campaign advances it once per poll round with the round's squeue
// answer, like the trials, and stops it when its last trial has ended.
#pragma once

#include "session/JobSet.h"
#include "session/ServiceGroups.h"

#include <QElapsedTimer>
#include <QSet>

namespace fb::session {

class ServiceGroupRunner
{
public:
    enum class State { Idle, Starting, Ready, Failed, Stopped };

    ServiceGroupRunner(const EngineContext &ctx, const ServiceGroup &group, int slot);

    const QString &id() const { return m_group.id; }
    bool shared() const { return m_group.shared; }
    int slot() const { return m_slot; }
    State state() const { return m_state; }
    // Why the group failed (a service's end, with its log's tail).
    const QString &failure() const { return m_failure; }
    // The remote folder of the services (their endpoint files and logs).
    const QString &remoteDir() const { return m_dir; }
    // The group's service configuration with its port slot applied.
    const recipe::Recipe &servicesRecipe() const { return m_recipe; }
    // Trials of the group still to settle (the campaign counts them down).
    int &openTrials() { return m_openTrials; }

    // Writes, uploads and submits the services; false when that failed
    // (failure() set) or the run was cancelled.
    bool start();
    QStringList jobIds() const;
    // One poll round; `changed` set when a job or the state changed.
    void step(const slurm::QueryResult &answer, bool *changed);
    // The group is done with: its services are cancelled (unless the
    // campaign keeps services) and, for a shared group, their logs collected
    // into the group's local folder.
    void stop();
    // Cancelled or detached: takes the services down (not when detaching).
    void abort();

private:
    void fail(const QString &why);

    const EngineContext &m_ctx;
    ServiceGroup m_group;
    int m_slot = 0;
    recipe::Recipe m_recipe;
    QString m_dir;
    QString m_localDir;
    JobSet m_jobs;
    QList<JobRecord> m_services;
    State m_state = State::Idle;
    QString m_failure;
    QElapsedTimer m_waited;
    QSet<QString> m_announced;
    int m_openTrials = 0;
};

} // namespace fb::session
