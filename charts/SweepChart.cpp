#include "SweepChart.h"

#include "metrics/Statistics.h"
#include "metrics/Study.h"

#include <QPainter>
#include <QPaintEvent>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QCategoryAxis>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLegend>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace fb::charts {

SweepPoint SweepPoint::fromRepetitions(double x, const QList<double> &values)
{
    SweepPoint p;
    p.x = x;
    p.repetitions = int(values.size());
    if (values.isEmpty()) {
        p.y = p.low = p.high = std::numeric_limits<double>::quiet_NaN();
        return p;
    }
    const metrics::stats::ConfidenceInterval ci = metrics::stats::meanInterval(values, metrics::Study::kConfidence);
    p.y = ci.mean;
    p.low = ci.hasInterval() ? ci.lower() : ci.mean;
    p.high = ci.hasInterval() ? ci.upper() : ci.mean;
    return p;
}

// Error bars are painted over the chart (Qt Charts has no error-bar series).
// drawForeground is also called by QGraphicsView::render, so exports get them.
class SweepView : public QChartView
{
public:
    SweepView(QChart *chart, SweepChart *owner) : QChartView(chart), m_owner(owner) {}

protected:
    void drawForeground(QPainter *painter, const QRectF &rect) override
    {
        QChartView::drawForeground(painter, rect);
        painter->save();
        const QRectF plot = chart()->mapToScene(chart()->plotArea()).boundingRect();
        painter->setClipRect(plot);
        const qreal cap = 4;
        for (int i = 0; i < m_owner->m_lines.size(); ++i) {
            const SweepChart::Line &l = m_owner->m_lines[i];
            if (!l.series || !l.series->isVisible())
                continue;
            QPen pen(m_owner->theme().seriesColor(i));
            pen.setWidthF(std::max<qreal>(1.0, m_owner->theme().lineWidth * 0.75));
            painter->setPen(pen);
            for (const SweepPoint &p : l.points) {
                if (!(p.high > p.low))
                    continue;
                QPointF a = chart()->mapToScene(chart()->mapToPosition(QPointF(p.x, p.low), l.series));
                QPointF b = chart()->mapToScene(chart()->mapToPosition(QPointF(p.x, p.high), l.series));
                if (a.x() < plot.left() - 0.5 || a.x() > plot.right() + 0.5)
                    continue;
                // Cut at the plot area here too: SVG and PDF export ignore
                // the clip rect. A cut end has no cap (the bar goes on).
                if (!std::isfinite(a.y())) // a low end at or below 0 on a log axis
                    a.setY(plot.bottom() + 1);
                if (!std::isfinite(b.y()))
                    continue;
                const bool lowCut = a.y() > plot.bottom(), highCut = b.y() < plot.top();
                a.setY(std::clamp(a.y(), plot.top(), plot.bottom()));
                b.setY(std::clamp(b.y(), plot.top(), plot.bottom()));
                painter->drawLine(a, b);
                if (!lowCut)
                    painter->drawLine(QPointF(a.x() - cap, a.y()), QPointF(a.x() + cap, a.y()));
                if (!highCut)
                    painter->drawLine(QPointF(b.x() - cap, b.y()), QPointF(b.x() + cap, b.y()));
            }
        }
        painter->restore();
    }

private:
    SweepChart *m_owner;
};

SweepChart::SweepChart(QWidget *parent) : ChartWidget(parent)
{
    auto *chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignBottom);
    m_sweepView = new SweepView(chart, this);
    setChartView(m_sweepView);
    rebuild();
}

void SweepChart::setLine(const QString &name, const QList<SweepPoint> &points)
{
    QList<SweepPoint> sorted = points;
    std::sort(sorted.begin(), sorted.end(), [](const SweepPoint &a, const SweepPoint &b) { return a.x < b.x; });
    for (Line &l : m_lines) {
        if (l.name == name) {
            l.points = sorted;
            rebuild();
            return;
        }
    }
    m_lines.append({name, sorted, nullptr});
    rebuild();
}

void SweepChart::clearLines()
{
    m_lines.clear();
    rebuild();
}

void SweepChart::setAxisTitles(const QString &x, const QString &y)
{
    m_xTitle = x;
    m_yTitle = y;
    rebuild();
}

void SweepChart::setLogX(bool log)
{
    m_logX = log;
    rebuild();
}

void SweepChart::setLogY(bool log)
{
    m_logY = log;
    rebuild();
}

void SweepChart::setXCategories(const QStringList &labels)
{
    m_xCategories = labels;
    rebuild();
}

int SweepChart::showStudy(const metrics::Study &study, const QString &metric, const QString &x, const QString &series)
{
    const QList<metrics::StudySeries> lines = study.sweep(metric, x, series);
    const metrics::StudyMetric *m = study.metric(metric);
    const units::MetricUnit unit = m ? m->unit : units::MetricUnit{};
    // One scale for the whole axis, from the largest bar end in the base unit.
    double magnitude = 0;
    for (const metrics::StudySeries &s : lines)
        for (const metrics::StudyPoint &p : s.points)
            for (double v : {p.mean, p.high()})
                if (std::isfinite(v))
                    magnitude = std::max(magnitude, std::abs(v * unit.toBase));
    m_yScale = units::scaleFor(unit.unit, magnitude);
    const double k = unit.toBase / m_yScale.factor; // stored unit -> shown
    m_lines.clear();
    for (const metrics::StudySeries &s : lines) {
        QList<SweepPoint> points;
        for (const metrics::StudyPoint &p : s.points)
            points.append({p.x, p.mean * k, p.low() * k, p.high() * k, p.n});
        std::sort(points.begin(), points.end(), [](const SweepPoint &a, const SweepPoint &b) { return a.x < b.x; });
        m_lines.append({s.name.isEmpty() ? (m ? m->displayName() : metric) : s.name, points, nullptr});
    }
    const metrics::StudyParameter *param = study.parameter(x);
    m_xCategories = param && !param->numeric ? param->values : QStringList();
    m_xTitle = param ? param->name : x;
    m_yTitle = m ? m->axisTitle(m_yScale) : units::axisTitle(metric, m_yScale);
    rebuild();
    return int(m_lines.size());
}

void SweepChart::rebuild()
{
    QChart *c = chart();
    c->removeAllSeries();
    const auto oldAxes = c->axes();
    for (QAbstractAxis *a : oldAxes) {
        c->removeAxis(a);
        delete a;
    }
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y1 = 0, y0 = 0;
    double yPositive = std::numeric_limits<double>::infinity(); // smallest value > 0 (log axis)
    for (const Line &l : std::as_const(m_lines))
        for (const SweepPoint &p : l.points) {
            if (!std::isfinite(p.y))
                continue;
            x0 = std::min(x0, p.x);
            x1 = std::max(x1, p.x);
            y1 = std::max({y1, p.y, p.high});
            // The axis starts at 0 for positive values: an error bar reaching
            // below (a wide interval of few repetitions) is cut at the axis.
            y0 = std::min(y0, p.y);
            for (double v : {p.y, p.low})
                if (v > 0)
                    yPositive = std::min(yPositive, v);
        }
    if (!std::isfinite(x0)) {
        x0 = m_logX ? 1 : 0;
        x1 = 10;
    }
    QAbstractAxis *x = nullptr;
    if (!m_xCategories.isEmpty()) {
        // A non-numeric parameter: its values at 1 … n.
        auto *cx = new QCategoryAxis;
        for (qsizetype i = 0; i < m_xCategories.size(); ++i)
            cx->append(m_xCategories[i], double(i) + 1.5);
        cx->setStartValue(0.5);
        cx->setRange(0.5, double(m_xCategories.size()) + 0.5);
        cx->setLabelsPosition(QCategoryAxis::AxisLabelsPositionCenter);
        x = cx;
    } else if (m_logX && x0 > 0) {
        auto *lx = new QLogValueAxis;
        lx->setBase(2); // sweeps double concurrency, batch sizes, ...
        lx->setLabelFormat(QStringLiteral("%g"));
        lx->setRange(x0 / 1.3, x1 * 1.3);
        x = lx;
    } else {
        auto *vx = new QValueAxis;
        const double pad = (x1 > x0 ? x1 - x0 : 1) * 0.05;
        vx->setRange(x0 - pad, x1 + pad);
        vx->setLabelFormat(QStringLiteral("%g"));
        setNiceTicks(vx);
        x = vx;
    }
    x->setTitleText(m_xTitle);
    QAbstractAxis *y = nullptr;
    if (m_logY && std::isfinite(yPositive) && y1 > 0) {
        auto *ly = new QLogValueAxis;
        ly->setBase(10);
        ly->setLabelFormat(QStringLiteral("%g"));
        ly->setRange(yPositive / 1.5, y1 * 1.5);
        ly->setMinorTickCount(8);
        y = ly;
    } else {
        auto *vy = new QValueAxis;
        vy->setRange(y0, y1 > y0 ? y1 * 1.08 : 1);
        vy->setLabelFormat(QStringLiteral("%g"));
        setNiceTicks(vy);
        y = vy;
    }
    y->setTitleText(m_yTitle);
    c->addAxis(x, Qt::AlignBottom);
    c->addAxis(y, Qt::AlignLeft);
    const bool logY = qobject_cast<QLogValueAxis *>(y) != nullptr;
    for (Line &l : m_lines) {
        l.series = new QLineSeries;
        l.series->setName(l.name);
        l.series->setPointsVisible(true);
        for (const SweepPoint &p : std::as_const(l.points))
            if (std::isfinite(p.y) && (!logY || p.y > 0))
                l.series->append(p.x, p.y);
        c->addSeries(l.series);
        l.series->attachAxis(x);
        l.series->attachAxis(y);
    }
    applyTheme();
    if (chartView())
        chartView()->viewport()->update();
}

QString SweepChart::toCsv() const
{
    const QString unit = m_yScale.suffix.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(m_yScale.suffix);
    QString out = QStringLiteral("line,x,mean%1,error_low%1,error_high%1,repetitions\n").arg(unit);
    for (const Line &l : m_lines) {
        const QString name = csvField(l.name);
        for (const SweepPoint &p : l.points) {
            const QString xv = m_xCategories.isEmpty() ? csvNumber(p.x) : csvField(m_xCategories.value(qsizetype(p.x) - 1));
            out += name + QLatin1Char(',') + xv + QLatin1Char(',') + csvNumber(p.y) + QLatin1Char(',')
                   + csvNumber(p.low) + QLatin1Char(',') + csvNumber(p.high) + QLatin1Char(',')
                   + QString::number(p.repetitions) + QLatin1Char('\n');
        }
    }
    return out;
}

// ---- BarChart

BarChart::BarChart(QWidget *parent) : ChartWidget(parent)
{
    auto *chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignBottom);
    setChartView(new QChartView(chart));
}

void BarChart::setCategories(const QStringList &categories)
{
    m_categories = categories;
    rebuild();
}

void BarChart::addBarSet(const QString &name, const QList<double> &values)
{
    m_sets.append({name, values});
    rebuild();
}

void BarChart::setValueTitle(const QString &title)
{
    m_valueTitle = title;
    rebuild();
}

void BarChart::rebuild()
{
    QChart *c = chart();
    c->removeAllSeries();
    const auto oldAxes = c->axes();
    for (QAbstractAxis *a : oldAxes) {
        c->removeAxis(a);
        delete a;
    }
    auto *series = new QBarSeries;
    double maxValue = 0;
    for (int i = 0; i < m_sets.size(); ++i) {
        auto *set = new QBarSet(m_sets[i].first);
        for (qsizetype k = 0; k < m_categories.size(); ++k) {
            const double v = m_sets[i].second.value(k, 0.0);
            *set << (std::isfinite(v) ? v : 0.0);
            maxValue = std::max(maxValue, v);
        }
        set->setColor(theme().seriesColor(i));
        set->setBorderColor(theme().seriesColor(i));
        series->append(set);
    }
    c->addSeries(series);
    auto *x = new QBarCategoryAxis;
    x->append(m_categories);
    auto *y = new QValueAxis;
    y->setRange(0, maxValue > 0 ? maxValue * 1.1 : 1);
    y->setLabelFormat(QStringLiteral("%g"));
    setNiceTicks(y);
    y->setTitleText(m_valueTitle);
    c->addAxis(x, Qt::AlignBottom);
    c->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    applyTheme();
}

QString BarChart::toCsv() const
{
    QString out = QStringLiteral("category");
    for (const auto &s : m_sets)
        out += QLatin1Char(',') + csvField(s.first);
    out += QLatin1Char('\n');
    for (qsizetype k = 0; k < m_categories.size(); ++k) {
        out += csvField(m_categories[k]);
        for (const auto &s : m_sets)
            out += QLatin1Char(',') + csvNumber(s.second.value(k, std::numeric_limits<double>::quiet_NaN()));
        out += QLatin1Char('\n');
    }
    return out;
}

// ---- HeatmapChart

HeatmapChart::HeatmapChart(QWidget *parent) : ChartWidget(parent)
{
    setMinimumSize(200, 150);
}

void HeatmapChart::setData(const QStringList &xLabels, const QStringList &yLabels, const QList<QList<double>> &values)
{
    m_xLabels = xLabels;
    m_yLabels = yLabels;
    m_values = values;
    update();
}

void HeatmapChart::setAxisTitles(const QString &x, const QString &y, const QString &value)
{
    m_xTitle = x;
    m_yTitle = y;
    m_valueTitle = value;
    update();
}

void HeatmapChart::setTitle(const QString &title)
{
    ChartWidget::setTitle(title);
}

void HeatmapChart::applyTheme()
{
    update();
}

QColor HeatmapChart::viridis(double t)
{
    // Viridis sampled at 9 stops (matplotlib's colormap data), linearly
    // interpolated: perceptually uniform and readable in greyscale.
    static const QColor stops[] = {QColor(68, 1, 84),    QColor(71, 44, 122),  QColor(59, 81, 139),
                                   QColor(44, 113, 142), QColor(33, 144, 141), QColor(39, 173, 129),
                                   QColor(92, 200, 99),  QColor(170, 220, 50), QColor(253, 231, 37)};
    constexpr int n = int(sizeof stops / sizeof stops[0]);
    if (!std::isfinite(t))
        return QColor(0x80, 0x80, 0x80);
    t = std::clamp(t, 0.0, 1.0) * (n - 1);
    const int i = std::min(n - 2, int(t));
    const double f = t - i;
    const QColor &a = stops[i], &b = stops[i + 1];
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * f), float(a.greenF() + (b.greenF() - a.greenF()) * f),
                            float(a.blueF() + (b.blueF() - a.blueF()) * f));
}

void HeatmapChart::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    renderFigure(&p, rect());
}

void HeatmapChart::renderFigure(QPainter *p, const QRectF &target)
{
    const ChartTheme &t = theme();
    p->save();
    p->fillRect(target, t.background);
    p->setClipRect(target);
    const QFontMetricsF lfm(t.labelFont, p->device());
    const QFontMetricsF tfm(t.titleFont, p->device());
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto &row : m_values)
        for (double v : row)
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
    if (!std::isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    const double span = hi > lo ? hi - lo : 1.0;

    // Layout: title on top, y labels left, x labels below, colour bar right.
    double yLabelWidth = 0;
    for (const QString &s : m_yLabels)
        yLabelWidth = std::max(yLabelWidth, lfm.horizontalAdvance(s));
    const double pad = 8;
    const double titleH = title().isEmpty() ? 0 : tfm.height() + pad;
    const double barW = 14, barLabelW = lfm.horizontalAdvance(QStringLiteral("-0.000e+00"));
    QRectF plot(target.left() + pad + lfm.height() + pad + yLabelWidth + 4, target.top() + pad + titleH,
                0, 0);
    plot.setRight(target.right() - pad - barW - 6 - barLabelW - pad - lfm.height());
    plot.setBottom(target.bottom() - pad - lfm.height() - 4 - lfm.height() - pad);

    p->setPen(t.foreground);
    if (!title().isEmpty()) {
        p->setFont(t.titleFont);
        p->drawText(QRectF(target.left(), target.top() + pad, target.width(), tfm.height()), Qt::AlignCenter, title());
    }
    const int cols = int(m_xLabels.size()), rows = int(m_yLabels.size());
    p->setFont(t.labelFont);
    if (cols > 0 && rows > 0 && plot.width() > 0 && plot.height() > 0) {
        const double cw = plot.width() / cols, ch = plot.height() / rows;
        for (int r = 0; r < rows; ++r) {
            for (int c = 0; c < cols; ++c) {
                const double v = m_values.value(r).value(c, std::numeric_limits<double>::quiet_NaN());
                // Row 0 at the bottom, as on a y axis.
                const QRectF cell(plot.left() + c * cw, plot.bottom() - (r + 1) * ch, cw, ch);
                const QColor col = viridis(std::isfinite(v) ? (v - lo) / span : std::nan(""));
                p->fillRect(cell.adjusted(0, 0, 0.5, 0.5), col);
                if (std::isfinite(v) && cw > lfm.horizontalAdvance(QStringLiteral("0000.0")) && ch > lfm.height()) {
                    // Value in the cell, dark on light colours and vice versa.
                    p->setPen(col.lightnessF() > 0.55 ? QColor(Qt::black) : QColor(Qt::white));
                    p->drawText(cell, Qt::AlignCenter, QString::number(v, 'g', 4));
                }
            }
        }
        p->setPen(t.foreground);
        for (int c = 0; c < cols; ++c)
            p->drawText(QRectF(plot.left() + c * cw, plot.bottom() + 4, cw, lfm.height()), Qt::AlignHCenter | Qt::AlignTop,
                        m_xLabels[c]);
        for (int r = 0; r < rows; ++r)
            p->drawText(QRectF(plot.left() - 4 - yLabelWidth, plot.bottom() - (r + 1) * ch, yLabelWidth, ch),
                        Qt::AlignRight | Qt::AlignVCenter, m_yLabels[r]);
    }
    // Axis titles.
    p->drawText(QRectF(plot.left(), plot.bottom() + 4 + lfm.height(), plot.width(), lfm.height()), Qt::AlignCenter, m_xTitle);
    p->save();
    p->translate(target.left() + pad, plot.center().y());
    p->rotate(-90);
    p->drawText(QRectF(-plot.height() / 2, 0, plot.height(), lfm.height()), Qt::AlignCenter, m_yTitle);
    p->restore();

    // Colour bar with min / max / mid labels and the value title.
    const QRectF bar(plot.right() + pad + 6, plot.top(), barW, plot.height());
    const int steps = 64;
    for (int i = 0; i < steps; ++i) {
        const QRectF seg(bar.left(), bar.bottom() - (i + 1) * bar.height() / steps, bar.width(), bar.height() / steps + 0.5);
        p->fillRect(seg, viridis((i + 0.5) / steps));
    }
    p->setPen(t.grid.darker(130));
    p->drawRect(bar);
    p->setPen(t.foreground);
    const double labels[] = {hi, (lo + hi) / 2, lo};
    for (int i = 0; i < 3; ++i) {
        const double yy = bar.top() + i * bar.height() / 2;
        p->drawText(QRectF(bar.right() + 4, yy - lfm.height() / 2, barLabelW, lfm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                    QString::number(labels[i], 'g', 4));
    }
    p->save();
    p->translate(target.right() - pad - lfm.height(), bar.center().y());
    p->rotate(90);
    p->drawText(QRectF(-bar.height() / 2, -lfm.height(), bar.height(), lfm.height()), Qt::AlignCenter, m_valueTitle);
    p->restore();
    p->restore();
}

QString HeatmapChart::toCsv() const
{
    QString out = QStringLiteral("x,y,value\n");
    for (qsizetype r = 0; r < m_yLabels.size(); ++r)
        for (qsizetype c = 0; c < m_xLabels.size(); ++c)
            out += csvField(m_xLabels[c]) + QLatin1Char(',') + csvField(m_yLabels[r]) + QLatin1Char(',')
                   + csvNumber(m_values.value(r).value(c, std::numeric_limits<double>::quiet_NaN())) + QLatin1Char('\n');
    return out;
}

} // namespace fb::charts
