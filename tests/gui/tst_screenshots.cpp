// Screenshots of every dock of the main window at 1920×1080 (and, in the
// second registration, with QT_SCALE_FACTOR=2), each panel filled the way a
// user sees it after a run: a saved connection, the demo recipe, jobs, a run
// store with two recorded runs (real fbload result documents from the metrics
// tests) and their merged logs. Written to $FB_SCREENSHOT_DIR when set (the
// README's docs/screenshots/panel-<name>[@2x].png), else the build folder.
#include "MainWindow.h"
#include "RecipeEditor.h"
#include "common/AppInfo.h"
#include "common/Paths.h"
#include "panels/CampaignPanel.h"
#include "panels/JobsPanel.h"
#include "panels/LogsPanel.h"
#include "panels/ResultsDashboardPanel.h"
#include "panels/RunsPanel.h"
#include "session/RunStore.h"
#include "ssh/ConnectionProfile.h"

#include "Dashboard.h"

#include <QDir>
#include <QDockWidget>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTest>
#include <QTreeWidget>

namespace {
const QString kResults = QStringLiteral(FB_SOURCE_DIR "/tests/metrics/data/results/");

void makeRun(const QString &id, const QDateTime &created, const QString &result, int concurrency)
{
    fb::session::RunStore store;
    QString error;
    QVERIFY2(store.open(fb::Paths::runStorePath(), &error), qPrintable(error));
    fb::session::RunRecord run{id, QStringLiteral("local-redis"), QStringLiteral(FB_SOURCE_DIR "/recipes/examples/local-redis.yaml"),
                               {}, QStringLiteral("mini-cluster"), QStringLiteral("/home/fbuser/factorybench/runs/") + id,
                               QStringLiteral("completed"), {}, created, created.addSecs(95), {}};
    QVERIFY2(store.saveRun(run, &error), qPrintable(error));
    fb::session::TrialRecord t;
    t.runId = id;
    t.trialId = QStringLiteral("t001");
    t.index = 1;
    t.state = QStringLiteral("completed");
    t.step = QStringLiteral("done");
    t.params.insert(QStringLiteral("clients[0].load.concurrency"), concurrency);
    QVERIFY2(store.saveTrial(t, &error), qPrintable(error));
    const QStringList components{QStringLiteral("service:redis"), QStringLiteral("monitor"), QStringLiteral("client:load")};
    for (int i = 0; i < components.size(); ++i) {
        fb::session::JobRecord j{id, QStringLiteral("t001"), QString::number(100 + i + (concurrency * 10)), components[i],
                                 i == 0 ? QStringLiteral("CANCELLED") : QStringLiteral("COMPLETED"), {}, 0,
                                 QStringLiteral("node%1").arg(i + 1), created, created.addSecs(90)};
        QVERIFY2(store.saveJob(j, &error), qPrintable(error));
    }
    const QString trialDir = fb::Paths::stateDir() + QStringLiteral("/runs/%1/t001").arg(id);
    const QString local = trialDir + QStringLiteral("/results/result-load.json");
    QVERIFY(QDir().mkpath(QFileInfo(local).absolutePath()));
    QFile::remove(local);
    QVERIFY(QFile::copy(result, local));
    fb::session::ResultFileRecord f{id, QStringLiteral("t001"), run.remoteDir + QStringLiteral("/t001/result-load.json"), local,
                                    QStringLiteral("ab"), QFileInfo(local).size(), created.addSecs(92)};
    QVERIFY2(store.saveResultFile(f, &error), qPrintable(error));
    // The merged log as Campaign::collectLogs writes it.
    const QString redis = QStringLiteral("service-redis-%1").arg(100 + concurrency * 10);
    const QString client = QStringLiteral("client-load-%1").arg(102 + concurrency * 10);
    const QList<QPair<QString, QString>> lines{
        {QStringLiteral("campaign"), QStringLiteral("INFO prepare: wrote 3 batch scripts")},
        {QStringLiteral("campaign"), QStringLiteral("INFO submit: service redis submitted as job %1").arg(100 + concurrency * 10)},
        {redis, QStringLiteral("Redis version=7.0.15, bits=64, commit=00000000, modified=0, pid=4242, just started")},
        {redis, QStringLiteral("WARNING Memory overcommit must be enabled! Without it, a background save may fail.")},
        {redis, QStringLiteral("Ready to accept connections tcp")},
        {QStringLiteral("campaign"), QStringLiteral("INFO health: redis ready on node1:6379")},
        {client, QStringLiteral("fbload 0.1.0: redis 127.0.0.1:6379, closed loop, concurrency %1, 3 s").arg(concurrency)},
        {client, QStringLiteral("warm-up done (1 s); measuring")},
        {client, QStringLiteral("wrote result-load.json (3 s measured)")},
        {QStringLiteral("campaign"), QStringLiteral("INFO results: downloaded result-load.json (sha256 ok)")},
        {QStringLiteral("campaign"), QStringLiteral("INFO teardown: trial completed")}};
    QFile merged(trialDir + QStringLiteral("/merged.jsonl"));
    QVERIFY(merged.open(QIODevice::WriteOnly));
    for (int i = 0; i < lines.size(); ++i)
        merged.write(QStringLiteral(R"({"time":"%1","source":"%2","trial":"t001","message":"%3"})")
                         .arg(created.addMSecs(i * 1700).toString(Qt::ISODateWithMs), lines[i].first, lines[i].second)
                         .toUtf8()
                     + '\n');
}
} // namespace

class TestScreenshots : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        fb::initApplication(*QCoreApplication::instance());
        QSettings().clear();
        QDir(fb::Paths::stateDir()).removeRecursively();
        QDir().mkpath(fb::Paths::stateDir());
        fb::ConnectionProfile p;
        p.name = QStringLiteral("mini-cluster");
        p.host = QStringLiteral("127.0.0.1");
        p.port = 2222;
        p.user = QStringLiteral("fbuser");
        p.description = QStringLiteral("Local mini-cluster (slurmctld + slurmd in containers-free mode)");
        QString error;
        QVERIFY2(fb::ProfileStore().save(p, &error), qPrintable(error));
        const QDateTime now = QDateTime::currentDateTimeUtc();
        makeRun(QStringLiteral("20261123-101500-local-redis-3f2a"), now.addSecs(-3600), kResults + QStringLiteral("r1.json"), 4);
        makeRun(QStringLiteral("20261123-111500-local-redis-9c1d"), now.addSecs(-600), kResults + QStringLiteral("r2.json"), 8);
    }

    void everyPanel()
    {
        const bool twice = qEnvironmentVariableIntValue("QT_SCALE_FACTOR") == 2;
        const QString dir = qEnvironmentVariableIsSet("FB_SCREENSHOT_DIR") ? qEnvironmentVariable("FB_SCREENSHOT_DIR")
                                                                             : QStringLiteral(FB_BINARY_DIR "/screenshots");
        QVERIFY(QDir().mkpath(dir));

        fb::gui::MainWindow w;
        w.resize(1920, 1080);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.selectProfile(QStringLiteral("mini-cluster")));
        const QString recipe = QStringLiteral(FB_SOURCE_DIR "/recipes/examples/local-redis.yaml");
        QVERIFY(w.recipeEditor()->openFile(recipe));
        QSignalSpy planned(w.campaignPanel(), &fb::gui::CampaignPanel::planReady);
        w.campaignPanel()->setRecipePath(recipe);
        QVERIFY(planned.wait(20000) || planned.size() > 0);

        // Jobs of a campaign in flight.
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const QString run = QStringLiteral("20261123-121500-local-redis-77aa");
        const QList<fb::session::JobRecord> jobs{
            {run, QStringLiteral("t001"), QStringLiteral("231"), QStringLiteral("service:redis"), QStringLiteral("RUNNING"), {}, -1, QStringLiteral("node1"), now.addSecs(-140), now.addSecs(-131)},
            {run, QStringLiteral("t001"), QStringLiteral("232"), QStringLiteral("monitor"), QStringLiteral("RUNNING"), {}, -1, QStringLiteral("node2"), now.addSecs(-120), now.addSecs(-112)},
            {run, QStringLiteral("t001"), QStringLiteral("233"), QStringLiteral("client:load"), QStringLiteral("COMPLETED"), {}, 0, QStringLiteral("node2"), now.addSecs(-100), now.addSecs(-95)},
            {run, QStringLiteral("t002"), QStringLiteral("234"), QStringLiteral("client:load"), QStringLiteral("PENDING"), QStringLiteral("Resources"), -1, {}, now.addSecs(-20), now.addSecs(-20)}};
        for (const auto &j : jobs)
            w.jobsPanel()->updateJob(j);
        auto c = jobs[2];
        c.state = QStringLiteral("RUNNING");
        c.updatedAt = now.addSecs(-98);
        w.jobsPanel()->updateJob(c);
        w.jobsPanel()->updateJob(jobs[2]);
        QCOMPARE(w.jobsPanel()->jobCount(), 4);
        QVERIFY(w.jobsPanel()->selectJob(QStringLiteral("231"))); // its actions enabled, as a user sees them

        // Runs: wait for the store to be read, then select the newest run —
        // the dashboard shows its charts, the Logs panel its merged log.
        QTRY_COMPARE_WITH_TIMEOUT(w.runsPanel()->runCount(), 2, 10000);
        QSignalSpy shown(w.dashboardPanel(), &fb::gui::ResultsDashboardPanel::shown);
        QSignalSpy loaded(w.logsPanel(), &fb::gui::LogsPanel::loaded);
        auto *tree = w.runsPanel()->findChild<QTreeWidget *>(QStringLiteral("runTree"));
        tree->setCurrentItem(tree->topLevelItem(0));
        QVERIFY(shown.wait(20000));
        QCOMPARE(shown.first().first().toInt(), 1);
        QVERIFY(w.dashboardPanel()->dashboard());
        QVERIFY(loaded.size() > 0 || loaded.wait(10000));
        QVERIFY(w.logsPanel()->filterModel()->rowCount() >= 10);

        const QStringList docks{QStringLiteral("Connections"), QStringLiteral("Recipe"), QStringLiteral("Session"),
                                QStringLiteral("Dashboard"), QStringLiteral("Jobs"), QStringLiteral("Tunnels"),
                                QStringLiteral("Runs"), QStringLiteral("Logs")};
        for (const QString &name : docks) {
            QDockWidget *d = w.dock(name);
            QVERIFY2(d, qPrintable(name));
            d->raise();
            if (name == QLatin1String("Runs")) // two runs selected: Compare and Delete ready
                QVERIFY(w.runsPanel()->selectRuns({QStringLiteral("20261123-101500-local-redis-3f2a"),
                                                   QStringLiteral("20261123-111500-local-redis-9c1d")}));
            QTest::qWait(400); // layouts and charts settle
            QVERIFY2(d->isVisible() && !d->visibleRegion().isEmpty(), qPrintable(name));
            const QPixmap shot = w.grab();
            QCOMPARE(shot.deviceIndependentSize().toSize(), QSize(1920, 1080));
            if (twice)
                QCOMPARE(shot.size(), QSize(3840, 2160));
            const QString file = dir + QStringLiteral("/panel-%1%2.png").arg(name.toLower(), twice ? QStringLiteral("@2x") : QString());
            QVERIFY2(shot.save(file), qPrintable(file));
        }
        // Compare: the two runs' charts overlaid and the compare table below.
        shown.clear();
        QTest::mouseClick(w.runsPanel()->findChild<QPushButton *>(QStringLiteral("compareRuns")), Qt::LeftButton);
        QVERIFY(shown.wait(20000));
        QCOMPARE(shown.first().first().toInt(), 2);
        QVERIFY(w.dashboardPanel()->compareView());
        QTest::qWait(400);
        const QString file = dir + QStringLiteral("/panel-compare%1.png").arg(twice ? QStringLiteral("@2x") : QString());
        QVERIFY2(w.grab().save(file), qPrintable(file));
        w.close();
    }
};

QTEST_MAIN(TestScreenshots)
#include "tst_screenshots.moc"
