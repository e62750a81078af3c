// Merging results: `fbload merge` must give the same numbers as one run over
// the union of the samples.
//
// exactUnion: two synthetic RunStats built from one sample set split in two,
// each serialised as a result document, merged, compared with the document
// of the union (library level, exact equality of percentiles and buckets).
// cliMergeOfTwoNodes: two real fbload runs against nginx side by side, as
// two nodes would, merged by the CLI; the merged percentiles are checked
// against the union of both files' buckets read with Qt's JSON.
#include "fbload_test_util.h"
#include "json.h"
#include "result.h"
#include "stats.h"

#include <QJsonArray>
#include <map>
#include <random>

using namespace fbtest;

namespace {

fbload::ResultMeta metaFor(const char* host, double start)
{
    fbload::ResultMeta m;
    m.run["tool"] = "fbload";
    m.run["workload"] = "http";
    m.run["hosts"] = fbload::Json(fbload::JsonArray{fbload::Json(host)});
    m.run["nodes"] = 1;
    m.startUnix = m.measureStartUnix = start;
    m.endUnix = m.measureEndUnix = start + 10;
    return m;
}

fbload::RunStats emptyStats()
{
    fbload::RunStats s;
    s.init({{"latency", "us"}, {"service_time", "us"}, {"output_tokens", "tokens"}}, {"get"});
    return s;
}

void add(fbload::RunStats& s, int64_t us, int64_t second, uint64_t tokens)
{
    s.hist[0].record(us);
    s.hist[1].record(us / 2);
    s.hist[2].record(static_cast<int64_t>(tokens));
    s.sent++;
    s.ok++;
    s.opOk[0]++;
    s.outputTokens += tokens;
    auto& row = s.seconds[second];
    row.sent++;
    row.completed++;
    row.latencySumUs += static_cast<double>(us);
    row.latencyMaxUs = std::max(row.latencyMaxUs, us);
    row.latencyMinUs = row.latencyMinUs < 0 ? us : std::min(row.latencyMinUs, us);
    row.outputTokens += tokens;
}

const fbload::Json& at(const fbload::Json& j, std::initializer_list<const char*> path)
{
    const fbload::Json* p = &j;
    for (const char* k : path) {
        p = p->find(k);
        if (!p)
            throw std::runtime_error(std::string("missing ") + k);
    }
    return *p;
}

}  // namespace

class TestMerge : public QObject {
    Q_OBJECT
private slots:
    void exactUnion();
    void mismatchedWorkloadsAreRefused();
    void cliMergeOfTwoNodes();
};

void TestMerge::exactUnion()
{
    // Log-normal latencies around 2 ms with a long tail, on two "nodes".
    std::mt19937_64 rng(7);
    std::lognormal_distribution<double> lat(std::log(2000.0), 0.8);
    std::uniform_int_distribution<int> tok(1, 512);
    fbload::RunStats a = emptyStats(), b = emptyStats(), all = emptyStats();
    for (int i = 0; i < 200000; ++i) {
        auto us = static_cast<int64_t>(lat(rng));
        auto t = static_cast<uint64_t>(tok(rng));
        int64_t sec = 1000 + i / 20000;
        add(i % 3 ? a : b, us, sec, t);  // uneven split on purpose
        add(all, us, sec, t);
    }
    fbload::Json docA = fbload::buildResult(a, metaFor("node-a", 1000));
    fbload::Json docB = fbload::buildResult(b, metaFor("node-b", 1000));
    // Through text, as files would go.
    docA = fbload::Json::parse(docA.dump());
    docB = fbload::Json::parse(docB.dump());
    fbload::Json merged = fbload::mergeResults({docA, docB}, {"a.json", "b.json"});
    fbload::Json single = fbload::buildResult(all, metaFor("node-a", 1000));

    for (const char* m : {"latency", "service_time", "output_tokens"}) {
        const auto& x = at(merged, {"summary", "metrics", m});
        const auto& y = at(single, {"summary", "metrics", m});
        for (const char* f : {"count", "min", "max", "p50", "p90", "p95", "p99", "p999"})
            QVERIFY2(at(x, {f}).asDouble() == at(y, {f}).asDouble(),
                     qPrintable(QString("%1.%2: merged %3, union %4").arg(m, f).arg(at(x, {f}).asDouble()).arg(at(y, {f}).asDouble())));
        // Mean and stdev come from float sums added in another order.
        QVERIFY(qAbs(at(x, {"mean"}).asDouble() - at(y, {"mean"}).asDouble()) <= 0.002);
        QVERIFY(qAbs(at(x, {"stdev"}).asDouble() - at(y, {"stdev"}).asDouble()) <= 0.002);
        QCOMPARE(QString::fromStdString(at(merged, {"histograms", m, "buckets"}).dump()),
                 QString::fromStdString(at(single, {"histograms", m, "buckets"}).dump()));
    }
    QCOMPARE(at(merged, {"summary", "requests", "completed"}).asInt(), int64_t{200000});
    QCOMPARE(at(merged, {"summary", "tokens", "output"}).asInt(), at(single, {"summary", "tokens", "output"}).asInt());
    QCOMPARE(QString::fromStdString(at(merged, {"timeseries"}).dump()),
             QString::fromStdString(at(single, {"timeseries"}).dump()));
    QCOMPARE(at(merged, {"run", "nodes"}).asInt(), int64_t{2});
    QCOMPARE(QString::fromStdString(at(merged, {"run", "hosts"}).dump()), QString(R"(["node-a","node-b"])"));
    // The sample is wide enough that the percentiles are not all one bucket.
    QVERIFY(at(single, {"summary", "metrics", "latency", "p99"}).asDouble() >
            3 * at(single, {"summary", "metrics", "latency", "p50"}).asDouble());
}

void TestMerge::mismatchedWorkloadsAreRefused()
{
    fbload::RunStats a = emptyStats();
    add(a, 100, 1000, 1);
    fbload::Json docA = fbload::buildResult(a, metaFor("a", 1000));
    fbload::ResultMeta mb = metaFor("b", 1000);
    mb.run["workload"] = "redis";
    fbload::Json docB = fbload::buildResult(a, mb);
    try {
        fbload::mergeResults({docA, docB}, {"a.json", "b.json"});
        QFAIL("merging http with redis should throw");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString(e.what()).contains("b.json"), e.what());
    }
    fbload::Json broken = docA;
    broken["schema_version"] = 99;
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, fbload::mergeResults({docA, broken}, {"a.json", "b.json"}));
}

void TestMerge::cliMergeOfTwoNodes()
{
    const int port = servicePort("nginx");
    QVERIFY2(port > 0, "the nginx fixture did not write its port");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString a = dir.filePath("a.json"), b = dir.filePath("b.json"), m = dir.filePath("merged.json");
    QProcess pa, pb;
    const QStringList common{"run", "--workload", "http", "--target", QString("127.0.0.1:%1").arg(port),
                             "--duration", "2", "--concurrency", "4"};
    pa.start(fbloadBin(), common + QStringList{"--out", a, "--label", "node=a"});
    pb.start(fbloadBin(), common + QStringList{"--out", b, "--label", "node=b", "--set", "params.path=/echo"});
    QVERIFY(pa.waitForFinished(30000) && pa.exitCode() == 0);
    QVERIFY(pb.waitForFinished(30000) && pb.exitCode() == 0);
    auto r = runFbload({"merge", "-o", m, a, b}, m);
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));

    auto read = [](const QString& path) {
        QFile f(path);
        f.open(QIODevice::ReadOnly);
        return QJsonDocument::fromJson(f.readAll()).object();
    };
    const QJsonObject ja = read(a), jb = read(b), jm = r.result;
    auto completed = [](const QJsonObject& o) {
        return o["summary"].toObject()["requests"].toObject()["completed"].toInteger();
    };
    QCOMPARE(completed(jm), completed(ja) + completed(jb));
    QCOMPARE(jm["run"].toObject()["nodes"].toInt(), 2);

    // The union of both nodes' latency buckets, independently of fbload's code.
    std::map<qint64, qint64> buckets;
    qint64 count = 0;
    double lo = 1e300, hi = 0;
    for (const QJsonObject& o : {ja, jb}) {
        const auto h = o["histograms"].toObject()["latency"].toObject();
        for (const auto& e : h["buckets"].toArray()) {
            buckets[e.toArray()[0].toInteger()] += e.toArray()[1].toInteger();
            count += e.toArray()[1].toInteger();
        }
        lo = qMin(lo, h["min"].toDouble());
        hi = qMax(hi, h["max"].toDouble());
    }
    const auto mh = jm["histograms"].toObject()["latency"].toObject();
    QCOMPARE(mh["count"].toInteger(), count);
    QCOMPARE(mh["buckets"].toArray().size(), qsizetype(buckets.size()));
    const auto lat = jm["summary"].toObject()["metrics"].toObject()["latency"].toObject();
    for (auto [name, p] : {std::pair{"p50", 50.0}, {"p90", 90.0}, {"p99", 99.0}, {"p999", 99.9}}) {
        const auto rank = static_cast<qint64>(std::ceil(p / 100.0 * double(count)));
        qint64 seen = 0, low = 0;
        for (auto [l, c] : buckets) {
            seen += c;
            if (seen >= rank) {
                low = l;
                break;
            }
        }
        // The reported value (ms) lies in that bucket (width <= low/1024 + 1
        // µs, rounded to 0.001 ms), clamped to the union's min and max.
        const double us = lat[name].toDouble() * 1000.0;
        const double bucketLo = qMax(double(low), lo), bucketHi = qMin(low + low / 1024.0 + 1.0, hi);
        QVERIFY2(us >= bucketLo - 1.0 && us <= bucketHi + 1.0,
                 qPrintable(QString("%1 = %2 µs, union bucket starts at %3").arg(name).arg(us).arg(low)));
    }
}

QTEST_GUILESS_MAIN(TestMerge)
#include "tst_merge.moc"
