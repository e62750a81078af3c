#include "TimeSeriesChart.h"

#include "Decimation.h"

#include <QFutureWatcher>
#include <QGraphicsLineItem>
#include <QGraphicsSimpleTextItem>
#include <QMouseEvent>
#include <QTimer>
#include <QWheelEvent>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLegend>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <limits>

namespace fb::charts {

// The view: turns mouse and wheel input into zoom, pan, reset and crosshair.
class TimeSeriesView : public QChartView
{
public:
    TimeSeriesView(QChart *chart, TimeSeriesChart *owner) : QChartView(chart), m_owner(owner)
    {
        setRubberBand(QChartView::RectangleRubberBand);
        setMouseTracking(true);
        setDragMode(QGraphicsView::NoDrag);
    }

protected:
    void wheelEvent(QWheelEvent *e) override
    {
        const QPointF value = chart()->mapToValue(e->position());
        const double steps = e->angleDelta().y() / 120.0;
        if (steps == 0)
            return;
        m_owner->zoomBy(std::pow(0.8, steps), value.x());
        e->accept();
    }

    void mousePressEvent(QMouseEvent *e) override
    {
        if (e->button() == Qt::MiddleButton || (e->button() == Qt::LeftButton && (e->modifiers() & Qt::ShiftModifier))) {
            m_panning = true;
            m_last = e->position();
            setCursor(Qt::ClosedHandCursor);
            e->accept();
            return;
        }
        if (e->button() == Qt::RightButton) {
            e->accept(); // reset on release, instead of QChartView's zoom-out
            return;
        }
        QChartView::mousePressEvent(e);
    }

    void mouseMoveEvent(QMouseEvent *e) override
    {
        if (m_panning) {
            const QPointF d = e->position() - m_last;
            m_last = e->position();
            m_owner->panByPixels(-d.x(), d.y());
            e->accept();
            return;
        }
        m_owner->crosshairAt(e->position().toPoint());
        QChartView::mouseMoveEvent(e);
    }

    void mouseReleaseEvent(QMouseEvent *e) override
    {
        if (m_panning) {
            m_panning = false;
            unsetCursor();
            e->accept();
            return;
        }
        if (e->button() == Qt::RightButton) {
            m_owner->resetZoom();
            e->accept();
            return;
        }
        QChartView::mouseReleaseEvent(e);
    }

    void mouseDoubleClickEvent(QMouseEvent *e) override
    {
        m_owner->resetZoom();
        e->accept();
    }

    void leaveEvent(QEvent *e) override
    {
        m_owner->hideCrosshair();
        QChartView::leaveEvent(e);
    }

private:
    TimeSeriesChart *m_owner;
    bool m_panning = false;
    QPointF m_last;
};

TimeSeriesChart::TimeSeriesChart(QWidget *parent) : ChartWidget(parent)
{
    auto *chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignBottom);
    m_x = new QValueAxis(chart);
    m_y = new QValueAxis(chart);
    m_x->setLabelFormat(QStringLiteral("%g"));
    m_y->setLabelFormat(QStringLiteral("%g"));
    chart->addAxis(m_x, Qt::AlignBottom);
    chart->addAxis(m_y, Qt::AlignLeft);
    m_x->setRange(0, 1);
    m_y->setRange(0, 1);
    m_tsView = new TimeSeriesView(chart, this);
    setChartView(m_tsView);

    m_crossV = new QGraphicsLineItem(chart);
    m_crossV->setZValue(20);
    m_crossV->hide();
    m_crossText = new QGraphicsSimpleTextItem(chart);
    m_crossText->setZValue(21);
    m_crossText->hide();

    connect(m_x, &QValueAxis::rangeChanged, this, &TimeSeriesChart::onXRangeChanged);
    connect(m_y, &QValueAxis::rangeChanged, this, [this] { setNiceTicks(m_y); });
    connect(chart, &QChart::plotAreaChanged, this, [this] { scheduleDecimation(); });
}

TimeSeriesChart::~TimeSeriesChart()
{
    // Running decimations only hold copies of the data; their watchers are
    // children of this widget and are disconnected as it goes.
    m_generation = std::numeric_limits<quint64>::max();
}

int TimeSeriesChart::addSeries(const QString &name)
{
    Series s;
    s.name = name;
    s.line = new QLineSeries(this);
    s.line->setName(name);
    // OpenGL would be faster but is unavailable offscreen and in exports;
    // decimation keeps the point count small instead.
    chart()->addSeries(s.line);
    s.line->attachAxis(m_x);
    s.line->attachAxis(m_y);
    m_series.append(s);
    const int index = int(m_series.size()) - 1;

    // Legend click: hide or show the series (the marker stays, dimmed).
    const auto markers = chart()->legend()->markers(s.line);
    for (QLegendMarker *marker : markers)
        connect(marker, &QLegendMarker::clicked, this, [this, index] { setSeriesVisible(index, !isSeriesVisible(index)); });
    applyTheme();
    return index;
}

QString TimeSeriesChart::seriesName(int index) const
{
    return m_series.value(index).name;
}

QLineSeries *TimeSeriesChart::lineSeries(int index) const
{
    return m_series.value(index).line;
}

qsizetype TimeSeriesChart::pointCount(int index) const
{
    return index >= 0 && index < m_series.size() ? m_series[index].points.size() : 0;
}

void TimeSeriesChart::setSeriesData(int index, const QList<QPointF> &points)
{
    if (index < 0 || index >= m_series.size())
        return;
    m_series[index].points = points;
    if (m_following)
        fitToData();
    scheduleDecimation();
}

void TimeSeriesChart::appendPoints(int index, const QList<QPointF> &points)
{
    if (index < 0 || index >= m_series.size() || points.isEmpty())
        return;
    m_series[index].points.append(points);
    if (m_following)
        fitToData();
    scheduleDecimation();
}

void TimeSeriesChart::setSeriesVisible(int index, bool visible)
{
    if (index < 0 || index >= m_series.size())
        return;
    QLineSeries *line = m_series[index].line;
    // QXYSeries::setVisible would also hide the legend marker; keep the marker
    // and dim it so the user can click it again.
    line->setVisible(visible);
    const auto markers = chart()->legend()->markers(line);
    for (QLegendMarker *marker : markers) {
        marker->setVisible(true);
        QColor c = theme().foreground;
        c.setAlphaF(visible ? 1.0 : 0.35);
        marker->setLabelBrush(c);
        QBrush b = marker->brush();
        QColor bc = theme().seriesColor(index);
        bc.setAlphaF(visible ? 1.0 : 0.25);
        b.setColor(bc);
        marker->setBrush(b);
    }
    hideCrosshair();
}

bool TimeSeriesChart::isSeriesVisible(int index) const
{
    return index >= 0 && index < m_series.size() && m_series[index].line->isVisible();
}

void TimeSeriesChart::setAxisTitles(const QString &x, const QString &y)
{
    m_x->setTitleText(x);
    m_y->setTitleText(y);
}

double TimeSeriesChart::xMin() const { return m_x->min(); }
double TimeSeriesChart::xMax() const { return m_x->max(); }
double TimeSeriesChart::yMin() const { return m_y->min(); }
double TimeSeriesChart::yMax() const { return m_y->max(); }

void TimeSeriesChart::fitToData()
{
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
    for (const Series &s : std::as_const(m_series)) {
        if (s.points.isEmpty())
            continue;
        x0 = std::min(x0, s.points.first().x());
        x1 = std::max(x1, s.points.last().x());
        // A full y scan of 1 M points takes ~1 ms; fine on reset and appends
        // of small series, and large live series are rare.
        for (const QPointF &p : s.points) {
            if (std::isfinite(p.y())) {
                y0 = std::min(y0, p.y());
                y1 = std::max(y1, p.y());
            }
        }
    }
    if (!std::isfinite(x0)) {
        x0 = 0;
        x1 = 1;
    }
    if (!(x1 > x0))
        x1 = x0 + 1;
    if (!std::isfinite(y0)) {
        y0 = 0;
        y1 = 1;
    }
    const double pad = (y1 > y0 ? (y1 - y0) : std::max(1.0, std::abs(y0))) * 0.05;
    m_fitting = true;
    // Non-negative data starts at zero: a rate of 3,000-3,100/s must not look
    // like a tenfold swing.
    m_y->setRange(y0 >= 0 ? 0 : y0 - pad, y1 + pad);
    m_x->setRange(x0, x1); // onXRangeChanged re-decimates
    m_fitting = false;
}

void TimeSeriesChart::onXRangeChanged(double x0, double x1)
{
    // Any change not made by fitting to the data (box zoom, wheel, pan, a
    // linked chart) stops following live data until the next reset.
    if (!m_fitting)
        m_following = false;
    setNiceTicks(m_x, xTickCount());
    scheduleDecimation();
    emit xRangeChanged(x0, x1);
}

void TimeSeriesChart::zoomToX(double x0, double x1)
{
    if (!(x1 > x0))
        return;
    if (x0 == m_x->min() && x1 == m_x->max())
        return;
    m_x->setRange(x0, x1);
}

void TimeSeriesChart::zoomBy(double factor, double centreX)
{
    const double x0 = m_x->min(), x1 = m_x->max();
    if (!(factor > 0))
        return;
    zoomToX(centreX - (centreX - x0) * factor, centreX + (x1 - centreX) * factor);
}

void TimeSeriesChart::panByPixels(double dx, double dy)
{
    chart()->scroll(dx, dy);
}

bool TimeSeriesChart::hasData() const
{
    return std::any_of(m_series.cbegin(), m_series.cend(), [](const Series &s) { return !s.points.isEmpty(); });
}

void TimeSeriesChart::followEmpty(double x0, double x1)
{
    if (hasData() || !(x1 > x0))
        return;
    m_fitting = true;
    m_x->setRange(x0, x1);
    m_fitting = false;
}

void TimeSeriesChart::resetZoom()
{
    m_following = true;
    fitToData();
}

int TimeSeriesChart::plotWidthPixels() const
{
    return std::max(1, int(std::ceil(chart()->plotArea().width())));
}

void TimeSeriesChart::scheduleDecimation()
{
    // Coalesce: a burst of appends, a drag or a resize asks once per event-loop turn.
    if (m_scheduled)
        return;
    m_scheduled = true;
    QTimer::singleShot(0, this, [this] {
        m_scheduled = false;
        decimateNow();
    });
}

void TimeSeriesChart::decimateNow()
{
    const quint64 generation = ++m_generation;
    const double x0 = m_x->min(), x1 = m_x->max();
    const int pixels = plotWidthPixels();
    for (int i = 0; i < m_series.size(); ++i) {
        // The worker gets an implicitly shared copy: appends in the GUI thread
        // detach, so the worker's view never changes under it.
        const QList<QPointF> data = m_series[i].points;
        auto *watcher = new QFutureWatcher<QList<QPointF>>(this);
        ++m_pending;
        connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, i, generation] {
            watcher->deleteLater();
            --m_pending;
            // A newer range or newer data superseded this result.
            if (generation == m_generation && i < m_series.size())
                m_series[i].line->replace(watcher->result());
            // Emitted when nothing is outstanding: by then the newest
            // generation's results are in (an older one may finish last).
            if (m_pending == 0)
                emit decimated();
        });
        watcher->setFuture(QtConcurrent::run([data, x0, x1, pixels] { return decimateMinMax(data, x0, x1, pixels); }));
    }
    if (m_series.isEmpty())
        emit decimated();
}

QString TimeSeriesChart::crosshairAt(const QPoint &viewPos)
{
    const QPointF scenePos = m_tsView->mapToScene(viewPos);
    const QPointF chartPos = chart()->mapFromScene(scenePos);
    const QRectF plot = chart()->plotArea();
    if (!plot.contains(chartPos)) {
        hideCrosshair();
        return {};
    }
    const double x = chart()->mapToValue(chartPos).x();
    QStringList lines;
    lines << QStringLiteral("x = %1").arg(x, 0, 'g', 6);
    for (const Series &s : std::as_const(m_series)) {
        if (!s.line->isVisible() || s.points.isEmpty())
            continue;
        // Nearest full-resolution point, not the decimated one.
        auto it = std::lower_bound(s.points.cbegin(), s.points.cend(), x,
                                   [](const QPointF &p, double v) { return p.x() < v; });
        if (it == s.points.cend())
            --it;
        else if (it != s.points.cbegin() && std::abs((it - 1)->x() - x) < std::abs(it->x() - x))
            --it;
        lines << QStringLiteral("%1: %2").arg(s.name).arg(it->y(), 0, 'g', 6);
    }
    m_crossV->setLine(QLineF(chartPos.x(), plot.top(), chartPos.x(), plot.bottom()));
    QPen pen(theme().foreground);
    pen.setStyle(Qt::DashLine);
    pen.setWidthF(0.8);
    m_crossV->setPen(pen);
    m_crossText->setText(lines.join(QLatin1Char('\n')));
    m_crossText->setBrush(theme().foreground);
    m_crossText->setFont(theme().labelFont);
    // Keep the label inside the plot: flip to the left near the right edge.
    QPointF at(chartPos.x() + 8, plot.top() + 4);
    if (at.x() + m_crossText->boundingRect().width() > plot.right())
        at.setX(chartPos.x() - 8 - m_crossText->boundingRect().width());
    m_crossText->setPos(at);
    m_crossV->show();
    m_crossText->show();
    return m_crossText->text();
}

QString TimeSeriesChart::crosshairText() const
{
    return m_crossText->isVisible() ? m_crossText->text() : QString();
}

void TimeSeriesChart::hideCrosshair()
{
    m_crossV->hide();
    m_crossText->hide();
}

void TimeSeriesChart::setOverlaysVisible(bool visible)
{
    if (!visible)
        hideCrosshair();
}

void TimeSeriesChart::applyTheme()
{
    ChartWidget::applyTheme();
    for (int i = 0; i < m_series.size(); ++i)
        if (!m_series[i].line->isVisible())
            setSeriesVisible(i, false);
}

int TimeSeriesChart::xTickCount() const
{
    // From the plot width at the time of the range change only: following
    // every plot-area change loops (ticks change label widths, and so the
    // plot area) and re-decimates 1 M points on each turn.
    return std::max(3, plotWidthPixels() / 110);
}

void TimeSeriesChart::resizeEvent(QResizeEvent *event)
{
    ChartWidget::resizeEvent(event);
    scheduleDecimation();
}

QString TimeSeriesChart::toCsv() const
{
    // Long format (series, x, y): series need not share x values.
    QString out = QStringLiteral("series,x,y\n");
    for (const Series &s : m_series) {
        const QString name = csvField(s.name);
        for (const QPointF &p : s.points)
            out += name + QLatin1Char(',') + csvNumber(p.x()) + QLatin1Char(',') + csvNumber(p.y()) + QLatin1Char('\n');
    }
    return out;
}

void XAxisLink::add(TimeSeriesChart *chart)
{
    m_charts.append(chart);
    connect(chart, &TimeSeriesChart::xRangeChanged, this, [this, chart](double x0, double x1) {
        if (m_propagating)
            return;
        m_propagating = true;
        for (const QPointer<TimeSeriesChart> &other : std::as_const(m_charts))
            if (other && other != chart) {
                if (chart->isFollowing() && other->hasData())
                    other->resetZoom();
                else if (chart->isFollowing())
                    other->followEmpty(x0, x1); // nothing of its own: share the time axis
                else
                    other->zoomToX(x0, x1);
            }
        m_propagating = false;
    });
}

void XAxisLink::remove(TimeSeriesChart *chart)
{
    m_charts.removeAll(chart);
    disconnect(chart, nullptr, this, nullptr);
}

} // namespace fb::charts
