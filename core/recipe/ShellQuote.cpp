#include "recipe/ShellQuote.h"

#include <QRegularExpression>

namespace fb::recipe {

QString shellQuote(const QString &text)
{
    QString out;
    out.reserve(text.size() + 2);
    out += QLatin1Char('\'');
    for (const QChar c : text) {
        if (c == QLatin1Char('\''))
            out += QStringLiteral("'\\''");
        else if (c != QChar(0))
            out += c;
    }
    out += QLatin1Char('\'');
    return out;
}

QString shellWord(const QString &text, const QHash<QString, QString> &placeholders)
{
    // Split into literal runs and placeholders; adjacent pieces concatenate
    // into one shell word ('abc'"${FB_X}"'def').
    QString out;
    QString literal;
    auto flush = [&] {
        if (!literal.isEmpty())
            out += shellQuote(literal);
        literal.clear();
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('{') && i + 1 < text.size() && text.at(i + 1) == QLatin1Char('{')) {
            literal += c;
            ++i;
            continue;
        }
        if (c == QLatin1Char('{')) {
            const qsizetype end = text.indexOf(QLatin1Char('}'), i + 1);
            if (end > i) {
                const auto it = placeholders.constFind(text.mid(i + 1, end - i - 1));
                if (it != placeholders.constEnd() && isShellIdentifier(*it)) {
                    flush();
                    out += QStringLiteral("\"${") + *it + QStringLiteral("}\"");
                    i = end;
                    continue;
                }
            }
        }
        literal += c;
    }
    flush();
    return out.isEmpty() ? QStringLiteral("''") : out;
}

QString shellPath(const QString &path)
{
    static const QRegularExpression var(QStringLiteral("^(?:\\$([A-Za-z_][A-Za-z0-9_]*)|\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\}|(~))(?=/|$)"));
    const auto m = var.match(path);
    if (!m.hasMatch())
        return shellQuote(path);
    const QString name = !m.captured(1).isEmpty() ? m.captured(1)
                       : !m.captured(2).isEmpty() ? m.captured(2) : QStringLiteral("HOME");
    const QString rest = path.mid(m.capturedLength(0));
    return QStringLiteral("\"${") + name + QStringLiteral("}\"") + (rest.isEmpty() ? QString() : shellQuote(rest));
}

bool isSbatchSafe(const QString &value)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_.,:=+/@%-]+$"));
    return re.match(value).hasMatch();
}

bool isShellIdentifier(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    return re.match(name).hasMatch();
}

} // namespace fb::recipe
