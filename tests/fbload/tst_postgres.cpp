// fbload's postgres workload against a real PostgreSQL 15 (fixture
// fbload_postgres, tests/services/postgres.sh). What the run did is checked
// with psql and the server's own statistics (pg_stat_user_tables), not with
// fbload's numbers alone.
#include "fbload_test_util.h"

using namespace fbtest;

namespace {

QString psql(const QString& sql, const QString& db = "fbtest")
{
    QProcess p;
    p.start("psql", {"-h", "127.0.0.1", "-p", QString::number(servicePort("postgres")), "-U", "postgres", "-d", db,
                     "-AtX", "-v", "ON_ERROR_STOP=1", "-c", sql});
    p.waitForFinished(20000);
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

// Every relation of the public schema with its kind and row estimate source:
// what "the database as before" means here.
QString snapshot()
{
    return psql("SELECT string_agg(c.relname || ':' || c.relkind, ',' ORDER BY c.relname) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'");
}

}  // namespace

class TestPostgres : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void prepareRunCleanupLeavesDatabaseAsBefore();
    void readWriteReachesTheServerAndKeepsRows();
    void readOnlyWritesNothing();
    void statementRoundTrips();
    void contentionRetriesAndKeepsRows_data();
    void contentionRetriesAndKeepsRows();
    void existingTableIsNotOverwritten();
    void twoTasksPrepareOnce();
    void missingTableIsReported();
    void passwordAuthIsRefusedClearly();
    void badParamsAreRejected_data();
    void badParamsAreRejected();

private:
    RunOutcome run(const QString& name, const QStringList& extra, double duration = 2);
    QTemporaryDir dir_;
    QString target_;
};

void TestPostgres::initTestCase()
{
    QVERIFY(dir_.isValid());
    const int port = servicePort("postgres");
    QVERIFY2(port > 0, "fixture fbload_postgres did not write its port");
    target_ = QString("127.0.0.1:%1").arg(port);
    QCOMPARE(psql("SELECT 1"), QString("1"));
}

RunOutcome TestPostgres::run(const QString& name, const QStringList& extra, double duration)
{
    const QString out = dir_.filePath(name + ".json");
    QStringList args{"run", "--workload", "postgres", "--target", target_, "--out", out, "--duration",
                     QString::number(duration), "--set", "params.database=fbtest"};
    for (const QString& e : extra) {
        if (e.startsWith("--"))  // a flag: --name=value
            args << e.section('=', 0, 0) << e.section('=', 1);
        else
            args << "--set" << e;
    }
    return runFbload(args, out, 60000);
}

void TestPostgres::prepareRunCleanupLeavesDatabaseAsBefore()
{
    const QString before = snapshot();
    auto r = run("cycle", {"params.tables=2", "params.table_size=2000", "--concurrency=4"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const QJsonObject sum = r.result["summary"].toObject();
    const double tps = sum["throughput"].toObject()["requests_per_s"].toDouble();
    QVERIFY2(tps > 0, qPrintable(r.stderrText));
    QCOMPARE(sum["requests"].toObject()["errors"].toDouble() - metric(r.result, "retries")["count"].toDouble(), 0.0);
    // 10 point selects + 4 ranges + 2 updates + delete + insert + BEGIN/COMMIT.
    QCOMPARE(metric(r.result, "queries")["mean"].toDouble(), 20.0);
    QCOMPARE(r.result["run"].toObject()["workload_info"].toObject()["statements_per_transaction"].toInt(), 20);
    QVERIFY(r.stderrText.contains("cleanup dropped 2 table(s)"));
    QCOMPARE(snapshot(), before);
}

void TestPostgres::readWriteReachesTheServerAndKeepsRows()
{
    auto r = run("rw", {"params.table_size=500", "params.cleanup=false"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const double txns = r.result["summary"].toObject()["requests"].toObject()["completed"].toDouble();
    QVERIFY(txns > 0);
    // delete+insert puts every row back: still exactly ids 1..500.
    QCOMPARE(psql("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM sbtest1"), QString("500|500|1|500"));
    // The server's own counters: every successful transaction updated two
    // rows and deleted one.
    psql("SELECT pg_stat_force_next_flush()");
    const QStringList st = psql("SELECT n_tup_upd, n_tup_del FROM pg_stat_user_tables WHERE relname='sbtest1'").split('|');
    QCOMPARE(st.size(), 2);
    QVERIFY2(st[0].toDouble() >= 2 * txns, qPrintable(st.join(' ') + " vs " + QString::number(txns)));
    QVERIFY2(st[1].toDouble() >= txns, qPrintable(st.join(' ')));
    psql("DROP TABLE sbtest1");
}

void TestPostgres::readOnlyWritesNothing()
{
    auto prep = run("ro-prep", {"params.table_size=300", "params.cleanup=false"}, 0.5);
    QVERIFY2(prep.exitCode == 0, qPrintable(prep.stderrText));
    psql("SELECT pg_stat_force_next_flush()");
    const QString before = psql("SELECT n_tup_upd + n_tup_del + n_tup_ins FROM pg_stat_user_tables WHERE relname='sbtest1'");
    auto r = run("ro", {"params.table_size=300", "params.prepare=false", "params.mode=read_only"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    QVERIFY(r.result["summary"].toObject()["requests"].toObject()["completed"].toDouble() > 0);
    QCOMPARE(metric(r.result, "queries")["mean"].toDouble(), 16.0);
    QVERIFY(r.result["summary"].toObject()["ops"].toObject().contains("read_only"));
    psql("SELECT pg_stat_force_next_flush()");
    QCOMPARE(psql("SELECT n_tup_upd + n_tup_del + n_tup_ins FROM pg_stat_user_tables WHERE relname='sbtest1'"), before);
    // prepare=false: the run did not create the table, so it does not drop it.
    QCOMPARE(psql("SELECT count(*) FROM sbtest1"), QString("300"));
    psql("DROP TABLE sbtest1");
}

void TestPostgres::statementRoundTrips()
{
    const double commitsBefore = psql("SELECT xact_commit FROM pg_stat_database WHERE datname='fbtest'").toDouble();
    auto r = run("stmt", {"params.table_size=1000", "params.round_trips=statement", "--concurrency=3"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const QJsonObject ops = r.result["summary"].toObject()["ops"].toObject();
    const double commits = ops["commit"].toObject()["completed"].toDouble();
    const double begins = ops["begin"].toObject()["completed"].toDouble();
    QVERIFY(commits > 0);
    // Each connection may stop mid-transaction at the end of the run, and a
    // transaction may straddle the end of the warm-up; a retried (rolled
    // back) transaction begins again.
    const double retries = metric(r.result, "retries")["count"].toDouble();
    QVERIFY2(begins >= commits && begins <= commits + 6 + retries,
             qPrintable(QString("begins %1, commits %2, retries %3").arg(begins).arg(commits).arg(retries)));
    const double points = ops["point_select"].toObject()["completed"].toDouble();
    // Ten point selects per transaction: every committed one, up to one
    // unfinished per connection (3), and every retried (rolled back) one.
    QVERIFY2(points >= 10 * commits && points <= 10 * (commits + 3 + retries),
             qPrintable(QString("points %1, commits %2, retries %3").arg(points).arg(commits).arg(retries)));
    QCOMPARE(metric(r.result, "transaction")["count"].toDouble(), commits);
    QCOMPARE(r.result["run"].toObject()["workload_info"].toObject()["round_trips_per_transaction"].toInt(), 20);
    // The server committed at least as many transactions (prepare adds its own).
    psql("SELECT pg_stat_force_next_flush()");
    const double commitsAfter = psql("SELECT xact_commit FROM pg_stat_database WHERE datname='fbtest'").toDouble();
    QVERIFY2(commitsAfter - commitsBefore >= commits,
             qPrintable(QString("%1 vs %2").arg(commitsAfter - commitsBefore).arg(commits)));
}

void TestPostgres::contentionRetriesAndKeepsRows_data()
{
    QTest::addColumn<QString>("roundTrips");
    QTest::newRow("transaction") << "transaction";
    QTest::newRow("statement") << "statement";
}

void TestPostgres::contentionRetriesAndKeepsRows()
{
    // 8 connections on 4 rows: deadlocks and duplicate keys from concurrent
    // delete+insert are certain. Failed transactions roll back whole, so the
    // table still holds ids 1..4 afterwards.
    QFETCH(QString, roundTrips);
    auto r = run("contention-" + roundTrips, {"params.table_size=4", "params.round_trips=" + roundTrips,
                                              "params.cleanup=false", "--concurrency=8"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const QJsonObject sum = r.result["summary"].toObject();
    QVERIFY(metric(r.result, "retries")["count"].toDouble() > 0);
    QVERIFY(metric(r.result, "transaction")["count"].toDouble() > 0);
    QCOMPARE(sum["errors"].toObject()["server"].toDouble(), metric(r.result, "retries")["count"].toDouble());
    if (roundTrips == "statement")
        QVERIFY(sum["ops"].toObject()["rollback"].toObject()["completed"].toDouble() > 0);
    QCOMPARE(psql("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM sbtest1"), QString("4|4|1|4"));
    psql("DROP TABLE sbtest1");
}

void TestPostgres::existingTableIsNotOverwritten()
{
    psql("CREATE TABLE sbtest1 (x int)");
    psql("INSERT INTO sbtest1 VALUES (42)");
    auto r = run("exists", {});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.stderrText.contains("table sbtest1 already exists") && r.stderrText.contains(target_),
             qPrintable(r.stderrText));
    QCOMPARE(psql("SELECT x FROM sbtest1"), QString("42"));  // neither replaced nor dropped
    psql("DROP TABLE sbtest1");
}

void TestPostgres::twoTasksPrepareOnce()
{
    // Two tasks of one client (--tasks 2) with the default prepare=true:
    // without the barrier the second would fail with "already exists".
    // Task 0 creates the tables once, task 1 uses them, and task 0 drops
    // them only after task 1 is done (no error in task 1's run).
    const QString before = snapshot();
    QTemporaryDir bar;
    QList<QProcess*> procs;
    for (int i = 0; i < 2; ++i) {
        auto* p = new QProcess(this);
        p->start(fbloadBin(), {"run", "--workload", "postgres", "--target", target_, "--out",
                               dir_.filePath(QString("tasks-%1.json").arg(i)), "--duration", "1", "--concurrency", "2",
                               "--set", "params.database=fbtest", "--set", "params.tables=2", "--set", "params.table_size=500",
                               "--task-index", QString::number(i), "--tasks", "2", "--barrier", bar.path()});
        procs << p;
    }
    QStringList logs;
    for (QProcess* p : procs) {
        QVERIFY(p->waitForFinished(60000));
        logs << QString::fromUtf8(p->readAllStandardError());
        QVERIFY2(p->exitCode() == 0, qPrintable(logs.last()));
    }
    QVERIFY2(logs[0].contains("postgres: prepared 2 table(s)"), qPrintable(logs[0]));
    QVERIFY2(logs[0].contains("cleanup dropped 2 table(s)"), qPrintable(logs[0]));
    QVERIFY2(!logs[1].contains("prepared 2 table(s)") && !logs[1].contains("cleanup"), qPrintable(logs[1]));
    for (int i = 0; i < 2; ++i) {
        QFile f(dir_.filePath(QString("tasks-%1.json").arg(i)));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject requests = QJsonDocument::fromJson(f.readAll()).object()["summary"].toObject()["requests"].toObject();
        QVERIFY2(requests["completed"].toDouble() > 0, qPrintable(logs[i]));
        QCOMPARE(requests["errors"].toDouble(), 0.0);
    }
    QCOMPARE(snapshot(), before);
}

void TestPostgres::missingTableIsReported()
{
    auto r = run("missing", {"params.prepare=false", "params.table_prefix=nosuch"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.stderrText.contains("table nosuch1 does not exist"), qPrintable(r.stderrText));
}

void TestPostgres::passwordAuthIsRefusedClearly()
{
    // The fixture's user fbpw must log in with md5 (pg_hba.conf): the load
    // connections cannot, and fbload says so before creating anything.
    auto r = run("pw", {"params.user=fbpw", "params.password=fbpw"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.stderrText.contains("trust") && r.stderrText.contains("fbpw"), qPrintable(r.stderrText));
    QVERIFY2(!r.stderrText.contains("password=fbpw"), qPrintable(r.stderrText));
    QCOMPARE(psql("SELECT count(*) FROM pg_tables WHERE schemaname='public'"), QString("0"));
}

void TestPostgres::badParamsAreRejected_data()
{
    QTest::addColumn<QString>("assignment");
    QTest::addColumn<QString>("message");
    QTest::newRow("mode") << "params.mode=write_only" << "params.mode: expected read_write or read_only";
    QTest::newRow("tables") << "params.tables=0" << "params.tables";
    QTest::newRow("prefix") << "params.table_prefix=x;drop" << "params.table_prefix";
    QTest::newRow("unknown") << "params.tabels=2" << "tabels";
    QTest::newRow("round_trips") << "params.round_trips=batch" << "params.round_trips: expected transaction or statement";
}

void TestPostgres::badParamsAreRejected()
{
    QFETCH(QString, assignment);
    QFETCH(QString, message);
    auto r = run("bad", {assignment});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains(message), qPrintable(r.stderrText));
}

QTEST_GUILESS_MAIN(TestPostgres)
#include "tst_postgres.moc"
