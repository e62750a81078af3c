// Tests of fbload::Histogram: accuracy against exact percentiles, exact
// merging, JSON round trip and rejection of malformed documents.
#include "histogram.h"
#include "json.h"

#include <QtTest>
#include <algorithm>
#include <cmath>
#include <random>

using fbload::Histogram;

class TestHistogram : public QObject {
    Q_OBJECT
private slots:
    void smallValuesAreExact();
    void percentilesWithinThreeDigits_data();
    void percentilesWithinThreeDigits();
    void coversOneMicrosecondToOneHour();
    void meanAndStdevAreExact();
    void mergeEqualsUnion();
    void mergeRejectsOtherLayout();
    void jsonRoundTrip();
    void jsonRejectsBadBucket();
};

void TestHistogram::smallValuesAreExact()
{
    Histogram h;
    for (int v = 0; v < 2048; ++v) {
        size_t i = h.indexOf(v);
        QCOMPARE(h.bucketLow(i), int64_t(v));
        QCOMPARE(h.bucketHigh(i), int64_t(v));
    }
}

void TestHistogram::percentilesWithinThreeDigits_data()
{
    QTest::addColumn<QString>("dist");
    QTest::newRow("uniform") << "uniform";
    QTest::newRow("lognormal") << "lognormal";
    QTest::newRow("bimodal") << "bimodal";
}

void TestHistogram::percentilesWithinThreeDigits()
{
    QFETCH(QString, dist);
    std::mt19937_64 rng(7);
    std::vector<int64_t> values;
    Histogram h;
    for (int i = 0; i < 200000; ++i) {
        double v;
        if (dist == "uniform")
            v = std::uniform_real_distribution<double>(1, 5e6)(rng);
        else if (dist == "lognormal")
            v = std::lognormal_distribution<double>(9, 2)(rng);
        else
            v = (i % 2) ? std::normal_distribution<double>(200000, 500)(rng) : std::normal_distribution<double>(20000, 50)(rng);
        auto x = static_cast<int64_t>(std::max(1.0, v));
        values.push_back(x);
        h.record(x);
    }
    std::sort(values.begin(), values.end());
    for (double p : {50.0, 90.0, 95.0, 99.0, 99.9}) {
        auto rank = static_cast<size_t>(std::ceil(p / 100.0 * values.size()));
        double exact = static_cast<double>(values[rank - 1]);
        double got = h.percentile(p);
        // Half a bucket: 1/2048 of the value, i.e. better than 3 significant digits.
        QVERIFY2(std::abs(got - exact) <= exact / 1000.0 + 1,
                 qPrintable(QString("p%1: got %2, exact %3").arg(p).arg(got).arg(exact)));
    }
    QCOMPARE(h.max(), values.back());
    QCOMPARE(h.min(), values.front());
}

void TestHistogram::coversOneMicrosecondToOneHour()
{
    Histogram h;
    h.record(1);
    h.record(3'600'000'000);
    QCOMPARE(h.overflow(), uint64_t(0));
    QCOMPARE(h.max(), int64_t(3'600'000'000));
    size_t i = h.indexOf(3'600'000'000);
    QVERIFY(double(h.bucketHigh(i) - h.bucketLow(i)) / 3.6e9 < 1.0 / 1000);
    h.record(4'000'000'000);
    QCOMPARE(h.overflow(), uint64_t(1));
}

void TestHistogram::meanAndStdevAreExact()
{
    Histogram h;
    for (int v : {100, 200, 300, 400})
        h.record(v);
    QCOMPARE(h.mean(), 250.0);
    QVERIFY(std::abs(h.stdev() - std::sqrt(12500.0)) < 1e-9);
}

void TestHistogram::mergeEqualsUnion()
{
    std::mt19937_64 rng(3);
    Histogram a, b, all;
    for (int i = 0; i < 50000; ++i) {
        auto v = static_cast<int64_t>(std::lognormal_distribution<double>(8, 1.5)(rng));
        ((i % 3) ? a : b).record(v);
        all.record(v);
    }
    a.merge(b);
    QCOMPARE(a.count(), all.count());
    for (double p : {0.0, 50.0, 90.0, 99.0, 99.9, 100.0})
        QCOMPARE(a.percentile(p), all.percentile(p));
    QCOMPARE(a.min(), all.min());
    QCOMPARE(a.max(), all.max());
    for (size_t i = 0; i < all.bucketCount(); ++i)
        QCOMPARE(a.countAt(i), all.countAt(i));
}

void TestHistogram::mergeRejectsOtherLayout()
{
    Histogram a(3), b(2);
    b.record(5);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, a.merge(b));
}

void TestHistogram::jsonRoundTrip()
{
    Histogram h;
    for (int v : {1, 5, 999, 2048, 123456, 7'000'000})
        h.record(v, 3);
    std::string text = h.toJson().dump();
    Histogram back = Histogram::fromJson(fbload::Json::parse(text));
    QCOMPARE(back.count(), h.count());
    QCOMPARE(back.percentile(50), h.percentile(50));
    QCOMPARE(back.percentile(99), h.percentile(99));
    QCOMPARE(back.mean(), h.mean());
    QCOMPARE(back.toJson().dump(), text);
}

void TestHistogram::jsonRejectsBadBucket()
{
    Histogram h;
    h.record(5000);
    fbload::Json j = h.toJson();
    j["buckets"] = fbload::Json::parse("[[5001, 1]]");  // 5001 is inside a 2-wide bucket, not its low edge
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, Histogram::fromJson(j));
    j["buckets"] = fbload::Json::parse("[[5000, 2]]");  // does not add up to count
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, Histogram::fromJson(j));
}

QTEST_APPLESS_MAIN(TestHistogram)
#include "tst_histogram.moc"
