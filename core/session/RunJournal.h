// RunJournal: everything a campaign records about its run on this machine —
// the events (campaign.log, campaign.jsonl, each trial's logs/campaign.events),
// the run store's records (run, trials, jobs, result files; a write that fails
// for a full or failing disk reports storeFault so the run stops for resume),
// the trials' state changes, manifest.json, and the resume state that is not
// in the records: each trial's port slot (the manifest's "slots"; runs from
// before kept it in <trial>/slot, which is still read). Secrets are redacted
// from everything it writes. One per run; on the engine's thread.
#pragma once

#include "session/CampaignEvent.h"
#include "session/RunStore.h"
#include "session/SecretRedactor.h"

#include <QFile>
#include <QJsonObject>

#include <functional>
#include <optional>

namespace fb::session {

class RunJournal
{
public:
    struct Hooks
    {
        std::function<void(const CampaignEvent &)> event;
        std::function<void(const QString &trialId, TrialState state, const QString &step)> trialChanged;
        std::function<void(const JobRecord &)> jobChanged;
        std::function<void(const QString &why)> storeFault; // the disk under the store is full or failing
    };

    RunJournal(RunStore *store, Hooks hooks);
    RunJournal(const RunJournal &) = delete;
    RunJournal &operator=(const RunJournal &) = delete;

    RunStore *store() const { return m_store; }
    RunRecord &run() { return m_run; }
    const RunRecord &run() const { return m_run; }
    void setSecrets(const SecretRedactor &secrets) { m_secrets = secrets; }
    const SecretRedactor &secrets() const { return m_secrets; }

    // The local run folder; opens campaign.log and campaign.jsonl there (append).
    bool open(const QString &localRunDir);
    QString localRunDir() const { return m_localRunDir; }
    QString localTrialDir(const QString &trialId) const { return m_localRunDir + QLatin1Char('/') + trialId; }

    void event(CampaignEvent::Level level, const QString &trial, const QString &step, const QString &message);
    void info(const QString &trial, const QString &step, const QString &m) { event(CampaignEvent::Info, trial, step, m); }
    void warn(const QString &trial, const QString &step, const QString &m) { event(CampaignEvent::Warning, trial, step, m); }
    void error(const QString &trial, const QString &step, const QString &m) { event(CampaignEvent::Error, trial, step, m); }

    // Run store writes; false (with an error event naming the store) when it failed.
    bool save(const RunRecord &r);
    bool save(const TrialRecord &t);
    bool save(const JobRecord &j); // also reports jobChanged
    bool save(const ResultFileRecord &f);
    bool saveRun() { return save(m_run); }
    // Moves a trial to `state`/`phase` (start and finish times, error kept
    // unless a new one is given), records it and reports trialChanged.
    void setTrial(TrialRecord &t, TrialState state, TrialPhase phase, const QString &error = {});

    // Writes manifest.json locally (redacted) from the run record and the
    // store, with `context` (cluster, remote_dir, fbload, …) merged in; the
    // manifest is kept in the run record too. The local path, or empty when
    // the file could not be written (a warning says why).
    QString writeManifest(const QJsonObject &context);

    // The port slot a trial ran in (resume gives it back), and recording it.
    std::optional<int> previousSlot(const QString &trialId) const;
    bool rememberSlot(const QString &trialId, int slot);

private:
    bool checked(bool ok, const char *what, const QString &error);

    RunStore *m_store;
    Hooks m_hooks;
    RunRecord m_run;
    QString m_localRunDir;
    QFile m_textLog;
    QFile m_jsonLog;
    SecretRedactor m_secrets;
};

} // namespace fb::session
