// fbload's vector workload against the SYNTHETIC Chroma and Weaviate servers
// (tests/synthetic, written from their public API docs; fixtures
// fbload_synthetic_chroma and fbload_synthetic_weaviate). What fbload inserted
// is counted through each server's own API (Chroma count, Weaviate
// Aggregate), and the servers' error responses must surface as errors.
#include "fbload_test_util.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>

using namespace fbtest;

namespace {

// One synchronous request with Qt's HTTP client (independent of fbload's).
QByteArray http(const QString& method, const QString& url, const QByteArray& body = {})
{
    QNetworkAccessManager nam;
    QNetworkRequest req{QUrl(url)};
    req.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
    QNetworkReply* r = nam.sendCustomRequest(req, method.toUtf8(), body);
    QEventLoop loop;
    QObject::connect(r, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    QByteArray out = r->readAll();
    r->deleteLater();
    return out;
}

qint64 opCompleted(const QJsonObject& r, const QString& op)
{
    return r["summary"].toObject()["ops"].toObject()[op].toObject()["completed"].toInteger();
}

qint64 errorsOf(const QJsonObject& r, const QString& cls)
{
    return r["summary"].toObject()["errors"].toObject()[cls].toInteger();
}

}  // namespace

class TestVectorHttp : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void chromaInsertAndQuery();
    void chromaErrors();
    void preloadCount();
    void chromaTwoTasks();
    void weaviateInsertAndQuery();
    void weaviateErrors();
    void badParameters();

private:
    RunOutcome run(const QString& service, const QString& name, const QStringList& extra);
    QString base(const QString& service) { return QString("http://127.0.0.1:%1").arg(servicePort(service)); }
    QTemporaryDir dir_;
};

void TestVectorHttp::initTestCase()
{
    QVERIFY2(!fbloadBin().isEmpty(), "FBLOAD_BIN is not set");
    QVERIFY2(servicePort("synthetic_chroma") > 0, "the synthetic Chroma fixture did not write its port");
    QVERIFY2(servicePort("synthetic_weaviate") > 0, "the synthetic Weaviate fixture did not write its port");
    QVERIFY(dir_.isValid());
}

RunOutcome TestVectorHttp::run(const QString& service, const QString& name, const QStringList& extra)
{
    const QString out = dir_.filePath(name + ".json");
    QFile::remove(out);
    return runFbload(QStringList{"run", "--workload", "vector", "--target",
                                 QString("127.0.0.1:%1").arg(servicePort(service)), "--out", out} + extra,
                     out);
}

void TestVectorHttp::chromaInsertAndQuery()
{
    // 12 batches of 25 vectors of 16 dimensions, then 20 top-5 queries.
    RunOutcome ins = run("synthetic_chroma", "c-ins", {"--requests", "12", "--concurrency", "3", "--set", "params.collection=t-basic",
                                                       "--set", "params.dimension=16", "--set", "params.batch_size=25",
                                                       "--set", R"(params.operations={"insert":1})"});
    QVERIFY2(ins.exitCode == 0, qPrintable(ins.stderrText));
    QCOMPARE(opCompleted(ins.result, "insert"), 12);
    const QJsonObject coll = QJsonDocument::fromJson(http("GET", base("synthetic_chroma") + "/api/v1/collections/t-basic")).object();
    const QString id = coll["id"].toString();
    QVERIFY(!id.isEmpty());
    QCOMPARE(http("GET", base("synthetic_chroma") + "/api/v1/collections/" + id + "/count").trimmed(), QByteArray("300"));
    QCOMPARE(coll["dimension"].toInt(), 16);

    RunOutcome q = run("synthetic_chroma", "c-q", {"--requests", "20", "--concurrency", "2", "--set", "params.collection=t-basic",
                                                   "--set", "params.dimension=16", "--set", "params.top_k=5", "--set", "params.recreate=false",
                                                   "--set", R"(params.operations={"query":1})"});
    QVERIFY2(q.exitCode == 0, qPrintable(q.stderrText));
    QCOMPARE(opCompleted(q.result, "query"), 20);
    QVERIFY(metric(q.result, "latency")["p50"].toDouble() > 0);
    // recreate=false kept the 300 vectors; the default recreate=true drops them.
    QCOMPARE(http("GET", base("synthetic_chroma") + "/api/v1/collections/" + id + "/count").trimmed(), QByteArray("300"));
}

void TestVectorHttp::chromaErrors()
{
    RunOutcome ins = run("synthetic_chroma", "c-e1", {"--requests", "1", "--set", "params.collection=t-err", "--set",
                                                      "params.dimension=8", "--set", R"(params.operations={"insert":1})"});
    QVERIFY2(ins.exitCode == 0, qPrintable(ins.stderrText));
    // Queries of another dimension: Chroma's InvalidDimension (HTTP 400).
    RunOutcome q = run("synthetic_chroma", "c-e2", {"--requests", "3", "--set", "params.collection=t-err", "--set",
                                                    "params.dimension=9", "--set", "params.recreate=false", "--set",
                                                    R"(params.operations={"query":1})"});
    QCOMPARE(q.exitCode, 1);
    QCOMPARE(errorsOf(q.result, "http_status"), 3);
    QCOMPARE(q.result["summary"].toObject()["http_status"].toObject()["400"].toInteger(), 3);
    QVERIFY2(q.stderrText.contains("InvalidDimension"), qPrintable(q.stderrText));
    // An invalid collection name is refused by fbload before any request.
    RunOutcome bad = run("synthetic_chroma", "c-e3", {"--requests", "1", "--set", "params.collection=a"});
    QCOMPARE(bad.exitCode, 2);
    QVERIFY2(bad.stderrText.contains("params.collection"), qPrintable(bad.stderrText));
}

void TestVectorHttp::preloadCount()
{
    // params.count vectors are loaded before the clock starts (130 = 2 full
    // batches of 50 and one of 30), then only queries are measured.
    RunOutcome c = run("synthetic_chroma", "p-c", {"--requests", "4", "--set", "params.collection=t-pre", "--set",
                                                   "params.dimension=8", "--set", "params.batch_size=50", "--set", "params.count=130",
                                                   "--set", R"(params.operations={"query":1})"});
    QVERIFY2(c.exitCode == 0, qPrintable(c.stderrText));
    QCOMPARE(opCompleted(c.result, "query"), 4);
    QCOMPARE(opCompleted(c.result, "insert"), 0);
    const QString id = QJsonDocument::fromJson(http("GET", base("synthetic_chroma") + "/api/v1/collections/t-pre")).object()["id"].toString();
    QCOMPARE(http("GET", base("synthetic_chroma") + "/api/v1/collections/" + id + "/count").trimmed(), QByteArray("130"));

    RunOutcome w = run("synthetic_weaviate", "p-w", {"--requests", "4", "--set", "params.backend=weaviate", "--set",
                                                     "params.collection=TPre", "--set", "params.dimension=8", "--set",
                                                     "params.batch_size=50", "--set", "params.count=130", "--set",
                                                     R"(params.operations={"query":1})"});
    QVERIFY2(w.exitCode == 0, qPrintable(w.stderrText));
    const QJsonObject agg = QJsonDocument::fromJson(
        http("POST", base("synthetic_weaviate") + "/v1/graphql", R"({"query":"{Aggregate{TPre{meta{count}}}}"})")).object();
    QCOMPARE(agg["data"].toObject()["Aggregate"].toObject()["TPre"].toArray()[0].toObject()["meta"].toObject()["count"].toInt(), 130);
}

void TestVectorHttp::chromaTwoTasks()
{
    // Two tasks of one client (--tasks 2, as srun starts them): task 0 alone
    // recreates the collection and preloads 100 vectors; each task then
    // inserts 12 batches of 25 under its own ids. 100 + 2 x 300 vectors in
    // the end: nothing dropped by a second recreate, no id written twice
    // (Chroma ignores an id that exists).
    QTemporaryDir bar;
    QList<QProcess*> procs;
    for (int i = 0; i < 2; ++i) {
        auto* p = new QProcess(this);
        p->start(fbloadBin(), {"run", "--workload", "vector", "--target", QString("127.0.0.1:%1").arg(servicePort("synthetic_chroma")),
                               "--out", dir_.filePath(QString("tasks-%1.json").arg(i)), "--requests", "12", "--concurrency", "3",
                               "--set", "params.collection=t-tasks", "--set", "params.dimension=8", "--set", "params.batch_size=25",
                               "--set", "params.count=100", "--set", R"(params.operations={"insert":1})", "--task-index",
                               QString::number(i), "--tasks", "2", "--barrier", bar.path()});
        procs << p;
    }
    for (QProcess* p : procs) {
        QVERIFY(p->waitForFinished(60000));
        QVERIFY2(p->exitCode() == 0, p->readAllStandardError().constData());
    }
    const QString id = QJsonDocument::fromJson(http("GET", base("synthetic_chroma") + "/api/v1/collections/t-tasks")).object()["id"].toString();
    QCOMPARE(http("GET", base("synthetic_chroma") + "/api/v1/collections/" + id + "/count").trimmed(), QByteArray("700"));
}

void TestVectorHttp::weaviateInsertAndQuery()
{
    RunOutcome ins = run("synthetic_weaviate", "w-ins", {"--requests", "10", "--concurrency", "2", "--set", "params.backend=weaviate",
                                                         "--set", "params.collection=TBasic", "--set", "params.dimension=16",
                                                         "--set", "params.batch_size=20", "--set", R"(params.operations={"insert":1})"});
    QVERIFY2(ins.exitCode == 0, qPrintable(ins.stderrText));
    QCOMPARE(opCompleted(ins.result, "insert"), 10);
    const QJsonObject agg = QJsonDocument::fromJson(
        http("POST", base("synthetic_weaviate") + "/v1/graphql", R"({"query":"{Aggregate{TBasic{meta{count}}}}"})")).object();
    QCOMPARE(agg["data"].toObject()["Aggregate"].toObject()["TBasic"].toArray()[0].toObject()["meta"].toObject()["count"].toInt(), 200);

    // A 50/50 mix of inserts and nearVector queries.
    RunOutcome mix = run("synthetic_weaviate", "w-mix", {"--requests", "40", "--concurrency", "2", "--set", "params.backend=weaviate",
                                                         "--set", "params.collection=TBasic", "--set", "params.dimension=16",
                                                         "--set", "params.batch_size=5", "--set", "params.recreate=false",
                                                         "--set", R"(params.operations={"insert":1,"query":1})"});
    QVERIFY2(mix.exitCode == 0, qPrintable(mix.stderrText));
    const qint64 inserts = opCompleted(mix.result, "insert"), queries = opCompleted(mix.result, "query");
    QCOMPARE(inserts + queries, 40);
    QVERIFY2(inserts >= 8 && queries >= 8, qPrintable(QString("%1/%2").arg(inserts).arg(queries)));
}

void TestVectorHttp::weaviateErrors()
{
    RunOutcome ins = run("synthetic_weaviate", "w-e1", {"--requests", "1", "--set", "params.backend=weaviate", "--set",
                                                        "params.collection=TErr", "--set", "params.dimension=8", "--set",
                                                        R"(params.operations={"insert":1})"});
    QVERIFY2(ins.exitCode == 0, qPrintable(ins.stderrText));
    // Batch objects of another length: HTTP 200 with per-object errors.
    RunOutcome badIns = run("synthetic_weaviate", "w-e2", {"--requests", "2", "--set", "params.backend=weaviate", "--set",
                                                           "params.collection=TErr", "--set", "params.dimension=9", "--set",
                                                           "params.recreate=false", "--set", R"(params.operations={"insert":1})"});
    QCOMPARE(badIns.exitCode, 1);
    QCOMPARE(errorsOf(badIns.result, "server"), 2);
    QVERIFY2(badIns.stderrText.contains("Existing nodes have vectors with length 8"), qPrintable(badIns.stderrText));
    // nearVector of another length: HTTP 200 with GraphQL "errors".
    RunOutcome badQ = run("synthetic_weaviate", "w-e3", {"--requests", "2", "--set", "params.backend=weaviate", "--set",
                                                         "params.collection=TErr", "--set", "params.dimension=9", "--set",
                                                         "params.recreate=false", "--set", R"(params.operations={"query":1})"});
    QCOMPARE(errorsOf(badQ.result, "server"), 2);
    QVERIFY2(badQ.stderrText.contains("vector lengths don't match"), qPrintable(badQ.stderrText));
    // A class name Weaviate refuses (lower-case) is caught by fbload first.
    RunOutcome badName = run("synthetic_weaviate", "w-e4", {"--requests", "1", "--set", "params.backend=weaviate", "--set",
                                                            "params.collection=lower"});
    QCOMPARE(badName.exitCode, 2);
    QVERIFY2(badName.stderrText.contains("Weaviate class name"), qPrintable(badName.stderrText));
}

void TestVectorHttp::badParameters()
{
    RunOutcome r = run("synthetic_chroma", "b1", {"--requests", "1", "--set", "params.backend=milvus"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains("params.backend"), qPrintable(r.stderrText));
    r = run("synthetic_chroma", "b2", {"--requests", "1", "--set", R"(params.operations={"upsert":1})"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains("params.operations.upsert"), qPrintable(r.stderrText));
    r = run("synthetic_chroma", "b3", {"--requests", "1", "--set", "params.batch_size=0"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains("params.batch_size"), qPrintable(r.stderrText));
}

QTEST_GUILESS_MAIN(TestVectorHttp)
#include "tst_vector_http.moc"
