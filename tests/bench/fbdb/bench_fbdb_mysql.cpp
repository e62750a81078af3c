// Benchmark: fbload's mysql workload next to `sysbench oltp_read_write` on the
// same private MariaDB (fixture fbload_mariadb), same table, same threads,
// same duration, in the same run.
//
//   fbload:   params.round_trips=statement: one round trip per statement, 20
//             per transaction (10 point selects, 4 ranges, 2 updates,
//             delete+insert, BEGIN/COMMIT), text queries, one connection and
//             thread per client, as sysbench does. Target: TPS >= 1.0 x sysbench.
//   sysbench: oltp_read_write --db-driver=mysql --db-ps-mode=disable (text
//             queries, the same 20 statements) --rand-type=uniform (fbload
//             draws ids uniformly; sysbench's default "special" puts 75 % of
//             them on 1 % of the rows) on fbload's table.
//   Also printed: fbload round_trips=transaction (one multi-statement round
//   trip per transaction), which has no sysbench equivalent.
//
// Goal: fbload statement TPS >= 1.0 x sysbench, as a ratio of MEDIANS: the
// tools run in kRounds interleaved rounds (fbload, sysbench, fbload, ...) and
// every round, the medians, the min-max spread and the ratio of medians are
// printed (tests/bench/BenchRounds.h). Printed, not asserted (2 shared cores).
// Asserted: every tool produced a throughput in every round.
#include "../BenchRounds.h"
#include "fbload_test_util.h"

#include <QRegularExpression>

using namespace fbtest;

namespace {

constexpr int kSeconds = 4;
constexpr int kRounds = 5;
constexpr int kClients = 8;
constexpr int kRows = 100000;

QString sockPath()
{
    return qEnvironmentVariable("FBLOAD_SERVICES_DIR") + "/mariadb/data/mariadb.sock";
}

}  // namespace

class BenchFbdbMysql : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void mysqlVsSysbench();
    void cleanupTestCase();

private:
    double fbload(const QString& name, const QString& roundTrips);
    QTemporaryDir dir_;
    QString port_;
};

void BenchFbdbMysql::initTestCase()
{
    QVERIFY(dir_.isValid());
    port_ = QString::number(servicePort("mariadb"));
    QVERIFY(port_ != "0");
    const QString out = dir_.filePath("prepare.json");
    auto r = runFbload({"run", "--workload", "mysql", "--target", "127.0.0.1:" + port_, "--out", out, "--requests",
                        "1", "--set", "params.database=fbtest", "--set", "params.user=fbuser", "--set",
                        "params.password=fbpw", "--set", QString("params.table_size=%1").arg(kRows), "--set",
                        "params.cleanup=false"},
                       out, 180000);
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
}

void BenchFbdbMysql::cleanupTestCase()
{
    QProcess p;
    p.start("mariadb", {"--no-defaults", "-S", sockPath(), "-u", "root", "fbtest", "-e", "DROP TABLE IF EXISTS sbtest1"});
    p.waitForFinished(20000);
}

// Transactions per second of one fbload run.
double BenchFbdbMysql::fbload(const QString& name, const QString& roundTrips)
{
    const QString out = dir_.filePath(name + ".json");
    auto f = runFbload({"run", "--workload", "mysql", "--target", "127.0.0.1:" + port_, "--out", out, "--duration",
                        QString::number(kSeconds), "--concurrency", QString::number(kClients), "--set",
                        "params.database=fbtest", "--set", "params.user=fbuser", "--set", "params.password=fbpw",
                        "--set", QString("params.table_size=%1").arg(kRows), "--set", "params.prepare=false", "--set",
                        "params.cleanup=false", "--set", "params.round_trips=" + roundTrips},
                       out, 90000);
    if (f.exitCode != 0)
        qWarning("%s", qPrintable(f.stderrText));
    return metric(f.result, "transaction")["count"].toDouble() / f.result["run"].toObject()["measured_s"].toDouble();
}

void BenchFbdbMysql::mysqlVsSysbench()
{
    fbbench::Rounds stmt("fbload round_trips=statement"), sys("sysbench oltp_read_write"),
        txn("fbload round_trips=transaction");
    for (int round = 0; round < kRounds; ++round) {
        stmt.add(fbload(QString("stmt-%1").arg(round), "statement"));
        qInfo("fbload statement   round %d: %.1f TPS", round, stmt.values().back());

        QProcess p;
        p.start("sysbench", {"oltp_read_write", "--db-driver=mysql", "--mysql-host=127.0.0.1", "--mysql-port=" + port_,
                             "--mysql-user=fbuser", "--mysql-password=fbpw", "--mysql-db=fbtest", "--tables=1",
                             QString("--table-size=%1").arg(kRows), QString("--threads=%1").arg(kClients),
                             QString("--time=%1").arg(kSeconds), "--db-ps-mode=disable", "--rand-type=uniform", "run"});
        p.waitForFinished(90000);
        const QString sout = QString::fromUtf8(p.readAllStandardOutput());
        auto m = QRegularExpression("transactions:\\s+\\d+\\s+\\(([0-9.]+) per sec").match(sout);
        sys.add(m.hasMatch() ? m.captured(1).toDouble() : 0);
        qInfo("sysbench           round %d: %.1f TPS (exit %d)", round, sys.values().back(), p.exitCode());
        if (sys.values().back() <= 0)
            qWarning("%s\n%s", qPrintable(sout), qPrintable(QString::fromUtf8(p.readAllStandardError())));

        txn.add(fbload(QString("txn-%1").arg(round), "transaction"));
        qInfo("fbload transaction round %d: %.1f TPS", round, txn.values().back());
    }
    QVERIFY(stmt.allPositive());
    QVERIFY(sys.allPositive());
    QVERIFY(txn.allPositive());
    qInfo("mysql (MariaDB) read_write, %d clients, %d rows, %d interleaved rounds x %d s:", kClients, kRows, kRounds,
          kSeconds);
    for (const auto* r : {&stmt, &sys, &txn})
        qInfo("  %s", qPrintable(r->summary(1, "TPS")));
    qInfo("  %s (both 20 round trips/txn)", qPrintable(fbbench::ratioLine(stmt, sys, 1.0)));
    qInfo("  %s (1 round trip/txn, no sysbench equivalent)", qPrintable(fbbench::ratioLine(txn, sys, 1.0)));
}

QTEST_GUILESS_MAIN(BenchFbdbMysql)
#include "bench_fbdb_mysql.moc"
