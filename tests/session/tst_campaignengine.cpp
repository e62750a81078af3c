// The campaign engine's scheduling, failure and resume paths without a
// cluster: a FakeCluster (tests/session/FakeCluster.h) stands in for SSH and
// Slurm, a real RunStore records the run. Covers trial order, parallel
// trials (max_parallel_trials), a failing trial and service, stop on failure,
// cancel, and resume after a crash at every step of a run (parameterised:
// the crash freezes the store and the cluster as they were; resume must
// finish the run with no job submitted twice and no result downloaded twice)
// — each trial with services of its own (sweep.reuse_services: false) and
// with service groups: one service job per group, groups run contiguously,
// parallel trials in a group, a service that dies mid-group (its trial
// fails, the group's other trials are not run, resume restarts that group
// only), and the crash at every step of a grouped run.
#include "FakeCluster.h"

#include "session/Campaign.h"
#include "session/RunStore.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace fb::session;
using fb::test::FakeCluster;

namespace {

const char *kRecipe = R"(version: 1
metadata:
  name: fake-sweep
cluster:
  resources:
    partition: cpu
    time: 5m
    memory: 128M
services:
  - name: redis
    template: redis
    container: none
    ports:
      redis: 16379
clients:
  - name: kv
    service: redis
    workload: redis
    load:
      model: closed
      concurrency: [%1]
    duration: 2s
monitor:
  enabled: false
sweep:
  reuse_services: %2
)";

struct Harness
{
    QTemporaryDir dir;
    FakeCluster cluster;
    RunStore store;
    QString recipePath;

    explicit Harness(const QString &concurrency = QStringLiteral("1, 2"), bool reuse = false)
    {
        QString error;
        if (!store.open(storePath(), &error))
            qFatal("%s", qPrintable(error));
        recipePath = dir.filePath(QStringLiteral("fake.yaml"));
        QFile f(recipePath);
        if (!f.open(QIODevice::WriteOnly))
            qFatal("cannot write %s", qPrintable(recipePath));
        f.write(QString::fromLatin1(kRecipe).arg(concurrency, reuse ? QStringLiteral("true") : QStringLiteral("false")).toUtf8());
    }
    QString storePath() const { return dir.filePath(QStringLiteral("runs.sqlite")); }

    // Adds a sweep over the service's maxmemory ("64mb, 128mb"): one service group per value.
    bool sweepMaxmemory(const QByteArray &values)
    {
        QFile f(recipePath);
        if (!f.open(QIODevice::ReadWrite))
            return false;
        QByteArray text = f.readAll();
        const QByteArray ports = "    ports:\n      redis: 16379\n";
        if (!text.contains(ports))
            return false;
        text.replace(ports, ports + "    settings:\n      maxmemory: [" + values + "]\n");
        f.resize(0);
        return f.write(text) == text.size();
    }

    CampaignOptions options() const
    {
        CampaignOptions o;
        o.recipePath = recipePath;
        o.remoteWorkDir = QStringLiteral("/fake/work");
        o.fbloadPath = QStringLiteral("/fake/bin/fbload");
        o.localRunsDir = dir.filePath(QStringLiteral("runs"));
        o.pollFastMs = 2;
        o.pollSlowMs = 10;
        o.serviceReadyTimeoutMs = 60000;
        return o;
    }

    QStringList trialIds(const QString &runId) const
    {
        QStringList ids;
        for (const TrialRecord &t : store.trials(runId))
            ids << t.trialId;
        return ids;
    }
};

// The trial ids a run of this sweep plans (from a clean run on its own fake).
QStringList plannedIds(const QString &concurrency, bool reuse = false)
{
    Harness h(concurrency, reuse);
    Campaign c(&h.cluster, &h.cluster, &h.store);
    return h.trialIds(c.run(h.options()).runId);
}

} // namespace

class TestCampaignEngine : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        // After a simulated crash the engine's writes meet a closed store
        // (that is the point); keep Qt Sql's warning about each out of the log.
        static const QtMessageHandler previous = qInstallMessageHandler(nullptr);
        qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &context, const QString &message) {
            if (!message.contains(QLatin1String("database not open")))
                previous(type, context, message);
        });
    }

    void trialsRunInOrder()
    {
        Harness h(QStringLiteral("1, 2, 3"));
        Campaign c(&h.cluster, &h.cluster, &h.store);
        const CampaignResult r = c.run(h.options());
        QVERIFY2(r.state == RunState::Completed, qPrintable(r.error));
        QCOMPARE(r.trialsCompleted, 3);
        QCOMPARE(r.resultFiles, 3);
        QCOMPARE(r.jobsSubmitted, 6);
        const QStringList ids = h.trialIds(r.runId);
        QCOMPARE(ids.size(), 3);
        QCOMPARE(h.cluster.clientStartOrder, ids);
        QCOMPARE(h.cluster.maxTrialsRunning, 1);
        for (const QString &t : ids) {
            QCOMPARE(h.cluster.submissions(t, QStringLiteral("service:redis")), 1);
            QCOMPARE(h.cluster.submissions(t, QStringLiteral("client:kv")), 1);
        }
        QVERIFY2(h.cluster.unknownCommands.isEmpty(), qPrintable(h.cluster.unknownCommands.join(QLatin1Char('\n'))));
        for (const fb::test::FakeJob &j : std::as_const(h.cluster.jobs))
            QVERIFY2(j.terminal(), qPrintable(j.component + QLatin1Char(' ') + j.state)); // nothing left running
        QCOMPARE(h.store.run(r.runId)->state, RunState::Completed);
    }

    // max_parallel_trials 2: two trials at once, each with its own services
    // or both in one service group (one service job for the four trials).
    void parallelTrials_data()
    {
        QTest::addColumn<bool>("reuse");
        QTest::newRow("own services") << false;
        QTest::newRow("service group") << true;
    }
    void parallelTrials()
    {
        QFETCH(bool, reuse);
        Harness h(QStringLiteral("1, 2, 3, 4"), reuse);
        CampaignOptions o = h.options();
        o.maxParallelTrials = 2;
        Campaign c(&h.cluster, &h.cluster, &h.store);
        const CampaignResult r = c.run(o);
        QVERIFY2(r.state == RunState::Completed, qPrintable(r.error));
        QCOMPARE(r.trialsCompleted, 4);
        QCOMPARE(h.cluster.maxTrialsRunning, 2);
        QCOMPARE(h.store.run(r.runId)->manifest.value(QStringLiteral("max_parallel_trials")).toInt(), 2);
        if (reuse)
            QCOMPARE(h.cluster.submissions(QStringLiteral("g01"), QStringLiteral("service:redis")), 1);
        else
            for (const QString &t : h.trialIds(r.runId))
                QCOMPARE(h.cluster.submissions(t, QStringLiteral("service:redis")), 1);
    }

    void failingTrial()
    {
        Harness h(QStringLiteral("1, 2, 3"));
        const QString second = plannedIds(QStringLiteral("1, 2, 3")).value(1);
        h.cluster.failingTrials.insert(second);

        Campaign c(&h.cluster, &h.cluster, &h.store);
        const CampaignResult r = c.run(h.options());
        QCOMPARE(r.state, RunState::Failed);
        QCOMPARE(r.trialsCompleted, 2);
        QCOMPARE(r.trialsFailed, 1);
        QVERIFY2(r.error.contains(second) && r.error.contains(QStringLiteral("client:kv")) && r.error.contains(QStringLiteral("exit code 1"))
                     && r.error.contains(QStringLiteral("fake log tail")),
                 qPrintable(r.error));
        const QList<TrialRecord> trials = h.store.trials(r.runId);
        QCOMPARE(trials.value(1).state, TrialState::Failed);
        QCOMPARE(trials.value(2).state, TrialState::Completed); // the run goes on
        for (const fb::test::FakeJob &j : std::as_const(h.cluster.jobs))
            QVERIFY(j.terminal());
    }

    void stopOnFailure()
    {
        Harness h(QStringLiteral("1, 2, 3"));
        const QString firstId = plannedIds(QStringLiteral("1, 2, 3")).value(0);
        h.cluster.failingServiceTrials.insert(firstId);
        CampaignOptions o = h.options();
        o.stopOnFailure = true;
        Campaign c(&h.cluster, &h.cluster, &h.store);
        const CampaignResult r = c.run(o);
        QCOMPARE(r.state, RunState::Failed);
        QCOMPARE(r.trialsFailed, 1);
        QCOMPARE(r.trialsCompleted, 0);
        const QList<TrialRecord> trials = h.store.trials(r.runId);
        QCOMPARE(trials.value(0).state, TrialState::Failed);
        QCOMPARE(trials.value(0).phase, TrialPhase::Health);
        QVERIFY2(trials.value(0).error.contains(QStringLiteral("service:redis")) && trials.value(0).error.contains(QStringLiteral("FAILED")),
                 qPrintable(trials.value(0).error));
        QCOMPARE(trials.value(1).state, TrialState::Pending);
        QCOMPARE(trials.value(2).state, TrialState::Pending);
        QCOMPARE(h.cluster.submissions(firstId, QStringLiteral("client:kv")), 0);
    }

    void cancelStopsEverything()
    {
        Harness h(QStringLiteral("1, 2, 3"));
        h.cluster.clientPolls = 1000000; // clients never end by themselves
        Campaign c(&h.cluster, &h.cluster, &h.store);
        QObject::connect(&c, &Campaign::jobChanged, &c, [&](const JobRecord &j) {
            if (j.component == QLatin1String("client:kv") && j.state == JobState::Running)
                c.requestCancel();
        });
        const CampaignResult r = c.run(h.options());
        QCOMPARE(r.state, RunState::Cancelled);
        QCOMPARE(h.store.run(r.runId)->state, RunState::Cancelled);
        QCOMPARE(h.store.trials(r.runId).value(0).state, TrialState::Cancelled);
        QCOMPARE(h.store.trials(r.runId).value(1).state, TrialState::Pending);
        for (const fb::test::FakeJob &j : std::as_const(h.cluster.jobs))
            QVERIFY2(j.cancelled, qPrintable(j.component));
    }

    // A trial resumed while another runs keeps its port slot (the journal's
    // resume state), so its re-generated scripts match its running jobs.
    void resumedTrialKeepsItsSlot()
    {
        const QStringList ids = plannedIds(QStringLiteral("1, 2, 3"));
        auto harness = [&](Harness &h) {
            h.cluster.failingServiceTrials.insert(ids.value(0)); // t1 ends at once: t3 takes slot 0 while t2 holds slot 1
        };
        CampaignOptions base;
        int crashStep = 0;
        {
            Harness clean(QStringLiteral("1, 2, 3"));
            harness(clean);
            CampaignOptions o = clean.options();
            o.maxParallelTrials = 2;
            Campaign c(&clean.cluster, &clean.cluster, &clean.store);
            QCOMPARE(c.run(o).trialsCompleted, 2);
            // Crash right after the third trial's client is submitted.
            for (int i = 0; i < clean.cluster.commands.size() && !crashStep; ++i)
                if (clean.cluster.commands[i].contains(QLatin1String("sbatch")) && clean.cluster.commands[i].contains(ids.value(2) + QLatin1String(":client")))
                    crashStep = i + 2;
        }
        QVERIFY(crashStep > 0);
        Harness h(QStringLiteral("1, 2, 3"));
        harness(h);
        h.cluster.crashAtStep = crashStep;
        CampaignOptions o = h.options();
        o.maxParallelTrials = 2;
        CampaignResult first;
        {
            Campaign c(&h.cluster, &h.cluster, &h.store);
            h.cluster.onCrash = [&] {
                h.store.close();
                c.requestDetach();
            };
            first = c.run(o);
        }
        h.cluster.onCrash = nullptr;
        h.cluster.revive();
        QString error;
        QVERIFY2(h.store.open(h.storePath(), &error), qPrintable(error));
        QCOMPARE(h.store.trials(first.runId).value(1).state, TrialState::Running);
        o.recipePath.clear();
        o.resumeRunId = first.runId;
        Campaign c(&h.cluster, &h.cluster, &h.store);
        const CampaignResult r = c.run(o);
        QCOMPARE(r.trialsCompleted, 2);
        QCOMPARE(r.trialsFailed, 1);
        for (const QString &t : {ids.value(1), ids.value(2)}) {
            QList<QByteArray> versions;
            for (auto it = h.cluster.uploads.cbegin(); it != h.cluster.uploads.cend(); ++it)
                if (it.key().endsWith(t + QStringLiteral("/service-redis.sbatch")))
                    versions = it.value();
            QVERIFY2(versions.size() == 2, qPrintable(t)); // before the crash and on resume
            QVERIFY2(versions[0] == versions[1], qPrintable(t + QStringLiteral(": the resumed trial's ports changed")));
        }
        const auto port = [&](const QString &t) {
            for (auto it = h.cluster.uploads.cbegin(); it != h.cluster.uploads.cend(); ++it)
                if (it.key().endsWith(t + QStringLiteral("/service-redis.sbatch")))
                    return it.value().first().contains("16479") ? 1 : it.value().first().contains("16379") ? 0 : -1;
            return -1;
        };
        QCOMPARE(port(ids.value(1)), 1); // slot 1
        QCOMPARE(port(ids.value(2)), 0); // slot 0
    }

    // --- service groups (sweep.reuse_services: true) ---------------------------

    void groupSharesItsServices()
    {
        Harness h(QStringLiteral("1, 2, 4"), true);
        Campaign c(&h.cluster, &h.cluster, &h.store);
        const CampaignResult r = c.run(h.options());
        QVERIFY2(r.state == RunState::Completed, qPrintable(r.error));
        QCOMPARE(r.trialsCompleted, 3);
        QCOMPARE(r.jobsSubmitted, 4); // 1 service + 3 clients
        QCOMPARE(h.cluster.submissions(QStringLiteral("g01"), QStringLiteral("service:redis")), 1);
        const QStringList ids = h.trialIds(r.runId);
        QCOMPARE(h.cluster.clientStartOrder, ids);
        for (const QString &t : ids) {
            QCOMPARE(h.cluster.submissions(t, QStringLiteral("service:redis")), 0);
            QCOMPARE(h.cluster.submissions(t, QStringLiteral("client:kv")), 1);
        }
        // The clients were pointed at the group's folder for the endpoint.
        const QByteArray client = h.cluster.remoteFiles.value(QStringLiteral("/fake/work/runs/%1/%2/client-kv.sbatch").arg(r.runId, ids.first()));
        QVERIFY2(client.contains("export FB_SERVICES_DIR='/fake/work/runs/" + r.runId.toUtf8() + "/g01'"), client.constData());
        QVERIFY2(h.cluster.unknownCommands.isEmpty(), qPrintable(h.cluster.unknownCommands.join(QLatin1Char('\n'))));
        for (const fb::test::FakeJob &j : std::as_const(h.cluster.jobs))
            QVERIFY2(j.terminal(), qPrintable(j.component + QLatin1Char(' ') + j.state)); // the service is stopped after its group
        // Its logs come home to the group's folder and into each trial's merged log.
        QVERIFY(QFile::exists(h.dir.filePath(QStringLiteral("runs/%1/g01/merged.log")).arg(r.runId)));
    }

    // A sweep over a service field: one group per value, each group's trials together.
    void serviceFieldSweepGivesGroups()
    {
        Harness h(QStringLiteral("1, 2"), true);
        QVERIFY(h.sweepMaxmemory("64mb, 128mb, 256mb"));
        Campaign c(&h.cluster, &h.cluster, &h.store);
        const CampaignResult r = c.run(h.options());
        QVERIFY2(r.state == RunState::Completed, qPrintable(r.error));
        QCOMPARE(r.trialsCompleted, 6);
        for (const QString &g : {QStringLiteral("g01"), QStringLiteral("g02"), QStringLiteral("g03")})
            QCOMPARE(h.cluster.submissions(g, QStringLiteral("service:redis")), 1);
        QCOMPARE(h.cluster.submissions(QStringLiteral("g04"), QStringLiteral("service:redis")), 0);
        // Groups run contiguously: services in order, each group's clients between its service and the next.
        QStringList order;
        for (const fb::test::FakeJob &j : std::as_const(h.cluster.jobs))
            order << (j.role() == QLatin1String("service") ? j.trialId : QStringLiteral("c"));
        QCOMPARE(order.join(QLatin1Char(' ')), QStringLiteral("g01 c c g02 c c g03 c c"));
        // Each trial's parameters name its group.
        for (const TrialRecord &t : h.store.trials(r.runId)) {
            QFile p(h.dir.filePath(QStringLiteral("runs/%1/%2/parameters.json").arg(r.runId, t.trialId)));
            QVERIFY(p.open(QIODevice::ReadOnly));
            QVERIFY(p.readAll().contains("\"service_group\""));
        }
    }

    void failingGroupIsResumedAlone()
    {
        Harness h(QStringLiteral("1, 2, 3"), true);
        // Two groups of 3 trials; the first service to run long enough dies in group 2.
        QVERIFY(h.sweepMaxmemory("64mb, 128mb"));
        h.cluster.clientPolls = 2;
        Campaign first(&h.cluster, &h.cluster, &h.store);
        QObject::connect(&first, &Campaign::jobChanged, &first, [&](const JobRecord &j) {
            // Arm the killer once group 2's service runs: it dies during its first trial.
            if (j.trialId == QLatin1String("g02") && j.state == JobState::Running)
                h.cluster.serviceLifePolls = 2;
        });
        const CampaignResult r = first.run(h.options());
        QCOMPARE(r.state, RunState::Failed);
        QCOMPARE(h.cluster.servicesKilled, 1);
        QCOMPARE(r.trialsCompleted, 3);
        QCOMPARE(r.trialsFailed, 1);
        const QList<TrialRecord> trials = h.store.trials(r.runId);
        QCOMPARE(trials.size(), 6);
        QCOMPARE(trials[3].state, TrialState::Failed);
        QVERIFY2(trials[3].error.contains(QStringLiteral("service:redis")) && trials[3].error.contains(QStringLiteral("FAILED"))
                     && trials[3].error.contains(QStringLiteral("exit code 137")),
                 qPrintable(trials[3].error));
        for (int i : {4, 5}) {
            QCOMPARE(trials[i].state, TrialState::Pending);
            QVERIFY2(trials[i].error.startsWith(QStringLiteral("not run: service:redis")), qPrintable(trials[i].error));
        }
        for (const fb::test::FakeJob &j : std::as_const(h.cluster.jobs))
            QVERIFY2(j.terminal(), qPrintable(j.component + QLatin1Char(' ') + j.state));
        const int jobsBefore = int(h.cluster.jobs.size());
        const QHash<QString, int> downloadsBefore = h.cluster.answeredDownloads;

        // Resume: only group 2 starts again, for its two trials not run.
        CampaignOptions o = h.options();
        o.recipePath.clear();
        o.resumeRunId = r.runId;
        Campaign again(&h.cluster, &h.cluster, &h.store);
        const CampaignResult r2 = again.run(o);
        QCOMPARE(r2.trialsCompleted, 5);
        QCOMPARE(r2.trialsFailed, 1);
        QCOMPARE(h.cluster.submissions(QStringLiteral("g01"), QStringLiteral("service:redis")), 1);
        QCOMPARE(h.cluster.submissions(QStringLiteral("g02"), QStringLiteral("service:redis")), 2);
        QCOMPARE(int(h.cluster.jobs.size()) - jobsBefore, 3); // the new service and the two clients, nothing else
        for (auto it = h.cluster.answeredDownloads.cbegin(); it != h.cluster.answeredDownloads.cend(); ++it)
            if (it.key().contains(QLatin1String("/result-")))
                QVERIFY2(it.value() == 1 && (downloadsBefore.value(it.key()) == 1) != (it.key().contains(trials[4].trialId) || it.key().contains(trials[5].trialId)),
                         qPrintable(it.key())); // each result once: the first run's, then only the resumed trials'
        QCOMPARE(h.store.trials(r.runId)[4].state, TrialState::Completed);
        QCOMPARE(h.store.trials(r.runId)[5].state, TrialState::Completed);
    }

    void resumeAfterCrash_data()
    {
        // Count the steps (commands and transfers) of a clean run.
        QTest::addColumn<int>("step");
        QTest::addColumn<bool>("reuse");
        for (const bool reuse : {false, true}) {
            Harness clean(QStringLiteral("1, 2"), reuse);
            Campaign c(&clean.cluster, &clean.cluster, &clean.store);
            const CampaignResult r = c.run(clean.options());
            if (r.state != RunState::Completed)
                qFatal("the clean run did not complete: %s", qPrintable(r.error));
            for (int s = 1; s <= clean.cluster.steps(); ++s)
                QTest::addRow("%s %03d %s", reuse ? "group" : "own", s,
                              qPrintable(clean.cluster.commands.value(s - 1).replace(QRegularExpression(QStringLiteral("/fake/work/runs/[^/']+")), QStringLiteral("<run>")).left(60)))
                    << s << reuse;
        }
    }

    void resumeAfterCrash()
    {
        QFETCH(int, step);
        QFETCH(bool, reuse);
        Harness h(QStringLiteral("1, 2"), reuse);
        h.cluster.crashAtStep = step;
        CampaignResult first;
        {
            Campaign c(&h.cluster, &h.cluster, &h.store);
            h.cluster.onCrash = [&] {
                h.store.close(); // nothing after the crash reaches the store
                c.requestDetach();
            };
            first = c.run(h.options());
        }
        h.cluster.onCrash = nullptr;
        h.cluster.revive();
        QString error;
        QVERIFY2(h.store.open(h.storePath(), &error), qPrintable(error));
        if (!h.store.run(first.runId)) {
            // Crashed before the run was recorded: nothing to resume, nothing submitted.
            QCOMPARE(h.cluster.jobs.size(), 0);
            return;
        }
        CampaignOptions o = h.options();
        o.recipePath.clear();
        o.resumeRunId = first.runId;
        Campaign c(&h.cluster, &h.cluster, &h.store);
        const CampaignResult r = c.run(o);
        QVERIFY2(r.state == RunState::Completed, qPrintable(stateName(r.state) + QStringLiteral(": ") + r.error));
        QCOMPARE(r.trialsCompleted, 2);
        const QStringList ids = h.trialIds(r.runId);
        QCOMPARE(ids.size(), 2);
        for (const QString &t : ids) {
            QCOMPARE(h.cluster.submissions(t, QStringLiteral("service:redis")), reuse ? 0 : 1);
            QCOMPARE(h.cluster.submissions(t, QStringLiteral("client:kv")), 1);
            QCOMPARE(h.store.resultFiles(r.runId, t).size(), 1);
        }
        if (reuse)
            QCOMPARE(h.cluster.submissions(QStringLiteral("g01"), QStringLiteral("service:redis")), 1);
        for (auto it = h.cluster.answeredDownloads.cbegin(); it != h.cluster.answeredDownloads.cend(); ++it)
            if (it.key().contains(QLatin1String("/result-")))
                QVERIFY2(it.value() == 1, qPrintable(it.key()));
        for (const fb::test::FakeJob &j : std::as_const(h.cluster.jobs))
            QVERIFY2(j.terminal(), qPrintable(j.component + QLatin1Char(' ') + j.state));
    }
};

QTEST_GUILESS_MAIN(TestCampaignEngine)
#include "tst_campaignengine.moc"
