#include "ChartTheme.h"

#include <QtCharts/QAbstractAxis>
#include <QtCharts/QChart>
#include <QtCharts/QLegend>
#include <QtCharts/QXYSeries>

#include <algorithm>

namespace fb::charts {

namespace {
// Okabe–Ito first: distinguishable for the common colour-vision deficiencies
// and in greyscale print, which reviewers of HPC papers appreciate. A sweep
// of 12 trials needs more, so four colours of Tableau 10 follow (red, brown,
// olive, grey), and Okabe–Ito's yellow, faint on white, comes last but one.
// Past these 12, seriesPen() cycles them again dashed, then dotted.
QList<QColor> palette12()
{
    return {QColor(0x00, 0x72, 0xB2), QColor(0xE6, 0x9F, 0x00), QColor(0x00, 0x9E, 0x73),
            QColor(0xD5, 0x5E, 0x00), QColor(0xCC, 0x79, 0xA7), QColor(0x56, 0xB4, 0xE9),
            QColor(0x00, 0x00, 0x00), QColor(0xE1, 0x57, 0x59), QColor(0x9C, 0x75, 0x5F),
            QColor(0xBC, 0xBD, 0x22), QColor(0xF0, 0xE4, 0x42), QColor(0x8C, 0x8C, 0x8C)};
}
constexpr int kBlack = 6;
} // namespace

ChartTheme ChartTheme::light()
{
    ChartTheme t;
    t.kind = Kind::Light;
    t.background = QColor(0xFF, 0xFF, 0xFF);
    t.plotBackground = QColor(0xFF, 0xFF, 0xFF);
    t.foreground = QColor(0x20, 0x24, 0x2A);
    t.grid = QColor(0xE3, 0xE6, 0xEA);
    t.palette = palette12();
    t.titleFont.setPointSizeF(10.5);
    t.titleFont.setBold(true);
    t.labelFont.setPointSizeF(9);
    return t;
}

ChartTheme ChartTheme::dark()
{
    ChartTheme t = light();
    t.kind = Kind::Dark;
    t.background = QColor(0x1E, 0x21, 0x26);
    t.plotBackground = QColor(0x24, 0x28, 0x2E);
    t.foreground = QColor(0xDD, 0xE1, 0xE6);
    t.grid = QColor(0x38, 0x3D, 0x45);
    t.palette[kBlack] = QColor(0xFF, 0xFF, 0xFF); // black is invisible on dark
    return t;
}

ChartTheme ChartTheme::publication(qreal basePointSize)
{
    ChartTheme t = light();
    t.kind = Kind::Publication;
    t.grid = QColor(0xDD, 0xDD, 0xDD);
    t.titleFont.setPointSizeF(basePointSize * 1.2);
    t.labelFont.setPointSizeF(basePointSize);
    t.lineWidth = 2.0;
    return t;
}

ChartTheme ChartTheme::byName(const QString &name)
{
    if (name.compare(QLatin1String("dark"), Qt::CaseInsensitive) == 0)
        return dark();
    if (name.compare(QLatin1String("publication"), Qt::CaseInsensitive) == 0)
        return publication();
    return light();
}

QPen ChartTheme::seriesPen(int index) const
{
    QPen pen(seriesColor(index));
    pen.setWidthF(lineWidth);
    static const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
    const int round = palette.isEmpty() ? 0 : std::max(0, index) / int(palette.size());
    pen.setStyle(styles[round % 4]);
    return pen;
}

void ChartTheme::apply(QChart *chart) const
{
    chart->setBackgroundBrush(background);
    chart->setPlotAreaBackgroundBrush(plotBackground);
    chart->setPlotAreaBackgroundVisible(true);
    chart->setTitleBrush(foreground);
    chart->setTitleFont(titleFont);
    chart->legend()->setLabelColor(foreground);
    chart->legend()->setFont(labelFont);
    const auto axes = chart->axes();
    for (QAbstractAxis *axis : axes) {
        axis->setLabelsBrush(foreground);
        axis->setLabelsFont(labelFont);
        axis->setTitleBrush(foreground);
        axis->setTitleFont(labelFont);
        axis->setGridLineColor(grid);
        axis->setLinePenColor(grid.darker(130));
    }
    int i = 0;
    const auto series = chart->series();
    for (QAbstractSeries *s : series) {
        if (auto *xy = qobject_cast<QXYSeries *>(s))
            xy->setPen(seriesPen(i));
        ++i;
    }
}

} // namespace fb::charts
