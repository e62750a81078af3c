#include "metrics/LatencyDistribution.h"

#include "metrics/ResultDocument.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace fb::metrics {

double percentileAxisPosition(double percentile)
{
    const double q = 1.0 - std::clamp(percentile, 0.0, 100.0) / 100.0;
    return q <= 0 ? std::numeric_limits<double>::infinity() : -std::log10(q);
}

double percentileFromAxisPosition(double position)
{
    return 100.0 * (1.0 - std::pow(10.0, -position));
}

QString percentileLabel(double percentile)
{
    QString s = QString::number(percentile, 'f', 6);
    while (s.endsWith(QLatin1Char('0')))
        s.chop(1);
    if (s.endsWith(QLatin1Char('.')))
        s.chop(1);
    return QLatin1Char('p') + s;
}

QList<double> namedPercentiles(int nines)
{
    QList<double> out{50.0, 90.0};
    for (int n = 2; n <= std::max(2, nines); ++n)
        out.append(100.0 * (1.0 - std::pow(10.0, -n)));
    return out;
}

QList<QPointF> percentileSpectrum(const LogLinearHistogram &h, int nines, int pointsPerDecade)
{
    QList<QPointF> out;
    if (!h.count())
        return out;
    nines = std::clamp(nines, 2, 6);
    pointsPerDecade = std::clamp(pointsPerDecade, 1, 200);
    QList<double> ps;
    for (int i = 0; i <= nines * pointsPerDecade; ++i)
        ps.append(percentileFromAxisPosition(double(i) / pointsPerDecade));
    // The grid already holds p90, p99, ... up to rounding: replace those by
    // the exact values and add p50, so the labelled positions are exact.
    for (double named : namedPercentiles(nines)) {
        const auto near = std::find_if(ps.begin(), ps.end(), [&](double p) { return std::fabs(p - named) < 1e-9; });
        if (near != ps.end())
            *near = named;
        else
            ps.append(named);
    }
    std::sort(ps.begin(), ps.end());
    for (double p : std::as_const(ps))
        out.append(QPointF(p, h.percentile(p)));
    return out;
}

QList<QPointF> cdf(const LogLinearHistogram &h)
{
    QList<QPointF> out = h.cdf();
    if (!out.isEmpty())
        out.last().setY(1.0); // seen == count at the last bucket; exact, but say so
    return out;
}

int LatencyHeatmap::binOf(double valueUs) const
{
    if (edges.size() < 2 || valueUs < edges.first() || valueUs >= edges.last())
        return -1;
    const auto it = std::upper_bound(edges.cbegin(), edges.cend(), valueUs);
    return int(it - edges.cbegin()) - 1;
}

LatencyHeatmap latencyHeatmap(const TimeSeriesTable &series, int binsPerDecade)
{
    LatencyHeatmap out;
    binsPerDecade = std::clamp(binsPerDecade, 1, 100);
    out.binsPerDecade = binsPerDecade;
    const QList<LogLinearHistogram> &rows = series.latencyBuckets;
    qint64 lo = std::numeric_limits<qint64>::max(), hi = -1;
    for (const LogLinearHistogram &h : rows)
        for (const HistogramBin &b : h.bins()) {
            lo = std::min(lo, b.low);
            hi = std::max(hi, b.low);
        }
    out.t = series.t.mid(0, rows.size());
    if (hi < 0) {
        out.counts.resize(out.t.size());
        return out;
    }
    // Edges at 10^(k / binsPerDecade) µs; 0 µs (a sub-microsecond response)
    // counts in the first bin, which starts at 0.
    const auto edgeAt = [&](int k) { return std::pow(10.0, double(k) / binsPerDecade); };
    const int kLo = int(std::floor(std::log10(double(std::max<qint64>(lo, 1))) * binsPerDecade + 1e-9));
    int kHi = int(std::floor(std::log10(double(std::max<qint64>(hi, 1))) * binsPerDecade + 1e-9)) + 1;
    kHi = std::max(kHi, kLo + 1);
    for (int k = kLo; k <= kHi; ++k)
        out.edges.append(edgeAt(k));
    if (lo < out.edges.first())
        out.edges.first() = 0; // holds 0 µs
    out.counts.reserve(rows.size());
    for (const LogLinearHistogram &h : rows) {
        QList<quint64> col(out.bins(), 0);
        for (const HistogramBin &b : h.bins()) {
            int bin = out.binOf(double(b.low));
            if (bin < 0) // rounding at the top edge
                bin = double(b.low) < out.edges.first() ? 0 : out.bins() - 1;
            col[bin] += b.count;
            out.total += b.count;
        }
        for (quint64 c : std::as_const(col))
            out.maxCount = std::max(out.maxCount, c);
        out.counts.append(col);
    }
    return out;
}

} // namespace fb::metrics
