// RunComparison: each metric of one or more runs against a chosen baseline
// run, with the % difference and a verdict, in the manner of ReFrame's
// performance references: a value passes when it lies within
// [baseline * (1 + lower), baseline * (1 + upper)]; outside that band it is a
// regression or an improvement depending on which way is better for the
// metric (latency: lower; throughput: higher).
//
// RunComparisonModel shows it as a table (QtCore only, so fbcore can hold it;
// the charts library's CompareRunsView adds colours). Owned by the compare view.
#pragma once

#include "metrics/ResultDocument.h"

#include <QAbstractTableModel>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace fb::metrics {

enum class Better { Higher, Lower, Neither };

struct PerformanceReference
{
    double lower = -0.05; // fraction below the baseline still accepted (<= 0)
    double upper = 0.05;  // fraction above the baseline still accepted (>= 0)
    Better better = Better::Neither;
};

enum class ComparisonStatus { Ok, Regression, Improvement, OutOfRange, Missing };
QString comparisonStatusName(ComparisonStatus s);

struct ComparisonCell
{
    double value = 0;
    double percentDiff = 0; // (value - baseline) / |baseline| * 100; NaN when baseline is 0
    ComparisonStatus status = ComparisonStatus::Missing;
};

struct ComparisonRow
{
    QString metric;
    double baseline = 0;
    bool hasBaseline = false;
    QList<ComparisonCell> cells; // one per candidate run, in order
};

class RunComparison
{
public:
    // Metrics compared: those the baseline has, filtered by `metrics` when
    // non-empty (e.g. {"latency.p99", "throughput.requests_per_s"}).
    RunComparison(const ResultDocument &baseline, const QList<ResultDocument> &candidates,
                  const QStringList &metrics = {});

    void setDefaultTolerance(double lower, double upper); // applies to metrics without a reference
    void setReference(const QString &metric, const PerformanceReference &ref);
    PerformanceReference referenceFor(const QString &metric) const;
    // Guesses from the name: throughput, qps, tps, iops, recall, per_s → higher;
    // latency stats, ttft, itl, errors → lower.
    static Better betterFor(const QString &metric);

    QString baselineLabel() const { return m_baselineLabel; }
    QStringList candidateLabels() const { return m_labels; }
    QList<ComparisonRow> rows() const; // recomputed from references on each call
    QStringList regressions() const;   // "latency.p99 (run-b): +23.0 %"

private:
    QMap<QString, double> m_baseline;
    QList<QMap<QString, double>> m_candidates;
    QStringList m_labels;
    QString m_baselineLabel;
    QStringList m_metrics;
    QMap<QString, PerformanceReference> m_refs;
    double m_defaultLower = -0.05;
    double m_defaultUpper = 0.05;
};

class RunComparisonModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Roles { StatusRole = Qt::UserRole + 1, PercentRole, ValueRole };
    explicit RunComparisonModel(QObject *parent = nullptr);

    void setComparison(const RunComparison &comparison);
    const RunComparison *comparison() const { return m_comparison.get(); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Columns: Metric | Baseline | then per candidate: value, Δ %, status.
    static constexpr int kPerCandidate = 3;

private:
    std::unique_ptr<RunComparison> m_comparison;
    QList<ComparisonRow> m_rows;
};

} // namespace fb::metrics
