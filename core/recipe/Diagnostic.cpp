#include "recipe/Diagnostic.h"

#include <algorithm>

namespace fb::recipe {

namespace {

// Paths and messages quote recipe text (keys, values): control characters are
// written as escapes, so one diagnostic stays one line and a hostile recipe
// cannot send terminal escape sequences through `fbctl validate`.
QString escaped(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u == u'\n') out += QStringLiteral("\\n");
        else if (u == u'\r') out += QStringLiteral("\\r");
        else if (u == u'\t') out += QStringLiteral("\\t");
        else if (u < 0x20 || u == 0x7f || (u >= 0x80 && u < 0xa0) || u == 0x2028 || u == 0x2029)
            out += QStringLiteral("\\u%1").arg(int(u), 4, 16, QLatin1Char('0'));
        else out += c;
    }
    return out;
}

} // namespace

QString Diagnostic::toString() const
{
    QString s;
    if (severity == Warning)
        s += QStringLiteral("warning: ");
    if (!path.isEmpty())
        s += escaped(path) + QStringLiteral(": ");
    s += escaped(message);
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
