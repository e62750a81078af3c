// Sweep charts: results of a parameter sweep.
//  - SweepChart: a metric against one parameter (x), one line per value of a
//    second parameter, with error bars over the repetitions of each point
//    (mean ± the 95 % Student-t interval); linear or log axes; values shown in
//    a scaled unit (fb::units) named in the axis title. showStudy() draws it
//    straight from a metrics::Study.
//  - BarChart: grouped bars, e.g. a per-operation breakdown per run.
//  - HeatmapChart: a metric over two parameters as coloured cells (viridis),
//    drawn by hand because Qt Charts has no heatmap series.
#pragma once

#include "ChartWidget.h"
#include "common/Units.h"

#include <QList>
#include <QMap>
#include <QStringList>

class QLineSeries;
class QScatterSeries;

namespace fb::metrics {
class Study;
}

namespace fb::charts {

struct SweepPoint
{
    double x = 0;
    double y = 0;       // mean over repetitions
    double low = 0;     // lower end of the error bar
    double high = 0;    // upper end of the error bar
    int repetitions = 1;

    // Mean ± the half-width of the 95 % Student-t confidence interval of the
    // repetitions' values (no bar for a single value).
    static SweepPoint fromRepetitions(double x, const QList<double> &values);
};

class SweepView;

class SweepChart : public ChartWidget
{
    Q_OBJECT
public:
    explicit SweepChart(QWidget *parent = nullptr);

    // One line (e.g. "batch = 8") of points sorted by x.
    void setLine(const QString &name, const QList<SweepPoint> &points);
    void clearLines();
    void setAxisTitles(const QString &x, const QString &y);
    void setLogX(bool log);
    void setLogY(bool log);
    // Labels of a non-numeric x parameter: point x = 1 … n stand for them.
    void setXCategories(const QStringList &labels);
    int lineCount() const { return int(m_lines.size()); }
    QString lineName(int index) const { return m_lines.value(index).name; }
    QList<SweepPoint> line(int index) const { return m_lines.value(index).points; }

    // `metric` of `study` against the swept parameter `x`, one line per value
    // of `series` (see metrics::Study::sweep): values converted to the metric's
    // base unit and shown in the scale that suits the largest (yScale()), axis
    // titles with units, categories for a non-numeric x. Returns the lines drawn.
    int showStudy(const metrics::Study &study, const QString &metric, const QString &x, const QString &series = {});
    // The scale of the y values (point.y * yScale().factor is in the base unit).
    units::Scale yScale() const { return m_yScale; }

    // line, x, mean, error_low, error_high, repetitions; the y columns in yScale().
    QString toCsv() const override;

private:
    friend class SweepView;
    void rebuild();
    struct Line
    {
        QString name;
        QList<SweepPoint> points;
        QLineSeries *series = nullptr;
    };
    QList<Line> m_lines;
    QString m_xTitle, m_yTitle;
    QStringList m_xCategories;
    units::Scale m_yScale;
    bool m_logX = false;
    bool m_logY = false;
    SweepView *m_sweepView = nullptr;
};

class BarChart : public ChartWidget
{
    Q_OBJECT
public:
    explicit BarChart(QWidget *parent = nullptr);

    void setCategories(const QStringList &categories);      // e.g. operations
    void addBarSet(const QString &name, const QList<double> &values); // one value per category
    void setValueTitle(const QString &title);
    QString toCsv() const override;

private:
    void rebuild();
    QStringList m_categories;
    QList<QPair<QString, QList<double>>> m_sets;
    QString m_valueTitle;
};

class HeatmapChart : public ChartWidget
{
    Q_OBJECT
public:
    explicit HeatmapChart(QWidget *parent = nullptr);

    // values[row][column]; rows go up the y axis, columns along x. NaN: no data.
    void setData(const QStringList &xLabels, const QStringList &yLabels, const QList<QList<double>> &values);
    void setAxisTitles(const QString &x, const QString &y, const QString &value);
    void setTitle(const QString &title) override;

    void renderFigure(QPainter *painter, const QRectF &target) override;
    QString toCsv() const override;
    static QColor viridis(double t); // t in [0, 1]

protected:
    void paintEvent(QPaintEvent *event) override;
    void applyTheme() override;

private:
    QStringList m_xLabels, m_yLabels;
    QList<QList<double>> m_values;
    QString m_xTitle, m_yTitle, m_valueTitle;
};

} // namespace fb::charts
