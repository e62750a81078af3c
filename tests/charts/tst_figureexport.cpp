// fbctl export and fbctl report on a run in a run store (ReportTestRun.h:
// real fbload results, a 2 × 3 sweep with 2 repetitions, an SLO, a failed
// trial), run as a child process with no display at all (DISPLAY,
// WAYLAND_DISPLAY and QT_QPA_PLATFORM removed). Checked with the standard
// tools a reader would use: the PNG's pixel size for its DPI, xmllint on the
// SVG (and its axis titles with units), pdfinfo and pdftoppm on the PDF,
// chromium --headless rendering the HTML report, pdftotext on the PDF report.
#include "ReportTestRun.h"

#include "common/Paths.h"

#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run
{
    int exitCode = -1;
    QString out, err;
};

Run run(const QString &program, const QStringList &args, bool display = false, int timeoutMs = 60'000)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!display)
        for (const char *v : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
            env.remove(QString::fromLatin1(v));
    p.setProcessEnvironment(env);
    p.start(program, args);
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("timed out: ") + program;
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QString tool(const char *name)
{
    return QStandardPaths::findExecutable(QString::fromLatin1(name));
}

int distinctColours(const QImage &img)
{
    QSet<QRgb> seen;
    for (int y = 0; y < img.height(); y += 3)
        for (int x = 0; x < img.width(); x += 3)
            seen.insert(img.pixel(x, y));
    return int(seen.size());
}

} // namespace

class TestFigureExport : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    fb::testing::ReportTestRun m_run;
    const QString m_fbctl = QStringLiteral(FB_BINARY_DIR "/core/fbctl/fbctl");

    Run fbctl(const QStringList &args) { return run(m_fbctl, args); }

    QString path(const QString &name) const { return m_tmp.filePath(name); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        for (const char *t : {"xmllint", "pdfinfo", "pdftoppm", "pdftotext", "chromium"})
            QVERIFY2(!tool(t).isEmpty(), qPrintable(QStringLiteral("%1 is missing: scripts/setup-debian.sh installs it").arg(QLatin1String(t))));
        QDir().mkpath(fb::Paths::stateDir());
        QFile::remove(fb::Paths::runStorePath());
        QString error;
        QVERIFY2(m_run.write(fb::Paths::runStorePath(), fb::Paths::stateDir() + QStringLiteral("/runs/") + m_run.runId, &error),
                 qPrintable(error));
    }

    void pngHasThePixelSizeOfItsDpi_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QSize>("pixels");
        QTest::addColumn<int>("dpi");
        QTest::newRow("single column, 300 dpi (default)") << QStringList{} << QSize(1050, 788) << 300;
        QTest::newRow("double column, 150 dpi") << QStringList{QStringLiteral("--size"), QStringLiteral("double-column"), QStringLiteral("--dpi"), QStringLiteral("150")}
                                                << QSize(1050, 525) << 150;
        QTest::newRow("custom 5x3 in, 600 dpi") << QStringList{QStringLiteral("--size"), QStringLiteral("5x3"), QStringLiteral("--dpi"), QStringLiteral("600")}
                                                << QSize(3000, 1800) << 600;
    }

    void pngHasThePixelSizeOfItsDpi()
    {
        QFETCH(QStringList, args);
        QFETCH(QSize, pixels);
        QFETCH(int, dpi);
        const QString png = path(QStringLiteral("sweep-%1.png").arg(dpi));
        const Run r = fbctl(QStringList{QStringLiteral("export"), m_run.runId, QStringLiteral("--chart"), QStringLiteral("sweep"),
                                        QStringLiteral("-o"), png} + args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QImage img(png);
        QCOMPARE(img.size(), pixels);
        QCOMPARE(qRound(img.dotsPerMeterX() * 0.0254), dpi);
        QVERIFY2(distinctColours(img) > 20, "the figure is blank");
        // The print theme: a white background whatever the app's theme.
        QCOMPARE(img.pixelColor(2, 2), QColor(Qt::white));
    }

    void svgParsesAndHasAxisTitlesWithUnits_data()
    {
        QTest::addColumn<QString>("chart");
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QStringList>("texts");
        QTest::newRow("sweep") << QStringLiteral("sweep") << QStringList{}
                               << QStringList{QStringLiteral("concurrency"), QStringLiteral("req/s)"), QStringLiteral("pipeline=16")};
        QTest::newRow("sweep p99 over pipeline") << QStringLiteral("sweep")
                                                 << QStringList{QStringLiteral("--metric"), QStringLiteral("latency.p99"), QStringLiteral("--x"),
                                                                QStringLiteral("pipeline"), QStringLiteral("--series"), QStringLiteral("concurrency")}
                                                 << QStringList{QStringLiteral("pipeline"), QStringLiteral("(ms)"), QStringLiteral("concurrency=4")};
        QTest::newRow("throughput-latency") << QStringLiteral("throughput-latency") << QStringList{}
                                            << QStringList{QStringLiteral("req/s)"), QStringLiteral("(ms)")};
        QTest::newRow("latency") << QStringLiteral("latency") << QStringList{QStringLiteral("--trials"), QStringLiteral("t001-r1,t004-r1")}
                                 << QStringList{QStringLiteral("concurrency=1"), QStringLiteral("concurrency=4"), QStringLiteral("latency (ms)"), QStringLiteral("p99")};
        // Legend entries that do not fit one row below the plot are listed at its right, whole.
        QTest::newRow("latency, double column") << QStringLiteral("latency")
                                                << QStringList{QStringLiteral("--trials"), QStringLiteral("t001-r1,t004-r1"), QStringLiteral("--size"),
                                                               QStringLiteral("double-column")}
                                                << QStringList{QStringLiteral(">concurrency=1, pipeline=1<"), QStringLiteral(">concurrency=4, pipeline=1<"),
                                                               QStringLiteral(">p99.99<")};
        QTest::newRow("heatmap") << QStringLiteral("heatmap") << QStringList{QStringLiteral("--trials"), QStringLiteral("t002-r1")}
                                 << QStringList{QStringLiteral("concurrency=1, pipeline=4"), QStringLiteral("(s)"), QStringLiteral("latency (ms)")};
        QTest::newRow("sweep-heatmap") << QStringLiteral("sweep-heatmap") << QStringList{}
                                       << QStringList{QStringLiteral("concurrency"), QStringLiteral("pipeline"), QStringLiteral("req/s)")};
        QTest::newRow("timeseries") << QStringLiteral("timeseries") << QStringList{QStringLiteral("--trials"), QStringLiteral("t001-r1")}
                                    << QStringList{QStringLiteral("Time (s)"), QStringLiteral("req/s)")};
    }

    void svgParsesAndHasAxisTitlesWithUnits()
    {
        QFETCH(QString, chart);
        QFETCH(QStringList, args);
        QFETCH(QStringList, texts);
        const QString svg = path(QStringLiteral("%1-%2.svg").arg(chart).arg(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_')));
        const Run r = fbctl(QStringList{QStringLiteral("export"), m_run.runId, QStringLiteral("--chart"), chart, QStringLiteral("--format"),
                                        QStringLiteral("svg"), QStringLiteral("-o"), svg} + args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const Run lint = run(tool("xmllint"), {QStringLiteral("--noout"), svg});
        QVERIFY2(lint.exitCode == 0, qPrintable(lint.err));
        QFile f(svg);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString s = QString::fromUtf8(f.readAll());
        QVERIFY(!s.contains(QLatin1String("<image"))); // vector, not a bitmap
        QVERIFY2(s.contains(QLatin1String("font-family=\"DejaVu Sans\"")), "the bundled figure font");
        for (const QString &t : texts) {
            const QString want = t.startsWith(QLatin1Char('>')) ? t : t.toHtmlEscaped(); // ">label<": a whole text element
            QVERIFY2(s.contains(want), qPrintable(QStringLiteral("no \"%1\" in %2").arg(t, svg)));
        }
        QVERIFY(!s.contains(QRegularExpression(QStringLiteral(">[-0-9.]+e[-+]?[0-9]+<")))); // no scientific notation in labels
    }

    void pdfPassesPdfinfoAndRenders()
    {
        const QString pdf = path(QStringLiteral("sweep.pdf"));
        const Run r = fbctl({QStringLiteral("export"), m_run.runId, QStringLiteral("--chart"), QStringLiteral("sweep"), QStringLiteral("-o"), pdf});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const Run info = run(tool("pdfinfo"), {pdf});
        QVERIFY2(info.exitCode == 0, qPrintable(info.err));
        QVERIFY2(info.out.contains(QRegularExpression(QStringLiteral("Page size:\\s+252 x 189 pts"))), qPrintable(info.out)); // 3.5 × 2.625 in
        const Run ppm = run(tool("pdftoppm"), {QStringLiteral("-r"), QStringLiteral("96"), QStringLiteral("-png"), QStringLiteral("-singlefile"),
                                               pdf, path(QStringLiteral("sweep-pdf"))});
        QVERIFY2(ppm.exitCode == 0, qPrintable(ppm.err));
        QImage img(path(QStringLiteral("sweep-pdf.png")));
        QCOMPARE(img.size(), QSize(336, 252));
        QVERIFY2(distinctColours(img) > 20, "the PDF page is blank");
        const Run text = run(tool("pdftotext"), {pdf, QStringLiteral("-")});
        QVERIFY2(text.out.contains(QLatin1String("concurrency")), qPrintable(text.out)); // text stays text
    }

    void csvHoldsTheStudyValues()
    {
        const QString csv = path(QStringLiteral("sweep.csv"));
        const Run r = fbctl({QStringLiteral("export"), m_run.runId, QStringLiteral("--chart"), QStringLiteral("sweep"), QStringLiteral("--format"),
                             QStringLiteral("csv"), QStringLiteral("-o"), csv});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1 + 6); // header + 2 series × 3 points
    }

    void refusesWhatItCannotDraw()
    {
        Run r = fbctl({QStringLiteral("export"), m_run.runId, QStringLiteral("--chart"), QStringLiteral("pie"), QStringLiteral("-o"), path(QStringLiteral("x.png"))});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QLatin1String("sweep|throughput-latency|latency|heatmap|sweep-heatmap|timeseries")), qPrintable(r.err));
        r = fbctl({QStringLiteral("export"), m_run.runId, QStringLiteral("--chart"), QStringLiteral("sweep"), QStringLiteral("--metric"),
                   QStringLiteral("latency.p42"), QStringLiteral("-o"), path(QStringLiteral("x.png"))});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains(QLatin1String("no metric \"latency.p42\"")) && r.err.contains(QLatin1String("latency.p99")), qPrintable(r.err));
        r = fbctl({QStringLiteral("export"), m_run.runId, QStringLiteral("--chart"), QStringLiteral("sweep"), QStringLiteral("-o"), path(QStringLiteral("x.bmp"))});
        QCOMPARE(r.exitCode, 2);
        r = fbctl({QStringLiteral("export"), QStringLiteral("no-such-run"), QStringLiteral("--chart"), QStringLiteral("sweep"), QStringLiteral("-o"), path(QStringLiteral("x.png"))});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains(QLatin1String("no run no-such-run")), qPrintable(r.err));
        QVERIFY(!QFile::exists(path(QStringLiteral("x.png"))));
    }

    void reportHtmlRendersInChromiumAndPdfInPoppler()
    {
        const QString html = path(QStringLiteral("report.html")), pdf = path(QStringLiteral("report.pdf"));
        const Run r = fbctl({QStringLiteral("report"), m_run.runId, QStringLiteral("-o"), html, QStringLiteral("--pdf"), pdf});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        // HTML: self-contained (no external resource), every figure inline SVG.
        QFile f(html);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString h = QString::fromUtf8(f.readAll());
        const QStringList titles{QStringLiteral("vs concurrency"), QStringLiteral("vs throughput"), QStringLiteral("Latency by percentile")};
        QCOMPARE(int(h.count(QLatin1String("<svg"))), 4); // throughput and latency sweeps, throughput–latency, latency
        for (const QString &t : titles)
            QVERIFY2(h.contains(t), qPrintable(t));
        QVERIFY(!h.contains(QRegularExpression(QStringLiteral("(src|href)\\s*=\\s*[\"']?(https?:|//)"))));
        QVERIFY(!h.contains(QLatin1String("<script")));
        QVERIFY2(h.contains(QLatin1String("How do redis throughput and p99 latency change")), "the question");
        QVERIFY2(h.contains(QLatin1String("t006-r2 is failed")) || h.contains(QLatin1String("Trial t006-r2 is failed")), "the failed trial's warning");
        QVERIFY2(h.contains(QLatin1String("Job 111 (client:kv, trial t006-r2) ended FAILED")), "the failed job");
        QVERIFY(h.contains(QLatin1String("missed")) && h.contains(QLatin1String("met"))); // SLO verdicts: p99 0.63 ms met, 4.63 ms missed

        // chromium renders it (offline: --no-proxy-server; as root: --no-sandbox).
        const QString shot = path(QStringLiteral("report-html.png"));
        const Run c = run(tool("chromium"), {QStringLiteral("--headless"), QStringLiteral("--no-sandbox"), QStringLiteral("--disable-gpu"),
                                             QStringLiteral("--no-proxy-server"), QStringLiteral("--hide-scrollbars"),
                                             QStringLiteral("--window-size=1000,3000"), QStringLiteral("--screenshot=") + shot,
                                             QUrl::fromLocalFile(html).toString()},
                          false, 120'000);
        QVERIFY2(QFile::exists(shot), qPrintable(c.err));
        QImage page(shot);
        QCOMPARE(page.size(), QSize(1000, 3000));
        QVERIFY2(distinctColours(page) > 50, "chromium drew an empty page");
        // The figures' series colours are on the page (Okabe–Ito blue of the first line).
        int blue = 0;
        for (int y = 0; y < page.height(); y += 2)
            for (int x = 0; x < page.width(); x += 2) {
                const QColor col = page.pixelColor(x, y);
                blue += std::abs(col.red() - 0x00) + std::abs(col.green() - 0x72) + std::abs(col.blue() - 0xB2) < 40;
            }
        QVERIFY2(blue > 100, qPrintable(QString::number(blue)));

        // PDF: pdfinfo, every page rendered, the text found.
        const Run info = run(tool("pdfinfo"), {pdf});
        QVERIFY2(info.exitCode == 0, qPrintable(info.err));
        QVERIFY2(info.out.contains(QLatin1String("595.276 x 841.89 pts")) || info.out.contains(QLatin1String("(A4)")), qPrintable(info.out));
        const int pages = QRegularExpression(QStringLiteral("Pages:\\s+(\\d+)")).match(info.out).captured(1).toInt();
        QVERIFY2(pages >= 2, qPrintable(info.out));
        const Run ppm = run(tool("pdftoppm"), {QStringLiteral("-r"), QStringLiteral("50"), QStringLiteral("-png"), pdf, path(QStringLiteral("report-page"))});
        QVERIFY2(ppm.exitCode == 0, qPrintable(ppm.err));
        for (int i = 1; i <= pages; ++i) {
            const QString pagePng = path(QStringLiteral("report-page-%1.png").arg(i, pages >= 10 ? 2 : 1, 10, QLatin1Char('0')));
            QImage img(pagePng);
            QVERIFY2(!img.isNull(), qPrintable(pagePng));
            QCOMPARE(img.size(), QSize(414, 585)); // A4 (210 × 297 mm) at 50 dpi, as pdftoppm rounds
        }
        const Run text = run(tool("pdftotext"), {QStringLiteral("-layout"), pdf, QStringLiteral("-")});
        QVERIFY2(text.exitCode == 0, qPrintable(text.err));
        for (const QString &t : titles)
            QVERIFY2(text.out.contains(t), qPrintable(QStringLiteral("no \"%1\" in the PDF's text").arg(t)));
        QVERIFY(text.out.contains(QLatin1String("Trials")));
        for (const QString &id : {QStringLiteral("t001-r1"), QStringLiteral("t003-r2"), QStringLiteral("t006-r1")})
            QVERIFY2(text.out.contains(id), qPrintable(id));
        // The trial table's figures with their units: t001-r1 = 1,037 req/s → "1.04 k req/s".
        QVERIFY2(text.out.contains(QLatin1String("1.04 k req/s")), qPrintable(text.out.left(3000)));
        QVERIFY(text.out.contains(QLatin1String("SLO verdicts")));
        QVERIFY(text.out.contains(QLatin1String("report-demo")));
        // docs/screenshots' report pictures come from a real run: tst_report (e2e).
    }
};

QTEST_GUILESS_MAIN(TestFigureExport)
#include "tst_figureexport.moc"
