// Tests the study charts offscreen on real fbload results
// (tests/metrics/data/study): the throughput–latency curve and the LLM token
// Pareto plot, the latency distribution (spectrum, CDF) of several trials and
// the latency heatmap of one trial — what they plot equals the documents'
// summaries, histograms and per-second buckets, their axes carry units
// (checked on the chart's axes and in an SVG rendering), their CSV holds the
// values as written in the result files.
//
// With FB_UPDATE_SCREENSHOTS=1 the screenshots docs/screenshots/chart-study-*.png
// are written too.
#include "LatencyDistributionChart.h"
#include "LatencyHeatmapChart.h"
#include "ThroughputLatencyChart.h"

#include "metrics/LatencyDistribution.h"
#include "metrics/ResultDocument.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QImage>
#include <QLayout>
#include <QPainter>
#include <QSvgGenerator>
#include <QTest>
#include <QToolTip>
#include <QtCharts/QCategoryAxis>
#include <QtCharts/QChart>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>

#include <cmath>

using namespace fb::charts;
using namespace fb::metrics;

namespace {
ResultDocument load(const QString &name)
{
    QString err;
    auto d = ResultDocument::load(QStringLiteral(FB_SOURCE_DIR "/tests/metrics/data/study/") + name, &err);
    if (!d)
        qFatal("%s", qPrintable(err));
    return *d;
}

QList<TrialResult> redisTrials()
{
    QList<TrialResult> out;
    for (int p : {1, 16})
        for (int c : {1, 4, 16, 64}) {
            TrialResult t;
            t.document = load(QStringLiteral("redis-c%1-p%2.json").arg(c).arg(p));
            t.label = QStringLiteral("concurrency=%1, pipeline=%2").arg(c).arg(p);
            t.group = QStringLiteral("pipeline=%1").arg(p);
            t.load = c;
            out.append(t);
        }
    return out;
}

QList<TrialResult> llmTrials()
{
    QList<TrialResult> out;
    for (int c : {1, 4, 16, 64, 128, 256, 512}) {
        TrialResult t;
        t.document = load(QStringLiteral("llm-c%1.json").arg(c));
        t.label = QStringLiteral("concurrency=%1").arg(c);
        t.load = c;
        out.append(t);
    }
    return out;
}

// An SVG figure of `w` at `size`: resized, its layout applied, then painted
// (fbctl export shows its widgets with Qt::WA_DontShowOnScreen first).
QString svgOf(ChartWidget &w, QSize size)
{
    w.resize(size);
    w.layout()->activate();
    QBuffer buf;
    buf.open(QIODevice::WriteOnly);
    QSvgGenerator gen;
    gen.setOutputDevice(&buf);
    gen.setSize(size);
    gen.setViewBox(QRect(QPoint(0, 0), size));
    {
        QPainter p(&gen);
        w.renderFigure(&p, QRectF(QPointF(0, 0), QSizeF(size)));
    }
    return QString::fromUtf8(buf.data());
}

void screenshot(QWidget &w, const char *name)
{
    if (!qEnvironmentVariableIntValue("FB_UPDATE_SCREENSHOTS"))
        return;
    const QString path = QStringLiteral(FB_SOURCE_DIR "/docs/screenshots/chart-study-") + QLatin1String(name) + QStringLiteral(".png");
    QVERIFY(w.grab().save(path));
}

QStringList axisTitles(QChart *c)
{
    QStringList out;
    for (QAbstractAxis *a : c->axes())
        out << a->titleText();
    return out;
}
} // namespace

class TestStudyCharts : public QObject
{
    Q_OBJECT
private slots:
    void throughputLatencyCurve()
    {
        const QList<TrialResult> trials = redisTrials();
        ThroughputLatencyChart c;
        c.resize(900, 520);
        c.setTitle(QStringLiteral("Redis: throughput vs latency (fbload, 8 trials)"));
        c.setData(trials);
        CurveSpec spec;
        spec.stats = {QStringLiteral("p50"), QStringLiteral("p99")};
        c.setSpec(spec);
        QCOMPARE(c.curves().size(), 2);
        // Axes: the workload's throughput with its scale, latency in seconds' prefixes.
        QCOMPARE(c.xTitle(), QStringLiteral("throughput (k req/s)"));
        QCOMPARE(c.yTitle(), QStringLiteral("latency (ms)"));
        QVERIFY(axisTitles(c.chart()).contains(c.xTitle()));
        QVERIFY(axisTitles(c.chart()).contains(c.yTitle()));
        // Every plotted point is a trial's summary, in the axes' scales.
        const auto series = c.chart()->series();
        QCOMPARE(series.size(), 4); // 2 groups × 2 percentiles
        auto *p1p99 = qobject_cast<QLineSeries *>(series[1]);
        QCOMPARE(p1p99->name(), QStringLiteral("pipeline=1 p99"));
        QCOMPARE(p1p99->count(), 4);
        for (int i = 0; i < 4; ++i) {
            const ResultDocument &d = trials[i].document; // pipeline=1, concurrency 1, 4, 16, 64: already in load order
            QCOMPARE(p1p99->at(i).x(), d.throughput[QStringLiteral("requests_per_s")] / 1e3);
            QCOMPARE(p1p99->at(i).y(), d.metrics[QStringLiteral("latency")].p99 * 1e-3 / 1e-3);
        }
        QCOMPARE(ThroughputLatencyChart::statLabel(QStringLiteral("p9999")), QStringLiteral("p99.99"));
        QCOMPARE(ThroughputLatencyChart::statLabel(QStringLiteral("p999")), QStringLiteral("p99.9"));
        QCOMPARE(ThroughputLatencyChart::statLabel(QStringLiteral("mean")), QStringLiteral("mean"));
        QCOMPARE(ThroughputLatencyChart::metricLabel(QStringLiteral("service_time")), QStringLiteral("service time"));
        // Hover text: the trial and its values, each with its unit.
        const QString tip = c.pointTip(0, 1, 3); // pipeline=1 p99, concurrency=64
        QCOMPARE(tip, QStringLiteral("concurrency=64, pipeline=1\nthroughput: %1\np99 latency: %2")
                          .arg(fb::units::format(trials[3].document.throughput[QStringLiteral("requests_per_s")], fb::units::Unit::PerSecond),
                               fb::units::format(trials[3].document.metrics[QStringLiteral("latency")].p99 * 1e-3, fb::units::Unit::Seconds)));
        QVERIFY2(tip.contains(QLatin1String(" k req/s")) && tip.contains(QLatin1String(" ms")), qPrintable(tip));
        // CSV: the values exactly as the result files write them.
        const QStringList csv = c.toCsv().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(csv.first(), QStringLiteral("group,trial,load,repetitions,requests_per_s,latency_p50_ms,latency_p99_ms"));
        QCOMPARE(csv.size(), 9);
        const ResultDocument &d = trials[5].document; // concurrency=4, pipeline=16
        QCOMPARE(csv[6], QStringLiteral("pipeline=16,\"concurrency=4, pipeline=16\",4,1,%1,%2,%3")
                             .arg(ChartWidget::csvNumber(d.throughput[QStringLiteral("requests_per_s")]),
                                  ChartWidget::csvNumber(d.metrics[QStringLiteral("latency")].p50),
                                  ChartWidget::csvNumber(d.metrics[QStringLiteral("latency")].p99)));
        // Log latency axis.
        c.setLogLatency(true);
        bool logY = false;
        for (QAbstractAxis *a : c.chart()->axes())
            logY = logY || (qobject_cast<QLogValueAxis *>(a) && a->titleText() == c.yTitle());
        QVERIFY(logY);
        c.show();
        QVERIFY(QTest::qWaitForWindowExposed(&c));
        screenshot(c, "throughput-latency");
        // A vector rendering at another size (as an export draws it) carries both titles.
        const QString svg = svgOf(c, QSize(700, 420));
        QVERIFY(svg.contains(QStringLiteral("throughput (k req/s)")));
        QVERIFY(svg.contains(QStringLiteral("latency (ms)")));
    }

    void tokenPareto()
    {
        ThroughputLatencyChart c;
        c.resize(900, 520);
        c.setTitle(QStringLiteral("LLM: tokens/s per user vs tokens/s of all users (synthetic server)"));
        c.setData(llmTrials());
        QCOMPARE(c.spec().throughput.key, QStringLiteral("output_tokens_per_s")); // LLM: tokens/s on x
        QCOMPARE(c.xTitle(), QStringLiteral("output tokens (k tok/s)"));
        c.setMode(ThroughputLatencyChart::Mode::TokenPareto);
        QCOMPARE(c.pareto().size(), 7);
        QCOMPARE(c.xTitle(), QStringLiteral("output tokens, all users (k tok/s)"));
        QCOMPARE(c.yTitle(), QStringLiteral("output tokens per user (tok/s)"));
        QVERIFY(axisTitles(c.chart()).contains(c.yTitle()));
        const QStringList csv = c.toCsv().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(csv.first(), QStringLiteral("trial,repetitions,output_tokens_per_s_per_user,output_tokens_per_s,pareto_frontier"));
        QCOMPARE(csv.size(), 8);
        int onFrontier = 0;
        for (const ParetoPoint &p : c.pareto())
            onFrontier += p.frontier;
        QCOMPARE(csv.filter(QStringLiteral(",true")).size(), onFrontier);
        // Each point is named by its trial.
        QCOMPARE(c.pointLabels().size(), 7);
        QVERIFY(c.pointLabels().contains(QStringLiteral("concurrency=512")));
        c.show();
        QVERIFY(QTest::qWaitForWindowExposed(&c));
        c.setLogThroughput(true); // totals span 128 tok/s ... 26 k tok/s
        screenshot(c, "token-pareto");
        c.setLogThroughput(false);
        c.setMode(ThroughputLatencyChart::Mode::Curve);
        CurveSpec spec;
        spec.latencyMetric = QStringLiteral("ttft");
        spec.stats = {QStringLiteral("p50"), QStringLiteral("p99")};
        c.setSpec(spec);
        c.setLogLatency(true);
        c.setTitle(QStringLiteral("LLM: output tokens/s vs TTFT (synthetic server)"));
        QCOMPARE(c.yTitle(), QStringLiteral("TTFT (s)")); // p99 TTFT of 512 users passes 1 s
        screenshot(c, "throughput-ttft");
    }

    void latencyDistribution()
    {
        QList<LatencyRun> runs;
        for (int c : {1, 16, 64}) {
            const ResultDocument d = load(QStringLiteral("redis-c%1-p16.json").arg(c));
            runs.append({QStringLiteral("concurrency=%1, pipeline=16").arg(c), d.histograms[QStringLiteral("latency")]});
        }
        LatencyDistributionChart c;
        c.resize(900, 520);
        c.setTitle(QStringLiteral("Redis latency by percentile (fbload, 3 trials)"));
        c.setData(runs);
        QCOMPARE(c.runCount(), 3);
        c.setMode(LatencyDistributionChart::Mode::PercentileSpectrum);
        // One scale from the largest value of all trials; labels p50 ... p99.99.
        QCOMPARE(c.valueScale().suffix, QStringLiteral("ms"));
        QCOMPARE(c.yTitle(), QStringLiteral("latency (ms)"));
        QVERIFY(axisTitles(c.chart()).contains(QStringLiteral("latency (ms)")));
        QCategoryAxis *cx = nullptr;
        for (QAbstractAxis *a : c.chart()->axes())
            if (auto *cat = qobject_cast<QCategoryAxis *>(a))
                cx = cat;
        QVERIFY(cx);
        QCOMPARE(cx->categoriesLabels(), (QStringList{"p50", "p90", "p99", "p99.9", "p99.99"}));
        QCOMPARE(cx->endValue(QStringLiteral("p99")), 2.0);
        // The spectrum at p50 / p99 is the histogram's percentile (µs -> s -> ms).
        for (int r = 0; r < 3; ++r)
            for (double p : {50.0, 99.0, 99.9}) {
                bool seen = false;
                for (const QPointF &pt : c.plotted(r))
                    if (std::abs(pt.x() - percentileAxisPosition(p)) < 1e-12) {
                        QCOMPARE(pt.y(), runs[r].histogram.percentile(p) * 1e-6 / 1e-3);
                        seen = true;
                    }
                QVERIFY2(seen, qPrintable(percentileLabel(p)));
            }
        QVERIFY(c.toCsv().startsWith(QLatin1String("run,mode,percentile,latency_ms\n")));
        QVERIFY(c.toCsv().contains(QStringLiteral("concurrency=1, pipeline=16\",percentile_spectrum,99,%1\n")
                                       .arg(ChartWidget::csvNumber(runs[0].histogram.percentile(99) * 1e-6 / 1e-3 * 1e-3 * 1e3))));
        c.show();
        QVERIFY(QTest::qWaitForWindowExposed(&c));
        screenshot(c, "spectrum");
        c.setLogLatency(true);
        screenshot(c, "spectrum-log");

        c.setMode(LatencyDistributionChart::Mode::Cdf);
        c.setTitle(QStringLiteral("Redis latency CDF (fbload, 3 trials)"));
        QCOMPARE(c.xTitle(), QStringLiteral("latency (ms)"));
        for (int r = 0; r < 3; ++r) {
            const QList<QPointF> pts = c.plotted(r);
            QCOMPARE(pts.last().y(), 1.0);
            for (qsizetype i = 1; i < pts.size(); ++i)
                QVERIFY(pts[i].y() >= pts[i - 1].y() && pts[i].x() >= pts[i - 1].x());
        }
        screenshot(c, "cdf");
        const QString svg = svgOf(c, QSize(700, 420));
        QVERIFY2(svg.contains(QStringLiteral("latency (ms)")), "the SVG figure carries the axis title with its unit");
    }

    void latencyHeatmap()
    {
        const ResultDocument d = load(QStringLiteral("redis-heatmap.json"));
        LatencyHeatmapChart c;
        c.resize(900, 520);
        c.setTitle(QStringLiteral("Redis latency over time (Poisson 20k req/s, fbload)"));
        c.setData(d.timeseries, QStringLiteral("run=heatmap"));
        const LatencyHeatmap &m = c.heatmap();
        QCOMPARE(m.columns(), int(d.timeseries.t.size()));
        // Cell counts are the per-second buckets: each column adds up to its row.
        for (int col = 0; col < m.columns(); ++col) {
            quint64 sum = 0;
            for (quint64 n : m.counts[col])
                sum += n;
            QCOMPARE(sum, d.timeseries.latencyBuckets[col].count());
        }
        QCOMPARE(c.yTitle(), QStringLiteral("latency (ms)"));
        QCOMPARE(c.xTitle(), QStringLiteral("time since measurement start (s)"));
        // Offscreen vector rendering has the titles (with units) and the colour legend.
        const QString svg = svgOf(c, QSize(900, 520));
        QVERIFY(svg.contains(QStringLiteral("latency (ms)")));
        QVERIFY(svg.contains(QStringLiteral("time since measurement start (s)")));
        QVERIFY(svg.contains(QStringLiteral("requests per second and bin")));
        // The CSV lists every non-empty cell with its count.
        const QStringList csv = c.toCsv().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(csv.first(), QStringLiteral("trial,t_s,latency_low_ms,latency_high_ms,count"));
        quint64 csvTotal = 0;
        for (qsizetype i = 1; i < csv.size(); ++i)
            csvTotal += csv[i].section(QLatin1Char(','), 4).toULongLong();
        QCOMPARE(csvTotal, m.total);
        // The widget paints cells (many colours) and the colour bar.
        c.show();
        QVERIFY(QTest::qWaitForWindowExposed(&c));
        // Hovering a cell names its second, latency bin (with units) and count.
        QTest::mouseMove(&c, QPoint(c.width() / 2, c.height() / 2));
        QTRY_VERIFY(QToolTip::isVisible());
        QVERIFY2(QToolTip::text().startsWith(QLatin1String("t = ")) && QToolTip::text().contains(QLatin1String(" requests")),
                 qPrintable(QToolTip::text()));
        int maxCol = 0, maxBin = 0;
        for (int col = 0; col < m.columns(); ++col)
            for (int b = 0; b < m.bins(); ++b)
                if (m.counts[col][b] > m.counts[maxCol][maxBin]) {
                    maxCol = col;
                    maxBin = b;
                }
        QVERIFY(c.cellTip(maxCol, maxBin).endsWith(fb::units::format(double(m.maxCount), fb::units::Unit::Count) + QStringLiteral(" requests")));
        QVERIFY(c.cellTip(maxCol, maxBin).contains(QStringLiteral(" µs")) || c.cellTip(maxCol, maxBin).contains(QStringLiteral(" ms")));
        const QImage img = c.grab().toImage();
        QSet<QRgb> colours;
        for (int y = 0; y < img.height(); y += 4)
            for (int x = 0; x < img.width(); x += 4)
                colours.insert(img.pixel(x, y));
        QVERIFY2(colours.size() > 40, qPrintable(QString::number(colours.size())));
        screenshot(c, "heatmap");

        // Without buckets: a message instead of an empty grid.
        LatencyHeatmapChart empty;
        empty.setData(TimeSeriesTable{});
        QVERIFY(empty.heatmap().isEmpty());
        QVERIFY(svgOf(empty, QSize(400, 300)).contains(QStringLiteral("no per-second latency buckets")));
    }

    // Not a timed test: prints how long a 64-trial study takes to draw.
    void benchSixtyFourTrials()
    {
        const QList<TrialResult> base = redisTrials();
        QList<TrialResult> trials;
        QList<LatencyRun> runs;
        for (int i = 0; i < 64; ++i) {
            TrialResult t = base[i % base.size()];
            t.group = QStringLiteral("value_size=%1").arg(i / 8);
            t.label = t.group + QStringLiteral(", concurrency=%1").arg(i % 8);
            t.load = i % 8;
            trials.append(t);
            runs.append({t.label, t.document.histograms[QStringLiteral("latency")]});
        }
        const ResultDocument heat = load(QStringLiteral("redis-heatmap.json"));
        QElapsedTimer timer;
        timer.start();
        ThroughputLatencyChart curve;
        LatencyDistributionChart spectrum;
        LatencyHeatmapChart heatmap;
        for (ChartWidget *w : {static_cast<ChartWidget *>(&curve), static_cast<ChartWidget *>(&spectrum), static_cast<ChartWidget *>(&heatmap)})
            w->resize(672, 400); // 7 in at 96 px/in
        curve.setData(trials);
        spectrum.setData(runs);
        heatmap.setData(heat.timeseries);
        const qint64 dataMs = timer.restart();
        QImage img(2100, 1250, QImage::Format_ARGB32_Premultiplied); // 7 in at 300 DPI
        for (ChartWidget *w : {static_cast<ChartWidget *>(&curve), static_cast<ChartWidget *>(&spectrum), static_cast<ChartWidget *>(&heatmap)}) {
            QPainter p(&img);
            w->renderFigure(&p, QRectF(img.rect()));
        }
        const qint64 pngMs = timer.restart();
        qsizetype svgBytes = 0;
        for (ChartWidget *w : {static_cast<ChartWidget *>(&curve), static_cast<ChartWidget *>(&spectrum), static_cast<ChartWidget *>(&heatmap)})
            svgBytes += svgOf(*w, QSize(672, 400)).size();
        const qint64 svgMs = timer.elapsed();
        qInfo("64 trials (8 curves, 64 spectra, one 22 s heatmap): data %lld ms, 300-DPI raster %lld ms, SVG %lld ms (%lld KiB)",
              dataMs, pngMs, svgMs, qint64(svgBytes / 1024));
        QCOMPARE(curve.curves().size(), 8);
        QCOMPARE(spectrum.runCount(), 64);
    }
};

QTEST_MAIN(TestStudyCharts)
#include "tst_studycharts.moc"
