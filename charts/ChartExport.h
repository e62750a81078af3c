// ChartExport: figures for reports — a chart to PNG at a chosen DPI, to SVG or
// PDF as vector graphics, and the data behind it to CSV. The figure keeps the
// widget's on-screen size in logical pixels (96 per inch); PNG multiplies it
// by dpi / 96 so a 600 px-wide chart at 300 DPI is 1875 px wide and prints
// 6.25 in wide. Runs in the GUI thread (painting widgets must).
#pragma once

#include <QSize>
#include <QString>

namespace fb::charts {

class ChartWidget;

struct ExportOptions
{
    int dpi = 150;     // PNG only
    QSize size;        // logical size; the widget's size when empty
};

bool exportPng(ChartWidget *chart, const QString &path, const ExportOptions &options = {}, QString *error = nullptr);
bool exportSvg(ChartWidget *chart, const QString &path, const ExportOptions &options = {}, QString *error = nullptr);
bool exportPdf(ChartWidget *chart, const QString &path, const ExportOptions &options = {}, QString *error = nullptr);
bool exportCsv(const ChartWidget *chart, const QString &path, QString *error = nullptr);
// By the file's suffix: .png, .svg, .pdf, .csv.
bool exportChart(ChartWidget *chart, const QString &path, const ExportOptions &options = {}, QString *error = nullptr);

} // namespace fb::charts
