#include "RunReport.h"

#include "ChartExport.h"
#include "ChartWidget.h"
#include "FigureStyle.h"

#include "common/AppInfo.h"
#include "common/Units.h"

#include <QAbstractTextDocumentLayout>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QTextDocument>

#include <cmath>

namespace fb::report {

using charts::ExportOptions;

namespace {
constexpr double kLogicalDpi = 96.0;
const QSizeF kFigureInches(7.0, 3.5); // the double-column preset: fits A4 and US Letter with 15 mm margins
constexpr qreal kFigurePointSize = 9.0;

QString esc(const QString &s) { return s.toHtmlEscaped(); }

QString cell(const QString &s, bool header = false)
{
    return header ? QStringLiteral("<th>%1</th>").arg(esc(s)) : QStringLiteral("<td>%1</td>").arg(esc(s));
}

QString row(const QStringList &cells, bool header = false)
{
    QString r = QStringLiteral("<tr>");
    for (const QString &c : cells)
        r += cell(c, header);
    return r + QStringLiteral("</tr>");
}

QString table(const QStringList &header, const QList<QStringList> &rows)
{
    QString t = QStringLiteral("<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\">") + row(header, true);
    for (const QStringList &r : rows)
        t += row(r);
    return t + QStringLiteral("</table>");
}

// The value as FactoryBench shows every number: scaled unit, 3 significant digits.
QString formatted(const metrics::Study &study, const QString &metric, double stored)
{
    const auto *m = study.metric(metric);
    if (!m || !std::isfinite(stored))
        return QStringLiteral("–");
    return units::format(stored * m->unit.toBase, m->unit.unit);
}

// QSvgGenerator writes a standalone document; inline SVG in HTML starts at <svg.
QString inlineSvg(const QByteArray &svg)
{
    QString s = QString::fromUtf8(svg);
    const qsizetype start = s.indexOf(QLatin1String("<svg"));
    return start < 0 ? QString() : s.mid(start);
}

const char *kCss = R"(
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; font-size: 10pt; color: #202428;
       max-width: 760px; margin: 24px auto; padding: 0 12px; }
h1 { font-size: 18pt; margin-bottom: 4px; } h2 { font-size: 13pt; margin-top: 22px; border-bottom: 1px solid #ccc; }
h3 { font-size: 11pt; margin-bottom: 4px; }
table { border-collapse: collapse; font-size: 9pt; } th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: left; }
th { background: #f0f2f4; } pre { font-size: 8pt; background: #f6f8fa; padding: 8px; white-space: pre-wrap; }
figure { margin: 8px 0 16px 0; } figure svg { width: 100%; height: auto; } figcaption { color: #555; font-size: 9pt; }
.warn { color: #a03000; } .ok { color: #006030; } .muted { color: #666; }
)";
} // namespace

RunReport::RunReport(ReportData data) : m_data(std::move(data))
{
    buildFigures();
}

RunReport::~RunReport() = default;

void RunReport::buildFigures()
{
    const metrics::Study &study = m_data.study;
    QList<QPair<QString, FigureRequest>> wanted;
    FigureRequest tputSweep{FigureKind::Sweep, {}, {}, {}, {}};
    FigureRequest latSweep{FigureKind::Sweep, {}, {}, {}, {}};
    FigureRequest tl{FigureKind::ThroughputLatency, {}, {}, {}, {}};
    FigureRequest lat{FigureKind::Latency, {}, {}, {}, {}};
    QString why;
    // The latency sweep plots the latency the throughput–latency curve uses.
    FigureRequest probe = tl;
    if (resolveRequest(study, &probe, &why))
        latSweep.metric = probe.metric;
    if (!study.parameters().isEmpty()) {
        wanted.append({QStringLiteral("Throughput sweep"), tputSweep});
        if (!latSweep.metric.isEmpty())
            wanted.append({QStringLiteral("Latency sweep"), latSweep});
    } else {
        m_problems << QStringLiteral("No sweep figures: the recipe sweeps no parameter.");
    }
    wanted.append({QStringLiteral("Throughput–latency"), tl});
    wanted.append({QStringLiteral("Latency distribution"), lat});
    const ExportOptions opts{.dpi = 96, .size = {}, .inches = kFigureInches, .printTheme = true, .fontPointSize = kFigurePointSize};
    for (auto &[label, request] : wanted) {
        QString error;
        auto chart = buildFigure(study, request, &error);
        if (!chart) {
            m_problems << QStringLiteral("%1: %2").arg(label, error);
            continue;
        }
        if (!prepareForPainting(chart.get(), opts.logicalSize(), &error)) {
            m_problems << QStringLiteral("%1: %2").arg(label, error);
            continue;
        }
        chart->setTheme(charts::printTheme(kFigurePointSize));
        const QString title = chart->title();
        m_figures.push_back({title, request, std::move(chart)});
    }
}

QStringList RunReport::figureTitles() const
{
    QStringList t;
    for (const Figure &f : m_figures)
        t << f.title;
    return t;
}

QString RunReport::caption(int index) const
{
    const Figure &f = m_figures[size_t(index)];
    QString what;
    for (const FigureKindInfo &k : figureKinds())
        if (k.kind == f.request.kind)
            what = k.summary;
    return QStringLiteral("Figure %1. %2: %3.").arg(index + 1).arg(f.title, what);
}

QStringList RunReport::figureProblems() const
{
    return m_problems;
}

QString RunReport::headerHtml() const
{
    const auto &r = m_data.run;
    QString h = QStringLiteral("<h1>%1</h1>").arg(esc(r.name));
    const QString d = m_data.description();
    h += QStringLiteral("<p><b>Question:</b> %1</p>").arg(d.isEmpty() ? QStringLiteral("(the recipe has no description)") : esc(d));
    h += QStringLiteral("<p class=\"muted\">Run %1 · %2 · started %3%4 · %5 of %6 trials with results</p>")
             .arg(esc(r.id), esc(stateText(r.state)), esc(r.createdAt.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"))),
                  r.finishedAt.isValid() ? QStringLiteral(", finished ") + esc(r.finishedAt.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'")))
                                         : QString())
             .arg(m_data.study.resultCount())
             .arg(m_data.study.trials().size());
    return h;
}

QString RunReport::trialTableHtml() const
{
    const metrics::Study &study = m_data.study;
    QStringList header{QStringLiteral("Trial"), QStringLiteral("State")};
    for (const auto &p : study.parameters())
        header << p.name;
    const QStringList metrics = study.mainMetrics();
    for (const QString &m : metrics)
        header << study.metric(m)->displayName();
    QList<QStringList> rows;
    for (const auto &t : study.trials()) {
        const bool limited = t.result && !t.result->generatorLimitedReason().isEmpty();
        QStringList r{t.id, stateText(t.state) + (limited ? QStringLiteral(" · GENERATOR LIMITED") : QString())};
        for (const auto &p : study.parameters())
            r << t.parameter(p.path);
        for (const QString &m : metrics)
            r << formatted(study, m, t.value(m));
        rows << r;
    }
    return QStringLiteral("<h2>Trials</h2>") + table(header, rows)
         + QStringLiteral("<p class=\"muted\">Values as in the result files, shown with scaled units; "
                          "repetitions (same swept values) are separate rows. GENERATOR LIMITED: fbload could not "
                          "keep up with its own schedule (see Errors and warnings).</p>");
}

QString RunReport::sloHtml() const
{
    QString h = QStringLiteral("<h2>SLO verdicts</h2>");
    const QList<SloVerdict> verdicts = m_data.sloVerdicts();
    if (verdicts.isEmpty())
        return h + QStringLiteral("<p>No SLO set: the recipe's clients define no <code>slo</code> (ttft, tpot, e2el).</p>");
    QList<QStringList> rows;
    for (const SloVerdict &v : verdicts) {
        for (const SloCheck &c : v.checks)
            rows << QStringList{v.trialId, c.metric,
                                units::format(c.targetMs * 1e-3, units::Unit::Seconds),
                                std::isfinite(c.p99Ms) ? units::format(c.p99Ms * 1e-3, units::Unit::Seconds) : QStringLiteral("–"),
                                c.met ? QStringLiteral("met") : QStringLiteral("missed"),
                                std::isfinite(v.goodShare) ? units::format(v.goodShare, units::Unit::Ratio) : QStringLiteral("–")};
    }
    return h + table({QStringLiteral("Trial"), QStringLiteral("SLO"), QStringLiteral("Target"), QStringLiteral("p99"),
                      QStringLiteral("Verdict"), QStringLiteral("Good requests")},
                     rows)
         + QStringLiteral("<p class=\"muted\">An SLO is met when the trial's p99 is within the target; good requests "
                          "met every SLO set (fbload's goodput).</p>");
}

QString RunReport::warningsHtml() const
{
    QString h = QStringLiteral("<h2>Errors and warnings</h2>");
    QStringList w = m_data.warnings();
    w << m_problems;
    if (w.isEmpty())
        return h + QStringLiteral("<p class=\"ok\">None: every trial completed and every job succeeded.</p>");
    h += QStringLiteral("<ul>");
    for (const QString &s : std::as_const(w))
        h += QStringLiteral("<li class=\"warn\">%1</li>").arg(esc(s));
    return h + QStringLiteral("</ul>");
}

QString RunReport::manifestHtml() const
{
    const auto &r = m_data.run;
    QString h = QStringLiteral("<h2>Manifest</h2>");
    const QString nodes = m_data.nodes().join(QStringLiteral(", "));
    h += table({QStringLiteral("Item"), QStringLiteral("Value")},
               {{QStringLiteral("FactoryBench"), m_data.appVersion().isEmpty() ? QStringLiteral("–") : m_data.appVersion()},
                {QStringLiteral("fbload"), m_data.fbloadVersion().isEmpty() ? QStringLiteral("–") : m_data.fbloadVersion()},
                {QStringLiteral("Cluster"), r.manifest.value(QStringLiteral("cluster")).toString()},
                {QStringLiteral("Profile"), r.profile},
                {QStringLiteral("Remote folder"), r.remoteDir},
                {QStringLiteral("Nodes"), nodes.isEmpty() ? QStringLiteral("–") : nodes},
                {QStringLiteral("Report written by"), versionLine(QStringLiteral("FactoryBench"))}});
    QList<QStringList> jobs;
    for (const auto &j : m_data.jobs)
        jobs << QStringList{j.trialId, j.component, j.jobId, stateText(j.state), QString::number(j.exitCode), j.nodes};
    h += QStringLiteral("<h3>Jobs</h3>");
    h += jobs.isEmpty() ? QStringLiteral("<p>No Slurm jobs recorded.</p>")
                        : table({QStringLiteral("Trial"), QStringLiteral("Component"), QStringLiteral("Job"), QStringLiteral("State"),
                                 QStringLiteral("Exit"), QStringLiteral("Nodes")},
                                jobs);
    h += QStringLiteral("<h3>Recipe</h3><pre>%1</pre>").arg(esc(r.recipeText));
    return h;
}

QList<RunReport::Block> RunReport::blocks() const
{
    QList<Block> b;
    b << Block{headerHtml() + trialTableHtml(), -1};
    b << Block{QStringLiteral("<h2>Figures</h2>"), -1};
    for (int i = 0; i < int(m_figures.size()); ++i)
        b << Block{{}, i};
    b << Block{sloHtml(), -1} << Block{warningsHtml(), -1} << Block{manifestHtml(), -1};
    return b;
}

QString RunReport::html()
{
    QString body;
    const ExportOptions opts{.dpi = 96, .size = {}, .inches = kFigureInches, .printTheme = true, .fontPointSize = kFigurePointSize};
    for (const Block &b : blocks()) {
        if (b.figure < 0) {
            body += b.html;
            continue;
        }
        Figure &f = m_figures[size_t(b.figure)];
        QString error;
        const QString svg = inlineSvg(charts::renderSvg(f.chart.get(), opts, &error));
        body += QStringLiteral("<figure>%1<figcaption>%2</figcaption></figure>")
                    .arg(svg.isEmpty() ? QStringLiteral("<p class=\"warn\">%1</p>").arg(esc(error)) : svg, esc(caption(b.figure)));
    }
    return QStringLiteral("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                          "<meta name=\"generator\" content=\"FactoryBench\"><title>%1 — %2</title><style>%3</style></head>"
                          "<body>%4</body></html>\n")
        .arg(esc(m_data.run.name), esc(m_data.run.id), QString::fromLatin1(kCss), body);
}

bool RunReport::writeHtml(const QString &path, QString *error)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(html().toUtf8()) < 0 || !f.commit()) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

bool RunReport::writePdf(const QString &path, QString *error)
{
    const QString tmp = path + QStringLiteral(".part");
    {
        QPdfWriter pdf(tmp);
        pdf.setCreator(QStringLiteral("FactoryBench"));
        pdf.setTitle(QStringLiteral("%1 — %2").arg(m_data.run.name, m_data.run.id));
        pdf.setPageSize(QPageSize(QPageSize::A4));
        pdf.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
        pdf.setResolution(int(kLogicalDpi)); // painter units = logical pixels, as the charts lay out
        QPainter p;
        if (!p.begin(&pdf)) {
            if (error)
                *error = QStringLiteral("%1: cannot write PDF").arg(path);
            return false;
        }
        const QRectF page = pdf.pageLayout().paintRectPixels(pdf.resolution());
        const double width = page.width(), height = page.height();
        QFont font(charts::figureFontFamily());
        font.setPointSizeF(9);
        double y = 0;
        auto newPage = [&] {
            pdf.newPage();
            y = 0;
        };
        const QSize figSize = (kFigureInches * kLogicalDpi).toSize();
        for (const Block &b : blocks()) {
            if (b.figure >= 0) {
                Figure &f = m_figures[size_t(b.figure)];
                QTextDocument captionDoc;
                captionDoc.setDefaultFont(font);
                captionDoc.documentLayout()->setPaintDevice(&pdf);
                captionDoc.setTextWidth(width);
                captionDoc.setHtml(QStringLiteral("<p style=\"color:#555555\">%1</p>").arg(esc(caption(b.figure))));
                const double need = captionDoc.size().height() + figSize.height() + 12;
                if (y > 0 && y + need > height)
                    newPage();
                // Drawn at its own size (laid out by prepareForPainting), in the print theme.
                p.save();
                p.translate((width - figSize.width()) / 2, y);
                f.chart->renderFigure(&p, QRectF(QPointF(0, 0), QSizeF(figSize)));
                p.restore();
                y += figSize.height();
                p.save();
                p.translate(0, y);
                captionDoc.drawContents(&p);
                p.restore();
                y += captionDoc.size().height() + 12;
                continue;
            }
            QTextDocument doc;
            doc.setDefaultFont(font);
            doc.documentLayout()->setPaintDevice(&pdf);
            doc.setDefaultStyleSheet(QStringLiteral("th { background-color: #f0f2f4; } .warn { color: #a03000; } .ok { color: #006030; } "
                                                    ".muted { color: #666666; } pre { font-size: 7pt; }"));
            doc.setHtml(b.html);
            doc.setTextWidth(width);
            double h = doc.size().height();
            if (y > 0 && y + h > height && h <= height)
                newPage();
            if (y + h <= height) {
                p.save();
                p.translate(0, y);
                doc.drawContents(&p);
                p.restore();
                y += h;
                continue;
            }
            // Longer than a page (a big trial table, the recipe): let the
            // document paginate itself (lines are not cut between pages).
            if (y > 0)
                newPage();
            doc.setPageSize(QSizeF(width, height));
            const int pages = doc.pageCount();
            for (int i = 0; i < pages; ++i) {
                if (i > 0)
                    newPage();
                p.save();
                p.translate(0, -i * height);
                doc.drawContents(&p, QRectF(0, i * height, width, height));
                p.restore();
            }
            // The last page's used height is not known exactly: the next block starts a page.
            y = height;
        }
        p.end();
    }
    if (QFileInfo(tmp).size() == 0) {
        QFile::remove(tmp);
        if (error)
            *error = QStringLiteral("%1: PDF output is empty").arg(path);
        return false;
    }
    QFile::remove(path);
    if (!QFile::rename(tmp, path)) {
        QFile::remove(tmp);
        if (error)
            *error = QStringLiteral("%1: cannot write PDF").arg(path);
        return false;
    }
    return true;
}

} // namespace fb::report
