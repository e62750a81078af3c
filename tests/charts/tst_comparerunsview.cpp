// Tests fb::charts::CompareRunsView (offscreen): the user picks the baseline
// and the tolerance, verdict cells are coloured from the theme's palette, the
// trials chart has one point (with its error bar) per side and matched trial
// and nothing joining them, and the view exports as PNG, PDF and CSV with
// units. FB_UPDATE_SCREENSHOTS=1 refreshes docs/screenshots/compare-runs.png.
#include "ChartExport.h"
#include "CompareRunsView.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace fb::charts;
using namespace fb::metrics;

namespace {

ResultDocument doc(double p99ms, double rps)
{
    const QJsonObject latency{{"unit", "ms"}, {"count", 30000}, {"mean", p99ms / 2}, {"p50", p99ms / 3}, {"p99", p99ms}};
    const QJsonObject o{{"schema", "factorybench.result"}, {"schema_version", 1}, {"run", QJsonObject{{"workload", "redis"}}},
                        {"summary", QJsonObject{{"requests", QJsonObject{{"sent", 30000}, {"completed", 30000}, {"errors", 0}}},
                                                {"throughput", QJsonObject{{"requests_per_s", rps}}},
                                                {"metrics", QJsonObject{{"latency", latency}}}}}};
    QString error;
    auto d = ResultDocument::fromJson(QJsonDocument(o).toJson(), QStringLiteral("test"), &error);
    if (!d)
        qFatal("%s", qPrintable(error));
    return *d;
}

// concurrency 1 and 4, two repetitions each; `slow` scales latency up and throughput down.
ComparisonSide side(const QString &run, double slow, double jitter)
{
    QList<StudyTrial> trials;
    int index = 0;
    for (int c : {1, 4})
        for (int r = 1; r <= 2; ++r) {
            StudyTrial t;
            t.id = QStringLiteral("t%1-r%2").arg(c == 1 ? 1 : 2).arg(r);
            t.index = ++index;
            t.state = QStringLiteral("completed");
            t.parameters = {{QStringLiteral("clients[0].load.concurrency"), QString::number(c)}};
            const double j = r == 1 ? -jitter : jitter;
            t.result = doc(0.2 * c * slow * (1 + j), 20000.0 * c / slow * (1 - j));
            trials << t;
        }
    return {Study(run, QStringLiteral("redis-demo"), trials), run};
}

} // namespace

class TestCompareRunsView : public QObject
{
    Q_OBJECT
private slots:
    void baselineToleranceAndColours()
    {
        CompareRunsView v;
        v.resize(1100, 600);
        v.setSides({side("fast", 1.0, 0.01), side("slow", 1.25, 0.01), side("same", 1.0, 0.012)}, 0,
                   {"throughput.requests_per_s", "latency.p99", "latency.count"});
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        QCOMPARE(v.baselineBox()->count(), 3);
        QCOMPARE(v.model()->comparison()->baselineLabel(), QStringLiteral("fast"));
        QCOMPARE(v.model()->comparison()->candidateLabels(), (QStringList{"slow", "same"}));
        QCOMPARE(v.model()->rowCount(), 6); // 2 trials x 3 metrics
        const int slowVerdict = RunComparisonModel::kFixedColumns + RunComparisonModel::VerdictPart;
        const int sameVerdict = slowVerdict + RunComparisonModel::kPerCandidate;
        for (int r = 0; r < v.model()->rowCount(); ++r) {
            const QString metric = v.model()->data(v.model()->index(r, 1)).toString();
            const QString slow = v.model()->data(v.model()->index(r, slowVerdict)).toString();
            const QString same = v.model()->data(v.model()->index(r, sameVerdict)).toString();
            if (metric == QLatin1String("latency.count")) {
                QCOMPARE(slow, QStringLiteral("count"));
                QVERIFY(!v.cellColour(r, slowVerdict).isValid());
                continue;
            }
            QCOMPARE(slow, QStringLiteral("regression"));
            QCOMPARE(v.cellColour(r, slowVerdict).rgb(), v.theme().seriesColor(3).rgb());
            QCOMPARE(same, QStringLiteral("within noise"));
            QVERIFY(!v.cellColour(r, sameVerdict).isValid());
            QVERIFY(!v.cellColour(r, 0).isValid()); // trial and metric names stay plain
        }

        // The user picks "slow" as the baseline: "fast" is now an improvement.
        v.baselineBox()->setCurrentIndex(1);
        emit v.baselineBox()->activated(1);
        QCOMPARE(v.model()->comparison()->baselineLabel(), QStringLiteral("slow"));
        QCOMPARE(v.model()->comparison()->count(Verdict::Improvement), 8); // 2 trials x 2 metrics x 2 candidates
        QCOMPARE(v.cellColour(0, slowVerdict).rgb(), v.theme().seriesColor(2).rgb());

        // A ±30 % band holds a 25 % difference.
        v.toleranceBox()->setValue(30);
        QCOMPARE(v.model()->comparison()->tolerance(), 0.30);
        QCOMPARE(v.model()->comparison()->count(Verdict::Improvement), 0);
    }

    void trialsChartHasPointsNotLines()
    {
        CompareRunsView v;
        v.resize(900, 600);
        v.setSides({side("a", 1.0, 0.02), side("b", 1.25, 0.02)}, 0, {"latency.p99", "throughput.requests_per_s"});
        v.setChartMetric(QStringLiteral("latency.p99"));
        CompareTrialsChart *chart = v.trialsChart();
        QCOMPARE(chart->metric(), QStringLiteral("latency.p99"));
        QVERIFY(!chart->chart()); // drawn by hand: no series that could join points
        QCOMPARE(chart->categories(), (QStringList{"concurrency=1", "concurrency=4"}));
        QCOMPARE(chart->sides(), (QStringList{"a", "b"}));
        const QList<CompareTrialsChart::Point> points = chart->points();
        QCOMPARE(points.size(), 4);
        for (const CompareTrialsChart::Point &p : points) {
            QCOMPARE(p.n, 2);
            QVERIFY(p.low < p.mean && p.mean < p.high); // an error bar: the 95 % t-interval of two repetitions
        }
        // concurrency=4 on "b": mean 1.25 * 0.8 ms, in seconds; half-width t(0.975,1) * s / sqrt(2).
        const CompareTrialsChart::Point &b4 = points[3];
        QCOMPARE(b4.category, 1);
        QCOMPARE(b4.side, 1);
        QVERIFY(std::fabs(b4.mean - 1e-3) < 1e-12);
        const double s = std::sqrt(2.0) * 0.02 * 1e-3; // samples 0.98 ms and 1.02 ms
        QVERIFY(std::fabs((b4.high - b4.mean) - 12.7062047 * s / std::sqrt(2.0)) < 1e-9);
        QCOMPARE(chart->valueTitle(), QStringLiteral("latency.p99 (ms)"));

        // Selecting a table row shows its metric.
        v.table()->setCurrentIndex(v.table()->model()->index(1, 0));
        QCOMPARE(chart->metric(), v.model()->data(v.model()->index(1, 1)).toString());
    }

    void exports()
    {
        QTemporaryDir tmp;
        CompareRunsView v;
        v.resize(1100, 640);
        v.setSides({side("baseline-run", 1.0, 0.01), side("slower-run", 1.2, 0.01)}, 0);
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        QString err;
        const QString png = tmp.filePath(QStringLiteral("compare.png"));
        QVERIFY2(exportChart(&v, png, {}, &err), qPrintable(err));
        QVERIFY(!QImage(png).isNull());
        QVERIFY2(exportChart(&v, tmp.filePath(QStringLiteral("compare.pdf")), {}, &err), qPrintable(err));
        const QString csv = v.toCsv();
        QVERIFY(csv.startsWith(QLatin1String("trial,metric,unit,baseline,")));
        // Unrounded, in the base unit the unit column names: 0.8 ms is 0.0008 s.
        const qsizetype at = csv.indexOf(QLatin1String("concurrency=4,latency.p99,s,baseline-run,"));
        QVERIFY2(at >= 0, qPrintable(csv));
        QVERIFY(std::fabs(csv.mid(at).section(QLatin1Char(','), 4, 4).toDouble() - 0.0008) < 1e-15);
        QVERIFY(csv.contains(QLatin1String(",regression\n")));
        v.setChartMetric(QStringLiteral("latency.p99"));
        QVERIFY(v.trialsChart()->toCsv().contains(QLatin1String(",s\n")));
        if (qEnvironmentVariableIntValue("FB_UPDATE_SCREENSHOTS")) {
            const QString shot = QStringLiteral(FB_SOURCE_DIR "/docs/screenshots/compare-runs.png");
            QFile::remove(shot);
            ExportOptions o;
            o.dpi = 96;
            QVERIFY2(exportPng(&v, shot, o, &err), qPrintable(err));
        }
    }
};

QTEST_MAIN(TestCompareRunsView)
#include "tst_comparerunsview.moc"
