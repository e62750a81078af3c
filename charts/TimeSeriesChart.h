// TimeSeriesChart: metrics over time, live or from a result document — several
// series, points appended while a run goes on, zoom by dragging a box or
// turning the wheel, pan by dragging with the middle button (or Shift + left),
// reset by double-click or right-click, a crosshair that shows every visible
// series' value under the cursor, and a legend whose entries hide and show
// their series. XAxisLink keeps the x axes of one dashboard's charts together.
//
// Each series keeps its full-resolution points; what the line series shows is
// a min/max-per-pixel decimation of the visible x range (Decimation.h),
// computed on a worker thread whenever the range or width changes and put in
// with one QXYSeries::replace(), so a million points stay interactive.
#pragma once

#include "ChartWidget.h"

#include <QList>
#include <QPointer>
#include <QPointF>

class QGraphicsLineItem;
class QGraphicsSimpleTextItem;
class QLineSeries;
class QValueAxis;

namespace fb::charts {

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
    QLineSeries *lineSeries(int index) const;        // what is drawn (decimated)
    qsizetype pointCount(int index) const;           // full resolution
    void setSeriesVisible(int index, bool visible);
    bool isSeriesVisible(int index) const;
    void setAxisTitles(const QString &x, const QString &y);

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
        QList<QPointF> points;   // full resolution, sorted by x
        QLineSeries *line = nullptr;
    };
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
