// The file workload's I/O layer (workloads/file_io.cpp) on real filesystems:
// the build directory's (ext4 here) and /dev/shm (tmpfs). What is written is
// read back with QFile, independently of FileSet, and compared byte for byte.
#include "config.h"
#include "workloads/file_io.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace fbload;
using namespace fbload::fileio;

namespace {

FileParams params(const QString& dir, const char* extra = "", int blockSize = 4096)
{
    FileParams p;
    p.read(Json::parse(QString(R"({"dir":"%1","block_size":%3,"file_size":262144,"files_per_thread":2%2})")
                           .arg(dir, QString(extra))
                           .arg(blockSize)
                           .toStdString()));
    return p;
}

QByteArray expected(const FileParams& p, int thread, int file)
{
    QByteArray b(static_cast<qsizetype>(p.fileSize), '\0');
    const uint64_t id = (static_cast<uint64_t>(thread) << 32) | static_cast<uint32_t>(file);
    for (uint64_t blk = 0; blk < p.blocksPerFile(); ++blk)
        fillBlock(b.data() + blk * p.blockSize, p.blockSize, id, blk * p.blockSize);
    return b;
}

QByteArray contents(const std::string& path)
{
    QFile f(QString::fromStdString(path));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace

class TestFileIo : public QObject {
    Q_OBJECT
private slots:
    void bytesWrittenReadBackIdentically_data();
    void bytesWrittenReadBackIdentically();
    void corruptionIsDetected();
    void directIsUsedOrFallsBackWithAMessage();
    void statAndDelete();
    void badParamsNameTheField_data();
    void badParamsNameTheField();
};

void TestFileIo::bytesWrittenReadBackIdentically_data()
{
    QTest::addColumn<QString>("base");
    QTest::addColumn<QString>("extra");
    QTest::addColumn<int>("blockSize");
    QTest::newRow("build dir, seq") << QDir::currentPath() << "" << 4096;
    QTest::newRow("build dir, direct+fsync") << QDir::currentPath() << R"(,"direct":true,"fsync":true)" << 4096;
    QTest::newRow("tmpfs, seq") << "/dev/shm" << "" << 4096;
    // 64 KiB blocks: one content buffer whose sector headers are re-stamped
    // per block (file_io.cpp stampBlock) must still give fillBlock's bytes.
    QTest::newRow("build dir, direct, 64 KiB blocks") << QDir::currentPath() << R"(,"direct":true)" << 65536;
    QTest::newRow("tmpfs, 1000-byte blocks") << "/dev/shm" << "" << 1000;
}

void TestFileIo::bytesWrittenReadBackIdentically()
{
    QFETCH(QString, base);
    QFETCH(QString, extra);
    QFETCH(int, blockSize);
    QTemporaryDir dir(base + "/fbload-file-XXXXXX");
    QVERIFY(dir.isValid());
    const FileParams p = params(dir.path(), extra.toUtf8().constData(), blockSize);
    FileSet set(p, 3);
    std::string err;
    QVERIFY2(set.open(err), err.c_str());
    // Random block order: every block once, in a shuffled order.
    std::vector<uint64_t> order(p.blocksPerFile());
    for (uint64_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::mt19937_64 rng(9);
    std::shuffle(order.begin(), order.end(), rng);
    for (int f = 0; f < set.files(); ++f)
        for (uint64_t b : order)
            QVERIFY2(set.writeBlock(f, b, err), err.c_str());
    for (int f = 0; f < set.files(); ++f) {
        const QByteArray got = contents(set.path(f));
        QCOMPARE(got.size(), static_cast<qsizetype>(p.fileSize));
        QVERIFY(got == expected(p, 3, f));
        for (uint64_t b = 0; b < p.blocksPerFile(); ++b)
            QVERIFY2(set.readBlock(f, b, true, err), err.c_str());
    }
    // The two files differ (content depends on the file).
    QVERIFY(contents(set.path(0)) != contents(set.path(1)));
    QVERIFY2(set.removeAll(err), err.c_str());
}

void TestFileIo::corruptionIsDetected()
{
    QTemporaryDir dir;
    const FileParams p = params(dir.path());
    FileSet set(p, 0);
    std::string err;
    QVERIFY(set.open(err));
    for (uint64_t b = 0; b < p.blocksPerFile(); ++b)
        QVERIFY(set.writeBlock(0, b, err));
    {
        QFile f(QString::fromStdString(set.path(0)));
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.seek(5 * 4096 + 17));
        char c = 0;
        QVERIFY(f.getChar(&c));
        QVERIFY(f.seek(5 * 4096 + 17));
        QVERIFY(f.putChar(static_cast<char>(c ^ 0x5a)));
    }
    QVERIFY(set.readBlock(0, 4, true, err));
    QVERIFY(!set.readBlock(0, 5, true, err));
    QVERIFY2(QString::fromStdString(err).contains("data mismatch") &&
                 QString::fromStdString(err).contains("offset 20480") &&
                 QString::fromStdString(err).contains(QString::fromStdString(set.path(0))),
             err.c_str());
    QVERIFY(set.readBlock(0, 5, false, err));  // without verify it is just a read
}

void TestFileIo::directIsUsedOrFallsBackWithAMessage()
{
    // This kernel's tmpfs and ext4 both accept O_DIRECT; older tmpfs refuse
    // it. Either way the data must be right and the outcome stated.
    for (const QString& base : {QDir::currentPath(), QString("/dev/shm")}) {
        QTemporaryDir dir(base + "/fbload-direct-XXXXXX");
        const FileParams p = params(dir.path(), R"(,"direct":true)");
        FileSet set(p, 1);
        std::string err;
        QVERIFY2(set.open(err), err.c_str());
        if (set.directActive()) {
            // open(O_DIRECT) succeeded for every file: no notice.
            QVERIFY(set.notice().empty());
        } else {
            QVERIFY2(QString::fromStdString(set.notice()).contains("refuses O_DIRECT"), set.notice().c_str());
        }
        QVERIFY(set.writeBlock(1, 7, err));
        QVERIFY2(set.readBlock(1, 7, true, err), err.c_str());
        qInfo("%s: O_DIRECT %s", qPrintable(base), set.directActive() ? "in use" : "refused, buffered fallback");
    }
}

void TestFileIo::statAndDelete()
{
    QTemporaryDir dir;
    const FileParams p = params(dir.path());
    FileSet set(p, 2);
    std::string err;
    QVERIFY(set.open(err));
    QVERIFY(set.statFile(1, err));
    QVERIFY(QFile::exists(QString::fromStdString(set.path(1))));
    QVERIFY(set.removeAll(err));
    QVERIFY(!QFile::exists(QString::fromStdString(set.path(0))));
    QVERIFY(!QFile::exists(QString::fromStdString(set.path(1))));
    QVERIFY(!set.statFile(1, err));
    QVERIFY2(QString::fromStdString(err).contains(QString::fromStdString(set.path(1))), err.c_str());
    // A directory that does not exist: the error names the file.
    FileSet bad(params(dir.path() + "/missing"), 0);
    QVERIFY(!bad.open(err));
    QVERIFY2(QString::fromStdString(err).contains("/missing/fbload.0.0"), err.c_str());
}

void TestFileIo::badParamsNameTheField_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("message");
    QTest::newRow("no dir") << R"({})" << "params.dir: required";
    QTest::newRow("pattern") << R"({"dir":"/tmp","pattern":"zigzag"})" << "params.pattern";
    QTest::newRow("direct align") << R"({"dir":"/tmp","direct":true,"block_size":1000})" << "multiple of 4096";
    QTest::newRow("small file") << R"({"dir":"/tmp","block_size":8192,"file_size":4096})" << "params.file_size";
}

void TestFileIo::badParamsNameTheField()
{
    QFETCH(QString, json);
    QFETCH(QString, message);
    FileParams p;
    try {
        p.read(Json::parse(json.toStdString()));
        QFAIL("accepted");
    } catch (const ConfigError& e) {
        QVERIFY2(QString(e.what()).contains(message), e.what());
    }
}

QTEST_GUILESS_MAIN(TestFileIo)
#include "tst_file_io.moc"
