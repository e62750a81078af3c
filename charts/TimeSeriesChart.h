// TimeSeriesChart: metrics over time, live or from a result document — several
// series, points appended while a run goes on, zoom by dragging a box or
// turning the wheel, pan by dragging with the middle button (or Shift + left),
// reset by double-click or right-click, a crosshair that shows every visible
// series' value under the cursor (on an opaque box), and a legend
// (ChartLegend: wraps, scrolls, never elides) whose entries hide and show
// their series. XAxisLink keeps the x axes of one dashboard's charts together.
//
// Values are given in base units (seconds, bytes, requests/s; setYUnit says
// which): the y axis picks one prefix for all its tick labels from the range
// (fb::units::scaleFor) and names it in its title ("Latency (ms)"); labels
// never use an exponent and an axis always has at least 3 of them. A latency
// panel may switch its y axis to a logarithmic one (setLogY, the "log" button
// when setLogYAvailable) so p50 is not flattened under the max.
//
// Each series keeps its full-resolution points; what the line series show is
// a min/max-per-pixel decimation of the visible x range (Decimation.h),
// computed on a worker thread whenever the range or width changes and put in
// with one QXYSeries::replace() per segment, so a million points stay
// interactive. A series is drawn as several segments: a NaN value or a gap of
// more than 3 typical steps (between trials, a lost scrape) breaks the line.
#pragma once

#include "ChartWidget.h"

#include "common/Units.h"

#include <QList>
#include <QPointer>
#include <QPointF>

class QAbstractAxis;
class QGraphicsLineItem;
class QGraphicsRectItem;
class QGraphicsSimpleTextItem;
class QLineSeries;
class QLogValueAxis;
class QToolButton;
class QValueAxis;

namespace fb::charts {

class ChartLegend;
class TimeSeriesView;

class TimeSeriesChart : public ChartWidget
{
    Q_OBJECT
public:
    explicit TimeSeriesChart(QWidget *parent = nullptr);
    ~TimeSeriesChart() override;

    int addSeries(const QString &name);              // returns the series index
    void setSeriesData(int index, const QList<QPointF> &points); // sorted by x
    void appendPoints(int index, const QList<QPointF> &points);  // x after the last point
    int seriesCount() const { return int(m_series.size()); }
    QString seriesName(int index) const;
    QLineSeries *lineSeries(int index) const;        // the first segment drawn (decimated, in yScale())
    // What is drawn of a series, one list per unbroken segment, in base units.
    QList<QList<QPointF>> shownSegments(int index) const;
    qsizetype pointCount(int index) const;           // full resolution
    void setSeriesVisible(int index, bool visible);
    bool isSeriesVisible(int index) const;
    // Quantity names; the y title gets the unit of the shown scale appended.
    void setAxisTitles(const QString &x, const QString &y);
    void setYUnit(fb::units::Unit unit);
    fb::units::Unit yUnit() const { return m_yUnit; }
    fb::units::Scale yScale() const { return m_yScale; } // shown = value / factor
    QAbstractAxis *yAxis() const;                    // the value or the log axis, whichever is shown
    QValueAxis *xAxis() const { return m_x; }
    void setLogY(bool log);
    bool isLogY() const { return m_logY; }
    void setLogYAvailable(bool available);           // shows the "log" toggle
    QToolButton *logToggle() const { return m_logButton; }
    // Shown over the plot while no series has a non-zero value ("no errors").
    void setEmptyText(const QString &text);
    bool isEmptyTextShown() const;
    ChartLegend *legend() const { return m_legend; }

    // The visible x range. While not zoomed, the chart follows the data
    // (live appends extend the range); any zoom or pan stops that until reset.
    double xMin() const;
    double xMax() const;
    double yMin() const;
    double yMax() const;
    bool isFollowing() const { return m_following; }
    void zoomToX(double x0, double x1);
    void zoomBy(double factor, double centreX); // factor < 1 zooms in
    void panByPixels(double dx, double dy);
    void resetZoom();
    bool hasData() const;
    // A linked chart without data of its own takes the others' x range and
    // keeps following (XAxisLink calls it).
    void followEmpty(double x0, double x1);

    // Crosshair at a point in view coordinates; returns the text it shows.
    QString crosshairAt(const QPoint &viewPos);
    QString crosshairText() const;
    bool isDecimationPending() const { return m_pending > 0 || m_scheduled; }
    int plotWidthPixels() const;

    QString toCsv() const override;
    void renderFigure(QPainter *painter, const QRectF &target) override; // the chart and its whole legend

signals:
    void xRangeChanged(double x0, double x1); // after every change of the visible x range
    void decimated();                         // a decimation result was put in the series

protected:
    void applyTheme() override;
    void setOverlaysVisible(bool visible) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    friend class TimeSeriesView;
    struct Series
    {
        QString name;
        QList<QPointF> points;      // full resolution, sorted by x, base units
        QList<QLineSeries *> lines; // segments; lines[0] always exists
        bool visible = true;
    };
    QLineSeries *newLine(int index);
    void putSegments(int index, const QList<QList<QPointF>> &segments);
    void updateLegend();
    void updateEmptyText();
    void updateYTitle();
    void setYRange(double lo, double hi); // base units
    void scheduleDecimation();
    void decimateNow();
    void fitToData();
    void onXRangeChanged(double x0, double x1);
    void hideCrosshair();
    int xTickCount() const;

    QList<Series> m_series;
    TimeSeriesView *m_tsView = nullptr;
    QValueAxis *m_x = nullptr;
    QValueAxis *m_y = nullptr;
    QLogValueAxis *m_logAxis = nullptr;
    ChartLegend *m_legend = nullptr;
    QToolButton *m_logButton = nullptr;
    QGraphicsSimpleTextItem *m_empty = nullptr;
    QGraphicsRectItem *m_crossBox = nullptr;
    QString m_emptyText;
    QString m_yName;
    fb::units::Unit m_yUnit = fb::units::Unit::None;
    fb::units::Scale m_yScale;
    bool m_logY = false;
    bool m_following = true;
    bool m_fitting = false;
    bool m_scheduled = false;
    int m_pending = 0;
    quint64 m_generation = 0;
    QGraphicsLineItem *m_crossV = nullptr;
    QGraphicsSimpleTextItem *m_crossText = nullptr;
};

// Links the x axes of several charts: zooming or panning one moves the others.
class XAxisLink : public QObject
{
    Q_OBJECT
public:
    explicit XAxisLink(QObject *parent = nullptr) : QObject(parent) {}
    void add(TimeSeriesChart *chart);
    void remove(TimeSeriesChart *chart);

private:
    QList<QPointer<TimeSeriesChart>> m_charts;
    bool m_propagating = false;
};

} // namespace fb::charts
