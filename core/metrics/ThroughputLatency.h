// ThroughputLatency: the points of the throughput–latency curve ("hockey
// stick") and of the LLM token Pareto plot, from the summaries of the
// trials' result documents — one point per trial, for every workload.
//
// The documents are the trials' results (clients merged); the caller names
// each trial ("concurrency=4, pipeline=16"), its curve ("pipeline=16": trials
// of one group are joined) and the value of the swept load parameter that
// orders the points (else they go by throughput). Repetitions — trials of one
// group with the same label — become one point: the mean of their values
// (never a sum; ResultDocument::merge adds throughputs, which suits the
// clients of one trial, not repetitions). trialResults() builds the input
// from a Study.
//
// Every value returned is in its base unit (fb::units): throughput in
// requests/s, tokens/s, IOPS or bytes/s; latency in seconds.
#pragma once

#include "common/Units.h"
#include "metrics/ResultDocument.h"
#include "metrics/Study.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <limits>

namespace fb::metrics {

struct TrialResult
{
    QString label;  // how the trial is named in legends and tooltips
    QString group;  // trials of one group form one curve; "" = a single curve
    double load = std::numeric_limits<double>::quiet_NaN(); // swept load value (concurrency, rate); NaN: unknown
    ResultDocument document;
};

// The trials of `study` that have a result. `loadParameter` (path or short
// name) orders the points; empty: the first swept parameter named like a load
// (concurrency, rate, qps, users, clients, connections), else the first numeric
// one, else none (points go by throughput). The group is every other swept
// parameter ("pipeline=16, value_size=64"); the label the study's trial label.
QList<TrialResult> trialResults(const Study &study, const QString &loadParameter = {});
QString defaultLoadParameter(const Study &study); // path, "" when none fits

// A throughput the documents can be plotted against.
struct ThroughputMeasure
{
    QString key;  // summary.throughput key: "requests_per_s", "output_tokens_per_s", "bytes_per_s", ...
    QString name; // axis name: "throughput", "output tokens", "I/O operations"
    fb::units::Unit unit = fb::units::Unit::PerSecond;
};

// The measures a workload's documents carry, the usual one first:
// llm -> output tokens/s, total tokens/s, requests/s, goodput;
// file (storage) -> IOPS, bytes/s; others -> requests/s, goodput.
// Measures absent from every document are left out.
QList<ThroughputMeasure> throughputMeasures(const QList<TrialResult> &trials);
// Latency-like metrics present in the documents (summary unit ms), "latency" first:
// latency, service_time, ttft, tpot, itl, e2el, latency.<op>.
QStringList latencyMetrics(const QList<TrialResult> &trials);

struct CurveSpec
{
    enum class Order { Auto, ByLoad, ByThroughput }; // Auto: by load when every trial has one
    ThroughputMeasure throughput;                    // empty key: the first of throughputMeasures()
    QString latencyMetric = QStringLiteral("latency");
    // Summary stats: mean p50 p90 p95 p99 p999 max; other percentiles (p75,
    // p9999) come from the metric's exact histogram when the summary lacks them.
    QStringList stats{QStringLiteral("p50"), QStringLiteral("p99")};
    Order order = Order::Auto;
};

struct CurvePoint
{
    QString label;
    double load = std::numeric_limits<double>::quiet_NaN();
    double throughput = 0;  // base unit of spec.throughput.unit
    QList<double> latency;  // seconds, one per spec.stats (NaN where the document lacks it)
    QList<double> latencyAsWritten; // the same in the file's unit (fbload: ms), for exact CSV
    int repetitions = 1;    // trials averaged into this point
};

struct Curve
{
    QString group;
    QList<CurvePoint> points; // in the spec's order
};

// One curve per group (groups in order of first appearance). Fills an empty
// spec.throughput with the default measure.
QList<Curve> throughputLatencyCurves(const QList<TrialResult> &trials, CurveSpec *spec);

// LLM: per trial, the output tokens/s each user sees (1 / mean TPOT; without a
// TPOT metric, output tokens/s ÷ the trial's concurrency) against the output
// tokens/s of all users together. `frontier` marks the Pareto-optimal trials
// (no other trial is at least as good on both and better on one).
struct ParetoPoint
{
    QString label;
    double perUser = 0; // tokens/s
    double total = 0;   // tokens/s
    int repetitions = 1;
    bool frontier = false;
};
bool hasTokenThroughput(const QList<TrialResult> &trials); // any output_tokens_per_s > 0
QList<ParetoPoint> tokenPareto(const QList<TrialResult> &trials); // sorted by total

} // namespace fb::metrics
