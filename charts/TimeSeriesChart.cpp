#include "TimeSeriesChart.h"

#include "ChartLegend.h"
#include "TimeSeriesView.h"
#include "Decimation.h"

#include <QFutureWatcher>
#include <QGraphicsLineItem>
#include <QFontMetricsF>
#include <QGraphicsRectItem>
#include <QGraphicsSimpleTextItem>
#include <QLayout>
#include <QPainter>
#include <QSignalBlocker>
#include <QTimer>
#include <QToolButton>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

namespace fb::charts {


TimeSeriesChart::TimeSeriesChart(QWidget *parent) : ChartWidget(parent)
{
    auto *chart = new QChart;
    chart->legend()->hide(); // ChartLegend below the view instead: it wraps
    m_x = new QValueAxis(chart);
    m_y = new QValueAxis(chart);
    m_logAxis = new QLogValueAxis(chart);
    m_logAxis->setBase(10);
    m_logAxis->setLabelFormat(QStringLiteral("%g")); // decades of the shown scale: 0.1, 1, 10, 100
    m_logAxis->setMinorTickCount(8);
    chart->addAxis(m_x, Qt::AlignBottom);
    chart->addAxis(m_y, Qt::AlignLeft);
    // Both y axes stay in the chart (QChart::removeAxis gives up ownership);
    // the one not in use is hidden and has no series.
    chart->addAxis(m_logAxis, Qt::AlignLeft);
    m_logAxis->setVisible(false);
    m_logAxis->setRange(0.1, 10);
    m_x->setRange(0, 1);
    m_y->setRange(0, 1);
    m_tsView = new TimeSeriesView(chart, this);
    setChartView(m_tsView);
    m_legend = new ChartLegend(this);
    layout()->addWidget(m_legend);
    connect(m_legend, &ChartLegend::entryClicked, this, [this](int i) { setSeriesVisible(i, !isSeriesVisible(i)); });

    m_crossV = new QGraphicsLineItem(chart);
    m_crossV->setZValue(20);
    m_crossV->hide();
    m_crossBox = new QGraphicsRectItem(chart);
    m_crossBox->setZValue(21);
    m_crossBox->hide();
    m_crossText = new QGraphicsSimpleTextItem(chart);
    m_crossText->setZValue(22);
    m_crossText->hide();
    m_empty = new QGraphicsSimpleTextItem(chart);
    m_empty->setZValue(10);
    m_empty->hide();

    m_logButton = new QToolButton(m_tsView);
    m_logButton->setText(tr("log"));
    m_logButton->setToolTip(tr("Logarithmic y axis"));
    m_logButton->setCheckable(true);
    m_logButton->setAutoRaise(true);
    m_logButton->hide();
    connect(m_logButton, &QToolButton::toggled, this, &TimeSeriesChart::setLogY);

    connect(m_x, &QValueAxis::rangeChanged, this, &TimeSeriesChart::onXRangeChanged);
    connect(m_y, &QValueAxis::rangeChanged, this, [this] { setNiceTicks(m_y); });
    connect(chart, &QChart::plotAreaChanged, this, [this] {
        updateEmptyText();
        scheduleDecimation();
    });
    updateYTitle();
}

TimeSeriesChart::~TimeSeriesChart()
{
    // Running decimations only hold copies of the data; their watchers are
    // children of this widget and are disconnected as it goes.
    m_generation = std::numeric_limits<quint64>::max();
}

QLineSeries *TimeSeriesChart::newLine(int index)
{
    auto *line = new QLineSeries(this);
    line->setName(m_series[index].name);
    // OpenGL would be faster but is unavailable offscreen and in exports;
    // decimation keeps the point count small instead.
    chart()->addSeries(line);
    line->attachAxis(m_x);
    line->attachAxis(m_logY ? static_cast<QAbstractAxis *>(m_logAxis) : m_y);
    line->setPen(theme().seriesPen(index));
    line->setVisible(m_series[index].visible);
    m_series[index].lines.append(line);
    return line;
}

int TimeSeriesChart::addSeries(const QString &name)
{
    Series s;
    s.name = name;
    m_series.append(s);
    const int index = int(m_series.size()) - 1;
    newLine(index);
    updateLegend();
    return index;
}

QString TimeSeriesChart::seriesName(int index) const
{
    return m_series.value(index).name;
}

QLineSeries *TimeSeriesChart::lineSeries(int index) const
{
    return index >= 0 && index < m_series.size() ? m_series[index].lines.first() : nullptr;
}

QList<QList<QPointF>> TimeSeriesChart::shownSegments(int index) const
{
    QList<QList<QPointF>> out;
    if (index < 0 || index >= m_series.size())
        return out;
    for (const QLineSeries *line : m_series[index].lines) {
        QList<QPointF> pts = line->points();
        if (pts.isEmpty())
            continue;
        for (QPointF &p : pts)
            p.setY(p.y() * m_yScale.factor);
        out.append(pts);
    }
    return out;
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
    updateEmptyText();
    scheduleDecimation();
}

void TimeSeriesChart::appendPoints(int index, const QList<QPointF> &points)
{
    if (index < 0 || index >= m_series.size() || points.isEmpty())
        return;
    m_series[index].points.append(points);
    if (m_following)
        fitToData();
    updateEmptyText();
    scheduleDecimation();
}

void TimeSeriesChart::setSeriesVisible(int index, bool visible)
{
    if (index < 0 || index >= m_series.size())
        return;
    m_series[index].visible = visible;
    for (QLineSeries *line : std::as_const(m_series[index].lines))
        line->setVisible(visible);
    // The legend entry stays, dimmed, so the user can click it again.
    m_legend->setEntryVisible(index, visible);
    hideCrosshair();
}

bool TimeSeriesChart::isSeriesVisible(int index) const
{
    return index >= 0 && index < m_series.size() && m_series[index].visible;
}

void TimeSeriesChart::updateLegend()
{
    QList<ChartLegend::Entry> entries;
    for (int i = 0; i < m_series.size(); ++i)
        entries.append({m_series[i].name, theme().seriesPen(i), m_series[i].visible});
    m_legend->setEntries(entries);
}

void TimeSeriesChart::setAxisTitles(const QString &x, const QString &y)
{
    m_x->setTitleText(x);
    m_yName = y;
    updateYTitle();
}

void TimeSeriesChart::setYUnit(fb::units::Unit unit)
{
    m_yUnit = unit;
    if (m_following)
        fitToData();
    updateYTitle();
    scheduleDecimation();
}

void TimeSeriesChart::updateYTitle()
{
    const QString title = fb::units::axisTitle(m_yName, m_yScale);
    m_y->setTitleText(title);
    m_logAxis->setTitleText(title);
}

QAbstractAxis *TimeSeriesChart::yAxis() const
{
    return m_logY ? static_cast<QAbstractAxis *>(m_logAxis) : m_y;
}

void TimeSeriesChart::setLogYAvailable(bool available)
{
    m_logButton->setVisible(available);
    if (!available)
        setLogY(false);
}

void TimeSeriesChart::setLogY(bool log)
{
    if (log == m_logY)
        return;
    m_logY = log;
    QSignalBlocker block(m_logButton);
    m_logButton->setChecked(log);
    QAbstractAxis *from = log ? static_cast<QAbstractAxis *>(m_y) : m_logAxis;
    QAbstractAxis *to = log ? static_cast<QAbstractAxis *>(m_logAxis) : m_y;
    for (Series &s : m_series)
        for (QLineSeries *line : std::as_const(s.lines)) {
            // The log axis cannot show 0: drop what is drawn now, the next
            // decimation puts in the positive points only.
            line->clear();
            line->detachAxis(from);
            line->attachAxis(to);
        }
    from->setVisible(false);
    to->setVisible(true);
    applyTheme();
    fitToData();
    scheduleDecimation();
}

void TimeSeriesChart::setEmptyText(const QString &text)
{
    m_emptyText = text;
    updateEmptyText();
}

bool TimeSeriesChart::isEmptyTextShown() const
{
    return m_empty->isVisible();
}

void TimeSeriesChart::updateEmptyText()
{
    bool any = false;
    for (const Series &s : std::as_const(m_series)) {
        any = std::any_of(s.points.cbegin(), s.points.cend(), [](const QPointF &p) { return std::isfinite(p.y()) && p.y() != 0; });
        if (any)
            break;
    }
    const bool show = !m_emptyText.isEmpty() && !any;
    if (show) {
        m_empty->setText(m_emptyText);
        m_empty->setFont(theme().titleFont);
        m_empty->setBrush(theme().foreground);
        const QRectF plot = chart()->plotArea();
        const QRectF r = m_empty->boundingRect();
        m_empty->setPos(plot.center().x() - r.width() / 2, plot.center().y() - r.height() / 2);
    }
    m_empty->setVisible(show);
}

double TimeSeriesChart::xMin() const { return m_x->min(); }
double TimeSeriesChart::xMax() const { return m_x->max(); }
double TimeSeriesChart::yMin() const { return (m_logY ? m_logAxis->min() : m_y->min()) * m_yScale.factor; }
double TimeSeriesChart::yMax() const { return (m_logY ? m_logAxis->max() : m_y->max()) * m_yScale.factor; }

void TimeSeriesChart::setYRange(double lo, double hi)
{
    // One prefix for the whole axis, from its largest value.
    m_yScale = fb::units::scaleFor(m_yUnit, std::max(std::abs(lo), std::abs(hi)));
    updateYTitle();
    const double f = m_yScale.factor;
    if (m_logY) {
        // Nothing positive to show: one decade band under 1 of the unit.
        if (!(hi > 0)) {
            hi = f;
            lo = f / 100;
        }
        if (!(lo > 0) || lo > hi)
            lo = hi / 100;
        // Whole decades, at least two of them, so there are >= 3 labels
        // (10^k each) whatever the data's span.
        double top = std::pow(10.0, std::ceil(std::log10(hi / f) - 1e-9));
        double bottom = std::pow(10.0, std::floor(std::log10(lo / f) + 1e-9));
        if (top / bottom < 99)
            bottom = top / 100;
        bottom = std::max(bottom, top * 1e-6); // "%g" writes 1e-05 below 1e-4
        m_logAxis->setRange(bottom, top);
        return;
    }
    double a = lo / f, b = hi / f;
    // End the axis on a tick, so its largest value is labelled.
    const double step = niceStep(a, b, 6);
    if (step > 0)
        b = std::ceil(b / step - 1e-9) * step;
    setAxisRange(m_y, a, b);
}

void TimeSeriesChart::fitToData()
{
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0, pos0 = x0;
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
                if (p.y() > 0)
                    pos0 = std::min(pos0, p.y());
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
        y1 = 0;
    }
    // An all-zero series (no errors) or no data: a unit range, so the axis
    // still reads 0, 0.2, … 1 and the flat line sits at the bottom.
    if (y0 == 0 && y1 == 0)
        y1 = m_yUnit == fb::units::Unit::Seconds ? 1e-3 : 1;
    const double pad = (y1 > y0 ? (y1 - y0) : std::max(1e-12, std::abs(y0))) * 0.05;
    m_fitting = true;
    if (m_logY)
        setYRange(std::isfinite(pos0) ? pos0 : y1 / 100, std::max(y1, std::isfinite(pos0) ? pos0 : y1));
    else
        // Non-negative data starts at zero: a rate of 3,000-3,100/s must not
        // look like a tenfold swing.
        setYRange(y0 >= 0 ? 0 : y0 - pad, y1 + pad);
    setAxisRange(m_x, x0, x1); // onXRangeChanged re-decimates
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
    setAxisRange(m_x, x0, x1);
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
    setAxisRange(m_x, x0, x1);
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
    const double factor = m_yScale.factor;
    const bool log = m_logY;
    for (int i = 0; i < m_series.size(); ++i) {
        // The worker gets an implicitly shared copy: appends in the GUI thread
        // detach, so the worker's view never changes under it.
        const QList<QPointF> data = m_series[i].points;
        auto *watcher = new QFutureWatcher<QList<QList<QPointF>>>(this);
        ++m_pending;
        connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, i, generation] {
            watcher->deleteLater();
            --m_pending;
            // A newer range, scale or data superseded this result.
            if (generation == m_generation && i < m_series.size())
                putSegments(i, watcher->result());
            // Emitted when nothing is outstanding: by then the newest
            // generation's results are in (an older one may finish last).
            if (m_pending == 0)
                emit decimated();
        });
        watcher->setFuture(QtConcurrent::run([data, x0, x1, pixels, factor, log] {
            QList<QList<QPointF>> segments = decimateSegments(data, x0, x1, pixels);
            QList<QList<QPointF>> shown;
            for (QList<QPointF> &seg : segments) {
                QList<QPointF> out;
                out.reserve(seg.size());
                for (const QPointF &p : seg) {
                    if (log && !(p.y() > 0)) { // no place on a log axis: the line breaks there
                        if (!out.isEmpty())
                            shown.append(std::exchange(out, {}));
                        continue;
                    }
                    out.append(QPointF(p.x(), p.y() / factor));
                }
                if (!out.isEmpty())
                    shown.append(out);
            }
            return shown;
        }));
    }
    if (m_series.isEmpty())
        emit decimated();
}

void TimeSeriesChart::putSegments(int index, const QList<QList<QPointF>> &segments)
{
    while (m_series[index].lines.size() < segments.size())
        newLine(index);
    const QList<QLineSeries *> &lines = m_series[index].lines;
    for (qsizetype k = 0; k < lines.size(); ++k)
        lines[k]->replace(k < segments.size() ? segments[k] : QList<QPointF>());
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
    const QPointF cursor = chart()->mapToValue(chartPos, lineSeries(0));
    const double x = cursor.x();
    // In the x axis's unit and one decimal finer than its ticks: "t = 12.35 s".
    const int xDecimals = fb::units::decimalsForStep(m_x->tickInterval(), fb::units::Scale{}) + 1;
    struct Row
    {
        QString text;
        double distance; // from the cursor, in shown units
    };
    QList<Row> rows;
    for (const Series &s : std::as_const(m_series)) {
        if (!s.visible || s.points.isEmpty())
            continue;
        // Nearest full-resolution point, not the decimated one.
        auto it = std::lower_bound(s.points.cbegin(), s.points.cend(), x,
                                   [](const QPointF &p, double v) { return p.x() < v; });
        if (it == s.points.cend())
            --it;
        else if (it != s.points.cbegin() && std::abs((it - 1)->x() - x) < std::abs(it->x() - x))
            --it;
        const double shown = it->y() / m_yScale.factor;
        const double d = m_logY ? std::abs(std::log10(std::max(shown, 1e-300)) - std::log10(std::max(cursor.y(), 1e-300)))
                                : std::abs(shown - cursor.y());
        rows.append({QStringLiteral("%1: %2").arg(s.name, fb::units::format(it->y(), m_yUnit)), d});
    }
    // As many lines as the plot is tall: those nearest the cursor's height, in
    // series order, and how many more there are (36 series overflowed it).
    const int lineHeight = int(std::ceil(QFontMetricsF(theme().labelFont).lineSpacing()));
    const int room = std::max(2, int((plot.height() - 12) / std::max(1, lineHeight)) - 1);
    if (rows.size() > room) {
        QList<qsizetype> order(rows.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](qsizetype a, qsizetype b) { return rows[a].distance < rows[b].distance; });
        order.resize(room - 1);
        std::sort(order.begin(), order.end());
        QList<Row> kept;
        for (qsizetype i : std::as_const(order))
            kept.append(rows[i]);
        kept.append({tr("… %n more (nearest shown)", nullptr, int(rows.size() - kept.size())), 0});
        rows = kept;
    }
    QStringList lines{QStringLiteral("t = %1 s").arg(x, 0, 'f', xDecimals)};
    for (const Row &r : std::as_const(rows))
        lines << r.text;
    m_crossV->setLine(QLineF(chartPos.x(), plot.top(), chartPos.x(), plot.bottom()));
    QPen pen(theme().foreground);
    pen.setStyle(Qt::DashLine);
    pen.setWidthF(0.8);
    m_crossV->setPen(pen);
    m_crossText->setText(lines.join(QLatin1Char('\n')));
    m_crossText->setBrush(theme().foreground);
    m_crossText->setFont(theme().labelFont);
    // Keep the label inside the plot: flip to the left near the right edge.
    const QRectF box = m_crossText->boundingRect().adjusted(-5, -3, 5, 3);
    QPointF at(chartPos.x() + 12, plot.top() + 6);
    if (at.x() + box.width() > plot.right())
        at.setX(chartPos.x() - 12 - box.width() + 10);
    m_crossText->setPos(at);
    // An opaque box under the text: the lines must not run through it.
    m_crossBox->setRect(box.translated(at));
    m_crossBox->setBrush(theme().plotBackground);
    QPen border(theme().grid.darker(140));
    border.setWidthF(1);
    m_crossBox->setPen(border);
    m_crossV->show();
    m_crossBox->show();
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
    m_crossBox->hide();
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
    if (!m_legend)
        return; // ChartWidget::setChartView applies the theme before the legend exists
    // ChartTheme::apply colours QChart's series in order; a series here is
    // several segments, all in the pen of its index.
    for (int i = 0; i < m_series.size(); ++i)
        for (QLineSeries *line : std::as_const(m_series[i].lines))
            line->setPen(theme().seriesPen(i));
    for (QAbstractAxis *axis : {static_cast<QAbstractAxis *>(m_y), static_cast<QAbstractAxis *>(m_logAxis)}) {
        axis->setLabelsBrush(theme().foreground);
        axis->setLabelsFont(theme().labelFont);
        axis->setTitleBrush(theme().foreground);
        axis->setTitleFont(theme().labelFont);
        axis->setGridLineColor(theme().grid);
        axis->setLinePenColor(theme().grid.darker(130));
    }
    m_logAxis->setMinorGridLineColor(theme().grid.lighter(108));
    m_legend->setColors(theme().foreground, theme().background);
    m_legend->setLegendFont(theme().labelFont);
    updateLegend();
    updateEmptyText();
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
    // Left of ChartWidget's Export… button (top-right corner, on hover).
    const auto *exportButton = findChild<QToolButton *>(QStringLiteral("exportChartButton"), Qt::FindDirectChildrenOnly);
    const int right = exportButton ? exportButton->sizeHint().width() + 8 : 0;
    m_logButton->move(m_tsView->width() - right - m_logButton->sizeHint().width() - 6, 4);
    scheduleDecimation();
}

void TimeSeriesChart::renderFigure(QPainter *painter, const QRectF &target)
{
    // The chart where it sits, and the whole legend (not just its scrolled
    // part) under it, both scaled from widget to target coordinates.
    const double sx = target.width() / std::max(1, width());
    const double legendH = m_legend->entries().isEmpty() ? 0 : ChartLegend::heightFor(m_legend->entries(), theme().labelFont, width());
    const double chartH = std::max(1.0, height() - legendH);
    const double sy = target.height() / std::max(1, height());
    ChartWidget::renderFigure(painter, QRectF(target.left(), target.top(), target.width(), chartH * sy));
    if (legendH > 0) {
        painter->save();
        painter->translate(target.left(), target.top() + chartH * sy);
        painter->scale(sx, sy);
        painter->fillRect(QRectF(0, 0, width(), legendH), theme().background);
        m_legend->paint(painter, QRectF(0, 0, width(), legendH));
        painter->restore();
    }
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

} // namespace fb::charts
