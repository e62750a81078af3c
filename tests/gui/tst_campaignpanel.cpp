// The Session dock's plan: SessionPlan against the shipped example recipes
// (trial counts, jobs, node-hours from the scripts' time limits, the wall
// time estimate), the Slurm time parser, and the CampaignPanel's plan table
// and summary line built from it off the GUI thread.
#include "panels/CampaignPanel.h"
#include "panels/SessionPlan.h"

#include "recipe/BatchScriptGenerator.h"
#include "recipe/Quantities.h"

#include <QDir>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using fb::gui::SessionPlan;

class TestCampaignPanel : public QObject
{
    Q_OBJECT
private slots:
    void slurmTime()
    {
        QCOMPARE(fb::recipe::parseSlurmTimeLimit(QStringLiteral("00:10:00")), 600.0);
        QCOMPARE(fb::recipe::parseSlurmTimeLimit(QStringLiteral("1-02:00:30")), 86400.0 + 7200 + 30);
        QCOMPARE(fb::recipe::parseSlurmTimeLimit(QStringLiteral("5:30")), 330.0);
        QCOMPARE(fb::recipe::parseSlurmTimeLimit(QStringLiteral("45")), 2700.0);
        QCOMPARE(fb::recipe::parseSlurmTimeLimit(QStringLiteral("2-1")), 2 * 86400.0 + 3600);
        QCOMPARE(fb::recipe::parseSlurmTimeLimit(QStringLiteral("UNLIMITED")), 0.0);
        QCOMPARE(fb::recipe::parseSlurmTimeLimit(QString()), 0.0);
    }

    void jobFromScript()
    {
        // The table reads the script's typed request, not its text.
        fb::recipe::Resources r;
        r.partition = QStringLiteral("gpu");
        r.time = 5400;
        r.nodes = 2;
        r.cpusPerTask = 8;
        r.memory = 4000LL << 20;
        r.gpusPerNode = 4;
        fb::recipe::BatchScript s{QStringLiteral("service"), QStringLiteral("redis"), QStringLiteral("fb-t001-service-redis"),
                                  QStringLiteral("service-redis.sbatch"), QStringLiteral("#!/bin/bash\necho '#SBATCH --partition=not-a-directive'\n"),
                                  fb::recipe::JobRequest::fromResources(r, QStringLiteral("service"), QStringLiteral("redis"),
                                                                        QStringLiteral("fb-t001-service-redis"), QStringLiteral("logs/x-%j.out"),
                                                                        QStringLiteral("service redis resources"))};
        const auto j = fb::gui::PlannedJob::fromScript(s);
        QCOMPARE(j.partition, QStringLiteral("gpu"));
        QCOMPARE(j.timeLimit, QStringLiteral("01:30:00"));
        QCOMPARE(j.timeLimitSeconds, 5400.0);
        QCOMPARE(j.nodes, 2);
        QCOMPARE(j.cpusPerTask, QStringLiteral("8"));
        QCOMPARE(j.memory, QStringLiteral("4000M"));
        QCOMPARE(j.gres, QStringLiteral("gpu:4"));
    }

    // Every example plans; the trial count and node-hours follow from the
    // recipe: trials = product of the swept axes, node-hours = Σ nodes × time limit.
    void examples_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("trials");
        QTest::addColumn<int>("jobsPerTrial");
        QTest::addColumn<double>("nodeHours");
        QTest::addColumn<double>("wallSeconds");
        QTest::addColumn<double>("scrape"); // monitor.scrape_interval: the live dashboard's rate window follows it
        // The trials share one redis (sweep.reuse_services): jobs = 1 + trials × 2.
        // 3 trials (concurrency 1/2/4) × 1 node × (monitor 10 min + client 10 min,
        // the recipe's cluster time) + redis 1 h (the redis service template)
        // once; each trial's client runs 1 s + 3 s.
        QTest::newRow("local-redis") << QStringLiteral("local-redis.yaml") << 3 << 2 << (60 + 3 * 20) / 60.0 << 3 * 4.0 << 1.0;
        // 3 × 3 × 3 trials × 1 node × (monitor 30 min + client 30 min) + redis 1 h;
        // each trial runs 5 s + 1 min, one at a time.
        QTest::newRow("redis-sweep") << QStringLiteral("redis-sweep.yaml") << 27 << 2 << 1 + 27 * 1.0 << 27 * 65.0 << 2.0;
    }
    void examples()
    {
        QFETCH(QString, file);
        QFETCH(int, trials);
        QFETCH(int, jobsPerTrial);
        QFETCH(double, nodeHours);
        QFETCH(double, wallSeconds);
        QFETCH(double, scrape);
        const SessionPlan p = SessionPlan::build(QStringLiteral(FB_SOURCE_DIR "/recipes/examples/") + file);
        QVERIFY2(p.ok, qPrintable(p.diagnostics));
        QCOMPARE(int(p.trials.size()), trials);
        QCOMPARE(p.jobCount(), 1 + trials * jobsPerTrial);
        QCOMPARE(p.jobsWithoutTimeLimit(), 0);
        QCOMPARE(p.serviceGroups.size(), 1);
        QVERIFY2(p.serviceGroups.first().startsWith(QStringLiteral("g01: redis — t001 t002 t003")), qPrintable(p.serviceGroups.first()));
        QVERIFY(p.nodeHoursWithoutReuse() > p.nodeHours());
        // The group's service job is listed once, with its first trial; its script comes from the group's folder.
        QCOMPARE(p.trials[0].jobs.size(), 1 + jobsPerTrial);
        QCOMPARE(p.trials[1].jobs.size(), jobsPerTrial);
        QVERIFY(p.trials[0].scripts.contains(QStringLiteral("g01/service-redis.sbatch (service job, shared by the %1 trials of service group g01)").arg(trials)));
        QVERIFY(!p.trials[1].scripts.contains(QStringLiteral("service-redis.sbatch")));
        QVERIFY2(qFuzzyCompare(p.nodeHours(), nodeHours), qPrintable(QString::number(p.nodeHours())));
        QVERIFY2(qFuzzyCompare(p.estimatedWallSeconds(), wallSeconds), qPrintable(QString::number(p.estimatedWallSeconds())));
        QCOMPARE(p.workload, QStringLiteral("redis"));
        QVERIFY(p.monitor);
        QCOMPARE(p.scrapeInterval, scrape);
        const QString summary = p.summary();
        QVERIFY2(summary.startsWith(QStringLiteral("%1 trials in 1 service group · %2 jobs · ").arg(trials).arg(1 + trials * jobsPerTrial)), qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("%1 node-hours (estimated, from time limits); %2 without service reuse")
                                      .arg(QString::number(nodeHours, 'g', 3), QString::number(p.nodeHoursWithoutReuse(), 'g', 3))),
                 qPrintable(summary));
        for (const auto &t : p.trials) {
            QVERIFY(t.error.isEmpty());
            QVERIFY(t.scripts.contains(QStringLiteral("#SBATCH --job-name=fb-%1-").arg(t.id)));
        }
    }

    void everyExamplePlans()
    {
        const QDir dir(QStringLiteral(FB_SOURCE_DIR "/recipes/examples"));
        const QStringList files = dir.entryList({QStringLiteral("*.yaml")});
        QVERIFY(files.size() >= 5);
        for (const QString &f : files) {
            const SessionPlan p = SessionPlan::build(dir.filePath(f));
            QVERIFY2(p.ok, qPrintable(f + QLatin1String(": ") + p.diagnostics));
            QVERIFY2(!p.trials.isEmpty() && p.jobCount() >= int(p.trials.size()), qPrintable(f));
            QVERIFY2(p.nodeHours() > 0, qPrintable(f)); // every example sets cluster.resources.time
        }
    }

    // An external service (services[].external) has no job and no node-hours; the summary names it.
    void externalServiceHasNoJob()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile f(dir.filePath(QStringLiteral("external.yaml")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("version: 1\ncluster:\n  resources: {partition: cpu, time: 30m}\nservices:\n"
                "  - {name: redis, kind: redis, external: {host: db1, port: 6379}}\n"
                "clients:\n  - {name: kv, service: redis, workload: redis, duration: 2s}\n");
        f.close();
        const SessionPlan p = SessionPlan::build(f.fileName());
        QVERIFY2(p.ok, qPrintable(p.diagnostics));
        QCOMPARE(p.jobCount(), 1);
        QCOMPARE(p.trials[0].jobs[0].role, QStringLiteral("client"));
        QVERIFY(qFuzzyCompare(p.nodeHours(), 0.5));
        QCOMPARE(p.externalServices, QStringList{QStringLiteral("redis at db1:6379")});
        QVERIFY2(p.summary().startsWith(QStringLiteral("1 trial · 1 job · external (no job): redis at db1:6379 · 0.5 node-hours")), qPrintable(p.summary()));
    }

    void brokenRecipe()
    {
        const SessionPlan missing = SessionPlan::build(QStringLiteral("/nonexistent/recipe.yaml"));
        QVERIFY(!missing.ok);
        QVERIFY(missing.diagnostics.contains(QStringLiteral("/nonexistent/recipe.yaml")));
        QVERIFY(missing.summary().isEmpty());
    }

    // The panel shows the plan: one top-level row per trial, its jobs below,
    // the summary line, and the selected trial's scripts.
    void panelTable()
    {
        fb::session::CampaignRunner runner;
        fb::gui::CampaignPanel panel(&runner);
        QSignalSpy planned(&panel, &fb::gui::CampaignPanel::planReady);
        panel.setRecipePath(QStringLiteral(FB_SOURCE_DIR "/recipes/examples/local-redis.yaml"));
        QVERIFY(planned.wait(20000));
        QCOMPARE(planned.first().first().toBool(), true);
        QCOMPARE(panel.planRowCount(), 3);
        QVERIFY2(panel.planSummary().startsWith(QStringLiteral("3 trials in 1 service group · 7 jobs · 2 node-hours")), qPrintable(panel.planSummary()));
        QCOMPARE(panel.trialCell(QStringLiteral("t002"), fb::gui::CampaignPanel::ParametersColumn),
                 QStringLiteral("clients[0].load.concurrency=2"));
        QCOMPARE(panel.trialCell(QStringLiteral("t001"), fb::gui::CampaignPanel::PartitionColumn), QStringLiteral("cpu"));
        QCOMPARE(panel.trialCell(QStringLiteral("t001"), fb::gui::CampaignPanel::TimeColumn), QStringLiteral("01:00:00")); // the longest
        QCOMPARE(panel.trialCell(QStringLiteral("t001"), fb::gui::CampaignPanel::NodesColumn), QStringLiteral("3"));
        QCOMPARE(panel.trialCell(QStringLiteral("t001"), fb::gui::CampaignPanel::StateColumn), QStringLiteral("planned"));
        auto *table = panel.findChild<QTreeWidget *>(QStringLiteral("planTable"));
        QVERIFY(table);
        QTreeWidgetItem *t1 = table->topLevelItem(0);
        QCOMPARE(t1->childCount(), 3);
        QStringList jobs;
        for (int i = 0; i < t1->childCount(); ++i)
            jobs << t1->child(i)->text(fb::gui::CampaignPanel::TrialColumn);
        // The shared service is listed with the group's first trial.
        QVERIFY2(jobs.contains(QStringLiteral("service redis (service group g01)")) && jobs.contains(QStringLiteral("client kv"))
                     && jobs.contains(QStringLiteral("monitor")),
                 qPrintable(jobs.join(QLatin1Char(','))));
        for (int i = 0; i < t1->childCount(); ++i)
            if (t1->child(i)->text(0) == QLatin1String("service redis (service group g01)")) {
                QCOMPARE(t1->child(i)->text(fb::gui::CampaignPanel::CpusColumn), QStringLiteral("1"));
                QCOMPARE(t1->child(i)->text(fb::gui::CampaignPanel::MemoryColumn), QStringLiteral("256M"));
            }
        // Selecting a trial (or one of its jobs) previews that trial's scripts.
        auto *preview = panel.findChild<QPlainTextEdit *>(QStringLiteral("scriptPreview"));
        QVERIFY(preview);
        table->setCurrentItem(table->topLevelItem(2)->child(0));
        QVERIFY(preview->toPlainText().contains(QStringLiteral("fb-t003-")));
        QVERIFY(!preview->toPlainText().contains(QStringLiteral("fb-t001-")));
    }
};

QTEST_MAIN(TestCampaignPanel)
#include "tst_campaignpanel.moc"
