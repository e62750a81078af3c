// fbctl export | report — a run's figures and report, drawn offscreen (no
// display needed): the commands register a QApplication on Qt's offscreen
// platform (AppFactory.h) instead of fbctl's QCoreApplication.
//
//   fbctl export RUN --chart KIND [--metric M] [--x P] [--series P] [--trials ID,…]
//                [--format png|svg|pdf|csv] -o FILE [--size single-column|double-column|WxH] [--dpi N] [--font-size PT]
//   fbctl report RUN [-o report.html] [--pdf report.pdf]
//
// The chart kinds are report/FigureCatalog's; figures use the print theme
// and the bundled font whatever the desktop's settings.
#include "AppFactory.h"
#include "Command.h"

#include "ChartExport.h"
#include "ChartWidget.h"
#include "FigureCatalog.h"
#include "ReportData.h"
#include "RunReport.h"

#include "common/Paths.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QCommandLineParser>
#include <QRegularExpression>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

namespace fb::cli {
namespace {

using namespace fb::report;

// The offscreen platform's notes that are about windows nobody sees; every
// other message goes to the default handler.
QtMessageHandler g_defaultHandler = nullptr;
void quietOffscreen(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type == QtWarningMsg && message.contains(QLatin1String("does not support propagateSizeHints")))
        return;
    g_defaultHandler(type, context, message);
}

std::unique_ptr<QCoreApplication> offscreenApp(int &argc, char **argv)
{
    // Always offscreen: the same output with or without a display, over SSH and in CI.
    qputenv("QT_QPA_PLATFORM", "offscreen");
#ifdef Q_OS_UNIX
    // Without a session (ssh, cron, CI) XDG_RUNTIME_DIR is unset and Qt says
    // so on every run; give it the private folder it would pick itself.
    if (qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR")) {
        const QString dir = QDir::tempPath() + QStringLiteral("/runtime-") + QString::number(::getuid());
        if (QDir().mkpath(dir) && QFile::setPermissions(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner))
            qputenv("XDG_RUNTIME_DIR", QFile::encodeName(dir));
    }
#endif
    g_defaultHandler = qInstallMessageHandler(quietOffscreen);
    return std::make_unique<QApplication>(argc, argv);
}

const AppFactoryRegistrar exportApp(QStringLiteral("export"), offscreenApp);
const AppFactoryRegistrar reportApp(QStringLiteral("report"), offscreenApp);

QString kindNames()
{
    QStringList n;
    for (const FigureKindInfo &k : figureKinds())
        n << k.name;
    return n.join(QLatin1Char('|'));
}

// --size: a preset name or WIDTHxHEIGHT in inches ("5x3", "3.5x2.2").
bool parseSize(const QString &text, QSizeF *inches)
{
    if (const auto preset = charts::sizePreset(text)) {
        *inches = preset->inches;
        return true;
    }
    static const QRegularExpression re(QStringLiteral(R"(^(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)$)"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return false;
    *inches = QSizeF(m.captured(1).toDouble(), m.captured(2).toDouble());
    return inches->width() >= 0.5 && inches->height() >= 0.5 && inches->width() <= 40 && inches->height() <= 40;
}

int exportCommand(const QStringList &args)
{
    const QString syntax = QStringLiteral("fbctl export RUN --chart %1 [--metric M] [--x P] [--series P] [--trials ID,…] "
                                          "[--format png|svg|pdf|csv] -o FILE [--size single-column|double-column|WxH] [--dpi N]")
                               .arg(kindNames());
    QString kinds;
    for (const FigureKindInfo &k : figureKinds())
        kinds += QStringLiteral("\n  %1: %2").arg(k.name.leftJustified(19), k.summary);
    const QCommandLineOption chart(QStringLiteral("chart"), QStringLiteral("The figure:%1").arg(kinds), QStringLiteral("kind"));
    const QCommandLineOption metric(QStringLiteral("metric"), QStringLiteral("Metric (\"latency.p99\", \"throughput.requests_per_s\"; timeseries: a per-second column)."), QStringLiteral("metric"));
    const QCommandLineOption x(QStringLiteral("x"), QStringLiteral("Swept parameter on the x axis (path or short name)."), QStringLiteral("parameter"));
    const QCommandLineOption series(QStringLiteral("series"), QStringLiteral("Swept parameter: one line (heatmap: row) per value."), QStringLiteral("parameter"));
    const QCommandLineOption trials(QStringLiteral("trials"), QStringLiteral("Trial ids, comma-separated (latency, timeseries)."), QStringLiteral("ids"));
    const QCommandLineOption format(QStringLiteral("format"), QStringLiteral("png, svg, pdf or csv (default: from the file name)."), QStringLiteral("format"));
    const QCommandLineOption output({QStringLiteral("o"), QStringLiteral("output")}, QStringLiteral("The file to write."), QStringLiteral("file"));
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("single-column (3.5 × 2.625 in, default), double-column (7 × 3.5 in) or WxH in inches."), QStringLiteral("size"));
    const QCommandLineOption dpi(QStringLiteral("dpi"), QStringLiteral("PNG resolution (default 300)."), QStringLiteral("dpi"));
    const QCommandLineOption fontSize(QStringLiteral("font-size"), QStringLiteral("Base font size in points (default 8)."), QStringLiteral("pt"));
    QCommandLineParser p;
    p.setApplicationDescription(syntax);
    p.addOptions({chart, metric, x, series, trials, format, output, size, dpi, fontSize});
    p.addHelpOption();
    if (!p.parse(QStringList{QStringLiteral("fbctl export")} + args) || p.isSet(QStringLiteral("help"))
        || p.positionalArguments().size() != 1 || !p.isSet(chart) || !p.isSet(output)) {
        if (p.isSet(QStringLiteral("help")))
            return out() << p.helpText(), Ok;
        err() << (p.errorText().isEmpty() ? QString() : QStringLiteral("fbctl export: ") + p.errorText() + QLatin1Char('\n'))
              << "usage: " << syntax << '\n';
        return Usage;
    }
    const auto kind = figureKindFromName(p.value(chart));
    if (!kind) {
        err() << "fbctl export: --chart: unknown figure \"" << p.value(chart) << "\" (" << kindNames() << ")\n";
        return Usage;
    }
    const QString file = p.value(output);
    const auto fmt = p.isSet(format) ? charts::figureFormatFromName(p.value(format)) : charts::figureFormatFromPath(file);
    if (!fmt) {
        err() << "fbctl export: " << (p.isSet(format) ? QStringLiteral("--format \"%1\"").arg(p.value(format)) : file)
              << ": unknown format (png, svg, pdf, csv)\n";
        return Usage;
    }
    charts::ExportOptions opts;
    opts.dpi = 300;
    opts.printTheme = true;
    opts.inches = charts::sizePresets().first().inches;
    if (p.isSet(size) && !parseSize(p.value(size), &opts.inches)) {
        err() << "fbctl export: --size: expected single-column, double-column or WxH in inches (0.5 to 40), got \"" << p.value(size) << "\"\n";
        return Usage;
    }
    if (p.isSet(dpi)) {
        bool ok = false;
        opts.dpi = p.value(dpi).toInt(&ok);
        if (!ok || opts.dpi < 24 || opts.dpi > 2400) {
            err() << "fbctl export: --dpi: expected a whole number from 24 to 2400, got \"" << p.value(dpi) << "\"\n";
            return Usage;
        }
    }
    if (p.isSet(fontSize)) {
        bool ok = false;
        opts.fontPointSize = p.value(fontSize).toDouble(&ok);
        if (!ok || opts.fontPointSize < 4 || opts.fontPointSize > 36) {
            err() << "fbctl export: --font-size: expected points from 4 to 36, got \"" << p.value(fontSize) << "\"\n";
            return Usage;
        }
    }
    QString error;
    const QString runId = p.positionalArguments().first();
    const auto data = loadReportData(Paths::runStorePath(), runId, &error);
    if (!data) {
        err() << "fbctl: " << error << '\n';
        return InvalidInput;
    }
    FigureRequest request;
    request.kind = *kind;
    request.metric = p.value(metric);
    request.x = p.value(x);
    request.series = p.value(series);
    request.trials = p.value(trials).split(QLatin1Char(','), Qt::SkipEmptyParts);
    const auto figure = buildFigure(data->study, request, &error);
    if (!figure) {
        err() << "fbctl export: " << error << '\n';
        return InvalidInput;
    }
    if (!prepareForPainting(figure.get(), opts.logicalSize(), &error) || !charts::exportFigure(figure.get(), file, *fmt, opts, &error)) {
        err() << "fbctl export: " << error << '\n';
        return Failed;
    }
    out() << file << '\n';
    return Ok;
}

int reportCommand(const QStringList &args)
{
    const QString syntax = QStringLiteral("fbctl report RUN [-o report.html] [--pdf report.pdf]");
    const QCommandLineOption output({QStringLiteral("o"), QStringLiteral("output")},
                                    QStringLiteral("The HTML report (self-contained; default RUN.html unless only --pdf is given)."),
                                    QStringLiteral("file"));
    const QCommandLineOption pdf(QStringLiteral("pdf"), QStringLiteral("Also (or only) write the report as an A4 PDF."), QStringLiteral("file"));
    QCommandLineParser p;
    p.setApplicationDescription(syntax);
    p.addOptions({output, pdf});
    p.addHelpOption();
    if (!p.parse(QStringList{QStringLiteral("fbctl report")} + args) || p.isSet(QStringLiteral("help"))
        || p.positionalArguments().size() != 1) {
        if (p.isSet(QStringLiteral("help")))
            return out() << p.helpText(), Ok;
        err() << (p.errorText().isEmpty() ? QString() : QStringLiteral("fbctl report: ") + p.errorText() + QLatin1Char('\n'))
              << "usage: " << syntax << '\n';
        return Usage;
    }
    const QString runId = p.positionalArguments().first();
    QString html = p.value(output);
    if (html.isEmpty() && !p.isSet(pdf))
        html = runId + QStringLiteral(".html");
    QString error;
    auto data = loadReportData(Paths::runStorePath(), runId, &error);
    if (!data) {
        err() << "fbctl: " << error << '\n';
        return InvalidInput;
    }
    RunReport report(std::move(*data));
    for (const QString &problem : report.figureProblems())
        err() << "fbctl report: " << problem << '\n';
    if (!html.isEmpty()) {
        if (!report.writeHtml(html, &error)) {
            err() << "fbctl report: " << error << '\n';
            return Failed;
        }
        out() << html << '\n';
    }
    if (p.isSet(pdf)) {
        if (!report.writePdf(p.value(pdf), &error)) {
            err() << "fbctl report: " << error << '\n';
            return Failed;
        }
        out() << p.value(pdf) << '\n';
    }
    return Ok;
}

} // namespace

FB_FBCTL_COMMAND(QStringLiteral("export"), QStringLiteral("draw a figure of a run (PNG, SVG, PDF) or write its data (CSV)"), exportCommand);
FB_FBCTL_COMMAND(QStringLiteral("report"), QStringLiteral("write a run's report: self-contained HTML and/or PDF"), reportCommand);

} // namespace fb::cli
