// ResultDocument: one fbload result JSON ("schema": "factorybench.result"),
// loaded for charts, tables and comparisons, or several merged into one (the
// clients of a trial on several nodes, or the repetitions of a trial).
//
// Loading is tolerant of keys it does not know (newer fbload versions may add
// some) and strict about what it does know: an unknown schema_version or a
// malformed known field is an error naming the file and the field path
// ("results/r1.json: histograms.latency.buckets[3]: ..."). The format itself
// is documented by fbload in docs/result-format.md.
//
// A plain value type; the run store (session/) says which documents belong
// to which run and trial.
#pragma once

#include "metrics/LogLinearHistogram.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QPointF>
#include <QString>
#include <QStringList>

#include <optional>

namespace fb::metrics {

// One latency-like metric of the "summary" block. Times are in the unit the
// document states (fbload reports milliseconds).
struct MetricSummary
{
    QString unit;
    double count = 0;
    double mean = 0, stdev = 0, min = 0, max = 0;
    double p50 = 0, p90 = 0, p95 = 0, p99 = 0, p999 = 0;
    QMap<QString, double> other; // further numeric fields, kept as they are
    bool exact = true;           // false when merged without histograms (percentiles approximated)

    double value(const QString &stat) const; // "mean", "p99", ... ; NaN when unknown
};

// The per-second rows: x is seconds since the first row; one column per field.
struct TimeSeriesTable
{
    QList<double> t;                   // seconds since the start of the run
    double startUnixSeconds = 0;       // 0 when the document used relative times
    QMap<QString, QList<double>> columns; // NaN where a row lacked the field
    // Per row, the latencies of the requests completed in that second as an
    // exact histogram (fbload's latency_buckets, µs, layout from
    // timeseries.latency_histogram); empty when the document has none.
    QList<LogLinearHistogram> latencyBuckets;

    bool isEmpty() const { return t.isEmpty(); }
    QList<QPointF> series(const QString &column) const;
};

class ResultDocument
{
public:
    static constexpr int kSupportedSchemaVersion = 1;

    // `source` names the document in errors (a path or a run/trial id).
    static std::optional<ResultDocument> fromJson(const QByteArray &json, const QString &source, QString *error);
    static std::optional<ResultDocument> load(const QString &path, QString *error);
    // Histograms are merged exactly (same layout), and the summaries of metrics
    // that have one are recomputed from the merged histogram; throughputs,
    // error counts and counter-like time-series columns add up; latency-like
    // columns (mean, pNN, min, max) combine as mean / min / max.
    static std::optional<ResultDocument> merge(const QList<ResultDocument> &docs, QString *error);

    int schemaVersion = kSupportedSchemaVersion;
    QJsonObject run; // run metadata, as in the document
    QMap<QString, MetricSummary> metrics;   // summary.<metric> (or summary.metrics.<metric>)
    QMap<QString, double> throughput;        // summary.throughput
    QMap<QString, double> errors;            // summary.errors by class
    QMap<QString, double> scalars;           // other numeric summary fields (requests, duration_s, ...)
    TimeSeriesTable timeseries;
    QMap<QString, LogLinearHistogram> histograms;
    QStringList sources; // where it came from (several after a merge)

    QString runId() const;    // run.id or run.run_id
    QString workload() const; // run.workload (llm, redis, database, storage, vector, ...)
    QString label() const;    // run.label, else run.labels.{label,run,name,trial}, else run id, else the first source
    // fbload's generator health (run.generator, docs/result-format.md): why the
    // load generator itself limited the run ("" when it did not, or the file
    // predates run.generator). A merge is limited when any part was.
    QString generatorLimitedReason() const;

    // Flat "metric.stat" -> value map for comparisons and tables:
    // "latency.p99", "throughput.requests_per_s", "errors.timeout", "requests".
    QMap<QString, double> flatValues() const;
};

} // namespace fb::metrics
