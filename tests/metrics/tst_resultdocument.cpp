// Tests fb::metrics::ResultDocument and LogLinearHistogram on
// result documents written by the real fbload (tests/metrics/data/results,
// see its README): loading, the percentile rule against fbload's own numbers,
// merging against fbload's own merge, derived series and tables,
// and errors that name the file and the field path.
#include "metrics/ResultDocument.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>

using namespace fb::metrics;

namespace {
QString dataPath(const QString &name)
{
    return QStringLiteral(FB_TEST_SOURCE_DIR "/data/results/") + name;
}

QByteArray raw(const QString &name)
{
    QFile f(dataPath(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot open %s", qPrintable(f.fileName()));
    return f.readAll();
}

ResultDocument load(const QString &name)
{
    QString err;
    auto d = ResultDocument::load(dataPath(name), &err);
    if (!d)
        qFatal("%s", qPrintable(err));
    return *d;
}

// As fbload rounds (core/clients/src/result.cpp), values scaled by * 1e-3 first.
double round3(double v) { return std::round(v * 1000.0) / 1000.0; }
} // namespace

class TestResultDocument : public QObject
{
    Q_OBJECT
private slots:
    void loadsFbloadResult()
    {
        const ResultDocument d = load(QStringLiteral("r1.json"));
        const QJsonObject j = QJsonDocument::fromJson(raw(QStringLiteral("r1.json"))).object();
        QCOMPARE(d.schemaVersion, 1);
        QCOMPARE(d.workload(), QStringLiteral("redis"));
        QCOMPARE(d.label(), QStringLiteral("r1"));
        QCOMPARE(d.sources, QStringList{dataPath(QStringLiteral("r1.json"))});

        const QJsonObject lat = j[QLatin1String("summary")][QLatin1String("metrics")][QLatin1String("latency")].toObject();
        QVERIFY(d.metrics.contains(QStringLiteral("latency")));
        const MetricSummary &m = d.metrics[QStringLiteral("latency")];
        QCOMPARE(m.unit, QStringLiteral("ms"));
        QCOMPARE(m.count, lat[QLatin1String("count")].toDouble());
        QCOMPARE(m.p99, lat[QLatin1String("p99")].toDouble());
        QCOMPARE(m.p999, lat[QLatin1String("p999")].toDouble());
        QCOMPARE(m.value(QStringLiteral("p50")), lat[QLatin1String("p50")].toDouble());
        QVERIFY(std::isnan(m.value(QStringLiteral("p12"))));
        QVERIFY(d.metrics.contains(QStringLiteral("latency.get")));
        QVERIFY(d.metrics.contains(QStringLiteral("service_time")));

        QCOMPARE(d.throughput.value(QStringLiteral("requests_per_s")),
                 j[QLatin1String("summary")][QLatin1String("throughput")][QLatin1String("requests_per_s")].toDouble());
        QVERIFY(d.errors.contains(QStringLiteral("timeout")));
        // Count blocks become dotted scalars.
        QCOMPARE(d.scalars.value(QStringLiteral("requests.completed")), m.count);
        QVERIFY(d.scalars.value(QStringLiteral("ops.get.completed")) > 0);
        QCOMPARE(d.scalars.value(QStringLiteral("ops.get.completed")) + d.scalars.value(QStringLiteral("ops.set.completed")),
                 m.count);

        // Time series: one row per second, t relative to the start of
        // measurement (warm-up rows negative), the absolute origin kept.
        const QJsonArray rows = j[QLatin1String("timeseries")][QLatin1String("rows")].toArray();
        QCOMPARE(d.timeseries.t.size(), rows.size());
        QCOMPARE(d.timeseries.startUnixSeconds, j[QLatin1String("run")][QLatin1String("measure_start_unix")].toDouble());
        QVERIFY(d.timeseries.t.first() < 0); // 1 s of warm-up
        QVERIFY(!d.timeseries.columns.contains(QStringLiteral("t")));
        QVERIFY(!d.timeseries.columns.contains(QStringLiteral("phase"))); // strings are not columns
        for (qsizetype i = 1; i < d.timeseries.t.size(); ++i)
            QCOMPARE(d.timeseries.t[i] - d.timeseries.t[i - 1], 1.0);
        double completed = 0;
        for (const QJsonValue &r : rows)
            completed += r[QLatin1String("completed")].toDouble();
        double fromSeries = 0;
        const QList<QPointF> s = d.timeseries.series(QStringLiteral("completed"));
        QCOMPARE(s.size(), rows.size());
        for (const QPointF &p : s)
            fromSeries += p.y();
        QCOMPARE(fromSeries, completed);
        QVERIFY(d.timeseries.series(QStringLiteral("no_such_column")).isEmpty());

        const QMap<QString, double> flat = d.flatValues();
        QCOMPARE(flat.value(QStringLiteral("latency.p99")), m.p99);
        QCOMPARE(flat.value(QStringLiteral("throughput.requests_per_s")), d.throughput.value(QStringLiteral("requests_per_s")));
        QVERIFY(flat.contains(QStringLiteral("errors.timeout")));
        QVERIFY(flat.contains(QStringLiteral("requests.completed")));
    }

    void histogramMatchesFbloadPercentiles_data()
    {
        QTest::addColumn<QString>("file");
        for (const char *f : {"r1.json", "r2.json", "r3-c16.json", "merged-r1-r2.json"})
            QTest::newRow(f) << QString::fromLatin1(f);
    }

    void histogramMatchesFbloadPercentiles()
    {
        // The app recomputes percentiles from the histogram (for merges and
        // plots); they must equal what fbload printed, to fbload's rounding.
        QFETCH(QString, file);
        const ResultDocument d = load(file);
        QVERIFY(!d.histograms.isEmpty());
        for (auto it = d.histograms.cbegin(); it != d.histograms.cend(); ++it) {
            const MetricSummary &s = d.metrics.value(it.key());
            const LogLinearHistogram &h = it.value();
            QCOMPARE(double(h.count()), s.count);
            const struct { double p; double expected; } cases[] = {
                {50, s.p50}, {90, s.p90}, {95, s.p95}, {99, s.p99}, {99.9, s.p999}};
            for (const auto &c : cases)
                QVERIFY2(round3(h.percentile(c.p) * 1e-3) == c.expected,
                         qPrintable(QStringLiteral("%1 p%2: %3 vs fbload %4").arg(it.key()).arg(c.p)
                                        .arg(h.percentile(c.p) * 1e-3).arg(c.expected)));
            QCOMPARE(round3(h.mean() * 1e-3), s.mean);
            QCOMPARE(round3(double(h.min()) * 1e-3), s.min);
            QCOMPARE(round3(double(h.max()) * 1e-3), s.max);
            // Derived plot data is consistent with the histogram.
            const QList<QPointF> cdf = h.cdf();
            QVERIFY(!cdf.isEmpty());
            QCOMPARE(cdf.last().y(), 1.0);
            for (qsizetype i = 1; i < cdf.size(); ++i)
                QVERIFY(cdf[i].x() >= cdf[i - 1].x() && cdf[i].y() >= cdf[i - 1].y());
            const QList<QPointF> spec = h.percentileSpectrum(4, 10);
            QCOMPARE(spec.size(), 41);
            QCOMPARE(spec.first().x(), 0.0);
            QVERIFY(std::abs(spec.last().x() - 99.99) < 1e-9);
            for (qsizetype i = 1; i < spec.size(); ++i)
                QVERIFY(spec[i].y() >= spec[i - 1].y());
            quint64 binned = 0;
            for (const HistogramBin &b : h.bins())
                binned += b.count;
            QCOMPARE(binned, h.count());
        }
    }

    void mergeMatchesFbloadMerge()
    {
        QString err;
        const auto m = ResultDocument::merge({load(QStringLiteral("r1.json")), load(QStringLiteral("r2.json"))}, &err);
        QVERIFY2(m, qPrintable(err));
        const ResultDocument ref = load(QStringLiteral("merged-r1-r2.json"));
        for (const QString &metric : {QStringLiteral("latency"), QStringLiteral("latency.get"), QStringLiteral("latency.set")}) {
            const MetricSummary &a = m->metrics[metric];
            const MetricSummary &b = ref.metrics[metric];
            QVERIFY(a.exact);
            QCOMPARE(a.count, b.count);
            for (const char *st : {"p50", "p90", "p95", "p99", "p999", "min", "max", "mean"})
                QVERIFY2(round3(a.value(QLatin1String(st))) == b.value(QLatin1String(st)),
                         qPrintable(metric + QLatin1Char('.') + QLatin1String(st)));
        }
        QCOMPARE(m->sources.size(), 2);
        QCOMPARE(m->run.value(QLatin1String("merged_from")).toArray().size(), 2);
        const ResultDocument r1 = load(QStringLiteral("r1.json"));
        const ResultDocument r2 = load(QStringLiteral("r2.json"));
        QCOMPARE(m->scalars.value(QStringLiteral("requests.completed")),
                 r1.scalars.value(QStringLiteral("requests.completed")) + r2.scalars.value(QStringLiteral("requests.completed")));
        QCOMPARE(m->throughput.value(QStringLiteral("requests_per_s")),
                 r1.throughput.value(QStringLiteral("requests_per_s")) + r2.throughput.value(QStringLiteral("requests_per_s")));

        // Time series on one absolute axis: counters add, maxima take the max.
        auto total = [](const ResultDocument &d, const QString &c) {
            double s = 0;
            for (const QPointF &p : d.timeseries.series(c))
                s += p.y();
            return s;
        };
        QCOMPARE(total(*m, QStringLiteral("completed")),
                 total(r1, QStringLiteral("completed")) + total(r2, QStringLiteral("completed")));
        double maxAll = 0;
        for (const ResultDocument *d : {&r1, &r2})
            for (const QPointF &p : d->timeseries.series(QStringLiteral("latency_max_ms")))
                maxAll = std::max(maxAll, p.y());
        double maxMerged = 0;
        for (const QPointF &p : m->timeseries.series(QStringLiteral("latency_max_ms")))
            maxMerged = std::max(maxMerged, p.y());
        QCOMPARE(maxMerged, maxAll);
        QCOMPARE(m->timeseries.startUnixSeconds, std::min(r1.timeseries.startUnixSeconds + r1.timeseries.t.first(),
                                                          r2.timeseries.startUnixSeconds + r2.timeseries.t.first()));
    }

    void mergeWithoutHistogramsIsMarkedInexact()
    {
        ResultDocument a = load(QStringLiteral("r1.json"));
        ResultDocument b = load(QStringLiteral("r3-c16.json"));
        a.histograms.clear();
        b.histograms.clear();
        QString err;
        const auto m = ResultDocument::merge({a, b}, &err);
        QVERIFY2(m, qPrintable(err));
        const MetricSummary &s = m->metrics[QStringLiteral("latency")];
        QVERIFY(!s.exact);
        QCOMPARE(s.count, a.metrics[QStringLiteral("latency")].count + b.metrics[QStringLiteral("latency")].count);
        QCOMPARE(s.max, std::max(a.metrics[QStringLiteral("latency")].max, b.metrics[QStringLiteral("latency")].max));

        QVERIFY(!ResultDocument::merge({}, &err));
        QCOMPARE(err, QStringLiteral("nothing to merge"));
    }

    // run.generator (fbload's generator health): a merge is limited when any part was.
    void generatorLimitedSurvivesMerge()
    {
        ResultDocument ok = load(QStringLiteral("r1.json"));
        ResultDocument limited = load(QStringLiteral("r3-c16.json"));
        QVERIFY(ok.generatorLimitedReason().isEmpty()); // written before run.generator existed
        ok.run.insert(QStringLiteral("generator"), QJsonObject{{QStringLiteral("generator_limited"), false}});
        limited.run.insert(QStringLiteral("generator"), QJsonObject{{QStringLiteral("generator_limited"), true},
                                                                    {QStringLiteral("reason"), QStringLiteral("3.2 % of sends were over 1 ms late")}});
        QVERIFY(ok.generatorLimitedReason().isEmpty());
        QCOMPARE(limited.generatorLimitedReason(), QStringLiteral("3.2 % of sends were over 1 ms late"));
        QString err;
        auto m = ResultDocument::merge({ok, limited}, &err);
        QVERIFY2(m, qPrintable(err));
        QCOMPARE(m->generatorLimitedReason(), QStringLiteral("r3-c16.json: 3.2 % of sends were over 1 ms late"));
        m = ResultDocument::merge({ok, ok}, &err);
        QVERIFY2(m, qPrintable(err));
        QVERIFY(m->generatorLimitedReason().isEmpty());
    }

    void mergeRejectsDifferentLayouts()
    {
        ResultDocument a = load(QStringLiteral("r1.json"));
        ResultDocument b = load(QStringLiteral("r2.json"));
        b.histograms[QStringLiteral("latency")] = LogLinearHistogram(2, 3'600'000'000);
        b.histograms[QStringLiteral("latency")].record(100);
        QString err;
        QVERIFY(!ResultDocument::merge({a, b}, &err));
        QVERIFY2(err.contains(QLatin1String("histograms.latency")), qPrintable(err));
        QVERIFY2(err.contains(QLatin1String("r2.json")), qPrintable(err));
    }

    void errorsNameThePlace_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        const QByteArray good = raw(QStringLiteral("r1.json"));
        auto patched = [&](auto f) {
            QJsonObject o = QJsonDocument::fromJson(good).object();
            f(o);
            return QJsonDocument(o).toJson();
        };
        QTest::newRow("invalid json") << QByteArray("{\n \"schema\": \"factorybench.result\",\n \"x\": [1,,2]\n}")
                                      << QStringLiteral("doc.json: 3:") ;
        QTest::newRow("not an object") << QByteArray("[1,2]") << QStringLiteral("doc.json: top level is not a JSON object");
        QTest::newRow("wrong schema") << QByteArray("{\"schema\":\"other\"}")
                                      << QStringLiteral("doc.json: schema: expected \"factorybench.result\", got \"other\"");
        QTest::newRow("newer version") << patched([](QJsonObject &o) { o[QStringLiteral("schema_version")] = 2; })
                                       << QStringLiteral("doc.json: schema_version: 2 is not supported");
        QTest::newRow("bad summary stat") << patched([](QJsonObject &o) {
            QJsonObject s = o[QStringLiteral("summary")].toObject();
            QJsonObject m = s[QStringLiteral("metrics")].toObject();
            QJsonObject l = m[QStringLiteral("latency")].toObject();
            l[QStringLiteral("p99")] = QStringLiteral("fast");
            m[QStringLiteral("latency")] = l;
            s[QStringLiteral("metrics")] = m;
            o[QStringLiteral("summary")] = s;
        }) << QStringLiteral("doc.json: summary.metrics.latency.p99: not a number");
        QTest::newRow("bad error count") << patched([](QJsonObject &o) {
            QJsonObject s = o[QStringLiteral("summary")].toObject();
            QJsonObject e = s[QStringLiteral("errors")].toObject();
            e[QStringLiteral("timeout")] = QStringLiteral("none");
            s[QStringLiteral("errors")] = e;
            o[QStringLiteral("summary")] = s;
        }) << QStringLiteral("doc.json: summary.errors.timeout: error count is not a number");
        QTest::newRow("bad row time") << patched([](QJsonObject &o) {
            QJsonObject ts = o[QStringLiteral("timeseries")].toObject();
            QJsonArray rows = ts[QStringLiteral("rows")].toArray();
            QJsonObject r = rows[1].toObject();
            r[QStringLiteral("time")] = QStringLiteral("later");
            rows[1] = r;
            ts[QStringLiteral("rows")] = rows;
            o[QStringLiteral("timeseries")] = ts;
        }) << QStringLiteral("doc.json: timeseries.rows[1].time: not a number");
        QTest::newRow("rows not an array") << patched([](QJsonObject &o) {
            o[QStringLiteral("timeseries")] = QJsonObject{{QStringLiteral("rows"), 3}};
        }) << QStringLiteral("doc.json: timeseries.rows: missing or not an array");
        QTest::newRow("bad bucket") << patched([](QJsonObject &o) {
            QJsonObject hs = o[QStringLiteral("histograms")].toObject();
            QJsonObject h = hs[QStringLiteral("latency")].toObject();
            QJsonArray b = h[QStringLiteral("buckets")].toArray();
            b[3] = QStringLiteral("x");
            h[QStringLiteral("buckets")] = b;
            hs[QStringLiteral("latency")] = h;
            o[QStringLiteral("histograms")] = hs;
        }) << QStringLiteral("doc.json: histograms.latency.buckets[3]");
    }

    void errorsNameThePlace()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        QString err;
        QVERIFY(!ResultDocument::fromJson(json, QStringLiteral("doc.json"), &err));
        QVERIFY2(err.startsWith(expected), qPrintable(err));
    }

    void missingFile()
    {
        QString err;
        QVERIFY(!ResultDocument::load(QStringLiteral("/nonexistent/r.json"), &err));
        QVERIFY2(err.startsWith(QLatin1String("/nonexistent/r.json: ")), qPrintable(err));
    }

    void unknownKeysTolerated()
    {
        QJsonObject o = QJsonDocument::fromJson(raw(QStringLiteral("r1.json"))).object();
        o[QStringLiteral("future_block")] = QJsonObject{{QStringLiteral("x"), 1}};
        QJsonObject s = o[QStringLiteral("summary")].toObject();
        s[QStringLiteral("new_note")] = QStringLiteral("text");
        o[QStringLiteral("summary")] = s;
        QString err;
        const auto d = ResultDocument::fromJson(QJsonDocument(o).toJson(), QStringLiteral("doc.json"), &err);
        QVERIFY2(d, qPrintable(err));
        QCOMPARE(d->metrics.size(), 4);
    }
};

QTEST_GUILESS_MAIN(TestResultDocument)
#include "tst_resultdocument.moc"
