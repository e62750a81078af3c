// CompareRunsView: runs (or trials) compared with a baseline the user picks.
//  - A bar on top: the baseline (any of the compared sides), the tolerance
//    band (default ±5 %) and the metric the chart shows.
//  - CompareTrialsChart: for that metric, one column per matched trial (the
//    baseline's swept values) and one point per side with its 95 % confidence
//    interval as an error bar. Points only: separate trials are never joined
//    by lines.
//  - The table (RunComparisonModel from core/metrics): trial, metric,
//    baseline, then per candidate value, Δ, 95 % CI of Δ and verdict; every
//    cell with its unit. Cells are coloured by verdict from the chart theme's
//    palette (Okabe–Ito vermillion: regression, bluish green: improvement),
//    so they stay distinguishable for colour-blind readers. Selecting a row
//    shows its metric in the chart.
#pragma once

#include "ChartWidget.h"

#include "metrics/RunComparison.h"

class QComboBox;
class QDoubleSpinBox;
class QTableView;

namespace fb::charts {

class ComparisonColours;

// The points of one metric per matched trial; drawn by hand (category x axis
// with error bars, no lines), like the heatmap.
class CompareTrialsChart : public ChartWidget
{
    Q_OBJECT
public:
    struct Point
    {
        int category = 0; // index into categories()
        int side = 0;     // 0: the baseline, 1…: the candidates
        double mean = 0, low = 0, high = 0; // base unit (s, req/s, …); low == high without an interval
        int n = 0;
    };

    explicit CompareTrialsChart(QWidget *parent = nullptr);
    void setData(const fb::metrics::RunComparison &comparison, const QString &metric);
    QString metric() const { return m_metric; }
    QStringList categories() const { return m_categories; }
    QStringList sides() const { return m_sides; }
    QList<Point> points() const { return m_points; }
    QString valueTitle() const; // "latency.p99 (ms)"

    void renderFigure(QPainter *painter, const QRectF &target) override;
    QString toCsv() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_metric;
    fb::units::MetricUnit m_unit;
    QStringList m_categories, m_sides;
    QList<Point> m_points;
};

class CompareRunsView : public ChartWidget
{
    Q_OBJECT
public:
    explicit CompareRunsView(QWidget *parent = nullptr);

    // The sides to compare; `baseline` indexes them (the user can change it).
    void setSides(const QList<fb::metrics::ComparisonSide> &sides, int baseline = 0, const QStringList &metrics = {});
    void setBaseline(int index);
    int baseline() const { return m_baseline; }
    void setTolerance(double fraction); // 0.05 = ±5 %
    void setChartMetric(const QString &metric);

    fb::metrics::RunComparisonModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    CompareTrialsChart *trialsChart() const { return m_chart; }
    QComboBox *baselineBox() const { return m_baselineBox; }
    QDoubleSpinBox *toleranceBox() const { return m_toleranceBox; }
    QComboBox *metricBox() const { return m_metricBox; }
    // Background colour a cell gets (invalid when uncoloured); for tests.
    QColor cellColour(int row, int column) const;

    void renderFigure(QPainter *painter, const QRectF &target) override; // chart above the table
    QString toCsv() const override;                                       // the table, unrounded

signals:
    void comparisonChanged(); // new sides, baseline or tolerance

protected:
    void applyTheme() override;

private:
    void rebuild();

    QList<fb::metrics::ComparisonSide> m_sides;
    QStringList m_metrics;
    int m_baseline = 0;
    double m_tolerance = fb::metrics::RunComparison::kDefaultTolerance;
    fb::metrics::RunComparisonModel *m_model;
    ComparisonColours *m_colours;
    QTableView *m_table;
    CompareTrialsChart *m_chart;
    QComboBox *m_baselineBox;
    QDoubleSpinBox *m_toleranceBox;
    QComboBox *m_metricBox;
};

} // namespace fb::charts
