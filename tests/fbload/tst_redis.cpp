// fbload's redis workload against a real redis-server (fixture fbload_redis).
// What fbload wrote is read back with redis-cli, and the server's own INFO
// counters (commandstats, reads processed) show how the commands arrived.
#include "fbload_test_util.h"

#include <QRegularExpression>

using namespace fbtest;

namespace {

QString redisCli(const QStringList& args)
{
    QProcess p;
    p.start("redis-cli", QStringList{"-h", "127.0.0.1", "-p", QString::number(servicePort("redis"))} + args);
    p.waitForFinished(20000);
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

// One field of INFO <section> as a number (0 when absent).
double info(const QString& section, const QString& field)
{
    const QString text = redisCli({"INFO", section});
    QRegularExpression re("^" + QRegularExpression::escape(field) + ":([^\\r\\n]*)",
                          QRegularExpression::MultilineOption);
    auto m = re.match(text);
    return m.hasMatch() ? m.captured(1).toDouble() : 0.0;
}

// calls= of one command in INFO commandstats.
double commandCalls(const QString& cmd)
{
    const QString text = redisCli({"INFO", "commandstats"});
    QRegularExpression re("^cmdstat_" + cmd + ":calls=(\\d+)", QRegularExpression::MultilineOption);
    auto m = re.match(text);
    return m.hasMatch() ? m.captured(1).toDouble() : 0.0;
}

// The value fbload writes for a key: the key, then '.' padding to `size` bytes.
QString expectedValue(const QString& key, int size)
{
    return (key + QString(size, '.')).left(size);
}

}  // namespace

class TestRedis : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void setWritesEveryKey();
    void incrLpushHsetAreExact();
    void pipelineDepthIsHonoured_data();
    void pipelineDepthIsHonoured();
    void mixedRatio();
    void authWithAclUser();

private:
    RunOutcome run(const QString& name, const QStringList& extra);
    QTemporaryDir dir_;
};

void TestRedis::initTestCase()
{
    QVERIFY2(!fbloadBin().isEmpty(), "FBLOAD_BIN is not set");
    QVERIFY2(servicePort("redis") > 0, "the redis fixture did not write its port");
    QCOMPARE(redisCli({"PING"}), QString("PONG"));
    QVERIFY(dir_.isValid());
}

RunOutcome TestRedis::run(const QString& name, const QStringList& extra)
{
    const QString out = dir_.filePath(name + ".json");
    return runFbload(QStringList{"run", "--workload", "redis", "--target",
                                 QString("127.0.0.1:%1").arg(servicePort("redis")), "--out", out} + extra,
                     out);
}

void TestRedis::setWritesEveryKey()
{
    const double setsBefore = commandCalls("set");
    // Sequential keys: connection i writes keys i, i+4, i+8 ... so 1000
    // requests over 4 connections cover keys 0..999 exactly once.
    auto r = run("set", {"--requests", "1000", "--concurrency", "4", "--set", "params.key_prefix=tset:", "--set",
                         "params.keyspace=1000", "--set", "params.key_distribution=sequential", "--set",
                         "params.value_size=100", "--set", R"(params.operations={"set":1})"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    QCOMPARE(r.result["summary"].toObject()["requests"].toObject()["completed"].toInt(), 1000);
    QCOMPARE(commandCalls("set") - setsBefore, 1000.0);  // the server saw every request once
    const QStringList keys = redisCli({"--scan", "--pattern", "tset:*"}).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(keys.size(), 1000);
    for (int k : {0, 1, 2, 3, 17, 500, 998, 999}) {
        const QString key = QString("tset:key:%1").arg(k);
        QCOMPARE(redisCli({"GET", key}), expectedValue(key, 100));
    }
    QCOMPARE(redisCli({"STRLEN", "tset:key:42"}), QString("100"));
}

void TestRedis::incrLpushHsetAreExact()
{
    // 500 INCRs over a keyspace of 10 sequential keys: each counter ends at 50.
    auto r = run("incr", {"--requests", "500", "--concurrency", "5", "--set", "params.key_prefix=tincr:", "--set",
                          "params.keyspace=10", "--set", "params.key_distribution=sequential", "--set",
                          R"(params.operations={"incr":1})"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    for (int k = 0; k < 10; ++k)
        QCOMPARE(redisCli({"GET", QString("tincr:counter:%1").arg(k)}), QString("50"));

    r = run("lpush", {"--requests", "300", "--concurrency", "3", "--set", "params.key_prefix=tlist:", "--set",
                      "params.keyspace=3", "--set", "params.key_distribution=sequential", "--set",
                      "params.value_size=16", "--set", R"(params.operations={"lpush":1})"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    for (int k = 0; k < 3; ++k) {
        const QString key = QString("tlist:list:%1").arg(k);
        QCOMPARE(redisCli({"LLEN", key}), QString("100"));
        QCOMPARE(redisCli({"LINDEX", key, "0"}), expectedValue(key, 16));
    }

    r = run("hset", {"--requests", "20", "--concurrency", "2", "--set", "params.key_prefix=thash:", "--set",
                     "params.keyspace=20", "--set", "params.key_distribution=sequential", "--set",
                     "params.value_size=24", "--set", R"(params.operations={"hset":1})"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    for (int k : {0, 7, 19})
        QCOMPARE(redisCli({"HGET", QString("thash:hash:%1").arg(k), "field"}),
                 expectedValue(QString("thash:hash:%1").arg(k), 24));
}

void TestRedis::pipelineDepthIsHonoured_data()
{
    QTest::addColumn<int>("depth");
    QTest::newRow("no pipelining") << 1;
    QTest::newRow("pipeline 16") << 16;
    QTest::newRow("pipeline 64") << 64;
}

void TestRedis::pipelineDepthIsHonoured()
{
    QFETCH(int, depth);
    const int conns = 2;
    const double cmdsBefore = info("stats", "total_commands_processed");
    const double readsBefore = info("stats", "total_reads_processed");
    auto r = run(QString("pipe%1").arg(depth),
                 {"--duration", "1", "--concurrency", QString::number(conns), "--set",
                  QString("params.pipeline=%1").arg(depth), "--set", "params.key_prefix=tpipe:", "--set",
                  "params.keyspace=1000"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const double cmds = info("stats", "total_commands_processed") - cmdsBefore;
    const double reads = info("stats", "total_reads_processed") - readsBefore;
    // fbload writes a full window of `depth` commands and refills it as
    // replies arrive; the server reads each window in one read(), so commands
    // per read approaches the depth (less when a refill is partial).
    const double perRead = cmds / reads;
    int inflightMax = 0;
    for (const auto& row : r.result["timeseries"].toObject()["rows"].toArray())
        inflightMax = qMax(inflightMax, row.toObject()["inflight_max"].toInt());
    qInfo("pipeline %d: %.0f commands in %.0f reads = %.2f per read; fbload in flight max %d", depth, cmds, reads,
          perRead, inflightMax);
    QVERIFY(cmds > 1000);
    QVERIFY(inflightMax <= conns * depth);
    if (depth == 1) {
        QVERIFY2(perRead <= 1.05, "without pipelining the server must see one command per read");
    } else {
        QVERIFY2(perRead >= depth * 0.5 && perRead <= depth,
                 qPrintable(QString("%1 commands per read for depth %2").arg(perRead).arg(depth)));
        QCOMPARE(inflightMax, conns * depth);
    }
}

void TestRedis::mixedRatio()
{
    const double getBefore = commandCalls("get"), setBefore = commandCalls("set");
    auto r = run("mixed", {"--requests", "20000", "--concurrency", "4", "--set", "params.pipeline=8", "--set",
                           "params.key_prefix=tmix:", "--set", R"(params.operations={"get":0.8,"set":0.2})"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const double gets = commandCalls("get") - getBefore, sets = commandCalls("set") - setBefore;
    QCOMPARE(gets + sets, 20000.0);
    // Binomial(20000, 0.2): sd 57 commands, the bound below is 7 sd.
    QVERIFY2(qAbs(sets - 4000) <= 400, qPrintable(QString("%1 SETs of 20000, expected ~4000").arg(sets)));
    const auto ops = r.result["summary"].toObject()["ops"].toObject();
    QCOMPARE(ops["get"].toObject()["completed"].toDouble(), gets);
    QCOMPARE(ops["set"].toObject()["completed"].toDouble(), sets);
}

void TestRedis::authWithAclUser()
{
    QCOMPARE(redisCli({"ACL", "SETUSER", "fbtest", "on", ">s3cret pass", "~tauth:*", "+@all"}), QString("OK"));
    auto r = run("auth", {"--requests", "50", "--set", "params.username=fbtest", "--set",
                          "params.password=s3cret pass", "--set", "params.key_prefix=tauth:", "--set",
                          R"(params.operations={"set":1})"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    QCOMPARE(r.result["summary"].toObject()["requests"].toObject()["completed"].toInt(), 50);
    // The password never reaches the result file.
    QCOMPARE(r.result["run"].toObject()["config"].toObject()["params"].toObject()["password"].toString(), QString("***"));
    QVERIFY2(!QJsonDocument(r.result).toJson().contains("s3cret"), "the password leaked into the result");

    // A wrong password fails the run with the server's reason.
    r = run("badauth", {"--requests", "5", "--set", "params.username=fbtest", "--set", "params.password=wrong"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.stderrText.contains("WRONGPASS") || r.stderrText.contains("AUTH"), qPrintable(r.stderrText));
    redisCli({"ACL", "DELUSER", "fbtest"});
}

QTEST_GUILESS_MAIN(TestRedis)
#include "tst_redis.moc"
