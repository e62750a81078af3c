// JobTracker against the mini-cluster's real Slurm (over OpenSSH as the
// cluster user): a job is followed to COMPLETED, a failing job reports its
// exit code, a job cancelled from outside is noticed within one poll, and a
// job past its time limit ends as TIMEOUT.
#include "ssh/OpenSshRunner.h"
#include "slurm/JobTracker.h"

#include <QSignalSpy>
#include <QTest>

using namespace fb::slurm;

class TestJobTracker : public QObject
{
    Q_OBJECT
    fb::ConnectionProfile m_profile;
    std::unique_ptr<fb::OpenSshRunner> m_runner;
    std::unique_ptr<SlurmClient> m_client;

    QString submit(const QString &wrap, const QStringList &extra = {})
    {
        SubmitOptions o;
        o.jobName = QStringLiteral("fbtest");
        o.extraArgs = QStringList{QStringLiteral("--wrap=") + wrap, QStringLiteral("--output=/dev/null")} + extra;
        auto f = m_client->submit(QString(), o);
        if (!QTest::qWaitFor([&] { return f.isFinished(); }, 30000))
            return {};
        const SubmitResult r = f.result();
        if (!r.error.isEmpty())
            qWarning() << r.error;
        return r.jobId;
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(fb::ProfileStore::loadFile(qEnvironmentVariable("FB_CLUSTER_DIR") + QStringLiteral("/profile.json"),
                                            &m_profile, &error),
                 qPrintable(error));
        m_runner = std::make_unique<fb::OpenSshRunner>(m_profile);
        m_client = std::make_unique<SlurmClient>(m_runner.get());
    }

    void followsJobToCompletion()
    {
        const QString id = submit(QStringLiteral("sleep 2"));
        QVERIFY(!id.isEmpty());
        JobTracker tracker(m_client.get());
        tracker.setIntervals(300, 2000);
        QList<JobState> seen;
        connect(&tracker, &JobTracker::jobChanged, this, [&](const JobInfo &j) {
            if (seen.isEmpty() || seen.last() != j.state)
                seen << j.state;
        });
        QSignalSpy finished(&tracker, &JobTracker::jobFinished);
        tracker.track(id);
        QVERIFY(finished.wait(30000));
        const JobInfo j = finished.first().first().value<JobInfo>();
        QCOMPARE(j.state, JobState::Completed);
        QCOMPARE(j.exitCode, 0);
        QCOMPARE(j.name, QStringLiteral("fbtest"));
        QVERIFY(!j.nodes.isEmpty());
        QVERIFY2(seen.contains(JobState::Running), "the tracker saw the job running");
        QVERIFY(tracker.jobs().size() == 1);
    }

    void failingJobReportsExitCode()
    {
        const QString id = submit(QStringLiteral("exit 3"));
        JobTracker tracker(m_client.get());
        tracker.setIntervals(300, 2000);
        QSignalSpy finished(&tracker, &JobTracker::jobFinished);
        tracker.track(id);
        QVERIFY(finished.wait(30000));
        const JobInfo j = finished.first().first().value<JobInfo>();
        QCOMPARE(j.state, JobState::Failed);
        QCOMPARE(j.exitCode, 3);
        QCOMPARE(j.reason, QStringLiteral("NonZeroExitCode"));
    }

    void externalCancelAndTimeout()
    {
        // The time-limited job goes first: Slurm enforces limits in whole minutes.
        const QString timed = submit(QStringLiteral("sleep 300"), {QStringLiteral("--time=1")});
        const QString victim = submit(QStringLiteral("sleep 300"));
        QVERIFY(!timed.isEmpty() && !victim.isEmpty());
        JobTracker tracker(m_client.get());
        tracker.setIntervals(500, 1000);
        QSignalSpy finished(&tracker, &JobTracker::jobFinished);
        tracker.track(victim);
        tracker.track(timed);
        QVERIFY(QTest::qWaitFor([&] { return tracker.job(victim).state == JobState::Running; }, 30000));

        // Cancelled by someone else (another terminal): noticed within one poll.
        auto c = m_runner->run(QStringLiteral("scancel ") + victim);
        QVERIFY(QTest::qWaitFor([&] { return c.isFinished(); }, 30000));
        QVERIFY(c.result().ok());
        const int pollsAtCancel = tracker.pollCount();
        QVERIFY(QTest::qWaitFor([&] { return tracker.job(victim).state == JobState::Cancelled; }, 10000));
        QVERIFY2(tracker.pollCount() - pollsAtCancel <= 2,
                 qPrintable(QStringLiteral("took %1 polls").arg(tracker.pollCount() - pollsAtCancel)));

        // The time-limited job: TIMEOUT within Slurm's enforcement period.
        QVERIFY(QTest::qWaitFor([&] { return tracker.job(timed).state == JobState::Timeout; }, 120000));
        QCOMPARE(finished.size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestJobTracker)
#include "tst_jobtracker.moc"
