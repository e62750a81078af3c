#include "CompareRunsView.h"

#include <QHeaderView>
#include <QIdentityProxyModel>
#include <QLayout>
#include <QPainter>
#include <QTableView>

namespace fb::charts {

using fb::metrics::ComparisonStatus;
using fb::metrics::RunComparisonModel;

// Adds background colours by status to the model's cells.
class ComparisonColours : public QIdentityProxyModel
{
public:
    using QIdentityProxyModel::QIdentityProxyModel;
    ChartTheme theme;

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (role != Qt::BackgroundRole)
            return QIdentityProxyModel::data(index, role);
        const QVariant status = QIdentityProxyModel::data(index, RunComparisonModel::StatusRole);
        if (!status.isValid())
            return {};
        QColor c;
        switch (ComparisonStatus(status.toInt())) {
        case ComparisonStatus::Regression: c = theme.seriesColor(3); break;  // vermillion
        case ComparisonStatus::Improvement: c = theme.seriesColor(2); break; // bluish green
        case ComparisonStatus::OutOfRange: c = theme.seriesColor(1); break;  // orange
        default: return {};
        }
        c.setAlphaF(0.35f);
        return QBrush(c);
    }
};

CompareRunsView::CompareRunsView(QWidget *parent) : ChartWidget(parent)
{
    m_model = new RunComparisonModel(this);
    m_colours = new ComparisonColours(this);
    m_colours->setSourceModel(m_model);
    m_table = new QTableView(this);
    m_table->setModel(m_colours);
    m_table->setAlternatingRowColors(false);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout()->addWidget(m_table);
    applyTheme();
}

void CompareRunsView::setComparison(const fb::metrics::RunComparison &comparison)
{
    m_model->setComparison(comparison);
    m_table->resizeColumnsToContents();
    m_table->setCurrentIndex(QModelIndex()); // no focus frame on the first cell in figures
}

QColor CompareRunsView::cellColour(int row, int column) const
{
    const QVariant v = m_colours->data(m_colours->index(row, column), Qt::BackgroundRole);
    return v.isValid() ? v.value<QBrush>().color() : QColor();
}

void CompareRunsView::applyTheme()
{
    m_colours->theme = theme();
    QPalette p = m_table->palette();
    p.setColor(QPalette::Base, theme().background);
    p.setColor(QPalette::Text, theme().foreground);
    m_table->setPalette(p);
    m_table->setFont(theme().labelFont);
    m_table->viewport()->update();
}

void CompareRunsView::renderFigure(QPainter *painter, const QRectF &target)
{
    // The table as shown, scaled into the target.
    painter->save();
    painter->translate(target.topLeft());
    painter->scale(target.width() / std::max(1, width()), target.height() / std::max(1, height()));
    m_table->render(painter, QPoint(), QRegion(), QWidget::DrawWindowBackground | QWidget::DrawChildren);
    painter->restore();
}

QString CompareRunsView::toCsv() const
{
    QString out;
    const int cols = m_model->columnCount();
    for (int c = 0; c < cols; ++c)
        out += (c ? QStringLiteral(",") : QString()) + csvField(m_model->headerData(c, Qt::Horizontal).toString());
    out += QLatin1Char('\n');
    for (int r = 0; r < m_model->rowCount(); ++r) {
        for (int c = 0; c < cols; ++c) {
            // Numbers unrounded: the value, then the % difference, then the
            // status text of each candidate (see RunComparisonModel's columns).
            const QModelIndex i = m_model->index(r, c);
            const int part = c < 2 ? -1 : (c - 2) % RunComparisonModel::kPerCandidate;
            QString text;
            if (c == 1 || part == 0)
                text = csvNumber(m_model->data(i, RunComparisonModel::ValueRole).toDouble());
            else if (part == 1)
                text = csvNumber(m_model->data(i, RunComparisonModel::PercentRole).toDouble());
            else
                text = csvField(m_model->data(i).toString());
            out += (c ? QStringLiteral(",") : QString()) + text;
        }
        out += QLatin1Char('\n');
    }
    return out;
}

} // namespace fb::charts
