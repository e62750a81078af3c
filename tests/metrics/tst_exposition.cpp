// Tests the Prometheus text / OpenMetrics parser (fb::metrics::parseExposition):
// a table of valid and malformed expositions (malformed ones assert the line
// and column of the first error), real scrapes of Prometheus 2.42, node
// exporter 1.5 and a running fbload 0.1 (tests/metrics/data/exposition),
// and robustness against random garbage.
#include "metrics/Exposition.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QTest>

#include <cmath>

using namespace fb::metrics;

Q_DECLARE_METATYPE(fb::metrics::ExpositionFormat)

class TestExposition : public QObject
{
    Q_OBJECT
private:
    static QByteArray data(const QString &name)
    {
        QFile f(QStringLiteral(FB_TEST_SOURCE_DIR "/data/exposition/") + name);
        if (!f.open(QIODevice::ReadOnly))
            qFatal("cannot open %s", qPrintable(f.fileName()));
        return f.readAll();
    }

private slots:
    void cases_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<ExpositionFormat>("format");
        QTest::addColumn<int>("errorLine");   // 0: valid
        QTest::addColumn<int>("errorColumn"); // -1: not checked
        QTest::addColumn<int>("samples");     // -1: not checked
        QTest::addColumn<int>("families");    // -1: not checked
        const auto A = ExpositionFormat::Auto;
        const auto P = ExpositionFormat::PrometheusText;
        const auto O = ExpositionFormat::OpenMetrics;
        auto valid = [](const char *tag, const QByteArray &t, ExpositionFormat f, int samples, int families) {
            QTest::newRow(tag) << t << f << 0 << -1 << samples << families;
        };
        auto bad = [](const char *tag, const QByteArray &t, ExpositionFormat f, int line, int column) {
            QTest::newRow(tag) << t << f << line << column << -1 << -1;
        };

        // ---- valid, Prometheus text format
        valid("empty", "", A, 0, 0);
        valid("only comments", "# just a comment\n#another\n", A, 0, 0);
        valid("untyped bare", "foo 1\n", A, 1, 1);
        valid("no trailing newline", "foo 1", A, 1, 1);
        valid("crlf", "foo 1\r\nbar 2\r\n", P, 2, 2);
        valid("blank lines", "\nfoo 1\n\n  \nbar 2\n", A, 2, 2);
        valid("counter", "# HELP c_total Requests.\n# TYPE c_total counter\nc_total 3\n", A, 1, 1);
        valid("counter with suffix", "# TYPE c counter\nc_total 3\nc_created 1.7e9\n", P, 2, 1);
        valid("gauge negative", "# TYPE g gauge\ng -3.5\n", A, 1, 1);
        valid("labels", "m{a=\"1\",b=\"two\"} 1\n", A, 1, 1);
        valid("trailing comma in labels", "m{a=\"1\",} 1\n", A, 1, 1);
        valid("blanks in labels", "m { a = \"1\" , b=\"2\" } 1\n", A, 1, 1);
        valid("empty label set", "m{} 1\n", A, 1, 1);
        valid("escapes in label", "m{p=\"C:\\\\dir\\\\\",q=\"say \\\"hi\\\"\",n=\"a\\nb\"} 1\n", A, 1, 1);
        valid("utf8 label value", "m{city=\"Esch-sur-Alzette \xC3\xA9\"} 1\n", A, 1, 1);
        valid("timestamp ms", "m 1 1700000000000\n", A, 1, 1);
        valid("negative timestamp", "m 1 -1\n", A, 1, 1);
        valid("NaN", "m NaN\n", A, 1, 1);
        valid("+Inf -Inf Inf", "a +Inf\nb -Inf\nc Inf\n", A, 3, 3);
        valid("exponent and plus", "a 1e-3\nb +2.5E+2\n", A, 2, 2);
        valid("histogram", "# TYPE h histogram\nh_bucket{le=\"0.1\"} 1\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"+Inf\"} 4\nh_sum 2.5\nh_count 4\n", A, 5, 1);
        valid("histogram two series", "# TYPE h histogram\nh_bucket{x=\"a\",le=\"1\"} 1\nh_bucket{x=\"a\",le=\"+Inf\"} 1\nh_bucket{x=\"b\",le=\"1\"} 0\nh_bucket{x=\"b\",le=\"+Inf\"} 2\n", A, 4, 1);
        valid("summary", "# TYPE s summary\ns{quantile=\"0.5\"} 1\ns{quantile=\"0.99\"} 2\ns_sum 10\ns_count 5\n", A, 4, 1);
        valid("untyped declared", "# TYPE u untyped\nu 1\n", A, 1, 1);
        valid("help escapes", "# HELP m Line one\\nline two \\\\ done\nm 1\n", A, 1, 1);
        valid("help without text", "# HELP m\nm 1\n", A, 1, 1);
        valid("tabs as separators", "m\t1\t1700000000000\n", A, 1, 1);
        valid("leading blanks", "   m 1\n", A, 1, 1);
        valid("metric with colon", "job:rate5m 1\n", A, 1, 1);
        valid("not grouped in text format", "a 1\nb 1\na{x=\"1\"} 2\n", P, 3, 2);
        valid("same series with timestamps", "m 1 1000\nm 2 2000\n", A, 2, 1);

        // ---- valid, OpenMetrics
        valid("om minimal", "# EOF\n", A, 0, 0);
        valid("om counter", "# TYPE c counter\n# HELP c Things.\nc_total 1\nc_created 1.7e9\n# EOF\n", A, 2, 1);
        valid("om unit", "# TYPE d_seconds gauge\n# UNIT d_seconds seconds\nd_seconds 0.5\n# EOF\n", A, 1, 1);
        valid("om info", "# TYPE build info\nbuild_info{version=\"1.2\"} 1\n# EOF\n", A, 1, 1);
        valid("om stateset", "# TYPE st stateset\nst{st=\"a\"} 1\nst{st=\"b\"} 0\n# EOF\n", A, 2, 1);
        valid("om gaugehistogram", "# TYPE gh gaugehistogram\ngh_bucket{le=\"1\"} 2\ngh_bucket{le=\"+Inf\"} 3\ngh_gcount 3\ngh_gsum 4\n# EOF\n", A, 4, 1);
        valid("om unknown", "# TYPE u unknown\nu 3\n# EOF\n", A, 1, 1);
        valid("om float timestamp", "# TYPE g gauge\ng 1 1700000000.123\n# EOF\n", A, 1, 1);
        valid("om exemplar", "# TYPE h histogram\nh_bucket{le=\"1\"} 1 # {trace_id=\"abc\"} 0.5 1700000000.1\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 0.5\n# EOF\n", A, 4, 1);
        valid("om exemplar no ts", "# TYPE c counter\nc_total 1 # {id=\"x\"} 1\n# EOF\n", A, 1, 1);
        valid("om forced format", "# TYPE g gauge\ng 1\n# EOF", O, 1, 1);

        // ---- malformed, Prometheus text format (line, column of the first error)
        bad("invalid name start", "1abc 1\n", A, 1, 1);
        bad("missing value", "m\n", A, 1, 2);
        bad("missing value after labels", "m{a=\"b\"}\n", A, 1, 9);
        bad("bad value", "ok 1\nm abc\n", A, 2, 3);
        bad("bad timestamp", "m 1 12.5\n", P, 1, 5);
        bad("text after timestamp", "m 1 2 3\n", P, 1, 7);
        bad("unterminated labels", "m{a=\"1\" 1\n", A, 1, 9);
        bad("unterminated label value", "m{a=\"1} 1\n", A, 1, 5);
        bad("label without quotes", "m{a=1} 1\n", A, 1, 5);
        bad("label without equals", "x 1\nm{a} 1\n", A, 2, 4);
        bad("invalid label name", "m{1a=\"x\"} 1\n", A, 1, 3);
        bad("invalid escape", "m{a=\"\\t\"} 1\n", A, 1, 6);
        bad("duplicate label", "m{a=\"1\",a=\"2\"} 1\n", A, 1, 9);
        bad("missing comma", "m{a=\"1\" b=\"2\"} 1\n", A, 1, 9);
        bad("unknown type", "# TYPE m gaugey\nm 1\n", A, 1, 10);
        bad("om type in text format", "# TYPE m info\nm 1\n", P, 1, 10);
        bad("type without name", "# TYPE\n", A, 1, 7);
        bad("second type", "# TYPE m gauge\n# TYPE m counter\nm 1\n", A, 2, 3);
        bad("second help", "# HELP m a\n# HELP m b\n", A, 2, 3);
        bad("type after samples", "m 1\n# TYPE m gauge\n", A, 2, 3);
        bad("histogram without le", "# TYPE h histogram\nh_bucket 1\nh_bucket{le=\"+Inf\"} 1\n", A, 2, 1);
        bad("histogram bad le", "# TYPE h histogram\nh_bucket{le=\"fast\"} 1\n", A, 2, 10);
        bad("histogram no +Inf", "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", A, 2, 0);
        bad("histogram decreasing", "# TYPE h histogram\nh_bucket{le=\"1\"} 5\nh_bucket{le=\"2\"} 3\nh_bucket{le=\"+Inf\"} 5\n", A, 3, 0);
        bad("histogram bare sample", "# TYPE h histogram\nh 1\n", A, 2, 1);
        bad("summary without quantile", "# TYPE s summary\ns 1\n", A, 2, 1);
        bad("summary quantile out of range", "# TYPE s summary\ns{quantile=\"1.5\"} 1\n", A, 2, 3);
        bad("duplicate series", "m{a=\"1\"} 1\nm{a=\"1\"} 2\n", A, 2, 1);
        bad("invalid char in name", "m-x 1\n", A, 1, 2);
        bad("error on third line", "a 1\nb 2\nc{ 3\n", A, 3, 4);
        bad("help after samples", "m 1\nn 2\n# HELP m late\n", A, 3, 8);

        // ---- malformed, OpenMetrics
        bad("om missing eof", "# TYPE g gauge\ng 1\n", O, 3, 0);
        bad("om content after eof", "# EOF\ng 1\n", O, 2, 1);
        bad("om blank line", "g 1\n\n# EOF\n", A, 2, 0);
        bad("om counter without _total", "# TYPE c counter\nc 1\n# EOF\n", A, 2, 1);
        bad("om negative counter", "# TYPE c counter\nc_total -1\n# EOF\n", A, 2, 1);
        bad("om stateset value", "# TYPE st stateset\nst{st=\"a\"} 2\n# EOF\n", A, 2, 1);
        bad("om info value", "# TYPE b info\nb_info{v=\"1\"} 2\n# EOF\n", A, 2, 1);
        bad("om unit mismatch", "# TYPE d gauge\n# UNIT d seconds\n# EOF\n", A, 2, 10);
        bad("om plain comment", "# hello\n# EOF\n", A, 1, 3);
        bad("om interleaved", "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x=\"1\"} 2\n# EOF\n", A, 5, 1);
        bad("om bad exemplar", "# TYPE c counter\nc_total 1 # trace 1\n# EOF\n", A, 2, 13);
        bad("om bad float timestamp", "# TYPE g gauge\ng 1 soon\n# EOF\n", A, 2, 5);
        bad("om untyped keyword", "# TYPE g untyped\n# EOF\n", A, 1, 10);
        bad("om invalid help escape", "# HELP g bad \\t escape\n# EOF\n", A, 1, 14);
    }

    void cases()
    {
        QFETCH(QByteArray, text);
        QFETCH(ExpositionFormat, format);
        QFETCH(int, errorLine);
        QFETCH(int, errorColumn);
        QFETCH(int, samples);
        QFETCH(int, families);
        ExpositionOptions opt;
        opt.format = format;
        const Exposition e = parseExposition(text, opt);
        if (errorLine == 0) {
            if (!e.ok())
                QFAIL(qPrintable(e.errors.first().toString()));
            if (samples >= 0)
                QCOMPARE(e.sampleCount(), samples);
            if (families >= 0)
                QCOMPARE(e.families.size(), families);
        } else {
            QVERIFY2(!e.ok(), "malformed input was accepted");
            const ParseError &err = e.errors.first();
            QVERIFY2(!err.message.isEmpty(), "error without a message");
            QCOMPARE(err.line, errorLine);
            if (errorColumn >= 0)
                QCOMPARE(err.column, errorColumn);
        }
    }

    void values()
    {
        const QByteArray text =
            "# HELP http_requests_total The total number of HTTP requests.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n"
            "http_requests_total{method=\"post\",code=\"400\"}    3 1395066363000\n"
            "# Escaping in label values:\n"
            "msdos_file_access_time_seconds{path=\"C:\\\\DIR\\\\FILE.TXT\",error=\"Cannot find file:\\n\\\"FILE.TXT\\\"\"} 1.458255915e9\n"
            "metric_without_timestamp_and_labels 12.47\n"
            "something_weird{problem=\"division by zero\"} +Inf -3982045\n";
        const Exposition e = parseExposition(text);
        QVERIFY2(e.ok(), qPrintable(e.errors.value(0).toString()));
        QCOMPARE(e.families.size(), 4);
        const MetricFamily *req = e.family(QStringLiteral("http_requests_total"));
        QVERIFY(req);
        QCOMPARE(req->type, MetricType::Counter);
        QCOMPARE(req->help, QStringLiteral("The total number of HTTP requests."));
        QCOMPARE(req->samples.size(), 2);
        QCOMPARE(req->samples[1].value, 3.0);
        QCOMPARE(req->samples[1].label(QStringLiteral("code")), QStringLiteral("400"));
        QCOMPARE(*req->samples[0].timestampMs, Q_INT64_C(1395066363000));
        QCOMPARE(req->samples[1].line, 4);
        const MetricFamily *ms = e.family(QStringLiteral("msdos_file_access_time_seconds"));
        QVERIFY(ms);
        QCOMPARE(ms->samples[0].label(QStringLiteral("path")), QStringLiteral("C:\\DIR\\FILE.TXT"));
        QCOMPARE(ms->samples[0].label(QStringLiteral("error")), QStringLiteral("Cannot find file:\n\"FILE.TXT\""));
        const MetricFamily *weird = e.family(QStringLiteral("something_weird"));
        QVERIFY(weird && std::isinf(weird->samples[0].value));
        QCOMPARE(*weird->samples[0].timestampMs, Q_INT64_C(-3982045));

        const Exposition om = parseExposition(
            "# TYPE lat_seconds histogram\n# UNIT lat_seconds seconds\n"
            "lat_seconds_bucket{le=\"0.5\"} 2 # {trace_id=\"t1\"} 0.31 1700000000.5\n"
            "lat_seconds_bucket{le=\"+Inf\"} 3\nlat_seconds_count 3\nlat_seconds_sum 1.2\n# EOF\n");
        QVERIFY2(om.ok(), qPrintable(om.errors.value(0).toString()));
        QCOMPARE(om.format, ExpositionFormat::OpenMetrics);
        QVERIFY(om.sawEof);
        const MetricFamily &lat = om.families.first();
        QCOMPARE(lat.unit, QStringLiteral("seconds"));
        QVERIFY(lat.samples[0].exemplar.has_value());
        QCOMPARE(lat.samples[0].exemplar->labels.first().second, QStringLiteral("t1"));
        QCOMPARE(lat.samples[0].exemplar->value, 0.31);
    }

    void realScrapes_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("type");
        QTest::newRow("prometheus 2.42") << QStringLiteral("prometheus-2.42.prom")
                                         << QStringLiteral("prometheus_http_request_duration_seconds") << QStringLiteral("histogram");
        QTest::newRow("node exporter 1.5") << QStringLiteral("node-exporter-1.5.prom")
                                           << QStringLiteral("node_cpu_seconds_total") << QStringLiteral("counter");
        QTest::newRow("fbload 0.1 live") << QStringLiteral("fbload-0.1-redis.prom")
                                         << QStringLiteral("fbload_latency_seconds") << QStringLiteral("histogram");
        QTest::newRow("fbload") << QStringLiteral("fbload.prom")
                                << QStringLiteral("fbload_request_duration_seconds") << QStringLiteral("histogram");
        QTest::newRow("fbload openmetrics") << QStringLiteral("fbload.openmetrics.txt")
                                            << QStringLiteral("fbload_request_duration_seconds") << QStringLiteral("histogram");
    }

    void realScrapes()
    {
        QFETCH(QString, file);
        QFETCH(QString, family);
        QFETCH(QString, type);
        const QByteArray text = data(file);
        const Exposition e = parseExposition(text);
        QVERIFY2(e.ok(), qPrintable(file + QLatin1Char(':') + e.errors.value(0).toString()));
        // Every non-comment, non-blank line is one sample.
        int lines = 0;
        for (const QByteArray &l : text.split('\n'))
            if (!l.trimmed().isEmpty() && !l.startsWith('#'))
                ++lines;
        QCOMPARE(e.sampleCount(), lines);
        const MetricFamily *f = e.family(family);
        QVERIFY2(f, qPrintable(family));
        QCOMPARE(metricTypeName(f->type), type);
        QVERIFY(!f->help.isEmpty());
        QVERIFY(!f->samples.isEmpty());
    }

    void garbageNeverCrashes()
    {
        // Mutations of a real scrape plus random bytes: the parser must return
        // (ASan builds catch out-of-bounds reads) and errors must be in range.
        const QByteArray base = data(QStringLiteral("prometheus-2.42.prom")).left(4000);
        QRandomGenerator rng(42);
        const char alphabet[] = "{}\"\\=, #\n\tabcle+Inf0123456789.eE-_EOF";
        for (int round = 0; round < 2000; ++round) {
            QByteArray t = base;
            const int edits = 1 + int(rng.bounded(8));
            for (int i = 0; i < edits; ++i) {
                const int pos = int(rng.bounded(int(t.size())));
                switch (rng.bounded(3)) {
                case 0: t[pos] = alphabet[rng.bounded(int(sizeof alphabet - 1))]; break;
                case 1: t.remove(pos, int(rng.bounded(20))); break;
                default: t.insert(pos, char(rng.bounded(256))); break;
                }
            }
            if (round % 2)
                t.append("\n# EOF\n");
            const Exposition e = parseExposition(t);
            const int lines = int(t.count('\n')) + 2;
            for (const ParseError &err : e.errors) {
                QVERIFY(err.line >= 1 && err.line <= lines);
                QVERIFY(err.column >= 0);
            }
        }
    }

    void maxErrorsBoundsOutput()
    {
        QByteArray junk;
        for (int i = 0; i < 10000; ++i)
            junk += "!!!\n";
        ExpositionOptions opt;
        opt.maxErrors = 7;
        const Exposition e = parseExposition(junk, opt);
        QCOMPARE(e.errors.size(), 7);
        QCOMPARE(e.errors.last().line, 7);
    }
};

QTEST_GUILESS_MAIN(TestExposition)
#include "tst_exposition.moc"
