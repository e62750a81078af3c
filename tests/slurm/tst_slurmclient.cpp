// Tests SlurmClient's command lines and its parsers on output captured from
// Slurm 22.05 (squeue -O, scontrol -o show job, sacct -P, sbatch --parsable).
#include "slurm/SlurmClient.h"

#include <QTest>

using namespace fb::slurm;

class TestSlurmClient : public QObject
{
    Q_OBJECT
private slots:
    void jobStates_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("state");
        QTest::newRow("running") << "RUNNING" << int(JobState::Running);
        QTest::newRow("cancelled by") << "CANCELLED by 1001" << int(JobState::Cancelled);
        QTest::newRow("oom") << "OUT_OF_MEMORY" << int(JobState::OutOfMemory);
        QTest::newRow("compact") << "CD" << int(JobState::Completed);
        QTest::newRow("timeout") << "TIMEOUT" << int(JobState::Timeout);
        QTest::newRow("node fail") << "NODE_FAIL" << int(JobState::NodeFail);
        QTest::newRow("sacct truncated") << "CANCELLED+" << int(JobState::Cancelled);
        QTest::newRow("garbage") << "WHATEVER" << int(JobState::Unknown);
    }
    void jobStates()
    {
        QFETCH(QString, text);
        QFETCH(int, state);
        QCOMPARE(int(parseJobState(text)), state);
    }

    void terminalStates()
    {
        QVERIFY(isTerminal(JobState::Timeout));
        QVERIFY(isTerminal(JobState::OutOfMemory));
        QVERIFY(!isTerminal(JobState::Pending));
        QVERIFY(!isTerminal(JobState::Completing));
    }

    void sbatchCommandQuotes()
    {
        SubmitOptions o;
        o.jobName = QStringLiteral("fb redis;rm -rf ~");
        o.workDir = QStringLiteral("/scratch/u100/run 1");
        o.afterOk = {QStringLiteral("12"), QStringLiteral("13")};
        QCOMPARE(SlurmClient::sbatchCommand(QStringLiteral("/home/u/x.sbatch"), o),
                 QStringLiteral("sbatch --parsable --job-name='fb redis;rm -rf ~' --chdir='/scratch/u100/run 1' "
                                "--dependency=afterok:12:13 /home/u/x.sbatch"));
    }

    void parseSbatch_data()
    {
        QTest::addColumn<QByteArray>("out");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("error");
        QTest::newRow("plain") << QByteArray("4242\n") << 0 << "4242" << "";
        QTest::newRow("cluster") << QByteArray("4242;meluxina\n") << 0 << "4242" << "";
        QTest::newRow("warning first") << QByteArray("sbatch: warning: x\n77\n") << 0 << "77" << "";
        QTest::newRow("no id") << QByteArray("hello\n") << 0 << ""
                               << "sbatch on u@h:1 printed no job id: \"hello\"";
    }
    void parseSbatch()
    {
        QFETCH(QByteArray, out);
        QFETCH(int, code);
        QFETCH(QString, id);
        QFETCH(QString, error);
        fb::CommandResult r;
        r.exitCode = code;
        r.stdOut = out;
        const SubmitResult s = SlurmClient::parseSbatch(r, QStringLiteral("u@h:1"));
        QCOMPARE(s.jobId, id);
        QCOMPARE(s.error, error);
    }

    void sbatchFailureNamesHost()
    {
        fb::CommandResult r;
        r.exitCode = 1;
        r.stdErr = "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified\n";
        const SubmitResult s = SlurmClient::parseSbatch(r, QStringLiteral("u100@login.lxp.lu:8822"));
        QVERIFY(s.jobId.isEmpty());
        QCOMPARE(s.error, QStringLiteral("sbatch on u100@login.lxp.lu:8822 failed: sbatch: error: Batch job submission "
                                         "failed: Invalid account or account/partition combination specified"));
    }

    void parseSqueue()
    {
        const QByteArray out =
            "1|wrap|FAILED|NonZeroExitCode|vm|0:00|UNLIMITED|cpu|/home/fbuser/slurm-1.out|/home/fbuser/slurm-1.out|"
            "2026-11-23T09:13:16|2026-11-23T09:13:16|\n"
            "2|fb-redis|RUNNING|None|mel[2001-2002]|1:02|1:00:00|gpu|/h/o|/h/e|2026-11-23T09:13:16|2026-11-23T10:13:16|\n"
            "3|pend|PENDING|Resources||0:00|5:00|cpu|/h/o|/h/e|N/A|N/A|\n"
            "garbage line\n";
        const QList<JobInfo> jobs = SlurmClient::parseSqueue(out);
        QCOMPARE(jobs.size(), 3);
        QCOMPARE(jobs[0].state, JobState::Failed);
        QCOMPARE(jobs[0].reason, QStringLiteral("NonZeroExitCode"));
        QCOMPARE(jobs[1].nodes, (QStringList{"mel2001", "mel2002"}));
        QCOMPARE(jobs[1].partition, QStringLiteral("gpu"));
        QCOMPARE(jobs[1].startTime, QDateTime::fromString(QStringLiteral("2026-11-23T09:13:16"), Qt::ISODate));
        QCOMPARE(jobs[2].state, JobState::Pending);
        QCOMPARE(jobs[2].reason, QStringLiteral("Resources"));
        QVERIFY(jobs[2].nodes.isEmpty());
        QVERIFY(!jobs[2].startTime.isValid());
    }

    void parseScontrol()
    {
        const QByteArray out =
            "#scontrol\n"
            "JobId=1 JobName=wrap UserId=fbuser(1001) GroupId=fbuser(1001) MCS_label=N/A Priority=1 Nice=0 "
            "Account=(null) QOS=(null) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) Requeue=1 Restarts=0 "
            "BatchFlag=1 Reboot=0 ExitCode=3:0 RunTime=00:00:00 TimeLimit=UNLIMITED TimeMin=N/A "
            "StartTime=2026-11-23T09:13:16 EndTime=2026-11-23T09:13:16 Partition=cpu NodeList=vm "
            "StdErr=/home/fbuser/slurm-1.out StdIn=/dev/null StdOut=/home/fbuser/slurm-1.out\n"
            "JobId=9 JobName=t JobState=TIMEOUT Reason=TimeLimit ExitCode=0:15 NodeList=mel[1-2] Partition=gpu\n";
        const QList<JobInfo> jobs = SlurmClient::parseScontrol(out);
        QCOMPARE(jobs.size(), 2);
        QCOMPARE(jobs[0].id, QStringLiteral("1"));
        QCOMPARE(jobs[0].state, JobState::Failed);
        QCOMPARE(jobs[0].exitCode, 3);
        QCOMPARE(jobs[0].stdErrPath, QStringLiteral("/home/fbuser/slurm-1.out"));
        QCOMPARE(jobs[1].state, JobState::Timeout);
        QCOMPARE(jobs[1].exitSignal, 15);
        QCOMPARE(jobs[1].nodes, (QStringList{"mel1", "mel2"}));
    }

    void parseSacct()
    {
        const QByteArray out = "812|fb-vllm|OUT_OF_MEMORY|0:125|mel2101|00:10:02|2026-11-20T10:00:00|2026-11-20T10:10:02|gpu\n"
                               "813|fb-cli|CANCELLED by 5001|0:15|None assigned|00:00:00|Unknown|2026-11-20T10:10:05|cpu\n";
        const QList<JobInfo> jobs = SlurmClient::parseSacct(out);
        QCOMPARE(jobs.size(), 2);
        QCOMPARE(jobs[0].state, JobState::OutOfMemory);
        QCOMPARE(jobs[0].exitSignal, 125);
        QCOMPARE(jobs[1].state, JobState::Cancelled);
        QVERIFY(jobs[1].nodes.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestSlurmClient)
#include "tst_slurmclient.moc"
