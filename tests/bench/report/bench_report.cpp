// bench_report: how long a 64-trial study (8 concurrency × 8 pipeline values,
// real fbload results from tests/metrics/data) takes to load from the run
// store, draw as sweep + latency + heatmap figures and export each as PDF —
// and the whole report (HTML with inline SVG, A4 PDF). Prints the times; the
// only assertions are that the files were written (a bench, not a timed test).
#include "../../charts/ReportTestRun.h"

#include "ChartExport.h"
#include "ChartWidget.h"
#include "FigureCatalog.h"
#include "ReportData.h"
#include "RunReport.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

using namespace fb;

class BenchReport : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    testing::ReportTestRun m_run;
    QString m_store;

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        m_run.concurrency = {1, 2, 4, 8, 16, 32, 64, 128};
        m_run.pipeline = {1, 2, 4, 8, 16, 32, 64, 128};
        m_run.repetitions = 1;
        m_run.withFailure = false;
        QCOMPARE(m_run.trialCount(), 64);
        m_store = m_tmp.filePath(QStringLiteral("runs.sqlite"));
        QString error;
        QVERIFY2(m_run.write(m_store, m_tmp.filePath(QStringLiteral("runs")), &error), qPrintable(error));
    }

    void studyToPdfFigures()
    {
        QElapsedTimer total;
        total.start();
        QString error;
        QElapsedTimer step;
        step.start();
        const auto data = report::loadReportData(m_store, m_run.runId, &error);
        QVERIFY2(data, qPrintable(error));
        QCOMPARE(data->study.trials().size(), 64);
        const qint64 loadMs = step.elapsed();
        charts::ExportOptions opts;
        opts.inches = charts::sizePresets().first().inches;
        opts.printTheme = true;
        QStringList lines;
        for (report::FigureKind kind : {report::FigureKind::Sweep, report::FigureKind::Latency, report::FigureKind::Heatmap}) {
            step.restart();
            auto chart = report::buildFigure(data->study, report::FigureRequest{kind, {}, {}, {}, {}}, &error);
            QVERIFY2(chart, qPrintable(error));
            QVERIFY2(report::prepareForPainting(chart.get(), opts.logicalSize(), &error), qPrintable(error));
            const qint64 drawMs = step.restart();
            const QString pdf = m_tmp.filePath(report::figureKindName(kind) + QStringLiteral(".pdf"));
            QVERIFY2(charts::exportPdf(chart.get(), pdf, opts, &error), qPrintable(error));
            QVERIFY(QFileInfo(pdf).size() > 1000);
            lines << QStringLiteral("  %1: draw %2 ms, PDF %3 ms").arg(report::figureKindName(kind)).arg(drawMs).arg(step.elapsed());
        }
        const qint64 figuresMs = total.elapsed();
        qInfo().noquote() << QStringLiteral("64-trial study: load %1 ms").arg(loadMs);
        for (const QString &l : std::as_const(lines))
            qInfo().noquote() << l;
        qInfo().noquote() << QStringLiteral("64-trial study, sweep + latency + heatmap drawn and exported as PDF: %1 ms (issue 18 asks < 1000 ms)")
                                 .arg(figuresMs);

        step.restart();
        auto again = report::loadReportData(m_store, m_run.runId, &error);
        QVERIFY2(again, qPrintable(error));
        report::RunReport r(std::move(*again));
        const qint64 buildMs = step.restart();
        QVERIFY2(r.writeHtml(m_tmp.filePath(QStringLiteral("report.html")), &error), qPrintable(error));
        const qint64 htmlMs = step.restart();
        QVERIFY2(r.writePdf(m_tmp.filePath(QStringLiteral("report.pdf")), &error), qPrintable(error));
        const qint64 pdfMs = step.elapsed();
        qInfo().noquote() << QStringLiteral("64-trial report: load + %1 figures %2 ms, HTML %3 ms, PDF %4 ms")
                                 .arg(r.figureTitles().size())
                                 .arg(buildMs)
                                 .arg(htmlMs)
                                 .arg(pdfMs);
    }
};

QTEST_MAIN(BenchReport)
#include "bench_report.moc"
