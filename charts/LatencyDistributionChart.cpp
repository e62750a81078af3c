#include "LatencyDistributionChart.h"

#include "metrics/LatencyDistribution.h"

#include <QCursor>
#include <QToolTip>
#include <QtCharts/QCategoryAxis>
#include <QGraphicsLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLegend>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>

namespace fb::charts {

namespace units = fb::units;
using fb::metrics::LogLinearHistogram;

LatencyDistributionChart::LatencyDistributionChart(QWidget *parent) : ChartWidget(parent)
{
    auto *chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignBottom);
    auto *view = new QChartView(chart);
    setChartView(view);
    chart->setMargins(QMargins(6, 6, 24, 6)); // room for the last x label (p99.99)
    rebuild();
}

void LatencyDistributionChart::setData(const QList<LatencyRun> &runs)
{
    m_runs = runs;
    rebuild();
}

void LatencyDistributionChart::addRun(const QString &label, const LogLinearHistogram &histogram)
{
    m_runs.append({label, histogram});
    rebuild();
}

void LatencyDistributionChart::clearRuns()
{
    m_runs.clear();
    rebuild();
}

void LatencyDistributionChart::setMode(Mode mode)
{
    m_mode = mode;
    rebuild();
}

void LatencyDistributionChart::setValueUnit(units::Unit unit, double toBase)
{
    m_unit = unit;
    m_toBase = toBase;
    rebuild();
}

void LatencyDistributionChart::setMaxNines(int nines)
{
    m_nines = std::clamp(nines, 2, 6);
    rebuild();
}

void LatencyDistributionChart::setHistogramBins(int bins)
{
    m_bins = std::clamp(bins, 5, 1000);
    rebuild();
}

void LatencyDistributionChart::setLogLatency(bool log)
{
    m_logLatency = log;
    rebuild();
}

void LatencyDistributionChart::setMetricName(const QString &name)
{
    m_metric = name;
    rebuild();
}

QList<QPointF> LatencyDistributionChart::plotted(int run) const
{
    return m_plotted.value(run);
}

QString LatencyDistributionChart::xTitle() const
{
    return m_mode == Mode::PercentileSpectrum ? QStringLiteral("percentile (log scale of 1/(1−p))")
                                              : units::axisTitle(m_metric, m_scale);
}

QString LatencyDistributionChart::yTitle() const
{
    switch (m_mode) {
    case Mode::PercentileSpectrum: return units::axisTitle(m_metric, m_scale);
    case Mode::Cdf: return QStringLiteral("fraction of requests ≤ ") + m_metric;
    case Mode::Histogram: return QStringLiteral("fraction of requests");
    }
    return {};
}

QList<QPointF> LatencyDistributionChart::histogramPoints(const LogLinearHistogram &h) const
{
    // The exact histogram has thousands of narrow buckets; re-bin them into
    // log-spaced bins so the shape is visible, and plot fractions so runs of
    // different lengths overlay. Drawn as steps: (left, f), (right, f).
    QList<QPointF> out;
    if (!h.count())
        return out;
    const double lo = std::max(1.0, double(h.min()));
    const double hi = std::max(lo * 1.0001, double(h.max()) + 1);
    const double llo = std::log10(lo), lhi = std::log10(hi);
    const double width = (lhi - llo) / m_bins;
    QList<double> counts(m_bins, 0.0);
    // Values are integers (µs): a narrow bin covers 3 or 4 of them, which
    // would show as a zigzag. Scale each bin by nominal width / integers
    // covered, so it reads as if values were continuous.
    auto edge = [&](int i) { return std::pow(10.0, llo + i * width); };
    for (const fb::metrics::HistogramBin &b : h.bins()) {
        // A bucket's count goes to the bin of its midpoint.
        const double mid = std::max(1.0, std::floor((double(b.low) + double(b.high)) / 2.0));
        const int i = std::clamp(int((std::log10(mid) - llo) / width), 0, m_bins - 1);
        counts[i] += double(b.count);
    }
    for (int i = 0; i < m_bins; ++i) {
        const double l = edge(i), r = edge(i + 1);
        const double integers = std::ceil(r) - std::ceil(l); // values v with l <= v < r
        if (integers < 1)
            continue; // narrower than one unit: no value can fall in it
        const double f = counts[i] / double(h.count()) * std::max(1.0, (r - l) / integers);
        out << QPointF(l * m_toBase, f) << QPointF(r * m_toBase, f);
    }
    return out;
}

QString LatencyDistributionChart::modeName() const
{
    switch (m_mode) {
    case Mode::Histogram: return QStringLiteral("histogram");
    case Mode::Cdf: return QStringLiteral("cdf");
    case Mode::PercentileSpectrum: return QStringLiteral("percentile_spectrum");
    }
    return {};
}

void LatencyDistributionChart::rebuild()
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
    m_plotted.clear();

    // Points in base units first (x, y): spectrum (position, value), CDF
    // (value, fraction), histogram (value, fraction); then one scale for the
    // value axis from the largest value of all runs.
    QList<QList<QPointF>> base;
    double vMin = INFINITY, vMax = 0, fMax = 0;
    for (const LatencyRun &r : std::as_const(m_runs)) {
        QList<QPointF> pts;
        switch (m_mode) {
        case Mode::Histogram: pts = histogramPoints(r.histogram); break;
        case Mode::Cdf:
            for (const QPointF &p : fb::metrics::cdf(r.histogram))
                pts << QPointF(std::max(p.x(), 1.0) * m_toBase, p.y()); // log axis: 0 µs drawn at 1 µs
            break;
        case Mode::PercentileSpectrum:
            for (const QPointF &p : fb::metrics::percentileSpectrum(r.histogram, m_nines))
                pts << QPointF(fb::metrics::percentileAxisPosition(p.x()), p.y() * m_toBase);
            break;
        }
        for (const QPointF &p : std::as_const(pts)) {
            const double v = m_mode == Mode::PercentileSpectrum ? p.y() : p.x();
            if (v > 0)
                vMin = std::min(vMin, v);
            vMax = std::max(vMax, v);
            fMax = std::max(fMax, m_mode == Mode::PercentileSpectrum ? 0.0 : p.y());
        }
        base.append(pts);
    }
    m_scale = units::scaleFor(m_unit, vMax);
    const double k = m_scale.factor;
    for (const QList<QPointF> &pts : std::as_const(base)) {
        QList<QPointF> shown;
        shown.reserve(pts.size());
        for (const QPointF &p : pts)
            shown << (m_mode == Mode::PercentileSpectrum ? QPointF(p.x(), p.y() / k) : QPointF(p.x() / k, p.y()));
        m_plotted.append(shown);
    }

    auto logAxis = [&](double lo, double hi) {
        auto *l = new QLogValueAxis;
        l->setBase(10);
        l->setLabelFormat(QStringLiteral("%g"));
        l->setMinorTickCount(-1);
        if (hi > 0 && std::isfinite(lo))
            l->setRange(std::pow(10.0, std::floor(std::log10(lo))), std::pow(10.0, std::ceil(std::log10(hi) + 1e-12)));
        return l;
    };
    QAbstractAxis *x = nullptr;
    QAbstractAxis *y = nullptr;
    if (m_mode == Mode::PercentileSpectrum) {
        auto *cx = new QCategoryAxis;
        cx->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
        cx->setRange(0, m_nines);
        for (double p : fb::metrics::namedPercentiles(m_nines))
            cx->append(fb::metrics::percentileLabel(p), fb::metrics::percentileAxisPosition(p));
        x = cx;
        if (m_logLatency) {
            y = logAxis(vMin / k, vMax / k);
        } else {
            auto *vy = new QValueAxis;
            vy->setRange(0, vMax > 0 ? vMax / k * 1.05 : 1);
            setNiceTicks(vy);
            y = vy;
        }
    } else {
        x = logAxis(vMin / k, vMax / k);
        auto *vy = new QValueAxis;
        vy->setRange(0, m_mode == Mode::Cdf ? 1.0 : (fMax > 0 ? fMax * 1.1 : 1));
        setNiceTicks(vy);
        y = vy;
    }
    x->setTitleText(xTitle());
    y->setTitleText(yTitle());
    c->addAxis(x, Qt::AlignBottom);
    c->addAxis(y, Qt::AlignLeft);
    for (int i = 0; i < m_runs.size(); ++i) {
        auto *s = new QLineSeries;
        s->setName(m_runs[i].label);
        s->append(m_plotted[i]);
        c->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
        connect(s, &QXYSeries::hovered, this, [this, i](const QPointF &pt, bool state) {
            if (!state) {
                QToolTip::hideText();
                return;
            }
            const double v = (m_mode == Mode::PercentileSpectrum ? pt.y() : pt.x()) * m_scale.factor;
            QString text = m_runs.value(i).label + QLatin1Char('\n');
            if (m_mode == Mode::PercentileSpectrum)
                text += fb::metrics::percentileLabel(
                            std::round(fb::metrics::percentileFromAxisPosition(pt.x()) * 1e4) / 1e4)
                    + QStringLiteral(": ") + units::format(v, m_unit);
            else
                text += QStringLiteral("%1: %2 of requests").arg(units::format(v, m_unit), units::format(pt.y(), units::Unit::Ratio));
            QToolTip::showText(QCursor::pos(), text, this);
        });
    }
    applyTheme();    settleLayout();
}

void LatencyDistributionChart::setTitle(const QString &title)
{
    ChartWidget::setTitle(title);
    settleLayout();
}

void LatencyDistributionChart::settleLayout()
{
    // Lay the chart out now: QChart lays out (and elides its title and
    // labels) on a posted event, so a figure rendered right after new data
    // (headless export, a grab) would otherwise show the previous layout.
    if (QGraphicsLayout *l = chart()->legend()->layout())
        l->activate(); // the legend's markers first: the chart's layout sizes the legend by them
    if (QGraphicsLayout *l = chart()->layout())
        l->activate();
}

QString LatencyDistributionChart::valueColumn() const
{
    return m_unit == units::Unit::Seconds ? m_metric + QStringLiteral("_ms") : m_metric + QLatin1Char('_') + units::unitName(m_unit);
}

double LatencyDistributionChart::csvValue(double shown) const
{
    const double base = shown * m_scale.factor;
    return m_unit == units::Unit::Seconds ? base * 1e3 : base;
}

QString LatencyDistributionChart::toCsv() const
{
    const QString mode = modeName();
    const QString v = valueColumn();
    QString out;
    switch (m_mode) {
    case Mode::Histogram: out = QStringLiteral("run,mode,%1,fraction\n").arg(v); break;
    case Mode::Cdf: out = QStringLiteral("run,mode,%1,fraction_le\n").arg(v); break;
    case Mode::PercentileSpectrum: out = QStringLiteral("run,mode,percentile,%1\n").arg(v); break;
    }
    for (int i = 0; i < m_runs.size(); ++i) {
        const QString run = csvField(m_runs[i].label);
        for (const QPointF &p : m_plotted[i]) {
            // The spectrum's x is plotted as log10(1/(1-p)); the CSV says p.
            const QString a = m_mode == Mode::PercentileSpectrum
                ? csvNumber(std::round(fb::metrics::percentileFromAxisPosition(p.x()) * 1e9) / 1e9)
                : csvNumber(csvValue(p.x()));
            const QString b = m_mode == Mode::PercentileSpectrum ? csvNumber(csvValue(p.y())) : csvNumber(p.y());
            out += run + QLatin1Char(',') + mode + QLatin1Char(',') + a + QLatin1Char(',') + b + QLatin1Char('\n');
        }
    }
    return out;
}

} // namespace fb::charts
