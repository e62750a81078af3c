#include "ChartExport.h"

#include "ChartWidget.h"
#include "FigureStyle.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QGraphicsLayout>
#include <QtCharts/QChart>
#include <QtCharts/QLegend>
#include <QtCharts/QAbstractSeries>
#include <QFontMetricsF>
#include <QFileInfo>
#include <QImage>
#include <QLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

#include <memory>

namespace fb::charts {

namespace {
constexpr double kLogicalDpi = 96.0;

bool fail(QString *error, const QString &msg)
{
    if (error)
        *error = msg;
    return false;
}

// Charts lay themselves out on resize; exporting at another size than the
// screen's resizes the widget for the duration of the export, and the print
// theme replaces the chart's theme for that time too.
class ExportGuard
{
public:
    ExportGuard(ChartWidget *w, QSize size, const ExportOptions &o) : m_w(w), m_old(w->size()), m_oldTheme(w->theme())
    {
        if (o.printTheme) {
            m_w->setTheme(printTheme(o.fontPointSize));
            m_themed = true;
            // A figure for print has no room to spare: tight outer margins
            // (the screen's 6 px + the layout's 9 px) leave the plot area and
            // its axis titles the height a 3.5 in column figure needs.
            if (QChart *c = m_w->chart()) {
                m_oldMargins = c->margins();
                qreal l, t, r, b;
                c->layout()->getContentsMargins(&l, &t, &r, &b);
                m_oldLayoutMargins = QMarginsF(l, t, r, b);
                c->setMargins(QMargins(2, 2, 2, 2));
                c->layout()->setContentsMargins(0, 0, 0, 0);
                // Qt's legend below the plot is one row and elides what does
                // not fit ("concurren…"): a figure whose entries need more
                // than the row lists them at the right, one per line.
                m_oldLegendAlignment = c->legend()->alignment();
                if (c->legend()->isVisible() && m_oldLegendAlignment == Qt::AlignBottom && legendWidth(c) > 0.9 * size.width())
                    c->legend()->setAlignment(Qt::AlignRight);
            }
        }
        if (size != m_old) {
            m_w->resize(size);
            m_w->ensurePolished();
            // Let the chart's layout follow the new size before painting.
            if (m_w->layout())
                m_w->layout()->activate();
        }
        settleLayout(m_w);
    }
    ~ExportGuard()
    {
        if (m_w->size() != m_old)
            m_w->resize(m_old);
        if (m_themed) {
            m_w->setTheme(m_oldTheme);
            if (QChart *c = m_w->chart()) {
                c->setMargins(m_oldMargins);
                c->legend()->setAlignment(m_oldLegendAlignment);
                c->layout()->setContentsMargins(m_oldLayoutMargins.left(), m_oldLayoutMargins.top(), m_oldLayoutMargins.right(),
                                                m_oldLayoutMargins.bottom());
            }
        }
    }

    // A new theme (fonts) or size invalidates the QChart's layout (legend,
    // axes, plot area), which Qt redoes on a posted LayoutRequest: done now,
    // or the figure shows the plot area shrunk for a legend not yet drawn.
    static void settleLayout(ChartWidget *w)
    {
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        if (QChart *c = w->chart(); c && c->layout()) {
            if (c->legend()->layout())
                c->legend()->layout()->activate(); // the markers first: the chart's layout sizes the legend by them
            c->layout()->activate();
        }
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    }

private:
    ChartWidget *m_w;
    QSize m_old;
    ChartTheme m_oldTheme;
    bool m_themed = false;
    QMargins m_oldMargins;
    Qt::Alignment m_oldLegendAlignment = Qt::AlignBottom;

    // The width the legend's entries need in one row: marker, label, spacing
    // (from the series' names: the markers are laid out lazily).
    static double legendWidth(QChart *c)
    {
        const QFontMetricsF fm(c->legend()->font());
        double w = 0;
        const auto series = c->series();
        for (QAbstractSeries *s : series)
            if (!s->name().isEmpty())
                w += fm.horizontalAdvance(s->name()) + fm.height() * 2.5;
        return w;
    }
    QMarginsF m_oldLayoutMargins;
};

QSize figureSize(const ChartWidget *chart, const ExportOptions &o)
{
    const QSize s = o.logicalSize();
    return s.isValid() && !s.isEmpty() ? s : chart->size();
}

bool renderVector(ChartWidget *chart, QPaintDevice *device, QSize size, QString *error, const QString &what)
{
    QPainter p;
    if (!p.begin(device))
        return fail(error, QStringLiteral("%1: cannot start painting").arg(what));
    chart->renderFigure(&p, QRectF(QPointF(0, 0), QSizeF(size)));
    p.end();
    return true;
}

void setupSvg(QSvgGenerator *svg, const ChartWidget *chart, QSize size)
{
    svg->setSize(size);
    svg->setViewBox(QRect(QPoint(0, 0), size));
    svg->setResolution(int(kLogicalDpi));
    svg->setTitle(chart->title());
    svg->setDescription(QStringLiteral("FactoryBench chart"));
}
} // namespace

std::optional<FigureFormat> figureFormatFromName(const QString &name)
{
    const QString n = name.toLower();
    for (FigureFormat f : {FigureFormat::Png, FigureFormat::Svg, FigureFormat::Pdf, FigureFormat::Csv})
        if (figureFormatName(f) == n)
            return f;
    return std::nullopt;
}

std::optional<FigureFormat> figureFormatFromPath(const QString &path)
{
    return figureFormatFromName(QFileInfo(path).suffix());
}

QString figureFormatName(FigureFormat format)
{
    switch (format) {
    case FigureFormat::Png: return QStringLiteral("png");
    case FigureFormat::Svg: return QStringLiteral("svg");
    case FigureFormat::Pdf: return QStringLiteral("pdf");
    case FigureFormat::Csv: return QStringLiteral("csv");
    }
    return {};
}

QSize ExportOptions::logicalSize() const
{
    if (inches.isValid() && !inches.isEmpty())
        return (inches * kLogicalDpi).toSize();
    return size;
}

QSize ExportOptions::pixelSize() const
{
    if (inches.isValid() && !inches.isEmpty())
        return QSize(qRound(inches.width() * dpi), qRound(inches.height() * dpi));
    return (QSizeF(size) * (dpi / kLogicalDpi)).toSize();
}

QList<SizePreset> sizePresets()
{
    // Heights at the golden-ish 4:3 (one column) and 2:1 (two columns) that
    // journal templates (IEEE, ACM) leave room for.
    return {{QStringLiteral("single-column"), QStringLiteral("Single column (3.5 in)"), QSizeF(3.5, 2.625)},
            {QStringLiteral("double-column"), QStringLiteral("Double column (7 in)"), QSizeF(7.0, 3.5)}};
}

std::optional<SizePreset> sizePreset(const QString &name)
{
    for (const SizePreset &p : sizePresets())
        if (p.name == name)
            return p;
    return std::nullopt;
}

bool exportPng(ChartWidget *chart, const QString &path, const ExportOptions &options, QString *error)
{
    if (options.dpi < 24 || options.dpi > 2400)
        return fail(error, QStringLiteral("%1: DPI %2 is outside 24..2400").arg(path).arg(options.dpi));
    const QSize size = figureSize(chart, options);
    if (size.isEmpty())
        return fail(error, QStringLiteral("%1: the chart has no size").arg(path));
    ExportOptions o = options;
    if (!o.logicalSize().isValid() || o.logicalSize().isEmpty())
        o.size = size;
    const QSize pixels = o.pixelSize();
    if (qint64(pixels.width()) * pixels.height() > 400'000'000LL)
        return fail(error, QStringLiteral("%1: %2 × %3 px is too large").arg(path).arg(pixels.width()).arg(pixels.height()));
    ExportGuard guard(chart, size, options);
    QImage image(pixels, QImage::Format_ARGB32_Premultiplied);
    image.fill(chart->theme().background);
    {
        // The image keeps the screen's 96 DPI while painting (fonts resolve
        // their point sizes against the device: the chart was laid out at 96);
        // the painter scales up, and the file records the chosen DPI.
        QPainter p(&image);
        p.setRenderHint(QPainter::Antialiasing);
        p.setRenderHint(QPainter::TextAntialiasing);
        p.scale(double(pixels.width()) / size.width(), double(pixels.height()) / size.height());
        chart->renderFigure(&p, QRectF(QPointF(0, 0), QSizeF(size)));
    }
    const int dpm = qRound(options.dpi / 0.0254);
    image.setDotsPerMeterX(dpm);
    image.setDotsPerMeterY(dpm);
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || !image.save(&f, "PNG") || !f.commit())
        return fail(error, QStringLiteral("%1: cannot write PNG: %2").arg(path, f.errorString()));
    return true;
}

QByteArray renderSvg(ChartWidget *chart, const ExportOptions &options, QString *error)
{
    const QSize size = figureSize(chart, options);
    if (size.isEmpty()) {
        fail(error, QStringLiteral("the chart has no size"));
        return {};
    }
    ExportGuard guard(chart, size, options);
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator svg;
    svg.setOutputDevice(&buffer);
    setupSvg(&svg, chart, size);
    if (!renderVector(chart, &svg, size, error, QStringLiteral("SVG")))
        return {};
    return buffer.data();
}

bool exportSvg(ChartWidget *chart, const QString &path, const ExportOptions &options, QString *error)
{
    QString why;
    const QByteArray svg = renderSvg(chart, options, &why);
    if (svg.isEmpty())
        return fail(error, QStringLiteral("%1: %2").arg(path, why.isEmpty() ? QStringLiteral("SVG output is empty") : why));
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(svg) != svg.size() || !f.commit())
        return fail(error, QStringLiteral("%1: cannot write SVG: %2").arg(path, f.errorString()));
    return true;
}

bool exportPdf(ChartWidget *chart, const QString &path, const ExportOptions &options, QString *error)
{
    const QSize size = figureSize(chart, options);
    if (size.isEmpty())
        return fail(error, QStringLiteral("%1: the chart has no size").arg(path));
    ExportGuard guard(chart, size, options);
    // QPdfWriter writes straight to its file; a failed export must not leave
    // a truncated one behind, so it writes a temporary file and renames.
    const QString tmp = path + QStringLiteral(".part");
    {
        QPdfWriter pdf(tmp);
        pdf.setCreator(QStringLiteral("FactoryBench"));
        pdf.setTitle(chart->title());
        // One page exactly the figure's size: 96 logical px = 72 pt.
        const bool inches = options.inches.isValid() && !options.inches.isEmpty();
        pdf.setPageSize(inches ? QPageSize(options.inches, QPageSize::Inch, QString(), QPageSize::ExactMatch)
                               : QPageSize(QSizeF(size) * 72.0 / kLogicalDpi, QPageSize::Point, QString(), QPageSize::ExactMatch));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setResolution(int(kLogicalDpi));
        if (!renderVector(chart, &pdf, size, error, path)) {
            QFile::remove(tmp);
            return false;
        }
    }
    if (QFileInfo(tmp).size() == 0) {
        QFile::remove(tmp);
        return fail(error, QStringLiteral("%1: PDF output is empty").arg(path));
    }
    QFile::remove(path);
    if (!QFile::rename(tmp, path)) {
        QFile::remove(tmp);
        return fail(error, QStringLiteral("%1: cannot write PDF").arg(path));
    }
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

bool exportFigure(ChartWidget *chart, const QString &path, FigureFormat format, const ExportOptions &options, QString *error)
{
    switch (format) {
    case FigureFormat::Png: return exportPng(chart, path, options, error);
    case FigureFormat::Svg: return exportSvg(chart, path, options, error);
    case FigureFormat::Pdf: return exportPdf(chart, path, options, error);
    case FigureFormat::Csv: return exportCsv(chart, path, error);
    }
    return fail(error, QStringLiteral("%1: unknown export format").arg(path));
}

bool exportChart(ChartWidget *chart, const QString &path, const ExportOptions &options, QString *error)
{
    const auto format = figureFormatFromPath(path);
    if (!format)
        return fail(error, QStringLiteral("%1: unknown export format \"%2\" (png, svg, pdf, csv)").arg(path, QFileInfo(path).suffix().toLower()));
    return exportFigure(chart, path, *format, options, error);
}

} // namespace fb::charts
