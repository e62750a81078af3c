#include "ServiceGroupRunner.h"

#include "LocalFiles.h"
#include "TrialRunner.h"

#include "recipe/ShellQuote.h"

#include <QFile>

#include <algorithm>

namespace fb::session {

ServiceGroupRunner::ServiceGroupRunner(const EngineContext &ctx, const ServiceGroup &group, int slot)
    : m_ctx(ctx)
    , m_group(group)
    , m_slot(slot)
    , m_recipe(group.services)
    , m_dir(ctx.remoteRunDir + QLatin1Char('/') + group.id)
    , m_localDir(ctx.journal->localTrialDir(group.id))
    , m_jobs(ctx, group.id, m_dir, group.shared ? JobSet::Stored::ReplaceEnded : JobSet::Stored::Keep)
{
    TrialRunner::applySlot(&m_recipe, slot, slot);
}

QStringList ServiceGroupRunner::jobIds() const
{
    QStringList ids;
    if (m_state == State::Starting || m_state == State::Ready)
        for (const JobRecord &j : m_services)
            ids << j.jobId;
    return ids;
}

void ServiceGroupRunner::fail(const QString &why)
{
    m_state = State::Failed;
    m_failure = why;
    m_ctx.journal->error(m_group.id, QStringLiteral("health"), why);
}

bool ServiceGroupRunner::start()
{
    m_state = State::Starting;
    m_waited.start();
    recipe::ScriptContext sc;
    sc.runId = m_ctx.journal->run().id;
    sc.trialId = m_group.id;
    sc.runDir = m_ctx.remoteRunDir;
    sc.trialDir = m_dir;
    sc.fbloadPath = m_ctx.fbloadPath;
    QList<recipe::BatchScript> all, scripts;
    QStringList errors;
    if (!recipe::BatchScriptGenerator().generate(m_recipe, sc, &all, &errors)) {
        fail(QStringLiteral("cannot generate the batch scripts: ") + errors.join(QStringLiteral("; ")));
        return false;
    }
    for (const recipe::BatchScript &s : std::as_const(all))
        if (s.role == QLatin1String("service"))
            scripts << s;
    if (m_group.shared && !m_ctx.journal->rememberSlot(m_group.id, m_slot)) {
        m_ctx.interrupt(QStringLiteral("cannot record the port slot of service group %1 in %2").arg(m_group.id, m_ctx.journal->store()->path()));
        return false;
    }
    // Local copies redacted; the real text goes up from an owner-only
    // temporary copy removed after the upload (as for a trial's scripts).
    const auto ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    QList<std::pair<QString, QString>> uploads;
    auto dropTemporaries = [&] {
        for (const auto &u : std::as_const(uploads))
            if (u.first.endsWith(QLatin1String(".upload")))
                QFile::remove(u.first);
    };
    QString err;
    for (const recipe::BatchScript &s : std::as_const(scripts)) {
        const QString local = m_localDir + QStringLiteral("/scripts/") + s.fileName;
        const QByteArray text = s.text.toUtf8();
        QString source = local;
        bool written = writeLocalFile(local, m_ctx.journal->secrets().redact(text), &err, ownerOnly);
        if (written && !m_ctx.journal->secrets().isEmpty()) {
            source = local + QStringLiteral(".upload");
            written = writeLocalFile(source, text, &err, ownerOnly);
        }
        if (!written) {
            dropTemporaries();
            m_ctx.interrupt(err);
            return false;
        }
        uploads.append({source, m_dir + QLatin1Char('/') + s.fileName});
    }
    auto mk = m_ctx.remote(QStringLiteral("umask 077 && mkdir -p %1/logs").arg(recipe::shellQuote(m_dir)));
    if (!mk || !mk->ok()) {
        dropTemporaries();
        if (mk)
            fail(mk->describe());
        return false;
    }
    for (const auto &u : std::as_const(uploads))
        if (!m_ctx.upload(u.first, u.second, m_group.id, QStringLiteral("prepare"))) {
            dropTemporaries();
            if (!m_ctx.cancelled())
                fail(m_ctx.result->error);
            return false;
        }
    dropTemporaries();
    if (m_group.shared)
        m_ctx.journal->info(m_group.id, QStringLiteral("start"), QStringLiteral("service group %1: %2 trial(s) share its services")
                                                                  .arg(m_group.id).arg(m_group.trials.size()));
    m_jobs.findAdoptable();
    for (const recipe::BatchScript &s : std::as_const(scripts)) {
        auto j = m_jobs.submit(s);
        if (!j) {
            if (!m_ctx.cancelled())
                fail(m_ctx.result->error);
            return false;
        }
        m_services << *j;
    }
    m_waited.start();
    return true;
}

void ServiceGroupRunner::step(const slurm::QueryResult &answer, bool *changed)
{
    if (m_state != State::Starting && m_state != State::Ready)
        return;
    *changed |= m_jobs.apply(m_services, answer);
    if (m_state == State::Ready) {
        // A service that ends while its group still runs takes the group down.
        for (const JobRecord &j : std::as_const(m_services))
            if (jobEnded(j)) {
                fail(m_jobs.failure(j));
                m_ctx.cancelJobs(m_services, m_group.id);
                *changed = true;
                return;
            }
        return;
    }
    const QHash<QString, QString> ready = m_services.isEmpty() ? QHash<QString, QString>() : m_jobs.readyEndpoints();
    if (m_ctx.cancelled())
        return;
    int nReady = 0;
    for (const JobRecord &j : std::as_const(m_services)) {
        const QString file = JobSet::endpointFile(j);
        if (ready.contains(file)) {
            ++nReady;
            if (!m_announced.contains(file)) {
                m_announced.insert(file);
                *changed = true;
                m_ctx.journal->info(m_group.id, QStringLiteral("health"), QStringLiteral("%1 is ready: %2").arg(j.component, ready.value(file)));
            }
        } else if (jobEndedBadly(j)) {
            fail(m_jobs.failure(j));
            m_ctx.cancelJobs(m_services, m_group.id);
            *changed = true;
            return;
        }
    }
    if (nReady < m_services.size()) {
        if (m_waited.elapsed() > m_ctx.options->serviceReadyTimeoutMs) {
            fail(QStringLiteral("services not ready within %1 s").arg(m_ctx.options->serviceReadyTimeoutMs / 1000));
            m_ctx.cancelJobs(m_services, m_group.id);
            *changed = true;
        }
        return;
    }
    m_state = State::Ready;
    *changed = true;
}

void ServiceGroupRunner::stop()
{
    if (m_state == State::Idle && m_group.shared && !m_ctx.options->keepServices) {
        // Never started in this invocation (resume after a crash that came
        // before the group was stopped: its last trials were only finished
        // off): services recorded as alive are stopped.
        QList<JobRecord> left;
        for (const JobRecord &j : m_ctx.journal->store()->jobs(m_ctx.journal->run().id, m_group.id))
            if (!jobEnded(j))
                left << j;
        if (!left.isEmpty()) {
            m_ctx.journal->info(m_group.id, QStringLiteral("teardown"), QStringLiteral("service group %1 is done with: stopping its services").arg(m_group.id));
            m_ctx.cancelJobs(left, m_group.id);
        }
    }
    if (m_state == State::Stopped || m_state == State::Idle) {
        m_state = State::Stopped;
        return;
    }
    const bool failed = m_state == State::Failed;
    m_state = State::Stopped;
    if (m_ctx.options->keepServices && !failed)
        return;
    m_ctx.cancelJobs(m_services, m_group.id);
    m_jobs.waitTerminal(m_services, 60000);
    if (m_group.shared) {
        TrialRecord owner;
        owner.runId = m_ctx.journal->run().id;
        owner.trialId = m_group.id;
        m_ctx.collector->collectLogs(owner, m_dir, m_localDir);
    }
}

void ServiceGroupRunner::abort()
{
    if (m_ctx.detached())
        return; // the jobs stay, for resume
    QList<JobRecord> jobs = m_services;
    for (const JobRecord &j : m_ctx.journal->store()->jobs(m_ctx.journal->run().id, m_group.id))
        if (std::none_of(jobs.begin(), jobs.end(), [&](const JobRecord &k) { return k.jobId == j.jobId; }))
            jobs << j;
    m_ctx.cancelJobs(jobs, m_group.id);
    m_state = State::Stopped;
}

} // namespace fb::session
