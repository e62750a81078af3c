#include "FieldText.h"

#include "recipe/RecipeLoader.h"

#include <QRegularExpression>

namespace fb::editor {

using namespace fb::recipe;

namespace {

// A YAML double-quoted scalar holding exactly `text`.
QString quoted(const QString &text)
{
    QString out = QStringLiteral("\"");
    for (const QChar c : text) {
        if (c == QLatin1Char('"') || c == QLatin1Char('\\'))
            out += QLatin1Char('\\') + c;
        else if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out + QLatin1Char('"');
}

// `value` (YAML) placed at `path` in an otherwise empty recipe, in flow style:
// "clients[1].load.rate" → {version: 1, clients: [{}, {load: {rate: value}}]}.
QString probe(const QString &path, const QString &value)
{
    static const QRegularExpression segment(QStringLiteral("^([a-z_]+)(?:\\[(\\d+)\\])?$"));
    const QStringList parts = path.split(QLatin1Char('.'));
    QString inner = value;
    for (qsizetype i = parts.size() - 1; i >= 0; --i) {
        const auto m = segment.match(parts[i]);
        if (!m.hasMatch())
            return {};
        if (!m.captured(2).isEmpty()) {
            const int index = m.captured(2).toInt();
            if (index > 10000)
                return {};
            inner = QLatin1Char('[') + QStringLiteral("{}, ").repeated(index) + inner + QLatin1Char(']');
        }
        inner = QStringLiteral("{%1: %2}").arg(m.captured(1), inner);
    }
    return QStringLiteral("{version: 1, ") + inner.mid(1);
}

QString loaderError(const Catalog &catalog, const QString &path, const QString &yamlValue)
{
    const QString text = probe(path, yamlValue);
    if (text.isEmpty())
        return {};
    const LoadResult r = RecipeLoader(&catalog).loadText(text);
    for (const Diagnostic &d : r.diagnostics)
        if (d.severity == Diagnostic::Error && d.path == path)
            return d.message;
    return {};
}

} // namespace

QString fieldTextError(const Catalog &catalog, const QString &path, const QString &text)
{
    const QString t = text.trimmed();
    if (path.endsWith(QLatin1String(".ports"))) {
        // The form writes a port mapping on one line: "redis=6379, admin=8080".
        for (const QString &part : t.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QStringList kv = part.split(QLatin1Char('='));
            if (kv.size() != 2 || kv[0].trimmed().isEmpty())
                return QStringLiteral("expected name=number pairs such as \"redis=6379\", got \"%1\"").arg(part.trimmed());
            static const QRegularExpression key(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
            if (!key.match(kv[0].trimmed()).hasMatch())
                return QStringLiteral("port names are letters, digits and '_', got \"%1\"").arg(kv[0].trimmed());
            const QString why = loaderError(catalog, path + QLatin1Char('.') + kv[0].trimmed(), quoted(kv[1].trimmed()));
            if (!why.isEmpty())
                return why;
        }
        return {};
    }
    return loaderError(catalog, path, quoted(t));
}

} // namespace fb::editor
