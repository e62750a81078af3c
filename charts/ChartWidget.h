// ChartWidget: what every FactoryBench chart has in common — a theme, a title,
// a way to paint itself as a figure (for PNG/SVG/PDF export) and the data
// behind it as CSV. Concrete charts: TimeSeriesChart, LatencyDistributionChart,
// SweepChart, BarChart, HeatmapChart. Plain QWidgets; the GUI embeds them.
#pragma once

#include "ChartTheme.h"

#include <QString>
#include <QWidget>

#include <functional>

class QChart;
class QChartView;
class QPainter;
class QValueAxis;

namespace fb::charts {

class ChartWidget : public QWidget
{
    Q_OBJECT
public:
    explicit ChartWidget(QWidget *parent = nullptr);

    const ChartTheme &theme() const { return m_theme; }
    void setTheme(const ChartTheme &theme);
    virtual void setTitle(const QString &title);
    QString title() const { return m_title; }

    // Paints the figure into `target` of any painter (image, SVG, PDF), without
    // interaction overlays such as the crosshair or a rubber band.
    virtual void renderFigure(QPainter *painter, const QRectF &target);
    // The data behind the chart, RFC 4180 CSV with a header row.
    virtual QString toCsv() const = 0;

    // "Export…" (context menu, action "exportChart") calls this handler with
    // the chart: the app opens its Export dialog (gui/dialogs/ExportFigureDialog).
    static void setExportHandler(std::function<void(ChartWidget *)> handler);

    QChart *chart() const { return m_chart; }   // null for charts drawn by hand (heatmap)
    QChartView *chartView() const { return m_view; }

    static QString csvField(const QString &s); // quotes when needed
    // Ticks at round numbers (1, 2, 5 × 10^k), about `ticks` of them and never
    // fewer than 3, on the axis's current range; Qt's default divides the
    // range evenly (419.843). Labels get the decimals the step needs ("%.1f").
    static void setNiceTicks(QValueAxis *axis, int ticks = 6);
    // The round step (1, 2, 5 × 10^k) for about `ticks` ticks on [lo, hi]
    // that leaves at least `minTicks` of them inside; 0 for an empty range.
    static double niceStep(double lo, double hi, int ticks, int minTicks = 3);
    // axis->setRange() without Qt laying out the old tick interval over the
    // new range (thousands of ticks when the range grows); call setNiceTicks
    // after it (TimeSeriesChart does, on rangeChanged).
    static void setAxisRange(QValueAxis *axis, double lo, double hi);
    static QString csvNumber(double v);        // shortest round-trip form, "" for NaN

protected:
    // For QChart-based charts: creates the chart and a view filling the widget.
    void setChartView(QChartView *view);
    virtual void applyTheme(); // default: theme().apply(chart())
    virtual void setOverlaysVisible(bool) {}

private:
    ChartTheme m_theme = ChartTheme::light();
    QString m_title;
    QChart *m_chart = nullptr;
    QChartView *m_view = nullptr;
};

} // namespace fb::charts
