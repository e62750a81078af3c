// fbload's s3 workload against s3rver (fixture fbload_s3rver, a real S3
// implementation from npm). What fbload stored is checked on s3rver's disk
// (DIR/data/<bucket>/<key>._S3rver_object) against the object rule, so PUT is
// verified independently of fbload's own GET verification.
//
// s3rver does not check V4 signatures (its authentication middleware accepts
// any well-formed one), so the signer is verified by tst_sigv4 instead.
#include "fbload_test_util.h"
#include "workloads/s3.h"

#include <QDir>
#include <QProcessEnvironment>

using namespace fbtest;

namespace {

QString dataDir(const QString& bucket)
{
    return qEnvironmentVariable("FBLOAD_SERVICES_DIR") + "/s3rver/data/" + bucket;
}

// Object files of a bucket under a prefix directory, name -> bytes.
QMap<QString, QByteArray> storedObjects(const QString& bucket, const QString& prefixDir)
{
    QMap<QString, QByteArray> out;
    QDir d(dataDir(bucket) + "/" + prefixDir);
    for (const QString& f : d.entryList({"*._S3rver_object"}, QDir::Files)) {
        QFile file(d.filePath(f));
        if (file.open(QIODevice::ReadOnly))
            out[f.chopped(int(strlen("._S3rver_object")))] = file.readAll();
    }
    return out;
}

// True when `bytes` are what fbload PUTs as object number `index`.
bool matchesRule(const QByteArray& bytes, uint64_t index)
{
    std::string want;
    fbload::s3ObjectBytes(want, index, static_cast<size_t>(bytes.size()));
    return want == bytes.toStdString();
}

qint64 opCompleted(const QJsonObject& r, const QString& op)
{
    return r["summary"].toObject()["ops"].toObject()[op].toObject()["completed"].toInteger();
}

qint64 errorsOf(const QJsonObject& r, const QString& cls)
{
    return r["summary"].toObject()["errors"].toObject()[cls].toInteger();
}

}  // namespace

class TestS3 : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void putGetListDelete();
    void corruptedObjectIsDetected();
    void multipartUpload();
    void mixedRatio();
    void twoTasksOwnPrefixes();
    void badParameters();

private:
    RunOutcome run(const QString& name, const QString& bucket, const QStringList& extra);
    QTemporaryDir dir_;
};

void TestS3::initTestCase()
{
    QVERIFY2(!fbloadBin().isEmpty(), "FBLOAD_BIN is not set");
    QVERIFY2(servicePort("s3rver") > 0, "the s3rver fixture did not write its port");
    QVERIFY(dir_.isValid());
}

RunOutcome TestS3::run(const QString& name, const QString& bucket, const QStringList& extra)
{
    const QString out = dir_.filePath(name + ".json");
    QFile::remove(out);
    return runFbload(QStringList{"run", "--workload", "s3", "--target",
                                 QString("127.0.0.1:%1").arg(servicePort("s3rver")), "--out", out,
                                 "--set", "params.access_key=S3RVER", "--set", "params.secret_key=S3RVER",
                                 "--set", "params.bucket=" + bucket} + extra,
                     out);
}

void TestS3::putGetListDelete()
{
    const QStringList common = {"--set", "params.key_distribution=sequential", "--set", "params.objects=40",
                                "--set", "params.key_prefix=basic/", "--set",
                                R"(params.object_sizes=[{"size":0,"weight":1},{"size":1000,"weight":2},{"size":70001,"weight":1}])"};
    // PUT each of the 40 objects once (sequential keys, 4 connections).
    RunOutcome put = run("put", "t-basic", common + QStringList{"--requests", "40", "--concurrency", "4", "--set",
                                                                R"(params.operations={"put":1})"});
    QVERIFY2(put.exitCode == 0, qPrintable(put.stderrText));
    QCOMPARE(opCompleted(put.result, "put"), 40);
    const auto stored = storedObjects("t-basic", "basic");
    QCOMPARE(stored.size(), 40);
    QSet<qsizetype> sizes;
    for (auto it = stored.begin(); it != stored.end(); ++it) {
        QVERIFY2(it.key().startsWith("obj-"), qPrintable(it.key()));
        QVERIFY2(matchesRule(it.value(), it.key().mid(4).toULongLong()), qPrintable("stored bytes differ: " + it.key()));
        sizes.insert(it.value().size());
    }
    QVERIFY2(sizes.size() >= 2, "the size distribution produced a single size");
    for (qsizetype s : sizes)
        QVERIFY(s == 0 || s == 1000 || s == 70001);

    // GET every object back: fbload verifies length and every byte.
    RunOutcome get = run("get", "t-basic", common + QStringList{"--requests", "40", "--concurrency", "4", "--set",
                                                                R"(params.operations={"get":1})"});
    QVERIFY2(get.exitCode == 0, qPrintable(get.stderrText));
    QCOMPARE(opCompleted(get.result, "get"), 40);
    QCOMPARE(get.result["summary"].toObject()["requests"].toObject()["errors"].toInteger(), 0);

    // LIST counts: 40 is right, 39 must be reported as wrong.
    RunOutcome list = run("list", "t-basic", common + QStringList{"--requests", "3", "--set",
                                                                  R"(params.operations={"list":1})", "--set", "params.list_expect=40"});
    QVERIFY2(list.exitCode == 0, qPrintable(list.stderrText));
    QCOMPARE(opCompleted(list.result, "list"), 3);
    RunOutcome badList = run("list-bad", "t-basic", common + QStringList{"--requests", "2", "--set",
                                                                         R"(params.operations={"list":1})", "--set", "params.list_expect=39"});
    QCOMPARE(errorsOf(badList.result, "protocol"), 2);
    QVERIFY2(badList.stderrText.contains("returned 40 keys, expected 39"), qPrintable(badList.stderrText));

    // DELETE all of them: the bucket's prefix is empty afterwards. One
    // connection: s3rver removes a prefix directory once it looks empty
    // (deleteObject in lib/stores/filesystem.js), and two concurrent deletes
    // of the last objects race on that rmdir and one gets HTTP 500.
    RunOutcome del = run("delete", "t-basic", common + QStringList{"--requests", "40", "--concurrency", "1", "--set",
                                                                   R"(params.operations={"delete":1})"});
    QVERIFY2(del.exitCode == 0, qPrintable(del.stderrText));
    QCOMPARE(opCompleted(del.result, "delete"), 40);
    QCOMPARE(storedObjects("t-basic", "basic").size(), 0);
    RunOutcome empty = run("list-empty", "t-basic", common + QStringList{"--requests", "1", "--set",
                                                                         R"(params.operations={"list":1})", "--set", "params.list_expect=0"});
    QVERIFY2(empty.exitCode == 0, qPrintable(empty.stderrText));
}

void TestS3::corruptedObjectIsDetected()
{
    const QStringList common = {"--set", "params.key_distribution=sequential", "--set", "params.objects=3",
                                "--set", "params.key_prefix=bad/", "--set", "params.object_size=5000"};
    RunOutcome put = run("c-put", "t-corrupt", common + QStringList{"--requests", "3", "--set", R"(params.operations={"put":1})"});
    QVERIFY2(put.exitCode == 0, qPrintable(put.stderrText));
    QFile f(dataDir("t-corrupt") + "/bad/obj-1._S3rver_object");
    QVERIFY(f.open(QIODevice::ReadWrite));
    QVERIFY(f.seek(4321));
    char c = 0;
    QVERIFY(f.getChar(&c));
    QVERIFY(f.seek(4321));
    QVERIFY(f.putChar(static_cast<char>(c ^ 0x5a)));
    f.close();
    RunOutcome get = run("c-get", "t-corrupt", common + QStringList{"--requests", "3", "--set", R"(params.operations={"get":1})"});
    QCOMPARE(opCompleted(get.result, "get"), 2);
    QCOMPARE(errorsOf(get.result, "protocol"), 1);
    QVERIFY2(get.stderrText.contains("\"bad/obj-1\" differs at byte 4321"), qPrintable(get.stderrText));
}

void TestS3::multipartUpload()
{
    // 12 MiB + 5 bytes in 5 MiB parts: 3 parts, the last one short and odd.
    const QStringList common = {"--set", "params.key_distribution=sequential", "--set", "params.objects=2",
                                "--set", "params.key_prefix=mp/", "--set", "params.object_size=12582917",
                                "--set", "params.multipart_threshold=8MiB", "--set", "params.part_size=5MiB"};
    RunOutcome put = run("mp-put", "t-multipart", common + QStringList{"--requests", "10", "--set", R"(params.operations={"put":1})"});
    QVERIFY2(put.exitCode == 0, qPrintable(put.stderrText));
    QCOMPARE(opCompleted(put.result, "multipart_init"), 2);
    QCOMPARE(opCompleted(put.result, "multipart_part"), 6);
    QCOMPARE(opCompleted(put.result, "multipart_complete"), 2);
    QCOMPARE(opCompleted(put.result, "put"), 0);
    const auto stored = storedObjects("t-multipart", "mp");
    QCOMPARE(stored.size(), 2);
    for (auto it = stored.begin(); it != stored.end(); ++it) {
        QCOMPARE(it.value().size(), 12582917);
        QVERIFY2(matchesRule(it.value(), it.key().mid(4).toULongLong()), qPrintable("assembled object differs: " + it.key()));
    }
    RunOutcome get = run("mp-get", "t-multipart", common + QStringList{"--requests", "2", "--set", R"(params.operations={"get":1})"});
    QVERIFY2(get.exitCode == 0, qPrintable(get.stderrText));
    QCOMPARE(opCompleted(get.result, "get"), 2);
    QCOMPARE(errorsOf(get.result, "protocol"), 0);
}

void TestS3::mixedRatio()
{
    // 400 requests at put 50 %, get 30 %, list 10 %, delete 10 %. One
    // connection: s3rver writes an object file in place (createWriteStream in
    // lib/stores/filesystem.js), so a GET racing a PUT of the same key on
    // another connection can read a partial object, which fbload rightly
    // reports as an integrity failure; S3 and MinIO replace objects atomically.
    RunOutcome r = run("mixed", "t-mixed", {"--requests", "400", "--concurrency", "1", "--set", "params.objects=20",
                                            "--set", "params.key_prefix=mix/", "--set", "params.object_size=256", "--set",
                                            R"(params.operations={"put":5,"get":3,"list":1,"delete":1})"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const QJsonObject ops = r.result["summary"].toObject()["ops"].toObject();
    auto total = [&](const QString& op) {
        return ops[op].toObject()["completed"].toInteger() + ops[op].toObject()["errors"].toInteger();
    };
    QCOMPARE(total("put") + total("get") + total("list") + total("delete"), 400);
    // Binomial 3-sigma bounds around 200/120/40/40.
    QVERIFY2(qAbs(total("put") - 200) <= 30, qPrintable(QString::number(total("put"))));
    QVERIFY2(qAbs(total("get") - 120) <= 28, qPrintable(QString::number(total("get"))));
    QVERIFY2(qAbs(total("list") - 40) <= 18, qPrintable(QString::number(total("list"))));
    QVERIFY2(qAbs(total("delete") - 40) <= 18, qPrintable(QString::number(total("delete"))));
    // The only errors allowed are GETs of keys not written yet or deleted (404).
    QCOMPARE(errorsOf(r.result, "protocol"), 0);
    const QJsonObject status = r.result["summary"].toObject()["http_status"].toObject();
    for (const QString& k : status.keys())
        QCOMPARE(k, QString("404"));
    QCOMPARE(status["404"].toInteger(), ops["get"].toObject()["errors"].toInteger());
}

void TestS3::twoTasksOwnPrefixes()
{
    // Two tasks of one client (--tasks 2) on a bucket that does not exist:
    // task 0 alone creates it, and each task PUTs objects 0..9 under its own
    // prefix (key_prefix + t<task>/), so neither overwrites the other's.
    QTemporaryDir bar;
    QList<QProcess*> procs;
    for (int i = 0; i < 2; ++i) {
        auto* p = new QProcess(this);
        p->start(fbloadBin(), {"run", "--workload", "s3", "--target", QString("127.0.0.1:%1").arg(servicePort("s3rver")),
                               "--out", dir_.filePath(QString("tasks-%1.json").arg(i)), "--set", "params.access_key=S3RVER",
                               "--set", "params.secret_key=S3RVER", "--set", "params.bucket=t-tasks", "--set",
                               "params.key_prefix=tasks/", "--set", "params.key_distribution=sequential", "--set",
                               "params.objects=10", "--set", "params.object_size=100", "--set", R"(params.operations={"put":1})",
                               "--requests", "10", "--concurrency", "1", "--task-index", QString::number(i), "--tasks", "2",
                               "--barrier", bar.path()});
        procs << p;
    }
    for (QProcess* p : procs) {
        QVERIFY(p->waitForFinished(60000));
        QVERIFY2(p->exitCode() == 0, p->readAllStandardError().constData());
    }
    for (const QString& task : {QString("t0"), QString("t1")}) {
        const auto stored = storedObjects("t-tasks", "tasks/" + task);
        QCOMPARE(stored.size(), 10);
        for (auto it = stored.begin(); it != stored.end(); ++it)
            QVERIFY2(matchesRule(it.value(), it.key().mid(4).toULongLong()), qPrintable(task + "/" + it.key()));
    }
    QCOMPARE(storedObjects("t-tasks", "tasks").size(), 0);  // nothing beside the task prefixes
}

void TestS3::badParameters()
{
    RunOutcome r = run("bad1", "Bad_Bucket", {"--requests", "1"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains("params.bucket"), qPrintable(r.stderrText));
    r = run("bad2", "t-bad", {"--requests", "1", "--set", R"(params.operations={"copy":1})"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains("params.operations.copy: unknown operation"), qPrintable(r.stderrText));
    r = run("bad3", "t-bad", {"--requests", "1", "--set", "params.part_size=1024"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains("params.part_size"), qPrintable(r.stderrText));
    r = run("bad4", "t-bad", {"--requests", "1", "--set", R"(params.object_sizes=[{"size":-1}])"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains("params.object_sizes[0].size"), qPrintable(r.stderrText));
    r = run("bad4b", "t-bad", {"--requests", "1", "--set", "params.object_size=12XB"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains("params.object_size: expected a whole number of bytes"), qPrintable(r.stderrText));
    // An access key s3rver does not know: refused before any load, exit 1.
    r = run("bad5", "t-bad", {"--requests", "1", "--set", "params.access_key=NOBODY"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.stderrText.contains("access denied (HTTP 403)"), qPrintable(r.stderrText));
    // No credentials at all (and none in the environment).
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("AWS_ACCESS_KEY_ID");
    env.remove("AWS_SECRET_ACCESS_KEY");
    p.setProcessEnvironment(env);
    p.start(fbloadBin(), {"run", "--workload", "s3", "--target", QString("127.0.0.1:%1").arg(servicePort("s3rver")),
                          "--out", dir_.filePath("bad6.json"), "--requests", "1"});
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains("credentials are required"));
}

QTEST_GUILESS_MAIN(TestS3)
#include "tst_s3.moc"
