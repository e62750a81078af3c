// Quantities: the duration and size spellings recipes use, parsed, formatted
// and formatted for Slurm; every formatted value parses back to itself.
#include "recipe/Quantities.h"

#include <QTest>

using namespace fb::recipe;

class TestRecipeQuantities : public QObject
{
    Q_OBJECT
private slots:
    void durations_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<double>("seconds"); // < 0: invalid
        QTest::newRow("bare") << "30" << 30.0;
        QTest::newRow("s") << "30s" << 30.0;
        QTest::newRow("ms") << "500ms" << 0.5;
        QTest::newRow("us") << "250us" << 0.00025;
        QTest::newRow("m") << "5m" << 300.0;
        QTest::newRow("h-m") << "1h30m" << 5400.0;
        QTest::newRow("d") << "2d" << 172800.0;
        QTest::newRow("fraction") << "1.5s" << 1.5;
        QTest::newRow("word") << "abc" << -1.0;
        QTest::newRow("space") << "5 minutes" << -1.0;
        QTest::newRow("negative") << "-5s" << -1.0;
        QTest::newRow("empty") << "" << -1.0;
        QTest::newRow("unit only") << "s" << -1.0;
    }
    void durations()
    {
        QFETCH(QString, text);
        QFETCH(double, seconds);
        const auto d = parseDuration(text);
        if (seconds < 0) {
            QVERIFY2(!d, qPrintable(text));
            return;
        }
        QVERIFY2(d, qPrintable(text));
        QCOMPARE(*d, seconds);
        QCOMPARE(parseDuration(formatDuration(*d)), d);
    }

    void formats()
    {
        QCOMPARE(formatDuration(5400), QStringLiteral("1h30m"));
        QCOMPARE(formatDuration(0.5), QStringLiteral("500ms"));
        QCOMPARE(formatDuration(2.5), QStringLiteral("2.5s"));
        QCOMPARE(formatDuration(0), QStringLiteral("0s"));
        QCOMPARE(formatSlurmTime(5400), QStringLiteral("01:30:00"));
        QCOMPARE(formatSlurmTime(90061.2), QStringLiteral("1-01:01:02")); // rounded up
        // What the generator writes reads back (the Session plan's node-hours).
        for (const double seconds : {59.0, 600.0, 5400.0, 90062.0})
            QCOMPARE(parseSlurmTimeLimit(formatSlurmTime(seconds)), seconds);
        QCOMPARE(formatSize(4LL << 30), QStringLiteral("4G"));
        QCOMPARE(formatSize(1000), QStringLiteral("1000"));
        QCOMPARE(formatSlurmMemory(256LL << 20), QStringLiteral("256M"));
        QCOMPARE(formatSlurmMemory(16LL << 30), QStringLiteral("16G"));
        QCOMPARE(formatSlurmMemory(1), QStringLiteral("1M"));
        QCOMPARE(formatNumber(0.25), QStringLiteral("0.25"));
        QCOMPARE(formatNumber(30), QStringLiteral("30"));
        QCOMPARE(formatNumber(1e-7), QStringLiteral("0.0000001"));
    }

    // Tiny and odd durations survive format → parse exactly.
    void roundTrip()
    {
        for (double v : {1e-10, 1e-7, 0.1, 0.3333333333333333, 1.0000001, 59.999, 86399.5, 31536000.0}) {
            const QString f = formatDuration(v);
            const auto back = parseDuration(f);
            QVERIFY2(back && *back == v, qPrintable(QStringLiteral("%1 → %2").arg(v).arg(f)));
        }
    }

    void sizes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("bytes"); // < 0: invalid
        QTest::newRow("bare") << "1000" << qint64(1000);
        QTest::newRow("K") << "4K" << qint64(4096);
        QTest::newRow("MiB") << "512MiB" << qint64(512) * 1024 * 1024;
        QTest::newRow("GB") << "2GB" << (qint64(2) << 30);
        QTest::newRow("fraction") << "1.5KiB" << qint64(1536);
        QTest::newRow("lower") << "4g" << (qint64(4) << 30);
        QTest::newRow("word") << "lots" << qint64(-1);
        QTest::newRow("huge") << "99999999T" << qint64(-1);
    }
    void sizes()
    {
        QFETCH(QString, text);
        QFETCH(qint64, bytes);
        const auto s = parseSize(text);
        if (bytes < 0) {
            QVERIFY2(!s, qPrintable(text));
            return;
        }
        QVERIFY2(s, qPrintable(text));
        QCOMPARE(*s, bytes);
        QCOMPARE(parseSize(formatSize(*s)), s);
    }
};

QTEST_GUILESS_MAIN(TestRecipeQuantities)
#include "tst_recipequantities.moc"
