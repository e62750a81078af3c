// JobsPanel: name, elapsed (ticking while RUNNING, frozen after), reason;
// Cancel job and Open log wired through the main window (scancel via the
// campaign runner, the job's log file into the Logs panel); and the campaign
// end notification's choice of channel (offscreen has no tray).
#include "MainWindow.h"
#include "common/Paths.h"
#include "panels/CampaignNotifier.h"
#include "panels/JobsPanel.h"
#include "panels/LogsPanel.h"
#include "session/CampaignRunner.h"
#include "session/ClusterTransport.h"
#include "ssh/ConnectionProfile.h"

#include <QAction>
#include <QDir>
#include <QDockWidget>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTest>
#include <QTemporaryDir>
#include <QTreeWidget>

using fb::gui::CampaignNotifier;
using fb::gui::JobsPanel;

namespace {
fb::session::JobRecord job(const QString &id, const QString &state, const QDateTime &updated = QDateTime::currentDateTimeUtc())
{
    fb::session::JobRecord j;
    j.runId = QStringLiteral("20261123-130000-local-redis-cafe");
    j.trialId = QStringLiteral("t001");
    j.jobId = id;
    j.component = QStringLiteral("service:redis");
    j.state = fb::session::jobStateFromName(state);
    j.nodes = QStringLiteral("node1");
    j.updatedAt = updated;
    return j;
}

// Runs one command on the login node from the test (its own connection).
fb::CommandResult remote(fb::CommandRunner *runner, const QString &command)
{
    QFuture<fb::CommandResult> f = runner->run(command, 30000);
    (void)QTest::qWaitFor([&] { return f.isFinished(); }, 40000);
    return f.isFinished() ? f.result() : fb::CommandResult{};
}

QString slurmState(fb::CommandRunner *runner, const QString &jobId)
{
    const fb::CommandResult r = remote(runner, QStringLiteral("scontrol -o show job %1").arg(fb::shellQuote(jobId)));
    const QString out = QString::fromUtf8(r.stdOut);
    const qsizetype at = out.indexOf(QStringLiteral("JobState="));
    return at < 0 ? QString() : out.mid(at + 9).section(QLatin1Char(' '), 0, 0);
}

// A campaign that sits in its health wait: a service that runs but never
// opens its port, so its job stays RUNNING until cancelled.
const char *kSleeperRecipe = R"(version: 1
metadata:
  name: jobcancel
  description: a service that never becomes healthy, for the cancel-job test
cluster:
  resources:
    partition: cpu
    time: 10m
    memory: 128M
services:
  - name: sleeper
    template: generic
    container: none
    command: [sleep, "300"]
    ports:
      http: 18093
    resources:
      cpus_per_task: 1
      memory: 128M
    health:
      timeout: 4m
clients:
  - name: kv
    service: sleeper
    workload: redis
    threads: 1
    load:
      model: closed
      concurrency: 1
    duration: 1s
)";
} // namespace

class TestJobsPanel : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QSettings().clear(); }

    void elapsedTicksWhileRunning()
    {
        JobsPanel panel;
        auto *tree = panel.findChild<QTreeWidget *>(QStringLiteral("jobTree"));
        QCOMPARE(tree->columnCount(), int(JobsPanel::ColumnCount));
        panel.updateJob(job(QStringLiteral("41"), QStringLiteral("PENDING")));
        auto pending = job(QStringLiteral("41"), QStringLiteral("PENDING"));
        pending.reason = QStringLiteral("Resources");
        panel.updateJob(pending);
        QCOMPARE(panel.jobCount(), 1);
        QCOMPARE(tree->topLevelItem(0)->text(JobsPanel::Name), QStringLiteral("fb-t001-service-redis"));
        QCOMPARE(tree->topLevelItem(0)->text(JobsPanel::Reason), QStringLiteral("Resources"));
        QCOMPARE(panel.elapsedText(QStringLiteral("41")), QString()); // not started

        // Started 65 s ago (the tracker's update time): 1:05, then ticking.
        panel.updateJob(job(QStringLiteral("41"), QStringLiteral("RUNNING"), QDateTime::currentDateTimeUtc().addSecs(-65)));
        const QString first = panel.elapsedText(QStringLiteral("41"));
        QVERIFY2(first == QStringLiteral("1:05") || first == QStringLiteral("1:06"), qPrintable(first));
        QTRY_VERIFY_WITH_TIMEOUT(panel.elapsedText(QStringLiteral("41")) != first, 3000);
        // Ended: frozen at the end time.
        panel.updateJob(job(QStringLiteral("41"), QStringLiteral("COMPLETED")));
        const QString ended = panel.elapsedText(QStringLiteral("41"));
        QTest::qWait(1300);
        QCOMPARE(panel.elapsedText(QStringLiteral("41")), ended);
        QCOMPARE(JobsPanel::formatElapsed(3723), QStringLiteral("1:02:03"));
        QCOMPARE(JobsPanel::formatElapsed(42), QStringLiteral("0:42"));
    }

    void cancelAndOpenLogSignals()
    {
        JobsPanel panel;
        panel.updateJob(job(QStringLiteral("50"), QStringLiteral("RUNNING")));
        panel.updateJob(job(QStringLiteral("51"), QStringLiteral("COMPLETED")));
        QSignalSpy cancel(&panel, &JobsPanel::cancelRequested);
        QVERIFY(!panel.cancelAction()->isEnabled()); // nothing selected
        QVERIFY(panel.selectJob(QStringLiteral("51")));
        QVERIFY(!panel.cancelAction()->isEnabled()); // already ended
        QVERIFY(panel.selectJob(QStringLiteral("50")));
        QVERIFY(panel.cancelAction()->isEnabled());
        panel.cancelAction()->trigger();
        QCOMPARE(cancel.size(), 1);
        QCOMPARE(cancel.first().first().toString(), QStringLiteral("50"));
    }

    void mainWindowRoutesCancelAndLog()
    {
        // The job's log as the campaign downloads it: <state>/runs/<run>/<trial>/logs/<role>-<name>-<id>.out
        const auto j = job(QStringLiteral("77"), QStringLiteral("RUNNING"));
        const QString logs = fb::Paths::stateDir() + QStringLiteral("/runs/%1/%2/logs").arg(j.runId, j.trialId);
        QDir(logs).removeRecursively();
        QVERIFY(QDir().mkpath(logs));
        QFile f(logs + QStringLiteral("/service-redis-77.out"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("2026-11-23T13:00:00Z redis starting\nWARNING overcommit_memory is set to 0\nReady to accept connections\n");
        f.close();

        fb::gui::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.jobsPanel()->updateJob(j);
        QVERIFY(w.jobsPanel()->selectJob(QStringLiteral("77")));
        QCOMPARE(JobsPanel::localLogPath(j), f.fileName());

        QSignalSpy loaded(w.logsPanel(), &fb::gui::LogsPanel::loaded);
        w.jobsPanel()->openLogAction()->trigger();
        QVERIFY(loaded.wait(10000));
        QCOMPARE(loaded.first().first().toInt(), 3);
        QCOMPARE(w.logsPanel()->fileModel()->entry(1).level, fb::gui::LogEntry::Warning);
        QCOMPARE(w.logsPanel()->fileModel()->entry(0).node, QStringLiteral("node1"));

        // No campaign runs in this window: the runner refuses and the user is told.
        w.jobsPanel()->cancelAction()->trigger();
        QVERIFY2(w.statusBar()->currentMessage().contains(QStringLiteral("not part of a running campaign")),
                 qPrintable(w.statusBar()->currentMessage()));
        w.close();
    }

    void notificationChannel()
    {
        using C = CampaignNotifier::Channel;
        QCOMPARE(CampaignNotifier::choose(fb::session::RunState::Completed, true, true), C::Tray);
        QCOMPARE(CampaignNotifier::choose(fb::session::RunState::Failed, true, false), C::AlertAndStatusBar);
        QCOMPARE(CampaignNotifier::choose(fb::session::RunState::Failed, false, true), C::AlertAndStatusBar);
        QCOMPARE(CampaignNotifier::choose(fb::session::RunState::Cancelled, false, false), C::AlertAndStatusBar);
        QCOMPARE(CampaignNotifier::choose(fb::session::RunState::Detached, true, true), C::None); // the app is closing

        fb::session::CampaignResult ok;
        ok.runId = QStringLiteral("r1");
        ok.state = fb::session::RunState::Completed;
        ok.trialsCompleted = 3;
        ok.resultFiles = 3;
        auto n = CampaignNotifier::describe(ok);
        QVERIFY(!n.failed);
        QCOMPARE(n.title, QStringLiteral("Campaign completed"));
        QVERIFY2(n.body.contains(QStringLiteral("3 trial(s) completed")), qPrintable(n.body));
        fb::session::CampaignResult bad;
        bad.runId = QStringLiteral("r2");
        bad.state = fb::session::RunState::Failed;
        bad.error = QStringLiteral("t001 health: redis never answered\nmore");
        n = CampaignNotifier::describe(bad);
        QVERIFY(n.failed);
        QVERIFY(n.body.contains(QStringLiteral("redis never answered")));
        QVERIFY(!n.body.contains(QStringLiteral("more")));
        fb::session::CampaignResult cut;
        cut.runId = QStringLiteral("r3");
        cut.state = fb::session::RunState::Interrupted;
        cut.error = QStringLiteral("connection to u@h:22 lost for 300 s\njobs 12 13");
        n = CampaignNotifier::describe(cut);
        QVERIFY(n.failed);
        QCOMPARE(n.title, QStringLiteral("Campaign interrupted"));
        QVERIFY2(n.body.contains(QStringLiteral("lost for 300 s")) && n.body.contains(QStringLiteral("fbctl resume r3"))
                     && !n.body.contains(QStringLiteral("interrupted:")),
                 qPrintable(n.body));

        // Offscreen: no tray, so the window is alerted and the status bar says it.
        fb::gui::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        CampaignNotifier notifier(&w);
        QSignalSpy spy(&notifier, &CampaignNotifier::notified);
        const auto sent = notifier.notify(bad);
        QCOMPARE(sent.channel, QSystemTrayIcon::isSystemTrayAvailable() ? C::Tray : C::AlertAndStatusBar);
        QCOMPARE(spy.size(), 1);
        if (sent.channel == C::AlertAndStatusBar)
            QVERIFY(w.statusBar()->currentMessage().startsWith(QStringLiteral("Campaign failed")));
        fb::session::CampaignResult detached;
        detached.state = fb::session::RunState::Detached;
        QCOMPARE(notifier.notify(detached).channel, C::None);
        QCOMPARE(spy.size(), 1);
        w.close();
    }

    // Label cluster;gui (tst_jobspanel_cluster): Cancel job in the panel
    // scancels through the running campaign's connection — both a job of the
    // campaign and one the test submits itself with sbatch --wrap.
    void cancelsJobsOnCluster()
    {
        const QString dir = qEnvironmentVariable("FB_CLUSTER_DIR");
        if (dir.isEmpty())
            QSKIP("needs the mini-cluster (ctest -L cluster)");
        fb::ConnectionProfile profile;
        QString error;
        QVERIFY2(fb::ProfileStore::loadFile(dir + QStringLiteral("/profile.json"), &profile, &error), qPrintable(error));
        profile.name = QStringLiteral("mini-cluster");
        QTemporaryDir tmp;
        const QString recipe = tmp.filePath(QStringLiteral("jobcancel.yaml"));
        QFile rf(recipe);
        QVERIFY(rf.open(QIODevice::WriteOnly));
        rf.write(kSleeperRecipe);
        rf.close();

        fb::gui::MainWindow w;
        w.show();
        auto *runner = w.findChild<fb::session::CampaignRunner *>();
        QVERIFY(runner);
        QSignalSpy finished(runner, &fb::session::CampaignRunner::finished);
        fb::session::CampaignOptions o;
        o.recipePath = recipe;
        o.profileName = profile.name;
        o.fbloadPath = QStringLiteral("/bin/true"); // no client ever starts: no fbload needed
        o.pollFastMs = 500;
        QVERIFY(runner->start(o, profile));

        // The test's own connection: submit a job the campaign knows nothing of.
        fb::session::ClusterTransport link;
        QVERIFY2(link.open(profile, fb::session::ClusterTransport::Kind::OpenSsh), qPrintable(link.error()));
        const fb::CommandResult sb = remote(link.commands(), QStringLiteral("sbatch --parsable --partition=cpu --output=/dev/null --wrap 'sleep 60'"));
        QVERIFY2(sb.ok(), qPrintable(sb.describe()));
        const QString outsider = QString::fromUtf8(sb.stdOut).trimmed().section(QLatin1Char(';'), 0, 0);
        QVERIFY2(!outsider.isEmpty(), sb.stdOut.constData());

        // Wait for the campaign's service job to run (its state comes through jobChanged).
        QString service;
        auto *tree = w.jobsPanel()->findChild<QTreeWidget *>(QStringLiteral("jobTree"));
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     for (int i = 0; i < tree->topLevelItemCount(); ++i)
                                         if (tree->topLevelItem(i)->text(JobsPanel::State) == QLatin1String("RUNNING"))
                                             service = tree->topLevelItem(i)->text(JobsPanel::JobId);
                                     return !service.isEmpty();
                                 }()),
                                 90000);
        QVERIFY(runner->isRunning());

        // The outsider, shown in the panel and cancelled from it.
        auto rec = job(outsider, QStringLiteral("RUNNING"));
        w.jobsPanel()->updateJob(rec);
        QVERIFY(w.jobsPanel()->selectJob(outsider));
        w.jobsPanel()->cancelAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(slurmState(link.commands(), outsider), QStringLiteral("CANCELLED"), 30000);

        // The campaign's own job: the tracker reports it CANCELLED long before its 4 min health timeout.
        QVERIFY(w.jobsPanel()->selectJob(service));
        w.jobsPanel()->cancelAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(slurmState(link.commands(), service) == QLatin1String("CANCELLED"), 30000);
        QVERIFY(finished.isEmpty() || finished.first().first().value<fb::session::CampaignResult>().state != fb::session::RunState::Completed);
        runner->cancel();
        QVERIFY(finished.size() > 0 || finished.wait(90000));
        w.close();
    }
};

QTEST_MAIN(TestJobsPanel)
#include "tst_jobspanel.moc"
