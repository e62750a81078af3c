// Tests Paths: the recipe catalog and fbload sources are found from
// $FB_DATA_DIR, and user folders follow $FB_CONFIG_DIR / $FB_STATE_DIR.
#include "common/Paths.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

class TestPaths : public QObject
{
    Q_OBJECT
private slots:
    void catalogFromSourceTree()
    {
        qputenv("FB_DATA_DIR", FB_SOURCE_DIR);
        QCOMPARE(fb::Paths::dataDir(), QDir::cleanPath(QStringLiteral(FB_SOURCE_DIR)));
        QVERIFY(QDir(fb::Paths::recipeCatalogDir() + QStringLiteral("/services")).exists());
    }

    void installedLayoutWins()
    {
        QTemporaryDir dir;
        QVERIFY(QDir().mkpath(dir.path() + QStringLiteral("/recipes/services")));
        QVERIFY(QDir().mkpath(dir.path() + QStringLiteral("/fbload")));
        QFile f(dir.path() + QStringLiteral("/fbload/CMakeLists.txt"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        qputenv("FB_DATA_DIR", dir.path().toUtf8());
        QCOMPARE(fb::Paths::dataDir(), dir.path());
        QCOMPARE(fb::Paths::fbloadSourceDir(), dir.path() + QStringLiteral("/fbload"));
    }

    void missingDataDirFallsBack()
    {
        qputenv("FB_DATA_DIR", "/nonexistent/factorybench");
        // Falls through to the next candidate (the source tree of this build).
        QCOMPARE(fb::Paths::dataDir(), QDir::cleanPath(QStringLiteral(FB_SOURCE_DIR)));
    }

    void userFoldersFromEnvironment()
    {
        QTemporaryDir dir;
        qputenv("FB_CONFIG_DIR", (dir.path() + QStringLiteral("/cfg")).toUtf8());
        qputenv("FB_STATE_DIR", (dir.path() + QStringLiteral("/state")).toUtf8());
        QCOMPARE(fb::Paths::profilesDir(), dir.path() + QStringLiteral("/cfg/profiles"));
        QCOMPARE(fb::Paths::runStorePath(), dir.path() + QStringLiteral("/state/runs.sqlite"));
    }
};

QTEST_GUILESS_MAIN(TestPaths)
#include "tst_paths.moc"
