#include "HostList.h"

#include <QMap>
#include <QRegularExpression>

namespace fb::slurm {

namespace {
// Splits at commas that are not inside brackets.
QStringList splitTopLevel(const QString &s, bool *ok)
{
    QStringList parts;
    int depth = 0;
    QString cur;
    for (const QChar c : s) {
        if (c == QLatin1Char('['))
            ++depth;
        else if (c == QLatin1Char(']') && --depth < 0)
            break;
        if (c == QLatin1Char(',') && depth == 0) {
            parts << cur;
            cur.clear();
        } else {
            cur += c;
        }
    }
    *ok = depth == 0;
    parts << cur;
    return parts;
}

// Expands one host expression that may contain several bracket groups.
bool expandOne(const QString &expr, QStringList *out, QString *error)
{
    const int open = expr.indexOf(QLatin1Char('['));
    if (open < 0) {
        if (expr.contains(QLatin1Char(']'))) {
            *error = QStringLiteral("unbalanced ']' in \"%1\"").arg(expr);
            return false;
        }
        out->append(expr);
        return true;
    }
    const int close = expr.indexOf(QLatin1Char(']'), open);
    if (close < 0) {
        *error = QStringLiteral("missing ']' in \"%1\"").arg(expr);
        return false;
    }
    const QString prefix = expr.left(open);
    const QString rest = expr.mid(close + 1);
    const QStringList ranges = expr.mid(open + 1, close - open - 1).split(QLatin1Char(','));
    static const QRegularExpression rangeRe(QStringLiteral("^(\\d+)(?:-(\\d+))?$"));
    for (const QString &r : ranges) {
        const auto m = rangeRe.match(r.trimmed());
        if (!m.hasMatch()) {
            *error = QStringLiteral("bad range \"%1\" in \"%2\"").arg(r, expr);
            return false;
        }
        const QString lo = m.captured(1);
        const QString hi = m.hasCaptured(2) ? m.captured(2) : lo;
        const qint64 a = lo.toLongLong(), b = hi.toLongLong();
        if (b < a || b - a > 100000) {
            *error = QStringLiteral("bad range \"%1\" in \"%2\"").arg(r, expr);
            return false;
        }
        const int width = lo.size(); // Slurm keeps the zero padding of the lower bound
        for (qint64 i = a; i <= b; ++i) {
            QStringList tails;
            if (!expandOne(rest, &tails, error))
                return false;
            for (const QString &t : tails)
                out->append(prefix + QStringLiteral("%1").arg(i, width, 10, QLatin1Char('0')) + t);
        }
    }
    return true;
}
} // namespace

QStringList expandHostList(const QString &list, QString *error)
{
    QString why;
    QStringList out;
    const QString trimmed = list.trimmed();
    if (trimmed.isEmpty() || trimmed == QLatin1String("(null)") || trimmed == QLatin1String("None assigned"))
        return out;
    bool ok = true;
    const QStringList parts = splitTopLevel(trimmed, &ok);
    if (!ok) {
        why = QStringLiteral("unbalanced brackets in \"%1\"").arg(trimmed);
    } else {
        for (const QString &p : parts) {
            if (p.trimmed().isEmpty()) {
                why = QStringLiteral("empty host name in \"%1\"").arg(trimmed);
                break;
            }
            if (!expandOne(p.trimmed(), &out, &why))
                break;
        }
    }
    if (!why.isEmpty()) {
        if (error)
            *error = why;
        return {};
    }
    return out;
}

QString compressHostList(const QStringList &hosts)
{
    static const QRegularExpression re(QStringLiteral("^(.*?)(\\d+)$"));
    // prefix + width → numbers, in first-seen order of groups
    QStringList order;
    QMap<QString, QList<qint64>> groups;
    QStringList plain;
    for (const QString &h : hosts) {
        const auto m = re.match(h);
        if (!m.hasMatch()) {
            order << QStringLiteral("plain:") + h;
            continue;
        }
        const QString key = m.captured(1) + QLatin1Char('\x1f') + QString::number(m.captured(2).size());
        if (!groups.contains(key))
            order << key;
        groups[key].append(m.captured(2).toLongLong());
    }
    QStringList out;
    for (const QString &key : order) {
        if (key.startsWith(QLatin1String("plain:"))) {
            out << key.mid(6);
            continue;
        }
        const QString prefix = key.section(QLatin1Char('\x1f'), 0, 0);
        const int width = key.section(QLatin1Char('\x1f'), 1).toInt();
        QList<qint64> nums = groups.value(key);
        std::sort(nums.begin(), nums.end());
        nums.erase(std::unique(nums.begin(), nums.end()), nums.end());
        const auto fmt = [width](qint64 n) { return QStringLiteral("%1").arg(n, width, 10, QLatin1Char('0')); };
        if (nums.size() == 1) {
            out << prefix + fmt(nums.first());
            continue;
        }
        QStringList ranges;
        for (int i = 0; i < nums.size();) {
            int j = i;
            while (j + 1 < nums.size() && nums[j + 1] == nums[j] + 1)
                ++j;
            ranges << (i == j ? fmt(nums[i]) : fmt(nums[i]) + QLatin1Char('-') + fmt(nums[j]));
            i = j + 1;
        }
        out << prefix + QLatin1Char('[') + ranges.join(QLatin1Char(',')) + QLatin1Char(']');
    }
    return out.join(QLatin1Char(','));
}

} // namespace fb::slurm
