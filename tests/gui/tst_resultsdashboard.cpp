// The Dashboard dock names a run's trials by their swept values: legends read
// "concurrency=4, pipeline=16", not "t001: completed"; repetitions (the same
// values) add their trial id; a trial's client results merge into one series;
// one selected trial names the title. Real fbload result documents from the
// metrics tests in a real run store (SQLite). With FB_UPDATE_SCREENSHOTS=1 the
// dashboard of the sweep at 1920×1080 is written to
// docs/screenshots/dashboard-sweep.png.
#include "ChartExport.h"
#include "ChartLegend.h"
#include "Dashboard.h"
#include "TimeSeriesChart.h"
#include "panels/ResultsDashboardPanel.h"
#include "session/RunStore.h"

#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QtCharts/QAbstractAxis>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>

using namespace fb;

namespace {
const QString kRun = QStringLiteral("20261203-0400-redis-sweep");

// A completed 2 × 2 sweep (concurrency × pipeline), the first combination
// repeated, each trial with a real fbload result (t001 with two clients).
QString makeStore(const QTemporaryDir &dir)
{
    const QString path = dir.filePath(QStringLiteral("runs.sqlite"));
    session::RunStore store;
    QString error;
    if (!store.open(path, &error))
        qFatal("%s", qPrintable(error));
    session::RunRecord run;
    run.id = kRun;
    run.name = QStringLiteral("redis-sweep");
    run.state = session::RunState::Completed;
    run.createdAt = QDateTime::currentDateTimeUtc();
    store.saveRun(run, &error);
    struct T
    {
        const char *id;
        int index, concurrency, pipeline;
        QStringList files;
    };
    const QList<T> trials{{"t001-r1", 1000, 1, 1, {QStringLiteral("r1.json"), QStringLiteral("r2.json")}},
                          {"t001-r2", 1001, 1, 1, {QStringLiteral("r2.json")}},
                          {"t002", 2000, 1, 16, {QStringLiteral("r3-c16.json")}},
                          {"t003", 3000, 4, 1, {QStringLiteral("r1.json")}},
                          {"t004", 4000, 4, 16, {QStringLiteral("r3-c16.json")}}};
    for (const T &t : trials) {
        session::TrialRecord rec;
        rec.runId = kRun;
        rec.trialId = QLatin1String(t.id);
        rec.index = t.index;
        rec.state = session::TrialState::Completed;
        rec.params = QJsonObject{{QStringLiteral("clients[0].load.concurrency"), t.concurrency},
                                 {QStringLiteral("clients[0].settings.pipeline"), t.pipeline}};
        if (!store.saveTrial(rec, &error))
            qFatal("%s", qPrintable(error));
        for (const QString &file : t.files) {
            const QString local = dir.filePath(QStringLiteral("%1/%2").arg(rec.trialId, file));
            QDir().mkpath(QFileInfo(local).absolutePath());
            QFile::copy(QStringLiteral(FB_SOURCE_DIR "/tests/metrics/data/results/") + file, local);
            session::ResultFileRecord f{kRun, rec.trialId, QStringLiteral("/r/") + file, local, QStringLiteral("ab"),
                                        QFileInfo(local).size(), QDateTime::currentDateTimeUtc()};
            if (!store.saveResultFile(f, &error))
                qFatal("%s", qPrintable(error));
        }
    }
    return path;
}

QStringList labels(const gui::LoadedResults &r)
{
    QStringList out;
    for (const metrics::ResultDocument &d : r.docs)
        out << d.label();
    return out;
}
} // namespace

class TestResultsDashboard : public QObject
{
    Q_OBJECT
private slots:
    void trialsNamedBySweptValues()
    {
        QTemporaryDir dir;
        const QString store = makeStore(dir);
        const gui::LoadedResults r = gui::ResultsDashboardPanel::load(store, kRun, {});
        QVERIFY2(r.errors.isEmpty(), qPrintable(r.errors.join(QLatin1Char('\n'))));
        // One document per trial (t001-r1's two clients merged), named by its
        // values; the two repetitions of (1, 1) add their ids.
        QCOMPARE(labels(r), (QStringList{QStringLiteral("concurrency=1, pipeline=1 (t001-r1)"),
                                         QStringLiteral("concurrency=1, pipeline=1 (t001-r2)"),
                                         QStringLiteral("concurrency=1, pipeline=16"), QStringLiteral("concurrency=4, pipeline=1"),
                                         QStringLiteral("concurrency=4, pipeline=16")}));
        QCOMPARE(r.docs.first().sources.size(), 2);

        // One trial: the title names its values.
        const gui::LoadedResults one = gui::ResultsDashboardPanel::load(store, kRun, QStringLiteral("t004"));
        QCOMPARE(one.docs.size(), 1);
        QCOMPARE(one.title, kRun + QStringLiteral(" / concurrency=4, pipeline=16"));

        // The dashboard's legends carry those names whole.
        charts::Dashboard d(charts::DashboardSpec::forWorkload(r.docs.first().workload()));
        d.resize(1920, 1080);
        d.show();
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        d.setTitle(r.title);
        d.showResults(r.docs);
        charts::TimeSeriesChart *rate = d.panel(0);
        QStringList names;
        for (const charts::ChartLegend::Entry &e : rate->legend()->entries())
            names << e.name;
        QCOMPARE(names, labels(r));
        QCOMPARE(rate->yAxis()->titleText(), QStringLiteral("Rate (k req/s)"));
        QVERIFY(QTest::qWaitFor([&] { return !rate->isDecimationPending(); }, 5000));
        if (qEnvironmentVariableIntValue("FB_UPDATE_SCREENSHOTS")) {
            const QString shot = QStringLiteral(FB_SOURCE_DIR "/docs/screenshots/dashboard-sweep.png");
            QFile::remove(shot);
            // A hover readout on the latency panel, as a user sees it.
            charts::TimeSeriesChart *lat = d.panel(2);
            lat->setLogY(true);
            QVERIFY(QTest::qWaitFor([&] { return !lat->isDecimationPending(); }, 5000));
            const QRectF plot = lat->chart()->plotArea();
            lat->crosshairAt(lat->chartView()->mapFromScene(lat->chart()->mapToScene(QPointF(plot.left() + plot.width() * 0.4, plot.center().y()))));
            QVERIFY(d.grab().save(shot));
        }
    }
};

QTEST_MAIN(TestResultsDashboard)
#include "tst_resultsdashboard.moc"
