// A trial across two Slurm nodes: the two-node mini-cluster
// (tests/cluster/minicluster.sh up DIR --nodes 2 — the second slurmd lives in
// its own network and UTS namespace) runs Redis on the first node and the
// fbload client on the second; the client finds Redis by the hostname the
// service job published, over the veth link between the namespaces.
#include "ssh/ConnectionProfile.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

class TestTwoNode : public QObject
{
    Q_OBJECT
    QString m_dir;
    QString m_profileFile;
    QStringList m_nodes; // first node (login, 127.0.0.1), second node (namespace)

private slots:
    void initTestCase()
    {
        m_dir = qEnvironmentVariable("FB_CLUSTER2_DIR");
        QVERIFY2(!m_dir.isEmpty(), "FB_CLUSTER2_DIR is not set: run through ctest (minicluster2 fixture)");
        m_profileFile = m_dir + QStringLiteral("/profile.json");
        QFile env(m_dir + QStringLiteral("/env.sh"));
        QVERIFY(env.open(QIODevice::ReadOnly));
        static const QRegularExpression nodes(QStringLiteral("FB_CLUSTER_NODES='([^']*)'"));
        m_nodes = nodes.match(QString::fromUtf8(env.readAll())).captured(1).split(QLatin1Char(' '), Qt::SkipEmptyParts);
        QCOMPARE(m_nodes.size(), 2);
    }

    void serviceOnOneNodeClientOnTheOther()
    {
        QProcess p;
        p.start(QStringLiteral(FB_BINARY_DIR "/core/fbctl/fbctl"),
                {QStringLiteral("run"), QStringLiteral(FB_TEST_SOURCE_DIR "/data/two-node-redis.yaml"), QStringLiteral("--profile-file"), m_profileFile});
        QVERIFY(p.waitForFinished(240000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitCode() == 0, qPrintable(out + err));
        static const QRegularExpression runRe(QStringLiteral("run (\\d{8}-\\d{6}-[A-Za-z0-9_.-]+-[0-9a-f]{4})"));
        const QString runId = runRe.match(out).captured(1);
        QVERIFY(!runId.isEmpty());
        // Slurm placed them apart, as the constraints say.
        QVERIFY2(out.contains(QStringLiteral("service:redis (job ")) && out.contains(QStringLiteral(" on ") + m_nodes[0]), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("service:redis is ready: %1 ").arg(m_nodes[0])), qPrintable(out));
        static const QRegularExpression clientOn(QStringLiteral("client:kv \\(job \\d+\\) \\w+ on (\\S+)"));
        QCOMPARE(clientOn.match(out).captured(1), m_nodes[1]);

        const QString result = qEnvironmentVariable("FB_STATE_DIR") + QStringLiteral("/runs/") + runId + QStringLiteral("/t001/results/result-kv.json");
        QFile f(result);
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(result));
        const QJsonObject doc = QJsonDocument::fromJson(f.readAll()).object();
        const QJsonObject run = doc.value(QStringLiteral("run")).toObject();
        // The client ran on the second node and targeted the first by its name.
        QCOMPARE(run.value(QStringLiteral("hosts")).toArray().first().toString(), m_nodes[1]);
        QVERIFY2(run.value(QStringLiteral("target")).toString().startsWith(m_nodes[0] + QLatin1Char(':')),
                 qPrintable(run.value(QStringLiteral("target")).toString()));
        const QJsonObject requests = doc.value(QStringLiteral("summary")).toObject().value(QStringLiteral("requests")).toObject();
        QVERIFY2(requests.value(QStringLiteral("completed")).toDouble() > 0, qPrintable(QJsonDocument(requests).toJson()));
        QCOMPARE(requests.value(QStringLiteral("errors")).toDouble(), 0.0);
        qInfo("client on %s completed %.0f requests against %s", qPrintable(m_nodes[1]),
              requests.value(QStringLiteral("completed")).toDouble(), qPrintable(run.value(QStringLiteral("target")).toString()));
    }
};

QTEST_GUILESS_MAIN(TestTwoNode)
#include "tst_twonode.moc"
