#include "AppInfo.h"

#include "common/BuildInfo.h"

namespace fb {

QString versionString() { return QStringLiteral(FB_VERSION_STRING); }

QString gitCommit() { return QStringLiteral(FB_GIT_COMMIT); }

QString versionLine(const QString &program)
{
    return QStringLiteral("%1 %2 (commit %3)").arg(program, versionString(), gitCommit());
}

QString licenseName() { return QStringLiteral("GPL-3.0-or-later"); }

} // namespace fb

#include <QCoreApplication>

namespace fb {
void initApplication(QCoreApplication &app)
{
    app.setApplicationName(QStringLiteral("factorybench"));
    app.setOrganizationName(QStringLiteral("factorybench"));
    app.setOrganizationDomain(QStringLiteral("factorybench.org"));
    app.setApplicationVersion(versionString());
}
} // namespace fb
