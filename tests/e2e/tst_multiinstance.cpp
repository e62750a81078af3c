// Multi-instance clients for real (issue 19, item 3): on the two-node
// mini-cluster (tests/cluster/minicluster.sh up DIR --nodes 2), one trial
// runs PostgreSQL, MariaDB and the synthetic Chroma server on the first node
// and four clients of `instances: 2, nodes: 2` — postgres, mysql, file (one
// folder in the trial folder, which both nodes see) and vector — each with one
// fbload task per node. Task 0 alone prepares (the others would fail with
// "already exists" or race on the collection), task 1 waits on the barrier
// in the trial folder, and the merged result counts both tasks' requests.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

namespace {

QJsonObject readJson(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

double completed(const QJsonObject& result)
{
    return result.value(QStringLiteral("summary")).toObject().value(QStringLiteral("requests")).toObject().value(QStringLiteral("completed")).toDouble();
}

}  // namespace

class TestMultiInstance : public QObject
{
    Q_OBJECT
    QString m_dir;
    QStringList m_nodes;

private slots:
    void initTestCase()
    {
        m_dir = qEnvironmentVariable("FB_CLUSTER2_DIR");
        QVERIFY2(!m_dir.isEmpty(), "FB_CLUSTER2_DIR is not set: run through ctest (minicluster2 fixture)");
        QFile env(m_dir + QStringLiteral("/env.sh"));
        QVERIFY(env.open(QIODevice::ReadOnly));
        static const QRegularExpression nodes(QStringLiteral("FB_CLUSTER_NODES='([^']*)'"));
        m_nodes = nodes.match(QString::fromUtf8(env.readAll())).captured(1).split(QLatin1Char(' '), Qt::SkipEmptyParts);
        QCOMPARE(m_nodes.size(), 2);
    }

    void twoTasksOnTwoNodesPerWorkload()
    {
        // The recipe names the synthetic Chroma server by its path in this source tree.
        QFile in(QStringLiteral(FB_TEST_SOURCE_DIR "/data/multi-instance.yaml"));
        QVERIFY(in.open(QIODevice::ReadOnly));
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString recipe = tmp.filePath(QStringLiteral("multi-instance.yaml"));
        QFile out(recipe);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QString::fromUtf8(in.readAll()).replace(QStringLiteral("@SOURCE_DIR@"), QStringLiteral(FB_TEST_SOURCE_DIR "/../..")).toUtf8());
        out.close();

        QProcess p;
        p.start(QStringLiteral(FB_BINARY_DIR "/core/fbctl/fbctl"),
                {QStringLiteral("run"), recipe, QStringLiteral("--profile-file"), m_dir + QStringLiteral("/profile.json")});
        QVERIFY(p.waitForFinished(280000));
        const QString log = QString::fromUtf8(p.readAllStandardOutput()) + QString::fromUtf8(p.readAllStandardError());
        if (p.exitCode() != 0)
            std::fprintf(stderr, "%s\n", qPrintable(log));  // whole: QTest cuts long messages
        QVERIFY2(p.exitCode() == 0, "fbctl run failed (its output is above)");
        static const QRegularExpression runRe(QStringLiteral("run (\\d{8}-\\d{6}-[A-Za-z0-9_.-]+-[0-9a-f]{4})"));
        const QString runId = runRe.match(log).captured(1);
        QVERIFY2(!runId.isEmpty(), qPrintable(log));
        const QString trial = qEnvironmentVariable("FB_STATE_DIR") + QStringLiteral("/runs/") + runId + QStringLiteral("/t001");

        for (const QString& client : {QStringLiteral("pgmix"), QStringLiteral("mymix"), QStringLiteral("files"), QStringLiteral("vectors")}) {
            const QString path = trial + QStringLiteral("/results/result-") + client + QStringLiteral(".json");
            const QJsonObject doc = readJson(path);
            QVERIFY2(!doc.isEmpty(), qPrintable(path + QStringLiteral(" is missing\n") + log));
            const QJsonObject run = doc.value(QStringLiteral("run")).toObject();
            // One task per node, both nodes.
            QStringList hosts;
            for (const QJsonValue& h : run.value(QStringLiteral("hosts")).toArray())
                hosts << h.toString();
            hosts.sort();
            QStringList nodes = m_nodes;
            nodes.sort();
            QVERIFY2(hosts == nodes, qPrintable(client + QStringLiteral(": hosts ") + hosts.join(QLatin1Char(' '))));
            // Task 0 prepared, task 1 waited for it.
            const QJsonArray tasks = run.value(QStringLiteral("tasks")).toArray();
            QVERIFY2(tasks.size() == 2, qPrintable(client + QStringLiteral(": ") + QJsonDocument(run).toJson()));
            QVERIFY(run.value(QStringLiteral("task")).isNull());
            int prepared = 0;
            for (const QJsonValue& t : tasks) {
                const QJsonObject task = t.toObject();
                QCOMPARE(task.value(QStringLiteral("count")).toInt(), 2);
                QCOMPARE(task.value(QStringLiteral("prepared")).toBool(), task.value(QStringLiteral("index")).toInt() == 0);
                prepared += task.value(QStringLiteral("prepared")).toBool() ? 1 : 0;
            }
            QCOMPARE(prepared, 1);
            // The merged result counts both tasks' requests: the sum of the two
            // parts, read where the tasks wrote them (the mini-cluster's disk is this machine's).
            const QJsonArray parts = run.value(QStringLiteral("merged_from")).toArray();
            QCOMPARE(parts.size(), 2);
            double sum = 0;
            for (const QJsonValue& part : parts) {
                const QString partPath = part.toString();
                const QJsonObject partDoc = readJson(partPath);
                QVERIFY2(!partDoc.isEmpty(), qPrintable(partPath));
                QVERIFY2(completed(partDoc) > 0, qPrintable(partPath));
                QCOMPARE(partDoc.value(QStringLiteral("summary")).toObject().value(QStringLiteral("requests")).toObject().value(QStringLiteral("errors")).toDouble(), 0.0);
                sum += completed(partDoc);
            }
            QCOMPARE(completed(doc), sum);
            QCOMPARE(doc.value(QStringLiteral("summary")).toObject().value(QStringLiteral("requests")).toObject().value(QStringLiteral("errors")).toDouble(), 0.0);
            qInfo("%s: %.0f requests from 2 tasks on %s", qPrintable(client), completed(doc), qPrintable(hosts.join(QStringLiteral(", "))));
            if (client == QLatin1String("files")) {
                // One folder for both nodes, created by task 0; each task wrote its own files only.
                const QString remoteTrial = QFileInfo(QFileInfo(parts[0].toString()).path()).path();
                QCOMPARE(QDir(remoteTrial + QStringLiteral("/files")).entryList(QDir::Files, QDir::Name),
                         (QStringList{QStringLiteral("fbload.t0.0.0"), QStringLiteral("fbload.t0.1.0"),
                                      QStringLiteral("fbload.t1.0.0"), QStringLiteral("fbload.t1.1.0")}));
            }
        }
        // The tables were made once and dropped once, after both tasks (the client job's log).
        for (const QString& client : {QStringLiteral("pgmix"), QStringLiteral("mymix")}) {
            const QStringList logs = QDir(trial + QStringLiteral("/logs")).entryList({QStringLiteral("client-") + client + QStringLiteral("-*.out")});
            QCOMPARE(logs.size(), 1);
            QFile f(trial + QStringLiteral("/logs/") + logs.first());
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QString text = QString::fromUtf8(f.readAll());
            QVERIFY2(text.count(QStringLiteral(": prepared 2 table(s) x 1000 rows")) == 1, qPrintable(text));
            QVERIFY2(text.count(QStringLiteral(": cleanup dropped 2 table(s)")) == 1, qPrintable(text));
            QVERIFY2(text.contains(QStringLiteral("task 1/2: task 0 has prepared")), qPrintable(text));
            QVERIFY2(!text.contains(QStringLiteral("already exists")), qPrintable(text));
        }
    }
};

QTEST_GUILESS_MAIN(TestMultiInstance)
#include "tst_multiinstance.moc"
