// AppInfo: the version, commit and licence strings every front end prints
// (factorybench --version, fbctl --version, the About dialog).
#pragma once

#include <QString>

namespace fb {

QString versionString();         // "0.1.0"
QString gitCommit();             // short hash of the source, "unknown" outside git
QString versionLine(const QString &program); // "fbctl 0.1.0 (commit abc123)"
QString licenseName();           // SPDX id of the project's licence

} // namespace fb

class QCoreApplication;
namespace fb {
// Names the application so QSettings and QStandardPaths agree between the
// GUI and fbctl (~/.config/factorybench/factorybench on Linux: organisation
// and application folder).
void initApplication(QCoreApplication &app);
} // namespace fb
