// `fbload run --workload faiss`: Faiss in-process through the engine (no
// --target). Flat search is exact, so its recall@10 must be 1.0; IVF and HNSW
// report theirs; the searches are the requests.
#include "fbload_test_util.h"

using namespace fbtest;

class TestFaissRun : public QObject {
    Q_OBJECT
private slots:
    void searchesAndRecall_data();
    void searchesAndRecall();
    void badParamsAreRejected();

private:
    QTemporaryDir dir_;
};

void TestFaissRun::searchesAndRecall_data()
{
    QTest::addColumn<QString>("index");
    QTest::addColumn<double>("minRecall");
    QTest::newRow("flat") << "flat" << 1.0;
    QTest::newRow("ivf") << "ivf" << 0.2;
    QTest::newRow("hnsw") << "hnsw" << 0.5;
}

void TestFaissRun::searchesAndRecall()
{
    QFETCH(QString, index);
    QFETCH(double, minRecall);
    const QString out = dir_.filePath(index + ".json");
    auto r = runFbload({"run", "--workload", "faiss", "--out", out, "--requests", "400", "--concurrency", "2", "--set",
                        "params.index=" + index, "--set", "params.count=5000", "--set", "params.dimension=32",
                        "--set", "params.queries=100", "--set", "params.top_k=10"},
                       out, 60000);
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const QJsonObject sum = r.result["summary"].toObject();
    QCOMPARE(sum["requests"].toObject()["completed"].toDouble(), 400.0);
    QVERIFY(sum["throughput"].toObject()["requests_per_s"].toDouble() > 0);
    const QJsonObject info = r.result["run"].toObject()["workload_info"].toObject();
    const double recall = info["recall_at_k"].toDouble();
    QVERIFY2(recall >= minRecall && recall <= 1.0, qPrintable(QString::number(recall)));
    if (index == "flat")
        QCOMPARE(recall, 1.0);
    QCOMPARE(info["searches"].toDouble(), 400.0);
    QVERIFY(info["insert_per_s"].toDouble() > 0);
    QVERIFY(info["index"].toString().startsWith(index.toUpper()) || (index == "flat" && info["index"] == "Flat"));
    // hits_at_k per search: mean/10 is the measured searches' recall.
    QVERIFY(qAbs(metric(r.result, "hits_at_k")["mean"].toDouble() / 10.0 - recall) < 0.05);
}

void TestFaissRun::badParamsAreRejected()
{
    auto r = runFbload({"run", "--workload", "faiss", "--requests", "1", "--set", "params.index=lsh"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains("params.index: expected flat, ivf or hnsw"), qPrintable(r.stderrText));
    r = runFbload({"run", "--workload", "faiss", "--requests", "1", "--set", "params.top_k=50", "--set", "params.count=10"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains("params.top_k"), qPrintable(r.stderrText));
}

QTEST_GUILESS_MAIN(TestFaissRun)
#include "tst_faiss_run.moc"
