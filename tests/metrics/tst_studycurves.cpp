// Tests the numbers behind the study charts (core/metrics/LatencyDistribution.h,
// ThroughputLatency.h) and the per-second latency buckets of result documents:
//  - the percentile spectrum holds p50/p90/p99/p99.9/p99.99 exactly, equal to
//    the histogram's percentiles and within bucket precision of the exact
//    sample percentiles of the recorded values;
//  - the CDF is monotone, starts at 0 and ends at 1, and equals the fraction of
//    recorded samples at each bucket edge;
//  - per-second buckets are read from real fbload documents (their counts are
//    the rows' completed requests) and merge exactly as `fbload merge` does;
//  - heatmap cells hold exactly the buckets of their second and latency bin;
//  - throughput–latency points equal the documents' summaries, grouped,
//    ordered by load or throughput, repetitions averaged;
//  - the LLM Pareto points (1 / mean TPOT against output tokens/s) and frontier.
// Documents in tests/metrics/data/study were written by the real fbload (see
// its README).
#include "metrics/LatencyDistribution.h"
#include "metrics/ResultDocument.h"
#include "metrics/Study.h"
#include "metrics/ThroughputLatency.h"

#include <QDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

using namespace fb::metrics;

namespace {
ResultDocument load(const QString &path)
{
    QString err;
    auto d = ResultDocument::load(QStringLiteral(FB_SOURCE_DIR "/tests/metrics/data/") + path, &err);
    if (!d)
        qFatal("%s", qPrintable(err));
    return *d;
}

TrialResult redisTrial(int concurrency, int pipeline)
{
    TrialResult t;
    t.document = load(QStringLiteral("study/redis-c%1-p%2.json").arg(concurrency).arg(pipeline));
    t.label = QStringLiteral("concurrency=%1, pipeline=%2").arg(concurrency).arg(pipeline);
    t.group = QStringLiteral("pipeline=%1").arg(pipeline);
    t.load = concurrency;
    return t;
}

QList<TrialResult> llmTrials()
{
    QList<TrialResult> out;
    for (int c : {1, 4, 16, 64, 128, 256, 512}) {
        TrialResult t;
        t.document = load(QStringLiteral("study/llm-c%1.json").arg(c));
        t.label = QStringLiteral("concurrency=%1").arg(c);
        t.load = c;
        out.append(t);
    }
    return out;
}

// The exact p-th percentile of raw samples: the sample of rank ceil(p/100 * n).
double exactPercentile(QList<qint64> sorted, double p)
{
    const auto rank = std::clamp<qsizetype>(qsizetype(std::ceil(p / 100.0 * double(sorted.size()))), 1, sorted.size());
    return double(sorted[rank - 1]);
}
} // namespace

class TestStudyCurves : public QObject
{
    Q_OBJECT
private slots:
    void spectrumEqualsHistogramPercentiles()
    {
        // 200,000 latencies in µs: a log-normal body around 300 µs and a 1 % tail near 20 ms.
        std::mt19937_64 rng(42);
        std::lognormal_distribution<double> body(std::log(300.0), 0.4), tail(std::log(20000.0), 0.3);
        std::uniform_real_distribution<double> u(0, 1);
        LogLinearHistogram h(3, 3'600'000'000);
        QList<qint64> samples;
        for (int i = 0; i < 200'000; ++i) {
            const auto v = qint64(std::llround(u(rng) < 0.01 ? tail(rng) : body(rng)));
            h.record(v);
            samples.append(v);
        }
        std::sort(samples.begin(), samples.end());

        const QList<QPointF> spec = percentileSpectrum(h, 4, 25);
        QCOMPARE(spec.first().x(), 0.0);
        QCOMPARE(spec.first().y(), double(h.min()));
        QVERIFY(std::abs(spec.last().x() - 99.99) < 1e-9);
        for (qsizetype i = 1; i < spec.size(); ++i) {
            QVERIFY(spec[i].x() > spec[i - 1].x());  // ascending percentiles
            QVERIFY(spec[i].y() >= spec[i - 1].y()); // a spectrum never falls
        }
        for (double p : {50.0, 90.0, 99.0, 99.9, 99.99}) {
            const auto it = std::find_if(spec.cbegin(), spec.cend(), [&](const QPointF &q) { return q.x() == p; });
            QVERIFY2(it != spec.cend(), qPrintable(percentileLabel(p) + QStringLiteral(" missing")));
            QCOMPARE(it->y(), h.percentile(p));
            // ... and that is the true sample percentile to the histogram's precision (3 digits: 1/1024).
            const double exact = exactPercentile(samples, p);
            QVERIFY2(std::abs(it->y() - exact) <= exact / 1024.0 + 0.5,
                     qPrintable(QStringLiteral("%1: %2 vs exact %3").arg(percentileLabel(p)).arg(it->y()).arg(exact)));
        }
        // The axis: p90 at 1, p99 at 2, p99.9 at 3; labels as the axis shows them.
        QCOMPARE(percentileAxisPosition(90), 1.0);
        QVERIFY(std::abs(percentileAxisPosition(99.9) - 3.0) < 1e-9);
        QVERIFY(std::abs(percentileFromAxisPosition(percentileAxisPosition(99.99)) - 99.99) < 1e-9);
        QCOMPARE(percentileLabel(99.99), QStringLiteral("p99.99"));
        QCOMPARE(percentileLabel(50), QStringLiteral("p50"));
        QCOMPARE(namedPercentiles(4), (QList<double>{50, 90, 99, 99.9, 99.99}));
        QVERIFY(percentileSpectrum(LogLinearHistogram()).isEmpty());
    }

    void cdfMonotoneEndsAtOne()
    {
        const ResultDocument r1 = load(QStringLiteral("results/r1.json"));
        const LogLinearHistogram &h = r1.histograms[QStringLiteral("latency")];
        const QList<QPointF> c = cdf(h);
        QVERIFY(c.size() > 10);
        QCOMPARE(c.first(), QPointF(double(h.min()), 0.0));
        QCOMPARE(c.last().y(), 1.0);
        QCOMPARE(c.last().x(), double(h.max()));
        for (qsizetype i = 1; i < c.size(); ++i) {
            QVERIFY(c[i].x() >= c[i - 1].x());
            QVERIFY(c[i].y() >= c[i - 1].y());
        }
        // At each bucket's highest value the CDF is the fraction of samples in
        // that bucket or below, counted here from the buckets directly.
        const QList<HistogramBin> bins = h.bins();
        quint64 seen = 0;
        for (qsizetype i = 0; i < bins.size(); ++i) {
            seen += bins[i].count;
            QCOMPARE(c[i + 1].y(), i + 1 == bins.size() ? 1.0 : double(seen) / double(h.count()));
        }
        QCOMPARE(seen, h.count());
    }

    void rowBucketsFromFbload()
    {
        const ResultDocument r1 = load(QStringLiteral("results/r1.json"));
        const TimeSeriesTable &ts = r1.timeseries;
        QCOMPARE(ts.latencyBuckets.size(), ts.t.size());
        const QList<double> completed = ts.columns.value(QStringLiteral("completed"));
        for (qsizetype i = 0; i < ts.t.size(); ++i) {
            QCOMPARE(ts.latencyBuckets[i].significantDigits(), 2); // timeseries.latency_histogram
            QCOMPARE(double(ts.latencyBuckets[i].count()), completed[i]);
        }
        // The app's merge of two documents has exactly the buckets of fbload's own merge.
        QString err;
        const auto merged = ResultDocument::merge({r1, load(QStringLiteral("results/r2.json"))}, &err);
        QVERIFY2(merged, qPrintable(err));
        const ResultDocument ref = load(QStringLiteral("results/merged-r1-r2.json"));
        QCOMPARE(merged->timeseries.latencyBuckets.size(), ref.timeseries.latencyBuckets.size());
        for (qsizetype i = 0; i < ref.timeseries.latencyBuckets.size(); ++i) {
            const QList<HistogramBin> a = merged->timeseries.latencyBuckets[i].bins(), b = ref.timeseries.latencyBuckets[i].bins();
            QCOMPARE(a.size(), b.size());
            for (qsizetype k = 0; k < a.size(); ++k) {
                QCOMPARE(a[k].low, b[k].low);
                QCOMPARE(a[k].count, b[k].count);
            }
        }
        // A malformed bucket names its row.
        const QByteArray bad = R"({"schema":"factorybench.result","schema_version":1,"run":{},"summary":{},
            "timeseries":{"rows":[{"time":1,"completed":1,"latency_buckets":[[5,1]]},{"time":2,"latency_buckets":[[7]]}]}})";
        QVERIFY(!ResultDocument::fromJson(bad, QStringLiteral("bad.json"), &err));
        QVERIFY2(err.contains(QLatin1String("timeseries.rows[1].latency_buckets")), qPrintable(err));
    }

    void heatmapCellsEqualBuckets()
    {
        // Three seconds, one bin per decade: edges 10, 100, 1000, 10000 µs.
        TimeSeriesTable ts;
        ts.t = {0, 1, 2};
        LogLinearHistogram a(2, 3'600'000'000), b(2, 3'600'000'000), c(2, 3'600'000'000);
        a.record(20, 3);
        a.record(50, 4);     // [10, 100): 7
        a.record(150, 2);    // [100, 1000): 2
        b.record(99, 1);     // [10, 100)
        b.record(100, 5);    // [100, 1000)
        c.record(5000, 9);   // [1000, 10000)
        ts.latencyBuckets = {a, b, c};
        const LatencyHeatmap m = latencyHeatmap(ts, 1);
        QCOMPARE(m.edges, (QList<double>{10, 100, 1000, 10000}));
        QCOMPARE(m.columns(), 3);
        QCOMPARE(m.counts[0], (QList<quint64>{7, 2, 0}));
        QCOMPARE(m.counts[1], (QList<quint64>{1, 5, 0}));
        QCOMPARE(m.counts[2], (QList<quint64>{0, 0, 9}));
        QCOMPARE(m.maxCount, quint64(9));
        QCOMPARE(m.total, quint64(24));

        // A real 20 s open-loop trial, 10 bins per decade: every bucket lands
        // in the bin holding its lowest value, every second keeps its count.
        const ResultDocument d = load(QStringLiteral("study/redis-heatmap.json"));
        const LatencyHeatmap h = latencyHeatmap(d.timeseries, 10);
        QCOMPARE(h.columns(), int(d.timeseries.t.size()));
        QVERIFY(h.columns() >= 20);
        quint64 total = 0;
        for (int col = 0; col < h.columns(); ++col) {
            QList<quint64> expect(h.bins(), 0);
            for (const HistogramBin &bin : d.timeseries.latencyBuckets[col].bins()) {
                const int k = int(std::floor(std::log10(double(bin.low)) * 10 + 1e-9));
                const int index = k - int(std::llround(std::log10(h.edges.first()) * 10));
                QVERIFY(index >= 0 && index < h.bins());
                expect[index] += bin.count;
            }
            QCOMPARE(h.counts[col], expect);
            total += d.timeseries.latencyBuckets[col].count();
        }
        QCOMPARE(h.total, total);
        // Every request completed in a second (warm-up included) is in that second's column.
        const QList<double> completed = d.timeseries.columns.value(QStringLiteral("completed"));
        QCOMPARE(double(total), std::accumulate(completed.cbegin(), completed.cend(), 0.0));
    }

    void throughputLatencyPointsEqualSummaries()
    {
        QList<TrialResult> trials;
        for (int p : {1, 16})
            for (int c : {64, 1, 16, 4}) // out of order on purpose
                trials.append(redisTrial(c, p));
        CurveSpec spec;
        spec.stats = {QStringLiteral("p50"), QStringLiteral("p99"), QStringLiteral("p999")};
        const QList<Curve> curves = throughputLatencyCurves(trials, &spec);
        QCOMPARE(spec.throughput.key, QStringLiteral("requests_per_s")); // redis: requests/s
        QCOMPARE(spec.throughput.unit, fb::units::Unit::PerSecond);
        QCOMPARE(curves.size(), 2);
        QCOMPARE(curves[0].group, QStringLiteral("pipeline=1"));
        for (const Curve &cv : curves) {
            QCOMPARE(cv.points.size(), 4);
            QList<double> loads;
            for (const CurvePoint &pt : cv.points) {
                loads.append(pt.load);
                const auto t = std::find_if(trials.cbegin(), trials.cend(), [&](const TrialResult &x) { return x.label == pt.label; });
                const ResultDocument &d = t->document;
                QCOMPARE(pt.throughput, d.throughput[QStringLiteral("requests_per_s")]);
                const MetricSummary &m = d.metrics[QStringLiteral("latency")];
                QCOMPARE(pt.latency[0], m.p50 * 1e-3); // ms in the file, seconds here
                QCOMPARE(pt.latency[1], m.p99 * 1e-3);
                QCOMPARE(pt.latency[2], m.p999 * 1e-3);
                QCOMPARE(pt.latencyAsWritten[1], m.p99);
            }
            QCOMPARE(loads, (QList<double>{1, 4, 16, 64})); // joined in load order
        }
        // p99.99 is not in the summary: from the histogram, exactly.
        CurveSpec tail;
        tail.stats = {QStringLiteral("p9999"), QStringLiteral("p75"), QStringLiteral("p99")};
        for (const Curve &cv : throughputLatencyCurves(trials, &tail))
            for (const CurvePoint &pt : cv.points) {
                const auto t = std::find_if(trials.cbegin(), trials.cend(), [&](const TrialResult &x) { return x.label == pt.label; });
                const LogLinearHistogram &h = t->document.histograms[QStringLiteral("latency")];
                QCOMPARE(pt.latency[0], h.percentile(99.99) * 1e-6 / 1e-3 * 1e-3);
                QCOMPARE(pt.latencyAsWritten[0], h.percentile(99.99) * 1e-6 / 1e-3);
                QCOMPARE(pt.latency[1], h.percentile(75) * 1e-6 / 1e-3 * 1e-3);
                QCOMPARE(pt.latency[2], t->document.metrics[QStringLiteral("latency")].p99 * 1e-3); // the summary wins
            }
        // Without loads the points go by throughput.
        for (TrialResult &t : trials)
            t.load = std::nan("");
        spec.order = CurveSpec::Order::Auto;
        for (const Curve &cv : throughputLatencyCurves(trials, &spec))
            for (qsizetype i = 1; i < cv.points.size(); ++i)
                QVERIFY(cv.points[i].throughput >= cv.points[i - 1].throughput);
        // Repetitions (same label) are averaged, not summed.
        TrialResult rep = redisTrial(4, 1), rep2 = redisTrial(16, 1);
        rep2.label = rep.label;
        rep2.load = rep.load;
        const QList<Curve> avg = throughputLatencyCurves({rep, rep2}, &spec);
        QCOMPARE(avg.size(), 1);
        QCOMPARE(avg[0].points.size(), 1);
        QCOMPARE(avg[0].points[0].repetitions, 2);
        QCOMPARE(avg[0].points[0].throughput,
                 (rep.document.throughput[QStringLiteral("requests_per_s")] + rep2.document.throughput[QStringLiteral("requests_per_s")]) / 2);
        QCOMPARE(latencyMetrics(trials).first(), QStringLiteral("latency"));
        QVERIFY(latencyMetrics(trials).contains(QStringLiteral("latency.get")));
    }

    void measuresPerWorkload()
    {
        QCOMPARE(throughputMeasures({redisTrial(4, 1)}).first().key, QStringLiteral("requests_per_s"));
        const QList<ThroughputMeasure> llm = throughputMeasures(llmTrials());
        QCOMPARE(llm.first().key, QStringLiteral("output_tokens_per_s"));
        QCOMPARE(llm.first().unit, fb::units::Unit::TokensPerSecond);
        // Storage (fbload's file workload): IOPS, then bytes/s.
        QString err;
        const auto file = ResultDocument::fromJson(R"({"schema":"factorybench.result","schema_version":1,
            "run":{"workload":"file"},"summary":{"throughput":{"requests_per_s":5000,"bytes_per_s":20480000},
            "metrics":{"latency":{"unit":"ms","count":10,"mean":0.2,"p50":0.2,"p99":0.9}}}})",
                                                   QStringLiteral("file.json"), &err);
        QVERIFY2(file, qPrintable(err));
        TrialResult ft;
        ft.document = *file;
        const QList<ThroughputMeasure> fm = throughputMeasures({ft});
        QCOMPARE(fm.size(), 2);
        QCOMPARE(fm[0].unit, fb::units::Unit::OpsPerSecond);
        QCOMPARE(fm[1].key, QStringLiteral("bytes_per_s"));
        QCOMPARE(fm[1].unit, fb::units::Unit::BytesPerSecond);
        CurveSpec spec;
        spec.throughput = fm[1];
        const QList<Curve> cv = throughputLatencyCurves({ft}, &spec);
        QCOMPARE(cv[0].points[0].throughput, 20480000.0);
        QCOMPARE(cv[0].points[0].latency[1], 0.9e-3);
    }

    void tokenParetoFromLlmResults()
    {
        const QList<TrialResult> trials = llmTrials();
        QVERIFY(hasTokenThroughput(trials));
        QVERIFY(!hasTokenThroughput({redisTrial(4, 1)}));
        const QList<ParetoPoint> pts = tokenPareto(trials);
        QCOMPARE(pts.size(), trials.size());
        for (const ParetoPoint &p : pts) {
            const auto t = std::find_if(trials.cbegin(), trials.cend(), [&](const TrialResult &x) { return x.label == p.label; });
            const ResultDocument &d = t->document;
            QCOMPARE(p.total, d.throughput[QStringLiteral("output_tokens_per_s")]);
            QCOMPARE(p.perUser, 1.0 / (d.metrics[QStringLiteral("tpot")].mean * 1e-3));
            // Frontier: no other trial at least as good on both and better on one.
            bool dominated = false;
            for (const ParetoPoint &q : pts)
                dominated = dominated || (q.perUser >= p.perUser && q.total >= p.total && (q.perUser > p.perUser || q.total > p.total));
            QCOMPARE(p.frontier, !dominated);
        }
        for (qsizetype i = 1; i < pts.size(); ++i)
            QVERIFY(pts[i].total >= pts[i - 1].total);
        // The highest total and the highest per-user speed are on the frontier.
        const auto byTotal = std::max_element(pts.cbegin(), pts.cend(), [](const ParetoPoint &x, const ParetoPoint &y) { return x.total < y.total; });
        const auto byUser = std::max_element(pts.cbegin(), pts.cend(), [](const ParetoPoint &x, const ParetoPoint &y) { return x.perUser < y.perUser; });
        QVERIFY(byTotal->frontier && byUser->frontier);
        // A trial as fast per user as c=4 but with half its total is dominated.
        QList<TrialResult> more = trials;
        TrialResult worse = trials[1];
        worse.label = QStringLiteral("worse");
        worse.document.throughput[QStringLiteral("output_tokens_per_s")] /= 2;
        more.append(worse);
        const QList<ParetoPoint> with = tokenPareto(more);
        const auto w = std::find_if(with.cbegin(), with.cend(), [](const ParetoPoint &p) { return p.label == QLatin1String("worse"); });
        QVERIFY(!w->frontier);
        // Without a TPOT metric: output tokens/s of all users / concurrency.
        TrialResult noTpot = trials[2];
        noTpot.document.metrics.remove(QStringLiteral("tpot"));
        const QList<ParetoPoint> nt = tokenPareto({noTpot});
        QCOMPARE(nt[0].perUser, noTpot.document.throughput[QStringLiteral("output_tokens_per_s")] / 16.0);
    }

    void trialsFromStudy()
    {
        QList<StudyTrial> st;
        int index = 0;
        for (int p : {1, 16})
            for (int c : {1, 4}) {
                StudyTrial t;
                t.id = QStringLiteral("t%1").arg(++index);
                t.index = index * 1000;
                t.state = QStringLiteral("completed");
                t.parameters = {{QStringLiteral("clients[0].load.concurrency"), QString::number(c)},
                                {QStringLiteral("clients[0].params.pipeline"), QString::number(p)}};
                t.result = redisTrial(c, p).document;
                st.append(t);
            }
        st[3].result.reset(); // a failed trial has no point
        const Study study(QStringLiteral("run1"), QStringLiteral("redis sweep"), st);
        QCOMPARE(defaultLoadParameter(study), QStringLiteral("clients[0].load.concurrency"));
        const QList<TrialResult> trials = trialResults(study);
        QCOMPARE(trials.size(), 3);
        QCOMPARE(trials[0].load, 1.0);
        QCOMPARE(trials[0].group, QStringLiteral("pipeline=1"));
        QCOMPARE(trials[2].group, QStringLiteral("pipeline=16"));
        QCOMPARE(trials[1].label, study.trialLabel(st[1]));
        // Ordered by pipeline instead: the group is the concurrency.
        const QList<TrialResult> byPipeline = trialResults(study, QStringLiteral("pipeline"));
        QCOMPARE(byPipeline[0].group, QStringLiteral("concurrency=1"));
        QCOMPARE(byPipeline[2].load, 16.0);
    }
};

QTEST_GUILESS_MAIN(TestStudyCurves)
#include "tst_studycurves.moc"
