#include "RunJournal.h"

#include "LocalFiles.h"

#include "common/AppInfo.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace fb::session {

QString CampaignEvent::levelName(Level l)
{
    switch (l) {
    case Info: return QStringLiteral("INFO");
    case Warning: return QStringLiteral("WARN");
    case Error: return QStringLiteral("ERROR");
    }
    return {};
}

QString CampaignEvent::toText() const
{
    QString s = time.toUTC().toString(Qt::ISODateWithMs) + QLatin1Char(' ') + levelName(level);
    if (!trialId.isEmpty())
        s += QLatin1Char(' ') + trialId;
    if (!step.isEmpty())
        s += QLatin1Char(' ') + step + QLatin1Char(':');
    return s + QLatin1Char(' ') + message;
}

QByteArray CampaignEvent::toJsonLine() const
{
    QJsonObject o{{QStringLiteral("time"), time.toUTC().toString(Qt::ISODateWithMs)},
                  {QStringLiteral("level"), levelName(level).toLower()},
                  {QStringLiteral("source"), QStringLiteral("campaign")},
                  {QStringLiteral("run"), runId},
                  {QStringLiteral("message"), message}};
    if (!trialId.isEmpty())
        o.insert(QStringLiteral("trial"), trialId);
    if (!step.isEmpty())
        o.insert(QStringLiteral("step"), step);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

RunJournal::RunJournal(RunStore *store, Hooks hooks)
    : m_store(store)
    , m_hooks(std::move(hooks))
{
}

bool RunJournal::open(const QString &localRunDir)
{
    m_localRunDir = localRunDir;
    QDir().mkpath(localRunDir);
    m_textLog.setFileName(localRunDir + QStringLiteral("/campaign.log"));
    m_jsonLog.setFileName(localRunDir + QStringLiteral("/campaign.jsonl"));
    return m_textLog.open(QIODevice::Append | QIODevice::Text) && m_jsonLog.open(QIODevice::Append);
}

void RunJournal::event(CampaignEvent::Level level, const QString &trial, const QString &step, const QString &message)
{
    CampaignEvent e{QDateTime::currentDateTimeUtc(), level, m_run.id, trial, step, m_secrets.redact(message)};
    if (m_textLog.isOpen()) {
        m_textLog.write(e.toText().toUtf8() + '\n');
        m_textLog.flush();
    }
    if (m_jsonLog.isOpen()) {
        m_jsonLog.write(e.toJsonLine() + '\n');
        m_jsonLog.flush();
    }
    if (!trial.isEmpty() && !m_localRunDir.isEmpty()) {
        // Per-trial copy, merged with the job logs into the trial's merged log.
        const QString dir = localTrialDir(trial) + QStringLiteral("/logs");
        QDir().mkpath(dir);
        QFile f(dir + QStringLiteral("/campaign.events"));
        if (f.open(QIODevice::Append | QIODevice::Text))
            f.write(e.time.toString(Qt::ISODateWithMs).toUtf8() + ' ' + CampaignEvent::levelName(level).toUtf8() + ' ' + step.toUtf8()
                    + ": " + e.message.toUtf8() + '\n');
    }
    if (m_hooks.event)
        m_hooks.event(e);
}

bool RunJournal::checked(bool ok, const char *what, const QString &err)
{
    if (ok)
        return true;
    const QString e = QStringLiteral("cannot record the %1 in %2: %3").arg(QLatin1String(what), m_store->path(), err);
    error({}, QStringLiteral("store"), e);
    // A full or failing disk under the run store: the run stops (jobs stay
    // for resume, which finds unrecorded ones by their comment) rather than
    // go on with a record that no longer matches the cluster.
    static const QRegularExpression diskFault(QStringLiteral("disk is full|disk I/O error|No space left|readonly|read-only"),
                                              QRegularExpression::CaseInsensitiveOption);
    if (diskFault.match(err).hasMatch() && m_hooks.storeFault)
        m_hooks.storeFault(QStringLiteral("cannot write ") + m_store->path() + QStringLiteral(": ") + err);
    return false;
}

bool RunJournal::save(const RunRecord &r)
{
    QString err;
    return checked(m_store->saveRun(r, &err), "run", err);
}

bool RunJournal::save(const TrialRecord &t)
{
    QString err;
    return checked(m_store->saveTrial(t, &err), "trial", err);
}

bool RunJournal::save(const JobRecord &j)
{
    QString err;
    const bool ok = m_store->saveJob(j, &err);
    if (m_hooks.jobChanged)
        m_hooks.jobChanged(j);
    return checked(ok, "job", err);
}

bool RunJournal::save(const ResultFileRecord &f)
{
    QString err;
    return checked(m_store->saveResultFile(f, &err), "result file", err);
}

void RunJournal::setTrial(TrialRecord &t, TrialState state, TrialPhase phase, const QString &err)
{
    const QString step = phaseName(phase);
    t.state = state;
    t.phase = phase;
    t.step = step;
    if (!err.isEmpty())
        t.error = err;
    if (state == TrialState::Running && !t.startedAt.isValid())
        t.startedAt = QDateTime::currentDateTimeUtc();
    if (state != TrialState::Running && state != TrialState::Pending)
        t.finishedAt = QDateTime::currentDateTimeUtc();
    save(t);
    if (m_hooks.trialChanged)
        m_hooks.trialChanged(t.trialId, state, step);
}

QString RunJournal::writeManifest(const QJsonObject &context)
{
    QJsonObject m = m_run.manifest;
    m.insert(QStringLiteral("schema"), 1);
    m.insert(QStringLiteral("run"), m_run.id);
    m.insert(QStringLiteral("recipe"), m_run.name);
    m.insert(QStringLiteral("recipe_path"), m_run.recipePath);
    m.insert(QStringLiteral("profile"), m_run.profile);
    for (auto it = context.begin(); it != context.end(); ++it)
        m.insert(it.key(), it.value());
    m.insert(QStringLiteral("app"), QJsonObject{{QStringLiteral("version"), versionString()}, {QStringLiteral("commit"), gitCommit()}});
    m.insert(QStringLiteral("created"), m_run.createdAt.toString(Qt::ISODateWithMs));
    m.insert(QStringLiteral("state"), stateName(m_run.state));
    QJsonArray trials;
    for (const TrialRecord &t : m_store->trials(m_run.id)) {
        QJsonArray jobs;
        for (const JobRecord &j : m_store->jobs(m_run.id, t.trialId))
            jobs.append(QJsonObject{{QStringLiteral("component"), j.component}, {QStringLiteral("job_id"), j.jobId},
                                    {QStringLiteral("state"), stateName(j.state)}, {QStringLiteral("exit_code"), j.exitCode},
                                    {QStringLiteral("nodes"), j.nodes}});
        QJsonArray results;
        for (const ResultFileRecord &r : m_store->resultFiles(m_run.id, t.trialId))
            results.append(QJsonObject{{QStringLiteral("remote"), r.remotePath}, {QStringLiteral("local"), r.localPath},
                                       {QStringLiteral("sha256"), r.sha256}, {QStringLiteral("size"), r.size}});
        trials.append(QJsonObject{{QStringLiteral("id"), t.trialId}, {QStringLiteral("parameters"), t.params},
                                  {QStringLiteral("state"), stateName(t.state)}, {QStringLiteral("error"), t.error},
                                  {QStringLiteral("jobs"), jobs}, {QStringLiteral("results"), results}});
    }
    m.insert(QStringLiteral("trials"), trials);
    m_run.manifest = m;
    saveRun();
    QString err;
    const QString path = m_localRunDir + QStringLiteral("/manifest.json");
    if (!writeLocalFile(path, m_secrets.redact(QJsonDocument(m).toJson()), &err)) {
        warn({}, QStringLiteral("manifest"), err);
        return {};
    }
    return path;
}

std::optional<int> RunJournal::previousSlot(const QString &trialId) const
{
    const QJsonValue v = m_run.manifest.value(QStringLiteral("slots")).toObject().value(trialId);
    if (v.isDouble())
        return v.toInt();
    // Runs recorded before the slot moved into the manifest kept it in a side file.
    QFile f(localTrialDir(trialId) + QStringLiteral("/slot"));
    bool ok = false;
    const int slot = f.open(QIODevice::ReadOnly) ? f.readAll().trimmed().toInt(&ok) : -1;
    return ok && slot >= 0 ? std::optional<int>(slot) : std::nullopt;
}

bool RunJournal::rememberSlot(const QString &trialId, int slot)
{
    QJsonObject slotOf = m_run.manifest.value(QStringLiteral("slots")).toObject();
    slotOf.insert(trialId, slot);
    m_run.manifest.insert(QStringLiteral("slots"), slotOf);
    return saveRun();
}

} // namespace fb::session
