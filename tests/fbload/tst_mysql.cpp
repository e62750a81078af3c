// fbload's mysql workload (libmariadb) against a real MariaDB (fixture
// fbload_mariadb, tests/services/mariadb.sh: database fbtest, user fbuser /
// password fbpw). What the run did is checked with the mariadb client and the
// server's own counters, not with fbload's numbers alone.
#include "fbload_test_util.h"

using namespace fbtest;

namespace {

QString sockPath()
{
    return qEnvironmentVariable("FBLOAD_SERVICES_DIR") + "/mariadb/data/mariadb.sock";
}

// As root over the fixture's socket (independent of fbload's TCP login), in
// database fbtest unless `database` is empty; the output, or the client's
// error in *error.
QString sql(const QString& query, QString* error = nullptr, const QString& database = "fbtest")
{
    QStringList args{"--no-defaults", "-S", sockPath(), "-u", "root", "-N", "-B"};
    if (!database.isEmpty())
        args << database;
    QProcess p;
    p.start("mariadb", args << "-e" << query);
    const bool ok = p.waitForFinished(20000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (error)
        *error = ok ? QString() : "mariadb: " + QString::fromUtf8(p.readAllStandardError()).trimmed() + " (in: " + query + ")";
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed().replace('\t', '|');
}

// The database as the fixture made it: fbtest empty (fbuser's grant is on
// the name and stays). Every case starts from it (init) and leaves it
// (cleanup), so a case that fails midway leaves nothing behind for the next.
bool resetDatabase(QString* error)
{
    sql("DROP DATABASE IF EXISTS fbtest; CREATE DATABASE fbtest", error, QString());
    return error->isEmpty();
}

// Every table of the database: what "the database as before" means here.
QString snapshot()
{
    return sql("SELECT GROUP_CONCAT(table_name ORDER BY table_name) FROM information_schema.tables "
               "WHERE table_schema='fbtest'");
}

double status(const QString& name)
{
    return sql("SELECT variable_value FROM information_schema.global_status WHERE variable_name='" + name + "'")
        .toDouble();
}

}  // namespace

class TestMysql : public QObject {
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
    void wrongPasswordIsReported();
    void badParamsAreRejected_data();
    void badParamsAreRejected();

private:
    RunOutcome run(const QString& name, const QStringList& extra, int requests = 200);
    QTemporaryDir dir_;
    QString target_;
};

void TestMysql::initTestCase()
{
    QVERIFY(dir_.isValid());
    const int port = servicePort("mariadb");
    QVERIFY2(port > 0, "fixture fbload_mariadb did not write its port");
    target_ = QString("127.0.0.1:%1").arg(port);
    QCOMPARE(sql("SELECT 1"), QString("1"));
}

void TestMysql::init()
{
    QString error;
    QVERIFY2(resetDatabase(&error), qPrintable(error));
    QCOMPARE(snapshot(), QString("NULL"));  // GROUP_CONCAT of no rows
}

void TestMysql::cleanup()
{
    QString error;
    QVERIFY2(resetDatabase(&error), qPrintable(error));
}

// A run ends after `requests` requests, not after a duration: what it did
// must not depend on how fast this machine is right now. The duration is
// only a bound far beyond what the requests take.
RunOutcome TestMysql::run(const QString& name, const QStringList& extra, int requests)
{
    const QString out = dir_.filePath(name + ".json");
    QStringList args{"run", "--workload", "mysql", "--target", target_, "--out", out, "--requests",
                     QString::number(requests), "--duration", "50", "--set", "params.database=fbtest", "--set", "params.user=fbuser",
                     "--set", "params.password=fbpw"};
    for (const QString& e : extra) {
        if (e.startsWith("--"))
            args << e.section('=', 0, 0) << e.section('=', 1);
        else
            args << "--set" << e;
    }
    return runFbload(args, out, 60000);
}

void TestMysql::prepareRunCleanupLeavesDatabaseAsBefore()
{
    sql("CREATE TABLE keepme (x INT)");  // not the workload's: must survive
    const QString before = snapshot();
    QCOMPARE(before, QString("keepme"));
    auto r = run("cycle", {"params.tables=2", "params.table_size=2000", "--concurrency=4"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const QJsonObject sum = r.result["summary"].toObject();
    QVERIFY2(sum["throughput"].toObject()["requests_per_s"].toDouble() > 0, qPrintable(r.stderrText));
    QCOMPARE(sum["requests"].toObject()["errors"].toDouble() - metric(r.result, "retries")["count"].toDouble(), 0.0);
    QCOMPARE(metric(r.result, "queries")["mean"].toDouble(), 20.0);
    const QJsonObject info = r.result["run"].toObject()["workload_info"].toObject();
    QCOMPARE(info["statements_per_transaction"].toInt(), 20);
    QVERIFY(info["server_version"].toString().contains("MariaDB"));
    QVERIFY(r.stderrText.contains("cleanup dropped 2 table(s)"));
    QCOMPARE(snapshot(), before);
    // The password never reaches the result.
    QVERIFY(!QJsonDocument(r.result).toJson().contains("fbpw"));
}

void TestMysql::readWriteReachesTheServerAndKeepsRows()
{
    const double commitsBefore = status("COM_COMMIT");
    auto r = run("rw", {"params.table_size=500", "params.cleanup=false", "--concurrency=2"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const double txns = r.result["summary"].toObject()["requests"].toObject()["completed"].toDouble();
    QVERIFY(txns > 0);
    QCOMPARE(sql("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM sbtest1"), QString("500|500|1|500"));
    // The server's own counter: at least one COMMIT per completed transaction.
    QVERIFY2(status("COM_COMMIT") - commitsBefore >= txns,
             qPrintable(QString("%1 vs %2").arg(status("COM_COMMIT") - commitsBefore).arg(txns)));
}

void TestMysql::readOnlyWritesNothing()
{
    auto prep = run("ro-prep", {"params.table_size=300", "params.cleanup=false"}, 10);
    QVERIFY2(prep.exitCode == 0, qPrintable(prep.stderrText));
    const QString checksum = sql("CHECKSUM TABLE sbtest1");
    const double writes = status("COM_UPDATE") + status("COM_DELETE") + status("COM_INSERT");
    auto r = run("ro", {"params.table_size=300", "params.prepare=false", "params.mode=read_only"}, 100);
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    QCOMPARE(r.result["summary"].toObject()["requests"].toObject()["completed"].toDouble(), 100.0);
    QCOMPARE(metric(r.result, "queries")["mean"].toDouble(), 16.0);
    QVERIFY(r.result["summary"].toObject()["ops"].toObject().contains("read_only"));
    QCOMPARE(status("COM_UPDATE") + status("COM_DELETE") + status("COM_INSERT"), writes);
    QCOMPARE(sql("CHECKSUM TABLE sbtest1"), checksum);
    // prepare=false: the run did not create the table, so it does not drop it.
    QCOMPARE(sql("SELECT count(*) FROM sbtest1"), QString("300"));
}

void TestMysql::statementRoundTrips()
{
    const double selectsBefore = status("COM_SELECT");
    // 30 transactions of 20 statements over three connections.
    auto r = run("stmt", {"params.table_size=1000", "params.round_trips=statement", "--concurrency=3"}, 600);
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const QJsonObject ops = r.result["summary"].toObject()["ops"].toObject();
    const double commits = ops["commit"].toObject()["completed"].toDouble();
    const double begins = ops["begin"].toObject()["completed"].toDouble();
    QVERIFY(commits > 0);
    const double retries = metric(r.result, "retries")["count"].toDouble();
    // Each connection may stop mid-transaction when the request count is
    // reached; a retried (rolled back) transaction begins again.
    QVERIFY2(begins >= commits && begins <= commits + 3 + retries,
             qPrintable(QString("begins %1, commits %2, retries %3").arg(begins).arg(commits).arg(retries)));
    const double points = ops["point_select"].toObject()["completed"].toDouble();
    // Ten point selects per transaction: every committed one, up to one
    // unfinished per connection (3), and every retried (rolled back) one.
    QVERIFY2(points >= 10 * commits && points <= 10 * (commits + 3 + retries),
             qPrintable(QString("points %1, commits %2, retries %3").arg(points).arg(commits).arg(retries)));
    QCOMPARE(metric(r.result, "transaction")["count"].toDouble(), commits);
    QCOMPARE(r.result["run"].toObject()["workload_info"].toObject()["round_trips_per_transaction"].toInt(), 20);
    // One round trip per statement: the server saw every SELECT separately.
    const double selects = status("COM_SELECT") - selectsBefore;
    QVERIFY2(selects >= 14 * commits, qPrintable(QString("%1 selects, %2 commits").arg(selects).arg(commits)));
}

void TestMysql::retryableErrorsRollBackAndKeepRows_data()
{
    // Requests per run: round_trips=transaction sends one per transaction;
    // statement sends 20 per committed transaction (statements_per_transaction,
    // checked above) and 19 per failed one (up to its INSERT; the ROLLBACK
    // is part of that request): 2 x (3 x 19 + 20) for 8 transactions.
    QTest::addColumn<QString>("roundTrips");
    QTest::addColumn<int>("requests");
    QTest::addColumn<int>("transactions");
    QTest::newRow("transaction") << "transaction" << 40 << 40;
    QTest::newRow("statement") << "statement" << 2 * (3 * 19 + 20) << 8;
}

void TestMysql::retryableErrorsRollBackAndKeepRows()
{
    // The errors concurrent transactions run into (deadlock 1213, lock wait
    // timeout 1205, duplicate key 1062 from two delete+insert of one id) are
    // injected by a trigger instead of provoked by contention, whose errors
    // depend on scheduling. The INSERT of every transaction n (counted by a
    // sequence, which no rollback resets) fails with one of the three unless
    // n % 4 == 0, AFTER its DELETE: a trigger's error ends only the
    // statement, so a transaction fbload did not roll back would lose a row
    // at the next BEGIN's implicit commit. One connection and a request
    // count make every number exact.
    QFETCH(QString, roundTrips);
    QFETCH(int, requests);
    QFETCH(int, transactions);
    QString error;
    sql("CREATE TABLE sbtest1 (id INTEGER NOT NULL AUTO_INCREMENT, k INTEGER DEFAULT '0' NOT NULL,"
        " c CHAR(120) DEFAULT '' NOT NULL, pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id)) ENGINE=InnoDB;"
        " INSERT INTO sbtest1 (id, k) VALUES (1, 1), (2, 2), (3, 3), (4, 4);"
        " CREATE SEQUENCE insert_attempt NOCACHE;\n"
        "DELIMITER //\n"  // a client command: alone on its line
        "CREATE TRIGGER inject_failure BEFORE INSERT ON sbtest1 FOR EACH ROW BEGIN"
        "   DECLARE n BIGINT DEFAULT NEXTVAL(insert_attempt);"
        "   CASE n % 4"
        "     WHEN 1 THEN SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'injected deadlock';"
        "     WHEN 2 THEN SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = 1205, MESSAGE_TEXT = 'injected lock wait timeout';"
        "     WHEN 3 THEN SIGNAL SQLSTATE '23000' SET MYSQL_ERRNO = 1062, MESSAGE_TEXT = 'injected duplicate key';"
        "     ELSE BEGIN END;"
        "   END CASE;"
        " END//",
        &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    auto r = run("retry-" + roundTrips,
                 {"params.table_size=4", "params.prepare=false", "params.round_trips=" + roundTrips, "--concurrency=1"},
                 requests);
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const int txns = transactions;
    const int failed = txns - txns / 4;
    // The server saw every transaction reach its INSERT, no more.
    QCOMPARE(sql("SELECT next_not_cached_value - 1 FROM insert_attempt").toInt(), txns);
    const QJsonObject sum = r.result["summary"].toObject();
    QCOMPARE(sum["requests"].toObject()["sent"].toDouble(), double(requests));
    // Every failure is a retry, counted once, and nothing else failed.
    QCOMPARE(metric(r.result, "retries")["count"].toDouble(), double(failed));
    QCOMPARE(sum["errors"].toObject()["server"].toDouble(), double(failed));
    QCOMPARE(sum["requests"].toObject()["errors"].toDouble(), double(failed));
    QCOMPARE(metric(r.result, "transaction")["count"].toDouble(), double(txns / 4));
    if (roundTrips == "statement")
        QCOMPARE(sum["ops"].toObject()["commit"].toObject()["completed"].toDouble(), double(txns / 4));
    else
        QCOMPARE(metric(r.result, "queries")["mean"].toDouble(), 20.0);
    // The failed transactions' deletes and updates were rolled back.
    QCOMPARE(sql("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM sbtest1"), QString("4|4|1|4"));
}

void TestMysql::existingTableIsNotOverwritten()
{
    sql("CREATE TABLE sbtest1 (x INT)");
    sql("INSERT INTO sbtest1 VALUES (42)");
    auto r = run("exists", {});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.stderrText.contains("table sbtest1 already exists") && r.stderrText.contains(target_),
             qPrintable(r.stderrText));
    QCOMPARE(sql("SELECT x FROM sbtest1"), QString("42"));
    auto m = run("missing", {"params.prepare=false", "params.table_prefix=nosuch"});
    QCOMPARE(m.exitCode, 1);
    QVERIFY2(m.stderrText.contains("table nosuch1 does not exist"), qPrintable(m.stderrText));
}

void TestMysql::twoTasksPrepareOnce()
{
    // Two tasks of one client (--tasks 2): task 0 creates and fills the
    // tables once (a second CREATE would fail with "already exists"), task 1
    // reads them, and task 0 drops them only after task 1 is done.
    const QString before = snapshot();
    QTemporaryDir bar;
    QList<QProcess*> procs;
    for (int i = 0; i < 2; ++i) {
        auto* p = new QProcess(this);
        p->start(fbloadBin(), {"run", "--workload", "mysql", "--target", target_, "--out",
                               dir_.filePath(QString("tasks-%1.json").arg(i)), "--duration", "1", "--concurrency", "2",
                               "--set", "params.database=fbtest", "--set", "params.user=fbuser", "--set", "params.password=fbpw",
                               "--set", "params.mode=read_only", "--set", "params.tables=2", "--set", "params.table_size=500",
                               "--task-index", QString::number(i), "--tasks", "2", "--barrier", bar.path()});
        procs << p;
    }
    QStringList logs;
    for (QProcess* p : procs) {
        QVERIFY(p->waitForFinished(60000));
        logs << QString::fromUtf8(p->readAllStandardError());
        QVERIFY2(p->exitCode() == 0, qPrintable(logs.last()));
    }
    QVERIFY2(logs[0].contains("mysql: prepared 2 table(s)") && logs[0].contains("cleanup dropped 2 table(s)"), qPrintable(logs[0]));
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

void TestMysql::wrongPasswordIsReported()
{
    auto r = run("pw", {"params.password=wrong"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.stderrText.contains("cannot connect as \"fbuser\"") && r.stderrText.contains(target_) &&
                 r.stderrText.contains("Access denied"),
             qPrintable(r.stderrText));
    QVERIFY2(!r.stderrText.contains("wrong"), qPrintable(r.stderrText));
    QCOMPARE(snapshot(), QString("NULL"));  // GROUP_CONCAT of no rows
}

void TestMysql::badParamsAreRejected_data()
{
    QTest::addColumn<QString>("assignment");
    QTest::addColumn<QString>("message");
    QTest::newRow("mode") << "params.mode=write_only" << "params.mode: expected read_write or read_only";
    QTest::newRow("tables") << "params.tables=0" << "params.tables";
    QTest::newRow("prefix") << "params.table_prefix=x;drop" << "params.table_prefix";
    QTest::newRow("unknown") << "params.tabels=2" << "tabels";
    QTest::newRow("round_trips") << "params.round_trips=batch" << "params.round_trips: expected transaction or statement";
    QTest::newRow("engine") << "params.engine=InnoDB;x" << "params.engine";
    QTest::newRow("open loop") << "--model=poisson" << "load.model: the mysql workload runs the closed model only";
}

void TestMysql::badParamsAreRejected()
{
    QFETCH(QString, assignment);
    QFETCH(QString, message);
    QStringList extra{assignment};
    if (assignment.startsWith("--model"))
        extra << "--rate=10";
    auto r = run("bad", extra);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains(message), qPrintable(r.stderrText));
}

QTEST_GUILESS_MAIN(TestMysql)
#include "tst_mysql.moc"
