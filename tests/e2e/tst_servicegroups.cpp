// Service groups on the mini-cluster (issue 19, acceptance): a sweep over a
// service field and a client field gives one service job per service value
// (counted from Slurm's own records of the run, by comment), between_trials
// runs against the live service before each trial (the keys the previous
// trial left are flushed: DBSIZE 0, read from the trial's log), and a
// service job killed mid-group fails the running trial with the reason,
// leaves the group's other trials not run, and `fbctl resume` restarts that
// group only: one new service job, one new client job, no result twice.
#include "../cluster/ClusterTestSupport.h"
#include "ssh/ConnectionProfile.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

class TestServiceGroups : public QObject
{
    Q_OBJECT
    fb::ConnectionProfile m_profile;
    QString m_profileFile;
    QString m_fbctl = QStringLiteral(FB_BINARY_DIR "/core/fbctl/fbctl");
    QString m_recipe = QStringLiteral(FB_TEST_SOURCE_DIR "/data/groups-redis.yaml");
    QString m_runsDir = qEnvironmentVariable("FB_STATE_DIR") + QStringLiteral("/runs");
    QTemporaryDir m_tmp;

    // The run's jobs of one component ("service:redis") as Slurm knows them.
    QStringList slurmJobsOf(const QString &runId, const QString &component)
    {
        QStringList jobs;
        for (const QString &line : fbtest::slurmJobsOf(m_profile, runId))
            if (line.endsWith(QLatin1Char(':') + component))
                jobs << line;
        return jobs;
    }

    QString readFile(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }

    QString writeVariant(const QString &name, const QList<std::pair<QString, QString>> &replacements)
    {
        QString text = readFile(m_recipe);
        for (const auto &[from, to] : replacements) {
            if (!text.contains(from))
                return {};
            text.replace(from, to);
        }
        const QString path = m_tmp.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(text.toUtf8());
        return path;
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(fbtest::loadClusterProfile(&m_profile, &m_profileFile, &error), qPrintable(error));
        QVERIFY(m_tmp.isValid());
    }

    void oneGroupPerServiceValueWithBetweenTrials()
    {
        const fbtest::ProcessRun r = fbtest::runProgram(m_fbctl, {QStringLiteral("run"), m_recipe, QStringLiteral("--profile-file"), m_profileFile}, 600000);
        QVERIFY2(r.exitCode == 0 && r.out.contains(QStringLiteral("4 completed, 0 failed")), r.all().constData());
        const QString runId = fbtest::runIdOf(r.out);
        QVERIFY(!runId.isEmpty());
        QVERIFY2(r.out.contains(QStringLiteral("2 service group(s) for 4 trial(s)")), qPrintable(r.out.left(3000)));

        // Slurm's records: two service jobs (one per maxmemory), four client jobs.
        const QStringList services = slurmJobsOf(runId, QStringLiteral("service:redis"));
        QVERIFY2(services.size() == 2, qPrintable(services.join(QLatin1Char('\n'))));
        QVERIFY2(services[0].contains(QStringLiteral(":g01:")) != services[1].contains(QStringLiteral(":g01:")), qPrintable(services.join(QLatin1Char('\n'))));
        QCOMPARE(slurmJobsOf(runId, QStringLiteral("client:kv")).size(), 4);

        // Each trial: its group, and between_trials' report from the live service.
        QHash<QString, QStringList> trialsOfGroup;
        const QStringList trials = QDir(m_runsDir + QLatin1Char('/') + runId).entryList({QStringLiteral("t0*")}, QDir::Dirs, QDir::Name);
        QCOMPARE(trials.size(), 4);
        for (const QString &t : trials) {
            const QJsonObject params = QJsonDocument::fromJson(readFile(m_runsDir + QStringLiteral("/%1/%2/parameters.json").arg(runId, t)).toUtf8()).object();
            const QString group = params.value(QStringLiteral("service_group")).toString();
            QVERIFY2(!group.isEmpty(), qPrintable(t));
            trialsOfGroup[group] << t;
            const QString between = readFile(m_runsDir + QStringLiteral("/%1/%2/logs/between-redis.out").arg(runId, t));
            QVERIFY2(between.contains(QStringLiteral("dbsize-after 0")), qPrintable(t + QStringLiteral(": ") + between));
            const QString maxmemory = params.value(QStringLiteral("services[0].settings.maxmemory")).toString();
            const QString bytes = maxmemory == QLatin1String("64mb") ? QStringLiteral("67108864") : QStringLiteral("134217728");
            QVERIFY2(between.contains(QStringLiteral("maxmemory ") + bytes), qPrintable(t + QStringLiteral(" (") + maxmemory + QStringLiteral("): ") + between));
            // The trial's merged log has the service's lines (from the group's folder) and between_trials' output.
            const QString merged = readFile(m_runsDir + QStringLiteral("/%1/%2/merged.log").arg(runId, t));
            QVERIFY2(merged.contains(QStringLiteral("service-redis")) && merged.contains(QStringLiteral("dbsize-after 0")), qPrintable(t));
        }
        QCOMPARE(trialsOfGroup.size(), 2);
        for (auto it = trialsOfGroup.cbegin(); it != trialsOfGroup.cend(); ++it) {
            QCOMPARE(it.value().size(), 2);
            // The second trial of a group found the first one's keys, flushed them.
            static const QRegularExpression before(QStringLiteral("dbsize-before (\\d+)"));
            const QString second = readFile(m_runsDir + QStringLiteral("/%1/%2/logs/between-redis.out").arg(runId, it.value().last()));
            QVERIFY2(before.match(second).captured(1).toInt() > 0, qPrintable(it.key() + QStringLiteral(": ") + second));
        }
        // The group's own folder holds its service's log; the manifest lists the groups.
        QVERIFY(!QDir(m_runsDir + QStringLiteral("/%1/g01/logs").arg(runId)).entryList({QStringLiteral("service-redis-*.out")}).isEmpty());
        const QJsonObject manifest = QJsonDocument::fromJson(readFile(m_runsDir + QStringLiteral("/%1/manifest.json").arg(runId)).toUtf8()).object();
        QCOMPARE(manifest.value(QStringLiteral("service_groups")).toArray().size(), 2);
    }

    void killedServiceFailsItsGroupAndResumeRestartsIt()
    {
        const QString recipe = writeVariant(QStringLiteral("groups-kill.yaml"),
                                            {{QStringLiteral("maxmemory: [64mb, 128mb]"), QStringLiteral("maxmemory: 64mb")},
                                             {QStringLiteral("concurrency: [1, 2]"), QStringLiteral("concurrency: [1, 2, 4]")},
                                             {QStringLiteral("duration: 1s"), QStringLiteral("duration: 6s")},
                                             {QStringLiteral("redis: 16396"), QStringLiteral("redis: 16397")}});
        QVERIFY(!recipe.isEmpty());
        QProcess p;
        p.start(m_fbctl, {QStringLiteral("run"), recipe, QStringLiteral("--profile-file"), m_profileFile});
        QVERIFY(p.waitForStarted());
        // Wait until the second trial's client runs, then kill the group's service job.
        static const QRegularExpression serviceJob(QStringLiteral("g01 submit: service:redis submitted as job (\\d+)"));
        static const QRegularExpression secondRunning(QStringLiteral("t002 jobs: client:kv \\(job \\d+\\) RUNNING"));
        QString out;
        QElapsedTimer t;
        t.start();
        while (!secondRunning.match(out).hasMatch() && t.elapsed() < 300000 && p.state() == QProcess::Running) {
            p.waitForReadyRead(200);
            out += QString::fromUtf8(p.readAllStandardOutput());
        }
        QVERIFY2(secondRunning.match(out).hasMatch(), qPrintable(out.right(3000)));
        const QString job = serviceJob.match(out).captured(1);
        QVERIFY2(!job.isEmpty(), qPrintable(out.left(3000)));
        int rc = -1;
        fbtest::openSsh(m_profile, QStringLiteral("scancel --signal=KILL ") + job, &rc);
        QCOMPARE(rc, 0);
        QVERIFY(p.waitForFinished(300000));
        out += QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
        QVERIFY2(p.exitCode() != 0, qPrintable(out.right(3000)));
        const QString runId = fbtest::runIdOf(out);
        QVERIFY(!runId.isEmpty());
        QVERIFY2(out.contains(QStringLiteral("1 completed, 1 failed")), qPrintable(out.right(3000)));
        QVERIFY2(out.contains(QStringLiteral("its trials t003 were not run")), qPrintable(out.right(3000)));
        const QString status = fbtest::runProgram(m_fbctl, {QStringLiteral("status"), runId}, 60000).out;
        QVERIFY2(status.contains(QStringLiteral("service:redis (job ") + job), qPrintable(status)); // the reason names the service job

        // Resume: the group starts again for t003 alone.
        const fbtest::ProcessRun r = fbtest::runProgram(m_fbctl, {QStringLiteral("resume"), runId, QStringLiteral("--profile-file"), m_profileFile}, 600000);
        QVERIFY2(r.out.contains(QStringLiteral("2 completed, 1 failed")), r.all().constData());
        QCOMPARE(r.out.count(QStringLiteral("service:redis submitted as job")), 1);
        QCOMPARE(r.out.count(QStringLiteral("client:kv submitted as job")), 1);
        QVERIFY2(r.out.contains(QStringLiteral("t003 results: downloaded")), qPrintable(r.out.right(3000)));
        QVERIFY2(!r.out.contains(QStringLiteral("t001 results: downloaded")) && !r.out.contains(QStringLiteral("t002 results: downloaded")), qPrintable(r.out));
        // Slurm's records: two service jobs in all (the killed one and its replacement), three clients.
        QCOMPARE(slurmJobsOf(runId, QStringLiteral("service:redis")).size(), 2);
        QCOMPARE(slurmJobsOf(runId, QStringLiteral("client:kv")).size(), 3);
        // Nothing of the run is left running.
        const QString left = fbtest::openSsh(m_profile, QStringLiteral("squeue --me --noheader --format='%k'"));
        QVERIFY2(!left.contains(runId), qPrintable(left));
    }
};

QTEST_GUILESS_MAIN(TestServiceGroups)
#include "tst_servicegroups.moc"
