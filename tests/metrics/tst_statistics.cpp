// Tests fb::metrics::stats against published Student-t table values
// (two-sided 95 %, i.e. the 0.975 quantile, to the table's 3 decimals), the
// closed forms for 1 and 2 degrees of freedom, and sample statistics and
// Welch comparisons computed by hand.
#include "metrics/Statistics.h"

#include <QTest>

#include <cmath>
#include <limits>
#include <numbers>

using namespace fb::metrics::stats;

class TestStatistics : public QObject
{
    Q_OBJECT
private slots:
    void tTable_data()
    {
        QTest::addColumn<double>("df");
        QTest::addColumn<double>("expected");
        // t(0.975, df) from the standard table (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2).
        const double table[][2] = {
            {1, 12.706}, {2, 4.303}, {3, 3.182}, {4, 2.776}, {5, 2.571}, {6, 2.447}, {7, 2.365},
            {8, 2.306}, {9, 2.262}, {10, 2.228}, {11, 2.201}, {12, 2.179}, {13, 2.160}, {14, 2.145},
            {15, 2.131}, {16, 2.120}, {17, 2.110}, {18, 2.101}, {19, 2.093}, {20, 2.086}, {25, 2.060},
            {29, 2.045}, {30, 2.042}, {40, 2.021}, {60, 2.000}, {100, 1.984}, {120, 1.980},
            {1e9, 1.960}, {std::numeric_limits<double>::infinity(), 1.960}};
        for (const auto &row : table)
            QTest::addRow("df=%g", row[0]) << row[0] << row[1];
    }
    void tTable()
    {
        QFETCH(double, df);
        QFETCH(double, expected);
        QVERIFY2(std::fabs(studentTQuantile(0.975, df) - expected) <= 0.0005,
                 qPrintable(QString::number(studentTQuantile(0.975, df), 'f', 6)));
        QCOMPARE(tCritical(df, 0.95), studentTQuantile(0.975, df));
    }

    void closedForms()
    {
        // df = 1 is Cauchy: t = tan(π(p - ½)); df = 2: t = (2p-1)·√(2 / (4p(1-p))).
        for (double p : {0.6, 0.9, 0.975, 0.995, 0.9995}) {
            const double cauchy = std::tan(std::numbers::pi * (p - 0.5));
            QVERIFY2(std::fabs(studentTQuantile(p, 1) - cauchy) < 1e-8 * cauchy, qPrintable(QString::number(p)));
            const double two = (2 * p - 1) * std::sqrt(2 / (4 * p * (1 - p)));
            QVERIFY2(std::fabs(studentTQuantile(p, 2) - two) < 1e-8 * two, qPrintable(QString::number(p)));
        }
        QCOMPARE(studentTQuantile(0.5, 3), 0.0);
        QVERIFY(std::fabs(studentTQuantile(0.025, 4) + 2.776445) < 1e-5); // symmetric
        QVERIFY(std::fabs(studentTQuantile(0.995, 10) - 3.169) < 0.0005);
        // CDF and quantile are inverses, also at fractional (Welch) df.
        for (double df : {1.3, 4.5, 17.25})
            QVERIFY(std::fabs(studentTCdf(studentTQuantile(0.975, df), df) - 0.975) < 1e-10);
        // Fractional df lie between their integer neighbours.
        QVERIFY(studentTQuantile(0.975, 4.5) < studentTQuantile(0.975, 4));
        QVERIFY(studentTQuantile(0.975, 4.5) > studentTQuantile(0.975, 5));
        QVERIFY(std::isnan(studentTQuantile(1.0, 3)));
        QVERIFY(std::isnan(studentTQuantile(0.975, 0)));
    }

    void sampleStatistics()
    {
        const QList<double> xs{2, 4, 4, 4, 5, 5, 7, 9};
        QCOMPARE(mean(xs), 5.0);
        QVERIFY(std::fabs(sampleStdev(xs) - std::sqrt(32.0 / 7)) < 1e-12);
        const ConfidenceInterval ci = meanInterval(xs);
        QCOMPARE(ci.n, 8);
        // t(0.975, 7) = 2.364624; s/√n = √(32/7)/√8.
        QVERIFY(std::fabs(ci.halfWidth - 2.364624 * std::sqrt(32.0 / 7) / std::sqrt(8.0)) < 1e-5);
        QVERIFY(ci.hasInterval());
        QVERIFY(std::fabs(ci.lower() - (5 - ci.halfWidth)) < 1e-12);

        // Two repetitions: half-width = t(0.975,1)·s/√2 = 12.706·|a-b|/2.
        const ConfidenceInterval two = meanInterval({100, 110});
        QVERIFY(std::fabs(two.halfWidth - 12.7062047 * std::sqrt(50.0) / std::sqrt(2.0)) < 1e-4);

        const ConfidenceInterval one = meanInterval({42});
        QCOMPARE(one.mean, 42.0);
        QVERIFY(std::isnan(one.halfWidth));
        QVERIFY(!one.hasInterval());
        QVERIFY(std::isnan(mean({})));
    }

    void welchEqualVariances()
    {
        // A: mean 12, s² 4; B: mean 15, s² 4; n = 3 each: se² = 4/3 + 4/3, df = 4 exactly.
        const WelchComparison w = welch({10, 12, 14}, {13, 15, 17});
        QCOMPARE(w.difference, 3.0);
        QVERIFY(std::fabs(w.df - 4) < 1e-12);
        QVERIFY(std::fabs(w.halfWidth - 2.776445 * std::sqrt(8.0 / 3)) < 1e-5);
        QVERIFY(w.hasInterval());
        QCOMPARE(w.relative(), 0.25);
        QVERIFY(std::fabs(w.relativeLower() - (3 - w.halfWidth) / 12) < 1e-12);
        QVERIFY(w.relativeLower() < 0 && w.relativeUpper() > 0); // CI spans 0: not significant
    }

    void welchUnequalVariances()
    {
        // A = {1,2,3,4}: s² = 5/3, vA = 5/12; B = {2,6}: s² = 8, vB = 4.
        const WelchComparison w = welch({1, 2, 3, 4}, {2, 6});
        const double vA = 5.0 / 12, vB = 4;
        const double df = (vA + vB) * (vA + vB) / (vA * vA / 3 + vB * vB / 1);
        QVERIFY(std::fabs(w.df - df) < 1e-12);
        QVERIFY(std::fabs(w.halfWidth - studentTQuantile(0.975, df) * std::sqrt(vA + vB)) < 1e-9);
        QCOMPARE(w.difference, 1.5);
    }

    void welchEdges()
    {
        const WelchComparison single = welch({10}, {12, 13});
        QVERIFY(!single.hasInterval());
        QCOMPARE(single.difference, 2.5);
        QVERIFY(std::isnan(single.halfWidth));

        const WelchComparison exact = welch({5, 5}, {6, 6});
        QVERIFY(exact.hasInterval());
        QCOMPARE(exact.halfWidth, 0.0);
        QCOMPARE(exact.relative(), 0.2);

        QVERIFY(std::isnan(welch({0, 0}, {1, 2}).relative()));
    }
};

QTEST_GUILESS_MAIN(TestStatistics)
#include "tst_statistics.moc"
