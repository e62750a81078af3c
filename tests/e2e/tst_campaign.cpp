// End to end on the mini-cluster (real sshd, real Slurm, real redis-server,
// Prometheus and fbload built on the "cluster"): drives the fbctl binary the
// way a user or CI would, then checks on the cluster itself what happened.
#include "../cluster/ClusterTestSupport.h"
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
#include <QTemporaryDir>
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
    QTemporaryDir m_tmp;
    // local-redis.yaml with each trial's own services (sweep.reuse_services:
    // false): the per-trial paths (parallel slots, resume of in-flight
    // services); the shared services are tst_servicegroups' and the first test's.
    QString m_ownServices;

    QString ssh(const QString &command) { return fbtest::openSsh(m_profile, command); }

    using Fbctl = fbtest::ProcessRun;

    // Qt Test cuts long messages, so the whole fbctl output goes to the log
    // and the failure message carries its end (where the error is).
    static QByteArray failure(const Fbctl &r)
    {
        const QString all = r.out + r.err;
        qWarning().noquote() << "fbctl exited with" << r.exitCode << "; its whole output:\n" << all;
        return all.right(900).toUtf8();
    }

    Fbctl fbctl(const QStringList &args, int timeoutMs = 600000) { return fbtest::runProgram(m_fbctl, args, timeoutMs); }

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
        QString error;
        QVERIFY2(fbtest::loadClusterProfile(&m_profile, &m_profileFile, &error), qPrintable(error));
        QVERIFY(m_tmp.isValid());
        QFile in(m_recipes + QStringLiteral("/local-redis.yaml"));
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray text = in.readAll();
        QVERIFY(!text.contains("\nsweep:"));
        m_ownServices = m_tmp.filePath(QStringLiteral("local-redis.yaml"));
        QFile out(m_ownServices);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(text + "sweep:\n  reuse_services: false\n");
        QVERIFY(QFile::exists(m_fbctl));
    }

    // The local Redis demo, 3 trials: a redis-server job, a Prometheus job and
    // an fbload client job per trial, three checksummed results, manifest and
    // merged logs, nothing left running.
    void runsLocalRedisSweepEndToEnd()
    {
        const Fbctl r = fbctl({QStringLiteral("run"), m_recipes + QStringLiteral("/local-redis.yaml"), QStringLiteral("--profile-file"), m_profileFile});
        QVERIFY2(r.exitCode == 0, failure(r).constData());
        const QString runId = fbtest::runIdOf(r.out);
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
        // One redis for the three trials (service group g01), a monitor and a client per trial; none left running.
        QCOMPARE(slurmJobsOf(runId).size(), 7);
        QCOMPARE(slurmJobsOf(runId).filter(QStringLiteral(":g01:service:redis")).size(), 1);
        QVERIFY2(slurmJobsOf(runId, QStringLiteral("PENDING,RUNNING,COMPLETING,CONFIGURING")).isEmpty(),
                 qPrintable(slurmJobsOf(runId, QStringLiteral("PENDING,RUNNING,COMPLETING,CONFIGURING")).join(QLatin1Char('\n'))));
    }

    // The cap must be >= 1: in the recipe (sweep.max_parallel_trials, named
    // with its position) and on the command line.
    void parallelCapIsValidated()
    {
        QTemporaryDir tmp;
        QFile in(m_recipes + QStringLiteral("/local-redis.yaml"));
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QString path = tmp.filePath(QStringLiteral("zero.yaml"));
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(in.readAll() + "sweep:\n  max_parallel_trials: 0\n");
        out.close();
        const Fbctl v = fbctl({QStringLiteral("validate"), path});
        QCOMPARE(v.exitCode, 3);
        QVERIFY2((v.out + v.err).contains(QStringLiteral("sweep.max_parallel_trials")), qPrintable(v.out + v.err));
        QVERIFY2((v.out + v.err).contains(QStringLiteral("zero.yaml:")), qPrintable(v.out + v.err));
        const Fbctl r = fbctl({QStringLiteral("run"), m_recipes + QStringLiteral("/local-redis.yaml"), QStringLiteral("--profile-file"),
                               m_profileFile, QStringLiteral("--parallel"), QStringLiteral("0")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("--parallel")), qPrintable(r.err));
    }

    // --parallel 3: the three trials of the local Redis sweep run at once —
    // their service jobs' RUNNING windows (Slurm's StartTime/EndTime) overlap —
    // each with its own ports, and still exactly three results and nine jobs.
    void parallelTrialsOverlap()
    {
        QElapsedTimer took;
        took.start();
        const Fbctl r = fbctl({QStringLiteral("run"), m_ownServices, QStringLiteral("--profile-file"),
                               m_profileFile, QStringLiteral("--parallel"), QStringLiteral("3")});
        QVERIFY2(r.exitCode == 0, failure(r).constData());
        const QString runId = fbtest::runIdOf(r.out);
        QVERIFY2(r.out.contains(QStringLiteral("3 completed, 0 failed; 9 job(s) submitted, 3 result file(s) downloaded")), qPrintable(r.out));
        QCOMPARE(resultLines(runId).size(), 3);
        const QStringList jobs = slurmJobsOf(runId);
        QCOMPARE(jobs.size(), 9);
        QStringList comments;
        for (const QString &j : jobs)
            comments << j.section(QLatin1Char('|'), 1);
        comments.removeDuplicates();
        QCOMPARE(comments.size(), 9); // nothing submitted twice

        // The service jobs' windows: the latest start lies before the earliest end.
        QDateTime latestStart, earliestEnd;
        QStringList endpoints;
        for (const QString &j : jobs) {
            if (!j.section(QLatin1Char('|'), 1).endsWith(QLatin1String(":service:redis")))
                continue;
            const QString show = ssh(QStringLiteral("scontrol -o show job %1").arg(j.section(QLatin1Char('|'), 0, 0)));
            static const QRegularExpression startRe(QStringLiteral("\\bStartTime=(\\S+)")), endRe(QStringLiteral("\\bEndTime=(\\S+)"));
            const QDateTime start = QDateTime::fromString(startRe.match(show).captured(1), Qt::ISODate);
            const QDateTime end = QDateTime::fromString(endRe.match(show).captured(1), Qt::ISODate);
            QVERIFY2(start.isValid() && end.isValid(), qPrintable(show));
            if (!latestStart.isValid() || start > latestStart)
                latestStart = start;
            if (!earliestEnd.isValid() || end < earliestEnd)
                earliestEnd = end;
        }
        QVERIFY2(latestStart < earliestEnd, qPrintable(QStringLiteral("service windows do not overlap: last start %1, first end %2")
                                                           .arg(latestStart.toString(Qt::ISODate), earliestEnd.toString(Qt::ISODate))));
        // Each trial's Redis listened on a port of its own.
        static const QRegularExpression ready(QStringLiteral("service:redis is ready: (\\S+ \\d+)"));
        for (auto it = ready.globalMatch(r.out); it.hasNext();)
            endpoints << it.next().captured(1);
        QCOMPARE(endpoints.size(), 3);
        endpoints.removeDuplicates();
        QCOMPARE(endpoints.size(), 3);
        qInfo("3 trials in parallel took %lld ms", took.elapsed());
    }

    // fbctl --parallel 3 killed once all three trials are in flight; resume
    // re-attaches to every one of them (same cap, from the manifest) and
    // submits nothing twice.
    void parallelCampaignResumesAllInFlightTrials()
    {
        QProcess p;
        p.start(m_fbctl, {QStringLiteral("run"), m_ownServices, QStringLiteral("--profile-file"),
                          m_profileFile, QStringLiteral("--parallel"), QStringLiteral("3")});
        QVERIFY(p.waitForStarted());
        QString out;
        QElapsedTimer t;
        t.start();
        while (!out.contains(QStringLiteral("t003 submit: service:redis submitted")) && t.elapsed() < 300000 && p.state() == QProcess::Running) {
            p.waitForReadyRead(1000);
            out += QString::fromUtf8(p.readAllStandardOutput());
        }
        QVERIFY2(out.contains(QStringLiteral("t003 submit")), qPrintable(out));
        QVERIFY2(p.state() == QProcess::Running && p.processId() > 0, qPrintable(out)); // kill(0) would hit the whole process group
        ::kill(pid_t(p.processId()), SIGKILL);
        p.waitForFinished();
        const QString runId = fbtest::runIdOf(out);
        QVERIFY(!runId.isEmpty());

        const Fbctl r = fbctl({QStringLiteral("resume"), runId, QStringLiteral("--profile-file"), m_profileFile});
        QVERIFY2(r.exitCode == 0, failure(r).constData());
        QVERIFY2(r.out.contains(QStringLiteral("up to 3 trials at once")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("3 completed, 0 failed")), qPrintable(r.out));
        QCOMPARE(resultLines(runId).size(), 3);
        const QStringList jobs = slurmJobsOf(runId);
        QStringList comments;
        for (const QString &j : jobs)
            comments << j.section(QLatin1Char('|'), 1);
        comments.removeDuplicates();
        QCOMPARE(jobs.size(), 9);
        QCOMPARE(comments.size(), 9);
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
        const QString runId = fbtest::runIdOf(r.out);
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

    // A job that passes its time limit is reported as TIMEOUT. Slurm's
    // smallest limit is a minute; instead the client's end time is moved to
    // "now" (`scontrol update EndTime=now`, allowed to the job's owner), and
    // slurmctld's periodic limit check (every ~30 s) ends it as TIMEOUT.
    void timeLimitIsReportedAsTimeout()
    {
        QProcess p;
        p.start(m_fbctl, {QStringLiteral("run"), m_data + QStringLiteral("/long-client.yaml"), QStringLiteral("--profile-file"), m_profileFile});
        QVERIFY(p.waitForStarted());
        QString out;
        QString jobId;
        QElapsedTimer t;
        t.start();
        static const QRegularExpression running(QStringLiteral("client:kv \\(job (\\d+)\\) RUNNING"));
        while (jobId.isEmpty() && t.elapsed() < 300000 && p.state() == QProcess::Running) {
            p.waitForReadyRead(1000);
            out += QString::fromUtf8(p.readAllStandardOutput());
            jobId = running.match(out).captured(1);
        }
        QVERIFY2(!jobId.isEmpty(), qPrintable(out));
        ssh(QStringLiteral("scontrol update JobId=%1 EndTime=now").arg(jobId));
        QVERIFY(p.waitForFinished(120000));
        out += QString::fromUtf8(p.readAllStandardOutput());
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(out.contains(QStringLiteral("client:kv (job %1) TIMEOUT").arg(jobId)), qPrintable(out + err));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(err.contains(QStringLiteral("client:kv (job %1) ended TIMEOUT").arg(jobId)), qPrintable(err));
        QVERIFY2(out.contains(QStringLiteral("0 completed, 1 failed")), qPrintable(out));
    }

    // fbctl killed during trial 2; `fbctl resume` completes the campaign with
    // exactly three results and no job submitted twice.
    void killedCampaignResumesWithoutDuplicates()
    {
        QProcess p;
        p.start(m_fbctl, {QStringLiteral("run"), m_ownServices, QStringLiteral("--profile-file"), m_profileFile});
        QVERIFY(p.waitForStarted());
        QString out;
        QElapsedTimer t;
        t.start();
        while (!out.contains(QStringLiteral("t002 submit: service:redis submitted")) && t.elapsed() < 300000 && p.state() == QProcess::Running) {
            p.waitForReadyRead(1000);
            out += QString::fromUtf8(p.readAllStandardOutput());
        }
        QVERIFY2(out.contains(QStringLiteral("t002 submit")), qPrintable(out));
        QVERIFY2(p.state() == QProcess::Running && p.processId() > 0, qPrintable(out)); // kill(0) would hit the whole process group
        ::kill(pid_t(p.processId()), SIGKILL); // no chance to clean up
        p.waitForFinished();
        const QString runId = fbtest::runIdOf(out);
        QVERIFY(!runId.isEmpty());

        const Fbctl r = fbctl({QStringLiteral("resume"), runId, QStringLiteral("--profile-file"), m_profileFile});
        QVERIFY2(r.exitCode == 0, failure(r).constData());
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
