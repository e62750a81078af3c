// CampaignEvent: one line of a campaign's journal — time, level, run, trial,
// step and message — as the engine emits it, RunJournal writes it
// (campaign.log, campaign.jsonl, the trial's campaign.events) and the app
// shows it.
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QMetaType>
#include <QString>

namespace fb::session {

struct CampaignEvent
{
    enum Level { Info, Warning, Error };
    QDateTime time;
    Level level = Info;
    QString runId;
    QString trialId;   // empty for run-level events
    QString step;      // "deploy", "submit", "health", "clients", "results", "logs", "teardown", …
    QString message;

    QString toText() const;     // "2026-11-23T10:00:00.123Z INFO t001 health: redis ready on node1:6379"
    QByteArray toJsonLine() const;
    static QString levelName(Level l); // "INFO", "WARN", "ERROR"
};

} // namespace fb::session

Q_DECLARE_METATYPE(fb::session::CampaignEvent)
