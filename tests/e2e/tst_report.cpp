// The figure-export and report acceptance test (issue 18, items 3 and 4) on a
// real run: a 2 × 3 redis sweep with 2 repetitions (tests/e2e/data/
// study-redis.yaml) run by fbctl on the mini-cluster, then, with no display
// (DISPLAY, WAYLAND_DISPLAY and QT_QPA_PLATFORM removed):
//  - fbctl export: the sweep's CSV holds the mean of the two repetitions read
//    here from the result files; PNG at 300 dpi is 1050 × 788 px; SVG passes
//    xmllint with the axis titles and units; PDF passes pdfinfo and pdftoppm;
//  - fbctl report: the HTML renders in headless chromium with its 4 figures
//    (inline SVG, nothing fetched); the PDF's pages render with pdftoppm and
//    pdftotext finds the 12 trials and the figure titles.
// FB_UPDATE_SCREENSHOTS=1 saves the exported figure and the report's first
// screen in docs/screenshots.
#include "../cluster/ClusterTestSupport.h"

#include "common/Paths.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <cmath>

namespace {

fbtest::ProcessRun headless(const QString &program, const QStringList &args, int timeoutMs = 120000)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *v : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        env.remove(QString::fromLatin1(v));
    p.setProcessEnvironment(env);
    p.start(program, args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

QString tool(const char *name)
{
    return QStandardPaths::findExecutable(QString::fromLatin1(name));
}

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
}

} // namespace

class TestReport : public QObject
{
    Q_OBJECT
    QString m_fbctl = QStringLiteral(FB_BINARY_DIR "/core/fbctl/fbctl");
    QString m_profileFile;
    QString m_runId;
    QTemporaryDir m_tmp;
    QMap<QString, QList<double>> m_throughputs; // "concurrency/pipeline" -> the repetitions' req/s

private slots:
    void initTestCase()
    {
        const QString dir = qEnvironmentVariable("FB_CLUSTER_DIR");
        QVERIFY2(!dir.isEmpty(), "FB_CLUSTER_DIR is not set: run through ctest (minicluster fixture)");
        m_profileFile = dir + QStringLiteral("/profile.json");
        for (const char *t : {"xmllint", "pdfinfo", "pdftoppm", "pdftotext", "chromium"})
            QVERIFY2(!tool(t).isEmpty(), t);
        QVERIFY(m_tmp.isValid());
        const fbtest::ProcessRun r = fbtest::runProgram(
            m_fbctl,
            {QStringLiteral("run"), QStringLiteral(FB_TEST_SOURCE_DIR "/data/study-redis.yaml"), QStringLiteral("--profile-file"), m_profileFile,
             QStringLiteral("--parallel"), QStringLiteral("3")},
            900000);
        QVERIFY2(r.exitCode == 0, r.all().constData());
        static const QRegularExpression runRe(QStringLiteral("run (\\d{8}-\\d{6}-[A-Za-z0-9_.-]+-[0-9a-f]{4})"));
        m_runId = runRe.match(r.out).captured(1);
        QVERIFY2(!m_runId.isEmpty(), qPrintable(r.out));
        const QString runDir = fb::Paths::stateDir() + QStringLiteral("/runs/") + m_runId;
        for (QDirIterator it(runDir, {QStringLiteral("result-*.json")}, QDir::Files, QDirIterator::Subdirectories); it.hasNext();) {
            const QString path = it.next();
            const QJsonObject params = readJson(QFileInfo(path).absolutePath() + QStringLiteral("/../parameters.json"));
            const double tput = readJson(path)["summary"].toObject()["throughput"].toObject()["requests_per_s"].toDouble(NAN);
            m_throughputs[params["clients[0].load.concurrency"].toString() + QLatin1Char('/') + params["clients[0].params.pipeline"].toString()] << tput;
        }
        QCOMPARE(m_throughputs.size(), 6);
    }

    void exportsTheSweepInEveryFormat()
    {
        const QStringList sweep{QStringLiteral("export"), m_runId, QStringLiteral("--chart"), QStringLiteral("sweep"), QStringLiteral("--x"),
                                QStringLiteral("pipeline"), QStringLiteral("--series"), QStringLiteral("concurrency")};
        // CSV: one row per point, the mean of the files' two repetitions (in the axis's scale).
        const QString csv = m_tmp.filePath(QStringLiteral("sweep.csv"));
        fbtest::ProcessRun r = headless(m_fbctl, sweep + QStringList{QStringLiteral("-o"), csv});
        QVERIFY2(r.exitCode == 0, r.all().constData());
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 7);
        const QString header = lines[0];
        const double scale = header.contains(QLatin1String("(M req/s)")) ? 1e6 : header.contains(QLatin1String("(k req/s)")) ? 1e3 : 1;
        for (int i = 1; i < lines.size(); ++i) {
            const QStringList c = lines[i].split(QLatin1Char(','));
            const QString key = c[0].section(QLatin1Char('='), 1) + QLatin1Char('/') + c[1]; // "concurrency=4", x
            QVERIFY2(m_throughputs.contains(key), qPrintable(lines[i]));
            const QList<double> reps = m_throughputs[key];
            QCOMPARE(reps.size(), 2);
            const double mean = (reps[0] + reps[1]) / 2;
            QVERIFY2(std::abs(c[2].toDouble() * scale - mean) <= 1e-9 * mean, qPrintable(lines[i] + QStringLiteral(" vs ") + QString::number(mean)));
            QCOMPARE(c[5], QStringLiteral("2"));
        }
        // PNG: 3.5 × 2.625 in at 300 dpi.
        const QString png = m_tmp.filePath(QStringLiteral("sweep.png"));
        r = headless(m_fbctl, sweep + QStringList{QStringLiteral("-o"), png});
        QVERIFY2(r.exitCode == 0, r.all().constData());
        QCOMPARE(QImage(png).size(), QSize(1050, 788));
        // SVG with the axis titles and their units.
        const QString svg = m_tmp.filePath(QStringLiteral("sweep.svg"));
        r = headless(m_fbctl, sweep + QStringList{QStringLiteral("-o"), svg});
        QVERIFY2(r.exitCode == 0, r.all().constData());
        QCOMPARE(fbtest::runProgram(tool("xmllint"), {QStringLiteral("--noout"), svg}, 60000).exitCode, 0);
        QFile s(svg);
        QVERIFY(s.open(QIODevice::ReadOnly));
        const QByteArray text = s.readAll();
        QVERIFY(text.contains(">pipeline<"));
        QVERIFY(text.contains("req/s)"));
        // PDF: pdfinfo and pdftoppm.
        const QString pdf = m_tmp.filePath(QStringLiteral("sweep.pdf"));
        r = headless(m_fbctl, sweep + QStringList{QStringLiteral("-o"), pdf});
        QVERIFY2(r.exitCode == 0, r.all().constData());
        QCOMPARE(fbtest::runProgram(tool("pdfinfo"), {pdf}, 60000).exitCode, 0);
        QCOMPARE(fbtest::runProgram(tool("pdftoppm"), {QStringLiteral("-png"), QStringLiteral("-r"), QStringLiteral("72"), QStringLiteral("-singlefile"), pdf,
                                                       m_tmp.filePath(QStringLiteral("sweep-pdf"))}, 60000).exitCode,
                 0);
        QCOMPARE(QImage(m_tmp.filePath(QStringLiteral("sweep-pdf.png"))).size(), QSize(252, 189));
        // The other figures of a real run draw too.
        for (const char *kind : {"throughput-latency", "latency", "heatmap", "timeseries"}) {
            const QString out = m_tmp.filePath(QString::fromLatin1(kind) + QStringLiteral(".svg"));
            r = headless(m_fbctl, {QStringLiteral("export"), m_runId, QStringLiteral("--chart"), QString::fromLatin1(kind), QStringLiteral("-o"), out});
            QVERIFY2(r.exitCode == 0, r.all().constData());
            QCOMPARE(fbtest::runProgram(tool("xmllint"), {QStringLiteral("--noout"), out}, 60000).exitCode, 0);
        }
        if (qEnvironmentVariableIntValue("FB_UPDATE_SCREENSHOTS")) {
            const QString shot = QStringLiteral(FB_SOURCE_DIR "/docs/screenshots/figure-sweep.png");
            QFile::remove(shot);
            r = headless(m_fbctl, sweep + QStringList{QStringLiteral("--size"), QStringLiteral("double-column"), QStringLiteral("--dpi"),
                                                      QStringLiteral("150"), QStringLiteral("-o"), shot});
            QVERIFY2(r.exitCode == 0, r.all().constData());
        }
    }

    void reportRendersInChromiumAndPoppler()
    {
        const QString html = m_tmp.filePath(QStringLiteral("report.html")), pdf = m_tmp.filePath(QStringLiteral("report.pdf"));
        const fbtest::ProcessRun r = headless(m_fbctl, {QStringLiteral("report"), m_runId, QStringLiteral("-o"), html, QStringLiteral("--pdf"), pdf});
        QVERIFY2(r.exitCode == 0, r.all().constData());
        QFile f(html);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString h = QString::fromUtf8(f.readAll());
        QCOMPARE(int(h.count(QLatin1String("<svg"))), 4);
        QVERIFY(h.contains(QLatin1String("None: every trial completed and every job succeeded.")));

        const QString shot = m_tmp.filePath(QStringLiteral("report.png"));
        const fbtest::ProcessRun c = fbtest::runProgram(
            tool("chromium"),
            {QStringLiteral("--headless"), QStringLiteral("--no-sandbox"), QStringLiteral("--disable-gpu"), QStringLiteral("--no-proxy-server"),
             QStringLiteral("--hide-scrollbars"), QStringLiteral("--window-size=1000,3200"), QStringLiteral("--screenshot=") + shot,
             QUrl::fromLocalFile(html).toString()},
            120000);
        QVERIFY2(QFile::exists(shot), c.all().constData());
        const QImage page(shot);
        QCOMPARE(page.size(), QSize(1000, 3200));
        int blue = 0; // the first series' colour (Okabe–Ito blue): the figures were drawn
        for (int y = 0; y < page.height(); y += 2)
            for (int x = 0; x < page.width(); x += 2) {
                const QColor col = page.pixelColor(x, y);
                blue += std::abs(col.red() - 0x00) + std::abs(col.green() - 0x72) + std::abs(col.blue() - 0xB2) < 40;
            }
        QVERIFY2(blue > 100, qPrintable(QString::number(blue)));

        QString info = fbtest::runProgram(tool("pdfinfo"), {pdf}, 60000).out;
        const int pages = QRegularExpression(QStringLiteral("Pages:\\s+(\\d+)")).match(info).captured(1).toInt();
        QVERIFY2(pages >= 2, qPrintable(info));
        QCOMPARE(fbtest::runProgram(tool("pdftoppm"), {QStringLiteral("-png"), QStringLiteral("-r"), QStringLiteral("50"), pdf,
                                                       m_tmp.filePath(QStringLiteral("page"))}, 60000).exitCode,
                 0);
        for (int i = 1; i <= pages; ++i)
            QCOMPARE(QImage(m_tmp.filePath(QStringLiteral("page-%1.png").arg(i, pages >= 10 ? 2 : 1, 10, QLatin1Char('0')))).size(), QSize(414, 585));
        const QString text = fbtest::runProgram(tool("pdftotext"), {QStringLiteral("-layout"), pdf, QStringLiteral("-")}, 60000).out;
        for (int t = 1; t <= 6; ++t)
            for (int rep = 1; rep <= 2; ++rep)
                QVERIFY2(text.contains(QStringLiteral("t%1-r%2").arg(t, 3, 10, QLatin1Char('0')).arg(rep)), qPrintable(text.left(2000)));
        for (const char *title : {"Throughput vs concurrency", "vs throughput", "Latency by percentile", "Trials", "Manifest"})
            QVERIFY2(text.contains(QLatin1String(title)), title);

        if (qEnvironmentVariableIntValue("FB_UPDATE_SCREENSHOTS")) {
            const QString dir = QStringLiteral(FB_SOURCE_DIR "/docs/screenshots/");
            QFile::remove(dir + QStringLiteral("report-html.png"));
            QVERIFY(page.copy(0, 0, 1000, 1500).save(dir + QStringLiteral("report-html.png")));
            QFile::remove(dir + QStringLiteral("report-pdf-page1.png"));
            fbtest::runProgram(tool("pdftoppm"), {QStringLiteral("-png"), QStringLiteral("-r"), QStringLiteral("80"), QStringLiteral("-singlefile"), pdf,
                                                  dir + QStringLiteral("report-pdf-page1")}, 60000);
        }
    }
};

QTEST_GUILESS_MAIN(TestReport)
#include "tst_report.moc"
