// The one-click session in the desktop app, on the mini-cluster: select the
// connection, open a recipe, press Run. The campaign runs on its own thread;
// the test measures that the GUI thread keeps serving events (no gap over
// 50 ms ± scheduling slack), and that the Jobs, Logs and Runs panels follow.
// The Session dock shows the plan (one trial, three jobs) and then the
// trial's state; once the trial's Prometheus answers, a tunnel appears in the
// Tunnels panel and the Dashboard goes live with points from it; the tunnel
// is closed when the trial's clients are done.
#include "MainWindow.h"
#include "panels/CampaignPanel.h"
#include "panels/ConnectionsPanel.h"
#include "panels/JobsPanel.h"
#include "panels/LogsPanel.h"
#include "panels/ResultsDashboardPanel.h"
#include "panels/RunsPanel.h"
#include "panels/SessionLiveMonitor.h"
#include "panels/TunnelsPanel.h"
#include "ssh/SshTunnel.h"
#include "Dashboard.h"

#include <QDockWidget>
#include <QTreeWidget>
#include "common/Paths.h"
#include "ssh/ConnectionProfile.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QPointer>
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
        QCOMPARE(panel->planRowCount(), 1);
        QVERIFY2(panel->planSummary().startsWith(QStringLiteral("1 trial · 3 jobs · ")), qPrintable(panel->planSummary()));
        QCOMPARE(panel->trialCell(QStringLiteral("t001"), fb::gui::CampaignPanel::StateColumn), QStringLiteral("planned"));
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
        // Jobs seen while the campaign still runs; the live dashboard's points;
        // the tunnel it went live through.
        int jobsWhileRunning = 0;
        QStringList trialStates;
        auto *tunnels = window.findChild<fb::gui::TunnelsPanel *>();
        QVERIFY(tunnels);
        QCOMPARE(tunnels->tunnelCount(), 0);
        QSignalSpy wentLive(window.liveMonitor(), &fb::gui::SessionLiveMonitor::wentLive);
        QSignalSpy liveStopped(window.liveMonitor(), &fb::gui::SessionLiveMonitor::stopped);
        int livePoints = 0, tunnelsWhenLive = 0;
        QPointer<fb::SshTunnel> liveTunnel;
        QStringList liveErrors;
        connect(window.dashboardPanel(), &fb::gui::ResultsDashboardPanel::liveStarted, this, [&] {
            tunnelsWhenLive = tunnels->tunnelCount();
            liveTunnel = window.liveMonitor()->tunnel();
            connect(window.dashboardPanel()->dashboard(), &fb::charts::Dashboard::livePointsReceived, this,
                    [&](int, int points) { livePoints += points; });
            connect(window.dashboardPanel()->dashboard(), &fb::charts::Dashboard::liveError, this,
                    [&](const QString &e) { liveErrors << e; });
        });
        auto *runner = window.findChild<fb::session::CampaignRunner *>();
        connect(runner, &fb::session::CampaignRunner::trialChanged, this, [&](const QString &trial) {
            // Queued after the panels' own slots: the table already shows it.
            trialStates << panel->trialCell(trial, fb::gui::CampaignPanel::StateColumn) + QLatin1Char('/')
                    + panel->trialCell(trial, fb::gui::CampaignPanel::StepColumn);
            jobsWhileRunning = std::max(jobsWhileRunning, window.jobsPanel()->jobCount());
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
        QVERIFY2(result.state == fb::session::RunState::Completed, qPrintable(result.error + QLatin1Char('\n') + window.logsPanel()->text()));
        QCOMPARE(result.resultFiles, 1);
        qInfo("worst GUI-thread gap during the campaign: %lld ms", worstGap);
        // 50 ms is the goal; a loaded 2-core CI machine adds scheduling delay of its own.
        QVERIFY2(worstGap < 150, qPrintable(QStringLiteral("the GUI thread stalled for %1 ms").arg(worstGap)));

        QCOMPARE(window.jobsPanel()->jobCount(), 3); // service, monitor, client
        QVERIFY2(jobsWhileRunning >= 1, "the Jobs panel showed no job while the campaign ran");
        QVERIFY2(trialStates.contains(QStringLiteral("running/clients")), qPrintable(trialStates.join(QLatin1Char(' '))));
        QCOMPARE(panel->trialCell(QStringLiteral("t001"), fb::gui::CampaignPanel::StateColumn), QStringLiteral("completed"));

        // The live dashboard: Prometheus answered through a tunnel, points came.
        QVERIFY2(window.logsPanel()->text().contains(QStringLiteral("Prometheus is ready on")), qPrintable(window.logsPanel()->text()));
        QVERIFY2(wentLive.size() == 1, qPrintable(window.logsPanel()->text()));
        QCOMPARE(wentLive.first().first().toString(), QStringLiteral("t001"));
        QVERIFY(tunnelsWhenLive >= 1);
        QVERIFY2(livePoints > 0, qPrintable(QStringLiteral("no live points; errors: ") + liveErrors.join(QStringLiteral("; "))));
        QCOMPARE(liveStopped.size(), 1);
        QVERIFY(!window.dashboardPanel()->isLive());
        // … and its tunnel was closed (the row stays, "Closed").
        QVERIFY(liveTunnel);
        QTRY_COMPARE_WITH_TIMEOUT(liveTunnel->state(), fb::SshTunnel::State::Closed, 10000);
        QCOMPARE(tunnels->tunnelCount(), 1);
        QVERIFY(tunnels->cellText(0, fb::gui::TunnelsPanel::NameColumn).contains(QStringLiteral("t001")));
        QTRY_COMPARE_WITH_TIMEOUT(tunnels->cellText(0, fb::gui::TunnelsPanel::StateColumn), QStringLiteral("Closed"), 5000);
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
