// Study: the results of one run read as a study — what the sweep varied and
// what it measured. For one run it holds
//  - its trials, in run order, each with its swept values (parameter path ->
//    value as written in the recipe), its state and its result document (the
//    trial's client results merged; none while the trial runs or if it failed);
//  - the swept parameters with their distinct values (numeric ones sorted);
//  - the summary metrics the results hold, each with its unit
//    (fb::units::unitOfMetric, the document's declared unit winning), main
//    figures first, plus the derived "error_rate";
//  - the repetitions grouped: trials with the same swept values are the
//    samples of one point, shown as their mean with a 95 % Student-t
//    confidence interval (mean ± t(0.975, n-1)·s/√n);
//  - the trial table as CSV, holding the values exactly as in the result files.
//
// A plain value type, cheap to copy, built from StudyTrial records: by
// session::loadStudy (core/session/StudyLoader.h) from the run store, or by
// hand (tests). Used by the study panel (gui), SweepChart, the other study
// charts and fbctl export/report. Values are kept in the unit the result file
// uses (fbload: latencies in ms); StudyMetric::unit.toBase converts them to
// the base unit (seconds, bytes, ...) for display through Units.h.
#pragma once

#include "common/Units.h"
#include "metrics/ResultDocument.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <optional>

namespace fb::metrics {

using ParameterValues = QList<QPair<QString, QString>>; // swept field path -> value, in axis order

struct StudyTrial
{
    QString id;                 // "t003-r2"
    int index = 0;              // order in the run (the run store's: combination * 1000 + repetition)
    QString state;              // as recorded: pending, running, completed, failed, cancelled
    ParameterValues parameters; // this trial's swept values
    std::optional<ResultDocument> result; // merged result of its clients; empty until downloaded
    QString error;              // why there is no result although files exist (unreadable, unmergeable)

    QString parameter(const QString &path) const; // "" when `path` is not swept
    // The value of a Study metric key ("latency.p99", "error_rate") in the
    // file's unit; NaN without a result or when the result lacks it.
    double value(const QString &metric) const;
};

struct StudyParameter
{
    QString path;         // "clients[0].load.concurrency"
    QString name;         // "concurrency": the shortest suffix of the path unique in the study
    QStringList values;   // distinct values: numerically sorted when numeric, else in trial order
    bool numeric = false; // every value reads as a number (the axis can be linear or log)
};

struct StudyMetric
{
    QString key;          // "latency.p99", "throughput.requests_per_s", "requests.errors", "error_rate"
    units::MetricUnit unit; // of the stored values: base value = value * unit.toBase
    QString storedUnit;   // the unit as the files write it ("ms", "req/s"); "" for plain numbers
    bool derived = false; // computed by the study (error_rate), not read from the files

    // "p99 latency (ms)"-style axis title for values shown in `scale`.
    QString axisTitle(const units::Scale &scale) const;
    QString displayName() const; // "latency p99", "throughput requests/s", "error rate"
};

// One point of a sweep: the repetitions (trials) of one parameter combination.
struct StudyPoint
{
    QString xValue;        // the x parameter's value as written
    double x = 0;          // its number; for a non-numeric parameter its 1-based position
    QStringList trialIds;  // the repetitions that have a value for the metric, in run order
    QList<double> samples; // their values (stored unit), same order
    int n = 0;
    double mean = 0;       // NaN when n == 0
    double stdev = 0;      // sample standard deviation; NaN when n < 2
    double halfWidth = 0;  // of the 95 % t-interval: t(0.975, n-1) * stdev / sqrt(n); NaN when n < 2
    double low() const;    // mean - halfWidth (mean when n < 2)
    double high() const;   // mean + halfWidth (mean when n < 2)
};

struct StudySeries
{
    QString name;              // "pipeline=16" (+ ", value_size=64" for further swept parameters); "" if none
    ParameterValues fixed;     // the values every point of the series shares (all parameters but x)
    QList<StudyPoint> points;  // by x
};

class Study
{
public:
    static constexpr double kConfidence = 0.95;
    static constexpr char kErrorRate[] = "error_rate"; // requests.errors / requests.sent

    Study() = default;
    Study(const QString &runId, const QString &name, QList<StudyTrial> trials);

    QString runId() const { return m_runId; }
    QString name() const { return m_name; } // the recipe's name
    QString workload() const;               // of the first result ("redis", "llm", ...); "" without results
    const QList<StudyTrial> &trials() const { return m_trials; }
    const StudyTrial *trial(const QString &id) const; // nullptr when unknown
    int resultCount() const;                          // trials with a result

    const QList<StudyParameter> &parameters() const { return m_parameters; } // swept ones, in axis order
    const StudyParameter *parameter(const QString &pathOrName) const;          // by path or short name
    const QList<StudyMetric> &metrics() const { return m_metrics; }            // main figures first
    const StudyMetric *metric(const QString &key) const;
    // The figures of the trial table: throughput, goodput, token and byte
    // rates, p50/p99 of the main latencies, error rate — those present.
    QStringList mainMetrics() const;

    // "concurrency=4, pipeline=16": a trial named by its swept values (its id without a sweep).
    QString trialLabel(const StudyTrial &trial) const;
    // Trials with the same swept values, in run order: groups of repetitions.
    QList<QList<const StudyTrial *>> repetitionGroups() const;

    // `metric` against the parameter `x`, one series per value of `series`
    // (and of every further swept parameter); repetitions become one point
    // with its t-interval. Empty `series`: one series per combination of the
    // other parameters (one series in a one-axis sweep). Trials without a value are left out.
    QList<StudySeries> sweep(const QString &metric, const QString &x, const QString &series = {}) const;

    // The trial table as RFC 4180 CSV: trial, state, one column per swept
    // parameter (short name), one per metric ("latency.p99 (ms)"), values as
    // in the result files (shortest round-trip form), empty when missing.
    // `metrics` empty: mainMetrics().
    QString tableCsv(const QStringList &metrics = {}) const;
    // The column header of a metric in tableCsv: "latency.p99 (ms)".
    QString csvHeader(const QString &metric) const;

    // Mean, sample stdev and t-interval half-width of `samples` (see StudyPoint).
    static StudyPoint summarize(const QList<double> &samples);

private:
    QString m_runId, m_name;
    QList<StudyTrial> m_trials;
    QList<StudyParameter> m_parameters;
    QList<StudyMetric> m_metrics;
};

} // namespace fb::metrics
