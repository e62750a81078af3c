#include "CompareRunsView.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIdentityProxyModel>
#include <QLabel>
#include <QLayout>
#include <QPainter>
#include <QSplitter>
#include <QTableView>

#include <cmath>
#include <limits>

namespace fb::charts {

using fb::metrics::ComparisonRow;
using fb::metrics::RunComparison;
using fb::metrics::RunComparisonModel;
using fb::metrics::Verdict;

// ---- CompareTrialsChart

CompareTrialsChart::CompareTrialsChart(QWidget *parent) : ChartWidget(parent)
{
    setMinimumHeight(160);
}

void CompareTrialsChart::setData(const RunComparison &comparison, const QString &metric)
{
    m_metric = metric;
    m_categories.clear();
    m_points.clear();
    m_sides = QStringList{comparison.baselineLabel()} + comparison.candidateLabels();
    const auto add = [this](int category, int side, const fb::metrics::stats::ConfidenceInterval &ci) {
        if (ci.n == 0 || !std::isfinite(ci.mean))
            return;
        const double f = m_unit.toBase;
        const double hw = ci.hasInterval() ? ci.halfWidth : 0.0;
        m_points << Point{category, side, ci.mean * f, (ci.mean - hw) * f, (ci.mean + hw) * f, ci.n};
    };
    for (const ComparisonRow &row : comparison.rows()) {
        if (row.metric != metric)
            continue;
        m_unit = row.unit;
        const int category = int(m_categories.size());
        QString label = row.trials;
        if (row.cells.size() == 1 && !row.cells[0].trials.isEmpty() && row.cells[0].trials != row.trials)
            label += QStringLiteral(" vs ") + row.cells[0].trials;
        m_categories << label;
        add(category, 0, row.baseline);
        for (qsizetype c = 0; c < row.cells.size(); ++c)
            add(category, int(c + 1), row.cells[c].value);
    }
    update();
}

QString CompareTrialsChart::valueTitle() const
{
    double magnitude = 0;
    for (const Point &p : m_points)
        magnitude = std::max({magnitude, std::fabs(p.low), std::fabs(p.high)});
    return units::axisTitle(m_metric, units::scaleFor(m_unit.unit, magnitude));
}

void CompareTrialsChart::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    renderFigure(&p, rect());
}

void CompareTrialsChart::renderFigure(QPainter *p, const QRectF &target)
{
    const ChartTheme &t = theme();
    p->save();
    p->fillRect(target, t.background);
    p->setClipRect(target);
    const QFontMetricsF lfm(t.labelFont, p->device());
    const QFontMetricsF tfm(t.titleFont, p->device());
    const double pad = 8;

    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const Point &pt : m_points) {
        lo = std::min(lo, pt.low);
        hi = std::max(hi, pt.high);
    }
    if (!std::isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    if (hi - lo < 1e-12 * std::max(1.0, std::fabs(hi))) { // one value: a band around it
        const double d = std::fabs(hi) > 0 ? std::fabs(hi) * 0.1 : 1.0;
        lo -= d;
        hi += d;
    }
    const double margin = (hi - lo) * 0.08;
    lo -= margin;
    hi += margin;
    const double step = ChartWidget::niceStep(lo, hi, 5);
    const units::Scale scale = units::scaleFor(m_unit.unit, std::max(std::fabs(lo), std::fabs(hi)));
    const int decimals = units::decimalsForStep(step, scale);
    QList<double> ticks;
    if (step > 0)
        for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
            ticks << v;
    double yLabelWidth = 0;
    for (double v : std::as_const(ticks))
        yLabelWidth = std::max(yLabelWidth, lfm.horizontalAdvance(units::number(v, scale, decimals)));

    // Title, then the legend, then the plot with y labels left and two lines of category labels below.
    const QString heading = title().isEmpty() ? units::axisTitle(m_metric, scale) : title();
    p->setPen(t.foreground);
    p->setFont(t.titleFont);
    p->drawText(QRectF(target.left(), target.top() + pad, target.width(), tfm.height()), Qt::AlignCenter, heading);
    double y = target.top() + pad + tfm.height() + 4;
    p->setFont(t.labelFont);
    double x = target.left() + pad + yLabelWidth + 8;
    for (int s = 0; s < m_sides.size(); ++s) {
        const double w = lfm.horizontalAdvance(m_sides[s]) + 22;
        if (x + w > target.right() - pad && x > target.left() + pad + yLabelWidth + 8) { // wrap, never elide
            x = target.left() + pad + yLabelWidth + 8;
            y += lfm.height() + 2;
        }
        p->setBrush(t.seriesColor(s));
        p->setPen(Qt::NoPen);
        p->drawEllipse(QPointF(x + 5, y + lfm.height() / 2), 4, 4);
        p->setPen(t.foreground);
        p->drawText(QRectF(x + 14, y, w, lfm.height()), Qt::AlignLeft | Qt::AlignVCenter, m_sides[s]);
        x += w + 10;
    }
    y += lfm.height() + 6;
    const QRectF plot(target.left() + pad + yLabelWidth + 8, y, target.right() - pad - (target.left() + pad + yLabelWidth + 8),
                      target.bottom() - pad - 2 * lfm.height() - 6 - y);
    if (plot.width() <= 0 || plot.height() <= 0) {
        p->restore();
        return;
    }
    const auto yOf = [&](double v) { return plot.bottom() - (v - lo) / (hi - lo) * plot.height(); };
    for (double v : std::as_const(ticks)) {
        p->setPen(QPen(t.grid, 1));
        p->drawLine(QPointF(plot.left(), yOf(v)), QPointF(plot.right(), yOf(v)));
        p->setPen(t.foreground);
        p->drawText(QRectF(target.left() + pad, yOf(v) - lfm.height() / 2, yLabelWidth, lfm.height()),
                    Qt::AlignRight | Qt::AlignVCenter, units::number(v, scale, decimals));
    }
    p->setPen(QPen(t.foreground, 1));
    p->drawLine(plot.bottomLeft(), plot.bottomRight());
    p->drawLine(plot.bottomLeft(), plot.topLeft());
    const int cats = std::max(1, int(m_categories.size()));
    const double cw = plot.width() / cats;
    for (int c = 0; c < m_categories.size(); ++c)
        p->drawText(QRectF(plot.left() + c * cw, plot.bottom() + 4, cw, 2 * lfm.height()),
                    Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, m_categories[c]);
    // One point per side and trial with its error bar; nothing joins them.
    const int sides = std::max(1, int(m_sides.size()));
    for (const Point &pt : std::as_const(m_points)) {
        const double px = plot.left() + cw * (pt.category + (pt.side + 1.0) / (sides + 1.0));
        const QColor col = t.seriesColor(pt.side);
        p->setPen(QPen(col, std::max<qreal>(1.0, t.lineWidth)));
        if (pt.high > pt.low) {
            p->drawLine(QPointF(px, yOf(pt.low)), QPointF(px, yOf(pt.high)));
            p->drawLine(QPointF(px - 4, yOf(pt.low)), QPointF(px + 4, yOf(pt.low)));
            p->drawLine(QPointF(px - 4, yOf(pt.high)), QPointF(px + 4, yOf(pt.high)));
        }
        p->setBrush(col);
        p->drawEllipse(QPointF(px, yOf(pt.mean)), 4, 4);
    }
    p->restore();
}

QString CompareTrialsChart::toCsv() const
{
    // Base units (seconds, req/s, …), unrounded.
    QString out = QStringLiteral("trial,side,mean,ci_low,ci_high,samples,unit\n");
    for (const Point &pt : m_points)
        out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7\n")
                   .arg(csvField(m_categories.value(pt.category)), csvField(m_sides.value(pt.side)), csvNumber(pt.mean),
                        csvNumber(pt.low), csvNumber(pt.high))
                   .arg(pt.n)
                   .arg(units::unitName(m_unit.unit));
    return out;
}

// ---- CompareRunsView

// Adds background colours by verdict to the model's candidate cells.
class ComparisonColours : public QIdentityProxyModel
{
public:
    using QIdentityProxyModel::QIdentityProxyModel;
    ChartTheme theme;

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (role != Qt::BackgroundRole)
            return QIdentityProxyModel::data(index, role);
        const QVariant verdict = QIdentityProxyModel::data(index, RunComparisonModel::VerdictRole);
        if (!verdict.isValid())
            return {};
        QColor c;
        switch (Verdict(verdict.toInt())) {
        case Verdict::Regression: c = theme.seriesColor(3); break;  // vermillion
        case Verdict::Improvement: c = theme.seriesColor(2); break; // bluish green
        default: return {};
        }
        c.setAlphaF(0.35f);
        return QBrush(c);
    }
};

CompareRunsView::CompareRunsView(QWidget *parent) : ChartWidget(parent)
{
    auto *bar = new QHBoxLayout;
    m_baselineBox = new QComboBox(this);
    m_baselineBox->setObjectName(QStringLiteral("compareBaseline"));
    m_baselineBox->setToolTip(tr("The run (or trials) the others are compared with"));
    m_toleranceBox = new QDoubleSpinBox(this);
    m_toleranceBox->setObjectName(QStringLiteral("compareTolerance"));
    m_toleranceBox->setRange(0, 100);
    m_toleranceBox->setDecimals(1);
    m_toleranceBox->setPrefix(QStringLiteral("±"));
    m_toleranceBox->setSuffix(QStringLiteral(" %"));
    m_toleranceBox->setValue(m_tolerance * 100);
    m_toleranceBox->setToolTip(tr("A difference is a regression or an improvement only when its 95 % confidence "
                                  "interval lies outside this band"));
    m_metricBox = new QComboBox(this);
    m_metricBox->setObjectName(QStringLiteral("compareChartMetric"));
    bar->addWidget(new QLabel(tr("Baseline:"), this));
    bar->addWidget(m_baselineBox, 1);
    bar->addWidget(new QLabel(tr("Tolerance:"), this));
    bar->addWidget(m_toleranceBox);
    bar->addWidget(new QLabel(tr("Chart:"), this));
    bar->addWidget(m_metricBox, 1);
    static_cast<QVBoxLayout *>(layout())->addLayout(bar);

    m_model = new RunComparisonModel(this);
    m_colours = new ComparisonColours(this);
    m_colours->setSourceModel(m_model);
    m_chart = new CompareTrialsChart(this);
    m_chart->setObjectName(QStringLiteral("compareTrialsChart"));
    m_table = new QTableView(this);
    m_table->setModel(m_colours);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setStretchLastSection(true);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_chart);
    split->addWidget(m_table);
    split->setStretchFactor(0, 3); // the chart gets the room; the table scrolls
    split->setStretchFactor(1, 2);
    layout()->addWidget(split);

    connect(m_baselineBox, &QComboBox::activated, this, &CompareRunsView::setBaseline);
    connect(m_toleranceBox, &QDoubleSpinBox::valueChanged, this, [this](double percent) { setTolerance(percent / 100); });
    connect(m_metricBox, &QComboBox::currentTextChanged, this, [this](const QString &metric) {
        if (m_model->comparison() && !metric.isEmpty())
            m_chart->setData(*m_model->comparison(), metric);
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &current) {
        if (current.isValid())
            setChartMetric(m_model->data(m_model->index(current.row(), 1)).toString());
    });
    applyTheme();
}

void CompareRunsView::setSides(const QList<fb::metrics::ComparisonSide> &sides, int baseline, const QStringList &metrics)
{
    m_sides = sides;
    m_metrics = metrics;
    m_baseline = std::clamp(baseline, 0, std::max(0, int(sides.size()) - 1));
    const QSignalBlocker block(m_baselineBox);
    m_baselineBox->clear();
    for (const auto &s : sides)
        m_baselineBox->addItem(s.label);
    m_baselineBox->setCurrentIndex(m_baseline);
    rebuild();
}

void CompareRunsView::setBaseline(int index)
{
    if (index < 0 || index >= m_sides.size())
        return;
    m_baseline = index;
    const QSignalBlocker block(m_baselineBox);
    m_baselineBox->setCurrentIndex(index);
    rebuild();
}

void CompareRunsView::setTolerance(double fraction)
{
    m_tolerance = fraction;
    const QSignalBlocker block(m_toleranceBox);
    m_toleranceBox->setValue(fraction * 100);
    rebuild();
}

void CompareRunsView::setChartMetric(const QString &metric)
{
    m_metricBox->setCurrentText(metric); // updates the chart through currentTextChanged
}

void CompareRunsView::rebuild()
{
    if (m_sides.size() < 2)
        return;
    QList<fb::metrics::ComparisonSide> candidates = m_sides;
    const fb::metrics::ComparisonSide base = candidates.takeAt(m_baseline);
    const QString chartMetric = m_metricBox->currentText();
    m_model->setComparison(RunComparison(base, candidates, m_metrics, m_tolerance));
    {
        const QSignalBlocker block(m_metricBox);
        m_metricBox->clear();
        m_metricBox->addItems(m_model->comparison()->metrics());
        if (!chartMetric.isEmpty() && m_model->comparison()->metrics().contains(chartMetric))
            m_metricBox->setCurrentText(chartMetric);
    }
    m_chart->setData(*m_model->comparison(), m_metricBox->currentText());
    m_table->resizeColumnsToContents();
    m_table->setCurrentIndex(QModelIndex()); // no focus frame on the first cell in figures
    emit comparisonChanged();
}

QColor CompareRunsView::cellColour(int row, int column) const
{
    const QVariant v = m_colours->data(m_colours->index(row, column), Qt::BackgroundRole);
    return v.isValid() ? v.value<QBrush>().color() : QColor();
}

void CompareRunsView::applyTheme()
{
    m_colours->theme = theme();
    m_chart->setTheme(theme());
    QPalette p = m_table->palette();
    p.setColor(QPalette::Base, theme().background);
    p.setColor(QPalette::Text, theme().foreground);
    m_table->setPalette(p);
    m_table->setFont(theme().labelFont);
    m_table->viewport()->update();
}

void CompareRunsView::renderFigure(QPainter *painter, const QRectF &target)
{
    // The chart on top, the table as shown below it, scaled into the target.
    const QRectF chartRect(target.topLeft(), QSizeF(target.width(), target.height() * 0.5));
    m_chart->renderFigure(painter, chartRect);
    painter->save();
    painter->translate(target.left(), chartRect.bottom());
    const QSize tableSize = m_table->size();
    painter->scale(target.width() / std::max(1, tableSize.width()), target.height() * 0.5 / std::max(1, tableSize.height()));
    m_table->render(painter, QPoint(), QRegion(), QWidget::DrawWindowBackground | QWidget::DrawChildren);
    painter->restore();
}

QString CompareRunsView::toCsv() const
{
    // One line per trial, metric and candidate; numbers unrounded in the
    // metric's base unit (the unit column: s, req/s, …), relative figures as fractions.
    QString out = QStringLiteral("trial,metric,unit,baseline,baseline_mean,baseline_ci_half_width,baseline_samples,"
                                 "candidate,candidate_trial,candidate_mean,candidate_ci_half_width,candidate_samples,"
                                 "relative_difference,relative_ci_low,relative_ci_high,verdict\n");
    const RunComparison *cmp = m_model->comparison();
    if (!cmp)
        return out;
    const QStringList labels = cmp->candidateLabels();
    for (const ComparisonRow &row : cmp->rows())
        for (qsizetype c = 0; c < row.cells.size(); ++c) {
            const auto &cell = row.cells[c];
            const double f = row.unit.toBase;
            const QStringList fields{csvField(row.trials), csvField(row.metric), csvField(units::unitName(row.unit.unit)),
                                     csvField(cmp->baselineLabel()), csvNumber(row.baseline.mean * f), csvNumber(row.baseline.halfWidth * f),
                                     QString::number(row.baseline.n), csvField(labels.value(c)), csvField(cell.trials),
                                     csvNumber(cell.value.mean * f), csvNumber(cell.value.halfWidth * f), QString::number(cell.value.n),
                                     csvNumber(cell.diff.relative()), csvNumber(cell.diff.hasInterval() ? cell.diff.relativeLower() : NAN),
                                     csvNumber(cell.diff.hasInterval() ? cell.diff.relativeUpper() : NAN),
                                     csvField(fb::metrics::verdictName(cell.verdict))};
            out += fields.join(QLatin1Char(',')) + QLatin1Char('\n');
        }
    return out;
}

} // namespace fb::charts
