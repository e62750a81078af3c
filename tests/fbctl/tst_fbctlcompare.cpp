// `fbctl compare` as a CI gate on a run store the test writes, with result
// documents whose samples are known (no cluster): exit 3 on a 20 % slowdown
// (3 repetitions each side), 0 on an A/A pair and on single samples, 2 for an
// unknown run, trial or option value; the table's columns line up and every
// value carries its unit, in one number format.
#include "common/Paths.h"
#include "session/RunStore.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

namespace {

struct Sample
{
    double p50_ms, rps;
};

// Run `id` with one trial (t001, or t001-r1… with repetitions) per sample.
void makeRun(const QString &id, const QDateTime &created, const QList<Sample> &samples)
{
    fb::session::RunStore store;
    QString error;
    QVERIFY2(store.open(fb::Paths::runStorePath(), &error), qPrintable(error));
    fb::session::RunRecord run;
    run.id = id;
    run.name = QStringLiteral("compare-test");
    run.createdAt = created;
    QVERIFY2(store.saveRun(run, &error), qPrintable(error));
    for (int r = 0; r < samples.size(); ++r) {
        fb::session::TrialRecord t;
        t.runId = id;
        t.trialId = samples.size() > 1 ? QStringLiteral("t001-r%1").arg(r + 1) : QStringLiteral("t001");
        t.index = 1000 + r + 1;
        t.params.insert(QStringLiteral("clients[0].load.concurrency"), QStringLiteral("4"));
        QVERIFY2(store.saveTrial(t, &error), qPrintable(error));
        const QJsonObject latency{{"unit", "ms"}, {"count", 30000}, {"mean", samples[r].p50_ms}, {"p50", samples[r].p50_ms},
                                  {"p99", samples[r].p50_ms * 3}};
        const QJsonObject doc{{"schema", "factorybench.result"}, {"schema_version", 1},
                              {"run", QJsonObject{{"workload", "redis"}}},
                              {"summary", QJsonObject{{"requests", QJsonObject{{"sent", 30000}, {"completed", 30000}, {"errors", 0}}},
                                                      {"throughput", QJsonObject{{"requests_per_s", samples[r].rps}}},
                                                      {"metrics", QJsonObject{{"latency", latency}}}}}};
        const QString local = fb::Paths::stateDir() + QStringLiteral("/runs/%1/%2/results/result-kv.json").arg(id, t.trialId);
        QVERIFY(QDir().mkpath(QFileInfo(local).absolutePath()));
        QFile f(local);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(QJsonDocument(doc).toJson());
        f.close();
        fb::session::ResultFileRecord rec{id, t.trialId, QStringLiteral("/r/%1/result-kv.json").arg(t.trialId), local,
                                          QStringLiteral("00"), f.size(), QDateTime::currentDateTimeUtc()};
        QVERIFY2(store.saveResultFile(rec, &error), qPrintable(error));
    }
}

struct Result
{
    int exitCode = -1;
    QString out, err;
};

Result fbctl(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(FB_BINARY_DIR "/core/fbctl/fbctl"), QStringList{QStringLiteral("compare")} + args);
    if (!p.waitForFinished(30000))
        qFatal("fbctl compare did not finish");
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

QString verdictOf(const QString &table, const QString &metric)
{
    for (const QString &line : table.split(QLatin1Char('\n')))
        if (line.contains(QStringLiteral("  ") + metric + QStringLiteral("  ")))
            return line.section(QStringLiteral("  "), -1).trimmed();
    return {};
}

} // namespace

class TestFbctlCompare : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QDir(fb::Paths::stateDir()).removeRecursively();
        QVERIFY(QDir().mkpath(fb::Paths::stateDir()));
        const QDateTime t0 = QDateTime::currentDateTimeUtc().addSecs(-3600);
        // Hand-computed: p50 A = {1.00, 1.01, 1.02} ms (s = 0.01), B = A × 1.2:
        // Δ = +0.202 ms = +20 %, Welch df ≈ 3.8, CI ≈ [+16.6 %, +23.4 %], outside ±5 %.
        makeRun(QStringLiteral("A"), t0, {{1.00, 10000}, {1.01, 9900}, {1.02, 9800}});
        makeRun(QStringLiteral("A2"), t0.addSecs(60), {{1.01, 9950}, {1.00, 9900}, {1.02, 9850}});
        makeRun(QStringLiteral("B"), t0.addSecs(120), {{1.20, 8333}, {1.212, 8250}, {1.224, 8167}});
        makeRun(QStringLiteral("S"), t0.addSecs(180), {{2.00, 5000}});
    }

    void slowdownFailsTheGate()
    {
        const Result r = fbctl({QStringLiteral("A"), QStringLiteral("B")});
        QVERIFY2(r.exitCode == 3, qPrintable(r.out + r.err));
        QCOMPARE(verdictOf(r.out, QStringLiteral("latency.p50")), QStringLiteral("regression"));
        QCOMPARE(verdictOf(r.out, QStringLiteral("throughput.requests_per_s")), QStringLiteral("regression"));
        QVERIFY2(r.out.contains(QStringLiteral("+20 %")), qPrintable(r.out));
        QVERIFY(r.out.contains(QStringLiteral("3 regression(s)"))); // throughput, p50, p99
        // Units in every value, one number format.
        QVERIFY2(r.out.contains(QStringLiteral("1.01 ms ± ")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("9.9 k req/s ± ")), qPrintable(r.out));
        QVERIFY(!r.out.contains(QStringLiteral("e+")) && !r.out.contains(QStringLiteral("e-0")));
        // Aligned: every row's verdict starts under the VERDICT header.
        const QStringList lines = r.out.split(QLatin1Char('\n'));
        const auto header = std::find_if(lines.begin(), lines.end(), [](const QString &l) { return l.startsWith(QLatin1String("TRIAL")); });
        QVERIFY(header != lines.end());
        const qsizetype column = header->indexOf(QLatin1String("VERDICT"));
        int rows = 0;
        for (auto it = header + 1; it != lines.end() && !it->isEmpty(); ++it, ++rows)
            QVERIFY2(it->mid(column, 1) != QLatin1String(" ") && it->at(column - 1) == QLatin1Char(' '), qPrintable(*it));
        QVERIFY(rows >= 4);
    }

    void aaPairAndSingleSamplesPass()
    {
        const Result same = fbctl({QStringLiteral("A"), QStringLiteral("A2")});
        QVERIFY2(same.exitCode == 0, qPrintable(same.out + same.err));
        QCOMPARE(verdictOf(same.out, QStringLiteral("latency.p50")), QStringLiteral("within noise"));
        // The baseline is whichever run the user names first: B as baseline, A is an improvement.
        const Result back = fbctl({QStringLiteral("B"), QStringLiteral("A")});
        QCOMPARE(back.exitCode, 0);
        QCOMPARE(verdictOf(back.out, QStringLiteral("latency.p50")), QStringLiteral("improvement"));
        // One sample: +98 % but not judged.
        const Result single = fbctl({QStringLiteral("A/t001-r1"), QStringLiteral("S")});
        QCOMPARE(single.exitCode, 0);
        QCOMPARE(verdictOf(single.out, QStringLiteral("latency.p50")), QStringLiteral("single sample"));
        QVERIFY(single.out.contains(QStringLiteral("note: single samples are shown, not judged")));
        // Two trials of one run.
        const Result trials = fbctl({QStringLiteral("A/t001-r1,t001-r2"), QStringLiteral("A/t001-r3"),
                                     QStringLiteral("--metric"), QStringLiteral("latency.p*")});
        QCOMPARE(trials.exitCode, 0);
        QVERIFY(!verdictOf(trials.out, QStringLiteral("latency.p99")).isEmpty());
        // A band wider than the slowdown.
        QCOMPARE(fbctl({QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("--tolerance"), QStringLiteral("50%")}).exitCode, 0);
    }

    void errorsAreNotTheRegressionCode()
    {
        QCOMPARE(fbctl({QStringLiteral("A"), QStringLiteral("nope")}).exitCode, 2);
        const Result trial = fbctl({QStringLiteral("A/t009"), QStringLiteral("B")});
        QCOMPARE(trial.exitCode, 2);
        QVERIFY2(trial.err.contains(QStringLiteral("run A has no trial t009")), qPrintable(trial.err));
        QCOMPARE(fbctl({QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("--tolerance"), QStringLiteral("lots")}).exitCode, 2);
        QCOMPARE(fbctl({QStringLiteral("A")}).exitCode, 2);
        QCOMPARE(fbctl({QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("--metric"), QStringLiteral("nothing.like.it")}).exitCode, 2);
        QCOMPARE(fbctl({QStringLiteral("--help")}).exitCode, 0);
    }
};

QTEST_GUILESS_MAIN(TestFbctlCompare)
#include "tst_fbctlcompare.moc"
