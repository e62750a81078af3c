// RunComparison: runs (or some trials of runs) against a baseline the user
// chose, trial by trial, with the noise taken into account.
//
//  - Each side is a Study (a run, or the trials picked from one). Its trials
//    are grouped by their swept values; the repetitions of a combination are
//    the samples of that group. A candidate's group is matched with the
//    baseline group that has the same swept values — never summed across
//    trials. When both sides hold a single group (an unswept run, or one
//    trial picked on each side: two trials of one run) they are matched
//    whatever their values.
//  - Each metric's kind says which way is better: latency lower, throughput
//    higher, errors lower; counts ("latency.get.count", "requests.sent") and
//    other figures are shown but not judged.
//  - Verdict: with >= 2 samples on both sides, Welch's 95 % confidence
//    interval of the relative difference (mean(B) - mean(A)) / |mean(A)| is
//    compared with the tolerance band [-tol, +tol] (default 5 %): a
//    regression or an improvement only when the interval lies entirely
//    outside the band, else "within noise". With one sample on either side
//    the verdict is "single sample" (the difference is shown, not judged).
//    A zero baseline mean compares the absolute interval with 0.
//
// RunComparisonModel shows it as a table (QtCore only, so fbcore can hold it;
// the charts library's CompareRunsView adds colours and a chart). Every cell
// is formatted through common/Units.h, so each one carries its unit.
#pragma once

#include "metrics/Statistics.h"
#include "metrics/Study.h"

#include <QAbstractTableModel>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

namespace fb::metrics {

enum class MetricKind { Latency, Throughput, Errors, Count, Other };
// From the key and its unit: error counts and rates -> Errors; Count/Tokens
// units -> Count; rates -> Throughput; times (but durations) -> Latency.
MetricKind metricKind(const QString &metric, const units::MetricUnit &unit);

enum class Verdict { WithinNoise, Regression, Improvement, SingleSample, Count, NotJudged, Missing };
QString verdictName(Verdict v); // "within noise", "regression", ..., "count", "not judged", "missing"

// A side of a comparison: a run's study (all its trials or the ones picked).
struct ComparisonSide
{
    Study study;
    QString label; // shown in headers: "run-b", "run-a/t002"
};

// The trials of `study` named by `selectors` ("t002" also takes its
// repetitions "t002-r1", "t002-r2"); *error names the unknown ones.
std::optional<Study> selectTrials(const Study &study, const QStringList &selectors, QString *error);

struct ComparisonCell
{
    QString trials;                   // the matched candidate group ("concurrency=4"); "" when none
    stats::ConfidenceInterval value;  // of the candidate's samples (stored unit); n == 0 when missing
    stats::WelchComparison diff;      // candidate - baseline
    Verdict verdict = Verdict::Missing;
};

struct ComparisonRow
{
    QString trials;                  // the baseline group: "concurrency=4, pipeline=16" (trial id when unswept)
    QStringList baselineTrialIds;
    QString metric;                  // "latency.p99"
    units::MetricUnit unit;          // of the stored values (base = value * unit.toBase)
    MetricKind kind = MetricKind::Other;
    stats::ConfidenceInterval baseline;
    QList<ComparisonCell> cells;     // one per candidate, in order
};

class RunComparison
{
public:
    static constexpr double kDefaultTolerance = 0.05;
    static constexpr double kConfidence = 0.95;

    // `metrics`: keys or wildcard patterns ("latency.*.p99"); empty: the
    // baseline's main metrics (Study::mainMetrics).
    RunComparison(ComparisonSide baseline, QList<ComparisonSide> candidates, const QStringList &metrics = {},
                  double tolerance = kDefaultTolerance);

    double tolerance() const { return m_tolerance; }
    void setTolerance(double fraction); // recomputes the verdicts
    QString baselineLabel() const { return m_baseline.label; }
    QStringList candidateLabels() const;
    QStringList metrics() const { return m_metrics; }
    QStringList unknownMetrics() const { return m_unknownMetrics; } // patterns that matched nothing

    const QList<ComparisonRow> &rows() const { return m_rows; }
    // Groups of a side without a partner: "run-b: concurrency=8 (not in the baseline)".
    QStringList unmatched() const { return m_unmatched; }
    int count(Verdict v) const;
    bool hasRegression() const { return count(Verdict::Regression) > 0; }
    // "concurrency=4 · latency p99 (run-b): +23 % [+18 %, +28 %]"
    QStringList regressions() const;

    // Cell texts, one number format with units: "1.23 ms ± 0.05 ms",
    // "+23 %", "[+18 %, +28 %]"; "—" when there is nothing to show.
    static QString formatValue(const stats::ConfidenceInterval &ci, const units::MetricUnit &unit);
    static QString formatRelative(double fraction);
    // Relative ("+23 %", "[+18 %, +28 %]"); from a zero baseline the absolute
    // difference in `unit` ("+3", "+0.5 %" for an error rate). "—" when there is none.
    static QString formatDifference(const stats::WelchComparison &d, const units::MetricUnit &unit);
    static QString formatInterval(const stats::WelchComparison &d, const units::MetricUnit &unit);
    Verdict judge(MetricKind kind, const stats::WelchComparison &d) const;

private:
    void compute();

    ComparisonSide m_baseline;
    QList<ComparisonSide> m_candidates;
    QStringList m_metrics, m_unknownMetrics, m_unmatched;
    double m_tolerance = kDefaultTolerance;
    QList<ComparisonRow> m_rows;
};

class RunComparisonModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Roles { VerdictRole = Qt::UserRole + 1, RelativeRole, MeanRole, HalfWidthRole, KindRole };
    explicit RunComparisonModel(QObject *parent = nullptr);

    void setComparison(const RunComparison &comparison);
    const RunComparison *comparison() const { return m_comparison.get(); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Columns: Trial | Metric | Baseline | then per candidate: value, Δ, 95 % CI of Δ, verdict.
    static constexpr int kFixedColumns = 3;
    static constexpr int kPerCandidate = 4;
    enum Part { ValuePart, DeltaPart, IntervalPart, VerdictPart };

private:
    std::unique_ptr<RunComparison> m_comparison;
};

} // namespace fb::metrics
