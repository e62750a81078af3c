#include "ChartExport.h"

#include "ChartWidget.h"

#include <QFileInfo>
#include <QImage>
#include <QLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

namespace fb::charts {

namespace {
constexpr double kLogicalDpi = 96.0;

QSize logicalSize(const ChartWidget *chart, const ExportOptions &o)
{
    return o.size.isValid() && !o.size.isEmpty() ? o.size : chart->size();
}

bool fail(QString *error, const QString &msg)
{
    if (error)
        *error = msg;
    return false;
}

// Charts lay themselves out on resize; exporting at another size than the
// screen's resizes the widget for the duration of the export.
class SizeGuard
{
public:
    SizeGuard(ChartWidget *w, QSize size) : m_w(w), m_old(w->size())
    {
        if (size != m_old) {
            m_w->resize(size);
            m_w->ensurePolished();
            // Let the chart's layout follow the new size before painting.
            if (m_w->layout())
                m_w->layout()->activate();
        }
    }
    ~SizeGuard()
    {
        if (m_w->size() != m_old)
            m_w->resize(m_old);
    }

private:
    ChartWidget *m_w;
    QSize m_old;
};
} // namespace

bool exportPng(ChartWidget *chart, const QString &path, const ExportOptions &options, QString *error)
{
    const QSize size = logicalSize(chart, options);
    if (size.isEmpty())
        return fail(error, QStringLiteral("%1: the chart has no size").arg(path));
    if (options.dpi < 24 || options.dpi > 2400)
        return fail(error, QStringLiteral("%1: DPI %2 is outside 24..2400").arg(path).arg(options.dpi));
    SizeGuard guard(chart, size);
    const double scale = options.dpi / kLogicalDpi;
    QImage image((QSizeF(size) * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.fill(chart->theme().background);
    const int dpm = qRound(options.dpi / 0.0254);
    image.setDotsPerMeterX(dpm);
    image.setDotsPerMeterY(dpm);
    {
        QPainter p(&image);
        p.setRenderHint(QPainter::Antialiasing);
        p.setRenderHint(QPainter::TextAntialiasing);
        p.scale(scale, scale);
        chart->renderFigure(&p, QRectF(QPointF(0, 0), QSizeF(size)));
    }
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || !image.save(&f, "PNG") || !f.commit())
        return fail(error, QStringLiteral("%1: cannot write PNG: %2").arg(path, f.errorString()));
    return true;
}

bool exportSvg(ChartWidget *chart, const QString &path, const ExportOptions &options, QString *error)
{
    const QSize size = logicalSize(chart, options);
    if (size.isEmpty())
        return fail(error, QStringLiteral("%1: the chart has no size").arg(path));
    SizeGuard guard(chart, size);
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(size);
    svg.setViewBox(QRect(QPoint(0, 0), size));
    svg.setResolution(int(kLogicalDpi));
    svg.setTitle(chart->title());
    svg.setDescription(QStringLiteral("FactoryBench chart"));
    QPainter p;
    if (!p.begin(&svg))
        return fail(error, QStringLiteral("%1: cannot write SVG").arg(path));
    chart->renderFigure(&p, QRectF(QPointF(0, 0), QSizeF(size)));
    p.end();
    if (QFileInfo(path).size() == 0)
        return fail(error, QStringLiteral("%1: SVG output is empty").arg(path));
    return true;
}

bool exportPdf(ChartWidget *chart, const QString &path, const ExportOptions &options, QString *error)
{
    const QSize size = logicalSize(chart, options);
    if (size.isEmpty())
        return fail(error, QStringLiteral("%1: the chart has no size").arg(path));
    SizeGuard guard(chart, size);
    QPdfWriter pdf(path);
    pdf.setCreator(QStringLiteral("FactoryBench"));
    pdf.setTitle(chart->title());
    // One page exactly the figure's size: 96 logical px = 72 pt.
    pdf.setPageSize(QPageSize(QSizeF(size) * 72.0 / kLogicalDpi, QPageSize::Point, QString(), QPageSize::ExactMatch));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    pdf.setResolution(int(kLogicalDpi));
    QPainter p;
    if (!p.begin(&pdf))
        return fail(error, QStringLiteral("%1: cannot write PDF").arg(path));
    chart->renderFigure(&p, QRectF(QPointF(0, 0), QSizeF(size)));
    p.end();
    if (QFileInfo(path).size() == 0)
        return fail(error, QStringLiteral("%1: PDF output is empty").arg(path));
    return true;
}

bool exportCsv(const ChartWidget *chart, const QString &path, QString *error)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Text))
        return fail(error, QStringLiteral("%1: %2").arg(path, f.errorString()));
    f.write(chart->toCsv().toUtf8());
    if (!f.commit())
        return fail(error, QStringLiteral("%1: %2").arg(path, f.errorString()));
    return true;
}

bool exportChart(ChartWidget *chart, const QString &path, const ExportOptions &options, QString *error)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        return exportPng(chart, path, options, error);
    if (suffix == QLatin1String("svg"))
        return exportSvg(chart, path, options, error);
    if (suffix == QLatin1String("pdf"))
        return exportPdf(chart, path, options, error);
    if (suffix == QLatin1String("csv"))
        return exportCsv(chart, path, error);
    return fail(error, QStringLiteral("%1: unknown export format \"%2\" (png, svg, pdf, csv)").arg(path, suffix));
}

} // namespace fb::charts
