#include "LatencyDistributionChart.h"

#include <QtCharts/QCategoryAxis>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLegend>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>

namespace fb::charts {

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

void LatencyDistributionChart::setUnit(const QString &displayUnit, double scale)
{
    m_unit = displayUnit;
    m_scale = scale;
    rebuild();
}

void LatencyDistributionChart::setMaxNines(int nines)
{
    m_nines = std::clamp(nines, 1, 6);
    rebuild();
}

void LatencyDistributionChart::setHistogramBins(int bins)
{
    m_bins = std::clamp(bins, 5, 1000);
    rebuild();
}

QList<QPointF> LatencyDistributionChart::plotted(int run) const
{
    return m_plotted.value(run);
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
        out << QPointF(l * m_scale, f) << QPointF(r * m_scale, f);
    }
    return out;
}

QList<QPointF> LatencyDistributionChart::cdfPoints(const LogLinearHistogram &h) const
{
    QList<QPointF> out;
    for (const QPointF &p : h.cdf())
        out << QPointF(std::max(p.x(), 1.0) * m_scale, p.y());
    return out;
}

QList<QPointF> LatencyDistributionChart::spectrumPoints(const LogLinearHistogram &h) const
{
    // x = log10(1 / (1 - p)): 0 at p0, 1 at p90, 2 at p99, ...
    QList<QPointF> out;
    for (const QPointF &p : h.percentileSpectrum(m_nines, 25))
        out << QPointF(std::log10(1.0 / (1.0 - p.x() / 100.0)), p.y() * m_scale);
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
        c->removeAxis(a);
        delete a;
    }
    m_plotted.clear();

    QAbstractAxis *x = nullptr;
    QAbstractAxis *y = nullptr;
    double xMin = 1e300, xMax = 0, yMax = 0;
    for (const Run &r : std::as_const(m_runs)) {
        QList<QPointF> pts;
        switch (m_mode) {
        case Mode::Histogram: pts = histogramPoints(r.histogram); break;
        case Mode::Cdf: pts = cdfPoints(r.histogram); break;
        case Mode::PercentileSpectrum: pts = spectrumPoints(r.histogram); break;
        }
        for (const QPointF &p : pts) {
            xMin = std::min(xMin, p.x());
            xMax = std::max(xMax, p.x());
            yMax = std::max(yMax, p.y());
        }
        m_plotted.append(pts);
    }
    const QString valueTitle = QStringLiteral("latency (%1)").arg(m_unit);
    if (m_mode == Mode::PercentileSpectrum) {
        auto *cx = new QCategoryAxis;
        cx->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
        cx->setRange(0, m_nines);
        cx->append(QStringLiteral("p0"), 0);
        for (int n = 1; n <= m_nines; ++n) {
            // p90, p99, p99.9, p99.99, ...
            cx->append(n == 1 ? QStringLiteral("p90") : n == 2 ? QStringLiteral("p99")
                                                                : QStringLiteral("p99.") + QString(n - 2, QLatin1Char('9')),
                       n);
        }
        cx->setTitleText(QStringLiteral("percentile"));
        x = cx;
        auto *vy = new QValueAxis;
        vy->setRange(0, yMax > 0 ? yMax * 1.05 : 1);
        vy->setLabelFormat(QStringLiteral("%g"));
        setNiceTicks(vy);
        vy->setTitleText(valueTitle);
        y = vy;
    } else {
        auto *lx = new QLogValueAxis;
        lx->setBase(10);
        lx->setLabelFormat(QStringLiteral("%g"));
        lx->setMinorTickCount(-1);
        if (xMax > 0)
            lx->setRange(std::pow(10.0, std::floor(std::log10(xMin))), std::pow(10.0, std::ceil(std::log10(xMax))));
        lx->setTitleText(valueTitle);
        x = lx;
        auto *vy = new QValueAxis;
        vy->setLabelFormat(QStringLiteral("%g"));
        if (m_mode == Mode::Cdf) {
            vy->setRange(0, 1);
            vy->setTitleText(QStringLiteral("fraction of requests ≤ latency"));
        } else {
            vy->setRange(0, yMax > 0 ? yMax * 1.1 : 1);
            setNiceTicks(vy);
            vy->setTitleText(QStringLiteral("fraction of requests"));
        }
        y = vy;
    }
    c->addAxis(x, Qt::AlignBottom);
    c->addAxis(y, Qt::AlignLeft);
    for (int i = 0; i < m_runs.size(); ++i) {
        auto *s = new QLineSeries;
        s->setName(m_runs[i].label);
        s->append(m_plotted[i]);
        c->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
    }
    applyTheme();
}

QString LatencyDistributionChart::toCsv() const
{
    const QString mode = modeName();
    QString out;
    switch (m_mode) {
    case Mode::Histogram: out = QStringLiteral("run,mode,latency_%1,fraction\n").arg(m_unit); break;
    case Mode::Cdf: out = QStringLiteral("run,mode,latency_%1,fraction_le\n").arg(m_unit); break;
    case Mode::PercentileSpectrum: out = QStringLiteral("run,mode,percentile,latency_%1\n").arg(m_unit); break;
    }
    for (int i = 0; i < m_runs.size(); ++i) {
        const QString run = csvField(m_runs[i].label);
        for (const QPointF &p : m_plotted[i]) {
            // The spectrum's x is plotted as log10(1/(1-p)); the CSV says p.
            const double x = m_mode == Mode::PercentileSpectrum ? 100.0 * (1.0 - std::pow(10.0, -p.x())) : p.x();
            out += run + QLatin1Char(',') + mode + QLatin1Char(',') + csvNumber(x) + QLatin1Char(',') + csvNumber(p.y())
                   + QLatin1Char('\n');
        }
    }
    return out;
}

} // namespace fb::charts
