// End to end on the mini-cluster (real sshd, real Slurm, real redis-server,
// Prometheus and fbload built on the "cluster"): drives the fbctl binary the
// way a user or CI would, then checks on the cluster itself what happened.
#include "ssh/ConnectionProfile.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <csignal>

class TestCampaign : public QObject
{
    Q_OBJECT
    fb::ConnectionProfile m_profile;
    QString m_profileFile;
    QString m_fbctl = QStringLiteral(FB_BINARY_DIR "/core/fbctl/fbctl");
    QString m_recipes = QStringLiteral(FB_SOURCE_DIR "/recipes/examples");
    QString m_data = QStringLiteral(FB_TEST_SOURCE_DIR "/data");

    QString ssh(const QString &command)
    {
        QProcess p;
        p.start(QStringLiteral("ssh"),
                {QStringLiteral("-o"), QStringLiteral("BatchMode=yes"), QStringLiteral("-o"),
                 QStringLiteral("UserKnownHostsFile=") + m_profile.knownHostsFile, QStringLiteral("-i"), m_profile.identityFile,
                 QStringLiteral("-p"), QString::number(m_profile.port), m_profile.user + QLatin1Char('@') + m_profile.host, command});
        p.waitForFinished(60000);
        return QString::fromUtf8(p.readAllStandardOutput());
    }

    struct Fbctl
    {
        int exitCode = -1;
        QString out;
        QString err;
    };

    Fbctl fbctl(const QStringList &args, int timeoutMs = 600000)
    {
        QProcess p;
        p.start(m_fbctl, args);
        if (!p.waitForFinished(timeoutMs)) {
            p.kill();
            p.waitForFinished();
        }
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

    static QString runIdOf(const QString &output)
    {
        static const QRegularExpression re(QStringLiteral("run (\\d{8}-\\d{6}-[A-Za-z0-9_.-]+-[0-9a-f]{4})"));
        return re.match(output).captured(1);
    }

    // Every job Slurm has seen for `runId` (MinJobAge keeps ended jobs listed): comment per job.
    QStringList slurmJobsOf(const QString &runId, const QString &states = QStringLiteral("all"))
    {
        QStringList jobs;
        for (const QString &line : ssh(QStringLiteral("squeue --me --noheader --states=%1 --format='%i|%k'").arg(states)).split(QLatin1Char('\n')))
            if (line.contains(QStringLiteral("factorybench:%1:").arg(runId)))
                jobs << line.trimmed();
        return jobs;
    }

    QStringList resultLines(const QString &runId)
    {
        const Fbctl r = fbctl({QStringLiteral("results"), runId});
        return r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    }

private slots:
    void initTestCase()
    {
        const QString dir = qEnvironmentVariable("FB_CLUSTER_DIR");
        QVERIFY2(!dir.isEmpty(), "FB_CLUSTER_DIR is not set: run through ctest (minicluster fixture)");
        m_profileFile = dir + QStringLiteral("/profile.json");
        QString error;
        QVERIFY2(fb::ProfileStore::loadFile(m_profileFile, &m_profile, &error), qPrintable(error));
        QVERIFY(QFile::exists(m_fbctl));
    }

    // The local Redis demo, 3 trials: a redis-server job, a Prometheus job and
    // an fbload client job per trial, three checksummed results, manifest and
    // merged logs, nothing left running.
    void runsLocalRedisSweepEndToEnd()
    {
        const Fbctl r = fbctl({QStringLiteral("run"), m_recipes + QStringLiteral("/local-redis.yaml"), QStringLiteral("--profile-file"), m_profileFile});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        const QString runId = runIdOf(r.out);
        QVERIFY2(!runId.isEmpty(), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("3 completed, 0 failed")), qPrintable(r.out));

        const QStringList results = resultLines(runId);
        QCOMPARE(results.size(), 3);
        const QJsonObject manifest = QJsonDocument::fromJson([&] {
            QFile f(qEnvironmentVariable("FB_STATE_DIR") + QStringLiteral("/runs/") + runId + QStringLiteral("/manifest.json"));
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }()).object();
        QCOMPARE(manifest.value(QStringLiteral("state")).toString(), QStringLiteral("completed"));
        const QString remoteDir = manifest.value(QStringLiteral("remote_dir")).toString();
        QVERIFY(!remoteDir.isEmpty());
        QCOMPARE(manifest.value(QStringLiteral("trials")).toArray().size(), 3);
        for (const QString &line : results) {
            // trial  sha256  size  local path — the local file matches the remote one.
            const QStringList f = line.split(QLatin1Char('\t'));
            QCOMPARE(f.size(), 4);
            QFile local(f[3]);
            QVERIFY2(local.open(QIODevice::ReadOnly), qPrintable(f[3]));
            const QByteArray data = local.readAll();
            QCOMPARE(QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex()), f[1]);
            const QString remoteSum = ssh(QStringLiteral("sha256sum %1/%2/result-kv.json").arg(remoteDir, f[0])).section(QLatin1Char(' '), 0, 0);
            QCOMPARE(remoteSum, f[1]);
            const QJsonObject result = QJsonDocument::fromJson(data).object();
            QVERIFY2(!result.isEmpty(), "the result is JSON");
            const QString merged = QFileInfo(f[3]).absolutePath() + QStringLiteral("/../merged.log");
            QVERIFY2(QFile::exists(merged), qPrintable(merged));
            QFile m(merged);
            QVERIFY(m.open(QIODevice::ReadOnly));
            const QString text = QString::fromUtf8(m.readAll());
            QVERIFY2(text.contains(QStringLiteral("client-kv")) && text.contains(QStringLiteral("service-redis")) && text.contains(QStringLiteral("campaign")),
                     "the merged log holds the client, service and campaign lines");
        }
        // Three jobs per trial, and none left running.
        QCOMPARE(slurmJobsOf(runId).size(), 9);
        QVERIFY2(slurmJobsOf(runId, QStringLiteral("PENDING,RUNNING,COMPLETING,CONFIGURING")).isEmpty(),
                 qPrintable(slurmJobsOf(runId, QStringLiteral("PENDING,RUNNING,COMPLETING,CONFIGURING")).join(QLatin1Char('\n'))));
    }

    // A second campaign finds the fbload built by the first.
    void secondCampaignReusesFbloadBuild()
    {
        const QString bins = ssh(QStringLiteral("ls -1 ~/.factorybench/bin | grep -v '^\\.' | wc -l")).trimmed();
        const Fbctl r = fbctl({QStringLiteral("run"), m_data + QStringLiteral("/failing-service.yaml"), QStringLiteral("--profile-file"), m_profileFile});
        QVERIFY2(r.out.contains(QStringLiteral(" reused (workloads:")), qPrintable(r.out));
        QCOMPARE(ssh(QStringLiteral("ls -1 ~/.factorybench/bin | grep -v '^\\.' | wc -l")).trimmed(), bins);
    }

    // A service whose command fails ends its trial as failed, with the job's stderr in the error.
    void failingServiceFailsTrialWithItsStderr()
    {
        const Fbctl r = fbctl({QStringLiteral("run"), m_data + QStringLiteral("/failing-service.yaml"), QStringLiteral("--profile-file"), m_profileFile});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("fb-e2e-boom")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("service:broken")), qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("0 completed, 1 failed")), qPrintable(r.out));
        const QString runId = runIdOf(r.out);
        QVERIFY2(slurmJobsOf(runId, QStringLiteral("PENDING,RUNNING,COMPLETING,CONFIGURING")).isEmpty(), "nothing left running");
    }

    // scancel from outside is noticed within one poll (≤ 5 s slow interval + slack).
    void externalScancelIsNoticed()
    {
        QProcess p;
        p.start(m_fbctl, {QStringLiteral("run"), m_data + QStringLiteral("/long-client.yaml"), QStringLiteral("--profile-file"), m_profileFile});
        QVERIFY(p.waitForStarted());
        QString out;
        QString jobId;
        QElapsedTimer t;
        t.start();
        static const QRegularExpression submitted(QStringLiteral("client:kv \\(job (\\d+)\\) RUNNING"));
        while (jobId.isEmpty() && t.elapsed() < 300000 && p.state() == QProcess::Running) {
            p.waitForReadyRead(1000);
            out += QString::fromUtf8(p.readAllStandardOutput());
            jobId = submitted.match(out).captured(1);
        }
        QVERIFY2(!jobId.isEmpty(), qPrintable(out));
        ssh(QStringLiteral("scancel %1").arg(jobId));
        QElapsedTimer noticed;
        noticed.start();
        while (!out.contains(QStringLiteral("client:kv (job %1) CANCELLED").arg(jobId)) && noticed.elapsed() < 30000) {
            p.waitForReadyRead(200);
            out += QString::fromUtf8(p.readAllStandardOutput());
        }
        const qint64 latency = noticed.elapsed();
        QVERIFY2(latency < 8000, qPrintable(QStringLiteral("noticed after %1 ms:\n%2").arg(latency).arg(out)));
        QVERIFY(p.waitForFinished(120000));
        out += QString::fromUtf8(p.readAllStandardOutput());
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(out.contains(QStringLiteral("0 completed, 1 failed")), qPrintable(out));
    }

    // fbctl killed during trial 2; `fbctl resume` completes the campaign with
    // exactly three results and no job submitted twice.
    void killedCampaignResumesWithoutDuplicates()
    {
        QProcess p;
        p.start(m_fbctl, {QStringLiteral("run"), m_recipes + QStringLiteral("/local-redis.yaml"), QStringLiteral("--profile-file"), m_profileFile});
        QVERIFY(p.waitForStarted());
        QString out;
        QElapsedTimer t;
        t.start();
        while (!out.contains(QStringLiteral("t002 submit: service:redis submitted")) && t.elapsed() < 300000 && p.state() == QProcess::Running) {
            p.waitForReadyRead(1000);
            out += QString::fromUtf8(p.readAllStandardOutput());
        }
        QVERIFY2(out.contains(QStringLiteral("t002 submit")), qPrintable(out));
        ::kill(pid_t(p.processId()), SIGKILL); // no chance to clean up
        p.waitForFinished();
        const QString runId = runIdOf(out);
        QVERIFY(!runId.isEmpty());

        const Fbctl r = fbctl({QStringLiteral("resume"), runId, QStringLiteral("--profile-file"), m_profileFile});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(QStringLiteral("3 completed, 0 failed")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("re-attached service:redis")) || r.out.contains(QStringLiteral("t002 jobs")), qPrintable(r.out));
        QCOMPARE(resultLines(runId).size(), 3);
        const QStringList jobs = slurmJobsOf(runId);
        QCOMPARE(jobs.size(), 9);
        QStringList comments;
        for (const QString &j : jobs)
            comments << j.section(QLatin1Char('|'), 1);
        comments.removeDuplicates();
        QCOMPARE(comments.size(), 9); // each trial × component exactly once
        // A second resume has nothing left to do: no job, no download.
        const Fbctl again = fbctl({QStringLiteral("resume"), runId, QStringLiteral("--profile-file"), m_profileFile});
        QVERIFY2(again.out.contains(QStringLiteral("0 job(s) submitted, 0 result file(s) downloaded")), qPrintable(again.out));
        QCOMPARE(slurmJobsOf(runId).size(), 9);
    }
};

QTEST_GUILESS_MAIN(TestCampaign)
#include "tst_campaign.moc"
