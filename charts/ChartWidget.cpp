#include "ChartWidget.h"

#include <QLocale>
#include <QPainter>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QValueAxis>

#include <cmath>

namespace fb::charts {

ChartWidget::ChartWidget(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
}

void ChartWidget::setChartView(QChartView *view)
{
    m_view = view;
    m_chart = view->chart();
    m_view->setRenderHint(QPainter::Antialiasing);
    m_chart->setMargins(QMargins(6, 6, 6, 6));
    layout()->addWidget(m_view);
    applyTheme();
}

void ChartWidget::setTheme(const ChartTheme &theme)
{
    m_theme = theme;
    applyTheme();
}

void ChartWidget::applyTheme()
{
    if (m_chart)
        m_theme.apply(m_chart);
    update();
}

void ChartWidget::setTitle(const QString &title)
{
    m_title = title;
    if (m_chart)
        m_chart->setTitle(title);
    update();
}

void ChartWidget::renderFigure(QPainter *painter, const QRectF &target)
{
    if (!m_view)
        return;
    setOverlaysVisible(false);
    // QGraphicsView::render paints the scene's items through the painter, so
    // SVG and PDF output stay vector graphics.
    m_view->render(painter, target, m_view->viewport()->rect(), Qt::IgnoreAspectRatio);
    setOverlaysVisible(true);
}

void ChartWidget::setNiceTicks(QValueAxis *axis, int ticks)
{
    const double lo = axis->min(), hi = axis->max();
    if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi))
        return;
    const double raw = (hi - lo) / std::max(1, ticks);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag;
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        step = m * mag;
        if (step >= raw)
            break;
    }
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(std::ceil(lo / step) * step);
    axis->setTickInterval(step);
}

QString ChartWidget::csvField(const QString &s)
{
    if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"')) && !s.contains(QLatin1Char('\n'))
        && !s.contains(QLatin1Char('\r')))
        return s;
    QString q = s;
    q.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + q + QLatin1Char('"');
}

QString ChartWidget::csvNumber(double v)
{
    if (std::isnan(v))
        return {};
    return QString::number(v, 'g', QLocale::FloatingPointShortest);
}

} // namespace fb::charts
