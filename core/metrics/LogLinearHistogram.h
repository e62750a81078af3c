// LogLinearHistogram: the exact, mergeable latency histogram of fbload result
// documents ("layout": "log-linear", HdrHistogram-style buckets), read back on
// the app side to draw histograms, CDFs and percentile spectra and to merge
// runs from several nodes without losing precision.
//
// fbload's own Histogram (core/clients/src/histogram.*) cannot be linked here:
// fbload is a standalone project without Qt that builds on the cluster. This
// class repeats only its bucket arithmetic (same derivation as HdrHistogram
// with lowest discernible value 1) and its percentile rule (midpoint of the
// bucket holding rank ceil(p*count), clamped to [min, max]); tst_resultdocument
// checks both against numbers fbload documents.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QPointF>
#include <QString>

#include <optional>

namespace fb::metrics {

struct HistogramBin
{
    qint64 low = 0;  // lowest value in the bucket
    qint64 high = 0; // highest value in the bucket (inclusive)
    quint64 count = 0;
};

class LogLinearHistogram
{
public:
    LogLinearHistogram() = default;
    LogLinearHistogram(int significantDigits, qint64 highest);

    // Reads {"layout":"log-linear","significant_digits":3,"highest":..,"count":..,
    // "min":..,"max":..,"sum":..,"sum_sq":..,"buckets":[[low,count],...]};
    // on failure names the field path (prefix + ".buckets[3]") in *error.
    static std::optional<LogLinearHistogram> fromJson(const QJsonObject &o, const QString &path, QString *error);
    QJsonObject toJson() const;

    void record(qint64 value, quint64 count = 1); // for tests and synthetic data
    bool merge(const LogLinearHistogram &other, QString *error); // layouts must match

    int significantDigits() const { return m_digits; }
    qint64 highest() const { return m_highest; }
    quint64 count() const { return m_count; }
    qint64 min() const { return m_count ? m_min : 0; }
    qint64 max() const { return m_count ? m_max : 0; }
    double mean() const { return m_count ? m_sum / double(m_count) : 0.0; }
    double stdev() const;
    double percentile(double p) const; // p in 0..100

    QList<HistogramBin> bins() const;       // non-empty buckets, ascending
    QList<QPointF> cdf() const;             // (value at bucket high, fraction <= it)
    // (percentile, value) for p from 0 to 1 - 10^-nines, spaced evenly on the
    // "1/(1-p)" axis as HdrHistogram's percentile plots are.
    QList<QPointF> percentileSpectrum(int nines = 4, int pointsPerDecade = 20) const;

    qint64 bucketLowOf(qint64 value) const;
    qint64 bucketHighOf(qint64 low) const;

private:
    int m_digits = 3;
    qint64 m_highest = 3'600'000'000;
    int m_halfMagnitude = 10;
    qint64 m_subBucketMask = 2047;
    QMap<qint64, quint64> m_buckets; // low -> count (sparse)
    quint64 m_count = 0;
    qint64 m_min = 0;
    qint64 m_max = 0;
    double m_sum = 0;
    double m_sumSq = 0;
};

} // namespace fb::metrics
