// Benchmark: fbload's file workload next to fio for the same pattern in the
// same run: same directory (the build tree's filesystem), file size, block
// size, threads (fio numjobs = fbload concurrency, one file each), direct
// flag and duration; fio with ioengine=psync (pread/pwrite, as fbload).
//
//   4 KiB random read, O_DIRECT, 2 threads, 64 MiB file each (fbload
//   verify=false: fio does not compare data either)
//   1 MiB sequential write, O_DIRECT, 2 threads, 64 MiB file each
// Goal: fbload MB/s >= 0.95 x fio, as a ratio of MEDIANS: the two tools run
// in kRounds interleaved rounds (fbload, fio, fbload, fio, ...) and every
// round, the medians, the min-max spread and the ratio of medians are printed
// (tests/bench/BenchRounds.h). Printed, not asserted (2 shared cores and a
// shared disk). Asserted: both tools produced a throughput in every round.
#include "../BenchRounds.h"
#include "fbload_test_util.h"

#include <QDir>

using namespace fbtest;

namespace {

constexpr int kSeconds = 3;
constexpr int kRounds = 5;
constexpr int kThreads = 2;
constexpr qint64 kFileSize = 64LL << 20;

struct Pattern {
    const char* name;
    const char* fioRw;
    const char* fbloadOp;
    const char* fbloadPattern;
    int blockSize;
};

}  // namespace

class BenchFbdbFile : public QObject {
    Q_OBJECT
private slots:
    void fileVsFio_data();
    void fileVsFio();
};

void BenchFbdbFile::fileVsFio_data()
{
    QTest::addColumn<QString>("fioRw");
    QTest::addColumn<QString>("op");
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<int>("blockSize");
    QTest::newRow("4KiB random read, direct") << "randread" << "read" << "rand" << 4096;
    QTest::newRow("1MiB sequential write, direct") << "write" << "write" << "seq" << (1 << 20);
}

void BenchFbdbFile::fileVsFio()
{
    QFETCH(QString, fioRw);
    QFETCH(QString, op);
    QFETCH(QString, pattern);
    QFETCH(int, blockSize);
    QTemporaryDir dir(QDir::currentPath() + "/bench-file-XXXXXX");
    QVERIFY(dir.isValid());
    fbbench::Rounds fb("fbload"), fio("fio");  // bytes/s
    for (int round = 0; round < kRounds; ++round) {
        const QString out = dir.filePath("fbload.json");
        auto f = runFbload({"run", "--workload", "file", "--out", out, "--duration", QString::number(kSeconds),
                            "--concurrency", QString::number(kThreads), "--set", "params.dir=" + dir.path(), "--set",
                            "params.op=" + op, "--set", "params.pattern=" + pattern, "--set",
                            QString("params.block_size=%1").arg(blockSize), "--set",
                            QString("params.file_size=%1").arg(kFileSize), "--set", "params.direct=true", "--set",
                            "params.verify=false"},
                           out, 120000);
        QVERIFY2(f.exitCode == 0, qPrintable(f.stderrText));
        const QJsonObject thr = f.result["summary"].toObject()["throughput"].toObject();
        fb.add(thr["bytes_per_s"].toDouble());
        qInfo("fbload round %d: %.0f IOPS, %.1f MiB/s", round, thr["requests_per_s"].toDouble(),
              fb.values().back() / 1048576.0);

        QProcess p;
        p.setWorkingDirectory(dir.path());
        p.start("fio", {"--name=fio", "--directory=" + dir.path(), "--rw=" + fioRw, QString("--bs=%1").arg(blockSize),
                        QString("--size=%1").arg(kFileSize), QString("--numjobs=%1").arg(kThreads), "--direct=1",
                        "--ioengine=psync", "--time_based", QString("--runtime=%1").arg(kSeconds),
                        "--group_reporting", "--output-format=json"});
        QVERIFY(p.waitForFinished(120000));
        const QJsonObject job = QJsonDocument::fromJson(p.readAllStandardOutput())
                                    .object()["jobs"].toArray().at(0).toObject()[op == "read" ? "read" : "write"]
                                    .toObject();
        fio.add(job["bw_bytes"].toDouble());
        qInfo("fio    round %d: %.0f IOPS, %.1f MiB/s (exit %d)", round, job["iops"].toDouble(),
              fio.values().back() / 1048576.0, p.exitCode());
        if (fio.values().back() <= 0)
            qWarning("%s", qPrintable(QString::fromUtf8(p.readAllStandardError())));
        // fio's files are its own; remove them so the next round lays out fresh ones.
        for (const QString& n : QDir(dir.path()).entryList({"fio.*"}, QDir::Files))
            QFile::remove(dir.filePath(n));
    }
    QVERIFY(fb.allPositive());
    QVERIFY(fio.allPositive());
    qInfo("file %s bs=%d, %d threads x %lld MiB, direct, %d interleaved rounds x %d s:", qPrintable(fioRw), blockSize,
          kThreads, kFileSize >> 20, kRounds, kSeconds);
    qInfo("  %s", qPrintable(fb.summary(1048576.0, "MiB/s")));
    qInfo("  %s", qPrintable(fio.summary(1048576.0, "MiB/s")));
    qInfo("  %s", qPrintable(fbbench::ratioLine(fb, fio, 0.95)));
}

QTEST_GUILESS_MAIN(BenchFbdbFile)
#include "bench_fbdb_file.moc"
