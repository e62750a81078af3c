// ReportData: what a run's report says, gathered from the run store — the run
// (recipe name, description, recipe text, manifest with versions), its trials
// and jobs, its Study (swept values, results, repetitions), the SLO verdicts
// of each trial and the warnings a reader must see (interrupted or failed
// trials, failed jobs, unreadable results). Shared by `fbctl report` and the
// app's Runs panel (Export report…), so both write the same report.
#pragma once

#include "metrics/Study.h"
#include "session/RunStore.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <type_traits>

namespace fb::report {

using namespace fb::session; // stateName() of the store's typed states (session/States.h)

// A run's, trial's or job's state as the report shows it ("completed",
// "FAILED"): the store's records carry typed states (States.h) — or names,
// in stores read before that change; both read the same here.
template <typename State>
QString stateText(const State &state)
{
    if constexpr (std::is_convertible_v<State, QString>)
        return state;
    else
        return stateName(state);
}

// One SLO target of a trial: fbload's `slo.<name>_ms` and the trial's p99 of it.
struct SloCheck
{
    QString metric;       // "ttft", "tpot", "e2el"
    double targetMs = 0;
    double p99Ms = 0;     // NaN when the result lacks the metric
    bool met = false;     // p99 <= target
};

struct SloVerdict
{
    QString trialId;
    QList<SloCheck> checks;
    double goodShare = 0; // requests.good / requests.completed (fbload's goodput); NaN when unknown
};

struct ReportData
{
    session::RunRecord run;
    QList<session::TrialRecord> trials;
    QList<session::JobRecord> jobs;
    metrics::Study study;

    QString description() const;      // the recipe's metadata.description ("" when none)
    QString fbloadVersion() const;    // from the manifest, else the first result
    QString appVersion() const;       // FactoryBench version that ran it (manifest)
    QStringList nodes() const;        // every node a job ran on
    QList<SloVerdict> sloVerdicts() const; // trials with at least one SLO set
    QStringList warnings() const;     // interrupted / failed / generator-limited trials, failed jobs, run error, unreadable results
};

// The report data of `runId` from the store at `storePath`; nullopt with *error when the run cannot be read.
std::optional<ReportData> loadReportData(const QString &storePath, const QString &runId, QString *error);

} // namespace fb::report
