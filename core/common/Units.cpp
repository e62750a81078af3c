#include "Units.h"

#include <QList>

#include <cmath>

namespace fb::units {

namespace {

struct Step
{
    double factor;
    const char *suffix;
};

// Each list ascends; the largest step whose factor is <= the magnitude wins.
QList<Step> stepsOf(Unit unit)
{
    switch (unit) {
    case Unit::None:
        return {{1, ""}, {1e3, "k"}, {1e6, "M"}, {1e9, "G"}};
    case Unit::Count:
        return {{1, ""}, {1e3, "k"}, {1e6, "M"}, {1e9, "G"}};
    case Unit::Seconds:
        return {{1e-9, "ns"}, {1e-6, "µs"}, {1e-3, "ms"}, {1, "s"}, {60 * 60, "h"}};
    case Unit::Bytes:
        return {{1, "B"}, {1024.0, "KiB"}, {1024.0 * 1024, "MiB"}, {1024.0 * 1024 * 1024, "GiB"},
                {1024.0 * 1024 * 1024 * 1024, "TiB"}};
    case Unit::BytesPerSecond:
        return {{1, "B/s"}, {1024.0, "KiB/s"}, {1024.0 * 1024, "MiB/s"}, {1024.0 * 1024 * 1024, "GiB/s"}};
    case Unit::PerSecond:
        return {{1, "req/s"}, {1e3, "k req/s"}, {1e6, "M req/s"}};
    case Unit::OpsPerSecond:
        return {{1, "IOPS"}, {1e3, "k IOPS"}, {1e6, "M IOPS"}};
    case Unit::Tokens:
        return {{1, "tokens"}, {1e3, "k tokens"}, {1e6, "M tokens"}};
    case Unit::TokensPerSecond:
        return {{1, "tok/s"}, {1e3, "k tok/s"}, {1e6, "M tok/s"}};
    case Unit::Ratio:
        return {{0.01, "%"}};
    case Unit::Percent:
        return {{1, "%"}};
    }
    return {{1, ""}};
}

QString trimZeros(QString s)
{
    if (s.contains(QLatin1Char('.'))) {
        while (s.endsWith(QLatin1Char('0')))
            s.chop(1);
        if (s.endsWith(QLatin1Char('.')))
            s.chop(1);
    }
    return s == QLatin1String("-0") ? QStringLiteral("0") : s;
}

} // namespace

Scale scaleFor(Unit unit, double magnitude)
{
    const QList<Step> steps = stepsOf(unit);
    const double m = std::fabs(magnitude);
    Step chosen = steps.first();
    if (unit == Unit::Seconds) // 0.5 s reads better as 500 ms; a zero as "0 s"
        chosen = m == 0 || !std::isfinite(m) ? Step{1, "s"} : steps.first();
    if (std::isfinite(m) && m > 0)
        for (const Step &s : steps)
            if (s.factor <= m * (1 + 1e-12))
                chosen = s;
    return {chosen.factor, QString::fromUtf8(chosen.suffix)};
}

QString number(double value, const Scale &scale, int decimals)
{
    if (!std::isfinite(value))
        return QStringLiteral("n/a");
    return QString::number(value / scale.factor, 'f', std::max(0, decimals));
}

int decimalsForStep(double step, const Scale &scale)
{
    const double s = std::fabs(step / scale.factor);
    if (!(s > 0) || !std::isfinite(s))
        return 0;
    // The fewest decimals that write the step exactly (12.5 -> 1, 0.25 -> 2, 50 -> 0).
    for (int d = 0; d < 6; ++d) {
        const double scaled = s * std::pow(10.0, d);
        if (std::fabs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, scaled))
            return d;
    }
    return 6;
}

QString format(double value, Unit unit, int significant)
{
    if (!std::isfinite(value))
        return QStringLiteral("n/a");
    const Scale scale = scaleFor(unit, value);
    const double shown = value / scale.factor;
    const double a = std::fabs(shown);
    const int intDigits = a >= 1 ? int(std::floor(std::log10(a))) + 1 : 1;
    int decimals = std::max(0, significant - intDigits);
    if (a > 0 && a < 1) // 0.0123: keep `significant` digits after the leading zeros
        decimals = std::min(9, significant - 1 - int(std::floor(std::log10(a))));
    const QString n = trimZeros(QString::number(shown, 'f', decimals));
    if (scale.suffix.isEmpty())
        return n;
    return scale.suffix == QLatin1String("%") ? n + QStringLiteral(" %") : n + QLatin1Char(' ') + scale.suffix;
}

QString axisTitle(const QString &name, const Scale &scale)
{
    return scale.suffix.isEmpty() ? name : QStringLiteral("%1 (%2)").arg(name, scale.suffix);
}

MetricUnit unitOfMetric(const QString &metricName, const QString &declared)
{
    const QString d = declared.trimmed().toLower();
    if (d == QLatin1String("ms"))
        return {Unit::Seconds, 1e-3};
    if (d == QLatin1String("us") || d == QStringLiteral("µs"))
        return {Unit::Seconds, 1e-6};
    if (d == QLatin1String("ns"))
        return {Unit::Seconds, 1e-9};
    if (d == QLatin1String("s"))
        return {Unit::Seconds, 1};
    if (d == QLatin1String("bytes") || d == QLatin1String("b"))
        return {Unit::Bytes, 1};
    const QString n = metricName.toLower();
    const bool perSecond = n.contains(QLatin1String("per_s")) || n.endsWith(QLatin1String("/s"))
        || n.contains(QLatin1String("throughput")) || n.endsWith(QLatin1String("_rate"));
    if (n.contains(QLatin1String("token")))
        return {perSecond ? Unit::TokensPerSecond : Unit::Tokens, 1};
    if (n.contains(QLatin1String("byte")))
        return {perSecond ? Unit::BytesPerSecond : Unit::Bytes, 1};
    if (n.contains(QLatin1String("iops")))
        return {Unit::OpsPerSecond, 1};
    if (n.endsWith(QLatin1String(".count")) || n.startsWith(QLatin1String("errors")) || n == QLatin1String("requests")
        || n.startsWith(QLatin1String("requests.")))
        return {Unit::Count, 1};
    if (n.contains(QLatin1String("error_rate")) || n.endsWith(QLatin1String("ratio")))
        return {Unit::Ratio, 1};
    if (perSecond)
        return {Unit::PerSecond, 1};
    if (n.endsWith(QLatin1String("_s")) || n.endsWith(QLatin1String("_seconds")))
        return {Unit::Seconds, 1};
    if (n.startsWith(QLatin1String("latency")) || n.contains(QLatin1String("ttft")) || n.contains(QLatin1String("tpot"))
        || n.contains(QLatin1String("itl")) || n.contains(QLatin1String("e2el")) || n.endsWith(QLatin1String("_ms")))
        return {Unit::Seconds, 1e-3}; // fbload writes latencies in ms (docs/result-format.md)
    return {Unit::None, 1};
}

QString unitName(Unit unit)
{
    switch (unit) {
    case Unit::None: return QStringLiteral("none");
    case Unit::Count: return QStringLiteral("count");
    case Unit::Seconds: return QStringLiteral("s");
    case Unit::Bytes: return QStringLiteral("bytes");
    case Unit::BytesPerSecond: return QStringLiteral("bytes/s");
    case Unit::PerSecond: return QStringLiteral("req/s");
    case Unit::OpsPerSecond: return QStringLiteral("IOPS");
    case Unit::Tokens: return QStringLiteral("tokens");
    case Unit::TokensPerSecond: return QStringLiteral("tokens/s");
    case Unit::Ratio: return QStringLiteral("ratio");
    case Unit::Percent: return QStringLiteral("%");
    }
    return QStringLiteral("none");
}

Unit unitFromName(const QString &name, bool *ok)
{
    for (Unit u : {Unit::None, Unit::Count, Unit::Seconds, Unit::Bytes, Unit::BytesPerSecond, Unit::PerSecond,
                   Unit::OpsPerSecond, Unit::Tokens, Unit::TokensPerSecond, Unit::Ratio, Unit::Percent})
        if (unitName(u) == name) {
            if (ok)
                *ok = true;
            return u;
        }
    if (ok)
        *ok = false;
    return Unit::None;
}

} // namespace fb::units
