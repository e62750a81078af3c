// fbload's postgres workload against a real PostgreSQL 15 (fixture
// fbload_postgres, tests/services/postgres.sh). What the run did is checked
// with psql and the server's own statistics (pg_stat_user_tables), not with
// fbload's numbers alone.
#include "fbload_test_util.h"

using namespace fbtest;

namespace {

// Runs `sql` as the superuser; the output, or psql's error in *error.
QString psql(const QString& sql, QString* error = nullptr)
{
    QProcess p;
    p.start("psql", {"-h", "127.0.0.1", "-p", QString::number(servicePort("postgres")), "-U", "postgres", "-d", "fbtest",
                     "-AtX", "-v", "ON_ERROR_STOP=1", "-c", sql});
    const bool ok = p.waitForFinished(20000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (error)
        *error = ok ? QString() : "psql: " + QString::fromUtf8(p.readAllStandardError()).trimmed() + " (in: " + sql + ")";
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

// fbload's connections (application_name fbload) flush their statistics
// when their server process exits, which may be after fbload has exited:
// wait until they are gone before reading the pg_stat_* counters.
bool fbloadBackendsGone()
{
    QElapsedTimer t;
    t.start();
    while (psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'fbload'") != "0") {
        if (t.elapsed() > 20000)
            return false;
        QThread::msleep(20);
    }
    return true;
}

// The database as the fixture made it: an empty public schema. Every case
// starts from it (init) and leaves it (cleanup), so a case that fails
// midway leaves nothing behind for the next one.
bool resetDatabase(QString* error)
{
    psql("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public AUTHORIZATION pg_database_owner;"
         " GRANT USAGE ON SCHEMA public TO PUBLIC; COMMENT ON SCHEMA public IS 'standard public schema'",
         error);
    return error->isEmpty();
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
    void init();
    void cleanup();
    void prepareRunCleanupLeavesDatabaseAsBefore();
    void readWriteReachesTheServerAndKeepsRows();
    void readOnlyWritesNothing();
    void statementRoundTrips();
    void retryableErrorsRollBackAndKeepRows_data();
    void retryableErrorsRollBackAndKeepRows();
    void existingTableIsNotOverwritten();
    void twoTasksPrepareOnce();
    void missingTableIsReported();
    void passwordAuthIsRefusedClearly();
    void badParamsAreRejected_data();
    void badParamsAreRejected();

private:
    RunOutcome run(const QString& name, const QStringList& extra, int requests = 200);
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

void TestPostgres::init()
{
    QString error;
    QVERIFY2(resetDatabase(&error), qPrintable(error));
    QCOMPARE(snapshot(), QString());
}

void TestPostgres::cleanup()
{
    QString error;
    QVERIFY2(resetDatabase(&error), qPrintable(error));
}

// A run ends after `requests` requests, not after a duration: what it did
// must not depend on how fast this machine is right now. The duration is
// only a bound far beyond what the requests take.
RunOutcome TestPostgres::run(const QString& name, const QStringList& extra, int requests)
{
    const QString out = dir_.filePath(name + ".json");
    QStringList args{"run", "--workload", "postgres", "--target", target_, "--out", out, "--requests",
                     QString::number(requests), "--duration", "50", "--set", "params.database=fbtest"};
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
    auto r = run("rw", {"params.table_size=500", "params.cleanup=false"}, 100);
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    // One connection: no contention, every transaction commits.
    const double txns = r.result["summary"].toObject()["requests"].toObject()["completed"].toDouble();
    QCOMPARE(txns, 100.0);
    // delete+insert puts every row back: still exactly ids 1..500.
    QCOMPARE(psql("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM sbtest1"), QString("500|500|1|500"));
    // The server's own counters for this new table: every transaction
    // updated two rows and deleted and inserted one (prepare inserted 500).
    QVERIFY(fbloadBackendsGone());
    QCOMPARE(psql("SELECT n_tup_upd, n_tup_del, n_tup_ins FROM pg_stat_user_tables WHERE relname='sbtest1'"),
             QString("200|100|600"));
}

void TestPostgres::readOnlyWritesNothing()
{
    auto prep = run("ro-prep", {"params.table_size=300", "params.cleanup=false"}, 10);
    QVERIFY2(prep.exitCode == 0, qPrintable(prep.stderrText));
    QVERIFY(fbloadBackendsGone());
    const QString before = psql("SELECT n_tup_upd + n_tup_del + n_tup_ins FROM pg_stat_user_tables WHERE relname='sbtest1'");
    auto r = run("ro", {"params.table_size=300", "params.prepare=false", "params.mode=read_only"}, 100);
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    QCOMPARE(r.result["summary"].toObject()["requests"].toObject()["completed"].toDouble(), 100.0);
    QCOMPARE(metric(r.result, "queries")["mean"].toDouble(), 16.0);
    QVERIFY(r.result["summary"].toObject()["ops"].toObject().contains("read_only"));
    QVERIFY(fbloadBackendsGone());
    QCOMPARE(psql("SELECT n_tup_upd + n_tup_del + n_tup_ins FROM pg_stat_user_tables WHERE relname='sbtest1'"), before);
    // prepare=false: the run did not create the table, so it does not drop it.
    QCOMPARE(psql("SELECT count(*) FROM sbtest1"), QString("300"));
}

void TestPostgres::statementRoundTrips()
{
    const double commitsBefore = psql("SELECT xact_commit FROM pg_stat_database WHERE datname='fbtest'").toDouble();
    // 30 transactions of 20 statements over three connections.
    auto r = run("stmt", {"params.table_size=1000", "params.round_trips=statement", "--concurrency=3"}, 600);
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const QJsonObject ops = r.result["summary"].toObject()["ops"].toObject();
    const double commits = ops["commit"].toObject()["completed"].toDouble();
    const double begins = ops["begin"].toObject()["completed"].toDouble();
    QVERIFY(commits > 0);
    // Each connection may stop mid-transaction when the request count is
    // reached; a retried (rolled back) transaction begins again.
    const double retries = metric(r.result, "retries")["count"].toDouble();
    QVERIFY2(begins >= commits && begins <= commits + 3 + retries,
             qPrintable(QString("begins %1, commits %2, retries %3").arg(begins).arg(commits).arg(retries)));
    const double points = ops["point_select"].toObject()["completed"].toDouble();
    // Ten point selects per transaction: every committed one, up to one
    // unfinished per connection (3), and every retried (rolled back) one.
    QVERIFY2(points >= 10 * commits && points <= 10 * (commits + 3 + retries),
             qPrintable(QString("points %1, commits %2, retries %3").arg(points).arg(commits).arg(retries)));
    QCOMPARE(metric(r.result, "transaction")["count"].toDouble(), commits);
    QCOMPARE(r.result["run"].toObject()["workload_info"].toObject()["round_trips_per_transaction"].toInt(), 20);
    // The server committed at least as many transactions (prepare adds its own).
    QVERIFY(fbloadBackendsGone());
    const double commitsAfter = psql("SELECT xact_commit FROM pg_stat_database WHERE datname='fbtest'").toDouble();
    QVERIFY2(commitsAfter - commitsBefore >= commits,
             qPrintable(QString("%1 vs %2").arg(commitsAfter - commitsBefore).arg(commits)));
}

void TestPostgres::retryableErrorsRollBackAndKeepRows_data()
{
    // Requests per run: round_trips=transaction sends one per transaction;
    // statement sends 20 per transaction (statements_per_transaction, checked
    // above), a failed one 19 up to its INSERT plus the ROLLBACK.
    QTest::addColumn<QString>("roundTrips");
    QTest::addColumn<int>("requests");
    QTest::newRow("transaction") << "transaction" << 40;
    QTest::newRow("statement") << "statement" << 8 * 20;
}

void TestPostgres::retryableErrorsRollBackAndKeepRows()
{
    // The errors concurrent transactions run into (deadlock 40P01,
    // serialization failure 40001, duplicate key 23505 from two
    // delete+insert of one id) are injected by a trigger instead of provoked
    // by contention: whether and when real contention produces them depends
    // on scheduling (PostgreSQL detects a deadlock only after
    // deadlock_timeout, 1 s), so on a busy machine a short contended run
    // could commit nothing or fail nothing. Here the INSERT of every
    // transaction n (counted by a sequence, which no rollback resets) fails
    // with one of the three unless n % 4 == 0, AFTER its DELETE: a
    // transaction not rolled back whole would lose a row. One connection and
    // a request count instead of a duration make every number exact.
    QFETCH(QString, roundTrips);
    QFETCH(int, requests);
    QString error;
    psql("CREATE TABLE sbtest1 (id INTEGER NOT NULL PRIMARY KEY, k INTEGER DEFAULT 0 NOT NULL,"
         " c CHAR(120) DEFAULT '' NOT NULL, pad CHAR(60) DEFAULT '' NOT NULL);"
         " INSERT INTO sbtest1 (id, k) SELECT g, g FROM generate_series(1, 4) AS g;"
         " CREATE INDEX k_sbtest1 ON sbtest1(k);"
         " CREATE SEQUENCE insert_attempt;"
         " CREATE FUNCTION inject_failure() RETURNS trigger LANGUAGE plpgsql AS $$"
         " DECLARE n bigint := nextval('insert_attempt');"
         " BEGIN"
         "   CASE n % 4"
         "     WHEN 1 THEN RAISE EXCEPTION 'injected deadlock' USING ERRCODE = '40P01';"
         "     WHEN 2 THEN RAISE EXCEPTION 'injected serialization failure' USING ERRCODE = '40001';"
         "     WHEN 3 THEN RAISE EXCEPTION 'injected duplicate key' USING ERRCODE = '23505';"
         "     ELSE RETURN NEW;"
         "   END CASE;"
         " END $$;"
         " CREATE TRIGGER inject_failure BEFORE INSERT ON sbtest1 FOR EACH ROW EXECUTE FUNCTION inject_failure()",
         &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    auto r = run("retry-" + roundTrips,
                 {"params.table_size=4", "params.prepare=false", "params.round_trips=" + roundTrips, "--concurrency=1"},
                 requests);
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const int attempts = roundTrips == "transaction" ? requests : requests / 20;
    const int failed = attempts - attempts / 4;
    // The server saw every transaction reach its INSERT, no more.
    QCOMPARE(psql("SELECT last_value FROM insert_attempt").toInt(), attempts);
    const QJsonObject sum = r.result["summary"].toObject();
    QCOMPARE(sum["requests"].toObject()["sent"].toDouble(), double(requests));
    // Every failure is a retry, counted once, and nothing else failed: in
    // particular not the next transaction (ROLLBACK ends the aborted block).
    QCOMPARE(metric(r.result, "retries")["count"].toDouble(), double(failed));
    QCOMPARE(sum["errors"].toObject()["server"].toDouble(), double(failed));
    QCOMPARE(sum["requests"].toObject()["errors"].toDouble(), double(failed));
    QCOMPARE(metric(r.result, "transaction")["count"].toDouble(), double(attempts / 4));
    if (roundTrips == "statement") {
        const QJsonObject ops = sum["ops"].toObject();
        QCOMPARE(ops["rollback"].toObject()["completed"].toDouble(), double(failed));
        QCOMPARE(ops["commit"].toObject()["completed"].toDouble(), double(attempts / 4));
    } else {
        // A transaction after a failed one starts with ROLLBACK in the same
        // message; it is not counted as one of its statements.
        QCOMPARE(metric(r.result, "queries")["mean"].toDouble(), 20.0);
    }
    // The failed transactions' deletes and updates were rolled back.
    QCOMPARE(psql("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM sbtest1"), QString("4|4|1|4"));
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
}

void TestPostgres::twoTasksPrepareOnce()
{
    // Two tasks of one client (--tasks 2) with the default prepare=true:
    // without the barrier the second would fail with "already exists".
    // Task 0 creates the tables once, task 1 uses them, and task 0 drops
    // them only after task 1 is done (no error in task 1's run). Read-only:
    // four connections writing the same rows may deadlock or collide on a
    // key, which is retried but would make the error count depend on
    // timing; a request count makes the completed count exact.
    const QString before = snapshot();
    QTemporaryDir bar;
    QList<QProcess*> procs;
    for (int i = 0; i < 2; ++i) {
        auto* p = new QProcess(this);
        p->start(fbloadBin(), {"run", "--workload", "postgres", "--target", target_, "--out",
                               dir_.filePath(QString("tasks-%1.json").arg(i)), "--requests", "40", "--duration", "60",
                               "--concurrency", "2", "--set", "params.database=fbtest", "--set", "params.mode=read_only",
                               "--set", "params.tables=2", "--set", "params.table_size=500",
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
        QCOMPARE(requests["completed"].toDouble(), 40.0);
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
