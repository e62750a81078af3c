// The tasks of a multi-instance client (task_barrier.h): the barrier's
// phases, failures and bounds in-process, then two `fbload run` processes
// as srun would start them: task 0 alone prepares, both share one folder
// without touching each other's files (checked byte for byte), task 0's
// failure ends the other with task 0's error, and `fbload merge` counts both.
// The end-to-end run of such a client under Slurm is tst_multiinstance.
#include "fbload_test_util.h"

#include "task_barrier.h"
#include "workloads/file_io.h"

#include <QCryptographicHash>
#include <QDir>

#include <atomic>
#include <thread>

using namespace fbtest;
using fbload::BarrierError;
using fbload::TaskBarrier;
using fbload::TaskSpec;

namespace {

constexpr int kBlock = 4096;
constexpr int kBlocks = 16;

TaskSpec spec(const QString& dir, int index, int count, double timeoutS = 10)
{
    TaskSpec s;
    s.index = index;
    s.count = count;
    s.barrierDir = dir.toStdString();
    s.timeoutS = timeoutS;
    return s;
}

// What file <index> of connection <conn> of task <task> must hold.
QByteArray expectedHash(uint64_t task, int conn, int index)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    QByteArray block(kBlock, 0);
    const uint64_t id = (task << 48) ^ (static_cast<uint64_t>(conn) << 32) ^ static_cast<uint32_t>(index);
    for (int b = 0; b < kBlocks; ++b) {
        fbload::fileio::fillBlock(block.data(), kBlock, id, static_cast<uint64_t>(b) * kBlock);
        h.addData(block);
    }
    return h.result();
}

QByteArray fileHash(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256) : QByteArray();
}

}  // namespace

class TestTasks : public QObject {
    Q_OBJECT
private slots:
    void followerWaitsForTheLeader();
    void leaderFailureReachesFollowers();
    void timeoutNamesTheMissingTasks();
    void signalEndsTheWait();
    void twoTasksShareAFolder();
    void task0FailureEndsTask1();
    void badTaskFlagsAreRejected_data();
    void badTaskFlagsAreRejected();
};

void TestTasks::followerWaitsForTheLeader()
{
    QTemporaryDir dir;
    const QString bar = dir.filePath("barrier");  // created by whichever task comes first
    TaskBarrier leader(spec(bar, 0, 2));
    TaskBarrier follower(spec(bar, 1, 2));
    std::atomic<bool> released{false};
    std::atomic<bool> sawMarker{false};
    std::thread t([&] {
        follower.waitFor(TaskBarrier::Phase::Prepared, 0, 0);
        released = true;
        // Released only once the leader's marker is there, never before.
        sawMarker = QFile::exists(bar + "/prepared-0");
    });
    QVERIFY(!released.load());
    leader.mark(TaskBarrier::Phase::Prepared);
    t.join();
    QVERIFY(released.load());
    QVERIFY(sawMarker.load());
    // Ready: both mark, both pass; only this task's own marker is written.
    follower.mark(TaskBarrier::Phase::Ready);
    QVERIFY(QFile::exists(bar + "/ready-1"));
    QVERIFY(!QFile::exists(bar + "/ready-0"));
    leader.mark(TaskBarrier::Phase::Ready);
    QVERIFY(leader.waitFor(TaskBarrier::Phase::Ready, 0, 1) < 1.0);
    // No temporary files left beside the markers.
    QCOMPARE(QDir(bar).entryList(QDir::Files), (QStringList{"prepared-0", "ready-0", "ready-1"}));
}

void TestTasks::leaderFailureReachesFollowers()
{
    QTemporaryDir dir;
    TaskBarrier leader(spec(dir.path(), 0, 3));
    TaskBarrier follower(spec(dir.path(), 2, 3));
    leader.markFailed("postgres db:5432: table sbtest1 already exists");
    try {
        follower.waitFor(TaskBarrier::Phase::Prepared, 0, 0);
        QFAIL("the wait should have failed");
    } catch (const BarrierError& e) {
        QCOMPARE(QString(e.what()), QString("task 0 failed: postgres db:5432: table sbtest1 already exists"));
    }
}

void TestTasks::timeoutNamesTheMissingTasks()
{
    QTemporaryDir dir;
    TaskBarrier leader(spec(dir.path(), 0, 4, 0.2));
    TaskBarrier(spec(dir.path(), 2, 4)).mark(TaskBarrier::Phase::Done);
    QElapsedTimer timer;
    timer.start();
    try {
        leader.waitFor(TaskBarrier::Phase::Done, 1, 3);
        QFAIL("the wait should have timed out");
    } catch (const BarrierError& e) {
        const QString msg = e.what();
        QVERIFY2(msg.startsWith("task(s) 1, 3 did not mark \"done\" in " + dir.path() + " within 0.2 s (--barrier-timeout)"),
                 qPrintable(msg));
    }
    QVERIFY(timer.elapsed() >= 200);
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
}

void TestTasks::signalEndsTheWait()
{
    QTemporaryDir dir;
    TaskBarrier follower(spec(dir.path(), 1, 2, 600), [] { return true; });
    QVERIFY_THROWS_EXCEPTION(BarrierError, follower.waitFor(TaskBarrier::Phase::Prepared, 0, 0));
}

void TestTasks::twoTasksShareAFolder()
{
    QTemporaryDir dir;
    // A folder that does not exist yet: task 0 creates it (the shared part), then each task its files.
    const QString data = dir.filePath("scratch/io");
    // Both tasks start at once, as srun starts them; each writes every block of its files once.
    QList<QProcess*> procs;
    for (int i = 0; i < 2; ++i) {
        auto* p = new QProcess(this);
        p->start(fbloadBin(), {"run", "--workload", "file", "--out", dir.filePath(QString("r%1.json").arg(i)),
                               "--set", "params.dir=" + data, "--set", QString("params.block_size=%1").arg(kBlock),
                               "--set", QString("params.file_size=%1").arg(kBlock * kBlocks), "--set",
                               "params.op=write", "--set", "params.keep_files=true", "--concurrency", "2",
                               "--requests", QString::number(2 * kBlocks), "--task-index", QString::number(i),
                               "--tasks", "2", "--barrier", dir.filePath("barrier")});
        procs << p;
    }
    QStringList logs;
    for (QProcess* p : procs) {
        QVERIFY(p->waitForFinished(60000));
        logs << QString::fromUtf8(p->readAllStandardError());
        QVERIFY2(p->exitCode() == 0, qPrintable(logs.last()));
    }
    QVERIFY2(logs[0].contains("fbload: file: created " + data), qPrintable(logs[0]));
    QVERIFY2(!logs[1].contains("created"), qPrintable(logs[1]));
    QVERIFY2(logs[0].contains("task 0/2: prepared for all tasks"), qPrintable(logs[0]));
    QVERIFY2(logs[1].contains("task 1/2: task 0 has prepared"), qPrintable(logs[1]));
    // Per-task names, and per-task bytes: nothing written twice, nothing overwritten.
    QStringList expected;
    for (int t = 0; t < 2; ++t)
        for (int c = 0; c < 2; ++c) {
            const QString name = QString("fbload.t%1.%2.0").arg(t).arg(c);
            expected << name;
            QVERIFY2(fileHash(data + "/" + name) == expectedHash(static_cast<uint64_t>(t), c, 0), qPrintable(name));
        }
    QCOMPARE(QDir(data).entryList(QDir::Files, QDir::Name), expected);
    QVERIFY(expectedHash(0, 0, 0) != expectedHash(1, 0, 0));
    QCOMPARE(QDir(dir.filePath("barrier")).entryList(QDir::Files, QDir::Name),
             (QStringList{"done-0", "done-1", "prepared-0", "ready-0", "ready-1"}));

    const QString merged = dir.filePath("merged.json");
    auto m = runFbload({"merge", "-o", merged, dir.filePath("r0.json"), dir.filePath("r1.json")}, merged);
    QVERIFY2(m.exitCode == 0, qPrintable(m.stderrText));
    QCOMPARE(m.result["summary"].toObject()["requests"].toObject()["completed"].toDouble(), 4.0 * kBlocks);
    const QJsonObject run = m.result["run"].toObject();
    QVERIFY(run["task"].isNull());
    const QJsonArray tasks = run["tasks"].toArray();
    QCOMPARE(tasks.size(), 2);
    QCOMPARE(tasks[0].toObject()["index"].toInt(), 0);
    QCOMPARE(tasks[0].toObject()["prepared"].toBool(), true);
    QCOMPARE(tasks[1].toObject()["index"].toInt(), 1);
    QCOMPARE(tasks[1].toObject()["prepared"].toBool(), false);
    QCOMPARE(tasks[1].toObject()["count"].toInt(), 2);
}

void TestTasks::task0FailureEndsTask1()
{
    QTemporaryDir dir;
    // Nothing listens on port 1: task 0's prepare (creating the collection) fails.
    QList<QProcess*> procs;
    for (int i = 0; i < 2; ++i) {
        auto* p = new QProcess(this);
        p->start(fbloadBin(), {"run", "--workload", "vector", "--target", "127.0.0.1:1", "--out", "/dev/null",
                               "--duration", "1", "--task-index", QString::number(i), "--tasks", "2", "--barrier",
                               dir.filePath("barrier"), "--barrier-timeout", "60"});
        procs << p;
    }
    QStringList logs;
    for (QProcess* p : procs) {
        QVERIFY(p->waitForFinished(30000));
        logs << QString::fromUtf8(p->readAllStandardError());
        QCOMPARE(p->exitCode(), 1);
    }
    QVERIFY2(logs[0].contains("fbload: preparation failed: 127.0.0.1:1: cannot connect"), qPrintable(logs[0]));
    QVERIFY2(logs[1].contains("fbload: preparation failed: task 0 failed: 127.0.0.1:1: cannot connect"), qPrintable(logs[1]));
}

void TestTasks::badTaskFlagsAreRejected_data()
{
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QString>("message");
    QTest::newRow("index beyond count") << QStringList{"--task-index", "2", "--tasks", "2", "--barrier", "b"}
                                        << "--task-index: 2 is not below --tasks 2";
    QTest::newRow("no barrier") << QStringList{"--task-index", "1", "--tasks", "2"} << "--barrier: required with --tasks 2";
    QTest::newRow("zero tasks") << QStringList{"--tasks", "0"} << "--tasks: expected an integer in [1,";
    QTest::newRow("timeout") << QStringList{"--barrier-timeout", "0"} << "--barrier-timeout: expected a positive number";
}

void TestTasks::badTaskFlagsAreRejected()
{
    QFETCH(QStringList, flags);
    QFETCH(QString, message);
    auto r = runFbload(QStringList{"run", "--workload", "redis", "--target", "127.0.0.1:1", "--out", "/dev/null"} + flags);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains(message), qPrintable(r.stderrText));
}

QTEST_GUILESS_MAIN(TestTasks)
#include "tst_tasks.moc"
