// ResultCollector: brings a trial's output home — its result files
// (<trial>/result-*.json: listed with size and sha256 on the cluster,
// downloaded once, checked against the checksum, recorded in the run store;
// a short or failed local write is this machine's disk, reported so the run
// stops for resume) and its job logs, merged with the trial's campaign events
// into one time-ordered log (merged.log, merged.jsonl; mergeLogs() is the same
// merge the app's log view and `fbctl logs` read).
#pragma once

#include "common/CommandRunner.h"
#include "common/RemoteFiles.h"
#include "session/RunJournal.h"

#include <QStringList>

#include <atomic>

namespace fb::session {

class ResultCollector
{
public:
    ResultCollector(CommandRunner *runner, RemoteFiles *files, RunJournal *journal, const std::atomic_bool *cancel);

    // Downloads the trial's result files not downloaded before: how many, or
    // -1 when cancelled or a local write failed (*diskError then names the
    // file and says that the result stays on the cluster).
    int downloadResults(const TrialRecord &t, const QString &trialDir, const QString &localTrialDir, QString *diskError);
    // Downloads <trial>/logs/* (and <dir>/logs/* of each of `moreDirs`: the
    // logs of a service group's services so far) and writes merged.log and merged.jsonl.
    void collectLogs(const TrialRecord &t, const QString &trialDir, const QString &localTrialDir, const QStringList &moreDirs = {});
    int downloaded() const { return m_downloaded; } // result files, by this collector

    // Job logs (<trialDir>/logs/*) and campaign events in one time-ordered
    // list of lines: "<time> <source> <text>".
    static QStringList mergeLogs(const QString &trialDir);

private:
    CommandRunner *m_runner;
    RemoteFiles *m_files;
    RunJournal *m_journal;
    const std::atomic_bool *m_cancel;
    int m_downloaded = 0;
};

} // namespace fb::session
