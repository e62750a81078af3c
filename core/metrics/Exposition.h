// Exposition: the Prometheus text exposition format (0.0.4) and OpenMetrics
// 1.0 text, parsed into metric families. Used for fbload's live /metrics, for
// scrapes of exporters the app shows directly, and for golden-file tests.
//
// Hand-written rather than a library because no Debian-packaged C++ library
// parses the format (prometheus-cpp only writes it), and the app needs
// line:column errors on malformed input, never an exception or a crash.
// The parser works on raw bytes (no per-character QString work) so a 50 MB
// scrape parses at tens of MB/s; see tests/bench/charts/bench_charts.cpp.
//
// Owned by whoever parses; results are plain values.
#pragma once

#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>

namespace fb::metrics {

enum class MetricType {
    Untyped,        // Prometheus "untyped" and OpenMetrics "unknown"
    Counter,
    Gauge,
    Histogram,
    Summary,
    Info,           // OpenMetrics
    StateSet,       // OpenMetrics
    GaugeHistogram, // OpenMetrics
};
QString metricTypeName(MetricType type);

using LabelList = QList<QPair<QString, QString>>; // in exposition order

struct Exemplar
{
    LabelList labels;
    double value = 0;
    std::optional<double> timestampSeconds;
};

struct Sample
{
    QString name;                     // full sample name, e.g. foo_bucket
    LabelList labels;
    double value = 0;
    std::optional<qint64> timestampMs; // OpenMetrics seconds are converted to ms
    std::optional<Exemplar> exemplar;
    int line = 0;                     // 1-based line in the input

    QString label(const QString &name) const; // empty when absent
};

struct MetricFamily
{
    QString name;
    MetricType type = MetricType::Untyped;
    QString help;
    QString unit;          // OpenMetrics # UNIT
    QList<Sample> samples;
};

struct ParseError
{
    int line = 0;   // 1-based
    int column = 0; // 1-based, 0 when the whole line is at fault
    QString message;
    QString toString() const; // "line 3, column 7: message"
};

enum class ExpositionFormat {
    Auto,           // OpenMetrics when the text ends with "# EOF", else Prometheus text
    PrometheusText, // text/plain; version=0.0.4
    OpenMetrics,    // application/openmetrics-text; version=1.0.0
};

struct Exposition
{
    ExpositionFormat format = ExpositionFormat::PrometheusText; // the one actually used
    QList<MetricFamily> families;
    QList<ParseError> errors; // at most maxErrors; parsing continues after each
    bool sawEof = false;

    bool ok() const { return errors.isEmpty(); }
    const MetricFamily *family(const QString &name) const;
    int sampleCount() const;
};

struct ExpositionOptions
{
    ExpositionFormat format = ExpositionFormat::Auto;
    int maxErrors = 100; // a garbage file must not produce a million errors
};

// Never throws; every problem becomes a ParseError with a line and column.
Exposition parseExposition(QByteArrayView text, const ExpositionOptions &options = {});

} // namespace fb::metrics
