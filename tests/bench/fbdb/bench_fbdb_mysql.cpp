// Benchmark: fbload's mysql workload next to `sysbench oltp_read_write` on the
// same private MariaDB (fixture fbload_mariadb), same table, same threads,
// same duration, in the same run.
//
//   fbload:   params.round_trips=statement: one round trip per statement, 20
//             per transaction (10 point selects, 4 ranges, 2 updates,
//             delete+insert, BEGIN/COMMIT), text queries, one connection and
//             thread per client, as sysbench does. Target: TPS >= 0.90 x sysbench.
//   sysbench: oltp_read_write --db-driver=mysql --db-ps-mode=disable (text
//             queries, the same 20 statements) on fbload's table.
//   Also printed: fbload round_trips=transaction (one multi-statement round
//   trip per transaction), which has no sysbench equivalent.
//
// Printed, not asserted (2 shared cores); each tool runs kRounds times,
// alternating, and the best round counts. Asserted: every tool produced a throughput.
#include "fbload_test_util.h"

#include <QRegularExpression>

using namespace fbtest;

namespace {

constexpr int kSeconds = 4;
constexpr int kRounds = 3;
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
    double best[3] = {0, 0, 0};
    for (int round = 0; round < kRounds; ++round) {
        const double stmt = fbload(QString("stmt-%1").arg(round), "statement");
        qInfo("fbload statement   round %d: %.1f TPS", round, stmt);
        best[0] = std::max(best[0], stmt);

        QProcess p;
        p.start("sysbench", {"oltp_read_write", "--db-driver=mysql", "--mysql-host=127.0.0.1", "--mysql-port=" + port_,
                             "--mysql-user=fbuser", "--mysql-password=fbpw", "--mysql-db=fbtest", "--tables=1",
                             QString("--table-size=%1").arg(kRows), QString("--threads=%1").arg(kClients),
                             QString("--time=%1").arg(kSeconds), "--db-ps-mode=disable", "run"});
        p.waitForFinished(90000);
        const QString sout = QString::fromUtf8(p.readAllStandardOutput());
        auto m = QRegularExpression("transactions:\\s+\\d+\\s+\\(([0-9.]+) per sec").match(sout);
        const double stps = m.hasMatch() ? m.captured(1).toDouble() : 0;
        qInfo("sysbench           round %d: %.1f TPS (exit %d)", round, stps, p.exitCode());
        if (stps <= 0)
            qWarning("%s\n%s", qPrintable(sout), qPrintable(QString::fromUtf8(p.readAllStandardError())));
        best[1] = std::max(best[1], stps);

        const double txn = fbload(QString("txn-%1").arg(round), "transaction");
        qInfo("fbload transaction round %d: %.1f TPS", round, txn);
        best[2] = std::max(best[2], txn);
    }
    QVERIFY(best[0] > 0);
    QVERIFY(best[1] > 0);
    QVERIFY(best[2] > 0);
    qInfo("mysql (MariaDB) read_write, %d clients, %d rows, best of %d x %d s:", kClients, kRows, kRounds, kSeconds);
    qInfo("  fbload round_trips=statement %.1f TPS, sysbench oltp_read_write %.1f TPS (both 20 round trips/txn): "
          "ratio %.3f (target >= 0.90)",
          best[0], best[1], best[0] / best[1]);
    qInfo("  fbload round_trips=transaction (1 round trip/txn) %.1f TPS: %.3f x sysbench", best[2], best[2] / best[1]);
}

QTEST_GUILESS_MAIN(BenchFbdbMysql)
#include "bench_fbdb_mysql.moc"
