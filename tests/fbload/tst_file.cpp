// fbload's file workload through `fbload run`: what was written is on disk
// byte for byte (checked here with fillBlock and a SHA-256 of our own, not
// with fbload's verify), reads verify, O_DIRECT falls back with a message on
// a filesystem that refuses it (ramfs, mounted in a private user+mount
// namespace with unshare: tmpfs accepts O_DIRECT since Linux 6.6), and bad
// parameters are rejected by name.
#include "fbload_test_util.h"

#include "workloads/file_io.h"

#include <QCryptographicHash>
#include <QDir>

using namespace fbtest;

namespace {

constexpr int kBlock = 4096;
constexpr int kBlocks = 64;  // 256 KiB files

// SHA-256 of what file (connection, index) must hold: fillBlock per block.
QByteArray expectedHash(int conn, int index)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    QByteArray block(kBlock, 0);
    const uint64_t id = (static_cast<uint64_t>(conn) << 32) | static_cast<uint32_t>(index);
    for (int b = 0; b < kBlocks; ++b) {
        fbload::fileio::fillBlock(block.data(), kBlock, id, static_cast<uint64_t>(b) * kBlock);
        h.addData(block);
    }
    return h.result();
}

QByteArray fileHash(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

}  // namespace

class TestFile : public QObject {
    Q_OBJECT
private slots:
    void writtenBytesReadBackIdentically_data();
    void writtenBytesReadBackIdentically();
    void corruptionIsDetected();
    void randomReadsAndMetadataOps();
    void directFallsBackWhereRefused();
    void badParamsAreRejected_data();
    void badParamsAreRejected();

private:
    RunOutcome run(const QString& dir, const QStringList& extra, const QString& name = "r");
    QTemporaryDir out_;
};

RunOutcome TestFile::run(const QString& dir, const QStringList& extra, const QString& name)
{
    const QString out = out_.filePath(name + ".json");
    QStringList args{"run", "--workload", "file", "--out", out, "--set", "params.dir=" + dir, "--set",
                     QString("params.block_size=%1").arg(kBlock), "--set",
                     QString("params.file_size=%1").arg(kBlock * kBlocks)};
    for (const QString& e : extra) {
        if (e.startsWith("--"))
            args << e.section('=', 0, 0) << e.section('=', 1);
        else
            args << "--set" << e;
    }
    if (!args.contains("--duration") && !args.contains("--requests"))
        args << "--duration" << "1";
    return runFbload(args, out, 60000);
}

void TestFile::writtenBytesReadBackIdentically_data()
{
    QTest::addColumn<QString>("base");
    QTest::addColumn<QString>("direct");
    QTest::newRow("build dir, buffered") << QDir::currentPath() << "false";
    QTest::newRow("build dir, direct+fsync") << QDir::currentPath() << "true";
    QTest::newRow("tmpfs") << "/dev/shm" << "false";
}

void TestFile::writtenBytesReadBackIdentically()
{
    QFETCH(QString, base);
    QFETCH(QString, direct);
    QTemporaryDir dir(base + "/fbload-file-XXXXXX");
    QVERIFY(dir.isValid());
    // 2 connections x 2 files x 64 blocks, sequential: 256 requests write every block once.
    auto w = run(dir.path(), {"params.op=write", "params.files_per_thread=2", "params.keep_files=true",
                              "params.direct=" + direct, "params.fsync=" + direct, "--concurrency=2", "--requests=256"});
    QVERIFY2(w.exitCode == 0, qPrintable(w.stderrText));
    const QJsonObject sum = w.result["summary"].toObject();
    QCOMPARE(sum["requests"].toObject()["completed"].toDouble(), 256.0);
    QCOMPARE(sum["ops"].toObject()["write"].toObject()["completed"].toDouble(), 256.0);
    QCOMPARE(metric(w.result, "bytes")["count"].toDouble(), 256.0);
    const QJsonObject thr = sum["throughput"].toObject();
    QVERIFY(thr["requests_per_s"].toDouble() > 0);
    QVERIFY2(qAbs(thr["bytes_per_s"].toDouble() - thr["requests_per_s"].toDouble() * kBlock) <= kBlock,
             qPrintable(QString::number(thr["bytes_per_s"].toDouble())));
    // Every write is timed; on tmpfs most take under the 1 µs resolution, so the
    // median can be 0, but the slowest (the first page faults) cannot.
    QCOMPARE(metric(w.result, "latency")["count"].toDouble(), 256.0);
    QVERIFY(metric(w.result, "latency")["max"].toDouble() > 0);
    const QJsonObject info = w.result["run"].toObject()["workload_info"].toObject();
    QCOMPARE(info["direct_active"].toBool(), direct == "true");
    QVERIFY(w.result["run"].toObject()["target"].isNull());
    for (int c = 0; c < 2; ++c)
        for (int i = 0; i < 2; ++i) {
            const QString path = dir.filePath(QString("fbload.%1.%2").arg(c).arg(i));
            QCOMPARE(QFileInfo(path).size(), qint64(kBlock) * kBlocks);
            QVERIFY2(fileHash(path) == expectedHash(c, i), qPrintable(path));
        }
    // fbload's own read-back agrees, and without keep_files it cleans up.
    auto r = run(dir.path(), {"params.op=read", "params.prefill=false", "params.files_per_thread=2",
                              "params.direct=" + direct, "--concurrency=2", "--requests=256"}, "read");
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    QCOMPARE(r.result["summary"].toObject()["ops"].toObject()["read"].toObject()["completed"].toDouble(), 256.0);
    QCOMPARE(r.result["summary"].toObject()["requests"].toObject()["errors"].toDouble(), 0.0);
    QVERIFY2(r.stderrText.contains("cleanup deleted 4 file(s)"), qPrintable(r.stderrText));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 0);
}

void TestFile::corruptionIsDetected()
{
    QTemporaryDir dir(QDir::currentPath() + "/fbload-file-XXXXXX");
    auto w = run(dir.path(), {"params.op=write", "params.keep_files=true", "--requests=64"});
    QVERIFY2(w.exitCode == 0, qPrintable(w.stderrText));
    QFile f(dir.filePath("fbload.0.0"));
    QVERIFY(f.open(QIODevice::ReadWrite));
    f.seek(5 * kBlock + 17);
    char ch = 0;
    f.getChar(&ch);
    f.seek(5 * kBlock + 17);
    f.putChar(static_cast<char>(ch ^ 0x55));
    f.close();
    auto r = run(dir.path(), {"params.op=read", "params.prefill=false", "params.keep_files=true", "--requests=64"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.stderrText.contains("data mismatch in " + dir.filePath("fbload.0.0") + " at offset 20480"),
             qPrintable(r.stderrText));
}

void TestFile::randomReadsAndMetadataOps()
{
    QTemporaryDir dir(QDir::currentPath() + "/fbload-file-XXXXXX");
    auto r = run(dir.path(), {"params.op=readwrite", "params.pattern=rand", "params.read_percent=70", "--concurrency=2"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const QJsonObject ops = r.result["summary"].toObject()["ops"].toObject();
    const double reads = ops["read"].toObject()["completed"].toDouble();
    const double writes = ops["write"].toObject()["completed"].toDouble();
    QVERIFY(reads > 100 && writes > 30);
    const double share = reads / (reads + writes);
    QVERIFY2(share > 0.6 && share < 0.8, qPrintable(QString::number(share)));
    QCOMPARE(r.result["summary"].toObject()["requests"].toObject()["errors"].toDouble(), 0.0);
    for (const char* op : {"stat", "delete"}) {
        auto m = run(dir.path(), {QString("params.op=") + op}, op);
        QVERIFY2(m.exitCode == 0, qPrintable(m.stderrText));
        QVERIFY(m.result["summary"].toObject()["ops"].toObject()[op].toObject()["completed"].toDouble() > 10);
    }
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 0);
}

void TestFile::directFallsBackWhereRefused()
{
    // ramfs has no direct I/O: open(O_DIRECT) fails with EINVAL there.
    QTemporaryDir mnt;
    const QString out = out_.filePath("ramfs.json");
    QProcess p;
    p.start("unshare", {"-rm", "sh", "-c", "mount -t ramfs none \"$1\" && shift && exec \"$@\"", "sh", mnt.path(),
                        fbloadBin(), "run", "--workload", "file", "--out", out, "--duration", "0.5", "--set",
                        "params.dir=" + mnt.path(), "--set", "params.direct=true", "--set", "params.op=readwrite",
                        "--set", "params.file_size=65536"});
    QVERIFY(p.waitForFinished(30000));
    const QString err = QString::fromUtf8(p.readAllStandardError());
    if (err.contains("mount:") || err.contains("unshare:"))
        QSKIP(qPrintable("cannot mount ramfs in a user namespace here: " + err));
    QCOMPARE(p.exitCode(), 0);
    QVERIFY2(err.contains("params.direct: " + mnt.path()) && err.contains("refuses O_DIRECT; using buffered I/O"),
             qPrintable(err));
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject result = QJsonDocument::fromJson(f.readAll()).object();
    const QJsonObject info = result["run"].toObject()["workload_info"].toObject();
    QCOMPARE(info["direct_requested"].toBool(), true);
    QCOMPARE(info["direct_active"].toBool(), false);
    QVERIFY(info["notice"].toString().contains("refuses O_DIRECT"));
    QVERIFY(result["summary"].toObject()["requests"].toObject()["completed"].toDouble() > 0);
    QCOMPARE(result["summary"].toObject()["requests"].toObject()["errors"].toDouble(), 0.0);
}

void TestFile::badParamsAreRejected_data()
{
    QTest::addColumn<QString>("assignment");
    QTest::addColumn<QString>("message");
    QTest::newRow("op") << "params.op=append" << "params.op: expected write, read, readwrite, stat or delete";
    QTest::newRow("pattern") << "params.pattern=zigzag" << "params.pattern: expected seq or rand";
    QTest::newRow("read_percent") << "params.read_percent=101" << "params.read_percent";
    QTest::newRow("block_size") << "params.block_size=100" << "params.block_size";
    QTest::newRow("direct align") << "params.direct=true,params.block_size=6000" << "multiple of 4096";
    QTest::newRow("file_size") << "params.file_size=1024" << "params.file_size: must be at least params.block_size";
    QTest::newRow("unknown") << "params.blocksize=8192" << "blocksize";
    QTest::newRow("no dir") << "params.dir=" << "params.dir: required";
    QTest::newRow("open loop") << "--model=constant" << "load.model: the file workload runs the closed model only";
}

void TestFile::badParamsAreRejected()
{
    QFETCH(QString, assignment);
    QFETCH(QString, message);
    QStringList extra = assignment.split(',');
    if (assignment.startsWith("--model"))
        extra << "--rate=10";
    auto r = run("/tmp", extra, "bad");
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains(message), qPrintable(r.stderrText));
}

QTEST_GUILESS_MAIN(TestFile)
#include "tst_file.moc"
