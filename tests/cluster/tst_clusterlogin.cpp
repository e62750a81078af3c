// Logs in to the mini-cluster over SSH as its non-root user (OpenSSH client,
// host key checked against the profile's known_hosts), submits
// `sbatch --wrap hostname`, waits for completion and reads the job's output.
#include "ClusterTestSupport.h"
#include "ssh/ConnectionProfile.h"

#include <QElapsedTimer>
#include <QHostInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

class TestClusterLogin : public QObject
{
    Q_OBJECT
    fb::ConnectionProfile m_profile;

    QString ssh(const QString &command, int *exitCode = nullptr)
    {
        return fbtest::openSsh(m_profile, command, exitCode, 30000).trimmed();
    }

private slots:
    void initTestCase()
    {
        const QString dir = qEnvironmentVariable("FB_CLUSTER_DIR");
        QVERIFY2(!dir.isEmpty(), "FB_CLUSTER_DIR is not set: run through ctest (minicluster fixture)");
        QString error;
        QVERIFY2(fb::ProfileStore::loadFile(dir + QStringLiteral("/profile.json"), &m_profile, &error), qPrintable(error));
        QCOMPARE(m_profile.host, QStringLiteral("127.0.0.1"));
    }

    void logsInAsNonRootUser()
    {
        int rc = -1;
        const QString who = ssh(QStringLiteral("id -u; id -un; echo $HOME"), &rc);
        QCOMPARE(rc, 0);
        const QStringList lines = who.split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 3);
        QVERIFY2(lines[0] != QLatin1String("0"), "the cluster user must not be root");
        QCOMPARE(lines[1], m_profile.user);
        QVERIFY(lines[2].startsWith(QLatin1Char('/')));
    }

    void refusesUnknownHostKey()
    {
        // Same login with an empty known_hosts: OpenSSH must refuse.
        const QString saved = m_profile.knownHostsFile;
        m_profile.knownHostsFile = QStringLiteral("/dev/null");
        int rc = 0;
        ssh(QStringLiteral("true"), &rc);
        m_profile.knownHostsFile = saved;
        QCOMPARE(rc, 255);
    }

    void sbatchHostnameCompletes()
    {
        int rc = -1;
        const QString jobId = ssh(QStringLiteral("sbatch --parsable -p cpu -J fbtest --wrap hostname"), &rc);
        QCOMPARE(rc, 0);
        QVERIFY2(QRegularExpression(QStringLiteral("^\\d+$")).match(jobId).hasMatch(), qPrintable(jobId));

        QElapsedTimer t;
        t.start();
        QString state;
        while (t.elapsed() < 60000) {
            const QString info = ssh(QStringLiteral("scontrol show job -o ") + jobId);
            const auto m = QRegularExpression(QStringLiteral("JobState=(\\S+)")).match(info);
            state = m.hasMatch() ? m.captured(1) : QString();
            if (state == QLatin1String("COMPLETED") || state == QLatin1String("FAILED")
                || state == QLatin1String("CANCELLED") || state == QLatin1String("TIMEOUT"))
                break;
            QTest::qWait(250);
        }
        QCOMPARE(state, QStringLiteral("COMPLETED"));
        const QString output = ssh(QStringLiteral("cat slurm-%1.out && rm -f slurm-%1.out").arg(jobId));
        QCOMPARE(output, QHostInfo::localHostName().section(QLatin1Char('.'), 0, 0));
    }
};

QTEST_GUILESS_MAIN(TestClusterLogin)
#include "tst_clusterlogin.moc"
