#include "Paths.h"

#include "common/BuildInfo.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace fb::Paths {

namespace {
QString envDir(const char *name)
{
    const QString v = qEnvironmentVariable(name);
    return v.isEmpty() ? QString() : QDir::cleanPath(v);
}

bool looksLikeDataDir(const QString &dir)
{
    return QFileInfo(dir + QStringLiteral("/recipes/services")).isDir();
}
} // namespace

QStringList dataDirCandidates()
{
    QStringList c;
    if (const QString env = envDir("FB_DATA_DIR"); !env.isEmpty())
        c << env;
    if (QCoreApplication::instance()) {
        const QString app = QCoreApplication::applicationDirPath();
        c << QDir::cleanPath(app + QStringLiteral("/../share/factorybench")) // Linux, Windows, portable archives
          << QDir::cleanPath(app + QStringLiteral("/../Resources"))          // macOS bundle (Contents/MacOS/..)
          // fbctl in the DMG's bin/ beside factorybench.app
          << QDir::cleanPath(app + QStringLiteral("/../factorybench.app/Contents/Resources"))
          << app;                                                            // data copied next to the exe
    }
    c << QStringLiteral(FB_SOURCE_DIR); // developer build: the source tree itself
    return c;
}

QString dataDir()
{
    for (const QString &dir : dataDirCandidates())
        if (looksLikeDataDir(dir))
            return dir;
    return {};
}

QString recipeCatalogDir()
{
    const QString d = dataDir();
    return d.isEmpty() ? QString() : d + QStringLiteral("/recipes");
}

QString fbloadSourceDir()
{
    const QString d = dataDir();
    if (d.isEmpty())
        return {};
    if (QFileInfo(d + QStringLiteral("/fbload/CMakeLists.txt")).isFile())
        return d + QStringLiteral("/fbload");
    if (QFileInfo(d + QStringLiteral("/core/clients/CMakeLists.txt")).isFile())
        return d + QStringLiteral("/core/clients");
    return {};
}

QString configDir()
{
    if (const QString env = envDir("FB_CONFIG_DIR"); !env.isEmpty())
        return env;
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation);
}

QString profilesDir() { return configDir() + QStringLiteral("/profiles"); }

QString stateDir()
{
    if (const QString env = envDir("FB_STATE_DIR"); !env.isEmpty())
        return env;
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
}

QString runStorePath() { return stateDir() + QStringLiteral("/runs.sqlite"); }

} // namespace fb::Paths
