// LatencyDistribution: what the latency distribution and heatmap charts plot,
// computed from exact histograms (never from per-second summary rows), so that
// the numbers can be checked and exported without a GUI.
//
//  - percentileSpectrum(): latency against percentile, spaced evenly on the
//    log10(1/(1-p)) axis HdrHistogram's plots use, always including the named
//    percentiles p50, p90, p99, p99.9, p99.99 exactly;
//  - cdf(): the empirical CDF at every bucket edge (monotone, ends at 1);
//  - latencyHeatmap(): the per-second latency buckets of a trial's time series
//    re-binned onto log-spaced latency bins (time × latency × count).
//
// Values stay in the histogram's integer unit (fbload: µs); the charts convert
// to seconds (the base unit of fb::units) for display.
#pragma once

#include "metrics/LogLinearHistogram.h"

#include <QList>
#include <QPointF>
#include <QString>

namespace fb::metrics {

struct TimeSeriesTable;

// x position of percentile p (0..100) on the spectrum axis: log10(1/(1-p/100));
// p0 -> 0, p90 -> 1, p99 -> 2, p99.9 -> 3. 100 maps to +inf.
double percentileAxisPosition(double percentile);
double percentileFromAxisPosition(double position); // the inverse
// "p50", "p99", "p99.9", "p99.99" (up to 6 decimals, trailing zeros dropped).
QString percentileLabel(double percentile);
// p50, p90, then 99, 99.9, ... up to `nines` nines (nines >= 2).
QList<double> namedPercentiles(int nines);

// (percentile, value) ascending in percentile: p0, then pointsPerDecade points
// per decade of 1/(1-p) up to 100·(1 − 10^−nines), with namedPercentiles()
// inserted exactly. Each value is h.percentile(p). Empty for an empty histogram.
QList<QPointF> percentileSpectrum(const LogLinearHistogram &h, int nines = 4, int pointsPerDecade = 25);

// (value, fraction of samples <= value): starts at (min, 0), one point per
// non-empty bucket at its highest value (clamped to max), ends at (max, 1).
QList<QPointF> cdf(const LogLinearHistogram &h);

// Latency over time for one trial. Rows are the time series' seconds; bins
// are log-spaced latency intervals [edges[i], edges[i+1]) in µs with
// `binsPerDecade` per decade, aligned to powers of ten and just covering the
// non-empty buckets. A bucket counts in the bin holding its lowest value.
struct LatencyHeatmap
{
    QList<double> t;                 // seconds (the time series' x) of each column
    QList<double> edges;             // bin edges in µs, ascending (bins + 1 of them)
    QList<QList<quint64>> counts;    // counts[column][bin]
    quint64 maxCount = 0;
    quint64 total = 0;
    int binsPerDecade = 10;

    int columns() const { return int(t.size()); }
    int bins() const { return edges.isEmpty() ? 0 : int(edges.size()) - 1; }
    bool isEmpty() const { return total == 0; }
    int binOf(double valueUs) const; // -1 outside
};

LatencyHeatmap latencyHeatmap(const TimeSeriesTable &series, int binsPerDecade = 10);

} // namespace fb::metrics
