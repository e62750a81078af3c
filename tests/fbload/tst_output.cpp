// Where fbload writes its result (--out, merge -o): a regular file is
// replaced atomically; a device or FIFO is written in place and never
// replaced (as root, a rename over /dev/null would turn it into a file); `-`
// is stdout; a folder that cannot be written fails before any request.
#include "fbload_test_util.h"

#include <QDir>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

using namespace fbtest;

class TestOutput : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void devNullStaysADevice();
    void fifoIsWrittenInPlace();
    void dashIsStdout();
    void regularFileAndSymlink();
    void unwritableFolderFailsBeforeTheRun_data();
    void unwritableFolderFailsBeforeTheRun();

private:
    // A short run against a closed port: it fails (exit 1) but writes its result.
    QStringList run(const QString& out) const
    {
        return {"run", "--workload", "http", "--target", "127.0.0.1:1", "--duration", "0.2", "--out", out};
    }
    QTemporaryDir dir_;
};

void TestOutput::initTestCase()
{
    QVERIFY2(!fbloadBin().isEmpty(), "FBLOAD_BIN is not set");
    QVERIFY(dir_.isValid());
}

void TestOutput::devNullStaysADevice()
{
    if (geteuid() != 0)
        QSKIP("needs root: only root could replace /dev/null");
    struct stat before {};
    QCOMPARE(::stat("/dev/null", &before), 0);
    QVERIFY(S_ISCHR(before.st_mode));
    auto r = runFbload(run("/dev/null"));
    QVERIFY2(r.exitCode == 1 && !r.stderrText.contains("cannot write"), qPrintable(r.stderrText));
    // merge -o too (it merges the one file written meanwhile).
    const QString part = dir_.filePath("part.json");
    QCOMPARE(runFbload(run(part)).exitCode, 1);
    auto m = runFbload({"merge", "-o", "/dev/null", part});
    QVERIFY2(m.exitCode == 0, qPrintable(m.stderrText));
    struct stat after {};
    QCOMPARE(::stat("/dev/null", &after), 0);
    QVERIFY2(S_ISCHR(after.st_mode), "/dev/null is no longer a character device");
    QCOMPARE(after.st_rdev, before.st_rdev);
    QCOMPARE(QDir("/dev").entryList({"null.tmp.*"}, QDir::Files | QDir::System).size(), 0);
}

void TestOutput::fifoIsWrittenInPlace()
{
    const QString fifo = dir_.filePath("result.fifo");
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    QProcess reader;
    reader.start("cat", {fifo});
    QVERIFY(reader.waitForStarted());
    auto r = runFbload(run(fifo));
    QVERIFY2(r.exitCode == 1 && !r.stderrText.contains("cannot write"), qPrintable(r.stderrText));
    QVERIFY(reader.waitForFinished(10000));
    const QJsonObject result = QJsonDocument::fromJson(reader.readAllStandardOutput()).object();
    QCOMPARE(result["schema"].toString(), QString("factorybench.result"));
    struct stat st {};
    QCOMPARE(::stat(QFile::encodeName(fifo).constData(), &st), 0);
    QVERIFY(S_ISFIFO(st.st_mode));
}

void TestOutput::dashIsStdout()
{
    QProcess p;
    p.start(fbloadBin(), run("-"));
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 1);
    const QJsonObject result = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
    QCOMPARE(result["schema"].toString(), QString("factorybench.result"));
    QVERIFY(!QFile::exists("-"));
}

void TestOutput::regularFileAndSymlink()
{
    const QString file = dir_.filePath("result.json");
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("old");
    f.close();
    auto r = runFbload(run(file), file);
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.result["schema"].toString(), QString("factorybench.result"));
    // Through a symlink: the file it names is replaced, the link stays a link.
    const QString link = dir_.filePath("link.json");
    QVERIFY(QFile::link(file, link));
    QVERIFY(QFile::remove(file));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("old");
    f.close();
    r = runFbload(run(link), file);
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.result["schema"].toString(), QString("factorybench.result"));
    QVERIFY(QFileInfo(link).isSymLink());
    // No temporary file left behind.
    QCOMPARE(QDir(dir_.path()).entryList({"*.tmp.*"}, QDir::Files).size(), 0);
}

void TestOutput::unwritableFolderFailsBeforeTheRun_data()
{
    QTest::addColumn<QString>("folder");  // "ro": a read-only tmpfs mounted for the test
    QTest::newRow("read-only mount") << "ro";
    QTest::newRow("missing folder") << "missing/deeper";
    QTest::newRow("inside /proc") << "/proc/self";
}

void TestOutput::unwritableFolderFailsBeforeTheRun()
{
    QFETCH(QString, folder);
    // Unmounts the read-only tmpfs whatever happens below.
    struct Mount {
        QString path;
        ~Mount()
        {
            if (!path.isEmpty())
                QProcess::execute("umount", {path});
        }
    } mount;
    if (folder == "ro") {
        // chmod 0555 does not stop root; a read-only mount does.
        folder = dir_.filePath("ro");
        QVERIFY(QDir().mkpath(folder));
        if (geteuid() != 0 || QProcess::execute("mount", {"-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", folder}) != 0)
            QSKIP("cannot mount a read-only tmpfs here (needs root and CAP_SYS_ADMIN)");
        mount.path = folder;
    } else if (!folder.startsWith('/')) {
        folder = dir_.filePath(folder);
    }
    // A server that would see any connection fbload opened.
    HostileServer server("http", "garbage");
    QVERIFY(server.port() > 0);
    const QString out = folder + "/result.json";
    auto r = runFbload({"run", "--workload", "http", "--target", QString("127.0.0.1:%1").arg(server.port()),
                        "--duration", "1", "--out", out});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.startsWith("fbload: --out: cannot write " + out), qPrintable(r.stderrText));
    QVERIFY2(r.stderrText.count('\n') == 1, qPrintable(r.stderrText));
    // Exit 2 means nothing was sent; give a stray connection a moment to show.
    QVERIFY(!server.waitFor([&] { return server.connections() > 0; }, 300));
}

QTEST_GUILESS_MAIN(TestOutput)
#include "tst_output.moc"
