// FigureCatalog: the figures of a run's study that `fbctl export`, `fbctl
// report`, the report in the app and the Export dialog can draw — looked up
// here and nowhere else. A FigureRequest names the kind and its choices
// (metric, x parameter, series parameter, trials); buildFigure() turns it into
// a chart widget drawn from the Study (core/metrics/Study.h).
//
//  sweep               metric (mean ± 95 % t-interval of repetitions) vs --x, one line per --series value
//  throughput-latency  achieved throughput (x) vs latency p50 and the chosen percentile (y), one point
//                      per parameter combination joined along the load (ThroughputLatencyChart)
//  latency             latency percentile spectrum of the selected trials, from the exact histograms
//  heatmap             latency over time of one trial, from its per-second buckets (LatencyHeatmapChart)
//  sweep-heatmap       metric over two swept parameters (--x columns, --series rows), mean per cell
//  timeseries          one per-second column of the selected trials over time
#pragma once

#include "metrics/Study.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace fb::charts {
class ChartWidget;
}

namespace fb::report {

enum class FigureKind { Sweep, ThroughputLatency, Latency, Heatmap, SweepHeatmap, TimeSeries };

struct FigureKindInfo
{
    FigureKind kind;
    QString name;    // "sweep", "throughput-latency", … (fbctl export --chart)
    QString summary; // one line for --help and the docs
};
const QList<FigureKindInfo> &figureKinds();
std::optional<FigureKind> figureKindFromName(const QString &name);
QString figureKindName(FigureKind kind);

struct FigureRequest
{
    FigureKind kind = FigureKind::Sweep;
    QString metric;     // Study metric key ("latency.p99"), a time-series column for timeseries; "" = default
    QString x;          // swept parameter (path or short name); "" = the first
    QString series;     // swept parameter for lines / heatmap rows; "" = the second, if any
    QStringList trials; // trial ids; empty = all (latency and timeseries; the others use every trial)
};

// The request with its defaults filled in from the study (first parameter as
// x, main throughput as metric, …); false with *error naming an unknown
// metric, parameter or trial and what the run has instead.
bool resolveRequest(const metrics::Study &study, FigureRequest *request, QString *error);

// The chart, titled, with units on its axes; nullptr with *error when the
// study has nothing to draw for the request.
std::unique_ptr<charts::ChartWidget> buildFigure(const metrics::Study &study, const FigureRequest &request, QString *error);

// Lays a chart out at `logicalSize` for painting without a window on screen
// (fbctl, reports): shows it on the current platform (offscreen for fbctl)
// and waits until its layout and any asynchronous work (decimation) are done.
bool prepareForPainting(charts::ChartWidget *chart, const QSize &logicalSize, QString *error);

} // namespace fb::report
