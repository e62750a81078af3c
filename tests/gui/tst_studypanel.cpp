// The Study panel offscreen on a study built here (2 × 3 sweep, 2
// repetitions, one non-numeric third parameter value set): combo boxes filled
// from the run, the trial table (12 rows, units in cells, numeric sorting),
// the sweep chart (series, error bars, axis titles with units, log axes) and
// the CSV export. The same panel on a real run: tests/e2e/tst_study.cpp.
#include "SweepChart.h"
#include "ThroughputLatencyChart.h"
#include "panels/StudyCharts.h"
#include "panels/RunsPanel.h"
#include "panels/StudyPanel.h"
#include "common/Paths.h"
#include "session/RunStore.h"

#include <QAbstractItemModel>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QIcon>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QtCharts/QAbstractAxis>
#include <QtCharts/QChart>
#include <QtCharts/QLogValueAxis>

#include <cmath>

using fb::metrics::Study;
using fb::metrics::StudyTrial;

namespace {

double throughputOf(int c, int p, int r) { return 10000.0 * c * p + 250.5 * r; }
double p99Of(int c, int p, int r) { return 0.08 * c + 0.02 * p + 0.004 * r; } // ms

StudyTrial makeTrial(int combination, int r, int c, int p)
{
    StudyTrial t;
    t.id = QStringLiteral("t%1-r%2").arg(combination, 3, 10, QLatin1Char('0')).arg(r);
    t.index = combination * 1000 + r;
    t.state = QStringLiteral("completed");
    t.parameters = {{QStringLiteral("clients[0].load.concurrency"), QString::number(c)},
                    {QStringLiteral("clients[0].params.pipeline"), QString::number(p)}};
    const QJsonObject latency{{QStringLiteral("unit"), QStringLiteral("ms")}, {QStringLiteral("count"), 100},
                              {QStringLiteral("p50"), p99Of(c, p, r) / 4},   {QStringLiteral("p99"), p99Of(c, p, r)}};
    const QJsonObject doc{
        {QStringLiteral("schema"), QStringLiteral("factorybench.result")},
        {QStringLiteral("schema_version"), 1},
        {QStringLiteral("run"), QJsonObject{{QStringLiteral("workload"), QStringLiteral("redis")}}},
        {QStringLiteral("summary"),
         QJsonObject{{QStringLiteral("requests"), QJsonObject{{QStringLiteral("sent"), 1000}, {QStringLiteral("errors"), 0}}},
                     {QStringLiteral("throughput"), QJsonObject{{QStringLiteral("requests_per_s"), throughputOf(c, p, r)}}},
                     {QStringLiteral("metrics"), QJsonObject{{QStringLiteral("latency"), latency}}}}}};
    QString error;
    t.result = fb::metrics::ResultDocument::fromJson(QJsonDocument(doc).toJson(), t.id, &error);
    if (!t.result)
        qFatal("%s", qPrintable(error));
    return t;
}

Study makeStudy()
{
    QList<StudyTrial> trials;
    int combination = 0;
    for (int c : {1, 4})
        for (int p : {1, 4, 16}) {
            ++combination;
            for (int r : {2, 1}) // out of order: the study sorts by index
                trials << makeTrial(combination, r, c, p);
        }
    return Study(QStringLiteral("20261203-040000-study-gui-abcd"), QStringLiteral("study-gui"), trials);
}

} // namespace

class TestStudyPanel : public QObject
{
    Q_OBJECT

private slots:
    void showsTheStudy()
    {
        fb::gui::StudyPanel panel;
        panel.resize(1400, 900);
        panel.show();
        QSignalSpy shown(&panel, &fb::gui::StudyPanel::studyShown);
        panel.setStudy(makeStudy());
        QCOMPARE(shown.size(), 1);
        QCOMPARE(shown.first().first().toInt(), 12);

        // Combo boxes from the run: every metric, both parameters, "(none)" for the series.
        QCOMPARE(panel.metricBox()->count(), int(panel.study().metrics().size()));
        QVERIFY(panel.metricBox()->findData(QStringLiteral("latency.p99")) >= 0);
        QCOMPARE(panel.xBox()->count(), 2);
        QCOMPARE(panel.seriesBox()->count(), 3);
        // Defaults: the main figure against the parameter with most values, the other as series.
        QCOMPARE(panel.currentMetric(), QStringLiteral("throughput.requests_per_s"));
        QCOMPARE(panel.currentX(), QStringLiteral("clients[0].params.pipeline"));
        QCOMPARE(panel.currentSeries(), QStringLiteral("clients[0].load.concurrency"));
        QVERIFY(panel.findChild<QCheckBox *>(QStringLiteral("studyLogX"))->isChecked()); // 1 … 16

        // The table: 12 rows; cells with units; sorting by a figure is numeric.
        QAbstractItemModel *model = panel.trialTable()->model();
        QCOMPARE(model->rowCount(), 12);
        QCOMPARE(model->columnCount(), 2 + 2 + int(panel.study().mainMetrics().size()));
        QCOMPARE(model->headerData(2, Qt::Horizontal).toString(), QStringLiteral("concurrency"));
        const int tputCol = 4, p99Col = 6;
        QCOMPARE(model->headerData(tputCol, Qt::Horizontal).toString(), QStringLiteral("throughput"));
        QCOMPARE(model->index(0, 0).data().toString(), QStringLiteral("t001-r1"));
        QCOMPARE(model->index(0, tputCol).data().toString(), fb::units::format(throughputOf(1, 1, 1), fb::units::Unit::PerSecond));
        QVERIFY2(model->index(0, p99Col).data().toString().endsWith(QStringLiteral("µs")), qPrintable(model->index(0, p99Col).data().toString()));
        panel.trialTable()->sortByColumn(tputCol, Qt::DescendingOrder);
        QCOMPARE(model->index(0, 0).data().toString(), QStringLiteral("t006-r2")); // 160 k req/s before 40 k (not text order)
        QCOMPARE(model->index(11, 0).data().toString(), QStringLiteral("t001-r1"));

        // The sweep chart: 2 series of 3 points, t-interval bars, a title with units.
        fb::charts::SweepChart *chart = panel.sweepChart();
        QCOMPARE(chart->lineCount(), 2);
        QCOMPARE(chart->lineName(1), QStringLiteral("concurrency=4"));
        const auto points = chart->line(1);
        QCOMPARE(points.size(), 3);
        const double k = 1.0 / chart->yScale().factor;
        const double a = throughputOf(4, 16, 1), b = throughputOf(4, 16, 2);
        QVERIFY(std::abs(points[2].y - (a + b) / 2 * k) < 1e-9 * points[2].y);
        QVERIFY(std::abs((points[2].high - points[2].y) - 12.706204736174707 * std::abs(a - b) / 2 * k) < 1e-9 * points[2].y);
        QCOMPARE(chart->chart()->axes(Qt::Vertical).first()->titleText(), QStringLiteral("Throughput (k req/s)"));
        QVERIFY(qobject_cast<QLogValueAxis *>(chart->chart()->axes(Qt::Horizontal).first()));

        // Another metric and axes; unknown names are refused.
        QSignalSpy redrawn(&panel, &fb::gui::StudyPanel::sweepChanged);
        QVERIFY(panel.setSweep(QStringLiteral("latency.p99"), QStringLiteral("concurrency"), QStringLiteral("pipeline")));
        QCOMPARE(redrawn.size(), 1);
        QCOMPARE(chart->lineCount(), 3);
        QCOMPARE(chart->line(0).size(), 2);
        QCOMPARE(chart->chart()->axes(Qt::Vertical).first()->titleText(), QStringLiteral("Latency p99 (µs)"));
        QVERIFY(!panel.setSweep(QStringLiteral("nope"), QStringLiteral("concurrency"), {}));
        QVERIFY(!panel.setSweep(QStringLiteral("latency.p99"), QStringLiteral("nope"), {}));
        QVERIFY(panel.setSweep(QStringLiteral("latency.p99"), QStringLiteral("concurrency"), {}));
        QCOMPARE(chart->lineCount(), 3); // pipeline still splits the lines: never mixed into one point
        panel.findChild<QCheckBox *>(QStringLiteral("studyLogY"))->setChecked(true);
        QVERIFY(qobject_cast<QLogValueAxis *>(chart->chart()->axes(Qt::Vertical).first()));

        // The other study charts, as tabs: the throughput–latency curve from the
        // summaries (one curve per pipeline, concurrency being the load);
        // without histograms or per-second rows no distribution or heatmap.
        auto *tabs = panel.findChild<QTabWidget *>(QStringLiteral("studyCharts"));
        QCOMPARE(tabs->count(), 4);
        fb::gui::StudyCharts *more = panel.studyCharts();
        QCOMPARE(more->throughputLatency()->curves().size(), 3);
        QCOMPARE(more->throughputLatency()->curves().first().points.size(), 2); // repetitions averaged
        QVERIFY(more->distributionTrials().isEmpty());
        QVERIFY(more->heatmapTrial().isEmpty());

        // CSV: the values as given, in the files' units.
        QTemporaryDir dir;
        QString error;
        QVERIFY2(panel.exportCsv(dir.filePath(QStringLiteral("t.csv")), &error), qPrintable(error));
        QFile f(dir.filePath(QStringLiteral("t.csv")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 13);
        QVERIFY2(lines[0].startsWith(QStringLiteral("trial,state,concurrency,pipeline,throughput.requests_per_s (req/s),")), qPrintable(lines[0]));
        QCOMPARE(lines[1].split(QLatin1Char(','))[4].toDouble(), throughputOf(1, 1, 1));
        QVERIFY(!panel.exportCsv(dir.filePath(QStringLiteral("missing/dir/t.csv")), &error));
        QVERIFY2(error.contains(QStringLiteral("missing/dir/t.csv")), qPrintable(error));
    }

    // A trial whose fbload flagged itself generator_limited (run.generator):
    // its state cell says so with a warning icon and the reason, and the notes
    // above the table list it; the others stay plain.
    void marksGeneratorLimitedTrials()
    {
        StudyTrial limited = makeTrial(1, 1, 1, 1);
        limited.result->run.insert(QStringLiteral("generator"),
                                   QJsonObject{{QStringLiteral("generator_limited"), true},
                                               {QStringLiteral("reason"), QStringLiteral("worker thread 0 was 96.0 % busy")}});
        const StudyTrial plain = makeTrial(2, 1, 4, 1);
        fb::gui::StudyPanel panel;
        panel.resize(1200, 800);
        panel.show();
        panel.setStudy(Study(QStringLiteral("20261203-050000-limited-abcd"), QStringLiteral("limited"), {limited, plain}));
        QAbstractItemModel *model = panel.trialTable()->model();
        QCOMPARE(model->rowCount(), 2);
        const QModelIndex flagged = model->index(0, 1), ok = model->index(1, 1);
        QCOMPARE(model->index(0, 0).data().toString(), QStringLiteral("t001-r1"));
        QCOMPARE(flagged.data().toString(), QStringLiteral("completed · GENERATOR LIMITED"));
        QVERIFY(!flagged.data(Qt::DecorationRole).value<QIcon>().isNull());
        QVERIFY(flagged.data(Qt::ToolTipRole).toString().contains(QStringLiteral("worker thread 0 was 96.0 % busy")));
        QCOMPARE(ok.data().toString(), QStringLiteral("completed"));
        QVERIFY(ok.data(Qt::DecorationRole).value<QIcon>().isNull());
        bool noted = false;
        for (QLabel *l : panel.findChildren<QLabel *>())
            noted = noted || l->text().contains(QStringLiteral("t001-r1: GENERATOR LIMITED: worker thread 0 was 96.0 % busy"));
        QVERIFY(noted);
    }

    // The Runs panel's Study button asks for the selected run; the panel reads
    // it from the run store; a reload keeps the table's sort order and selection.
    void opensFromTheRunsPanelAndReloads()
    {
        const QString runId = QStringLiteral("20261203-041500-study-store-1234");
        {
            fb::session::RunStore store;
            QString error;
            QVERIFY2(store.open(fb::Paths::runStorePath(), &error), qPrintable(error));
            fb::session::RunRecord run;
            run.id = runId;
            run.name = QStringLiteral("study-store");
            run.createdAt = QDateTime::currentDateTimeUtc();
            QVERIFY2(store.saveRun(run, &error), qPrintable(error));
            for (int i = 1; i <= 3; ++i) {
                fb::session::TrialRecord t;
                t.runId = runId;
                t.trialId = QStringLiteral("t00%1").arg(i);
                t.index = i * 1000 + 1;
                t.params.insert(QStringLiteral("clients[0].load.concurrency"), QString::number(i * 2));
                QVERIFY2(store.saveTrial(t, &error), qPrintable(error));
            }
        }
        fb::gui::RunsPanel runs;
        QSignalSpy reloaded(&runs, &fb::gui::RunsPanel::reloaded);
        runs.reload();
        QVERIFY(reloaded.wait(10000));
        QSignalSpy requested(&runs, &fb::gui::RunsPanel::studyRequested);
        auto *button = runs.findChild<QPushButton *>(QStringLiteral("studyRun"));
        QVERIFY(button);
        QVERIFY(!button->isEnabled()); // nothing selected
        QVERIFY(runs.selectRuns({runId}));
        QVERIFY(button->isEnabled());
        QTest::mouseClick(button, Qt::LeftButton);
        QCOMPARE(requested.size(), 1);
        QCOMPARE(requested.first().first().toString(), runId);

        fb::gui::StudyPanel panel;
        QSignalSpy shown(&panel, &fb::gui::StudyPanel::studyShown);
        panel.showRun(runId);
        QVERIFY(shown.wait(10000));
        QCOMPARE(shown.first().first().toInt(), 3);
        QCOMPARE(panel.study().resultCount(), 0); // trials are listed before their results
        QTableView *table = panel.trialTable();
        table->sortByColumn(0, Qt::DescendingOrder);
        QCOMPARE(table->model()->index(0, 0).data().toString(), QStringLiteral("t003"));
        table->selectRow(1);
        QCOMPARE(panel.selectedTrials(), QStringList{QStringLiteral("t002")});
        shown.clear();
        panel.reload();
        QVERIFY(shown.wait(10000));
        QCOMPARE(table->model()->index(0, 0).data().toString(), QStringLiteral("t003"));
        QCOMPARE(panel.selectedTrials(), QStringList{QStringLiteral("t002")});
    }

    void reportsAMissingRun()
    {
        fb::gui::StudyPanel panel;
        QSignalSpy shown(&panel, &fb::gui::StudyPanel::studyShown);
        panel.showRun(QStringLiteral("no-such-run"));
        QVERIFY(shown.wait(10000));
        QCOMPARE(shown.first().first().toInt(), 0);
        QVERIFY(panel.findChild<QLabel *>(QStringLiteral("studyMessage"))->text().contains(QStringLiteral("no-such-run")));
    }
};

QTEST_MAIN(TestStudyPanel)
#include "tst_studypanel.moc"
