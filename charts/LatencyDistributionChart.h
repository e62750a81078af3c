// LatencyDistributionChart: the latency distribution of one or more trials,
// overlaid — as a percentile spectrum in the manner of HdrHistogram's plots
// (x = percentile on a log scale of 1/(1-p), labelled p50, p90, p99, p99.9,
// p99.99, so the tail is readable), as a CDF, or as a histogram (fraction of
// requests per log-spaced bin).
//
// Computed exactly from each trial's LogLinearHistogram (the result's
// `histograms`, never its per-second rows) by core/metrics/LatencyDistribution.h.
// Values are in the histogram's integer unit (fbload: µs; setValueUnit for
// others), converted to the base unit (seconds) and shown through fb::units:
// one scale per axis chosen from the largest value ("latency (ms)"), tooltips
// with their own unit ("850 µs").
#pragma once

#include "ChartWidget.h"

#include "common/Units.h"
#include "metrics/LogLinearHistogram.h"

#include <QList>
#include <QPointF>

class QAbstractAxis;

namespace fb::charts {

struct LatencyRun
{
    QString label; // "concurrency=4, pipeline=16"
    fb::metrics::LogLinearHistogram histogram;
};

class LatencyDistributionChart : public ChartWidget
{
    Q_OBJECT
public:
    enum class Mode { Histogram, Cdf, PercentileSpectrum };

    explicit LatencyDistributionChart(QWidget *parent = nullptr);

    void setData(const QList<LatencyRun> &runs); // replaces the runs
    void addRun(const QString &label, const fb::metrics::LogLinearHistogram &histogram);
    void clearRuns();
    int runCount() const { return int(m_runs.size()); }
    void setMode(Mode mode);
    Mode mode() const { return m_mode; }
    // The histogram's unit and its factor to the base unit: (Seconds, 1e-6)
    // for fbload's µs (default); (Tokens, 1) for token-count histograms.
    void setValueUnit(fb::units::Unit unit, double toBase);
    void setMaxNines(int nines);     // spectrum: up to p99.99 (4) by default, 2..6
    void setHistogramBins(int bins); // histogram: log-spaced bins (default 60)
    void setLogLatency(bool log);    // spectrum: log latency axis (the CDF's and histogram's are always log)
    void setMetricName(const QString &name); // axis name, default "latency"

    // What is plotted, per run: x and y in the axes' display units
    // (spectrum x = log10(1/(1-p)), latency / valueScale().factor); for tests.
    QList<QPointF> plotted(int run) const;
    fb::units::Scale valueScale() const { return m_scale; }
    QString xTitle() const;
    QString yTitle() const;
    // run,mode,percentile,latency_ms (spectrum) | run,mode,latency_ms,fraction_le
    // (CDF) | run,mode,latency_ms,fraction (histogram): latency in ms, the unit
    // of the result files' summaries (other units: their name).
    QString toCsv() const override;
    void setTitle(const QString &title) override; // and lays the chart out

private:
    void rebuild();
    void settleLayout();
    QList<QPointF> histogramPoints(const fb::metrics::LogLinearHistogram &h) const; // base units
    QString modeName() const;
    QString valueColumn() const;
    double csvValue(double base) const;

    QList<LatencyRun> m_runs;
    QList<QList<QPointF>> m_plotted;
    Mode m_mode = Mode::PercentileSpectrum;
    fb::units::Unit m_unit = fb::units::Unit::Seconds;
    double m_toBase = 1e-6;
    fb::units::Scale m_scale;
    QString m_metric = QStringLiteral("latency");
    int m_nines = 4;
    int m_bins = 60;
    bool m_logLatency = false;
};

} // namespace fb::charts
