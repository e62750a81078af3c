// Tests fb::metrics::RunComparison on result documents written by the test
// (ResultDocument JSON with known samples): verdicts computed by hand from
// Welch's interval and the tolerance band, trial-by-trial matching by swept
// values (never summed), two trials of one run, counts not judged, errors,
// single samples, metric patterns, and table cells with units.
#include "metrics/RunComparison.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>

using namespace fb::metrics;

namespace {

struct Sample
{
    double p99_ms = 1.0;
    double rps = 10000;
    double errors = 0;
};

ResultDocument doc(const QString &run, const Sample &s)
{
    const QJsonObject latency{{"unit", "ms"}, {"count", 30000}, {"mean", s.p99_ms / 2}, {"p50", s.p99_ms / 3}, {"p99", s.p99_ms}};
    const QJsonObject summary{
        {"requests", QJsonObject{{"sent", 30000}, {"completed", 30000 - s.errors}, {"errors", s.errors}}},
        {"throughput", QJsonObject{{"requests_per_s", s.rps}}},
        {"metrics", QJsonObject{{"latency", latency}}}};
    const QJsonObject o{{"schema", "factorybench.result"}, {"schema_version", 1},
                        {"run", QJsonObject{{"id", run}, {"workload", "redis"}}}, {"summary", summary}};
    QString error;
    auto d = ResultDocument::fromJson(QJsonDocument(o).toJson(), run, &error);
    if (!d)
        qFatal("%s", qPrintable(error));
    return *d;
}

// A run of `combinations` (concurrency value -> samples, one trial per repetition).
Study study(const QString &run, const QList<QPair<QString, QList<Sample>>> &combinations)
{
    QList<StudyTrial> trials;
    int c = 0;
    for (const auto &[concurrency, samples] : combinations) {
        ++c;
        for (int r = 0; r < samples.size(); ++r) {
            StudyTrial t;
            t.id = QStringLiteral("t%1").arg(c, 3, 10, QLatin1Char('0'))
                   + (samples.size() > 1 ? QStringLiteral("-r%1").arg(r + 1) : QString());
            t.index = c * 1000 + r + 1;
            t.state = QStringLiteral("completed");
            if (!concurrency.isEmpty())
                t.parameters = {{QStringLiteral("clients[0].load.concurrency"), concurrency}};
            t.result = doc(run, samples[r]);
            trials << t;
        }
    }
    return Study(run, QStringLiteral("redis-demo"), trials);
}

const ComparisonRow *row(const RunComparison &cmp, const QString &trials, const QString &metric)
{
    for (const ComparisonRow &r : cmp.rows())
        if (r.trials == trials && r.metric == metric)
            return &r;
    return nullptr;
}

Verdict verdict(const RunComparison &cmp, const QString &trials, const QString &metric)
{
    const ComparisonRow *r = row(cmp, trials, metric);
    if (!r)
        qFatal("no row %s %s", qPrintable(trials), qPrintable(metric));
    return r->cells.first().verdict;
}

} // namespace

class TestRunComparison : public QObject
{
    Q_OBJECT
private slots:
    void metricKinds()
    {
        using fb::units::unitOfMetric;
        const auto kind = [](const QString &k) { return metricKind(k, unitOfMetric(k)); };
        QCOMPARE(kind("latency.p99"), MetricKind::Latency);
        QCOMPARE(kind("throughput.requests_per_s"), MetricKind::Throughput);
        QCOMPARE(kind("throughput.output_tokens_per_s"), MetricKind::Throughput);
        QCOMPARE(kind("latency.get.count"), MetricKind::Count);
        QCOMPARE(kind("requests.sent"), MetricKind::Count);
        QCOMPARE(kind("requests.errors"), MetricKind::Errors);
        QCOMPARE(kind("errors.timeout"), MetricKind::Errors);
        QCOMPARE(kind("error_rate"), MetricKind::Errors);
        QCOMPARE(kind("duration_s"), MetricKind::Other);
    }

    void slowdownIsARegression()
    {
        // 20 % slower, 17 % less throughput, 2 repetitions each (hand-computed):
        // p99 A = {1.00, 1.02}, B = {1.20, 1.22}: s = 0.01414 each, df = 2,
        // half-width = 4.3027 * 0.01414 = 0.0608; CI of Δ/A = [13.8 %, 25.8 %] > 5 %.
        // rps A = {10000, 10100}, B = {8300, 8400}: Δ = -1700 ± 304.2 -> [-19.9 %, -13.9 %] < -5 %.
        const Study a = study("A", {{"4", {{1.00, 10000}, {1.02, 10100}}}});
        const Study b = study("B", {{"4", {{1.20, 8300}, {1.22, 8400}}}});
        const RunComparison cmp({a, "A"}, {{b, "B"}}, {"latency.p99", "throughput.requests_per_s"});
        const ComparisonRow *p99 = row(cmp, "concurrency=4", "latency.p99");
        QVERIFY(p99);
        const ComparisonCell &c = p99->cells.first();
        QCOMPARE(c.diff.nA, 2);
        QVERIFY(std::fabs(c.diff.df - 2) < 1e-9);
        QVERIFY(std::fabs(c.diff.halfWidth - 4.302653 * std::sqrt(0.0002)) < 1e-5);
        QVERIFY(std::fabs(c.diff.relativeLower() - (0.2 - 4.302653 * std::sqrt(0.0002)) / 1.01) < 1e-5);
        QCOMPARE(c.verdict, Verdict::Regression);
        QCOMPARE(verdict(cmp, "concurrency=4", "throughput.requests_per_s"), Verdict::Regression);
        QVERIFY(cmp.hasRegression());
        QCOMPARE(cmp.count(Verdict::Regression), 2);
        QVERIFY(cmp.regressions().join('\n').contains("concurrency=4 · latency.p99 (B): +19.8 % [+13.8 %, +25.8 %]"));

        // The other way round: an improvement on both.
        const RunComparison back({b, "B"}, {{a, "A"}}, {"latency.p99", "throughput.requests_per_s"});
        QCOMPARE(back.count(Verdict::Improvement), 2);
        QVERIFY(!back.hasRegression());
    }

    void noiseAndToleranceDecide()
    {
        // A/A: Δ = +1 % with CI [-5.0 %, +7.0 %] overlapping the band.
        const Study a = study("A", {{"", {{1.00, 10000}, {1.02, 10100}}}});
        const Study aa = study("A2", {{"", {{1.01, 10050}, {1.03, 10000}}}});
        const RunComparison same({a, "A"}, {{aa, "A2"}});
        QVERIFY(!same.hasRegression());
        QCOMPARE(verdict(same, "t001", "latency.p99"), Verdict::WithinNoise);
        QCOMPARE(verdict(same, "t001", "throughput.requests_per_s"), Verdict::WithinNoise);

        // Significant but inside the tolerance: +3 % with CI [+2.6 %, +3.4 %] is within ±5 %...
        const Study tight = study("T", {{"", {{1.00, 10000}, {1.001, 10000}}}});
        const Study tight3 = study("T3", {{"", {{1.03, 10000}, {1.031, 10000}}}});
        RunComparison small({tight, "T"}, {{tight3, "T3"}}, {"latency.p99"});
        QCOMPARE(verdict(small, "t001", "latency.p99"), Verdict::WithinNoise);
        // ... but not within ±2 %.
        small.setTolerance(0.02);
        QCOMPARE(verdict(small, "t001", "latency.p99"), Verdict::Regression);

        // +25 % but noisy: A = {1.0, 1.4}, B = {1.3, 1.7}: half-width 4.30 * 0.283 = 1.22 -> [-97 %, +147 %].
        const Study n1 = study("N1", {{"", {{1.0, 10000}, {1.4, 10000}}}});
        const Study n2 = study("N2", {{"", {{1.3, 10000}, {1.7, 10000}}}});
        QCOMPARE(verdict(RunComparison({n1, "N1"}, {{n2, "N2"}}, {"latency.p99"}), "t001", "latency.p99"), Verdict::WithinNoise);
    }

    void singleSampleIsNotJudged()
    {
        const Study a = study("A", {{"", {{1.00, 10000}}}});
        const Study b = study("B", {{"", {{2.00, 5000}}}}); // +100 %, but one sample each
        const RunComparison cmp({a, "A"}, {{b, "B"}}, {"latency.p99", "throughput.requests_per_s", "latency.count"});
        QCOMPARE(verdict(cmp, "t001", "latency.p99"), Verdict::SingleSample);
        QCOMPARE(verdict(cmp, "t001", "throughput.requests_per_s"), Verdict::SingleSample);
        QCOMPARE(verdict(cmp, "t001", "latency.count"), Verdict::Count);
        QCOMPARE(verdictName(Verdict::SingleSample), QStringLiteral("single sample"));
        QVERIFY(!cmp.hasRegression());
        QCOMPARE(row(cmp, "t001", "latency.p99")->cells.first().diff.relative(), 1.0); // shown all the same
    }

    void trialsMatchedBySweptValuesNeverSummed()
    {
        // Baseline: concurrency 1 and 4 (2 repetitions); candidate: 4, 1 and 8 in another order.
        const Study a = study("A", {{"1", {{0.5, 1000}, {0.5, 1010}}}, {"4", {{1.0, 4000}, {1.0, 4040}}}});
        const Study b = study("B", {{"4", {{1.0, 4020}, {1.0, 4000}}}, {"1", {{0.5, 1005}, {0.5, 1000}}}, {"8", {{2.0, 7000}, {2.0, 7100}}}});
        const RunComparison cmp({a, "A"}, {{b, "B"}}, {"throughput.requests_per_s"});
        QCOMPARE(cmp.rows().size(), 2); // one per baseline combination
        const ComparisonRow *c1 = row(cmp, "concurrency=1", "throughput.requests_per_s");
        const ComparisonRow *c4 = row(cmp, "concurrency=4", "throughput.requests_per_s");
        QVERIFY(c1 && c4);
        QCOMPARE(c1->baseline.mean, 1005.0);
        QCOMPARE(c1->cells.first().value.mean, 1002.5); // the candidate's concurrency=1, not a sum over its trials
        QCOMPARE(c4->cells.first().value.mean, 4010.0);
        QCOMPARE(c1->baselineTrialIds, (QStringList{"t001-r1", "t001-r2"}));
        QCOMPARE(c1->cells.first().verdict, Verdict::WithinNoise);
        QCOMPARE(cmp.unmatched(), QStringList{"B: concurrency=8 (not in the baseline A)"});
    }

    void twoTrialsOfOneRun()
    {
        const Study run = study("R", {{"1", {{0.5, 1000}, {0.52, 1010}}}, {"4", {{1.0, 4000}, {1.02, 4040}}}});
        QString error;
        const auto first = selectTrials(run, {"t001"}, &error);
        const auto second = selectTrials(run, {"t002"}, &error);
        QVERIFY2(first && second, qPrintable(error));
        QCOMPARE(first->trials().size(), 2); // t001-r1, t001-r2
        const RunComparison cmp({*first, "R/t001"}, {{*second, "R/t002"}}, {"latency.p99"});
        QCOMPARE(cmp.rows().size(), 1);
        const ComparisonRow &r = cmp.rows().first();
        QCOMPARE(r.trials, QStringLiteral("concurrency=1"));
        QCOMPARE(r.cells.first().trials, QStringLiteral("concurrency=4"));
        QCOMPARE(r.cells.first().verdict, Verdict::Regression); // p99 doubles, 2 samples each
        QVERIFY(!selectTrials(run, {"t009"}, &error));
        QCOMPARE(error, QStringLiteral("run R has no trial t009"));
    }

    void errorsFromZero()
    {
        const Study a = study("A", {{"", {{1.0, 10000, 0}, {1.0, 10000, 0}}}});
        const Study b = study("B", {{"", {{1.0, 10000, 5}, {1.0, 10000, 7}}}});
        // A zero baseline: the absolute interval 6 ± 12.7 includes 0 -> within noise;
        // with 5 and 5 it is exact (no spread) and above 0 -> a regression.
        const RunComparison noisy({a, "A"}, {{b, "B"}}, {"requests.errors", "error_rate"});
        QCOMPARE(verdict(noisy, "t001", "requests.errors"), Verdict::WithinNoise);
        const Study c = study("C", {{"", {{1.0, 10000, 5}, {1.0, 10000, 5}}}});
        const RunComparison exact({a, "A"}, {{c, "C"}}, {"requests.errors", "error_rate"});
        QCOMPARE(verdict(exact, "t001", "requests.errors"), Verdict::Regression);
        QCOMPARE(verdict(exact, "t001", "error_rate"), Verdict::Regression);
        QCOMPARE(verdict(RunComparison({a, "A"}, {{a, "A"}}, {"error_rate"}), "t001", "error_rate"), Verdict::WithinNoise);
    }

    void metricPatterns()
    {
        const Study a = study("A", {{"", {{1.0, 10000}}}});
        const RunComparison cmp({a, "A"}, {{a, "A"}}, {"latency.p5*", "nonsense", "throughput.requests_per_s"});
        QCOMPARE(cmp.metrics(), (QStringList{"latency.p50", "throughput.requests_per_s"}));
        QCOMPARE(cmp.unknownMetrics(), QStringList{"nonsense"});
        // Default: the baseline's main metrics.
        const RunComparison main({a, "A"}, {{a, "A"}});
        QCOMPARE(main.metrics(), a.mainMetrics());
    }

    void tableCellsCarryUnits()
    {
        const Study a = study("A", {{"4", {{1.00, 2964000}, {1.02, 2964100}}}});
        const Study b = study("B", {{"4", {{1.20, 293600}, {1.22, 293700}}}});
        RunComparisonModel model;
        model.setComparison(RunComparison({a, "A"}, {{b, "B"}}, {"throughput.requests_per_s", "latency.p99", "latency.count"}));
        QCOMPARE(model.columnCount(), RunComparisonModel::kFixedColumns + RunComparisonModel::kPerCandidate);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.headerData(2, Qt::Horizontal).toString(), QStringLiteral("Baseline: A"));
        const auto text = [&](int r, int c) { return model.data(model.index(r, c)).toString(); };
        QCOMPARE(text(0, 0), QStringLiteral("concurrency=4"));
        QCOMPARE(text(0, 1), QStringLiteral("throughput.requests_per_s"));
        QCOMPARE(text(0, 2), QStringLiteral("2.96 M req/s ± 635 req/s"));
        QCOMPARE(text(0, 3), QStringLiteral("294 k req/s ± 635 req/s"));
        QCOMPARE(text(0, 4), QStringLiteral("-90.1 %"));
        QCOMPARE(text(0, 6), QStringLiteral("regression"));
        QCOMPARE(text(1, 2), QStringLiteral("1.01 ms ± 127 µs"));
        QCOMPARE(text(2, 2), QStringLiteral("30 k"));
        QCOMPARE(text(2, 6), QStringLiteral("count"));
        for (int r = 0; r < model.rowCount(); ++r)
            for (int c = 0; c < model.columnCount(); ++c)
                QVERIFY2(!text(r, c).contains(QLatin1String("e+")), qPrintable(text(r, c)));
        QCOMPARE(model.data(model.index(0, 6), RunComparisonModel::VerdictRole).toInt(), int(Verdict::Regression));
    }
};

QTEST_GUILESS_MAIN(TestRunComparison)
#include "tst_runcomparison.moc"
