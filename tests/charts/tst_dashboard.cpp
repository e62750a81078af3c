// Tests fb::charts::Dashboard: the default panels per workload, result mode
// on real fbload result documents (overlaid runs), live mode against the real
// Prometheus of the `prometheus` fixture (the panels receive points while
// Prometheus keeps scraping; PromQL errors arrive verbatim), and export of a
// whole dashboard. FB_UPDATE_SCREENSHOTS=1 refreshes
// docs/screenshots/chart-dashboard.png.
#include "ChartExport.h"
#include "Dashboard.h"
#include "TimeSeriesChart.h"

#include "metrics/PrometheusClient.h"
#include "metrics/ResultDocument.h"

#include <QFile>
#include <QImage>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QtCharts/QAbstractAxis>
#include <QtCharts/QLineSeries>

using namespace fb::charts;
using fb::metrics::ResultDocument;

namespace {
ResultDocument result(const char *name)
{
    QString err;
    auto d = ResultDocument::load(QStringLiteral(FB_SOURCE_DIR "/tests/metrics/data/results/") + QLatin1String(name), &err);
    if (!d)
        qFatal("%s", qPrintable(err));
    return *d;
}

QStringList seriesNames(const TimeSeriesChart *c)
{
    QStringList n;
    for (int i = 0; i < c->seriesCount(); ++i)
        n << c->seriesName(i);
    return n;
}
} // namespace

class TestDashboard : public QObject
{
    Q_OBJECT
private slots:
    void defaultPanels()
    {
        const DashboardSpec llm = DashboardSpec::forWorkload(QStringLiteral("llm"));
        QStringList titles;
        for (const DashboardPanel &p : llm.panels)
            titles << p.title;
        QCOMPARE(titles, (QStringList{QStringLiteral("Requests/s"), QStringLiteral("Tokens/s"), QStringLiteral("TTFT / ITL"),
                                      QStringLiteral("E2E latency"), QStringLiteral("GPU utilisation"),
                                      QStringLiteral("GPU memory used")}));
        QCOMPARE(DashboardSpec::forWorkload(QStringLiteral("redis")).panels.size(), 4);
        QCOMPARE(DashboardSpec::forWorkload(QStringLiteral("postgres")).title, QStringLiteral("Database"));
        QCOMPARE(DashboardSpec::forWorkload(QStringLiteral("storage")).panels[1].title, QStringLiteral("IOPS"));
        QCOMPARE(DashboardSpec::forWorkload(QStringLiteral("vector")).panels.size(), 3);
        QCOMPARE(DashboardSpec::forWorkload(QStringLiteral("http")).panels.size(), 3);
        // Every live query is valid PromQL as far as Prometheus is concerned
        // is checked in live(); here: every panel has something to show.
        for (const char *w : {"llm", "redis", "database", "storage", "vector", "other"})
            for (const DashboardPanel &p : DashboardSpec::forWorkload(QLatin1String(w)).panels)
                QVERIFY2(!p.live.isEmpty() || !p.result.isEmpty(), qPrintable(p.title));
    }

    void resultMode()
    {
        const ResultDocument r1 = result("r1.json");
        const ResultDocument r3 = result("r3-c16.json");
        Dashboard d(DashboardSpec::forWorkload(r1.workload()));
        d.resize(1000, 600);
        d.show();
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        d.showResults({r1, r3});
        TimeSeriesChart *rate = d.panel(0);
        // One series per document, named by the document's label alone in a
        // one-column panel, "label · column" where a panel has several.
        QCOMPARE(seriesNames(rate), (QStringList{QStringLiteral("r1"), QStringLiteral("r3")}));
        QCOMPARE(rate->pointCount(0), r1.timeseries.t.size());
        QCOMPARE(rate->pointCount(1), r3.timeseries.t.size());
        // Latency columns converted from ms to seconds.
        TimeSeriesChart *lat = d.panel(2);
        QVERIFY(seriesNames(lat).contains(QStringLiteral("r1 · p99")));
        const QList<QPointF> p99 = r1.timeseries.series(QStringLiteral("latency_p99_ms"));
        QVERIFY(QTest::qWaitFor([&] { return !lat->isDecimationPending(); }, 5000));
        const auto shown = lat->shownSegments(int(seriesNames(lat).indexOf(QStringLiteral("r1 · p99"))));
        QVERIFY(!shown.isEmpty());
        QCOMPARE(shown.last().last().y(), p99.last().y() * 1e-3);
        // Drawn in the axis's scale: milliseconds, named in the title.
        QCOMPARE(lat->yScale().suffix, QStringLiteral("ms"));
        QCOMPARE(lat->yAxis()->titleText(), QStringLiteral("Latency (ms)"));

        // Overlaid runs whose labels share leading words are told apart by
        // the rest in the legends; the heading follows setTitle.
        ResultDocument a = r1, b = r3;
        a.run.insert(QStringLiteral("label"), QStringLiteral("local-redis Nov 23 16:42"));
        b.run.insert(QStringLiteral("label"), QStringLiteral("local-redis Nov 23 17:32"));
        Dashboard named(DashboardSpec::forWorkload(r1.workload()));
        named.showResults({a, b});
        QCOMPARE(seriesNames(named.panel(0)), (QStringList{QStringLiteral("16:42"), QStringLiteral("17:32")}));
        named.setTitle(QStringLiteral("Compare"));
        QCOMPARE(named.findChild<QLabel *>(QStringLiteral("dashboardTitle"))->text(), QStringLiteral("Compare"));

        // Linked x axes: zooming one panel zooms the others.
        rate->zoomToX(0, 1);
        QCOMPARE(d.panel(3)->xMin(), 0.0);
        QCOMPARE(d.panel(3)->xMax(), 1.0);
        rate->resetZoom();

        // The whole dashboard exports as one figure.
        QTemporaryDir tmp;
        QString err;
        for (const char *ext : {"png", "svg", "pdf", "csv"})
            QVERIFY2(exportChart(&d, tmp.filePath(QStringLiteral("dash.") + QLatin1String(ext)), {}, &err), qPrintable(err));
        const QImage img(tmp.filePath(QStringLiteral("dash.png")));
        QCOMPARE(img.size(), QSize(1563, 938)); // 1000 × 600 at 150 DPI
        QFile csv(tmp.filePath(QStringLiteral("dash.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QByteArray c = csv.readAll();
        QVERIFY(c.startsWith("panel,series,x,y\nRequests/s,r1,"));
        QVERIFY(QFile(tmp.filePath(QStringLiteral("dash.pdf"))).size() > 5000);
        if (qEnvironmentVariableIntValue("FB_UPDATE_SCREENSHOTS")) {
            const QString shot = QStringLiteral(FB_SOURCE_DIR "/docs/screenshots/chart-dashboard.png");
            QFile::remove(shot);
            ExportOptions o;
            o.dpi = 96;
            QVERIFY2(exportPng(&d, shot, o, &err), qPrintable(err));
        }
    }

    void live()
    {
        QFile portFile(qEnvironmentVariable("FB_PROMETHEUS_DIR") + QStringLiteral("/prometheus.port"));
        QVERIFY2(portFile.open(QIODevice::ReadOnly), "prometheus fixture not up");
        const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(QString::fromLatin1(portFile.readAll().trimmed())));
        fb::metrics::PrometheusClient client(url);

        DashboardSpec spec;
        spec.title = QStringLiteral("Live");
        spec.panels << DashboardPanel{QStringLiteral("Samples scraped"), QStringLiteral("samples"),
                                      {{QStringLiteral("{{job}}"), QStringLiteral("scrape_samples_scraped")}}, {}}
                    << DashboardPanel{QStringLiteral("Broken"), QString(),
                                      {{QStringLiteral("x"), QStringLiteral("sum(up")}}, {}};
        // The default redis dashboard's queries must be valid PromQL too.
        for (const DashboardPanel &p : DashboardSpec::forWorkload(QStringLiteral("llm")).panels)
            spec.panels << p;
        Dashboard d(spec);
        d.resize(900, 700);
        d.show();
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        QSignalSpy points(&d, &Dashboard::livePointsReceived);
        QSignalSpy errors(&d, &Dashboard::liveError);
        const QDateTime start = QDateTime::currentDateTimeUtc().addSecs(-20);
        d.startLive(&client, start, 500);
        QVERIFY(d.isLive());

        // Points keep arriving while Prometheus keeps scraping: the series
        // of panel 0 grows across polls.
        auto panel0Points = [&] {
            return d.panel(0)->seriesCount() ? d.panel(0)->pointCount(0) : qsizetype(0);
        };
        QVERIFY(QTest::qWaitFor([&] { return panel0Points() > 0; }, 10000));
        const qsizetype first = panel0Points();
        QVERIFY(QTest::qWaitFor([&] { return panel0Points() > first; }, 15000));
        QCOMPARE(seriesNames(d.panel(0)).size(), 2);
        QVERIFY(seriesNames(d.panel(0)).contains(QStringLiteral("prometheus")));
        QVERIFY(seriesNames(d.panel(0)).contains(QStringLiteral("node")));
        // x: seconds since the given start, so the latest point is ~20 s in.
        const double lastX = d.panel(0)->xMax();
        QVERIFY2(lastX > 15 && lastX < 60, qPrintable(QString::number(lastX)));

        // The broken query's error, as Prometheus worded it; no other errors
        // (the LLM panels' queries parse, they just have no data here).
        QVERIFY(!errors.isEmpty());
        QSet<QString> distinct;
        for (const QList<QVariant> &e : errors)
            distinct << e.first().toString();
        QCOMPARE(distinct.size(), 1);
        QVERIFY2(d.lastError().startsWith(QLatin1String("Broken: bad_data: ")), qPrintable(d.lastError()));
        QVERIFY2(d.lastError().contains(QLatin1String("unclosed left parenthesis")), qPrintable(d.lastError()));

        d.stopLive();
        QVERIFY(!d.isLive());
    }

    void liveFbload()
    {
        // Registered as its own CTest test (tst_dashboard_fbload) with the
        // fbload_live fixture: a real fbload driving a local redis-server at
        // 300 requests/s, scraped by a real Prometheus every second.
        const QString dir = qEnvironmentVariable("FB_FBLOAD_LIVE_DIR");
        if (dir.isEmpty())
            QSKIP("runs as tst_dashboard_fbload, with the fbload_live fixture");
        QFile portFile(dir + QStringLiteral("/prometheus.port"));
        QVERIFY2(portFile.open(QIODevice::ReadOnly), qPrintable(portFile.fileName()));
        fb::metrics::PrometheusClient client(
            QUrl(QStringLiteral("http://127.0.0.1:%1").arg(QString::fromLatin1(portFile.readAll().trimmed()))));

        // The trial's start as the live view knows it: the first scrape of
        // fbload (Prometheus starts after fbload in the fixture).
        QDateTime firstScrape;
        {
            const QDateTime now = QDateTime::currentDateTimeUtc();
            auto f = client.queryRange(QStringLiteral("fbload_up"), now.addSecs(-3000), now, 1.0);
            QVERIFY(QTest::qWaitFor([&] { return f.isFinished(); }, 10000));
            const fb::metrics::PrometheusResponse r = f.result();
            QVERIFY2(r.ok && !r.series.isEmpty() && !r.series.first().points.isEmpty(), qPrintable(r.errorText()));
            firstScrape = QDateTime::fromMSecsSinceEpoch(qint64(r.series.first().points.first().x() * 1000), Qt::UTC);
        }

        Dashboard d(DashboardSpec::forWorkload(QStringLiteral("redis")));
        d.resize(1000, 600);
        d.show();
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        QSignalSpy errors(&d, &Dashboard::liveError);
        constexpr double scrape = 1.0; // fbload_live.sh's scrape_interval
        d.startLive(&client, firstScrape, 500, scrape);

        // Requests/s by operation: "get" and "set" series appear and grow
        // while fbload keeps running.
        TimeSeriesChart *rate = d.panel(0);
        auto points = [&](const QString &name) {
            const int i = seriesNames(rate).indexOf(name);
            return i < 0 ? qsizetype(0) : rate->pointCount(i);
        };
        QVERIFY2(QTest::qWaitFor([&] { return points(QStringLiteral("get")) >= 2 && points(QStringLiteral("set")) >= 2; }, 30000),
                 qPrintable(seriesNames(rate).join(QLatin1Char(','))));
        const qsizetype before = points(QStringLiteral("get"));
        QVERIFY(QTest::qWaitFor([&] { return points(QStringLiteral("get")) > before; }, 15000));
        // The rate window follows the scrape interval: the first point comes
        // within 2 scrape intervals of the start (the step of the query
        // aside), and it already reads fbload's constant 300 requests/s — no
        // ramp while an averaging window fills (a 10 s rate() window read
        // ~45/s one second in).
        QVERIFY(QTest::qWaitFor([&] { return !rate->isDecimationPending(); }, 5000));
        {
            const double step = fb::metrics::PrometheusClient::stepForWidth(
                double(firstScrape.msecsTo(QDateTime::currentDateTimeUtc())) / 1000.0, rate->plotWidthPixels(), 1.0);
            double firstX = 1e9, firstTotal = 0;
            for (const QString &op : {QStringLiteral("get"), QStringLiteral("set")}) {
                const auto segs = rate->shownSegments(int(seriesNames(rate).indexOf(op)));
                QVERIFY(!segs.isEmpty());
                firstX = std::min(firstX, segs.first().first().x());
                firstTotal += segs.first().first().y();
            }
            QVERIFY2(firstX <= 2 * scrape + step, qPrintable(QStringLiteral("first point at %1 s, step %2 s").arg(firstX).arg(step)));
            QVERIFY2(firstTotal > 240 && firstTotal < 360, qPrintable(QStringLiteral("first rate %1/s").arg(firstTotal)));
        }
        // fbload runs at a constant 300 requests/s: the live rates add up to
        // about that.
        double total = 0;
        auto lastTotal = [&] {
            if (rate->isDecimationPending())
                return false;
            const auto get = rate->shownSegments(int(seriesNames(rate).indexOf(QStringLiteral("get"))));
            const auto set = rate->shownSegments(int(seriesNames(rate).indexOf(QStringLiteral("set"))));
            total = (get.isEmpty() ? 0 : get.last().last().y()) + (set.isEmpty() ? 0 : set.last().last().y());
            return total > 250 && total < 350;
        };
        QVERIFY2(QTest::qWaitFor(lastTotal, 30000), qPrintable(QString::number(total)));
        // p99 per operation comes from fbload's histogram buckets; fbload's
        // /metrics has one latency histogram for all operations (no "op"
        // label), so the panel shows one series, "all p99".
        QVERIFY2(QTest::qWaitFor([&] { return seriesNames(d.panel(1)).contains(QStringLiteral("all p99")); }, 10000),
                 qPrintable(seriesNames(d.panel(1)).join(QLatin1Char(','))));
        const int p99 = int(seriesNames(d.panel(1)).indexOf(QStringLiteral("all p99")));
        QVERIFY(QTest::qWaitFor([&] { return d.panel(1)->pointCount(p99) >= 2; }, 10000));
        QVERIFY2(errors.isEmpty(), qPrintable(d.lastError()));
        d.stopLive();
        if (qEnvironmentVariableIntValue("FB_UPDATE_SCREENSHOTS")) {
            QVERIFY(QTest::qWaitFor([&] { return !rate->isDecimationPending(); }, 5000));
            const QString shot = QStringLiteral(FB_SOURCE_DIR "/docs/screenshots/chart-dashboard-live.png");
            QFile::remove(shot);
            ExportOptions o;
            o.dpi = 96;
            QString err;
            QVERIFY2(exportPng(&d, shot, o, &err), qPrintable(err));
        }
    }
};

QTEST_MAIN(TestDashboard)
#include "tst_dashboard.moc"
