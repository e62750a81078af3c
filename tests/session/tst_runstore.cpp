// Tests RunStore: records round-trip, updates replace, deleting a run removes
// its trials, jobs and results, a store from a newer FactoryBench is refused,
// a second connection reads while the first writes, and an old (version 0)
// store is migrated.
#include "session/RunStore.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace fb::session;

class TestRunStore : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    RunRecord sampleRun(const QString &id)
    {
        RunRecord r;
        r.id = id;
        r.name = QStringLiteral("redis-demo");
        r.recipePath = QStringLiteral("/recipes/local-redis.yaml");
        r.recipeText = QStringLiteral("version: 1\nname: redis-demo\n");
        r.profile = QStringLiteral("mini-cluster");
        r.remoteDir = QStringLiteral("/home/fbuser/factorybench/runs/") + id;
        r.state = RunState::Running;
        r.manifest = QJsonObject{{QStringLiteral("fbload"), QStringLiteral("0.1.0")}};
        return r;
    }

private slots:
    void roundTrip()
    {
        RunStore store;
        QString error;
        QVERIFY2(store.open(m_dir.filePath(QStringLiteral("a.sqlite")), &error), qPrintable(error));
        QCOMPARE(store.schemaVersion(), RunStore::kSchemaVersion);
        QVERIFY2(store.saveRun(sampleRun(QStringLiteral("r1")), &error), qPrintable(error));

        TrialRecord t;
        t.runId = QStringLiteral("r1");
        t.trialId = QStringLiteral("t000-c4");
        t.index = 0;
        t.params = QJsonObject{{QStringLiteral("clients[0].load.concurrency"), 4}};
        t.state = TrialState::Running;
        t.step = QStringLiteral("submit-services");
        QVERIFY2(store.saveTrial(t, &error), qPrintable(error));

        JobRecord j;
        j.runId = QStringLiteral("r1");
        j.trialId = t.trialId;
        j.jobId = QStringLiteral("42");
        j.component = QStringLiteral("service:redis");
        j.state = JobState::Pending;
        QVERIFY(store.saveJob(j, &error));
        j.state = JobState::Running;
        j.nodes = QStringLiteral("mel2001");
        QVERIFY(store.saveJob(j, &error)); // update, not a second row

        ResultFileRecord f;
        f.runId = QStringLiteral("r1");
        f.trialId = t.trialId;
        f.remotePath = QStringLiteral("results/load-0.json");
        f.localPath = QStringLiteral("/tmp/x/load-0.json");
        f.sha256 = QStringLiteral("ab12");
        f.size = 1234;
        QVERIFY(store.saveResultFile(f, &error));

        const auto run = store.run(QStringLiteral("r1"));
        QVERIFY(run.has_value());
        QCOMPARE(run->recipeText, sampleRun(QStringLiteral("r1")).recipeText);
        QCOMPARE(run->manifest.value(QStringLiteral("fbload")).toString(), QStringLiteral("0.1.0"));
        QVERIFY(run->createdAt.isValid());
        const auto trials = store.trials(QStringLiteral("r1"));
        QCOMPARE(trials.size(), 1);
        QCOMPARE(trials[0].params, t.params);
        const auto jobs = store.jobs(QStringLiteral("r1"));
        QCOMPARE(jobs.size(), 1);
        QCOMPARE(jobs[0].state, JobState::Running);
        QCOMPARE(jobs[0].nodes, QStringLiteral("mel2001"));
        QCOMPARE(store.resultFiles(QStringLiteral("r1"), t.trialId).size(), 1);
        QVERIFY(store.resultFile(QStringLiteral("r1"), t.trialId, f.remotePath).has_value());
        QVERIFY(!store.resultFile(QStringLiteral("r1"), t.trialId, QStringLiteral("other")).has_value());

        QVERIFY(store.deleteRun(QStringLiteral("r1"), &error));
        QVERIFY(store.runs().isEmpty());
        QVERIFY(store.trials(QStringLiteral("r1")).isEmpty());
        QVERIFY(store.jobs(QStringLiteral("r1")).isEmpty());
        QVERIFY(store.resultFiles(QStringLiteral("r1")).isEmpty());
    }

    void secondConnectionReadsWhileWriting()
    {
        const QString path = m_dir.filePath(QStringLiteral("b.sqlite"));
        RunStore writer, reader;
        QString error;
        QVERIFY(writer.open(path, &error));
        QVERIFY(reader.open(path, &error));
        for (int i = 0; i < 20; ++i)
            QVERIFY(writer.saveRun(sampleRun(QStringLiteral("r%1").arg(i)), &error));
        QCOMPARE(reader.runs().size(), 20);
    }

    void refusesNewerSchema()
    {
        const QString path = m_dir.filePath(QStringLiteral("c.sqlite"));
        {
            RunStore s;
            QString error;
            QVERIFY(s.open(path, &error));
        }
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("UPDATE meta SET value = '99' WHERE key = 'schema_version'")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
        RunStore s;
        QString error;
        QVERIFY(!s.open(path, &error));
        QVERIFY2(error.contains(QStringLiteral("newer FactoryBench (schema 99")), qPrintable(error));
        QVERIFY(error.startsWith(path));
    }

    void migratesEmptyStore()
    {
        // A file with only the meta table (version 0) gets every table.
        const QString path = m_dir.filePath(QStringLiteral("d.sqlite"));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw0"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("raw0"));
        RunStore s;
        QString error;
        QVERIFY2(s.open(path, &error), qPrintable(error));
        QCOMPARE(s.schemaVersion(), RunStore::kSchemaVersion);
        QVERIFY(s.saveRun(sampleRun(QStringLiteral("m")), &error));
    }
};

QTEST_GUILESS_MAIN(TestRunStore)
#include "tst_runstore.moc"
