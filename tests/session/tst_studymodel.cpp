// The study model (metrics::Study) and its loader (session::loadStudy) on a
// run store and result documents this test writes: a 2 × 3 sweep
// (concurrency × pipeline) with 2 repetitions, one trial without results yet
// and one with an unreadable file. Checks the trials, parameters, metrics and
// units, the repetition groups, the sweep's means and t-intervals (against
// values computed here by hand) and the CSV's exact values.
#include "metrics/Study.h"
#include "session/RunStore.h"
#include "session/StudyLoader.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using fb::metrics::Study;

namespace {

const QString kConcurrency = QStringLiteral("clients[0].load.concurrency");
const QString kPipeline = QStringLiteral("clients[0].params.pipeline");
constexpr double kT975df1 = 12.706204736174707; // Student t, 97.5 % quantile, 1 degree of freedom

// Deterministic, distinct values per trial: throughput and p99 latency (ms).
double throughputOf(int c, int p, int r) { return 1000.0 * c * p + 37.25 * r + 0.125; }
double p99Of(int c, int p, int r) { return 0.05 * c + 0.01 * p + 0.003 * r; }

QByteArray resultJson(int c, int p, int r, const QString &trial)
{
    QJsonObject latency{{QStringLiteral("unit"), QStringLiteral("ms")}, {QStringLiteral("count"), 1000},
                        {QStringLiteral("mean"), p99Of(c, p, r) / 3},  {QStringLiteral("p50"), p99Of(c, p, r) / 4},
                        {QStringLiteral("p90"), p99Of(c, p, r) / 2},   {QStringLiteral("p95"), p99Of(c, p, r) / 1.5},
                        {QStringLiteral("p99"), p99Of(c, p, r)},       {QStringLiteral("p999"), p99Of(c, p, r) * 2},
                        {QStringLiteral("min"), 0.01},                 {QStringLiteral("max"), 5.0},
                        {QStringLiteral("stdev"), 0.02}};
    const double tput = throughputOf(c, p, r);
    QJsonObject summary{
        {QStringLiteral("requests"), QJsonObject{{QStringLiteral("sent"), 4000}, {QStringLiteral("completed"), 4000 - r},
                                                 {QStringLiteral("errors"), r}}},
        {QStringLiteral("throughput"), QJsonObject{{QStringLiteral("requests_per_s"), tput},
                                                   {QStringLiteral("goodput_requests_per_s"), tput},
                                                   {QStringLiteral("output_tokens_per_s"), 0}}},
        {QStringLiteral("errors"), QJsonObject{{QStringLiteral("timeout"), r}}},
        {QStringLiteral("metrics"), QJsonObject{{QStringLiteral("latency"), latency}}}};
    QJsonObject doc{{QStringLiteral("schema"), QStringLiteral("factorybench.result")},
                    {QStringLiteral("schema_version"), 1},
                    {QStringLiteral("run"), QJsonObject{{QStringLiteral("workload"), QStringLiteral("redis")},
                                                        {QStringLiteral("labels"), QJsonObject{{QStringLiteral("trial"), trial}}}}},
                    {QStringLiteral("summary"), summary}};
    return QJsonDocument(doc).toJson();
}

const char *kRecipe = R"(version: 1
metadata: {name: study-unit}
services:
  - name: redis
    template: redis
    container: none
clients:
  - name: kv
    service: redis
    workload: redis
    load: {concurrency: [1, 4]}
    duration: 2s
    params: {pipeline: [1, 4, 16]}
sweep: {repetitions: 2}
)";

} // namespace

class TestStudyModel : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_store;
    const QString m_run = QStringLiteral("20261203-040000-study-unit-abcd");

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_store = m_dir.filePath(QStringLiteral("runs.sqlite"));
        fb::session::RunStore store;
        QString error;
        QVERIFY2(store.open(m_store, &error), qPrintable(error));
        fb::session::RunRecord run;
        run.id = m_run;
        run.name = QStringLiteral("study-unit");
        run.recipeText = QString::fromUtf8(kRecipe);
        run.state = fb::session::RunState::Running;
        run.createdAt = QDateTime::currentDateTimeUtc();
        QVERIFY2(store.saveRun(run, &error), qPrintable(error));
        const int concurrency[] = {1, 4}, pipeline[] = {1, 4, 16};
        int combination = 0;
        for (int c : concurrency)
            for (int p : pipeline) {
                ++combination;
                for (int r = 1; r <= 2; ++r) {
                    fb::session::TrialRecord t;
                    t.runId = m_run;
                    t.trialId = QStringLiteral("t%1-r%2").arg(combination, 3, 10, QLatin1Char('0')).arg(r);
                    t.index = combination * 1000 + r;
                    // Stored the way Campaign stores them: strings as written.
                    t.params.insert(kConcurrency, QString::number(c));
                    t.params.insert(kPipeline, QString::number(p));
                    // t006-r2 is still running: no result yet.
                    const bool running = combination == 6 && r == 2;
                    t.state = running ? fb::session::TrialState::Running : fb::session::TrialState::Completed;
                    QVERIFY2(store.saveTrial(t, &error), qPrintable(error));
                    if (running)
                        continue;
                    const QString path = m_dir.filePath(t.trialId + QStringLiteral("/results/result-kv.json"));
                    QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
                    QFile f(path);
                    QVERIFY(f.open(QIODevice::WriteOnly));
                    f.write(resultJson(c, p, r, t.trialId));
                    f.close();
                    fb::session::ResultFileRecord rf{m_run, t.trialId, QStringLiteral("/remote/") + t.trialId, path, QStringLiteral("00"),
                                                     f.size(), QDateTime::currentDateTimeUtc()};
                    QVERIFY2(store.saveResultFile(rf, &error), qPrintable(error));
                }
            }
    }

    void loadsTrialsParametersAndMetrics()
    {
        QString error;
        const auto study = fb::session::loadStudy(m_store, m_run, &error);
        QVERIFY2(study, qPrintable(error));
        QCOMPARE(study->trials().size(), 12);
        QCOMPARE(study->resultCount(), 11);
        QCOMPARE(study->trials().first().id, QStringLiteral("t001-r1"));
        QCOMPARE(study->trials().last().id, QStringLiteral("t006-r2"));
        QVERIFY(!study->trials().last().result);
        QCOMPARE(study->name(), QStringLiteral("study-unit"));
        QCOMPARE(study->workload(), QStringLiteral("redis"));

        // Axis order from the recipe, short names, numeric values sorted.
        QCOMPARE(study->parameters().size(), 2);
        QCOMPARE(study->parameters()[0].path, kConcurrency);
        QCOMPARE(study->parameters()[0].name, QStringLiteral("concurrency"));
        QCOMPARE(study->parameters()[0].values, (QStringList{QStringLiteral("1"), QStringLiteral("4")}));
        QCOMPARE(study->parameters()[1].name, QStringLiteral("pipeline"));
        QCOMPARE(study->parameters()[1].values, (QStringList{QStringLiteral("1"), QStringLiteral("4"), QStringLiteral("16")}));
        QVERIFY(study->parameters()[1].numeric);
        QCOMPARE(study->parameter(QStringLiteral("pipeline")), &study->parameters()[1]);
        QCOMPARE(study->trialLabel(study->trials()[3]), QStringLiteral("concurrency=1, pipeline=4"));

        // Units: latency as the file declares it (ms), counts as counts, the derived error rate a ratio.
        const auto *p99 = study->metric(QStringLiteral("latency.p99"));
        QVERIFY(p99);
        QCOMPARE(p99->unit.unit, fb::units::Unit::Seconds);
        QCOMPARE(p99->unit.toBase, 1e-3);
        QCOMPARE(p99->storedUnit, QStringLiteral("ms"));
        QCOMPARE(study->metric(QStringLiteral("latency.count"))->unit.unit, fb::units::Unit::Count);
        QCOMPARE(study->metric(QStringLiteral("throughput.requests_per_s"))->unit.unit, fb::units::Unit::PerSecond);
        QCOMPARE(study->metric(QStringLiteral("error_rate"))->unit.unit, fb::units::Unit::Ratio);
        QCOMPARE(study->metrics().first().key.left(11), QStringLiteral("throughput."));
        QCOMPARE(study->trials()[1].value(QStringLiteral("error_rate")), 2.0 / 4000);
        // Main figures: no goodput (equal to the throughput), no zero token rate.
        QCOMPARE(study->mainMetrics(), (QStringList{QStringLiteral("throughput.requests_per_s"), QStringLiteral("latency.p50"),
                                                    QStringLiteral("latency.p99"), QStringLiteral("error_rate")}));
        QVERIFY(!study->metric(QStringLiteral("nope")));
    }

    void groupsRepetitionsIntoTIntervals()
    {
        QString error;
        const auto study = fb::session::loadStudy(m_store, m_run, &error);
        QVERIFY2(study, qPrintable(error));
        QCOMPARE(study->repetitionGroups().size(), 6);
        QCOMPARE(study->repetitionGroups().first().size(), 2);

        const auto series = study->sweep(QStringLiteral("throughput.requests_per_s"), QStringLiteral("pipeline"), QStringLiteral("concurrency"));
        QCOMPARE(series.size(), 2);
        QCOMPARE(series[0].name, QStringLiteral("concurrency=1"));
        QCOMPARE(series[1].name, QStringLiteral("concurrency=4"));
        const int pipelines[] = {1, 4, 16};
        for (int s = 0; s < 2; ++s) {
            const int c = s == 0 ? 1 : 4;
            QCOMPARE(series[s].points.size(), 3);
            for (int i = 0; i < 3; ++i) {
                const auto &pt = series[s].points[i];
                QCOMPARE(pt.x, double(pipelines[i]));
                if (c == 4 && pipelines[i] == 16) { // one repetition has no result yet: no interval
                    QCOMPARE(pt.n, 1);
                    QCOMPARE(pt.mean, throughputOf(4, 16, 1));
                    QVERIFY(std::isnan(pt.halfWidth));
                    QCOMPARE(pt.low(), pt.mean);
                    continue;
                }
                const double a = throughputOf(c, pipelines[i], 1), b = throughputOf(c, pipelines[i], 2);
                QCOMPARE(pt.n, 2);
                QCOMPARE(pt.trialIds.size(), 2);
                QVERIFY(qFuzzyCompare(pt.mean, (a + b) / 2));
                // n = 2: s = |a - b| / √2, half-width = t(0.975, 1) · s / √2 = t · |a - b| / 2.
                const double expected = kT975df1 * std::abs(a - b) / 2;
                QVERIFY2(std::abs(pt.halfWidth - expected) < 1e-9 * expected,
                         qPrintable(QStringLiteral("%1 vs %2").arg(pt.halfWidth, 0, 'g', 17).arg(expected, 0, 'g', 17)));
            }
        }
        // No series parameter: one series per value of the other parameter anyway (never mixed).
        QCOMPARE(study->sweep(QStringLiteral("latency.p99"), QStringLiteral("pipeline")).size(), 2);
        // x = concurrency: 3 series of 2 points.
        const auto byConcurrency = study->sweep(QStringLiteral("latency.p99"), kConcurrency, kPipeline);
        QCOMPARE(byConcurrency.size(), 3);
        QCOMPARE(byConcurrency[2].name, QStringLiteral("pipeline=16"));
        QCOMPARE(byConcurrency[0].points.size(), 2);
        QVERIFY(study->sweep(QStringLiteral("latency.p99"), QStringLiteral("nope")).isEmpty());
    }

    void csvHoldsTheFilesValues()
    {
        QString error;
        const auto study = fb::session::loadStudy(m_store, m_run, &error);
        QVERIFY2(study, qPrintable(error));
        const QStringList lines = study->tableCsv().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 13);
        QCOMPARE(lines[0], QStringLiteral("trial,state,concurrency,pipeline,throughput.requests_per_s (req/s),latency.p50 (ms),"
                                          "latency.p99 (ms),error_rate"));
        const int concurrency[] = {1, 1, 1, 4, 4, 4}, pipeline[] = {1, 4, 16, 1, 4, 16};
        for (int i = 1; i < lines.size(); ++i) {
            const QStringList f = lines[i].split(QLatin1Char(','));
            QCOMPARE(f.size(), 8);
            const int combination = (i - 1) / 2, r = (i - 1) % 2 + 1;
            QCOMPARE(f[2].toInt(), concurrency[combination]);
            QCOMPARE(f[3].toInt(), pipeline[combination]);
            if (i == 12) {
                QCOMPARE(f[1], QStringLiteral("running"));
                QVERIFY(f[4].isEmpty());
                continue;
            }
            QCOMPARE(f[4].toDouble(), throughputOf(concurrency[combination], pipeline[combination], r)); // exact
            QCOMPARE(f[6].toDouble(), p99Of(concurrency[combination], pipeline[combination], r));
        }
    }

    // A parameter whose values are not all numbers keeps the sweep's order
    // and is placed by position; names clash only when the suffix is shared.
    void nonNumericParameterIsPlacedByPosition()
    {
        QList<fb::metrics::StudyTrial> trials;
        const QStringList sizes{QStringLiteral("64"), QStringLiteral("1k"), QStringLiteral("16k")};
        for (int i = 0; i < sizes.size(); ++i) {
            fb::metrics::StudyTrial t;
            t.id = QStringLiteral("t%1").arg(i + 1);
            t.index = (i + 1) * 1000 + 1;
            t.parameters = {{QStringLiteral("clients[0].params.value_size"), sizes[i]},
                            {QStringLiteral("clients[1].params.value_size"), QStringLiteral("8")}};
            QString error;
            t.result = fb::metrics::ResultDocument::fromJson(resultJson(1, i + 1, 1, t.id), t.id, &error);
            QVERIFY2(t.result, qPrintable(error));
            trials << t;
        }
        const Study study(QStringLiteral("r"), QStringLiteral("n"), trials);
        QCOMPARE(study.parameters().size(), 2);
        QCOMPARE(study.parameters()[0].name, QStringLiteral("clients[0].params.value_size"));
        QVERIFY(!study.parameters()[0].numeric);
        QCOMPARE(study.parameters()[0].values, sizes);
        const auto series = study.sweep(QStringLiteral("throughput.requests_per_s"), QStringLiteral("clients[0].params.value_size"));
        QCOMPARE(series.size(), 1);
        QCOMPARE(series[0].name, QStringLiteral("clients[1].params.value_size=8"));
        QCOMPARE(series[0].points.size(), 3);
        QCOMPARE(series[0].points[2].x, 3.0);
        QCOMPARE(series[0].points[2].xValue, QStringLiteral("16k"));
        QCOMPARE(series[0].points[2].mean, throughputOf(1, 3, 1));
    }

    void unreadableResultIsNamedOnItsTrial()
    {
        QTemporaryDir dir;
        const QString storePath = dir.filePath(QStringLiteral("runs.sqlite"));
        fb::session::RunStore store;
        QString error;
        QVERIFY2(store.open(storePath, &error), qPrintable(error));
        fb::session::RunRecord run;
        run.id = QStringLiteral("r1");
        run.name = QStringLiteral("broken");
        run.state = fb::session::RunState::Completed;
        QVERIFY2(store.saveRun(run, &error), qPrintable(error));
        fb::session::TrialRecord t;
        t.runId = run.id;
        t.trialId = QStringLiteral("t001");
        t.index = 1001;
        t.state = fb::session::TrialState::Completed;
        QVERIFY2(store.saveTrial(t, &error), qPrintable(error));
        const QString path = dir.filePath(QStringLiteral("bad.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"schema\": \"factorybench.result\", \"schema_version\": 1, \"summary\": [");
        f.close();
        QVERIFY2(store.saveResultFile({run.id, t.trialId, QStringLiteral("/r/bad.json"), path, QStringLiteral("00"), 1, {}}, &error),
                 qPrintable(error));
        const auto study = fb::session::loadStudy(store, run.id, &error);
        QVERIFY2(study, qPrintable(error));
        QCOMPARE(study->trials().size(), 1);
        QVERIFY(!study->trials()[0].result);
        QVERIFY2(study->trials()[0].error.contains(path), qPrintable(study->trials()[0].error));
        QVERIFY(study->parameters().isEmpty());
        QVERIFY(!fb::session::loadStudy(store, QStringLiteral("missing"), &error));
        QVERIFY2(error.contains(QStringLiteral("missing")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestStudyModel)
#include "tst_studymodel.moc"
