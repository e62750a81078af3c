// Screenshots for the README and docs/: each dock of the main window on its
// own (panel-<name>.png, the dock floated to 1280×720 so every panel gets the
// same frame and its own picture) and the whole 1920×1080 window
// (main-window.png); the second registration runs with QT_SCALE_FACTOR=2 and
// writes the @2x files. Every panel is filled the way a user sees it after a
// run: saved connections (the mini-cluster one connected, with a live tunnel
// to its sshd, when FB_CLUSTER_DIR is set), the demo recipe on the canvas with
// a node selected, jobs in every state, a run store with two recorded runs
// (real fbload result documents from the metrics tests), their dashboard,
// comparison and merged logs. Written to $FB_SCREENSHOT_DIR when set, else the
// build folder. No two panel pictures may be the same image.
#include "MainWindow.h"
#include "RecipeEditor.h"
#include "common/AppInfo.h"
#include "common/Paths.h"
#include "RecipeCanvas.h"
#include "panels/CampaignPanel.h"
#include "panels/ConnectionsPanel.h"
#include "panels/JobsPanel.h"
#include "panels/LogsPanel.h"
#include "panels/ResultsDashboardPanel.h"
#include "panels/RunsPanel.h"
#include "panels/TunnelsPanel.h"
#include "session/RunStore.h"
#include "ssh/ConnectionProfile.h"

#include "Dashboard.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDockWidget>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpSocket>
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
                               fb::session::RunState::Completed, {}, created, created.addSecs(95), {}};
    QVERIFY2(store.saveRun(run, &error), qPrintable(error));
    fb::session::TrialRecord t;
    t.runId = id;
    t.trialId = QStringLiteral("t001");
    t.index = 1;
    t.state = fb::session::TrialState::Completed;
    t.step = QStringLiteral("done");
    t.params.insert(QStringLiteral("clients[0].load.concurrency"), concurrency);
    QVERIFY2(store.saveTrial(t, &error), qPrintable(error));
    const QStringList components{QStringLiteral("service:redis"), QStringLiteral("monitor"), QStringLiteral("client:load")};
    for (int i = 0; i < components.size(); ++i) {
        fb::session::JobRecord j{id, QStringLiteral("t001"), QString::number(100 + i + (concurrency * 10)), components[i],
                                 i == 0 ? fb::session::JobState::Cancelled : fb::session::JobState::Completed, {}, 0,
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
// An older run with no local results: a sweep, a failed and a cancelled one
// fill the Runs list the way weeks of use do.
void makeBareRun(const QString &id, const QString &recipe, const QString &state, const QString &error, const QDateTime &created,
                 const QStringList &trialStates)
{
    fb::session::RunStore store;
    QString e;
    QVERIFY2(store.open(fb::Paths::runStorePath(), &e), qPrintable(e));
    fb::session::RunRecord run{id, recipe, QStringLiteral(FB_SOURCE_DIR "/recipes/examples/") + recipe + QStringLiteral(".yaml"),
                               {}, QStringLiteral("mini-cluster"), QStringLiteral("/home/fbuser/factorybench/runs/") + id,
                               fb::session::runStateFromName(state), error, created, created.addSecs(60 * (2 + trialStates.size())), {}};
    QVERIFY2(store.saveRun(run, &e), qPrintable(e));
    for (int i = 0; i < trialStates.size(); ++i) {
        fb::session::TrialRecord t;
        t.runId = id;
        t.trialId = QStringLiteral("t%1").arg(i + 1, 3, 10, QLatin1Char('0'));
        t.index = i + 1;
        t.state = fb::session::trialStateFromName(trialStates[i]);
        t.step = trialStates[i] == QLatin1String("completed") ? QStringLiteral("done") : QStringLiteral("teardown");
        t.params.insert(QStringLiteral("clients[0].load.concurrency"), 1 << (2 * i));
        QVERIFY2(store.saveTrial(t, &e), qPrintable(e));
    }
}
} // namespace

// The panel's dock on its own: floated to one size for every panel, grabbed,
// then docked back where it was.
QImage grabDock(QDockWidget *d, QSize size)
{
    d->setFloating(true);
    d->resize(size);
    d->show();
    d->raise();
    QTest::qWait(500); // layouts, charts and the table columns settle
    const QImage shot = d->grab().toImage();
    d->setFloating(false);
    return shot;
}

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
        QString error;
        fb::ConnectionProfile p;
        const QString cluster = qEnvironmentVariable("FB_CLUSTER_DIR");
        if (!cluster.isEmpty()) // the real mini-cluster: connected in the Connections shot, tunnels through it
            QVERIFY2(fb::ProfileStore::loadFile(cluster + QStringLiteral("/profile.json"), &p, &error), qPrintable(error));
        else {
            p.host = QStringLiteral("127.0.0.1");
            p.port = 2222;
            p.user = QStringLiteral("fbuser");
        }
        p.name = QStringLiteral("mini-cluster");
        p.description = QStringLiteral("Local Slurm mini-cluster (slurmctld, slurmd and sshd on 127.0.0.1)");
        QVERIFY2(fb::ProfileStore().save(p, &error), qPrintable(error));
        const QList<QStringList> others{
            {QStringLiteral("meluxina"), QStringLiteral("login.lxp.lu"), QStringLiteral("8822"), QStringLiteral("u100123"), QStringLiteral("MeluXina login nodes")},
            {QStringLiteral("leonardo"), QStringLiteral("login.leonardo.cineca.it"), QStringLiteral("22"), QStringLiteral("aresearc"), QStringLiteral("Leonardo Booster, via the CINECA login nodes")},
            {QStringLiteral("lab-gpu"), QStringLiteral("gpu01.lab.internal"), QStringLiteral("22"), QStringLiteral("bench"), QStringLiteral("Lab GPU box (4 × L40S)")}};
        for (const QStringList &o : others) {
            fb::ConnectionProfile other;
            other.name = o[0];
            other.host = o[1];
            other.port = o[2].toUShort();
            other.user = o[3];
            other.description = o[4];
            QVERIFY2(fb::ProfileStore().save(other, &error), qPrintable(error));
        }
        const QDateTime now = QDateTime::currentDateTimeUtc();
        makeRun(QStringLiteral("20261123-101500-local-redis-3f2a"), now.addSecs(-3600), kResults + QStringLiteral("r1.json"), 4);
        makeRun(QStringLiteral("20261123-111500-local-redis-9c1d"), now.addSecs(-600), kResults + QStringLiteral("r2.json"), 8);
        const QString c = QStringLiteral("completed");
        makeBareRun(QStringLiteral("20261122-164000-redis-sweep-5e10"), QStringLiteral("redis-sweep"), c, {}, now.addDays(-1), {c, c, c});
        makeBareRun(QStringLiteral("20261122-150500-postgres-1b2c"), QStringLiteral("postgres"), QStringLiteral("failed"),
                    QStringLiteral("health: postgres not ready on node1:5432 after 120 s"), now.addDays(-1).addSecs(-5700),
                    {QStringLiteral("failed")});
        makeBareRun(QStringLiteral("20261121-101000-mysql-oltp-0a7f"), QStringLiteral("mysql-oltp"), QStringLiteral("cancelled"),
                    QStringLiteral("cancelled by the user"), now.addDays(-2), {c, QStringLiteral("cancelled")});
    }

    void everyPanel()
    {
        const bool twice = qEnvironmentVariableIntValue("QT_SCALE_FACTOR") == 2;
        const QString dir = qEnvironmentVariableIsSet("FB_SCREENSHOT_DIR") ? qEnvironmentVariable("FB_SCREENSHOT_DIR")
                                                                             : QStringLiteral(FB_BINARY_DIR "/screenshots");
        QVERIFY(QDir().mkpath(dir));
        const QString suffix = twice ? QStringLiteral("@2x.png") : QStringLiteral(".png");

        fb::gui::MainWindow w;
        w.resize(1920, 1080);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.selectProfile(QStringLiteral("mini-cluster")));
        const QString recipe = QStringLiteral(FB_SOURCE_DIR "/recipes/examples/local-redis.yaml");
        QVERIFY(w.recipeEditor()->openFile(recipe));
        // The canvas with the Redis service selected: its properties fill the form.
        QVERIFY(w.recipeEditor()->canvas()->nodeCount() >= 2);
        QVERIFY(w.recipeEditor()->canvas()->edgeCount() >= 1);
        w.recipeEditor()->canvas()->selectNode(QStringLiteral("services[0]"));
        QSignalSpy planned(w.campaignPanel(), &fb::gui::CampaignPanel::planReady);
        w.campaignPanel()->setRecipePath(recipe);
        QVERIFY(planned.wait(20000) || planned.size() > 0);

        // Connected to the mini-cluster, with a tunnel to its sshd that has carried bytes.
        QTcpSocket banner;
        if (qEnvironmentVariableIsSet("FB_CLUSTER_DIR")) {
            fb::gui::ConnectionsPanel *connections = w.connectionsPanel();
            connections->connectProfile(QStringLiteral("mini-cluster"));
            QTRY_VERIFY_WITH_TIMEOUT(connections->stateText(QStringLiteral("mini-cluster")).startsWith(QStringLiteral("Connected (")), 30000);
            auto *tunnels = w.findChild<fb::gui::TunnelsPanel *>();
            QVERIFY(tunnels);
            fb::ConnectionProfile p;
            QString error;
            QVERIFY2(fb::ProfileStore::loadFile(qEnvironmentVariable("FB_CLUSTER_DIR") + QStringLiteral("/profile.json"), &p, &error),
                     qPrintable(error));
            fb::SshTunnel *sshd = tunnels->openTunnel(QStringLiteral("127.0.0.1"), p.port, 0, QStringLiteral("login sshd"));
            QVERIFY(sshd);
            QTRY_COMPARE_WITH_TIMEOUT(sshd->state(), fb::SshTunnel::State::Listening, 10000);
            banner.connectToHost(QHostAddress::LocalHost, sshd->localPort());
            QTRY_VERIFY_WITH_TIMEOUT(banner.bytesAvailable() > 0, 10000);
            banner.write("SSH-2.0-factorybench_screenshot\r\n");
            QTRY_VERIFY_WITH_TIMEOUT(sshd->bytesToRemote() > 0, 10000);
            // slurmctld and slurmd listen on the next two ports (tests/cluster/minicluster.sh).
            fb::SshTunnel *ctld = tunnels->openTunnel(QStringLiteral("127.0.0.1"), p.port + 1, 0, QStringLiteral("slurmctld"));
            fb::SshTunnel *slurmd = tunnels->openTunnel(QStringLiteral("127.0.0.1"), p.port + 2, 0, QStringLiteral("slurmd"));
            QVERIFY(ctld && slurmd);
            QTRY_COMPARE_WITH_TIMEOUT(ctld->state(), fb::SshTunnel::State::Listening, 10000);
            QTRY_COMPARE_WITH_TIMEOUT(slurmd->state(), fb::SshTunnel::State::Listening, 10000);
            tunnels->refresh();
            QCOMPARE(tunnels->tunnelCount(), 3);
        }

        // Jobs of a campaign in flight.
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const QString run = QStringLiteral("20261123-121500-local-redis-77aa");
        // A three-trial sweep: t001 done (services scancelled at teardown), t002 running, t003 queued.
        QList<fb::session::JobRecord> jobs;
        const QStringList components{QStringLiteral("service:redis"), QStringLiteral("monitor"), QStringLiteral("client:load")};
        for (int t = 0; t < 3; ++t) {
            for (int k = 0; k < 3; ++k) {
                const bool client = k == 2;
                fb::session::JobRecord j{run, QStringLiteral("t00%1").arg(t + 1), QString::number(231 + 3 * t + k), components[k], {}, {}, -1,
                                         k == 0 ? QStringLiteral("node1") : QStringLiteral("node2"), now.addSecs(-400 + 150 * t + 10 * k),
                                         now.addSecs(-390 + 150 * t + 10 * k)};
                if (t == 0) {
                    j.state = client ? fb::session::JobState::Completed : fb::session::JobState::Cancelled;
                    j.exitCode = 0;
                } else if (t == 1) {
                    j.state = fb::session::JobState::Running;
                } else {
                    j.state = fb::session::JobState::Pending;
                    j.reason = k == 0 ? QStringLiteral("Priority") : QStringLiteral("Dependency");
                    j.nodes.clear();
                }
                jobs << j;
            }
        }
        jobs << fb::session::JobRecord{QStringLiteral("20261123-114000-postgres-1b2c"), QStringLiteral("t001"), QStringLiteral("228"),
                                       QStringLiteral("client:pgbench"), fb::session::JobState::Failed, QStringLiteral("NonZeroExitCode"), 1,
                                       QStringLiteral("node1"), now.addSecs(-900), now.addSecs(-840)};
        for (const auto &j : jobs)
            w.jobsPanel()->updateJob(j);
        QCOMPARE(w.jobsPanel()->jobCount(), jobs.size());
        QVERIFY(w.jobsPanel()->selectJob(QStringLiteral("234"))); // its actions enabled, as a user sees them

        // Runs: wait for the store to be read, then select the newest run —
        // the dashboard shows its charts, the Logs panel its merged log.
        QTRY_COMPARE_WITH_TIMEOUT(w.runsPanel()->runCount(), 5, 10000);
        QSignalSpy shown(w.dashboardPanel(), &fb::gui::ResultsDashboardPanel::shown);
        QSignalSpy loaded(w.logsPanel(), &fb::gui::LogsPanel::loaded);
        auto *tree = w.runsPanel()->findChild<QTreeWidget *>(QStringLiteral("runTree"));
        tree->setCurrentItem(tree->topLevelItem(0));
        QVERIFY(shown.wait(20000));
        QCOMPARE(shown.first().first().toInt(), 1);
        QVERIFY(w.dashboardPanel()->dashboard());
        QVERIFY(loaded.size() > 0 || loaded.wait(10000));
        QVERIFY(w.logsPanel()->filterModel()->rowCount() >= 10);

        // Each dock alone, 1280 wide; list panels less tall, so their tables are not mostly empty.
        const QHash<QString, int> heights{{QStringLiteral("connections"), 400}, {QStringLiteral("jobs"), 400},
                                          {QStringLiteral("tunnels"), 300}, {QStringLiteral("runs"), 400},
                                          {QStringLiteral("logs"), 460}};
        auto sizeOf = [&](const QString &name) { return QSize(1280, heights.value(name, 720)); };
        QHash<QByteArray, QString> seen; // image hash → file, so no two panels are the same picture
        auto save = [&](const QImage &shot, const QString &name) {
            const QSize panelSize = sizeOf(name);
            QCOMPARE(shot.deviceIndependentSize().toSize(), panelSize);
            if (twice)
                QCOMPARE(shot.size(), panelSize * 2);
            const QByteArray hash = QCryptographicHash::hash(
                QByteArrayView(shot.constBits(), shot.sizeInBytes()), QCryptographicHash::Sha256);
            QVERIFY2(!seen.contains(hash), qPrintable(name + QStringLiteral(" is the same image as ") + seen.value(hash)));
            seen.insert(hash, name);
            const QString file = dir + QStringLiteral("/panel-") + name + suffix;
            QVERIFY2(shot.save(file), qPrintable(file));
        };
        const QStringList docks{QStringLiteral("Connections"), QStringLiteral("Recipe"), QStringLiteral("Session"),
                                QStringLiteral("Dashboard"), QStringLiteral("Jobs"), QStringLiteral("Tunnels"),
                                QStringLiteral("Runs"), QStringLiteral("Logs")};
        for (const QString &name : docks) {
            QDockWidget *d = w.dock(name);
            QVERIFY2(d, qPrintable(name));
            if (name == QLatin1String("Runs")) // two runs selected: Compare and Delete ready
                QVERIFY(w.runsPanel()->selectRuns({QStringLiteral("20261123-101500-local-redis-3f2a"),
                                                   QStringLiteral("20261123-111500-local-redis-9c1d")}));
            save(grabDock(d, sizeOf(name.toLower())), name.toLower());
            if (QTest::currentTestFailed())
                return;
        }
        // Compare: the two runs trial by trial, the per-trial chart above the table.
        shown.clear();
        QTest::mouseClick(w.runsPanel()->findChild<QPushButton *>(QStringLiteral("compareRuns")), Qt::LeftButton);
        QVERIFY(shown.wait(20000));
        QCOMPARE(shown.first().first().toInt(), 2);
        QVERIFY(w.dashboardPanel()->compareView());
        save(grabDock(w.dock(QStringLiteral("Dashboard")), sizeOf(QStringLiteral("compare"))), QStringLiteral("compare"));
        QCOMPARE(seen.size(), docks.size() + 1);

        // The whole window in its default layout: the editor in front, jobs below.
        w.resetLayout();
        w.dock(QStringLiteral("Recipe"))->raise();
        w.dock(QStringLiteral("Jobs"))->raise();
        QTest::qWait(500);
        const QImage window = w.grab().toImage();
        QCOMPARE(window.deviceIndependentSize().toSize(), QSize(1920, 1080));
        if (twice)
            QCOMPARE(window.size(), QSize(3840, 2160));
        const QString file = dir + QStringLiteral("/main-window") + suffix;
        QVERIFY2(window.save(file), qPrintable(file));
        banner.abort();
        w.close();
    }
};

QTEST_MAIN(TestScreenshots)
#include "tst_screenshots.moc"
