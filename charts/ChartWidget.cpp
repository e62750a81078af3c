#include "ChartWidget.h"

#include "common/Units.h"

#include <QAction>
#include <QEvent>
#include <QToolButton>
#include <QLocale>
#include <QPainter>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QValueAxis>

#include <cmath>

namespace fb::charts {

namespace {
std::function<void(ChartWidget *)> &exportHandler()
{
    static std::function<void(ChartWidget *)> handler;
    return handler;
}

// The chart's own toolbar: an "Export…" button in its top-right corner,
// shown while the pointer is over the chart (so it covers nothing otherwise)
// and never part of an exported figure (renderFigure paints the chart alone).
class ExportButtonFollower : public QObject
{
public:
    ExportButtonFollower(QWidget *chart, QToolButton *button) : QObject(chart), m_chart(chart), m_button(button) {}

protected:
    bool eventFilter(QObject *watched, QEvent *e) override
    {
        if (watched == m_chart) {
            if (e->type() == QEvent::Resize || e->type() == QEvent::Show) {
                m_button->adjustSize();
                m_button->move(m_chart->width() - m_button->width() - 4, 4);
            } else if (e->type() == QEvent::Enter) {
                m_button->setVisible(bool(exportHandler()));
                m_button->raise();
            } else if (e->type() == QEvent::Leave) {
                m_button->hide();
            }
        }
        return false;
    }

private:
    QWidget *m_chart;
    QToolButton *m_button;
};
} // namespace

ChartWidget::ChartWidget(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *exportAction = new QAction(tr("Export…"), this);
    exportAction->setObjectName(QStringLiteral("exportChart"));
    connect(exportAction, &QAction::triggered, this, [this] {
        if (exportHandler())
            exportHandler()(this);
    });
    addAction(exportAction);
    setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *exportButton = new QToolButton(this);
    exportButton->setObjectName(QStringLiteral("exportChartButton"));
    exportButton->setDefaultAction(exportAction);
    exportButton->setAutoRaise(true);
    exportButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    exportButton->setToolTip(tr("Export this chart as PNG, SVG, PDF or CSV"));
    exportButton->hide();
    installEventFilter(new ExportButtonFollower(this, exportButton));
}

void ChartWidget::setExportHandler(std::function<void(ChartWidget *)> handler)
{
    exportHandler() = std::move(handler);
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

double ChartWidget::niceStep(double lo, double hi, int ticks, int minTicks)
{
    if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi))
        return 0;
    const double raw = (hi - lo) / std::max(1, ticks);
    double mag = std::pow(10.0, std::floor(std::log10(raw)));
    static const double mantissas[] = {1.0, 2.0, 5.0};
    int m = 0;
    while (mantissas[m] * mag < raw * (1 - 1e-9)) {
        if (++m == 3) {
            m = 0;
            mag *= 10;
        }
    }
    // A round step can leave fewer labels than asked for (a range of 0–1.1
    // with a step of 0.5 has 3, 0.9–1.6 with 0.5 only 1): take the next
    // smaller round step until at least `minTicks` fit.
    auto labels = [&](double step) { return std::floor(hi / step + 1e-9) - std::ceil(lo / step - 1e-9) + 1; };
    for (int guard = 0; guard < 12 && labels(mantissas[m] * mag) < minTicks; ++guard) {
        if (--m < 0) {
            m = 2;
            mag /= 10;
        }
    }
    return mantissas[m] * mag;
}

void ChartWidget::setNiceTicks(QValueAxis *axis, int ticks)
{
    const double lo = axis->min(), hi = axis->max();
    const double step = niceStep(lo, hi, ticks);
    if (!(step > 0))
        return;
    // Anchor and interval before the tick type: switching to dynamic ticks
    // with an interval meant for another range lays out its ticks first.
    axis->setTickAnchor(std::ceil(lo / step - 1e-9) * step);
    axis->setTickInterval(step);
    axis->setTickType(QValueAxis::TicksDynamic);
    // Fixed decimals from the step (never "%g", which writes 5e-05): the
    // axis's values are already in the scale its title names.
    axis->setLabelFormat(QStringLiteral("%.%1f").arg(fb::units::decimalsForStep(step, fb::units::Scale{})));
}

void ChartWidget::setAxisRange(QValueAxis *axis, double lo, double hi)
{
    // Qt Charts lays an axis out as soon as its range changes, before any
    // slot on rangeChanged can adapt the tick interval: 0.2-spaced ticks over
    // a new range of 0-30,000 are 150,000 label items (a GUI stall of 0.3-1 s
    // when a live chart's first points arrive). Fixed ticks (5) meanwhile;
    // setNiceTicks switches back to round dynamic ticks for the new range.
    // Qt's own test for "changed" (QValueAxisPrivate::setRange), so fixed
    // ticks are only set when rangeChanged follows to set them back.
    const bool changes = !qFuzzyCompare(lo, axis->min()) || !qFuzzyCompare(hi, axis->max());
    if (axis->tickType() == QValueAxis::TicksDynamic && changes)
        axis->setTickType(QValueAxis::TicksFixed);
    axis->setRange(lo, hi);
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
