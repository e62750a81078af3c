#include "recipe/Diagnostic.h"

#include <algorithm>

namespace fb::recipe {

QString Diagnostic::toString() const
{
    QString s;
    if (severity == Warning)
        s += QStringLiteral("warning: ");
    if (!path.isEmpty())
        s += path + QStringLiteral(": ");
    s += message;
    if (!file.isEmpty() || line > 0) {
        s += QStringLiteral(" (") + (file.isEmpty() ? QStringLiteral("<recipe>") : file);
        if (line > 0)
            s += QStringLiteral(":%1:%2").arg(line).arg(column);
        s += QLatin1Char(')');
    }
    return s;
}

bool hasErrors(const QList<Diagnostic> &diagnostics)
{
    return std::any_of(diagnostics.begin(), diagnostics.end(),
                       [](const Diagnostic &d) { return d.severity == Diagnostic::Error; });
}

QString formatDiagnostics(const QList<Diagnostic> &diagnostics)
{
    QString s;
    for (const Diagnostic &d : diagnostics)
        s += d.toString() + QLatin1Char('\n');
    return s;
}

} // namespace fb::recipe
