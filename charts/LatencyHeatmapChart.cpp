#include "LatencyHeatmapChart.h"

#include "SweepChart.h" // HeatmapChart::viridis, the one colour map of the charts

#include <QFontMetricsF>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace fb::charts {

namespace units = fb::units;

namespace {
constexpr double kPad = 8;
constexpr double kBarWidth = 14;

// Tick labels of a log latency axis: decades, plus 2× and 5× when the axis
// spans fewer than three decades (so there are always at least 3 labels).
QList<double> logTicks(double lo, double hi)
{
    QList<double> out;
    if (!(lo > 0) || !(hi > lo))
        return out;
    const bool fine = std::log10(hi / lo) < 3;
    for (int e = int(std::floor(std::log10(lo))); e <= int(std::ceil(std::log10(hi))); ++e)
        for (double m : {1.0, 2.0, 5.0}) {
            if (m != 1.0 && !fine)
                continue;
            const double v = m * std::pow(10.0, e);
            if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9))
                out.append(v);
        }
    return out;
}

// Seconds between time labels: the first of these giving at most 8 labels.
double timeStep(double span)
{
    for (double s : {1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0})
        if (span / s <= 8)
            return s;
    return std::ceil(span / 8 / 3600.0) * 3600.0;
}
} // namespace

LatencyHeatmapChart::LatencyHeatmapChart(QWidget *parent) : ChartWidget(parent)
{
    setMouseTracking(true);
    setMinimumSize(240, 160);
}

void LatencyHeatmapChart::setData(const fb::metrics::TimeSeriesTable &series, const QString &trialLabel)
{
    m_table = series;
    m_trial = trialLabel;
    rebuild();
}

void LatencyHeatmapChart::setBinsPerDecade(int bins)
{
    m_binsPerDecade = bins;
    rebuild();
}

void LatencyHeatmapChart::setLogColour(bool log)
{
    m_logColour = log;
    update();
}

void LatencyHeatmapChart::rebuild()
{
    m_map = fb::metrics::latencyHeatmap(m_table, m_binsPerDecade);
    m_yScale = units::scaleFor(units::Unit::Seconds, m_map.edges.isEmpty() ? 1e-3 : m_map.edges.last() * 1e-6);
    update();
}

void LatencyHeatmapChart::applyTheme()
{
    update();
}

QString LatencyHeatmapChart::xTitle() const
{
    return units::axisTitle(QStringLiteral("time since measurement start"), units::scaleFor(units::Unit::Seconds, 1));
}

QString LatencyHeatmapChart::yTitle() const
{
    return units::axisTitle(QStringLiteral("latency"), m_yScale);
}

QString LatencyHeatmapChart::colourTitle() const
{
    return QStringLiteral("requests per second and bin") + (m_logColour ? QStringLiteral(" (log scale)") : QString());
}

double LatencyHeatmapChart::binBottomUs(int bin) const
{
    if (bin == 0 && m_map.edges.value(0) <= 0 && m_map.edges.size() > 1)
        return m_map.edges[1] / std::pow(10.0, 1.0 / m_map.binsPerDecade);
    return m_map.edges.value(bin);
}

double LatencyHeatmapChart::colourPosition(quint64 count) const
{
    if (!m_map.maxCount)
        return 0;
    if (m_logColour)
        return m_map.maxCount > 1 ? std::log(double(count)) / std::log(double(m_map.maxCount)) : 1.0;
    return double(count) / double(m_map.maxCount);
}

QRectF LatencyHeatmapChart::plotRect(const QRectF &target, QPainter *painter) const
{
    const QFontMetricsF lfm(theme().labelFont, painter ? painter->device() : nullptr);
    const QFontMetricsF tfm(theme().titleFont, painter ? painter->device() : nullptr);
    const double titleH = title().isEmpty() ? 0 : tfm.height() + kPad;
    const double yLabelW = lfm.horizontalAdvance(QStringLiteral("0.005"));
    const double barLabelW = lfm.horizontalAdvance(QStringLiteral("100 k"));
    QRectF plot;
    plot.setLeft(target.left() + kPad + lfm.height() + kPad + yLabelW + 6);
    plot.setTop(target.top() + kPad + titleH + lfm.height() / 2);
    plot.setRight(target.right() - kPad - lfm.height() - kPad - barLabelW - 6 - kBarWidth - 2 * kPad);
    plot.setBottom(target.bottom() - kPad - lfm.height() - 4 - lfm.height() - 6);
    return plot;
}

void LatencyHeatmapChart::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    renderFigure(&p, rect());
}

void LatencyHeatmapChart::renderFigure(QPainter *p, const QRectF &target)
{
    const ChartTheme &t = theme();
    p->save();
    p->fillRect(target, t.background);
    p->setClipRect(target);
    const QFontMetricsF lfm(t.labelFont, p->device());
    const QFontMetricsF tfm(t.titleFont, p->device());
    const QRectF plot = plotRect(target, p);
    m_lastPlot = plot;
    p->setPen(t.foreground);
    if (!title().isEmpty()) {
        p->setFont(t.titleFont);
        p->drawText(QRectF(target.left(), target.top() + kPad, target.width(), tfm.height()), Qt::AlignCenter, title());
    }
    p->setFont(t.labelFont);
    p->fillRect(plot, t.plotBackground);
    const int cols = m_map.columns(), bins = m_map.bins();
    if (plot.width() <= 0 || plot.height() <= 0) {
        p->restore();
        return;
    }
    if (cols == 0 || bins == 0 || m_map.isEmpty()) {
        p->drawText(plot, Qt::AlignCenter, QStringLiteral("no per-second latency buckets in this result"));
        p->restore();
        return;
    }
    const double t0 = m_map.t.first(), t1 = m_map.t.last() + 1; // a row covers [t, t+1)
    const auto xOf = [&](double s) { return plot.left() + (s - t0) / (t1 - t0) * plot.width(); };
    const double lo = binBottomUs(0), hi = m_map.edges.last();
    const auto yOf = [&](double us) {
        return plot.bottom() - (std::log10(std::max(us, lo)) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)) * plot.height();
    };
    // Cells: every non-empty (second, bin).
    p->setRenderHint(QPainter::Antialiasing, false);
    for (int c = 0; c < cols; ++c)
        for (int b = 0; b < bins; ++b) {
            const quint64 n = m_map.counts[c][b];
            if (!n)
                continue;
            const QRectF cell(QPointF(xOf(m_map.t[c]), yOf(m_map.edges[b + 1])), QPointF(xOf(m_map.t[c] + 1), yOf(binBottomUs(b))));
            p->fillRect(cell.adjusted(0, 0, 0.5, 0.5), HeatmapChart::viridis(colourPosition(n)));
        }
    p->setRenderHint(QPainter::Antialiasing, true);
    p->setPen(t.grid.darker(130));
    p->drawRect(plot);
    if (t0 < 0 && t1 > 0) {
        // fbload's rows start with the warm-up (t < 0), excluded from every statistic.
        QPen dashed(t.foreground, 1, Qt::DashLine);
        p->setPen(dashed);
        p->drawLine(QPointF(xOf(0), plot.top()), QPointF(xOf(0), plot.bottom()));
        p->setPen(t.foreground);
        const QString w = QStringLiteral("warm-up");
        if (lfm.horizontalAdvance(w) <= xOf(0) - plot.left() - 6) // else the dashed line says it alone
            p->drawText(QRectF(plot.left() + 3, plot.top() + 2, xOf(0) - plot.left() - 6, lfm.height()),
                        Qt::AlignLeft | Qt::AlignTop, w);
    }

    // y axis: latency ticks in one scale.
    p->setPen(t.foreground);
    for (double us : logTicks(lo, hi)) {
        const double y = yOf(us), base = us * 1e-6;
        const double shown = base / m_yScale.factor;
        const int decimals = shown >= 1 ? 0 : int(std::ceil(-std::log10(shown) - 1e-9));
        p->drawLine(QPointF(plot.left() - 4, y), QPointF(plot.left(), y));
        p->drawText(QRectF(target.left(), y - lfm.height() / 2, plot.left() - 6 - target.left(), lfm.height()),
                    Qt::AlignRight | Qt::AlignVCenter, units::number(base, m_yScale, decimals));
    }
    // x axis: seconds.
    const double step = timeStep(t1 - t0);
    for (double s = std::ceil(t0 / step) * step; s <= t1 + 1e-9; s += step) {
        const double x = xOf(s);
        p->drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 4));
        p->drawText(QRectF(x - 40, plot.bottom() + 5, 80, lfm.height()), Qt::AlignHCenter | Qt::AlignTop,
                    units::number(s, units::scaleFor(units::Unit::Seconds, 1), 0));
    }
    p->drawText(QRectF(plot.left(), plot.bottom() + 6 + lfm.height(), plot.width(), lfm.height()), Qt::AlignCenter, xTitle());
    p->save();
    p->translate(target.left() + kPad, plot.center().y());
    p->rotate(-90);
    p->drawText(QRectF(-plot.height() / 2, 0, plot.height(), lfm.height()), Qt::AlignCenter, yTitle());
    p->restore();

    // Colour bar: the legend of the counts.
    const QRectF bar(plot.right() + 2 * kPad, plot.top(), kBarWidth, plot.height());
    const int steps = 64;
    p->setRenderHint(QPainter::Antialiasing, false);
    for (int i = 0; i < steps; ++i)
        p->fillRect(QRectF(bar.left(), bar.bottom() - (i + 1) * bar.height() / steps, bar.width(), bar.height() / steps + 0.5),
                    HeatmapChart::viridis((i + 0.5) / steps));
    p->setRenderHint(QPainter::Antialiasing, true);
    p->setPen(t.grid.darker(130));
    p->drawRect(bar);
    p->setPen(t.foreground);
    QList<quint64> labels;
    if (m_logColour) {
        for (quint64 v = 1; v <= m_map.maxCount; v *= 10)
            labels.append(v);
        if (labels.size() < 3 && m_map.maxCount > 1)
            labels.append(m_map.maxCount);
    } else {
        labels = {0, m_map.maxCount / 2, m_map.maxCount};
    }
    for (quint64 v : std::as_const(labels)) {
        const double y = bar.bottom() - colourPosition(std::max<quint64>(v, m_logColour ? 1 : 0)) * bar.height();
        p->drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 3, y));
        p->drawText(QRectF(bar.right() + 5, y - lfm.height() / 2, target.right() - bar.right(), lfm.height()),
                    Qt::AlignLeft | Qt::AlignVCenter, units::format(double(v), units::Unit::Count));
    }
    p->save();
    p->translate(target.right() - kPad - lfm.height(), bar.center().y());
    p->rotate(90);
    p->drawText(QRectF(-bar.height() / 2 - 40, -lfm.height(), bar.height() + 80, lfm.height()), Qt::AlignCenter, colourTitle());
    p->restore();
    p->restore();
}

void LatencyHeatmapChart::mouseMoveEvent(QMouseEvent *event)
{
    const QPointF pos = event->position();
    if (m_map.isEmpty() || !m_lastPlot.contains(pos)) {
        QToolTip::hideText();
        return;
    }
    const double t0 = m_map.t.first(), t1 = m_map.t.last() + 1;
    const double s = t0 + (pos.x() - m_lastPlot.left()) / m_lastPlot.width() * (t1 - t0);
    const double lo = binBottomUs(0), hi = m_map.edges.last();
    const double us = std::pow(10.0, std::log10(lo) + (m_lastPlot.bottom() - pos.y()) / m_lastPlot.height() * (std::log10(hi) - std::log10(lo)));
    const auto col = std::upper_bound(m_map.t.cbegin(), m_map.t.cend(), s) - m_map.t.cbegin() - 1;
    int bin = m_map.binOf(us);
    if (bin < 0)
        bin = us < lo ? 0 : m_map.bins() - 1;
    if (col < 0 || col >= m_map.columns())
        return;
    QToolTip::showText(event->globalPosition().toPoint(), cellTip(int(col), bin), this);
}

QString LatencyHeatmapChart::cellTip(int column, int bin) const
{
    if (column < 0 || column >= m_map.columns() || bin < 0 || bin >= m_map.bins())
        return {};
    return QStringLiteral("t = %1\nlatency %2 – %3\n%4 requests")
        .arg(units::format(m_map.t[column], units::Unit::Seconds), units::format(m_map.edges[bin] * 1e-6, units::Unit::Seconds),
             units::format(m_map.edges[bin + 1] * 1e-6, units::Unit::Seconds),
             units::format(double(m_map.counts[column][bin]), units::Unit::Count));
}

QString LatencyHeatmapChart::toCsv() const
{
    QString out = QStringLiteral("trial,t_s,latency_low_ms,latency_high_ms,count\n");
    const QString trial = csvField(m_trial);
    for (int c = 0; c < m_map.columns(); ++c)
        for (int b = 0; b < m_map.bins(); ++b)
            if (const quint64 n = m_map.counts[c][b])
                out += trial + QLatin1Char(',') + csvNumber(m_map.t[c]) + QLatin1Char(',') + csvNumber(m_map.edges[b] / 1000.0)
                    + QLatin1Char(',') + csvNumber(m_map.edges[b + 1] / 1000.0) + QLatin1Char(',') + QString::number(n)
                    + QLatin1Char('\n');
    return out;
}

} // namespace fb::charts
