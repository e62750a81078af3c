#include "recipe/ConfigSyntax.h"

#include "recipe/Quantities.h"

#include <QRegularExpression>

#include <yaml-cpp/yaml.h>

#include <cmath>

namespace fb::recipe {

QString redisConfigArgument(const QString &value)
{
    // Written for Redis's sdssplitargs (src/sds.c), which reads config lines:
    // inside "…" it understands exactly these escapes.
    const QByteArray bytes = value.toUtf8();
    QString out = QStringLiteral("\"");
    for (const char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '\\': out += QStringLiteral("\\\\"); break;
        case '"': out += QStringLiteral("\\\""); break;
        case '\n': out += QStringLiteral("\\n"); break;
        case '\r': out += QStringLiteral("\\r"); break;
        case '\t': out += QStringLiteral("\\t"); break;
        case '\a': out += QStringLiteral("\\a"); break;
        case '\b': out += QStringLiteral("\\b"); break;
        default:
            if (c < 0x20 || c >= 0x7f)
                out += QStringLiteral("\\x%1").arg(c, 2, 16, QLatin1Char('0'));
            else
                out += QLatin1Char(char(c));
        }
    }
    return out + QLatin1Char('"');
}

QString yamlDoubleQuoted(const QString &value)
{
    YAML::Emitter e;
    e.SetOutputCharset(YAML::EscapeNonAscii);
    e << YAML::DoubleQuoted << value.toStdString();
    return QString::fromStdString(e.c_str());
}

QString prometheusDuration(double seconds)
{
    const auto ms = std::max<qint64>(1, std::llround(seconds * 1000));
    return ms % 1000 == 0 ? formatDuration(double(ms / 1000)) : QStringLiteral("%1ms").arg(ms);
}

bool isRedisMemorySize(const QString &value)
{
    static const QRegularExpression re(QStringLiteral("^[0-9]{1,18}(b|k|kb|m|mb|g|gb)?$"), QRegularExpression::CaseInsensitiveOption);
    return re.match(value).hasMatch();
}

} // namespace fb::recipe
