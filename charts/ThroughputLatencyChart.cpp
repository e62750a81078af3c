#include "ThroughputLatencyChart.h"

#include <QCursor>
#include <QMap>
#include <QToolTip>
#include <QGraphicsLayout>
#include <QGraphicsSimpleTextItem>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLegend>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>

namespace fb::charts {

namespace units = fb::units;
using fb::metrics::Curve;
using fb::metrics::CurvePoint;
using fb::metrics::ParetoPoint;

namespace {
// Line styles telling percentiles apart when colour tells groups apart.
Qt::PenStyle styleFor(int i)
{
    static const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine, Qt::DashDotDotLine};
    return styles[i % 5];
}
} // namespace

ThroughputLatencyChart::ThroughputLatencyChart(QWidget *parent) : ChartWidget(parent)
{
    auto *chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignBottom);
    setChartView(new QChartView(chart));
    chart->setMargins(QMargins(6, 6, 18, 6));
    connect(chart, &QChart::plotAreaChanged, this, &ThroughputLatencyChart::placePointLabels);
    rebuild();
}

void ThroughputLatencyChart::setData(const QList<fb::metrics::TrialResult> &trials)
{
    m_trials = trials;
    rebuild();
}

void ThroughputLatencyChart::setSpec(const fb::metrics::CurveSpec &spec)
{
    m_requested = spec;
    rebuild();
}

void ThroughputLatencyChart::setMode(Mode mode)
{
    m_mode = mode;
    rebuild();
}

void ThroughputLatencyChart::setLogLatency(bool log)
{
    m_logY = log;
    rebuild();
}

void ThroughputLatencyChart::setLogThroughput(bool log)
{
    m_logX = log;
    rebuild();
}

QString ThroughputLatencyChart::statLabel(const QString &stat)
{
    // fbload's names: two integer digits, then decimals ("p999" = p99.9).
    if (stat.size() > 3 && stat.startsWith(QLatin1Char('p')))
        return stat.left(3) + QLatin1Char('.') + stat.mid(3);
    return stat;
}

QString ThroughputLatencyChart::metricLabel(const QString &metric)
{
    // vLLM's names for the LLM metrics; others as written, without underscores.
    static const QMap<QString, QString> names{{QStringLiteral("ttft"), QStringLiteral("TTFT")},
                                              {QStringLiteral("tpot"), QStringLiteral("TPOT")},
                                              {QStringLiteral("itl"), QStringLiteral("ITL")},
                                              {QStringLiteral("e2el"), QStringLiteral("E2E latency")}};
    return names.value(metric, QString(metric).replace(QLatin1Char('_'), QLatin1Char(' ')));
}

QString ThroughputLatencyChart::xTitle() const
{
    return units::axisTitle(m_xName, m_xScale);
}

QString ThroughputLatencyChart::yTitle() const
{
    return units::axisTitle(m_yName, m_yScale);
}

void ThroughputLatencyChart::rebuild()
{
    QChart *c = chart();
    c->removeAllSeries();
    const auto oldAxes = c->axes();
    for (QAbstractAxis *a : oldAxes) {
        // Qt Charts deletes a removed axis's graphics later (deleteLater):
        // hidden first, they cannot show in a figure rendered right away.
        a->setVisible(false);
        c->removeAxis(a);
        delete a;
    }
    m_styles.clear();
    qDeleteAll(m_pointLabels);
    m_pointLabels.clear();
    if (m_mode == Mode::Curve)
        buildCurves();
    else
        buildPareto();
    applyTheme();
    settleLayout();
}

void ThroughputLatencyChart::setTitle(const QString &title)
{
    ChartWidget::setTitle(title);
    settleLayout();
}

void ThroughputLatencyChart::settleLayout()
{
    // Lay the chart out now: QChart lays out (and elides its title and
    // labels) on a posted event, so a figure rendered right after new data
    // (headless export, a grab) would otherwise show the previous layout.
    if (QGraphicsLayout *l = chart()->legend()->layout())
        l->activate(); // the legend's markers first: the chart's layout sizes the legend by them
    if (QGraphicsLayout *l = chart()->layout())
        l->activate();
    placePointLabels();
}

void ThroughputLatencyChart::buildCurves()
{
    m_pareto.clear();
    m_spec = m_requested;
    m_curves = fb::metrics::throughputLatencyCurves(m_trials, &m_spec);
    m_xUnit = m_spec.throughput.unit;
    m_yUnit = units::Unit::Seconds;
    m_xName = m_spec.throughput.name;
    m_yName = m_spec.stats.size() == 1 ? metricLabel(m_spec.latencyMetric) + QLatin1Char(' ') + statLabel(m_spec.stats.first())
                                       : metricLabel(m_spec.latencyMetric);
    double xLo = INFINITY, xHi = 0, yLo = INFINITY, yHi = 0;
    for (const Curve &cv : std::as_const(m_curves))
        for (const CurvePoint &p : cv.points) {
            if (!std::isfinite(p.throughput))
                continue;
            xLo = std::min(xLo, p.throughput);
            xHi = std::max(xHi, p.throughput);
            for (double v : p.latency)
                if (std::isfinite(v)) {
                    yLo = std::min(yLo, v);
                    yHi = std::max(yHi, v);
                }
        }
    m_xScale = units::scaleFor(m_xUnit, xHi);
    m_yScale = units::scaleFor(m_yUnit, yHi);
    addAxes(xLo, xHi, yLo, yHi, m_logX, m_logY);

    const bool manyGroups = m_curves.size() > 1;
    QChart *c = chart();
    for (int g = 0; g < m_curves.size(); ++g) {
        const Curve &cv = m_curves[g];
        for (int s = 0; s < m_spec.stats.size(); ++s) {
            auto *series = new QLineSeries;
            QString name = statLabel(m_spec.stats[s]);
            if (!cv.group.isEmpty())
                name = m_spec.stats.size() == 1 ? cv.group : cv.group + QLatin1Char(' ') + name;
            series->setName(name);
            series->setPointsVisible(true);
            for (const CurvePoint &p : cv.points) {
                const double y = p.latency.value(s, NAN);
                if (std::isfinite(p.throughput) && std::isfinite(y) && (!m_logY || y > 0) && (!m_logX || p.throughput > 0))
                    series->append(p.throughput / m_xScale.factor, y / m_yScale.factor);
            }
            c->addSeries(series);
            for (QAbstractAxis *a : c->axes())
                series->attachAxis(a);
            m_styles.append({manyGroups ? g : s, manyGroups ? styleFor(s) : Qt::SolidLine, false});
            connect(series, &QXYSeries::hovered, this, [this, g, s](const QPointF &pt, bool state) {
                if (!state) {
                    QToolTip::hideText();
                    return;
                }
                // The trial whose plotted point is nearest the hovered one.
                const Curve &curve = m_curves.value(g);
                int best = -1;
                double bestD = INFINITY;
                for (int i = 0; i < curve.points.size(); ++i) {
                    const CurvePoint &p = curve.points[i];
                    const double d = std::hypot(p.throughput / m_xScale.factor - pt.x(),
                                                p.latency.value(s, NAN) / m_yScale.factor - pt.y());
                    if (d < bestD) {
                        bestD = d;
                        best = i;
                    }
                }
                if (best >= 0)
                    showTip(pointTip(g, s, best));
            });
        }
    }
}

void ThroughputLatencyChart::buildPareto()
{
    m_curves.clear();
    m_pareto = fb::metrics::tokenPareto(m_trials);
    m_xUnit = m_yUnit = units::Unit::TokensPerSecond;
    m_xName = QStringLiteral("output tokens, all users");
    m_yName = QStringLiteral("output tokens per user");
    double xLo = INFINITY, xHi = 0, yLo = INFINITY, yHi = 0;
    for (const ParetoPoint &p : std::as_const(m_pareto)) {
        xLo = std::min(xLo, p.total);
        xHi = std::max(xHi, p.total);
        yLo = std::min(yLo, p.perUser);
        yHi = std::max(yHi, p.perUser);
    }
    m_xScale = units::scaleFor(m_xUnit, xHi);
    m_yScale = units::scaleFor(m_yUnit, yHi);
    addAxes(xLo, xHi, yLo, yHi, m_logX, m_logY);
    QChart *c = chart();
    auto *frontier = new QLineSeries;
    frontier->setName(QStringLiteral("Pareto frontier"));
    auto *all = new QScatterSeries;
    all->setName(QStringLiteral("trials"));
    all->setMarkerSize(9);
    for (const ParetoPoint &p : std::as_const(m_pareto)) {
        const QPointF pt(p.total / m_xScale.factor, p.perUser / m_yScale.factor);
        all->append(pt);
        if (p.frontier)
            frontier->append(pt);
    }
    for (QXYSeries *s : {static_cast<QXYSeries *>(frontier), static_cast<QXYSeries *>(all)}) {
        c->addSeries(s);
        for (QAbstractAxis *a : c->axes())
            s->attachAxis(a);
    }
    m_styles.append({0, Qt::DashLine, false});
    m_styles.append({0, Qt::SolidLine, true});
    for (const ParetoPoint &p : std::as_const(m_pareto)) {
        auto *label = new QGraphicsSimpleTextItem(p.label, c);
        label->setZValue(10);
        m_pointLabels.append(label);
    }
    connect(all, &QXYSeries::hovered, this, [this](const QPointF &pt, bool state) {
        if (!state) {
            QToolTip::hideText();
            return;
        }
        for (int i = 0; i < m_pareto.size(); ++i) {
            const ParetoPoint &p = m_pareto[i];
            if (std::abs(p.total / m_xScale.factor - pt.x()) < 1e-9 * std::max(1.0, std::abs(pt.x()))
                && std::abs(p.perUser / m_yScale.factor - pt.y()) < 1e-9 * std::max(1.0, std::abs(pt.y()))) {
                showTip(pointTip(0, 0, i));
                return;
            }
        }
    });
}

void ThroughputLatencyChart::addAxes(double xLo, double xHi, double yLo, double yHi, bool logX, bool logY)
{
    QChart *c = chart();
    auto make = [&](double lo, double hi, const Qt::Alignment align, bool log, const units::Scale &scale,
                    const QString &title) {
        QAbstractAxis *axis = nullptr;
        const bool any = hi > 0 && std::isfinite(lo);
        if (log) {
            auto *l = new QLogValueAxis;
            l->setBase(10);
            l->setLabelFormat(QStringLiteral("%g"));
            l->setMinorTickCount(-1);
            const double a = any ? std::max(lo, hi * 1e-6) / scale.factor : 0.1, b = any ? hi / scale.factor : 1;
            l->setRange(std::pow(10.0, std::floor(std::log10(a))), std::pow(10.0, std::ceil(std::log10(b) + 1e-12)));
            axis = l;
        } else {
            auto *v = new QValueAxis;
            v->setRange(0, any ? hi / scale.factor * (align == Qt::AlignLeft ? 1.1 : 1.05) : 1);
            setNiceTicks(v);
            axis = v;
        }
        axis->setTitleText(title);
        c->addAxis(axis, align);
    };
    make(xLo, xHi, Qt::AlignBottom, logX, m_xScale, xTitle());
    make(yLo, yHi, Qt::AlignLeft, logY, m_yScale, yTitle());
}

QString ThroughputLatencyChart::pointTip(int curve, int stat, int point) const
{
    if (m_mode == Mode::TokenPareto) {
        if (point < 0 || point >= m_pareto.size())
            return {};
        const ParetoPoint &p = m_pareto[point];
        return QStringLiteral("%1\nper user: %2\nall users: %3%4")
            .arg(p.label, units::format(p.perUser, m_yUnit), units::format(p.total, m_xUnit),
                 p.frontier ? QStringLiteral("\non the Pareto frontier") : QString());
    }
    if (curve < 0 || curve >= m_curves.size() || point < 0 || point >= m_curves[curve].points.size())
        return {};
    const CurvePoint &p = m_curves[curve].points[point];
    QString text = p.label + QLatin1Char('\n') + m_xName + QStringLiteral(": ") + units::format(p.throughput, m_xUnit)
        + QLatin1Char('\n') + statLabel(m_spec.stats.value(stat)) + QLatin1Char(' ') + metricLabel(m_spec.latencyMetric)
        + QStringLiteral(": ") + units::format(p.latency.value(stat, NAN), m_yUnit);
    if (p.repetitions > 1)
        text += QStringLiteral("\n(mean of %1 repetitions)").arg(p.repetitions);
    return text;
}

QStringList ThroughputLatencyChart::pointLabels() const
{
    QStringList out;
    for (const QGraphicsSimpleTextItem *l : m_pointLabels)
        out << l->text();
    return out;
}

void ThroughputLatencyChart::placePointLabels()
{
    // Above right of the point, else below right, above left, below left:
    // the first place inside the plot not overlapping a label placed before
    // (frontier points first); with none, the label stays hidden (the
    // tooltip still names the trial).
    const auto series = chart()->series();
    QAbstractSeries *scatter = series.isEmpty() ? nullptr : series.last();
    const QRectF plot = chart()->plotArea();
    QList<int> order;
    for (int i = 0; i < m_pointLabels.size() && i < m_pareto.size(); ++i)
        order.append(i);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return m_pareto[a].frontier && !m_pareto[b].frontier; });
    QList<QRectF> placed;
    for (int i : std::as_const(order)) {
        if (!scatter)
            break;
        const ParetoPoint &p = m_pareto[i];
        const QPointF at = chart()->mapToPosition(QPointF(p.total / m_xScale.factor, p.perUser / m_yScale.factor), scatter);
        QGraphicsSimpleTextItem *l = m_pointLabels[i];
        const QSizeF size = l->boundingRect().size();
        const auto clashes = [&](const QRectF &r) {
            return !plot.adjusted(-2, -2, 2, 2).contains(r)
                || std::any_of(placed.cbegin(), placed.cend(), [&](const QRectF &q) { return q.intersects(r); });
        };
        QRectF box;
        for (const QPointF &corner : {QPointF(at.x() + 6, at.y() - size.height() - 2), QPointF(at.x() + 6, at.y() + 2),
                                      QPointF(at.x() - 6 - size.width(), at.y() - size.height() - 2),
                                      QPointF(at.x() - 6 - size.width(), at.y() + 2)}) {
            box = QRectF(corner, size);
            if (!clashes(box))
                break;
        }
        l->setVisible(!clashes(box));
        if (l->isVisible()) {
            l->setPos(box.topLeft());
            placed.append(box);
        }
    }
}

void ThroughputLatencyChart::showTip(const QString &text)
{
    QToolTip::showText(QCursor::pos(), text, this);
}

void ThroughputLatencyChart::applyTheme()
{
    ChartWidget::applyTheme();
    for (QGraphicsSimpleTextItem *l : std::as_const(m_pointLabels)) {
        l->setBrush(theme().foreground);
        QFont f = theme().labelFont;
        f.setPointSizeF(f.pointSizeF() * 0.85);
        l->setFont(f);
    }
    placePointLabels();
    const auto series = chart()->series();
    for (int i = 0; i < series.size() && i < m_styles.size(); ++i) {
        const Style &st = m_styles[i];
        const QColor colour = theme().seriesColor(st.colour);
        if (auto *scatter = qobject_cast<QScatterSeries *>(series[i])) {
            scatter->setColor(colour);
            scatter->setBorderColor(theme().background);
            continue;
        }
        if (auto *xy = qobject_cast<QXYSeries *>(series[i])) {
            QPen pen(colour);
            pen.setWidthF(theme().lineWidth);
            pen.setStyle(st.style);
            xy->setPen(pen);
        }
    }
}

QString ThroughputLatencyChart::toCsv() const
{
    QString out;
    if (m_mode == Mode::TokenPareto) {
        out = QStringLiteral("trial,repetitions,output_tokens_per_s_per_user,output_tokens_per_s,pareto_frontier\n");
        for (const ParetoPoint &p : m_pareto)
            out += csvField(p.label) + QLatin1Char(',') + QString::number(p.repetitions) + QLatin1Char(',')
                + csvNumber(p.perUser) + QLatin1Char(',') + csvNumber(p.total) + QLatin1Char(',')
                + (p.frontier ? QStringLiteral("true") : QStringLiteral("false")) + QLatin1Char('\n');
        return out;
    }
    out = QStringLiteral("group,trial,load,repetitions,") + m_spec.throughput.key;
    const QString metric = QString(m_spec.latencyMetric).replace(QLatin1Char('.'), QLatin1Char('_'));
    for (const QString &stat : m_spec.stats)
        out += QLatin1Char(',') + metric + QLatin1Char('_') + stat + QStringLiteral("_ms");
    out += QLatin1Char('\n');
    for (const Curve &cv : m_curves)
        for (const CurvePoint &p : cv.points) {
            out += csvField(cv.group) + QLatin1Char(',') + csvField(p.label) + QLatin1Char(',') + csvNumber(p.load)
                + QLatin1Char(',') + QString::number(p.repetitions) + QLatin1Char(',') + csvNumber(p.throughput);
            for (double v : p.latencyAsWritten)
                out += QLatin1Char(',') + csvNumber(v);
            out += QLatin1Char('\n');
        }
    return out;
}

} // namespace fb::charts
