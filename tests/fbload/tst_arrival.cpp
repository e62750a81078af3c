// Tests of fbload::ArrivalSchedule: the statistics of constant, Poisson and
// gamma arrivals, the thread split, and the ramp.
#include "arrival.h"

#include <QtTest>
#include <cmath>
#include <set>

using fbload::ArrivalSchedule;
using fbload::LoadModel;

namespace {
struct Moments {
    double mean, cv2;
};
Moments gaps(LoadModel m, double rate, double burst, int n)
{
    ArrivalSchedule s(m, rate, burst, 0, 42, 0, 1);
    double sum = 0, sq = 0;
    for (int i = 0; i < n; ++i) {
        double g = s.gap();
        sum += g;
        sq += g * g;
    }
    double mean = sum / n;
    double var = sq / n - mean * mean;
    return {mean, var / (mean * mean)};
}
}  // namespace

class TestArrival : public QObject {
    Q_OBJECT
private slots:
    void constantIsRegular();
    void poissonHasUnitCv();
    void gammaBurstiness_data();
    void gammaBurstiness();
    void threadsShareOneSequence();
    void rampStartsSlow();
};

void TestArrival::constantIsRegular()
{
    ArrivalSchedule s(LoadModel::Constant, 50, 1, 0, 1, 0, 1);
    QCOMPARE(s.next().atNs, int64_t(0));
    QCOMPARE(s.next().atNs, int64_t(20'000'000));
    QCOMPARE(s.next().atNs, int64_t(40'000'000));
}

void TestArrival::poissonHasUnitCv()
{
    Moments m = gaps(LoadModel::Poisson, 50, 1, 200000);
    QVERIFY2(std::abs(m.mean - 0.02) < 0.0003, qPrintable(QString::number(m.mean)));
    QVERIFY2(std::abs(m.cv2 - 1.0) < 0.03, qPrintable(QString::number(m.cv2)));
}

void TestArrival::gammaBurstiness_data()
{
    QTest::addColumn<double>("burstiness");
    QTest::newRow("bursty 0.25") << 0.25;
    QTest::newRow("poisson 1") << 1.0;
    QTest::newRow("regular 4") << 4.0;
}

void TestArrival::gammaBurstiness()
{
    QFETCH(double, burstiness);
    // vLLM's definition: gamma shape = burstiness, mean gap = 1/rate, so the
    // squared coefficient of variation is 1/burstiness.
    Moments m = gaps(LoadModel::Gamma, 100, burstiness, 400000);
    QVERIFY2(std::abs(m.mean - 0.01) < 0.01 * 0.02, qPrintable(QString::number(m.mean)));
    QVERIFY2(std::abs(m.cv2 - 1.0 / burstiness) < 0.05 / burstiness, qPrintable(QString::number(m.cv2)));
}

void TestArrival::threadsShareOneSequence()
{
    ArrivalSchedule all(LoadModel::Poisson, 1000, 1, 0, 9, 0, 1);
    std::vector<int64_t> expected;
    for (int i = 0; i < 3000; ++i)
        expected.push_back(all.next().atNs);
    std::multiset<int64_t> fromThreads;
    for (int t = 0; t < 3; ++t) {
        ArrivalSchedule s(LoadModel::Poisson, 1000, 1, 0, 9, t, 3);
        for (int i = 0; i < 1000; ++i) {
            auto a = s.next();
            QCOMPARE(a.index % 3, uint64_t(t));
            fromThreads.insert(a.atNs);
        }
    }
    QCOMPARE(std::multiset<int64_t>(expected.begin(), expected.end()), fromThreads);
}

void TestArrival::rampStartsSlow()
{
    // Rate ramps 0 -> 100/s over 10 s: expected arrivals by t are 100*t^2/20,
    // i.e. 125 in the first 5 s and 500 by 10 s; 100/s afterwards.
    ArrivalSchedule s(LoadModel::Constant, 100, 1, 10, 1, 0, 1);
    int first5 = 0, first10 = 0, first20 = 0;
    for (;;) {
        auto a = s.next();
        if (a.atNs >= 20'000'000'000)
            break;
        first20++;
        if (a.atNs < 10'000'000'000)
            first10++;
        if (a.atNs < 5'000'000'000)
            first5++;
    }
    QVERIFY2(std::abs(first5 - 125) <= 2, qPrintable(QString::number(first5)));
    QVERIFY2(std::abs(first10 - 500) <= 2, qPrintable(QString::number(first10)));
    QVERIFY2(std::abs(first20 - 1500) <= 2, qPrintable(QString::number(first20)));
}

QTEST_APPLESS_MAIN(TestArrival)
#include "tst_arrival.moc"
