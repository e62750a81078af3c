#include "CommandRunner.h"

namespace fb {

QString CommandResult::describe() const
{
    if (!error.isEmpty())
        return error;
    const QList<QByteArray> lines = stdErr.trimmed().split('\n');
    if (!lines.isEmpty() && !lines.last().trimmed().isEmpty())
        return QString::fromUtf8(lines.last().trimmed());
    return QStringLiteral("exit status %1").arg(exitCode);
}

QString shellQuote(const QString &value)
{
    if (!value.isEmpty()) {
        bool plain = true;
        for (const QChar c : value) {
            if (!(c.isLetterOrNumber() && c.unicode() < 128) && !QStringLiteral("@%+=:,./_-").contains(c)) {
                plain = false;
                break;
            }
        }
        if (plain)
            return value;
    }
    QString out = value;
    out.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + out + QLatin1Char('\'');
}

} // namespace fb
