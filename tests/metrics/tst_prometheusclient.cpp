// Tests fb::metrics::PrometheusClient against a real Prometheus (the Debian
// binary, started by the `prometheus` CTest fixture, tests/services/prometheus.sh,
// scraping itself and a node exporter every second). No mock: every answer and
// every error text below comes from Prometheus itself.
#include "metrics/PrometheusClient.h"

#include <QDateTime>
#include <QFile>
#include <QSet>
#include <QTcpServer>
#include <QTest>

#include <cmath>

using namespace fb::metrics;

class TestPrometheusClient : public QObject
{
    Q_OBJECT
private:
    QUrl m_url;

    static QString fixtureFile(const char *name)
    {
        QFile f(qEnvironmentVariable("FB_PROMETHEUS_DIR") + QLatin1Char('/') + QLatin1String(name));
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return QString::fromLatin1(f.readAll()).trimmed();
    }

    // Waits for the future while the event loop runs (QNAM delivers there).
    static PrometheusResponse wait(QFuture<PrometheusResponse> f)
    {
        if (!QTest::qWaitFor([&] { return f.isFinished(); }, 20000))
            qFatal("Prometheus request did not finish within 20 s");
        if (f.isCanceled() || f.resultCount() == 0)
            return {};
        return f.result();
    }

private slots:
    void initTestCase()
    {
        const QString port = fixtureFile("prometheus.port");
        QVERIFY2(!port.isEmpty(), "FB_PROMETHEUS_DIR/prometheus.port missing: is the prometheus fixture up?");
        m_url = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
    }

    void stepForWidth()
    {
        // One point per pixel, whole seconds, never below the floor, never
        // more than 11,000 points.
        QCOMPARE(PrometheusClient::stepForWidth(3600, 800), 5.0);   // 4.5 s → 5 s
        QCOMPARE(PrometheusClient::stepForWidth(60, 800), 1.0);     // floor 1 s
        QCOMPARE(PrometheusClient::stepForWidth(60, 800, 0.05), 0.075);
        QCOMPARE(PrometheusClient::stepForWidth(86400 * 30, 100000), 236.0); // 11,000-point cap
        QCOMPARE(PrometheusClient::stepForWidth(0, 800), 1.0);
        QCOMPARE(PrometheusClient::stepForWidth(100, 0), 100.0);   // width clamped to 1
    }

    void instantQuery()
    {
        PrometheusClient c(m_url);
        const PrometheusResponse r = wait(c.query(QStringLiteral("up")));
        QVERIFY2(r.ok, qPrintable(r.errorText()));
        QCOMPARE(r.httpStatus, 200);
        QCOMPARE(r.resultType, QStringLiteral("vector"));
        QSet<QString> jobs;
        for (const PrometheusSeries &s : r.series) {
            jobs << s.labels.value(QStringLiteral("job"));
            QCOMPARE(s.labels.value(QStringLiteral("__name__")), QStringLiteral("up"));
            QCOMPARE(s.points.size(), 1);
            QCOMPARE(s.points[0].y(), 1.0);
            // The sample time is "now" in Unix seconds.
            QVERIFY(std::abs(s.points[0].x() - QDateTime::currentSecsSinceEpoch()) < 60);
        }
        QCOMPARE(jobs, (QSet<QString>{QStringLiteral("prometheus"), QStringLiteral("node")}));
    }

    void scalarAndPlusSign()
    {
        // '+' must reach Prometheus as a plus, not a form-encoded space.
        PrometheusClient c(m_url);
        const PrometheusResponse r = wait(c.query(QStringLiteral("1+2*3")));
        QVERIFY2(r.ok, qPrintable(r.errorText()));
        QCOMPARE(r.resultType, QStringLiteral("scalar"));
        QCOMPARE(r.series.size(), 1);
        QCOMPARE(r.series[0].points[0].y(), 7.0);

        const PrometheusResponse s = wait(c.query(QStringLiteral("\"a b+c\"")));
        QVERIFY2(s.ok, qPrintable(s.errorText()));
        QCOMPARE(s.resultType, QStringLiteral("string"));
        QCOMPARE(s.values, QStringList{QStringLiteral("a b+c")});
    }

    void queryAtTime()
    {
        PrometheusClient c(m_url);
        const QDateTime at = QDateTime::fromSecsSinceEpoch(1700000000);
        const PrometheusResponse r = wait(c.query(QStringLiteral("time()"), at));
        QVERIFY2(r.ok, qPrintable(r.errorText()));
        QCOMPARE(r.series[0].points[0].y(), 1700000000.0);
        QCOMPARE(r.series[0].points[0].x(), 1700000000.0);
    }

    void queryRange()
    {
        PrometheusClient c(m_url);
        // The fixture may have just started: wait for a few scrapes (1 s apart).
        QVERIFY(QTest::qWaitFor([&] {
            const PrometheusResponse n = wait(c.query(QStringLiteral("count_over_time(up{job=\"prometheus\"}[1m])")));
            return n.ok && !n.series.isEmpty() && n.series[0].points[0].y() >= 4;
        }, 15000));
        const QDateTime end = QDateTime::currentDateTimeUtc();
        const QDateTime start = end.addSecs(-10);
        const PrometheusResponse r = wait(c.queryRange(QStringLiteral("up{job=\"prometheus\"}"), start, end, 0.5));
        QVERIFY2(r.ok, qPrintable(r.errorText()));
        QCOMPARE(r.resultType, QStringLiteral("matrix"));
        QCOMPARE(r.series.size(), 1);
        QCOMPARE(r.stepSeconds, 0.5);
        const QList<QPointF> &p = r.series[0].points;
        QVERIFY2(p.size() >= 2, qPrintable(QString::number(p.size())));
        QVERIFY(p.size() <= 21);
        for (qsizetype i = 1; i < p.size(); ++i)
            QCOMPARE(p[i].x() - p[i - 1].x(), 0.5);
        for (const QPointF &pt : p)
            QCOMPARE(pt.y(), 1.0);
    }

    void queryRangeForWidth()
    {
        // 10 minutes on 30 px: a 20 s step, so at most 31 points come back.
        PrometheusClient c(m_url);
        const QDateTime end = QDateTime::currentDateTimeUtc();
        const PrometheusResponse r =
            wait(c.queryRangeForWidth(QStringLiteral("vector(1)"), end.addSecs(-600), end, 30));
        QVERIFY2(r.ok, qPrintable(r.errorText()));
        QCOMPARE(r.stepSeconds, 20.0);
        QCOMPARE(r.series.size(), 1);
        QVERIFY(r.series[0].points.size() >= 30 && r.series[0].points.size() <= 31);
        QCOMPARE(r.series[0].points[1].x() - r.series[0].points[0].x(), 20.0);
    }

    void nanAndInfValues()
    {
        PrometheusClient c(m_url);
        const PrometheusResponse r = wait(c.query(QStringLiteral("vector(0/0) or label_replace(vector(1/0),\"k\",\"inf\",\"\",\"\")")));
        QVERIFY2(r.ok, qPrintable(r.errorText()));
        QCOMPARE(r.series.size(), 2);
        int nan = 0, inf = 0;
        for (const PrometheusSeries &s : r.series) {
            nan += std::isnan(s.points[0].y());
            inf += std::isinf(s.points[0].y());
        }
        QCOMPARE(nan, 1);
        QCOMPARE(inf, 1);
    }

    void series()
    {
        PrometheusClient c(m_url);
        const PrometheusResponse r = wait(c.series({QStringLiteral("up"), QStringLiteral("scrape_samples_scraped{job=\"node\"}")},
                                                   QDateTime::currentDateTimeUtc().addSecs(-300),
                                                   QDateTime::currentDateTimeUtc()));
        QVERIFY2(r.ok, qPrintable(r.errorText()));
        QCOMPARE(r.labelSets.size(), 3);
        int up = 0;
        for (const auto &ls : r.labelSets) {
            QVERIFY(ls.contains(QStringLiteral("instance")));
            up += ls.value(QStringLiteral("__name__")) == QLatin1String("up");
        }
        QCOMPARE(up, 2);
    }

    void labelsAndValues()
    {
        PrometheusClient c(m_url);
        const PrometheusResponse r = wait(c.labels());
        QVERIFY2(r.ok, qPrintable(r.errorText()));
        for (const char *l : {"__name__", "job", "instance", "le"})
            QVERIFY2(r.values.contains(QLatin1String(l)), l);

        const PrometheusResponse v = wait(c.labelValues(QStringLiteral("job")));
        QVERIFY2(v.ok, qPrintable(v.errorText()));
        QCOMPARE(v.values, (QStringList{QStringLiteral("node"), QStringLiteral("prometheus")}));

        const PrometheusResponse names = wait(c.labelValues(QStringLiteral("__name__")));
        QVERIFY(names.values.contains(QStringLiteral("node_load1")));
        QVERIFY(names.values.contains(QStringLiteral("prometheus_build_info")));
    }

    void prometheusErrorsVerbatim_data()
    {
        QTest::addColumn<QString>("promql");
        QTest::addColumn<QString>("errorType");
        QTest::addColumn<QString>("contains");
        QTest::newRow("unclosed paren") << QStringLiteral("sum(up") << QStringLiteral("bad_data")
                                        << QStringLiteral("1:7: parse error: unclosed left parenthesis");
        QTest::newRow("unknown function") << QStringLiteral("nosuchfn(up)") << QStringLiteral("bad_data")
                                          << QStringLiteral("unknown function with name \"nosuchfn\"");
        QTest::newRow("range in instant position") << QStringLiteral("up[5m] + 1") << QStringLiteral("bad_data")
                                                   << QStringLiteral("binary expression must contain only scalar and instant vector types");
    }

    void prometheusErrorsVerbatim()
    {
        QFETCH(QString, promql);
        QFETCH(QString, errorType);
        QFETCH(QString, contains);
        PrometheusClient c(m_url);
        const PrometheusResponse r = wait(c.query(promql));
        QVERIFY(!r.ok);
        QCOMPARE(r.httpStatus, 400);
        QCOMPARE(r.errorType, errorType);
        QVERIFY2(r.error.contains(contains), qPrintable(r.error));
        QCOMPARE(r.errorText(), errorType + QStringLiteral(": ") + r.error);
    }

    void rangeErrorVerbatim()
    {
        PrometheusClient c(m_url);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const PrometheusResponse r = wait(c.queryRange(QStringLiteral("up"), now, now.addSecs(-60), 1));
        QVERIFY(!r.ok);
        QCOMPARE(r.errorType, QStringLiteral("bad_data"));
        QVERIFY2(r.error.contains(QLatin1String("end timestamp must not be before start time")), qPrintable(r.error));

        // Too many points: Prometheus's own limit message, unchanged.
        const PrometheusResponse t = wait(c.queryRange(QStringLiteral("up"), now.addDays(-1), now, 1));
        QVERIFY(!t.ok);
        QVERIFY2(t.error.contains(QLatin1String("exceeded maximum resolution of 11,000 points")), qPrintable(t.error));
    }

    void httpAndNetworkErrors()
    {
        // Wrong path prefix: Prometheus answers 404 with a plain-text body.
        PrometheusClient wrongPrefix(QUrl(m_url.toString() + QStringLiteral("/nope/")));
        const PrometheusResponse h = wait(wrongPrefix.labels());
        QVERIFY(!h.ok);
        QCOMPARE(h.httpStatus, 404);
        QCOMPARE(h.errorType, QStringLiteral("http"));
        QVERIFY2(h.error.contains(QLatin1String("/nope/api/v1/labels")), qPrintable(h.error));

        // A port nobody listens on (a dead tunnel): a network error.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close();
        PrometheusClient dead(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)));
        const PrometheusResponse n = wait(dead.query(QStringLiteral("up")));
        QVERIFY(!n.ok);
        QCOMPARE(n.httpStatus, 0);
        QCOMPARE(n.errorType, QStringLiteral("network"));
        QVERIFY2(n.error.contains(QLatin1String("refused"), Qt::CaseInsensitive), qPrintable(n.error));

        // A web server that is not Prometheus (its /metrics page is not API JSON).
        PrometheusClient notApi(QUrl(m_url.toString() + QStringLiteral("/metrics?x=")));
        const PrometheusResponse j = wait(notApi.labels());
        QVERIFY(!j.ok);
        QVERIFY2(j.errorType == QLatin1String("http") || j.errorType == QLatin1String("json"), qPrintable(j.errorType));
    }

    void destroyingClientCancels()
    {
        QFuture<PrometheusResponse> f;
        {
            PrometheusClient c(m_url);
            f = c.queryRange(QStringLiteral("up"), QDateTime::currentDateTimeUtc().addSecs(-60),
                             QDateTime::currentDateTimeUtc(), 1);
        }
        QVERIFY(QTest::qWaitFor([&] { return f.isFinished(); }, 5000));
        QVERIFY(f.isCanceled());
    }
};

QTEST_GUILESS_MAIN(TestPrometheusClient)
#include "tst_prometheusclient.moc"
