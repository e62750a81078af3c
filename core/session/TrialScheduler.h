// TrialScheduler: runs a campaign's trials — up to `parallel` TrialRunners at
// once, each bound to the ServiceGroupRunner of its service group (started
// with the group's first trial, stopped after its last; a failed shared
// group's queued trials are left pending, "not run"), one squeue per poll
// round for all their jobs, each advanced one step per round; polls fast
// while things change and slower while they run steadily. Groups run in
// order, each group's trials together; on resume the groups and trials in
// flight come first, so their jobs are re-attached before anything new is
// submitted. Counts the outcomes into the run's CampaignResult.
#pragma once

#include "session/EngineContext.h"
#include "session/ServiceGroups.h"

#include <functional>

namespace fb::session {

class TrialScheduler
{
public:
    struct Hooks
    {
        std::function<void()> writeManifest;                // after each trial
        std::function<void(const QString &why)> linkDown;   // a poll found the cluster out of reach
        std::function<void()> linkUp;                       // a poll was answered
    };

    TrialScheduler(const EngineContext &ctx, RunStore *store, Hooks hooks);

    void run(const QList<recipe::Trial> &trials, const QList<ServiceGroup> &groups, int parallel);

private:
    // A poll's squeue that has not answered by then counts as an outage.
    static constexpr int kPollAnswerMs = 90000;

    QList<int> runOrder(const QList<recipe::Trial> &trials, const QList<ServiceGroup> &groups) const;
    int freeSlot(const QString &id, const QList<int> &taken) const;

    const EngineContext &m_ctx;
    RunStore *m_store;
    Hooks m_hooks;
};

} // namespace fb::session
