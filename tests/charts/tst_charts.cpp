// Tests the charts library (offscreen): min/max decimation, the time-series
// widget's interaction (box and wheel zoom, pan, reset, crosshair, legend
// toggle, live append, linked x axes, re-decimation off the GUI thread), the
// latency distribution and sweep charts on real fbload results, and exports
// of every chart kind to PNG (DPI), SVG, PDF and CSV.
//
// With FB_UPDATE_SCREENSHOTS=1 the PNGs are also written to
// docs/screenshots/chart-<kind>.png (the committed screenshots).
#include "ChartExport.h"
#include "ChartLegend.h"
#include "Decimation.h"
#include "LatencyDistributionChart.h"
#include "SweepChart.h"
#include "TimeSeriesChart.h"

#include "metrics/ResultDocument.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QtCharts/QChartView>
#include <QtCharts/QLegend>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QTableView>

#include <cmath>

using namespace fb::charts;
using fb::metrics::ResultDocument;

namespace {
QList<QPointF> signal(qsizetype n, double spikeAt = -1)
{
    QList<QPointF> pts;
    pts.reserve(n);
    for (qsizetype i = 0; i < n; ++i) {
        const double x = double(i) / 1000.0;
        double y = 50 + 20 * std::sin(x / 40.0) + 5 * std::sin(x * 3.1) + double((i * 7919) % 97) / 20.0;
        if (spikeAt >= 0 && i == qsizetype(spikeAt))
            y = 400;
        pts.append(QPointF(x, y));
    }
    return pts;
}

ResultDocument result(const char *name)
{
    QString err;
    auto d = ResultDocument::load(QStringLiteral(FB_SOURCE_DIR "/tests/metrics/data/results/") + QLatin1String(name), &err);
    if (!d)
        qFatal("%s", qPrintable(err));
    return *d;
}

bool waitDecimated(TimeSeriesChart &c)
{
    return QTest::qWaitFor([&] { return !c.isDecimationPending(); }, 10000);
}

// Distinct colours in a sample grid: a blank or single-colour image has few.
int distinctColours(const QImage &img)
{
    QSet<QRgb> colours;
    for (int y = 0; y < img.height(); y += 3)
        for (int x = 0; x < img.width(); x += 3)
            colours.insert(img.pixel(x, y));
    return int(colours.size());
}
} // namespace

class TestCharts : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_tmp;

private slots:
    void decimationKeepsExtremes()
    {
        const QList<QPointF> pts = signal(1'000'000, 654'321);
        const QList<QPointF> d = decimateMinMax(pts, 0, 1000, 800);
        QVERIFY(d.size() <= 2 * 800 + 2);
        QVERIFY(d.size() >= 800);
        double maxY = 0, minY = 1e9, minFull = 1e9;
        for (const QPointF &p : pts)
            minFull = std::min(minFull, p.y());
        for (qsizetype i = 0; i < d.size(); ++i) {
            maxY = std::max(maxY, d[i].y());
            minY = std::min(minY, d[i].y());
            if (i)
                QVERIFY(d[i].x() >= d[i - 1].x());
        }
        QCOMPARE(maxY, 400.0);   // the one-sample spike survives
        QCOMPARE(minY, minFull); // and so does the minimum
        QVERIFY(d.first().x() < 1.25); // inside the first pixel column (1000 / 800)
        QVERIFY(d.last().x() > 998.75); // inside the last

        // A zoomed range: only that range, plus one neighbour on each side.
        const QList<QPointF> z = decimateMinMax(pts, 100, 101, 800);
        QCOMPARE(z.size(), 1001 + 2); // 1001 points fit in 1600: unchanged
        QCOMPARE(z.first().x(), 99.999);
        QCOMPARE(z.last().x(), 101.001);

        QList<QPointF> withNan = {{0, 1}, {1, std::nan("")}, {2, 3}};
        QCOMPARE(decimateMinMax(withNan, 0, 2, 100).size(), 2);
        QVERIFY(decimateMinMax({}, 0, 1, 100).isEmpty());
        QVERIFY(decimateMinMax(pts, 5, 5, 100).isEmpty());
    }

    void timeSeriesInteraction()
    {
        TimeSeriesChart c;
        c.resize(900, 450);
        c.show();
        QVERIFY(QTest::qWaitForWindowExposed(&c));
        const int big = c.addSeries(QStringLiteral("big"));
        const int small = c.addSeries(QStringLiteral("small"));
        c.setSeriesData(big, signal(1'000'000));
        c.setSeriesData(small, {{0, 10}, {500, 20}, {999, 30}});
        QVERIFY(waitDecimated(c));
        QCOMPARE(c.pointCount(big), qsizetype(1'000'000));
        QVERIFY(c.lineSeries(big)->count() <= 2 * c.plotWidthPixels() + 2);
        QVERIFY(c.lineSeries(big)->count() > c.plotWidthPixels() / 2);
        QCOMPARE(c.lineSeries(small)->count(), 3);
        QVERIFY(c.isFollowing());
        QCOMPARE(c.xMin(), 0.0);
        QCOMPARE(c.xMax(), 999.999);

        // Programmatic zoom: only the visible range is decimated.
        QSignalSpy ranges(&c, &TimeSeriesChart::xRangeChanged);
        c.zoomToX(200, 300);
        QVERIFY(waitDecimated(c));
        QVERIFY(!ranges.isEmpty());
        QVERIFY(!c.isFollowing());
        const QList<QPointF> shown = c.lineSeries(big)->points();
        QVERIFY(shown.first().x() >= 199.9 && shown.last().x() <= 300.1);
        QVERIFY(shown.size() <= 2 * c.plotWidthPixels() + 2);

        QWidget *vp = c.chartView()->viewport();
        const QRectF plot = c.chart()->plotArea();
        const QPoint centre = c.chartView()->mapFromScene(c.chart()->mapToScene(plot.center()));

        // Wheel zoom in around the cursor.
        const double w0 = c.xMax() - c.xMin();
        {
            QWheelEvent wheel(centre, vp->mapToGlobal(centre), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                              Qt::NoScrollPhase, false);
            QCoreApplication::sendEvent(vp, &wheel);
        }
        QVERIFY(std::abs((c.xMax() - c.xMin()) - w0 * 0.8) < 1e-6 * w0);

        // Pan with the middle button: the range keeps its width and moves.
        const double panX0 = c.xMin(), panW = c.xMax() - c.xMin();
        QTest::mousePress(vp, Qt::MiddleButton, {}, centre);
        QTest::mouseMove(vp, centre + QPoint(100, 0));
        {
            QMouseEvent move(QEvent::MouseMove, QPointF(centre + QPoint(100, 0)), vp->mapToGlobal(QPointF(centre + QPoint(100, 0))),
                             Qt::NoButton, Qt::MiddleButton, Qt::NoModifier);
            QCoreApplication::sendEvent(vp, &move);
        }
        QTest::mouseRelease(vp, Qt::MiddleButton, {}, centre + QPoint(100, 0));
        QVERIFY2(c.xMin() < panX0, qPrintable(QStringLiteral("%1 vs %2").arg(c.xMin()).arg(panX0)));
        QVERIFY(std::abs((c.xMax() - c.xMin()) - panW) < 1e-6 * panW);

        // Reset by double-click: follows the data again, full range.
        QTest::mouseDClick(vp, Qt::LeftButton, {}, centre);
        QVERIFY(c.isFollowing());
        QCOMPARE(c.xMin(), 0.0);
        QCOMPARE(c.xMax(), 999.999);
        QVERIFY(waitDecimated(c));

        // Box zoom: drag a rectangle over the middle third of the plot.
        const QPoint a = c.chartView()->mapFromScene(c.chart()->mapToScene(plot.topLeft() + QPointF(plot.width() / 3, 10)));
        const QPoint b = c.chartView()->mapFromScene(c.chart()->mapToScene(plot.topLeft() + QPointF(2 * plot.width() / 3, plot.height() - 10)));
        QTest::mousePress(vp, Qt::LeftButton, {}, a);
        {
            QMouseEvent move(QEvent::MouseMove, QPointF(b), vp->mapToGlobal(QPointF(b)), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
            QCoreApplication::sendEvent(vp, &move);
        }
        QTest::mouseRelease(vp, Qt::LeftButton, {}, b);
        QVERIFY2(std::abs(c.xMin() - 333.3) < 15 && std::abs(c.xMax() - 666.7) < 15,
                 qPrintable(QStringLiteral("%1..%2").arg(c.xMin()).arg(c.xMax())));
        QVERIFY(!c.isFollowing());
        // Right-click resets too.
        QTest::mouseClick(vp, Qt::RightButton, {}, centre);
        QVERIFY(c.isFollowing());

        // Crosshair: the full-resolution value of each visible series.
        QVERIFY(waitDecimated(c));
        QTest::mouseMove(vp, centre);
        {
            QMouseEvent move(QEvent::MouseMove, QPointF(centre), vp->mapToGlobal(QPointF(centre)), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
            QCoreApplication::sendEvent(vp, &move);
        }
        const QString text = c.crosshairText();
        QVERIFY2(text.contains(QLatin1String("big: ")) && text.contains(QLatin1String("small: 20")), qPrintable(text));
        QVERIFY(c.crosshairAt(QPoint(1, 1)).isEmpty()); // outside the plot

        // Legend: clicking an entry hides the series, clicking again shows it.
        QCOMPARE(c.legend()->entries().size(), 2);
        QCOMPARE(c.legend()->entries()[small].name, QStringLiteral("small"));
        emit c.legend()->entryClicked(small);
        QVERIFY(!c.isSeriesVisible(small));
        QCOMPARE(c.legend()->entries().size(), 2); // the entry stays to be clicked again, dimmed
        QVERIFY(!c.legend()->entries()[small].visible);
        QVERIFY(!c.crosshairAt(centre).contains(QLatin1String("small")));
        emit c.legend()->entryClicked(small);
        QVERIFY(c.isSeriesVisible(small));
    }

    void liveAppendAndLinkedAxes()
    {
        TimeSeriesChart a, b;
        for (TimeSeriesChart *c : {&a, &b}) {
            c->resize(600, 300);
            c->show();
        }
        QVERIFY(QTest::qWaitForWindowExposed(&b));
        const int sa = a.addSeries(QStringLiteral("rate"));
        const int sb = b.addSeries(QStringLiteral("p99"));
        XAxisLink link;
        link.add(&a);
        link.add(&b);
        QSignalSpy decimated(&a, &TimeSeriesChart::decimated);
        // Live: points arrive in batches and the chart follows them.
        for (int second = 0; second < 20; ++second) {
            a.appendPoints(sa, {QPointF(second, second * 2.0)});
            b.appendPoints(sb, {QPointF(second, 100.0 - second)});
            QTest::qWait(5);
        }
        QVERIFY(waitDecimated(a));
        QCOMPARE(a.lineSeries(sa)->count(), 20);
        QCOMPARE(a.xMax(), 19.0);
        QVERIFY(a.yMax() >= 38.0);
        QVERIFY(!decimated.isEmpty());

        // Zooming one zooms the other; appends no longer move the range.
        a.zoomToX(5, 10);
        QCOMPARE(b.xMin(), 5.0);
        QCOMPARE(b.xMax(), 10.0);
        b.appendPoints(sb, {QPointF(20, 80)});
        QCOMPARE(b.xMax(), 10.0);
        QVERIFY(waitDecimated(b));
        QCOMPARE(b.pointCount(sb), qsizetype(21));
        // Resetting one resets both, to their data.
        b.resetZoom();
        QVERIFY(a.isFollowing() && b.isFollowing());
        QCOMPARE(b.xMax(), 20.0);
        QCOMPARE(a.xMax(), 19.0);
    }

    void latencyDistribution()
    {
        const ResultDocument r1 = result("r1.json");
        const ResultDocument r3 = result("r3-c16.json");
        const auto &h1 = r1.histograms[QStringLiteral("latency")];
        LatencyDistributionChart c;
        c.resize(700, 400);
        c.addRun(QStringLiteral("4 connections"), h1);
        c.addRun(QStringLiteral("16 connections"), r3.histograms[QStringLiteral("latency")]);
        QCOMPARE(c.runCount(), 2);

        // Spectrum: x = log10(1/(1-p)); the value at x = 2 is p99 in ms.
        c.setMode(LatencyDistributionChart::Mode::PercentileSpectrum);
        const QList<QPointF> spec = c.plotted(0);
        QVERIFY(std::abs(spec.last().x() - 4.0) < 1e-9);
        bool sawP99 = false;
        for (const QPointF &p : spec)
            if (std::abs(p.x() - 2.0) < 1e-9) {
                QCOMPARE(p.y(), h1.percentile(99) * 1e-3);
                sawP99 = true;
            }
        QVERIFY(sawP99);
        QVERIFY(c.toCsv().contains(QLatin1String("\"4 connections\"") ) == false); // no quoting needed
        QVERIFY(c.toCsv().startsWith(QLatin1String("run,mode,percentile,latency_ms\n")));

        c.setMode(LatencyDistributionChart::Mode::Cdf);
        QCOMPARE(c.plotted(1).last().y(), 1.0);
        QCOMPARE(c.plotted(0).last().x(), double(h1.max()) * 1e-3);

        c.setMode(LatencyDistributionChart::Mode::Histogram);
        // Fractions per bin (scaled for integer aliasing, so about 1 in all);
        // the tallest bin sits at the median for this narrow distribution.
        double total = 0, peakX = 0, peakY = 0;
        const QList<QPointF> hist = c.plotted(0);
        for (qsizetype i = 0; i < hist.size(); i += 2) {
            total += hist[i].y();
            if (hist[i].y() > peakY) {
                peakY = hist[i].y();
                peakX = (hist[i].x() + hist[i + 1].x()) / 2;
            }
        }
        QVERIFY2(total > 0.85 && total < 1.2, qPrintable(QString::number(total)));
        const double p50 = r1.metrics[QStringLiteral("latency")].p50;
        QVERIFY2(peakX > p50 / 1.5 && peakX < p50 * 1.5, qPrintable(QStringLiteral("%1 vs %2").arg(peakX).arg(p50)));
    }

    void sweepValues()
    {
        const SweepPoint p = SweepPoint::fromRepetitions(8, {10, 12, 14});
        QCOMPARE(p.y, 12.0);
        // Error bars are the 95 % t-interval: t(0.975, df 2) = 4.302653 × s (2) / √3.
        QVERIFY2(qAbs((p.high - p.y) - 4.302652729911275 * 2.0 / std::sqrt(3.0)) < 1e-6, qPrintable(QString::number(p.high - p.y)));
        QCOMPARE(p.y - p.low, p.high - p.y);
        QCOMPARE(p.repetitions, 3);
        const SweepPoint one = SweepPoint::fromRepetitions(1, {5});
        QCOMPARE(one.low, 5.0);
        QCOMPARE(one.high, 5.0);
        SweepChart s;
        s.setLine(QStringLiteral("b"), {SweepPoint::fromRepetitions(4, {1}), SweepPoint::fromRepetitions(1, {2})});
        QCOMPARE(s.line(0).first().x, 1.0); // sorted by x
        s.setLine(QStringLiteral("b"), {SweepPoint::fromRepetitions(2, {3})});
        QCOMPARE(s.lineCount(), 1); // replaced, not added
        QVERIFY(s.toCsv().startsWith(QLatin1String("line,x,mean,error_low,error_high,repetitions\nb,2,3,3,3,1\n")));
        QCOMPARE(ChartWidget::csvField(QStringLiteral("a,\"b\"")), QStringLiteral("\"a,\"\"b\"\"\""));
    }

    void exports_data()
    {
        QTest::addColumn<QString>("kind");
        for (const char *k : {"timeseries", "timeseries-dark", "latency-histogram", "latency-cdf", "latency-spectrum",
                              "sweep", "bars", "heatmap"})
            QTest::newRow(k) << QString::fromLatin1(k);
    }

    void exports()
    {
        QFETCH(QString, kind);
        QVERIFY(m_tmp.isValid());
        std::unique_ptr<ChartWidget> w;
        const ResultDocument r1 = result("r1.json");
        const ResultDocument r2 = result("r2.json");
        const ResultDocument r3 = result("r3-c16.json");
        int csvRows = 0;
        if (kind.startsWith(QLatin1String("timeseries"))) {
            auto *c = new TimeSeriesChart;
            c->setTitle(QStringLiteral("Synthetic 1 M-point signal and fbload req/s (r1)"));
            c->setAxisTitles(QStringLiteral("time (s)"), QStringLiteral("value"));
            const int s0 = c->addSeries(QStringLiteral("synthetic signal"));
            c->setSeriesData(s0, signal(1'000'000, 400'000));
            const int s1 = c->addSeries(QStringLiteral("r1 completed / s ÷ 1000"));
            QList<QPointF> rows = r1.timeseries.series(QStringLiteral("completed"));
            const double t0 = rows.isEmpty() ? 0 : rows.first().x();
            for (QPointF &p : rows)
                p = QPointF((p.x() - t0) * 250, p.y() / 1000.0); // stretched over the signal's range
            c->setSeriesData(s1, rows);
            if (kind.endsWith(QLatin1String("dark")))
                c->setTheme(ChartTheme::dark());
            csvRows = 1'000'000 + int(rows.size());
            w.reset(c);
        } else if (kind.startsWith(QLatin1String("latency"))) {
            auto *c = new LatencyDistributionChart;
            c->addRun(QStringLiteral("redis, 4 conns (r1)"), r1.histograms[QStringLiteral("latency")]);
            c->addRun(QStringLiteral("redis, 4 conns (r2)"), r2.histograms[QStringLiteral("latency")]);
            c->addRun(QStringLiteral("redis, 16 conns (r3)"), r3.histograms[QStringLiteral("latency")]);
            if (kind.endsWith(QLatin1String("histogram"))) {
                c->setMode(LatencyDistributionChart::Mode::Histogram);
                c->setTitle(QStringLiteral("Latency histogram (fbload → redis)"));
            } else if (kind.endsWith(QLatin1String("cdf"))) {
                c->setMode(LatencyDistributionChart::Mode::Cdf);
                c->setTitle(QStringLiteral("Latency CDF (fbload → redis)"));
            } else {
                c->setMode(LatencyDistributionChart::Mode::PercentileSpectrum);
                c->setTitle(QStringLiteral("Latency by percentile (fbload → redis)"));
            }
            for (int i = 0; i < 3; ++i)
                csvRows += int(c->plotted(i).size());
            w.reset(c);
        } else if (kind == QLatin1String("sweep")) {
            // Illustrative numbers shaped like a concurrency sweep (not measured).
            auto *c = new SweepChart;
            c->setTitle(QStringLiteral("Throughput vs concurrency (illustrative data)"));
            c->setAxisTitles(QStringLiteral("concurrency"), QStringLiteral("requests/s"));
            c->setLogX(true);
            for (int pipeline : {1, 4, 16}) {
                QList<SweepPoint> pts;
                for (int conc : {1, 2, 4, 8, 16, 32, 64}) {
                    const double base = 9000.0 * pipeline * conc / (1.0 + conc / 12.0) / (1.0 + pipeline / 10.0);
                    pts << SweepPoint::fromRepetitions(conc, {base * 0.95, base, base * 1.06});
                }
                c->setLine(QStringLiteral("pipeline = %1").arg(pipeline), pts);
            }
            csvRows = 21;
            w.reset(c);
        } else if (kind == QLatin1String("bars")) {
            auto *c = new BarChart;
            c->setTitle(QStringLiteral("Requests/s per operation (fbload → redis)"));
            c->setCategories({QStringLiteral("get"), QStringLiteral("set")});
            for (const ResultDocument *d : {&r1, &r2, &r3})
                c->addBarSet(d->label(), {d->scalars.value(QStringLiteral("ops.get.requests_per_s")),
                                          d->scalars.value(QStringLiteral("ops.set.requests_per_s"))});
            c->setValueTitle(QStringLiteral("requests/s"));
            csvRows = 2;
            w.reset(c);
        } else {
            auto *c = new HeatmapChart;
            c->setTitle(QStringLiteral("p99 latency over two parameters (illustrative data)"));
            c->setAxisTitles(QStringLiteral("concurrency"), QStringLiteral("value size (B)"), QStringLiteral("p99 (ms)"));
            QStringList xs, ys;
            QList<QList<double>> v;
            for (int conc : {1, 2, 4, 8, 16, 32})
                xs << QString::number(conc);
            for (int size : {64, 512, 4096, 32768}) {
                ys << QString::number(size);
                QList<double> row;
                for (int conc : {1, 2, 4, 8, 16, 32})
                    row << 0.05 * std::sqrt(double(conc)) * (1 + size / 8192.0);
                v << row;
            }
            c->setData(xs, ys, v);
            csvRows = 24;
            w.reset(c);
        }
        w->resize(800, 450);
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w.get()));
        if (auto *ts = qobject_cast<TimeSeriesChart *>(w.get()))
            QVERIFY(waitDecimated(*ts));

        const QString base = m_tmp.filePath(QStringLiteral("chart-") + kind);
        QString err;
        ExportOptions opt;
        opt.dpi = 192;
        QVERIFY2(exportChart(w.get(), base + QStringLiteral(".png"), opt, &err), qPrintable(err));
        QVERIFY2(exportChart(w.get(), base + QStringLiteral(".svg"), opt, &err), qPrintable(err));
        QVERIFY2(exportChart(w.get(), base + QStringLiteral(".pdf"), opt, &err), qPrintable(err));
        QVERIFY2(exportChart(w.get(), base + QStringLiteral(".csv"), opt, &err), qPrintable(err));
        QVERIFY(!exportChart(w.get(), base + QStringLiteral(".bmp"), opt, &err));
        QVERIFY2(err.contains(QLatin1String("unknown export format")), qPrintable(err));

        // PNG: twice the logical size at 192 DPI, the DPI recorded, not blank.
        QImage img(base + QStringLiteral(".png"));
        QCOMPARE(img.size(), QSize(1600, 900));
        QCOMPARE(qRound(img.dotsPerMeterX() * 0.0254), 192);
        QVERIFY2(distinctColours(img) > 20, qPrintable(QString::number(distinctColours(img))));
        // Lines were drawn: some pixels carry the first palette colour (or near it).
        const QColor first = w->theme().seriesColor(0);
        int hits = 0;
        for (int y = 0; y < img.height(); y += 2)
            for (int x = 0; x < img.width(); x += 2) {
                const QColor c = img.pixelColor(x, y);
                hits += std::abs(c.red() - first.red()) + std::abs(c.green() - first.green()) + std::abs(c.blue() - first.blue()) < 30;
            }
        if (kind != QLatin1String("heatmap"))
            QVERIFY2(hits > 50, qPrintable(QString::number(hits)));

        QFile svg(base + QStringLiteral(".svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray s = svg.readAll();
        QVERIFY(s.contains("<svg"));
        QVERIFY(s.contains("</svg>"));
        QVERIFY(s.contains("<path") || s.contains("<polyline") || s.contains("<rect"));
        QVERIFY(s.size() > 2000);
        QVERIFY(!s.contains("<image")); // vector, not an embedded bitmap

        QFile pdf(base + QStringLiteral(".pdf"));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        const QByteArray pd = pdf.readAll();
        QVERIFY(pd.startsWith("%PDF-"));
        QVERIFY(pd.trimmed().endsWith("%%EOF"));
        QVERIFY(pd.size() > 1500);
        const qsizetype mb = pd.indexOf("/MediaBox");
        QVERIFY2(pd.mid(mb, 40).contains("[0 0 600.000000 338"), pd.mid(mb, 40).constData()); // 800 × 450 px at 96 DPI = 600 × 337.5 pt, rounded by Qt

        QFile csv(base + QStringLiteral(".csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QByteArray cs = csv.readAll();
        QCOMPARE(int(cs.count('\n')), csvRows + 1);

        if (qEnvironmentVariableIntValue("FB_UPDATE_SCREENSHOTS")) {
            const QString shot = QStringLiteral(FB_SOURCE_DIR "/docs/screenshots/chart-") + kind + QStringLiteral(".png");
            QFile::remove(shot);
            ExportOptions screen;
            screen.dpi = 96;
            QVERIFY2(exportPng(w.get(), shot, screen, &err), qPrintable(err));
        }
    }
};

QTEST_MAIN(TestCharts)
#include "tst_charts.moc"
