#include "recipe/Quantities.h"

#include <QLocale>
#include <QRegularExpression>

#include <cmath>

namespace fb::recipe {

std::optional<double> parseDuration(const QString &input)
{
    const QString text = input.trimmed();
    if (text.isEmpty())
        return std::nullopt;
    bool ok = false;
    const double plain = text.toDouble(&ok);
    if (ok)
        return (std::isfinite(plain) && plain >= 0) ? std::optional<double>(plain) : std::nullopt;
    // One or more <number><unit> parts, units from largest to smallest.
    static const QRegularExpression part(QStringLiteral("(\\d+(?:\\.\\d+)?)(ms|us|d|h|m|s)"));
    static const QRegularExpression whole(QStringLiteral("^(?:\\d+(?:\\.\\d+)?(?:ms|us|d|h|m|s))+$"));
    if (!whole.match(text).hasMatch())
        return std::nullopt;
    double total = 0;
    auto it = part.globalMatch(text);
    while (it.hasNext()) {
        const auto m = it.next();
        const double v = m.captured(1).toDouble();
        const QString u = m.captured(2);
        if (u == QLatin1String("d")) total += v * 86400;
        else if (u == QLatin1String("h")) total += v * 3600;
        else if (u == QLatin1String("m")) total += v * 60;
        else if (u == QLatin1String("s")) total += v;
        else if (u == QLatin1String("ms")) total += v / 1000;
        else total += v / 1e6;
    }
    if (!std::isfinite(total))
        return std::nullopt;
    return total;
}

QString formatNumber(double value)
{
    if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15)
        return QString::number(static_cast<qint64>(value));
    // The shortest digits that read back as the same double, never with an
    // exponent (the duration and size grammars have none): a saved recipe
    // loads to the same values.
    return QString::number(value, 'f', QLocale::FloatingPointShortest);
}

QString formatDuration(double seconds)
{
    if (seconds == 0)
        return QStringLiteral("0s");
    if (seconds < 1)
        return formatNumber(seconds * 1000) + QStringLiteral("ms");
    if (seconds != std::floor(seconds))
        return formatNumber(seconds) + QLatin1Char('s');
    auto rest = static_cast<qint64>(seconds);
    QString s;
    const qint64 h = rest / 3600, m = (rest % 3600) / 60, sec = rest % 60;
    if (h) s += QString::number(h) + QLatin1Char('h');
    if (m) s += QString::number(m) + QLatin1Char('m');
    if (sec) s += QString::number(sec) + QLatin1Char('s');
    return s;
}

QString formatSlurmTime(double seconds)
{
    const auto total = static_cast<qint64>(std::ceil(seconds));
    const qint64 d = total / 86400, h = (total % 86400) / 3600, m = (total % 3600) / 60, s = total % 60;
    const QString hms = QStringLiteral("%1:%2:%3").arg(h, 2, 10, QLatin1Char('0'))
                            .arg(m, 2, 10, QLatin1Char('0')).arg(s, 2, 10, QLatin1Char('0'));
    return d ? QString::number(d) + QLatin1Char('-') + hms : hms;
}

std::optional<qint64> parseSize(const QString &input)
{
    static const QRegularExpression re(QStringLiteral("^(\\d+(?:\\.\\d+)?)\\s*([KMGT]?)(?:i?B)?$"),
                                       QRegularExpression::CaseInsensitiveOption);
    const auto m = re.match(input.trimmed());
    if (!m.hasMatch())
        return std::nullopt;
    double v = m.captured(1).toDouble();
    const QString u = m.captured(2).toUpper();
    const int shift = u.isEmpty() ? 0 : u == QLatin1String("K") ? 10 : u == QLatin1String("M") ? 20
                    : u == QLatin1String("G") ? 30 : 40;
    v *= std::ldexp(1.0, shift);
    if (!std::isfinite(v) || v > 9.0e18)
        return std::nullopt;
    return static_cast<qint64>(std::llround(v));
}

QString formatSize(qint64 bytes)
{
    static const char units[] = {'T', 'G', 'M', 'K'};
    for (int i = 0; i < 4; ++i) {
        const qint64 unit = qint64(1) << (10 * (4 - i));
        if (bytes > 0 && bytes % unit == 0)
            return QString::number(bytes / unit) + QLatin1Char(units[i]);
    }
    return QString::number(bytes);
}

QString formatSlurmMemory(qint64 bytes)
{
    const qint64 mib = (bytes + (1 << 20) - 1) >> 20;
    if (mib % 1024 == 0)
        return QString::number(mib / 1024) + QLatin1Char('G');
    return QString::number(mib) + QLatin1Char('M');
}

double parseSlurmTimeLimit(const QString &text)
{
    QString t = text.trimmed();
    double days = 0;
    const qsizetype dash = t.indexOf(QLatin1Char('-'));
    if (dash > 0) {
        bool ok = false;
        days = t.left(dash).toInt(&ok);
        if (!ok)
            return 0;
        t = t.mid(dash + 1);
    }
    const QStringList parts = t.split(QLatin1Char(':'));
    QList<int> v;
    for (const QString &p : parts) {
        bool ok = false;
        v << p.toInt(&ok);
        if (!ok || v.last() < 0)
            return 0;
    }
    double seconds = 0;
    if (dash > 0) { // D-HH, D-HH:MM, D-HH:MM:SS
        seconds = v.value(0) * 3600.0 + v.value(1) * 60.0 + v.value(2);
    } else if (v.size() == 3) { // HH:MM:SS
        seconds = v[0] * 3600.0 + v[1] * 60.0 + v[2];
    } else if (v.size() == 2) { // MM:SS
        seconds = v[0] * 60.0 + v[1];
    } else if (v.size() == 1) { // MM
        seconds = v[0] * 60.0;
    } else {
        return 0;
    }
    return days * 86400.0 + seconds;
}

} // namespace fb::recipe
