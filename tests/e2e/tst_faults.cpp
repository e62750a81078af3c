// Fault tests on the mini-cluster (issue 16): fbctl killed during teardown,
// a full local run folder, a host key that changes in the middle of a
// campaign, and the modes of what a campaign leaves on the cluster. Each
// drives the fbctl binary and checks on the cluster (squeue, stat) what
// happened.
//
// The changed host key is made on the client's side: the test's own copy of
// known_hosts gets another key, then the sshd process serving fbctl's link is
// killed, so fbctl reconnects and sees a key that does not match — what a
// swapped server key looks like to it, without touching the sshd that other
// tests share.
#include "../cluster/ClusterTestSupport.h"
#include "ssh/ConnectionProfile.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

class TestFaults : public QObject
{
    Q_OBJECT
    fb::ConnectionProfile m_profile;
    QString m_profileFile;   // the cluster's profile, with the test's own known_hosts
    QString m_knownHosts;
    QByteArray m_goodKnownHosts;
    QString m_fbctl = QStringLiteral(FB_BINARY_DIR "/core/fbctl/fbctl");
    QString m_recipe = QStringLiteral(FB_TEST_SOURCE_DIR "/data/fault-redis.yaml");
    QString m_secret = QStringLiteral("Fault-Test-Secret-4711");
    QString m_runsDir = qEnvironmentVariable("FB_STATE_DIR") + QStringLiteral("/runs");
    QTemporaryDir m_tmp;
    bool m_mounted = false;

    static QString run(const QString &program, const QStringList &args, int *exitCode = nullptr)
    {
        QProcess p;
        p.start(program, args);
        p.waitForFinished(60000);
        if (exitCode)
            *exitCode = p.exitCode();
        return QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
    }

    QString ssh(const QString &command) { return fbtest::openSsh(m_profile, command); }

    using Fbctl = fbtest::ProcessRun;
    Fbctl fbctl(const QStringList &args) { return fbtest::runProgram(m_fbctl, args, 300000); }

    // Starts `fbctl run` and reads its output until `marker` (a regular expression) matches.
    bool startUntil(QProcess &p, const QStringList &extra, const QString &marker, QString *out)
    {
        const QRegularExpression re(marker);
        p.start(m_fbctl, QStringList{QStringLiteral("run"), m_recipe, QStringLiteral("--profile-file"), m_profileFile} + extra);
        if (!p.waitForStarted())
            return false;
        QElapsedTimer t;
        t.start();
        while (!re.match(*out).hasMatch() && t.elapsed() < 180000 && p.state() == QProcess::Running) {
            p.waitForReadyRead(200);
            *out += QString::fromUtf8(p.readAllStandardOutput());
        }
        return re.match(*out).hasMatch();
    }

    QStringList slurmJobsOf(const QString &runId)
    {
        QStringList jobs;
        for (const QString &line : ssh(QStringLiteral("squeue --me --noheader --states=all --format='%i|%k'")).split(QLatin1Char('\n')))
            if (line.contains(QStringLiteral("factorybench:%1:").arg(runId)))
                jobs << line.trimmed();
        return jobs;
    }

    QString trialLine(const QString &runId)
    {
        const Fbctl s = fbctl({QStringLiteral("status"), runId});
        for (const QString &line : s.out.split(QLatin1Char('\n')))
            if (line.trimmed().startsWith(QLatin1String("t001")))
                return line.trimmed();
        return s.out;
    }

    void unmount()
    {
        if (m_mounted)
            run(QStringLiteral("umount"), {m_runsDir});
        m_mounted = false;
    }

    // Gives our known_hosts another key for the host and cuts fbctl's
    // (process `p`) link on the server's side, so that fbctl reconnects and
    // meets a key that does not match.
    void cutLinkWithOtherKey(QProcess &p)
    {
        // Another key for the host in our known_hosts …
        const QString keyFile = m_tmp.filePath(QStringLiteral("otherkey"));
        QFile::remove(keyFile);
        run(QStringLiteral("ssh-keygen"), {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"), QStringLiteral("-N"), QString(),
                                           QStringLiteral("-f"), keyFile});
        QFile pub(keyFile + QStringLiteral(".pub"));
        QVERIFY(pub.open(QIODevice::ReadOnly));
        const QByteArray other = QStringLiteral("[%1]:%2 ").arg(m_profile.host).arg(m_profile.port).toUtf8()
            + pub.readAll().split(' ').mid(0, 2).join(' ') + '\n';
        QFile kh(m_knownHosts);
        QVERIFY(kh.open(QIODevice::WriteOnly | QIODevice::Truncate) && kh.write(other) == other.size());
        kh.close();
        // … and fbctl's link cut on the server's side, so that it reconnects.
        const QString fbctlSockets = run(QStringLiteral("ss"), {QStringLiteral("-Htnp"), QStringLiteral("state"), QStringLiteral("established"),
                                                                QStringLiteral("( dport = :%1 )").arg(m_profile.port)});
        QString localPort;
        for (const QString &line : fbctlSockets.split(QLatin1Char('\n')))
            if (line.contains(QStringLiteral("pid=%1,").arg(p.processId())))
                localPort = line.simplified().section(QLatin1Char(' '), 2, 2).section(QLatin1Char(':'), -1);
        QVERIFY2(!localPort.isEmpty(), qPrintable(fbctlSockets));
        const QString server = run(QStringLiteral("ss"), {QStringLiteral("-Htnp"), QStringLiteral("state"), QStringLiteral("established"),
                                                          QStringLiteral("( sport = :%1 and dport = :%2 )").arg(m_profile.port).arg(localPort)});
        static const QRegularExpression pidRe(QStringLiteral("pid=(\\d+)"));
        int killed = 0;
        for (auto it = pidRe.globalMatch(server); it.hasNext();)
            killed += ::kill(pid_t(it.next().captured(1).toInt()), SIGKILL) == 0 ? 1 : 0;
        QVERIFY2(killed > 0, qPrintable(server));
    }

    void restoreKey()
    {
        QFile kh(m_knownHosts);
        QVERIFY(kh.open(QIODevice::WriteOnly | QIODevice::Truncate) && kh.write(m_goodKnownHosts) == m_goodKnownHosts.size());
    }

private slots:
    void initTestCase()
    {
        const QString dir = qEnvironmentVariable("FB_CLUSTER_DIR");
        QVERIFY2(!dir.isEmpty(), "FB_CLUSTER_DIR is not set: run through ctest (minicluster fixture)");
        QString error;
        QVERIFY2(fb::ProfileStore::loadFile(dir + QStringLiteral("/profile.json"), &m_profile, &error), qPrintable(error));
        QVERIFY(m_tmp.isValid());
        // Our own known_hosts (the host key test changes it) and profile.
        m_knownHosts = m_tmp.filePath(QStringLiteral("known_hosts"));
        QFile src(m_profile.knownHostsFile);
        QVERIFY(src.open(QIODevice::ReadOnly));
        m_goodKnownHosts = src.readAll();
        QFile kh(m_knownHosts);
        QVERIFY(kh.open(QIODevice::WriteOnly) && kh.write(m_goodKnownHosts) == m_goodKnownHosts.size());
        kh.close();
        QJsonObject profile = m_profile.toJson();
        profile.insert(QStringLiteral("knownHostsFile"), m_knownHosts);
        m_profileFile = m_tmp.filePath(QStringLiteral("profile.json"));
        QFile pf(m_profileFile);
        QVERIFY(pf.open(QIODevice::WriteOnly));
        pf.write(QJsonDocument(profile).toJson());
        pf.close();
        QVERIFY(QFile::exists(m_fbctl));
        QDir().mkpath(m_runsDir);
    }

    void cleanupTestCase() { unmount(); }

    // `--help` is the usage of every subcommand, never a file or run name.
    void helpPrintsUsageForEveryCommand()
    {
        const QList<QStringList> cases{
            {QStringLiteral("profile"), QStringLiteral("import"), QStringLiteral("--help")},
            {QStringLiteral("run"), QStringLiteral("--help")},
            {QStringLiteral("resume"), QStringLiteral("--help")},
            {QStringLiteral("resume"), QStringLiteral("somerun"), QStringLiteral("--help")},
            {QStringLiteral("status"), QStringLiteral("--help")},
            {QStringLiteral("cancel"), QStringLiteral("--help")},
            {QStringLiteral("results"), QStringLiteral("--help")},
            {QStringLiteral("logs"), QStringLiteral("x"), QStringLiteral("--help")},
            {QStringLiteral("validate"), QStringLiteral("--help")},
            {QStringLiteral("plan"), QStringLiteral("--help")},
            {QStringLiteral("connect"), QStringLiteral("--profile"), QStringLiteral("x"), QStringLiteral("--help")},
            {QStringLiteral("exec"), QStringLiteral("--help")},
            {QStringLiteral("get"), QStringLiteral("--help")},
            {QStringLiteral("tunnel"), QStringLiteral("--help")},
            {QStringLiteral("ssh-import"), QStringLiteral("--help")},
        };
        for (const QStringList &args : cases) {
            const Fbctl r = fbctl(args);
            QVERIFY2(r.exitCode == 0 && r.out.contains(QStringLiteral("usage"), Qt::CaseInsensitive),
                     qPrintable(args.join(QLatin1Char(' ')) + QStringLiteral(" → ") + QString::number(r.exitCode) + QLatin1Char(' ') + r.out + r.err));
        }
    }

    // fbctl killed (SIGKILL) while it cancels a finished trial's services;
    // resume finishes the trial as completed (the services it cancelled
    // ended CANCELLED: no failure). The run left on the cluster is
    // owner-only, and the password stays out of the local run store.
    void killDuringTeardownThenResume()
    {
        QProcess p;
        QString out;
        QVERIFY2(startUntil(p, {}, QStringLiteral("t001 teardown: cancelling job\\(s\\)"), &out), qPrintable(out));
        QVERIFY2(p.state() == QProcess::Running && p.processId() > 0, qPrintable(out)); // kill(0) would hit the whole process group
        ::kill(pid_t(p.processId()), SIGKILL);
        p.waitForFinished();
        const QString runId = fbtest::runIdOf(out);
        QVERIFY(!runId.isEmpty());

        const Fbctl r = fbctl({QStringLiteral("resume"), runId, QStringLiteral("--profile-file"), m_profileFile});
        QVERIFY2(r.exitCode == 0, r.all().constData());
        QVERIFY2(r.out.contains(QStringLiteral("1 completed, 0 failed")), r.all().constData());
        QVERIFY2(r.out.contains(QStringLiteral("its clients had ended")), r.all().constData());
        QVERIFY2(trialLine(runId).contains(QStringLiteral("completed")), qPrintable(trialLine(runId)));

        // Modes on the cluster: the run and trial folders 0700, the scripts,
        // the recipe copy and the generated redis.conf (the password) 0600.
        const QString remoteDir = fbctl({QStringLiteral("status"), runId}).out.section(QStringLiteral("remote folder "), 1).section(QLatin1Char('\n'), 0, 0).trimmed();
        QVERIFY(!remoteDir.isEmpty());
        const QString modes = ssh(QStringLiteral("cd %1 && stat -c '%a %n' . t001 t001/*.sbatch recipe.yaml manifest.json $(find t001 -name redis.conf)").arg(remoteDir));
        qInfo().noquote() << "remote modes:\n" << modes;
        const QStringList lines = modes.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY2(lines.size() >= 6, qPrintable(modes));
        for (const QString &line : lines) {
            const QString mode = line.section(QLatin1Char(' '), 0, 0);
            const QString name = line.section(QLatin1Char(' '), 1);
            const bool dir = name == QLatin1String(".") || name == QLatin1String("t001");
            QVERIFY2(mode == (dir ? QLatin1String("700") : QLatin1String("600")), qPrintable(line));
        }
        QVERIFY2(modes.contains(QStringLiteral("redis.conf")), qPrintable(modes));
        QVERIFY2(ssh(QStringLiteral("grep -l %1 $(find %2/t001 -name redis.conf)").arg(m_secret, remoteDir)).contains(QStringLiteral("redis.conf")),
                 "the cluster's redis.conf has the real password");

        // Locally: no file of the run and not the run store hold the password.
        const QString found = run(QStringLiteral("grep"), {QStringLiteral("-rlF"), m_secret, m_runsDir + QLatin1Char('/') + runId,
                                                           qEnvironmentVariable("FB_STATE_DIR") + QStringLiteral("/runs.sqlite")});
        QVERIFY2(found.trimmed().isEmpty(), qPrintable(QStringLiteral("the password is stored in: ") + found));
        QFile copy(m_runsDir + QLatin1Char('/') + runId + QStringLiteral("/recipe.yaml"));
        QVERIFY(copy.open(QIODevice::ReadOnly));
        QVERIFY(copy.readAll().contains("<redacted>"));
    }

    // The local run folder on a full filesystem: the run stops before
    // anything is uploaded or submitted, with an error naming the file; once
    // there is space again, resume completes it.
    void fullRunStoreStopsBeforeSubmission()
    {
        int rc = -1;
        const QString mounted = run(QStringLiteral("mount"), {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                                                              QStringLiteral("size=256k"), QStringLiteral("tmpfs"), m_runsDir}, &rc);
        QVERIFY2(rc == 0, qPrintable(mounted));
        m_mounted = true;
        // Fill it to the last byte.
        run(QStringLiteral("sh"), {QStringLiteral("-c"), QStringLiteral("dd if=/dev/zero of=%1/filler bs=4k 2>/dev/null; true").arg(m_runsDir)});
        QVERIFY(QFileInfo(m_runsDir + QStringLiteral("/filler")).size() > 0);

        const Fbctl r = fbctl({QStringLiteral("run"), m_recipe, QStringLiteral("--profile-file"), m_profileFile});
        const QString runId = fbtest::runIdOf(r.out + r.err);
        QVERIFY2(!runId.isEmpty(), r.all().constData());
        QVERIFY2(r.exitCode == 1, r.all().constData());
        QVERIFY2(r.err.contains(QStringLiteral("cannot write")) && r.err.contains(m_runsDir) && r.err.contains(QStringLiteral("bytes free")),
                 r.all().constData());
        QVERIFY2(r.out.contains(QStringLiteral("0 job(s) submitted")), r.all().constData());
        QVERIFY2(slurmJobsOf(runId).isEmpty(), qPrintable(slurmJobsOf(runId).join(QLatin1Char('\n'))));
        QVERIFY2(fbctl({QStringLiteral("status"), runId}).out.contains(QStringLiteral("interrupted")), "the run is recorded interrupted");

        QVERIFY(QFile::remove(m_runsDir + QStringLiteral("/filler")));
        const Fbctl again = fbctl({QStringLiteral("resume"), runId, QStringLiteral("--profile-file"), m_profileFile});
        QVERIFY2(again.exitCode == 0, again.all().constData());
        QVERIFY2(again.out.contains(QStringLiteral("1 completed, 0 failed")), again.all().constData());
        QCOMPARE(slurmJobsOf(runId).size(), 2); // redis and the client, once each

        // The disk fills up while the client runs: the download fails on
        // this machine's side, says so, leaves no "*.part.part", and the
        // result stays on the cluster until resume fetches it.
        QProcess p;
        QString out;
        QVERIFY2(startUntil(p, {}, QStringLiteral("client:kv \\(job \\d+\\) RUNNING"), &out), qPrintable(out));
        const QString second = fbtest::runIdOf(out);
        run(QStringLiteral("sh"), {QStringLiteral("-c"), QStringLiteral("dd if=/dev/zero of=%1/filler bs=4k 2>/dev/null; true").arg(m_runsDir)});
        QVERIFY(p.waitForFinished(120000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitCode() == 1, qPrintable(out + err));
        QVERIFY2(err.contains(QStringLiteral("cannot write")) && err.contains(QStringLiteral("result-kv.json")), qPrintable(err));
        QVERIFY2(!err.contains(QStringLiteral("wrote no result file")), qPrintable(err));
        const QString parts = run(QStringLiteral("find"), {m_runsDir, QStringLiteral("-name"), QStringLiteral("*.part.part")});
        QVERIFY2(parts.trimmed().isEmpty(), qPrintable(parts));
        QVERIFY(QFile::remove(m_runsDir + QStringLiteral("/filler")));
        const Fbctl resumed = fbctl({QStringLiteral("resume"), second, QStringLiteral("--profile-file"), m_profileFile});
        QVERIFY2(resumed.exitCode == 0, resumed.all().constData());
        QVERIFY2(resumed.out.contains(QStringLiteral("downloaded result-kv.json")), resumed.all().constData());
        QVERIFY2(resumed.out.contains(QStringLiteral("1 completed, 0 failed")), resumed.all().constData());
        unmount();
    }

    // The host key changes while the client runs: fbctl says it is
    // reconnecting, gives up after the reconnect window with exit 4 and the
    // jobs still on the cluster; with the key back, resume completes.
    void hostKeyChangedMidCampaign()
    {
        constexpr int windowS = 6;
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        QString out;
        QVERIFY2(startUntil(p, {QStringLiteral("--reconnect-window"), QString::number(windowS)},
                            QStringLiteral("client:kv \\(job \\d+\\) RUNNING"), &out), qPrintable(out));
        const QString runId = fbtest::runIdOf(out);
        QVERIFY(!runId.isEmpty());

        cutLinkWithOtherKey(p);
        if (QTest::currentTestFailed())
            return;
        QElapsedTimer t;
        t.start();

        QVERIFY(p.waitForFinished((windowS + 60) * 1000));
        out += QString::fromUtf8(p.readAll());
        qInfo() << "fbctl gave up" << t.elapsed() << "ms after the link was cut (window" << windowS << "s)";
        qInfo().noquote() << "its last lines:\n" << out.right(1200);
        QVERIFY2(p.exitCode() == 4, qPrintable(out.right(1500)));
        QVERIFY2(t.elapsed() < (windowS + 40) * 1000, qPrintable(QString::number(t.elapsed())));
        QVERIFY2(out.contains(QStringLiteral("reconnecting")), qPrintable(out.right(1500)));
        QVERIFY2(out.contains(QStringLiteral("CHANGED")), qPrintable(out.right(1500)));
        QVERIFY2(out.contains(QStringLiteral("still on")) && out.contains(QStringLiteral("service:redis")), qPrintable(out.right(1500)));
        QVERIFY2(out.contains(QStringLiteral("fbctl resume ") + runId), qPrintable(out.right(1500)));
        QVERIFY2(fbctl({QStringLiteral("status"), runId}).out.contains(QStringLiteral("interrupted")), "recorded interrupted, not cancelled");

        // A changed key is refused at the start too (exit 4, no run record),
        // with the system's OpenSSH as well.
        const int runsBefore = int(fbctl({QStringLiteral("status")}).out.count(QLatin1Char('\n')));
        const Fbctl refused = fbctl({QStringLiteral("run"), m_recipe, QStringLiteral("--profile-file"), m_profileFile, QStringLiteral("--openssh")});
        QVERIFY2(refused.exitCode == 4, refused.all().constData());
        QVERIFY2(!refused.err.contains(QStringLiteral("--accept-new-host")), refused.all().constData());
        QCOMPARE(int(fbctl({QStringLiteral("status")}).out.count(QLatin1Char('\n'))), runsBefore);

        // The old key back: resume goes on and completes.
        restoreKey();
        const Fbctl r = fbctl({QStringLiteral("resume"), runId, QStringLiteral("--profile-file"), m_profileFile});
        QVERIFY2(r.exitCode == 0, r.all().constData());
        QVERIFY2(r.out.contains(QStringLiteral("1 completed, 0 failed")), r.all().constData());
        QCOMPARE(slurmJobsOf(runId).size(), 2);
    }

    // SIGTERM while the cluster is out of reach: the jobs cannot be
    // cancelled, so the run is recorded "interrupted" with its jobs listed,
    // never "cancelled" while they keep running. `fbctl cancel` then does it.
    void sigtermDuringOutageLeavesRunInterrupted()
    {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        QString out;
        QVERIFY2(startUntil(p, {QStringLiteral("--reconnect-window"), QStringLiteral("300")},
                            QStringLiteral("client:kv \\(job \\d+\\) RUNNING"), &out), qPrintable(out));
        const QString runId = fbtest::runIdOf(out);
        cutLinkWithOtherKey(p);
        if (QTest::currentTestFailed())
            return;
        QElapsedTimer t;
        t.start();
        while (!out.contains(QStringLiteral("reconnecting")) && t.elapsed() < 30000 && p.state() == QProcess::Running) {
            p.waitForReadyRead(200);
            out += QString::fromUtf8(p.readAll());
        }
        QVERIFY2(out.contains(QStringLiteral("reconnecting")), qPrintable(out.right(1500)));
        p.terminate(); // SIGTERM
        QVERIFY(p.waitForFinished(90000));
        out += QString::fromUtf8(p.readAll());
        QVERIFY2(p.exitCode() == 4, qPrintable(out.right(1500)));
        QVERIFY2(out.contains(QStringLiteral("scancel did not reach")) && out.contains(QStringLiteral("service:redis")), qPrintable(out.right(1500)));
        const QString status = fbctl({QStringLiteral("status"), runId}).out;
        QVERIFY2(status.contains(QStringLiteral(") interrupted on ")), qPrintable(status)); // the run's own line: not "cancelled"
        QVERIFY2(ssh(QStringLiteral("squeue --me --noheader --states=RUNNING --format='%k'")).contains(QStringLiteral("factorybench:%1:t001:service:redis").arg(runId)),
                 "the service job still runs");

        restoreKey();
        const Fbctl c = fbctl({QStringLiteral("cancel"), runId, QStringLiteral("--profile-file"), m_profileFile});
        QVERIFY2(c.exitCode == 0, c.all().constData());
        QVERIFY2(fbctl({QStringLiteral("status"), runId}).out.contains(QStringLiteral(") cancelled on ")), "cancelled once it reached the cluster");
    }
};

QTEST_GUILESS_MAIN(TestFaults)
#include "tst_faults.moc"
