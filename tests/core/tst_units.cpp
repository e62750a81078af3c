// Units: scaled values and axis scales as every view and fbctl prints them.
#include "common/Units.h"

#include <QTest>

#include <limits>

using namespace fb::units;

class TestUnits : public QObject
{
    Q_OBJECT
private slots:
    void format_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<int>("unit");
        QTest::addColumn<QString>("text");
        QTest::newRow("5e-05 s") << 5e-05 << int(Unit::Seconds) << QStringLiteral("50 µs");
        QTest::newRow("850 us") << 850e-6 << int(Unit::Seconds) << QStringLiteral("850 µs");
        QTest::newRow("12.34 ms") << 0.01234 << int(Unit::Seconds) << QStringLiteral("12.3 ms");
        QTest::newRow("1.5 s") << 1.5 << int(Unit::Seconds) << QStringLiteral("1.5 s");
        QTest::newRow("zero s") << 0.0 << int(Unit::Seconds) << QStringLiteral("0 s");
        QTest::newRow("2.964e6 req/s") << 2.964e6 << int(Unit::PerSecond) << QStringLiteral("2.96 M req/s");
        QTest::newRow("293600 req/s") << 293600.0 << int(Unit::PerSecond) << QStringLiteral("294 k req/s");
        QTest::newRow("12 req/s") << 12.0 << int(Unit::PerSecond) << QStringLiteral("12 req/s");
        QTest::newRow("0.5 req/s") << 0.5 << int(Unit::PerSecond) << QStringLiteral("0.5 req/s");
        QTest::newRow("1 MiB") << 1048576.0 << int(Unit::Bytes) << QStringLiteral("1 MiB");
        QTest::newRow("1.5 GiB/s") << 1.5 * 1024 * 1024 * 1024 << int(Unit::BytesPerSecond) << QStringLiteral("1.5 GiB/s");
        QTest::newRow("ratio") << 0.125 << int(Unit::Ratio) << QStringLiteral("12.5 %");
        QTest::newRow("count") << 2400.0 << int(Unit::Count) << QStringLiteral("2.4 k");
        QTest::newRow("small count") << 7.0 << int(Unit::Count) << QStringLiteral("7");
        QTest::newRow("negative") << -0.0021 << int(Unit::Seconds) << QStringLiteral("-2.1 ms");
        QTest::newRow("nan") << std::numeric_limits<double>::quiet_NaN() << int(Unit::Seconds) << QStringLiteral("n/a");
    }
    void format()
    {
        QFETCH(double, value);
        QFETCH(int, unit);
        QFETCH(QString, text);
        QCOMPARE(fb::units::format(value, Unit(unit)), text);
    }

    void axisScale()
    {
        // One prefix for every tick of an axis, chosen from its largest value.
        const Scale s = scaleFor(Unit::Seconds, 0.250);
        QCOMPARE(s.suffix, QStringLiteral("ms"));
        QCOMPARE(number(0.0125, s, decimalsForStep(0.0125, s)), QStringLiteral("12.5"));
        QCOMPARE(decimalsForStep(0.05, s), 0);
        QCOMPARE(decimalsForStep(0.00025, s), 2);
        QCOMPARE(axisTitle(QStringLiteral("Latency"), s), QStringLiteral("Latency (ms)"));
        QCOMPARE(axisTitle(QStringLiteral("Trials"), scaleFor(Unit::None, 5)), QStringLiteral("Trials"));
    }

    void metricUnits()
    {
        QCOMPARE(int(unitOfMetric(QStringLiteral("latency.get.p99")).unit), int(Unit::Seconds));
        QCOMPARE(unitOfMetric(QStringLiteral("latency.get.p99")).toBase, 1e-3);
        QCOMPARE(unitOfMetric(QStringLiteral("ttft.p50"), QStringLiteral("us")).toBase, 1e-6);
        QCOMPARE(int(unitOfMetric(QStringLiteral("latency.get.count")).unit), int(Unit::Count));
        QCOMPARE(int(unitOfMetric(QStringLiteral("throughput.requests_per_s")).unit), int(Unit::PerSecond));
        QCOMPARE(int(unitOfMetric(QStringLiteral("throughput.output_tokens_per_s")).unit), int(Unit::TokensPerSecond));
        QCOMPARE(int(unitOfMetric(QStringLiteral("throughput.bytes_per_s")).unit), int(Unit::BytesPerSecond));
        QCOMPARE(int(unitOfMetric(QStringLiteral("errors.timeout")).unit), int(Unit::Count));
        bool ok = false;
        QCOMPARE(int(unitFromName(unitName(Unit::TokensPerSecond), &ok)), int(Unit::TokensPerSecond));
        QVERIFY(ok);
        unitFromName(QStringLiteral("furlongs"), &ok);
        QVERIFY(!ok);
    }
};

QTEST_GUILESS_MAIN(TestUnits)
#include "tst_units.moc"
