#include "JobTracker.h"

namespace fb::slurm {

namespace {
constexpr int kMissingPollsBeforeLost = 3;
}

JobTracker::JobTracker(SlurmClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
    qRegisterMetaType<fb::slurm::JobInfo>();
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &JobTracker::pollNow);
}

void JobTracker::setIntervals(int fastMs, int slowMs)
{
    m_fast = qMax(50, fastMs);
    m_slow = qMax(m_fast, slowMs);
    m_interval = m_fast;
}

void JobTracker::track(const QString &jobId)
{
    if (!SlurmClient::validJobId(jobId) || m_jobs.contains(jobId))
        return;
    Tracked t;
    t.info.id = jobId;
    m_jobs.insert(jobId, t);
    m_interval = m_fast;
    if (!m_inFlight)
        schedule();
}

void JobTracker::untrack(const QString &jobId)
{
    m_jobs.remove(jobId);
}

QList<JobInfo> JobTracker::jobs() const
{
    QList<JobInfo> out;
    for (const Tracked &t : m_jobs)
        out << t.info;
    return out;
}

void JobTracker::schedule()
{
    bool active = false;
    for (const Tracked &t : std::as_const(m_jobs))
        active = active || !t.finished;
    if (!active) {
        m_timer.stop();
        return;
    }
    m_timer.start(m_interval);
}

void JobTracker::pollNow()
{
    if (m_inFlight) {
        m_pollAgain = true;
        return;
    }
    QStringList ids;
    for (auto it = m_jobs.cbegin(); it != m_jobs.cend(); ++it)
        if (!it->finished)
            ids << it.key();
    if (ids.isEmpty())
        return;
    m_timer.stop();
    m_inFlight = true;
    ++m_polls;
    m_client->query(ids).then(this, [this](const QueryResult &r) { onResult(r); });
}

void JobTracker::onResult(const QueryResult &r)
{
    m_inFlight = false;
    bool changed = false;
    bool starting = false;
    if (!r.error.isEmpty()) {
        emit pollFailed(r.error);
    } else {
        for (const JobInfo &j : r.jobs) {
            auto it = m_jobs.find(j.id);
            if (it == m_jobs.end() || it->finished)
                continue;
            it->missingPolls = 0;
            if (!(it->info == j)) {
                const bool stateChanged = it->info.state != j.state;
                it->info = j;
                // Elapsed time ticks every poll; only real changes count for pacing.
                changed = changed || stateChanged;
                emit jobChanged(j);
            }
            if (isTerminal(j.state)) {
                it->finished = true;
                emit jobFinished(j);
            } else if (j.state != JobState::Running) {
                starting = true;
            }
        }
        for (const QString &id : r.missing) {
            auto it = m_jobs.find(id);
            if (it == m_jobs.end() || it->finished)
                continue;
            if (++it->missingPolls >= kMissingPollsBeforeLost) {
                it->finished = true;
                it->info.reason = QStringLiteral("job no longer known to Slurm");
                emit jobChanged(it->info);
                emit jobFinished(it->info);
            }
            starting = true;
        }
    }
    m_interval = (changed || starting) ? m_fast : qMin(m_slow, m_interval * 3 / 2 + 1);
    if (m_pollAgain) {
        m_pollAgain = false;
        pollNow();
        return;
    }
    schedule();
}

} // namespace fb::slurm
