// CompareRunsView: the "compare runs" table — each metric of the chosen runs
// against a baseline with the % difference and a verdict (RunComparisonModel
// from core/metrics), coloured so regressions stand out: red for a
// regression, green for an improvement, amber for out of range. Colours come
// from the chart theme's palette (Okabe–Ito vermillion / bluish green /
// orange), so they stay distinguishable for colour-blind readers.
#pragma once

#include "ChartWidget.h"

#include "metrics/RunComparison.h"

class QTableView;

namespace fb::charts {

class ComparisonColours;

class CompareRunsView : public ChartWidget
{
    Q_OBJECT
public:
    explicit CompareRunsView(QWidget *parent = nullptr);

    void setComparison(const fb::metrics::RunComparison &comparison);
    fb::metrics::RunComparisonModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    // Background colour a cell gets (invalid when uncoloured); for tests.
    QColor cellColour(int row, int column) const;

    void renderFigure(QPainter *painter, const QRectF &target) override;
    QString toCsv() const override;

protected:
    void applyTheme() override;

private:
    fb::metrics::RunComparisonModel *m_model;
    ComparisonColours *m_colours;
    QTableView *m_table;
};

} // namespace fb::charts
