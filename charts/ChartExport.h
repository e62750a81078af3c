// ChartExport: figures for reports — a chart to PNG at a chosen DPI, to SVG or
// PDF as vector graphics, and the data behind it to CSV. The figure is laid
// out in logical pixels (96 per inch): either the widget's on-screen size or
// a size in inches (the presets: one column 3.5 in, two columns 7 in). PNG
// multiplies it by dpi / 96, so a 3.5 in figure at 300 DPI is exactly
// 1050 px wide; PDF pages are the figure's size (72 pt per inch); SVG is
// sized in the same logical pixels. With `printTheme` the figure is drawn in
// the light print theme and the bundled font (FigureStyle.h) whatever the
// app's theme. Runs in the GUI thread (painting widgets must).
#pragma once

#include <QByteArray>
#include <QList>
#include <QSize>
#include <QSizeF>
#include <QString>

#include <optional>

namespace fb::charts {

class ChartWidget;

enum class FigureFormat { Png, Svg, Pdf, Csv };
std::optional<FigureFormat> figureFormatFromName(const QString &name); // "png", "svg", "pdf", "csv" (any case)
std::optional<FigureFormat> figureFormatFromPath(const QString &path); // by the file's suffix
QString figureFormatName(FigureFormat format);                         // "png", …

struct ExportOptions
{
    int dpi = 150;              // PNG only
    QSize size;                 // logical size; the widget's size when empty
    QSizeF inches;              // figure size in inches; when set it wins over `size`
    bool printTheme = false;    // draw in printTheme(fontPointSize), then restore the chart's theme
    qreal fontPointSize = 8.0;  // base font size of the print theme

    QSize logicalSize() const;  // from `inches` (96 px/in) or `size`
    QSize pixelSize() const;    // PNG: round(inches × dpi), or size × dpi / 96
};

struct SizePreset
{
    QString name;   // "single-column", "double-column"
    QString label;  // "Single column (3.5 in)"
    QSizeF inches;
};
QList<SizePreset> sizePresets();                             // single and double column
std::optional<SizePreset> sizePreset(const QString &name);   // by name

bool exportPng(ChartWidget *chart, const QString &path, const ExportOptions &options = {}, QString *error = nullptr);
bool exportSvg(ChartWidget *chart, const QString &path, const ExportOptions &options = {}, QString *error = nullptr);
bool exportPdf(ChartWidget *chart, const QString &path, const ExportOptions &options = {}, QString *error = nullptr);
bool exportCsv(const ChartWidget *chart, const QString &path, QString *error = nullptr);
bool exportFigure(ChartWidget *chart, const QString &path, FigureFormat format, const ExportOptions &options = {},
                  QString *error = nullptr);
// By the file's suffix: .png, .svg, .pdf, .csv.
bool exportChart(ChartWidget *chart, const QString &path, const ExportOptions &options = {}, QString *error = nullptr);
// The SVG document in memory (reports inline it); empty with *error on failure.
QByteArray renderSvg(ChartWidget *chart, const ExportOptions &options = {}, QString *error = nullptr);

} // namespace fb::charts
