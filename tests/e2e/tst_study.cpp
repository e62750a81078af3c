// The study acceptance test (issue 18, item 1): a real 2 × 3 sweep with 2
// repetitions (redis: concurrency × pipeline, 12 trials) run by the fbctl
// binary on the mini-cluster, then shown in the app's Study panel (offscreen):
// it lists 12 trials; the sweep chart of throughput against pipeline has one
// series per concurrency with 3 points each, whose error bars' half-width is
// the 95 % t-interval of the two repetitions — checked against values read
// here straight from the result files; the exported CSV holds exactly the
// files' values. Saves a 1920×1080 picture of the panel (docs/screenshots).
#include "../cluster/ClusterTestSupport.h"
#include "LatencyDistributionChart.h"
#include "LatencyHeatmapChart.h"
#include "SweepChart.h"
#include "ThroughputLatencyChart.h"
#include "common/Paths.h"
#include "panels/StudyCharts.h"
#include "panels/StudyPanel.h"
#include "ssh/ConnectionProfile.h"

#include <QAbstractItemModel>
#include <QApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QtCharts/QAbstractAxis>
#include <QtCharts/QChart>

#include <cmath>

namespace {

const QString kConcurrency = QStringLiteral("clients[0].load.concurrency");
const QString kPipeline = QStringLiteral("clients[0].params.pipeline");
constexpr double kT975df1 = 12.706204736174707; // Student t, 97.5 % quantile, 1 degree of freedom

// What one result file says, read with nothing but QJsonDocument.
struct FileValues
{
    QString trial;
    QString concurrency, pipeline;
    double throughput = 0; // summary.throughput.requests_per_s
    double p99 = 0;        // summary.metrics.latency.p99 (ms)
};

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
}

} // namespace

class TestStudy : public QObject
{
    Q_OBJECT
    fb::ConnectionProfile m_profile;
    QString m_profileFile;
    QString m_fbctl = QStringLiteral(FB_BINARY_DIR "/core/fbctl/fbctl");

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(fbtest::loadClusterProfile(&m_profile, &m_profileFile, &error), qPrintable(error));
        QVERIFY(QFile::exists(m_fbctl));
    }

    void sweepWithRepetitionsIsAStudy()
    {
        const fbtest::ProcessRun r = fbtest::runProgram(
            m_fbctl,
            {QStringLiteral("run"), QStringLiteral(FB_TEST_SOURCE_DIR "/data/study-redis.yaml"), QStringLiteral("--profile-file"),
             m_profileFile, QStringLiteral("--parallel"), QStringLiteral("3")},
            900000);
        if (r.exitCode != 0)
            qWarning().noquote() << "fbctl's whole output:\n" << r.out + r.err;
        QVERIFY2(r.exitCode == 0, r.all().constData());
        QVERIFY2(r.out.contains(QStringLiteral("12 completed, 0 failed")), qPrintable(r.out));
        static const QRegularExpression runRe(QStringLiteral("run (\\d{8}-\\d{6}-[A-Za-z0-9_.-]+-[0-9a-f]{4})"));
        const QString runId = runRe.match(r.out).captured(1);
        QVERIFY2(!runId.isEmpty(), qPrintable(r.out));

        // The result files, read independently of ResultDocument and Study.
        QMap<QString, FileValues> files; // by trial id
        const QString runDir = fb::Paths::stateDir() + QStringLiteral("/runs/") + runId;
        for (QDirIterator it(runDir, {QStringLiteral("result-*.json")}, QDir::Files, QDirIterator::Subdirectories); it.hasNext();) {
            const QString path = it.next();
            const QString trialDir = QFileInfo(path).absoluteDir().absolutePath() + QStringLiteral("/..");
            const QJsonObject params = readJson(trialDir + QStringLiteral("/parameters.json"));
            const QJsonObject summary = readJson(path).value(QStringLiteral("summary")).toObject();
            FileValues v;
            v.trial = QFileInfo(QDir::cleanPath(trialDir)).fileName();
            v.concurrency = params.value(kConcurrency).toString();
            v.pipeline = params.value(kPipeline).toString();
            v.throughput = summary.value(QStringLiteral("throughput")).toObject().value(QStringLiteral("requests_per_s")).toDouble(NAN);
            v.p99 = summary.value(QStringLiteral("metrics")).toObject().value(QStringLiteral("latency")).toObject().value(QStringLiteral("p99")).toDouble(NAN);
            QVERIFY2(!files.contains(v.trial), qPrintable(v.trial)); // one client: one file per trial
            QVERIFY2(std::isfinite(v.throughput) && v.throughput > 0 && std::isfinite(v.p99), qPrintable(path));
            files.insert(v.trial, v);
        }
        QCOMPARE(files.size(), 12);

        // The Study panel, as the Runs panel's Study button opens it.
        fb::gui::StudyPanel panel;
        panel.resize(1920, 1080);
        panel.show();
        QSignalSpy shown(&panel, &fb::gui::StudyPanel::studyShown);
        panel.showRun(runId);
        QVERIFY(shown.wait(30000));
        QCOMPARE(shown.first().first().toInt(), 12);
        QCOMPARE(panel.trialTable()->model()->rowCount(), 12);
        QCOMPARE(panel.study().resultCount(), 12);

        // Throughput against pipeline, one series per concurrency.
        QVERIFY(panel.setSweep(QStringLiteral("throughput.requests_per_s"), QStringLiteral("pipeline"), QStringLiteral("concurrency")));
        fb::charts::SweepChart *chart = panel.sweepChart();
        QCOMPARE(chart->lineCount(), 2);
        const double toShown = 1.0 / chart->yScale().factor; // req/s -> the axis's scale (k req/s, ...)
        const QStringList pipelines{QStringLiteral("1"), QStringLiteral("4"), QStringLiteral("16")};
        for (int s = 0; s < 2; ++s) {
            const QString concurrency = s == 0 ? QStringLiteral("1") : QStringLiteral("4");
            QCOMPARE(chart->lineName(s), QStringLiteral("concurrency=") + concurrency);
            const QList<fb::charts::SweepPoint> points = chart->line(s);
            QCOMPARE(points.size(), 3);
            for (int i = 0; i < 3; ++i) {
                QList<double> reps;
                for (const FileValues &v : std::as_const(files))
                    if (v.concurrency == concurrency && v.pipeline == pipelines[i])
                        reps << v.throughput;
                QCOMPARE(reps.size(), 2);
                const double mean = (reps[0] + reps[1]) / 2;
                // n = 2: s = |a - b| / √2, half-width = t(0.975, 1) · s / √2.
                const double half = kT975df1 * std::abs(reps[0] - reps[1]) / 2;
                const fb::charts::SweepPoint &p = points[i];
                QCOMPARE(p.x, pipelines[i].toDouble());
                QCOMPARE(p.repetitions, 2);
                const double tol = 1e-9 * mean * toShown;
                QVERIFY2(std::abs(p.y - mean * toShown) < tol, qPrintable(QStringLiteral("mean %1 vs %2").arg(p.y).arg(mean * toShown)));
                QVERIFY2(std::abs((p.high - p.y) - half * toShown) < tol,
                         qPrintable(QStringLiteral("half-width %1 vs %2").arg(p.high - p.y).arg(half * toShown)));
                QVERIFY2(std::abs((p.y - p.low) - half * toShown) < tol, "the error bar is symmetric");
            }
        }
        QVERIFY2(chart->chart()->axes(Qt::Vertical).first()->titleText().contains(QStringLiteral("req/s")),
                 qPrintable(chart->chart()->axes(Qt::Vertical).first()->titleText()));

        // The exported CSV: exactly the files' values.
        QTemporaryDir tmp;
        const QString csvPath = tmp.filePath(QStringLiteral("trials.csv"));
        QString error;
        QVERIFY2(panel.exportCsv(csvPath, &error), qPrintable(error));
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 13);
        const QStringList header = lines[0].split(QLatin1Char(','));
        const qsizetype tputCol = header.indexOf(QStringLiteral("throughput.requests_per_s (req/s)"));
        const qsizetype p99Col = header.indexOf(QStringLiteral("latency.p99 (ms)"));
        QVERIFY2(tputCol > 0 && p99Col > 0, qPrintable(lines[0]));
        QCOMPARE(header.indexOf(QStringLiteral("concurrency")), 2);
        QCOMPARE(header.indexOf(QStringLiteral("pipeline")), 3);
        QSet<QString> seen;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QStringList f = lines[i].split(QLatin1Char(','));
            QVERIFY2(files.contains(f[0]), qPrintable(lines[i]));
            const FileValues &v = files[f[0]];
            seen.insert(f[0]);
            QCOMPARE(f[1], QStringLiteral("completed"));
            QCOMPARE(f[2], v.concurrency);
            QCOMPARE(f[3], v.pipeline);
            QCOMPARE(f[tputCol].toDouble(), v.throughput); // exact: the same double
            QCOMPARE(f[p99Col].toDouble(), v.p99);
        }
        QCOMPARE(seen.size(), 12);

        // The other study charts on the real results: the throughput–latency
        // curve (concurrency is the load: one curve per pipeline depth), the
        // distribution of every trial (none selected) and the first trial's heatmap.
        fb::gui::StudyCharts *more = panel.studyCharts();
        QCOMPARE(more->throughputLatency()->curves().size(), 3);
        for (const auto &curve : more->throughputLatency()->curves()) {
            QCOMPARE(curve.points.size(), 2);
            QCOMPARE(curve.points.first().repetitions, 2);
        }
        QCOMPARE(more->distributionTrials().size(), 12);
        QCOMPARE(more->distribution()->runCount(), 12);
        QCOMPARE(more->heatmapTrial(), QStringLiteral("t001-r1"));
        QVERIFY(more->heatmap()->heatmap().total > 0);
        // Selecting trials in the table overlays just them.
        QAbstractItemModel *model = panel.trialTable()->model();
        for (int row = 0; row < model->rowCount(); ++row) {
            const QString id = model->index(row, 0).data().toString();
            if (id == QLatin1String("t003-r1") || id == QLatin1String("t006-r1"))
                panel.trialTable()->selectionModel()->select(model->index(row, 0),
                                                              QItemSelectionModel::Select | QItemSelectionModel::Rows);
        }
        QCOMPARE(more->distributionTrials(), (QStringList{QStringLiteral("t003-r1"), QStringLiteral("t006-r1")}));
        QVERIFY2(more->heatmapTrial() == QLatin1String("t003-r1") || more->heatmapTrial() == QLatin1String("t006-r1"),
                 qPrintable(more->heatmapTrial()));

        // The pictures for docs/: the panel at 1920×1080 with this run, one per chart tab.
        QVERIFY(panel.setSweep(QStringLiteral("throughput.requests_per_s"), QStringLiteral("pipeline"), QStringLiteral("concurrency")));
        const QString outDir = qEnvironmentVariableIsSet("FB_SCREENSHOT_DIR") ? qEnvironmentVariable("FB_SCREENSHOT_DIR")
                                                                             : QStringLiteral(FB_BINARY_DIR "/screenshots");
        QVERIFY(QDir().mkpath(outDir));
        auto *tabs = panel.findChild<QTabWidget *>(QStringLiteral("studyCharts"));
        const QStringList names{QStringLiteral("study-panel"), QStringLiteral("study-throughput-latency"),
                                QStringLiteral("study-latency-distribution"), QStringLiteral("study-latency-heatmap")};
        QCOMPARE(tabs->count(), int(names.size()));
        for (int i = 0; i < tabs->count(); ++i) {
            tabs->setCurrentIndex(i);
            QApplication::processEvents();
            const QImage image = panel.grab().toImage();
            QCOMPARE(image.size(), QSize(1920, 1080));
            QVERIFY(image.save(outDir + QLatin1Char('/') + names[i] + QStringLiteral(".png")));
        }
        qInfo("study %s: pictures in %s/study-*.png", qPrintable(runId), qPrintable(outDir));
    }
};

QTEST_MAIN(TestStudy)
#include "tst_study.moc"
