// LatencyHeatmapChart: the latency of one trial over time — x time (s), y
// latency on log-spaced bins, colour the number of requests completed in
// that second with a latency in that bin, and a colour bar as legend.
// Built from the trial's per-second latency buckets (the result's
// timeseries rows, fb::metrics::latencyHeatmap), so it shows exactly what
// fbload measured, not per-second percentiles.
//
// Drawn by hand with QPainter: Qt Charts has no heatmap series, and a grid
// of a few thousand cells is cheaper and sharper as rectangles than as
// thousands of QAreaSeries; painting through renderFigure() keeps SVG/PDF
// exports vector. Colour scale: viridis (HeatmapChart::viridis), on log
// counts by default so single slow requests stay visible next to the bulk.
#pragma once

#include "ChartWidget.h"

#include "common/Units.h"
#include "metrics/LatencyDistribution.h"
#include "metrics/ResultDocument.h"

namespace fb::charts {

class LatencyHeatmapChart : public ChartWidget
{
    Q_OBJECT
public:
    explicit LatencyHeatmapChart(QWidget *parent = nullptr);

    // The trial's time series (ResultDocument::timeseries) with its per-second buckets.
    void setData(const fb::metrics::TimeSeriesTable &series, const QString &trialLabel = {});
    void setBinsPerDecade(int bins); // default 10
    void setLogColour(bool log);     // colour by log(count) (default) or count
    const fb::metrics::LatencyHeatmap &heatmap() const { return m_map; }
    // The hover text of a cell: "t = 3 s\nlatency 100 µs – 126 µs\n1.2 k requests".
    QString cellTip(int column, int bin) const;

    fb::units::Scale latencyScale() const { return m_yScale; }
    QString xTitle() const;
    QString yTitle() const;
    QString colourTitle() const;

    void renderFigure(QPainter *painter, const QRectF &target) override;
    // t_s,latency_low_ms,latency_high_ms,count — one row per non-empty cell.
    QString toCsv() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void applyTheme() override;

private:
    void rebuild();
    // Where the cells go inside `target` (same layout for screen and figure).
    QRectF plotRect(const QRectF &target, QPainter *painter) const;
    double colourPosition(quint64 count) const; // 0..1
    double binBottomUs(int bin) const;          // nominal lower edge (the first bin may start at 0)

    fb::metrics::TimeSeriesTable m_table;
    QString m_trial;
    fb::metrics::LatencyHeatmap m_map;
    int m_binsPerDecade = 10;
    bool m_logColour = true;
    fb::units::Scale m_yScale;
    QRectF m_lastPlot; // of the last paint, for hover
};

} // namespace fb::charts
