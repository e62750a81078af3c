#include "TrialScheduler.h"

#include "Await.h"
#include "ServiceGroupRunner.h"
#include "TrialRunner.h"

#include <QHash>

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

namespace fb::session {

TrialScheduler::TrialScheduler(const EngineContext &ctx, RunStore *store, Hooks hooks)
    : m_ctx(ctx)
    , m_store(store)
    , m_hooks(std::move(hooks))
{
}

// The run order: each service group's trials together, groups in order
// of their first trial — those with a trial in flight (resume) first,
// and in a group its in-flight trials first, so their jobs are
// re-attached before anything new is submitted.
QList<int> TrialScheduler::runOrder(const QList<recipe::Trial> &trials, const QList<ServiceGroup> &groups) const
{
    const QList<TrialRecord> recorded = m_store->trials(m_ctx.journal->run().id);
    auto inFlight = [&](int i) {
        return std::any_of(recorded.begin(), recorded.end(), [&](const TrialRecord &k) {
            return k.trialId == trials[i].id && k.state == TrialState::Running;
        });
    };
    QList<int> order;
    for (const bool first : {true, false})
        for (const ServiceGroup &g : groups) {
            if (std::any_of(g.trials.begin(), g.trials.end(), inFlight) != first)
                continue;
            for (int i : g.trials)
                if (inFlight(i))
                    order << i;
            for (int i : g.trials)
                if (!inFlight(i))
                    order << i;
        }
    return order;
}

// The lowest slot none of `taken` holds; `id`'s previous slot (resume:
// its running jobs use that slot's ports) when it is free.
int TrialScheduler::freeSlot(const QString &id, const QList<int> &taken) const
{
    if (const auto previous = m_ctx.journal->previousSlot(id); previous && !taken.contains(*previous))
        return *previous;
    int s = 0;
    while (taken.contains(s))
        ++s;
    return s;
}

// The scheduler: up to `parallel` TrialRunners at once, each bound to
// the ServiceGroupRunner of its group (started with the group's first
// trial, stopped after its last); one squeue per poll round for all
// their jobs, each advanced one step per round.
void TrialScheduler::run(const QList<recipe::Trial> &trials, const QList<ServiceGroup> &groups, int parallel)
{
    QList<int> queue = runOrder(trials, groups);
    std::vector<std::unique_ptr<TrialRunner>> active;
    std::map<int, std::unique_ptr<ServiceGroupRunner>> live; // group index → runner
    QList<int> groupOf(trials.size(), 0);
    QList<int> open(groups.size(), 0); // trials of a group not settled yet
    QHash<QString, int> indexOf;       // trial id → index
    for (int i = 0; i < trials.size(); ++i)
        indexOf.insert(trials[i].id, i);
    for (int g = 0; g < groups.size(); ++g)
        for (int i : groups[g].trials) {
            groupOf[i] = g;
            ++open[g];
        }
    bool stop = false; // no new trials (cancel, or a failure with --stop-on-failure)
    int interval = m_ctx.options->pollFastMs;
    auto settle = [&](const TrialOutcome o) {
        m_hooks.writeManifest();
        if (o == TrialOutcome::Completed)
            ++m_ctx.result->trialsCompleted;
        else if (o == TrialOutcome::Failed)
            ++m_ctx.result->trialsFailed;
        if (o == TrialOutcome::Cancelled || (o == TrialOutcome::Failed && m_ctx.options->stopOnFailure))
            stop = true;
    };
    // A trial of group g has settled: the group stops after its last one.
    auto closeOne = [&](int g) {
        if (--open[g] > 0)
            return;
        if (auto it = live.find(g); it != live.end()) {
            if (!m_ctx.cancelled())
                it->second->stop();
            live.erase(it);
        } else if (groups[g].shared && !m_ctx.cancelled()) {
            ServiceGroupRunner(m_ctx, groups[g], 0).stop(); // services left from before a crash
        }
    };
    auto recordOf = [&](const QString &id) {
        for (const TrialRecord &k : m_store->trials(m_ctx.journal->run().id))
            if (k.trialId == id)
                return k;
        return TrialRecord{};
    };
    // A shared group that failed: its trials still queued are not run
    // (pending, with the reason: resume starts the group again for them).
    auto dropQueued = [&](int g, const QString &why) {
        QStringList ids;
        for (auto it = queue.begin(); it != queue.end();) {
            if (groupOf[*it] != g) {
                ++it;
                continue;
            }
            TrialRecord t = recordOf(trials[*it].id);
            if (!isFinished(t.state)) {
                m_ctx.journal->setTrial(t, TrialState::Pending, TrialPhase::Pending, QStringLiteral("not run: ") + why);
                ids << t.trialId;
            }
            it = queue.erase(it);
            --open[g];
        }
        if (!ids.isEmpty())
            m_ctx.journal->warn(groups[g].id, QStringLiteral("health"), QStringLiteral("service group %1 failed; its trials %2 were not run (resume runs them with new services)")
                                                           .arg(groups[g].id, ids.join(QStringLiteral(", "))));
    };
    // Trials holding a slot: those whose clients have not ended yet.
    auto occupied = [&] {
        return int(std::count_if(active.begin(), active.end(), [](const auto &a) { return !a->clientsEnded(); }));
    };
    // Fills free slots with the next trials; each new one takes its first
    // step at once (a ready group's trial submits its clients now).
    auto fill = [&] {
        while (!stop && !m_ctx.cancelled() && occupied() < parallel && !queue.isEmpty()) {
            const int index = queue.takeFirst();
            const int g = groupOf[index];
            const recipe::Trial &tr = trials[index];
            const TrialRecord t = recordOf(tr.id);
            if (t.state == TrialState::Completed || (t.state == TrialState::Failed && !m_ctx.options->resumeRunId.isEmpty())) {
                ++(t.state == TrialState::Completed ? m_ctx.result->trialsCompleted : m_ctx.result->trialsFailed);
                closeOne(g);
                continue;
            }
            QList<int> trialSlots;
            for (const auto &a : active)
                trialSlots << a->slot();
            if (!live.count(g)) {
                QList<int> groupSlots;
                for (const auto &[other, runner] : live)
                    groupSlots << runner->slot();
                // A group of its own trial shares the trial's slot.
                const int slot = groups[g].shared ? freeSlot(groups[g].id, groupSlots) : freeSlot(tr.id, trialSlots + groupSlots);
                live.emplace(g, std::make_unique<ServiceGroupRunner>(m_ctx, groups[g], slot));
            }
            ServiceGroupRunner *group = live.at(g).get();
            const int slot = groups[g].shared ? freeSlot(tr.id, trialSlots) : group->slot();
            auto runner = std::make_unique<TrialRunner>(m_ctx, t, tr, slot, group);
            m_ctx.journal->info(tr.id, QStringLiteral("start"), QStringLiteral("trial %1 (%2)%3%4").arg(tr.id, [&] {
                QStringList p;
                for (const recipe::KeyValue &kv : tr.parameters)
                    p << kv.key + QLatin1Char('=') + kv.value;
                return p.isEmpty() ? QStringLiteral("no parameters") : p.join(QStringLiteral(", "));
            }(), groups[g].shared ? QStringLiteral(" in service group %1").arg(groups[g].id) : QString(),
                 parallel > 1 ? QStringLiteral(" in slot %1").arg(slot) : QString()));
            if (const auto o = runner->start()) {
                settle(*o);
                closeOne(g);
                continue;
            }
            if (group->state() == ServiceGroupRunner::State::Idle)
                group->start(); // a failure fails the group's trials on their next step
            bool changed = false;
            if (const auto o = runner->step(slurm::QueryResult{}, &changed)) {
                settle(*o);
                closeOne(g);
                continue;
            }
            active.push_back(std::move(runner));
            interval = m_ctx.options->pollFastMs;
        }
    };
    // Results, teardown and logs of the trials whose clients have ended.
    auto collectEnded = [&] {
        for (auto it = active.begin(); it != active.end();) {
            if (!(*it)->clientsEnded()) {
                ++it;
                continue;
            }
            settle((*it)->collect());
            const int g = groupOf[indexOf.value((*it)->record().trialId)];
            it = active.erase(it);
            closeOne(g);
        }
    };
    while (true) {
        fill();
        if (active.empty())
            break;
        if (m_ctx.cancelled()) {
            // Cancel or detach: every in-flight trial ends here (abort
            // leaves the jobs running when detaching).
            for (auto &a : active)
                settle(a->abort());
            active.clear();
            for (auto &[g, runner] : live)
                runner->abort();
            live.clear();
            break;
        }
        // One squeue for the jobs of every live group and in-flight trial.
        QStringList ids;
        for (const auto &[g, runner] : live)
            ids << runner->jobIds();
        for (const auto &a : active)
            ids << a->jobIds();
        slurm::QueryResult answer;
        if (!ids.isEmpty()) {
            auto r = await(m_ctx.slurm->query(ids), m_ctx.cancel, kPollAnswerMs);
            if (!r && m_ctx.cancelled())
                continue; // handled above
            answer = r ? *r : slurm::QueryResult{};
            if (!r)
                answer.error = QStringLiteral("squeue on %1: no answer within %2 s").arg(m_ctx.runner->destination()).arg(kPollAnswerMs / 1000);
            if (!answer.error.isEmpty()) {
                // The cluster is out of reach: say so, wait within the
                // reconnect window (linkDown interrupts the run after it).
                m_hooks.linkDown(answer.error);
                pause(m_ctx.options->pollFastMs, m_ctx.cancel);
                continue;
            }
            m_hooks.linkUp();
        }
        bool changed = false;
        for (auto &[g, runner] : live) {
            const bool wasFailed = runner->state() == ServiceGroupRunner::State::Failed;
            runner->step(answer, &changed);
            if (!wasFailed && runner->state() == ServiceGroupRunner::State::Failed && groups[g].shared)
                dropQueued(g, runner->failure());
        }
        for (auto it = active.begin(); it != active.end();) {
            if (const auto o = (*it)->step(answer, &changed)) {
                settle(*o);
                const int g = groupOf[indexOf.value((*it)->record().trialId)];
                it = active.erase(it);
                closeOne(g);
                changed = true;
            } else {
                ++it;
            }
        }
        // Trials whose clients ended: the next trials start first (unless a
        // failure may stop the run), then their results come home.
        const bool ended = std::any_of(active.begin(), active.end(), [](const auto &a) { return a->clientsEnded(); });
        const bool failed = std::any_of(active.begin(), active.end(), [](const auto &a) { return a->clientsFailed(); });
        if (ended && !(failed && m_ctx.options->stopOnFailure))
            fill();
        collectEnded();
        if (!stop && !m_ctx.cancelled() && occupied() < parallel && !queue.isEmpty())
            continue; // a slot is free: start the next trial at once
        if (active.empty())
            continue;
        interval = changed ? m_ctx.options->pollFastMs : std::min(m_ctx.options->pollSlowMs, interval * 3 / 2);
        pause(interval, m_ctx.cancel);
    }
    // Stopped early (--stop-on-failure): groups whose trials will not run now.
    for (auto &[g, runner] : live) {
        if (m_ctx.cancelled())
            runner->abort();
        else
            runner->stop();
    }
}

} // namespace fb::session
