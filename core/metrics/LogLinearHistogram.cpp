#include "metrics/LogLinearHistogram.h"

#include <QJsonArray>

#include <algorithm>
#include <bit>
#include <cmath>

namespace fb::metrics {

LogLinearHistogram::LogLinearHistogram(int significantDigits, qint64 highest)
    : m_digits(std::clamp(significantDigits, 1, 5)), m_highest(std::max<qint64>(highest, 2))
{
    qint64 largestSingleUnitResolution = 2;
    for (int i = 0; i < m_digits; ++i)
        largestSingleUnitResolution *= 10;
    const int subBucketCountMagnitude = int(std::ceil(std::log2(double(largestSingleUnitResolution))));
    m_halfMagnitude = std::max(subBucketCountMagnitude, 1) - 1;
    m_subBucketMask = (qint64(1) << (m_halfMagnitude + 1)) - 1;
}

qint64 LogLinearHistogram::bucketLowOf(qint64 value) const
{
    value = std::clamp<qint64>(value, 0, m_highest);
    const int pow2ceiling = 64 - std::countl_zero(quint64(value | m_subBucketMask));
    const int bucketIndex = pow2ceiling - (m_halfMagnitude + 1);
    return (value >> bucketIndex) << bucketIndex;
}

qint64 LogLinearHistogram::bucketHighOf(qint64 low) const
{
    const int pow2ceiling = 64 - std::countl_zero(quint64(low | m_subBucketMask));
    const int bucketIndex = pow2ceiling - (m_halfMagnitude + 1);
    return low + (qint64(1) << bucketIndex) - 1;
}

std::optional<LogLinearHistogram> LogLinearHistogram::fromJson(const QJsonObject &o, const QString &path, QString *error)
{
    auto fail = [&](const QString &field, const QString &what) {
        if (error)
            *error = QStringLiteral("%1.%2: %3").arg(path, field, what);
        return std::nullopt;
    };
    const QString layout = o.value(QLatin1String("layout")).toString(QStringLiteral("log-linear"));
    if (layout != QLatin1String("log-linear"))
        return fail(QStringLiteral("layout"), QStringLiteral("unsupported histogram layout '%1'").arg(layout));
    const int digits = o.value(QLatin1String("significant_digits")).toInt(3);
    if (digits < 1 || digits > 5)
        return fail(QStringLiteral("significant_digits"), QStringLiteral("must be 1..5, got %1").arg(digits));
    const qint64 highest = qint64(o.value(QLatin1String("highest")).toDouble(3.6e9));
    if (highest < 2)
        return fail(QStringLiteral("highest"), QStringLiteral("must be at least 2"));
    LogLinearHistogram h(digits, highest);
    const QJsonValue bv = o.value(QLatin1String("buckets"));
    if (!bv.isArray())
        return fail(QStringLiteral("buckets"), QStringLiteral("missing or not an array"));
    const QJsonArray buckets = bv.toArray();
    for (qsizetype i = 0; i < buckets.size(); ++i) {
        const QJsonArray b = buckets.at(i).toArray();
        if (b.size() != 2 || !b.at(0).isDouble() || !b.at(1).isDouble() || b.at(0).toDouble() < 0 || b.at(1).toDouble() < 0)
            return fail(QStringLiteral("buckets[%1]").arg(i), QStringLiteral("expected [low, count] with non-negative numbers"));
        const auto low = qint64(b.at(0).toDouble());
        if (h.bucketLowOf(low) != low)
            return fail(QStringLiteral("buckets[%1]").arg(i),
                        QStringLiteral("%1 is not a bucket boundary of a %2-digit log-linear layout").arg(low).arg(digits));
        const auto count = quint64(b.at(1).toDouble());
        if (count)
            h.m_buckets[low] += count;
        h.m_count += count;
    }
    const QJsonValue cv = o.value(QLatin1String("count"));
    if (cv.isDouble() && quint64(cv.toDouble()) != h.m_count)
        return fail(QStringLiteral("count"), QStringLiteral("is %1 but the buckets hold %2").arg(quint64(cv.toDouble())).arg(h.m_count));
    if (h.m_count) {
        h.m_min = qint64(o.value(QLatin1String("min")).toDouble(double(h.m_buckets.firstKey())));
        h.m_max = qint64(o.value(QLatin1String("max")).toDouble(double(h.bucketHighOf(h.m_buckets.lastKey()))));
    }
    h.m_sum = o.value(QLatin1String("sum")).toDouble();
    h.m_sumSq = o.value(QLatin1String("sum_sq")).toDouble();
    return h;
}

QJsonObject LogLinearHistogram::toJson() const
{
    QJsonArray buckets;
    for (auto it = m_buckets.cbegin(); it != m_buckets.cend(); ++it)
        buckets.append(QJsonArray{double(it.key()), double(it.value())});
    return QJsonObject{{QStringLiteral("layout"), QStringLiteral("log-linear")},
                       {QStringLiteral("significant_digits"), m_digits},
                       {QStringLiteral("highest"), double(m_highest)},
                       {QStringLiteral("count"), double(m_count)},
                       {QStringLiteral("min"), double(min())},
                       {QStringLiteral("max"), double(max())},
                       {QStringLiteral("sum"), m_sum},
                       {QStringLiteral("sum_sq"), m_sumSq},
                       {QStringLiteral("buckets"), buckets}};
}

void LogLinearHistogram::record(qint64 value, quint64 count)
{
    if (!count)
        return;
    value = std::clamp<qint64>(value, 0, m_highest);
    m_buckets[bucketLowOf(value)] += count;
    m_min = m_count ? std::min(m_min, value) : value;
    m_max = m_count ? std::max(m_max, value) : value;
    m_count += count;
    m_sum += double(value) * double(count);
    m_sumSq += double(value) * double(value) * double(count);
}

bool LogLinearHistogram::merge(const LogLinearHistogram &o, QString *error)
{
    if (o.m_digits != m_digits || o.m_highest != m_highest) {
        if (error)
            *error = QStringLiteral("histogram layouts differ (%1 vs %2 significant digits, highest %3 vs %4); cannot merge exactly")
                         .arg(m_digits).arg(o.m_digits).arg(m_highest).arg(o.m_highest);
        return false;
    }
    if (!o.m_count)
        return true;
    for (auto it = o.m_buckets.cbegin(); it != o.m_buckets.cend(); ++it)
        m_buckets[it.key()] += it.value();
    m_min = m_count ? std::min(m_min, o.m_min) : o.m_min;
    m_max = m_count ? std::max(m_max, o.m_max) : o.m_max;
    m_count += o.m_count;
    m_sum += o.m_sum;
    m_sumSq += o.m_sumSq;
    return true;
}

double LogLinearHistogram::stdev() const
{
    if (m_count < 2)
        return 0.0;
    const double n = double(m_count);
    const double m = m_sum / n;
    const double var = m_sumSq / n - m * m; // population stdev, as fbload and numpy.std
    return var > 0 ? std::sqrt(var) : 0.0;
}

double LogLinearHistogram::percentile(double p) const
{
    if (!m_count)
        return 0.0;
    p = std::clamp(p, 0.0, 100.0);
    auto rank = quint64(std::ceil(p / 100.0 * double(m_count)));
    rank = std::clamp<quint64>(rank, 1, m_count);
    quint64 seen = 0;
    for (auto it = m_buckets.cbegin(); it != m_buckets.cend(); ++it) {
        seen += it.value();
        if (seen >= rank) {
            const double mid = (double(it.key()) + double(bucketHighOf(it.key()))) / 2.0;
            return std::clamp(mid, double(m_min), double(m_max));
        }
    }
    return double(m_max);
}

QList<HistogramBin> LogLinearHistogram::bins() const
{
    QList<HistogramBin> out;
    out.reserve(m_buckets.size());
    for (auto it = m_buckets.cbegin(); it != m_buckets.cend(); ++it)
        out.append({it.key(), bucketHighOf(it.key()), it.value()});
    return out;
}

QList<QPointF> LogLinearHistogram::cdf() const
{
    QList<QPointF> out;
    if (!m_count)
        return out;
    out.reserve(m_buckets.size() + 1);
    out.append(QPointF(double(min()), 0.0));
    quint64 seen = 0;
    for (auto it = m_buckets.cbegin(); it != m_buckets.cend(); ++it) {
        seen += it.value();
        out.append(QPointF(std::min(double(bucketHighOf(it.key())), double(m_max)), double(seen) / double(m_count)));
    }
    return out;
}

QList<QPointF> LogLinearHistogram::percentileSpectrum(int nines, int pointsPerDecade) const
{
    QList<QPointF> out;
    if (!m_count)
        return out;
    // x = 1/(1-p) from 1 to 10^nines, evenly spaced in log10.
    const int n = nines * pointsPerDecade;
    for (int i = 0; i <= n; ++i) {
        const double inv = std::pow(10.0, double(i) / pointsPerDecade);
        const double pct = 100.0 * (1.0 - 1.0 / inv);
        out.append(QPointF(pct, percentile(pct)));
    }
    return out;
}

} // namespace fb::metrics
