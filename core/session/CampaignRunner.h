// CampaignRunner: runs a Campaign on its own thread for the GUI, so the GUI
// thread never waits on SSH, Slurm or disk. The worker thread owns the
// cluster connection (OpenSshRunner), its own RunStore connection and the
// Campaign; everything it reports reaches the owner's thread as queued
// signals. cancel() is immediate and thread-safe; the campaign then scancels
// its jobs and `finished` reports "cancelled".
#pragma once

#include "session/Campaign.h"
#include "ssh/ConnectionProfile.h"

#include <QMutex>
#include <QObject>

class QThread;

namespace fb {
class SshAuthPrompter;
}

namespace fb::session {

class CampaignRunner : public QObject
{
    Q_OBJECT
public:
    explicit CampaignRunner(QObject *parent = nullptr);
    ~CampaignRunner() override; // detaches from a running campaign and waits for its thread

    bool isRunning() const { return m_thread != nullptr; }
    // Returns at once; false if a campaign is already running.
    // `prompter` (optional, must outlive the run) answers host-key and secret
    // questions; it is called on the campaign's thread and must post to its own.
    bool start(const CampaignOptions &options, const ConnectionProfile &profile, const QString &storePath = {},
               SshAuthPrompter *prompter = nullptr);
    void cancel();
    // scancels one job of the running campaign, queued to the campaign's
    // thread (its transport lives there); false when no campaign runs.
    bool cancelJob(const QString &jobId);
    // Stops following the campaign but leaves its jobs running (the app is
    // closing); the run stays "running" in the store and can be resumed.
    void detach();

signals:
    void event(const fb::session::CampaignEvent &event);
    void trialChanged(const QString &trialId, fb::session::TrialState state, const QString &step);
    void jobChanged(const fb::session::JobRecord &job);
    void monitorReady(const QString &trialId, const QString &host, quint16 port); // see Campaign::monitorReady
    void finished(const fb::session::CampaignResult &result);

private:
    QThread *m_thread = nullptr;
    QMutex m_mutex;                  // guards m_campaign and m_cancelEarly
    Campaign *m_campaign = nullptr;  // lives on the worker thread while it runs
    CommandRunner *m_commands = nullptr; // the campaign's transport, same thread and lifetime
    bool m_cancelEarly = false;
    bool m_detachEarly = false;
    CampaignResult m_result;         // handed from the worker to `finished`
};

} // namespace fb::session
