// The one-click session in the desktop app, on the mini-cluster: select the
// connection, open a recipe, press Run. The campaign runs on its own thread;
// the test measures that the GUI thread keeps serving events (no gap over
// 50 ms ± scheduling slack), and that the Jobs, Logs and Runs panels follow.
#include "MainWindow.h"
#include "panels/CampaignPanel.h"
#include "panels/ConnectionsPanel.h"
#include "panels/JobsPanel.h"
#include "panels/LogsPanel.h"
#include "panels/ResultsDashboardPanel.h"
#include "panels/RunsPanel.h"
#include "Dashboard.h"

#include <QDockWidget>
#include <QTreeWidget>
#include "common/Paths.h"
#include "ssh/ConnectionProfile.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

class TestOneClick : public QObject
{
    Q_OBJECT
private slots:
    void runsCampaignWithoutBlockingTheGui()
    {
        const QString dir = qEnvironmentVariable("FB_CLUSTER_DIR");
        QVERIFY(!dir.isEmpty());
        QDir(fb::Paths::stateDir()).removeRecursively(); // a fresh run store: exactly this test's run
        fb::ConnectionProfile profile;
        QString error;
        QVERIFY2(fb::ProfileStore::loadFile(dir + QStringLiteral("/profile.json"), &profile, &error), qPrintable(error));
        profile.name = QStringLiteral("mini-cluster");
        QVERIFY2(fb::ProfileStore().save(profile, &error), qPrintable(error));

        fb::gui::MainWindow window;
        window.show();
        QVERIFY(window.selectProfile(QStringLiteral("mini-cluster")));
        auto *panel = window.campaignPanel();
        QSignalSpy planned(panel, &fb::gui::CampaignPanel::planReady);
        panel->setRecipePath(QStringLiteral(FB_TEST_SOURCE_DIR "/data/one-trial-redis.yaml"));
        QVERIFY(planned.wait(20000));
        QCOMPARE(planned.first().first().toBool(), true);
        window.dock(QStringLiteral("Session"))->raise();
        auto *run = panel->findChild<QPushButton *>(QStringLiteral("runCampaign"));
        QVERIFY(run && run->isEnabled());

        // Watch the GUI thread's responsiveness: a 10 ms timer must keep firing.
        QElapsedTimer clock;
        clock.start();
        qint64 last = 0, worstGap = 0;
        QTimer tick;
        tick.setInterval(10);
        connect(&tick, &QTimer::timeout, this, [&] {
            const qint64 now = clock.elapsed();
            worstGap = std::max(worstGap, now - last);
            last = now;
        });
        auto *status = panel->findChild<QLabel *>(QStringLiteral("campaignStatus"));
        QVERIFY(status);
        QSignalSpy finished(window.findChild<fb::session::CampaignRunner *>(), &fb::session::CampaignRunner::finished);
        QVERIFY(finished.isValid());
        last = clock.elapsed();
        tick.start();
        QTest::mouseClick(run, Qt::LeftButton);
        QVERIFY(!run->isEnabled()); // running
        QVERIFY(finished.wait(600000));
        tick.stop();
        const auto result = finished.first().first().value<fb::session::CampaignResult>();
        QVERIFY2(result.state == QLatin1String("completed"), qPrintable(result.error + QLatin1Char('\n') + window.logsPanel()->text()));
        QCOMPARE(result.resultFiles, 1);
        qInfo("worst GUI-thread gap during the campaign: %lld ms", worstGap);
        // 50 ms is the goal; a loaded 2-core CI machine adds scheduling delay of its own.
        QVERIFY2(worstGap < 150, qPrintable(QStringLiteral("the GUI thread stalled for %1 ms").arg(worstGap)));

        QCOMPARE(window.jobsPanel()->jobCount(), 3); // service, monitor, client
        QVERIFY(window.logsPanel()->text().contains(QStringLiteral("trial completed")));
        QVERIFY(status->text().contains(QStringLiteral("completed")));
        QVERIFY(run->isEnabled());
        QSignalSpy reloaded(window.runsPanel(), &fb::gui::RunsPanel::reloaded);
        window.runsPanel()->reload();
        QVERIFY(reloaded.wait(10000));
        QCOMPARE(window.runsPanel()->runCount(), 1);
        QDir().mkpath(QStringLiteral(FB_BINARY_DIR "/screenshots"));
        window.grab().save(QStringLiteral(FB_BINARY_DIR "/screenshots/one-click.png"));

        // Selecting the run shows its results in the workload's dashboard.
        QSignalSpy shown(window.dashboardPanel(), &fb::gui::ResultsDashboardPanel::shown);
        auto *tree = window.runsPanel()->findChild<QTreeWidget *>(QStringLiteral("runTree"));
        QVERIFY(tree);
        tree->setCurrentItem(tree->topLevelItem(0));
        QVERIFY(shown.wait(20000));
        QCOMPARE(shown.first().first().toInt(), 1);
        QVERIFY(window.dashboardPanel()->dashboard());
        QVERIFY(window.dashboardPanel()->dashboard()->panelCount() >= 2);
        window.dock(QStringLiteral("Dashboard"))->raise();
        QTest::qWait(500);
        window.grab().save(QStringLiteral(FB_BINARY_DIR "/screenshots/results-dashboard.png"));
    }
};

QTEST_MAIN(TestOneClick)
#include "tst_oneclick.moc"
