// ChartTheme: the look of every FactoryBench chart — light or dark for the
// screen, and a publication style (white background, larger fonts, thicker
// lines, colour-blind-safe palette) for exported figures. Chart widgets apply
// a theme; they never pick colours or fonts themselves.
#pragma once

#include <QColor>
#include <QFont>
#include <QList>
#include <QPen>
#include <QString>

class QChart;

namespace fb::charts {

struct ChartTheme
{
    enum class Kind { Light, Dark, Publication };

    Kind kind = Kind::Light;
    QColor background;
    QColor plotBackground;
    QColor foreground;     // axis labels, titles
    QColor grid;
    QList<QColor> palette; // series colours, in order (12, colour-blind-safe first)
    QFont titleFont;
    QFont labelFont;
    qreal lineWidth = 1.5;

    static ChartTheme light();
    static ChartTheme dark();
    static ChartTheme publication(qreal basePointSize = 10.0);
    static ChartTheme byName(const QString &name); // "light", "dark", "publication"

    QColor seriesColor(int index) const { return palette.isEmpty() ? foreground : palette[index % palette.size()]; }
    // The colour of `index` at lineWidth; solid for the first palette.size()
    // series, then dashed, dotted and dash-dotted, so 48 series stay distinct.
    QPen seriesPen(int index) const;
    void apply(QChart *chart) const; // colours, fonts and pens of the chart, its axes and series
};

} // namespace fb::charts
