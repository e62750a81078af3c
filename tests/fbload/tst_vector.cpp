// Faiss in-process vector search (fbload_faiss): recall@10 of Flat is exactly
// 1.0, IVF with every list probed is exact too, and IVF/HNSW with the usual
// settings report a recall in (0, 1] (printed for the report).
#include "config.h"
#include "json.h"
#include "workloads/faiss.h"

#include <QtTest>

#include <cmath>

using namespace fbload;

namespace {

FaissResult runWith(const std::string& json)
{
    return runFaiss(parseFaissParams(Json::parse(json)));
}

void print(const FaissResult& r)
{
    qInfo("%s: recall@10 %.4f, add %.0f vectors/s, %.0f queries/s, p50 %.1f us, p99 %.1f us", r.description.c_str(),
          r.recallAtK, r.insertPerS, r.queryQps, r.latencyP50Us, r.latencyP99Us);
}

}  // namespace

class TestVector : public QObject {
    Q_OBJECT
private slots:
    void embeddingsAreNormalised()
    {
        const std::vector<float> v = randomNormalised(50, 64, 7);
        QCOMPARE(v.size(), size_t{50 * 64});
        for (int i = 0; i < 50; ++i) {
            double n = 0;
            for (int j = 0; j < 64; ++j)
                n += double(v[size_t(i) * 64 + j]) * v[size_t(i) * 64 + j];
            QVERIFY(std::fabs(n - 1.0) < 1e-5);
        }
        QVERIFY(randomNormalised(2, 8, 1) != randomNormalised(2, 8, 2));
    }

    void flatRecallIsExact()
    {
        FaissResult r = runWith(R"({"index":"flat","count":5000,"dimension":64,"queries":100,"top_k":10})");
        print(r);
        QCOMPARE(r.recallAtK, 1.0);
        QVERIFY(r.queryQps > 0 && r.latencyP99Us >= r.latencyP50Us);
    }

    void ivfRecall()
    {
        // Probing all 16 lists is exhaustive: recall must be 1.0.
        FaissResult all = runWith(R"({"index":"ivf","count":5000,"dimension":64,"queries":100,"nlist":16,"nprobe":16})");
        print(all);
        QCOMPARE(all.recallAtK, 1.0);
        // One list of 64: approximate, clearly below 1 on random data.
        FaissResult one = runWith(R"({"index":"ivf","count":5000,"dimension":64,"queries":100,"nlist":64,"nprobe":1})");
        print(one);
        QVERIFY2(one.recallAtK > 0.0 && one.recallAtK < 1.0, qPrintable(QString::number(one.recallAtK)));
        QVERIFY(one.description.find("IVF64") == 0);
    }

    void hnswRecall()
    {
        FaissResult r = runWith(R"({"index":"hnsw","count":5000,"dimension":64,"queries":100,"ef_search":128})");
        print(r);
        QVERIFY2(r.recallAtK > 0.5 && r.recallAtK <= 1.0, qPrintable(QString::number(r.recallAtK)));
        QVERIFY(r.insertPerS > 0);
    }

    void badParams()
    {
        auto error = [](const char* json) -> QString {
            try {
                parseFaissParams(Json::parse(json));
            } catch (const ConfigError& e) {
                return e.what();
            }
            return {};
        };
        QVERIFY(error(R"({"index":"lsh"})").contains("params.index"));
        QVERIFY(error(R"({"count":5,"top_k":10})").contains("params.top_k"));
        QVERIFY(error(R"({"dimension":0})").contains("params.dimension"));
        QVERIFY(error(R"({"nprob":3})").contains("nprob"));
    }
};

QTEST_APPLESS_MAIN(TestVector)
#include "tst_vector.moc"
