// Units: every number FactoryBench shows (axes, tooltips, tables, fbctl
// output, reports) goes through here, so a latency reads "850 µs" or
// "12.3 ms" and a rate "2.96 M req/s", never "5e-05" or "2.964e+06".
//
// A value is stored in its base unit (seconds, bytes, requests/s, …); a
// Scale picks the prefix that suits a magnitude (or an axis range) once, so
// that every tick label of one axis uses the same prefix.
#pragma once

#include <QString>

namespace fb::units {

enum class Unit {
    None,            // a plain number: 1.5, 12, 2.4 k
    Count,           // requests, errors, trials: 12, 2.4 k, 1.2 M
    Seconds,         // durations and latencies: ns, µs, ms, s (min/h for long ones)
    Bytes,           // binary prefixes: B, KiB, MiB, GiB, TiB
    BytesPerSecond,  // B/s, KiB/s, MiB/s, GiB/s
    PerSecond,       // requests/s: req/s, k req/s, M req/s
    OpsPerSecond,    // I/O operations: IOPS, k IOPS, M IOPS
    Tokens,          // tokens, k tokens, M tokens
    TokensPerSecond, // tok/s, k tok/s
    Ratio,           // 0..1 shown as a percentage: 0.125 -> 12.5 %
    Percent,         // already a percentage: 12.5 -> 12.5 %
};

struct Scale
{
    double factor = 1.0; // shown value = value / factor
    QString suffix;      // "ms", "MiB/s", "k req/s", "%", "" (no unit)
};

// The prefix that suits `magnitude` (a value, or the largest absolute value
// on an axis).
Scale scaleFor(Unit unit, double magnitude);

// `value` with the prefix that suits it and 3 significant digits (trailing
// zeros dropped, no exponent): "850 µs", "12.3 ms", "2.96 M req/s", "0 B".
// NaN/inf read "n/a".
QString format(double value, Unit unit, int significant = 3);

// `value` in a given scale (every label of an axis or table column shares
// one), with `decimals` digits after the point; no suffix.
QString number(double value, const Scale &scale, int decimals);

// Decimals that tell apart ticks `step` apart in `scale` (0 for whole numbers).
int decimalsForStep(double step, const Scale &scale);

// "Latency (ms)", "Throughput (k req/s)", "Errors" (no unit).
QString axisTitle(const QString &name, const Scale &scale);

// The unit of a result metric and the factor to its base unit: fbload writes
// latencies in ms ("latency.get.p99" -> Seconds, 0.001), "*_bytes" /
// "bytes*" -> Bytes, "*_per_s" -> PerSecond (BytesPerSecond for bytes,
// TokensPerSecond for tokens), "count"/"requests"/"errors.*" -> Count.
// `declared` is a unit the document states ("ms", "us", "s", "bytes"); it wins.
struct MetricUnit
{
    Unit unit = Unit::None;
    double toBase = 1.0; // base value = value * toBase
};
MetricUnit unitOfMetric(const QString &metricName, const QString &declared = QString());

// Unit names as written in files ("s", "bytes", "req/s", …) and back.
QString unitName(Unit unit);
Unit unitFromName(const QString &name, bool *ok = nullptr);

} // namespace fb::units
