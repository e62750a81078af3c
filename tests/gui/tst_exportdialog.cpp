// The app's figure export and report (offscreen): the Export dialog on a
// chart drawn from a run (ReportTestRun.h) in the dark theme, to PNG (pixel
// size for the DPI, white print background), SVG (xmllint, axis title with
// its unit), PDF (pdfinfo, pdftoppm) and CSV; the chart keeps its theme and
// size afterwards; every chart's context menu has Export… which opens the
// dialog; the Runs panel writes the same report as `fbctl report`.
#include "../charts/ReportTestRun.h"

#include "ChartExport.h"
#include "ChartTheme.h"
#include "ChartWidget.h"
#include "FigureCatalog.h"
#include "MainWindow.h"
#include "ReportData.h"
#include "common/Paths.h"
#include "dialogs/ExportFigureDialog.h"
#include "panels/RunsPanel.h"

#include <QAction>
#include <QLabel>
#include <QRegularExpression>
#include <QMenuBar>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

using namespace fb;

namespace {
int runTool(const char *tool, const QStringList &args, QString *out = nullptr)
{
    QProcess p;
    p.start(QStandardPaths::findExecutable(QString::fromLatin1(tool)), args);
    if (!p.waitForFinished(60'000))
        return -1;
    if (out)
        *out = QString::fromUtf8(p.readAllStandardOutput());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}
} // namespace

class TestExportDialog : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    testing::ReportTestRun m_run;
    std::unique_ptr<charts::ChartWidget> m_chart;

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        QDir().mkpath(Paths::stateDir());
        QFile::remove(Paths::runStorePath());
        QString error;
        QVERIFY2(m_run.write(Paths::runStorePath(), Paths::stateDir() + QStringLiteral("/runs/") + m_run.runId, &error), qPrintable(error));
        const auto data = report::loadReportData(Paths::runStorePath(), m_run.runId, &error);
        QVERIFY2(data, qPrintable(error));
        m_chart = report::buildFigure(data->study, report::FigureRequest{report::FigureKind::Sweep, {}, {}, {}, {}}, &error);
        QVERIFY2(m_chart, qPrintable(error));
        m_chart->setTheme(charts::ChartTheme::dark()); // the app's theme must not reach the figure
        m_chart->resize(640, 400);
        m_chart->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_chart.get()));
    }

    void exportsEveryFormat()
    {
        gui::ExportFigureDialog dialog({m_chart.get()}, m_chart.get());
        QCOMPARE(dialog.chart(), m_chart.get());
        QCOMPARE(dialog.options().dpi, 300);                       // default
        QCOMPARE(dialog.options().inches, QSizeF(3.5, 2.625));     // single column by default
        QCOMPARE(dialog.findChild<QLabel *>(QStringLiteral("exportPixels"))->text(), QStringLiteral("1050 × 788 px"));

        // PNG, single column at 300 dpi.
        const QString png = m_tmp.filePath(QStringLiteral("fig.png"));
        dialog.setFormat(charts::FigureFormat::Png);
        dialog.setFilePath(png);
        QString error;
        QVERIFY2(dialog.exportNow(&error), qPrintable(error));
        QImage img(png);
        QCOMPARE(img.size(), QSize(1050, 788));
        QCOMPARE(qRound(img.dotsPerMeterX() * 0.0254), 300);
        QCOMPARE(img.pixelColor(2, 2), QColor(Qt::white)); // print theme, not the dark one
        // The chart on screen is as it was.
        QCOMPARE(m_chart->theme().kind, charts::ChartTheme::Kind::Dark);
        QCOMPARE(m_chart->size(), QSize(640, 400));

        // Custom size at 150 dpi: the file's suffix follows the format.
        dialog.setPreset(QStringLiteral("custom"));
        dialog.setCustomSize(QSizeF(4, 3));
        dialog.setDpi(150);
        QVERIFY2(dialog.exportNow(&error), qPrintable(error));
        QCOMPARE(QImage(png).size(), QSize(600, 450));

        // SVG: parses, vector, axis titles with units.
        dialog.setPreset(QStringLiteral("double-column"));
        dialog.setFormat(charts::FigureFormat::Svg);
        QCOMPARE(dialog.filePath(), m_tmp.filePath(QStringLiteral("fig.svg")));
        QVERIFY2(dialog.exportNow(&error), qPrintable(error));
        QCOMPARE(runTool("xmllint", {QStringLiteral("--noout"), dialog.filePath()}), 0);
        QFile svg(dialog.filePath());
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray s = svg.readAll();
        QVERIFY(s.contains("Throughput (k req/s)"));
        QVERIFY(s.contains(">concurrency<"));
        QVERIFY(!s.contains("<image"));

        // PDF: one 7 × 3.5 in page that poppler reads and renders.
        dialog.setFormat(charts::FigureFormat::Pdf);
        QVERIFY2(dialog.exportNow(&error), qPrintable(error));
        QString info;
        QCOMPARE(runTool("pdfinfo", {dialog.filePath()}, &info), 0);
        QVERIFY2(info.contains(QRegularExpression(QStringLiteral("Page size:\\s+504 x 252 pts"))), qPrintable(info));
        QCOMPARE(runTool("pdftoppm", {QStringLiteral("-r"), QStringLiteral("72"), QStringLiteral("-png"), QStringLiteral("-singlefile"),
                                      dialog.filePath(), m_tmp.filePath(QStringLiteral("pdfpage"))}),
                 0);
        QCOMPARE(QImage(m_tmp.filePath(QStringLiteral("pdfpage.png"))).size(), QSize(504, 252));

        // CSV: the chart's data.
        dialog.setFormat(charts::FigureFormat::Csv);
        QVERIFY2(dialog.exportNow(&error), qPrintable(error));
        QFile csv(dialog.filePath());
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(), 7);

        // A file that cannot be written: the dialog says why.
        dialog.setFilePath(QStringLiteral("/nonexistent-dir/fig.csv"));
        QVERIFY(!dialog.exportNow(&error));
        QVERIFY2(error.contains(QLatin1String("/nonexistent-dir/fig.csv")), qPrintable(error));
    }

    void contextMenuAndFileMenuOpenTheDialog()
    {
        gui::MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // Every chart carries Export… in its context menu.
        QAction *action = m_chart->findChild<QAction *>(QStringLiteral("exportChart"));
        QVERIFY(action);
        QCOMPARE(m_chart->contextMenuPolicy(), Qt::ActionsContextMenu);
        QVERIFY(m_chart->actions().contains(action));
        // … and in its own toolbar: a button in the corner while the pointer is over it.
        auto *button = m_chart->findChild<QToolButton *>(QStringLiteral("exportChartButton"));
        QVERIFY(button);
        QCOMPARE(button->defaultAction(), action);
        QVERIFY(!button->isVisible());
        QEvent enter(QEvent::Enter);
        QApplication::sendEvent(m_chart.get(), &enter);
        QVERIFY(button->isVisible());
        QVERIFY(button->geometry().right() <= m_chart->width() && button->y() < 10);
        QEvent leave(QEvent::Leave);
        QApplication::sendEvent(m_chart.get(), &leave);
        QVERIFY(!button->isVisible());
        bool opened = false;
        QTimer::singleShot(0, this, [&] {
            auto *dialog = qobject_cast<gui::ExportFigureDialog *>(QApplication::activeModalWidget());
            opened = dialog && dialog->chart() == m_chart.get();
            if (dialog)
                dialog->reject();
        });
        action->trigger();
        QVERIFY(opened);
        // File > Export Figure… exists in the main window.
        QAction *fileAction = window.menuBar()->findChild<QAction *>(QStringLiteral("exportFigureAction"));
        QVERIFY(fileAction);
    }

    void runsPanelWritesTheReport()
    {
        gui::RunsPanel panel;
        QString error;
        const QString html = m_tmp.filePath(QStringLiteral("report.html"));
        const QString pdf = m_tmp.filePath(QStringLiteral("report.pdf"));
        QVERIFY2(panel.exportReport(m_run.runId, html, &error), qPrintable(error));
        QVERIFY2(panel.exportReport(m_run.runId, pdf, &error), qPrintable(error));
        QFile f(html);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray h = f.readAll();
        QCOMPARE(int(h.count("<svg")), 4);
        QVERIFY(h.contains("How do redis throughput and p99 latency change"));
        QString info;
        QCOMPARE(runTool("pdfinfo", {pdf}, &info), 0);
        QString text;
        QCOMPARE(runTool("pdftotext", {pdf, QStringLiteral("-")}, &text), 0);
        QVERIFY(text.contains(QLatin1String("t001-r1")));
        QVERIFY(text.contains(QLatin1String("Latency by percentile")));
        QVERIFY(!panel.exportReport(QStringLiteral("no-such-run"), html, &error));
        QVERIFY2(error.contains(QLatin1String("no run no-such-run")), qPrintable(error));
    }
};

QTEST_MAIN(TestExportDialog)
#include "tst_exportdialog.moc"
