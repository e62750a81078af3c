// Tests what makes the time-series charts readable (issue 18, "charts a
// reader can read" and "units everywhere"), offscreen: round tick steps with
// at least 3 labels, y axes in one scaled unit named in the title and never
// in exponent notation, 12 distinct colours then dashed/dotted pens, a legend
// that wraps whole names (and scrolls past its row limit), an opaque hover
// readout with units, the log axis of latency panels, lines broken at gaps and
// NaN, "no errors" on an empty errors panel, and the live rate window.
#include "ChartLegend.h"
#include "ChartTheme.h"
#include "Dashboard.h"
#include "Decimation.h"
#include "TimeSeriesChart.h"

#include <QElapsedTimer>
#include <QFontMetricsF>
#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QImage>
#include <QPainter>
#include <QRegularExpression>
#include <QSet>
#include <QTest>
#include <QToolButton>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>

#include <cmath>

using namespace fb::charts;
using fb::units::Unit;

namespace {
bool waitDecimated(TimeSeriesChart &c)
{
    return QTest::qWaitFor([&] { return !c.isDecimationPending(); }, 10000);
}

// The tick labels a dynamic-tick value axis shows on [min, max].
QStringList tickLabels(const QValueAxis *axis)
{
    // The helper writes "%.<decimals>f"; anything else (Qt's "%g") fails here.
    static const QRegularExpression fixed(QStringLiteral("^%\\.(\\d)f$"));
    const QRegularExpressionMatch m = fixed.match(axis->labelFormat());
    if (!m.hasMatch())
        return {axis->labelFormat()};
    QStringList labels;
    const double step = axis->tickInterval();
    for (double v = axis->tickAnchor(); v <= axis->max() + step * 1e-9; v += step)
        if (v >= axis->min() - step * 1e-9)
            labels << QString::number(v, 'f', m.captured(1).toInt());
    return labels;
}

void show(TimeSeriesChart &c, QSize size = QSize(700, 380))
{
    c.resize(size);
    c.show();
    QVERIFY(QTest::qWaitForWindowExposed(&c));
}
} // namespace

class TestReadableCharts : public QObject
{
    Q_OBJECT
private slots:
    void niceSteps_data()
    {
        QTest::addColumn<double>("lo");
        QTest::addColumn<double>("hi");
        QTest::addColumn<int>("ticks");
        QTest::addColumn<double>("step");
        QTest::newRow("0-1, 6") << 0.0 << 1.0 << 6 << 0.2;
        QTest::newRow("0-100, 5") << 0.0 << 100.0 << 5 << 20.0;
        QTest::newRow("0-419.8, 6") << 0.0 << 419.843 << 6 << 100.0;
        // Narrow ranges off zero, where 1-2-5 rounding left 1 label before.
        QTest::newRow("0.9-1.6, 3") << 0.9 << 1.6 << 3 << 0.2;
        QTest::newRow("5-5.4, 3") << 5.0 << 5.4 << 3 << 0.2;
        QTest::newRow("5.05-5.35, 3") << 5.05 << 5.35 << 3 << 0.1;
        QTest::newRow("1001-1019, 3") << 1001.0 << 1019.0 << 3 << 5.0;
        QTest::newRow("microseconds") << 0.0 << 5e-5 << 6 << 1e-5;
    }
    void niceSteps()
    {
        QFETCH(double, lo);
        QFETCH(double, hi);
        QFETCH(int, ticks);
        QFETCH(double, step);
        const double got = ChartWidget::niceStep(lo, hi, ticks);
        QVERIFY2(std::abs(got - step) < step * 1e-9, qPrintable(QString::number(got)));
        const double labels = std::floor(hi / got + 1e-9) - std::ceil(lo / got - 1e-9) + 1;
        QVERIFY2(labels >= 3, qPrintable(QString::number(labels)));
        QCOMPARE(ChartWidget::niceStep(1, 1, 6), 0.0);
    }

    void axisHasThreeLabelsAndNoExponent()
    {
        // Every value axis the helper sets: >= 3 labels, fixed decimals.
        QValueAxis axis;
        for (auto [lo, hi] : {std::pair{0.9, 1.6}, std::pair{5.0, 5.4}, std::pair{0.0, 5e-5}, std::pair{0.0, 3e6}}) {
            axis.setRange(lo, hi);
            ChartWidget::setNiceTicks(&axis, 3);
            const QStringList labels = tickLabels(&axis);
            QVERIFY2(labels.size() >= 3, qPrintable(labels.join(QLatin1Char(' '))));
            for (const QString &l : labels)
                QVERIFY2(!l.contains(QLatin1Char('e')), qPrintable(l));
        }
    }

    void yAxisInOneScaledUnit_data()
    {
        QTest::addColumn<int>("unit");
        QTest::addColumn<double>("peak");
        QTest::addColumn<QString>("title");
        QTest::addColumn<QString>("readout");
        QTest::newRow("µs latency") << int(Unit::Seconds) << 5e-5 << QStringLiteral("Value (µs)") << QStringLiteral("50 µs");
        QTest::newRow("ms latency") << int(Unit::Seconds) << 0.0123 << QStringLiteral("Value (ms)") << QStringLiteral("12.3 ms");
        QTest::newRow("M req/s") << int(Unit::PerSecond) << 2.964e6 << QStringLiteral("Value (M req/s)") << QStringLiteral("2.96 M req/s");
        QTest::newRow("GiB") << int(Unit::Bytes) << 3.0 * 1024 * 1024 * 1024 << QStringLiteral("Value (GiB)") << QStringLiteral("3 GiB");
    }
    void yAxisInOneScaledUnit()
    {
        QFETCH(int, unit);
        QFETCH(double, peak);
        QFETCH(QString, title);
        QFETCH(QString, readout);
        TimeSeriesChart c;
        show(c);
        c.setAxisTitles(QStringLiteral("Time since start (s)"), QStringLiteral("Value"));
        c.setYUnit(Unit(unit));
        const int s = c.addSeries(QStringLiteral("p99"));
        QList<QPointF> pts;
        for (int i = 0; i <= 20; ++i)
            pts << QPointF(i, peak * (i == 10 ? 1.0 : 0.5));
        c.setSeriesData(s, pts);
        QVERIFY(waitDecimated(c));
        QCOMPARE(c.yAxis()->titleText(), title);
        auto *y = qobject_cast<QValueAxis *>(c.yAxis());
        QVERIFY(y);
        const QStringList labels = tickLabels(y);
        QVERIFY2(labels.size() >= 3, qPrintable(labels.join(QLatin1Char(' '))));
        for (const QString &l : labels)
            QVERIFY2(!l.contains(QLatin1Char('e')) && l.size() <= 6, qPrintable(labels.join(QLatin1Char(' '))));
        QVERIFY(c.yMax() >= peak); // yMin/yMax in base units
        // The drawn points are in the axis's scale; shownSegments gives base units.
        QCOMPARE(c.lineSeries(s)->points().at(10).y(), peak / c.yScale().factor);
        QCOMPARE(c.shownSegments(s).first().at(10).y(), peak);

        // The hover readout: scaled units on an opaque box over the lines.
        const QRectF plot = c.chart()->plotArea();
        const QPointF at = c.chart()->mapToPosition(QPointF(10, peak / c.yScale().factor));
        const QPoint viewPos = c.chartView()->mapFromScene(c.chart()->mapToScene(QPointF(at.x(), plot.center().y())));
        const QString text = c.crosshairAt(viewPos);
        QVERIFY2(text.contains(QStringLiteral("p99: ") + readout), qPrintable(text));
        QVERIFY2(QRegularExpression(QStringLiteral("^t = (9.9|10.0) s\n")).match(text).hasMatch(), qPrintable(text));
        QGraphicsRectItem *box = nullptr;
        for (QGraphicsItem *item : c.chart()->scene()->items())
            if (auto *r = dynamic_cast<QGraphicsRectItem *>(item); r && r->isVisible() && r->zValue() > 20)
                box = r;
        QVERIFY(box);
        QCOMPARE(box->brush().style(), Qt::SolidPattern);
        QCOMPARE(box->brush().color().alpha(), 255);
    }

    void growingRangeDoesNotStall()
    {
        // Qt lays an axis out as soon as its range changes, before the chart
        // can adapt the tick interval: the old 0.2 spacing over a new x range
        // of 0-100,000 s is laid out as a flood of tick labels first (a live
        // dashboard's first points stalled the GUI for 0.3-1 s).
        TimeSeriesChart c;
        show(c);
        const int s = c.addSeries(QStringLiteral("rate"));
        c.setSeriesData(s, {{0, 1}, {0.5, 2}, {1, 1}});
        QVERIFY(waitDecimated(c));
        QElapsedTimer t;
        t.start();
        c.setSeriesData(s, {{0, 1}, {50'000, 900}, {100'000, 5}});
        QCoreApplication::processEvents();
        qInfo("range change laid out in %lld ms", t.elapsed());
        QVERIFY2(t.elapsed() < 150, qPrintable(QString::number(t.elapsed()))); // 370 ms without the fix
        QCOMPARE(c.xAxis()->tickType(), QValueAxis::TicksDynamic);
        QCOMPARE(c.xAxis()->tickInterval(), 20'000.0);
        QVERIFY(tickLabels(c.xAxis()).size() >= 3);
    }

    void readoutFitsThePlot()
    {
        // 40 series: the readout keeps to the plot's height — the series
        // nearest the cursor, and how many more there are.
        TimeSeriesChart c;
        show(c, QSize(600, 300));
        for (int i = 0; i < 40; ++i)
            c.setSeriesData(c.addSeries(QStringLiteral("s%1").arg(i)), {{0, double(i)}, {10, double(i)}});
        QVERIFY(waitDecimated(c));
        const QRectF plot = c.chart()->plotArea();
        const QPointF near39 = c.chart()->mapToPosition(QPointF(5, 39 / c.yScale().factor), c.lineSeries(0));
        const QString text = c.crosshairAt(c.chartView()->mapFromScene(c.chart()->mapToScene(QPointF(plot.center().x(), near39.y()))));
        const QStringList lines = text.split(QLatin1Char('\n'));
        QVERIFY2(lines.size() < 40 && lines.size() * QFontMetricsF(c.theme().labelFont).lineSpacing() <= plot.height(), qPrintable(text));
        QVERIFY2(lines.last().contains(QLatin1String("more")), qPrintable(lines.last()));
        QVERIFY2(text.contains(QLatin1String("s39: 39")) && !text.contains(QLatin1String("s0: 0")), qPrintable(text));
    }

    void paletteAndPens()
    {
        const ChartTheme t = ChartTheme::light();
        QSet<QRgb> colours;
        for (int i = 0; i < 12; ++i) {
            colours.insert(t.seriesColor(i).rgb());
            QCOMPARE(t.seriesPen(i).style(), Qt::SolidLine);
        }
        QCOMPARE(colours.size(), 12);
        QVERIFY(!colours.contains(t.background.rgb()));
        // Past the palette: the same colours again, dashed, then dotted.
        QCOMPARE(t.seriesPen(12).color(), t.seriesColor(0));
        QCOMPARE(t.seriesPen(12).style(), Qt::DashLine);
        QCOMPARE(t.seriesPen(25).style(), Qt::DotLine);
        QSet<QRgb> dark;
        for (int i = 0; i < 12; ++i)
            dark.insert(ChartTheme::dark().seriesColor(i).rgb());
        QCOMPARE(dark.size(), 12);
        QVERIFY(!dark.contains(ChartTheme::dark().background.rgb()));
    }

    void legendWrapsWholeNames()
    {
        TimeSeriesChart c;
        show(c, QSize(640, 420));
        QStringList names;
        for (int conc : {1, 4, 16})
            for (int pipe : {1, 4, 16, 64})
                names << QStringLiteral("concurrency=%1, pipeline=%2").arg(conc).arg(pipe);
        for (const QString &n : names) {
            const int i = c.addSeries(n);
            c.setSeriesData(i, {{0, 1.0 + i}, {1, 2.0 + i}, {2, 3.0 + i}});
        }
        QVERIFY(waitDecimated(c));
        ChartLegend *legend = c.legend();
        QCOMPARE(legend->entries().size(), 12);
        for (int i = 0; i < 12; ++i) {
            QCOMPARE(legend->entries()[i].name, names[i]); // whole, never "t…"
            QCOMPARE(legend->entries()[i].pen, ChartTheme::light().seriesPen(i));
        }
        // Entries wrap into rows inside the legend's width …
        const double width = legend->viewport()->width();
        const QList<QRectF> rects = ChartLegend::layout(legend->entries(), c.theme().labelFont, width);
        for (const QRectF &r : rects)
            QVERIFY2(r.right() <= width, qPrintable(QString::number(r.right())));
        QVERIFY(legend->rowCount() >= 3);
        // … and past 3 rows the legend scrolls instead of squeezing the plot.
        const double all = ChartLegend::heightFor(legend->entries(), c.theme().labelFont, width);
        QVERIFY(legend->height() < all);
        QVERIFY(legend->widget()->height() >= int(all) - 1);
        QVERIFY(c.chart()->plotArea().height() > 150);
        // The figure shows every entry.
        QImage img(c.size(), QImage::Format_ARGB32);
        img.fill(Qt::white);
        QPainter p(&img);
        c.renderFigure(&p, QRectF(QPointF(0, 0), QSizeF(c.size())));
        p.end();
        QVERIFY(!img.isNull());
    }

    void linesBreakAtGapsAndNaN()
    {
        TimeSeriesChart c;
        show(c);
        const int s = c.addSeries(QStringLiteral("rate"));
        // Two trials one after another with 30 s without data between them,
        // and a NaN (a row that lacked the field) inside the second.
        QList<QPointF> pts;
        for (int t = 0; t < 20; ++t)
            pts << QPointF(t, 100);
        for (int t = 50; t < 70; ++t)
            pts << QPointF(t, t == 60 ? std::nan("") : 200.0);
        c.setSeriesData(s, pts);
        QVERIFY(waitDecimated(c));
        const auto segs = c.shownSegments(s);
        QCOMPARE(segs.size(), 3);
        QCOMPARE(segs[0].last().x(), 19.0);
        QCOMPARE(segs[1].first().x(), 50.0);
        QCOMPARE(segs[1].last().x(), 59.0);
        QCOMPARE(segs[2].first().x(), 61.0);
        // Segments share the series' pen and visibility.
        QCOMPARE(c.chart()->series().size(), 3);
        for (QAbstractSeries *a : c.chart()->series())
            QCOMPARE(static_cast<QLineSeries *>(a)->pen(), c.theme().seriesPen(0));
        c.setSeriesVisible(s, false);
        for (QAbstractSeries *a : c.chart()->series())
            QVERIFY(!a->isVisible());
        c.setSeriesVisible(s, true);
        // Live appends after a gap start a new segment too.
        c.appendPoints(s, {QPointF(100, 150), QPointF(101, 150), QPointF(102, 150)});
        QVERIFY(waitDecimated(c));
        QCOMPARE(c.shownSegments(s).size(), 4);
        // The pure function: evenly spaced points never break.
        QList<QPointF> even;
        for (int i = 0; i < 100; ++i)
            even << QPointF(i * 0.5, i);
        QCOMPARE(splitAtGaps(even, gapThreshold(even)).size(), 1);
        QCOMPARE(gapThreshold(even), 1.5);
    }

    void logAxisForLatency()
    {
        TimeSeriesChart c;
        show(c);
        c.setAxisTitles(QStringLiteral("Time since start (s)"), QStringLiteral("Latency"));
        c.setYUnit(Unit::Seconds);
        c.setLogYAvailable(true);
        QVERIFY(c.logToggle()->isVisibleTo(&c));
        // Never under the chart's Export… button (top-right, on hover).
        if (auto *exportButton = c.findChild<QToolButton *>(QStringLiteral("exportChartButton"))) {
            const QRect logRect(c.logToggle()->mapTo(&c, QPoint(0, 0)), c.logToggle()->sizeHint());
            const QRect exportRect(QPoint(c.width() - exportButton->sizeHint().width() - 4, 4), exportButton->sizeHint());
            QVERIFY(!logRect.intersects(exportRect));
        }
        const int p50 = c.addSeries(QStringLiteral("p50"));
        const int max = c.addSeries(QStringLiteral("max"));
        QList<QPointF> a, b;
        for (int t = 0; t < 30; ++t) {
            a << QPointF(t, 2e-4);                   // 200 µs
            b << QPointF(t, t == 0 ? 0.0 : 0.05);    // 50 ms, and a 0 the log axis cannot show
        }
        c.setSeriesData(p50, a);
        c.setSeriesData(max, b);
        QVERIFY(waitDecimated(c));
        QVERIFY(qobject_cast<QValueAxis *>(c.yAxis()));
        c.logToggle()->click();
        QVERIFY(c.isLogY());
        QVERIFY(waitDecimated(c));
        auto *log = qobject_cast<QLogValueAxis *>(c.yAxis());
        QVERIFY(log);
        QVERIFY(log->isVisible());
        QCOMPARE(log->titleText(), QStringLiteral("Latency (ms)"));
        // Whole decades covering p50 and max, at least 3 labels (10^k each).
        QVERIFY2(log->min() <= 0.2 && log->max() >= 50, qPrintable(QStringLiteral("%1..%2").arg(log->min()).arg(log->max())));
        QVERIFY(std::log10(log->max() / log->min()) >= 2 - 1e-9);
        for (QAbstractSeries *s : c.chart()->series()) {
            QCOMPARE(s->attachedAxes().size(), 2);
            QVERIFY(s->attachedAxes().contains(log));
        }
        // p50 sits well above the bottom instead of on it.
        QVERIFY(c.shownSegments(p50).first().first().y() > c.yMin() * 1.5);
        // The zero is left out on the log axis (no line to -infinity).
        for (const auto &seg : c.shownSegments(max))
            for (const QPointF &pt : seg)
                QVERIFY(pt.y() > 0);
        // Nothing positive at all (an idle error counter): still a finite
        // range of whole decades, no NaN.
        TimeSeriesChart zeros;
        show(zeros);
        zeros.setYUnit(Unit::Seconds);
        zeros.setSeriesData(zeros.addSeries(QStringLiteral("z")), {{0, 0}, {1, 0}, {2, -1}});
        zeros.setLogY(true);
        QVERIFY(zeros.yMin() > 0 && std::isfinite(zeros.yMax()) && zeros.yMax() >= 100 * zeros.yMin());

        c.logToggle()->click();
        QVERIFY(!c.isLogY());
        QVERIFY(qobject_cast<QValueAxis *>(c.yAxis()));
        QVERIFY(!log->isVisible());
        QVERIFY(waitDecimated(c));
        QCOMPARE(c.shownSegments(max).first().first().y(), 0.0);
    }

    void emptyErrorsPanelSaysNoErrors()
    {
        const DashboardSpec spec = DashboardSpec::forWorkload(QStringLiteral("redis"));
        Dashboard d(spec);
        d.resize(900, 600);
        d.show();
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        TimeSeriesChart *errors = d.panel(3);
        QCOMPARE(errors->title(), QStringLiteral("Errors/s"));
        QVERIFY(errors->isEmptyTextShown()); // no data at all
        const int s = errors->addSeries(QStringLiteral("errors"));
        errors->setSeriesData(s, {{0, 0}, {1, 0}, {2, 0}});
        QVERIFY(errors->isEmptyTextShown()); // zeros only
        errors->appendPoints(s, {{3, 2}});
        QVERIFY(!errors->isEmptyTextShown());
        QVERIFY(!d.panel(0)->isEmptyTextShown()); // other panels have no such text
        // Units and log toggles per panel kind.
        QCOMPARE(d.panel(0)->yUnit(), Unit::PerSecond);
        QCOMPARE(d.panel(2)->yUnit(), Unit::Seconds);
        QVERIFY(d.panel(2)->logToggle()->isVisibleTo(d.panel(2)));
        QVERIFY(!d.panel(0)->logToggle()->isVisibleTo(d.panel(0)));
        QCOMPARE(d.panel(0)->xAxis()->titleText(), QStringLiteral("Time since start (s)"));
    }

    void liveStartMovesToTheClients()
    {
        // The live view's x = 0 moves to where the trial's clients started
        // (SessionLiveMonitor, step "clients"): what was drawn goes.
        Dashboard d(DashboardSpec::forWorkload(QStringLiteral("redis")));
        TimeSeriesChart *c = d.panel(0);
        const int s = c->addSeries(QStringLiteral("get"));
        c->setSeriesData(s, {{0, 1}, {1, 2}});
        const QDateTime t = QDateTime::currentDateTimeUtc();
        d.setLiveStart(t);
        QCOMPARE(d.liveStart(), t);
        QCOMPARE(c->pointCount(s), qsizetype(0));
        QVERIFY(c->isFollowing());
    }

    void rateWindowFollowsScrapeInterval()
    {
        QCOMPARE(Dashboard::rateInterval(1.0), QStringLiteral("4000ms"));
        QCOMPARE(Dashboard::rateInterval(0.25), QStringLiteral("1000ms"));
        QCOMPARE(Dashboard::rateInterval(15), QStringLiteral("60000ms"));
        QCOMPARE(Dashboard::expandQuery(QStringLiteral("sum(irate(x[$__rate_interval]))"), 2),
                 QStringLiteral("sum(irate(x[8000ms]))"));
        // Every default live query uses the scrape-following window, never a
        // fixed one, and irate (no averaging ramp).
        for (const char *w : {"llm", "redis", "database", "storage", "vector", "other"})
            for (const DashboardPanel &p : DashboardSpec::forWorkload(QLatin1String(w)).panels)
                for (const DashboardQuery &q : p.live) {
                    QVERIFY2(!q.promql.contains(QLatin1String("[10s]")), qPrintable(q.promql));
                    QVERIFY2(!q.promql.contains(QLatin1String(" rate(")) && !q.promql.contains(QLatin1String("(rate(")),
                             qPrintable(q.promql));
                }
    }
};

QTEST_MAIN(TestReadableCharts)
#include "tst_readablecharts.moc"
