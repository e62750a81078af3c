// LatencyDistributionChart: the latency distribution of one or more runs,
// overlaid — as a histogram (fraction of requests per log-spaced bin), as a
// CDF, or as a percentile spectrum in the manner of HdrHistogram's plots
// (x = percentile on a log scale of 1/(1-p), so p90, p99, p99.9 and p99.99
// are equally spaced and the tail is readable).
//
// Takes fbload's exact LogLinearHistogram per run; values are in the
// histogram's integer unit (fbload: µs) and shown in `displayUnit` after
// multiplying by `scale` (default ms, 1e-3).
#pragma once

#include "ChartWidget.h"

#include "metrics/LogLinearHistogram.h"

#include <QList>
#include <QPointF>

class QAbstractAxis;

namespace fb::charts {

class LatencyDistributionChart : public ChartWidget
{
    Q_OBJECT
public:
    enum class Mode { Histogram, Cdf, PercentileSpectrum };

    explicit LatencyDistributionChart(QWidget *parent = nullptr);

    void addRun(const QString &label, const fb::metrics::LogLinearHistogram &histogram);
    void clearRuns();
    int runCount() const { return int(m_runs.size()); }
    void setMode(Mode mode);
    Mode mode() const { return m_mode; }
    void setUnit(const QString &displayUnit, double scale); // e.g. "ms", 1e-3
    void setMaxNines(int nines);                             // spectrum: up to p99.99 (4) by default
    void setHistogramBins(int bins);                         // histogram: log-spaced bins (default 60)

    // What is plotted, per run (x, y in display units); for tests and CSV.
    QList<QPointF> plotted(int run) const;
    QString toCsv() const override;

private:
    void rebuild();
    QList<QPointF> histogramPoints(const fb::metrics::LogLinearHistogram &h) const;
    QList<QPointF> cdfPoints(const fb::metrics::LogLinearHistogram &h) const;
    QList<QPointF> spectrumPoints(const fb::metrics::LogLinearHistogram &h) const;
    QString modeName() const;

    struct Run
    {
        QString label;
        fb::metrics::LogLinearHistogram histogram;
    };
    QList<Run> m_runs;
    QList<QList<QPointF>> m_plotted;
    Mode m_mode = Mode::PercentileSpectrum;
    QString m_unit = QStringLiteral("ms");
    double m_scale = 1e-3;
    int m_nines = 4;
    int m_bins = 60;
};

} // namespace fb::charts
