// Workload replay end to end: fbload's llm workload with params.dataset
// against `fbload serve --api openai` (started here; it reports prompt tokens
// as the prompt's word count and sends exactly max_tokens tokens). What
// fbload did is read from params.request_log.
//  - a 1,000-request trace replayed at time_scale 2 keeps its inter-arrival
//    times (intended exactly, sent within 1 ms at p99) and its token counts;
//  - multi-turn ShareGPT sessions send each turn with the conversation so far;
//  - the same seed gives the same requests on every run, and the tasks of a
//    multi-instance client share one sample without overlap;
//  - a malformed dataset exits 2 naming FILE:LINE.
#include "fbload_test_util.h"

#include <algorithm>
#include <random>
#include <set>

using namespace fbtest;

namespace {

std::unique_ptr<ServeProcess> g_serve;

QString target()
{
    return g_serve->target();
}

QList<QJsonObject> readLog(const QString& path)
{
    QList<QJsonObject> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    while (!f.atEnd()) {
        QByteArray l = f.readLine().trimmed();
        if (!l.isEmpty())
            out.push_back(QJsonDocument::fromJson(l).object());
    }
    return out;
}

void writeText(const QString& path, const QByteArray& text)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
}

QByteArray conversation(int id, int pairs)
{
    QByteArray c = "{\"id\": \"c" + QByteArray::number(id) + "\", \"conversations\": [";
    for (int p = 0; p < pairs; ++p) {
        if (p)
            c += ", ";
        c += "{\"from\": \"human\", \"value\": \"question " + QByteArray::number(p) + " of " + QByteArray::number(id) +
             "\"}, {\"from\": \"gpt\", \"value\": \"answer" + QByteArray(" word").repeated(p + 1) + "\"}";
    }
    return c + "]}\n";
}

QStringList llmArgs(const QString& dataset, const QString& log)
{
    return {"--set", "params.model=synthetic", "--set", "params.dataset=" + dataset, "--set", "params.request_log=" + log};
}

}  // namespace

class TestReplay : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void traceReplayKeepsTimesAndTokens();
    void multiTurnSessionsSendTheConversationSoFar();
    void seededSampleIsTheSameOnEveryRunAndTask();
    void malformedDatasetExits2();
    void cleanupTestCase() { g_serve.reset(); }

private:
    QTemporaryDir dir_;
};

void TestReplay::initTestCase()
{
    QVERIFY2(!fbloadBin().isEmpty(), "FBLOAD_BIN is not set");
    QVERIFY(dir_.isValid());
    g_serve = std::make_unique<ServeProcess>(QStringList{"--api", "openai", "--ttft-ms", "20", "--tpot-ms", "5"});
    QVERIFY2(g_serve->port() > 0, qPrintable(g_serve->errors()));
}

void TestReplay::traceReplayKeepsTimesAndTokens()
{
    // 1,000 requests, Poisson gaps of 5 ms on average (a raw span of ~5 s,
    // ~10 s replayed at time_scale 2), Mooncake columns, timestamps in ms
    // with microsecond decimals, some bursts of equal timestamps.
    constexpr int kN = 1000;
    std::mt19937_64 rng(11);
    std::exponential_distribution<double> gap(1.0 / 5.0);
    std::uniform_int_distribution<int> in(1, 64), out(1, 4);
    QByteArray text;
    std::vector<double> ts;
    std::vector<int> inputs, outputs;
    double t = 1000;
    for (int i = 0; i < kN; ++i) {
        if (i % 50 != 1)  // every 50th request arrives with the one before
            t += gap(rng);
        double rounded = std::round(t * 1000) / 1000;
        ts.push_back(rounded);
        inputs.push_back(in(rng));
        outputs.push_back(out(rng));
        text += QString("{\"timestamp\": %1, \"input_length\": %2, \"output_length\": %3, \"hash_ids\": [%4, %5]}\n")
                    .arg(rounded, 0, 'f', 3).arg(inputs.back()).arg(outputs.back()).arg(i % 3).arg(i)
                    .toUtf8();
    }
    const QString trace = dir_.filePath("trace.jsonl"), log = dir_.filePath("trace-log.jsonl"),
                  res = dir_.filePath("trace.json");
    writeText(trace, text);
    auto r = runFbload(QStringList{"run", "--workload", "llm", "--target", target(), "--out", res, "--concurrency", "96",
                                   "--set", "params.api=openai-completions", "--set", "params.time_scale=2",
                                   "--set", "params.block_tokens=16", "--model", "trace", "--set", "duration_s=null"} +
                           llmArgs(trace, log),
                       res, 60000, /*realtime=*/true); // send precision is judged: see runFbload
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    QCOMPARE(r.result["run"].toObject()["config"].toObject()["load"].toObject()["model"].toString(), QString("trace"));
    const auto requests = r.result["summary"].toObject()["requests"].toObject();
    QCOMPARE(requests["completed"].toInt(), kN);
    QCOMPARE(requests["errors"].toInt(), 0);

    QList<QJsonObject> entries = readLog(log);
    QCOMPARE(entries.size(), kN);
    std::sort(entries.begin(), entries.end(), [](auto& a, auto& b) { return a["seq"].toInteger() < b["seq"].toInteger(); });
    std::vector<double> sendErrMs;
    for (int i = 0; i < kN; ++i) {
        const QJsonObject& e = entries[i];
        QCOMPARE(e["seq"].toInteger(), qint64(i));
        QCOMPARE(e["line"].toInt(), i + 1);  // request k of the trace is arrival k
        QVERIFY(e["ok"].toBool());
        // Token counts exactly: the server counted input_length words and sent output_length tokens.
        QCOMPARE(e["input_tokens"].toInt(), inputs[static_cast<size_t>(i)]);
        QCOMPARE(e["output_tokens"].toInt(), outputs[static_cast<size_t>(i)]);
        QCOMPARE(e["max_tokens"].toInt(), outputs[static_cast<size_t>(i)]);
        if (i == 0)
            continue;
        const QJsonObject& p = entries[i - 1];
        const double wantNs = (ts[static_cast<size_t>(i)] - ts[static_cast<size_t>(i - 1)]) * 2e6;
        const double intendedNs = e["intended_ns"].toDouble() - p["intended_ns"].toDouble();
        QVERIFY2(std::abs(intendedNs - wantNs) <= 2,  // the schedule itself: exact up to rounding
                 qPrintable(QString("arrival %1: intended gap %2 ns, trace says %3 ns").arg(i).arg(intendedNs).arg(wantNs)));
        const double sentNs = e["sent_ns"].toDouble() - p["sent_ns"].toDouble();
        sendErrMs.push_back(std::abs(sentNs - wantNs) / 1e6);
    }
    std::sort(sendErrMs.begin(), sendErrMs.end());
    const double p50 = sendErrMs[sendErrMs.size() / 2], p99 = sendErrMs[sendErrMs.size() * 99 / 100];
    qInfo("inter-arrival error vs trace x2: p50 %.3f ms, p99 %.3f ms, max %.3f ms", p50, p99, sendErrMs.back());
    // On failure, fbload's own account of its sends (run.generator: schedule
    // lag, time its thread waited for a CPU) says whether the machine was busy.
    const QJsonObject gen = r.result["run"].toObject()["generator"].toObject();
    QVERIFY2(p99 <= 1.0, qPrintable(QString("inter-arrival p99 error %1 ms > 1 ms; generator: %2")
                                        .arg(p99)
                                        .arg(QString::fromUtf8(QJsonDocument(gen["schedule_lag"].toObject()).toJson(QJsonDocument::Compact)) +
                                             " " + gen["reason"].toString())));
}

void TestReplay::multiTurnSessionsSendTheConversationSoFar()
{
    // Closed loop, one connection: each conversation's turns in order, every
    // turn carrying the whole conversation so far (the server's prompt token
    // count grows by the previous turn and its recorded answer).
    const QString data = dir_.filePath("mt.jsonl"), log = dir_.filePath("mt-log.jsonl");
    writeText(data, conversation(0, 3) + conversation(1, 2));
    auto r = runFbload(QStringList{"run", "--workload", "llm", "--target", target(), "--concurrency", "1",
                                   "--requests", "5", "--set", "params.api=openai-chat", "--set",
                                   "params.multi_turn=true", "--set", "params.shuffle=false"} +
                       llmArgs(data, log));
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    QList<QJsonObject> e = readLog(log);
    QCOMPARE(e.size(), 5);
    // Words: turn k of conversation c = its questions (4 words each) and answers (k+1 words) so far.
    const int expectIn[] = {4, 4 + 2 + 4, 4 + 2 + 4 + 3 + 4, 4, 4 + 2 + 4};
    const int expectOut[] = {2, 3, 4, 2, 3};
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(e[i]["line"].toInt(), i < 3 ? 1 : 2);
        QCOMPARE(e[i]["input_tokens"].toInt(), expectIn[i]);
        QCOMPARE(e[i]["expected_input_tokens"].toInt(), expectIn[i]);
        QCOMPARE(e[i]["output_tokens"].toInt(), expectOut[i]);
    }
}

void TestReplay::seededSampleIsTheSameOnEveryRunAndTask()
{
    QByteArray text;
    for (int i = 0; i < 40; ++i)
        text += conversation(i, 1);
    const QString data = dir_.filePath("sample.jsonl");
    writeText(data, text);
    auto linesOf = [](const QString& log) {
        std::vector<int> lines;
        for (const QJsonObject& e : readLog(log))
            lines.push_back(e["line"].toInt());
        return lines;
    };
    auto run = [&](const QString& log, const QStringList& extra) {
        auto r = runFbload(QStringList{"run", "--workload", "llm", "--target", target(), "--concurrency", "1",
                                       "--requests", "10", "--set", "seed=3", "--set", "params.num_prompts=10"} +
                           extra + llmArgs(data, log));
        QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    };
    run(dir_.filePath("s1.jsonl"), {});
    run(dir_.filePath("s2.jsonl"), {});
    const std::vector<int> a = linesOf(dir_.filePath("s1.jsonl"));
    QCOMPARE(a.size(), size_t(10));
    QCOMPARE(linesOf(dir_.filePath("s2.jsonl")), a);  // same seed, same requests in the same order
    QCOMPARE(std::set<int>(a.begin(), a.end()).size(), size_t(10));
    std::vector<int> firstTen(10);
    std::iota(firstTen.begin(), firstTen.end(), 1);
    QVERIFY(a != firstTen);  // a seeded sample, not the head of the file
    run(dir_.filePath("s3.jsonl"), {"--set", "seed=4"});
    QVERIFY(linesOf(dir_.filePath("s3.jsonl")) != a);

    // Two tasks of one client (as srun starts them): each takes every second
    // record of the same sample; together they send it once.
    QTemporaryDir barrier;
    std::vector<std::unique_ptr<QProcess>> tasks;
    for (int t = 0; t < 2; ++t) {
        auto p = std::make_unique<QProcess>();
        p->start(fbloadBin(), QStringList{"run", "--workload", "llm", "--target", target(), "--concurrency", "1",
                                          "--requests", "5", "--set", "seed=3", "--set", "params.num_prompts=10",
                                          "--tasks", "2", "--task-index", QString::number(t), "--barrier", barrier.path()} +
                                  llmArgs(data, dir_.filePath(QString("task%1.jsonl").arg(t))));
        tasks.push_back(std::move(p));
    }
    for (auto& p : tasks) {
        QVERIFY(p->waitForFinished(60000));
        QVERIFY2(p->exitCode() == 0, p->readAllStandardError().constData());
    }
    const std::vector<int> t0 = linesOf(dir_.filePath("task0.jsonl")), t1 = linesOf(dir_.filePath("task1.jsonl"));
    QCOMPARE(t0, (std::vector<int>{a[0], a[2], a[4], a[6], a[8]}));
    QCOMPARE(t1, (std::vector<int>{a[1], a[3], a[5], a[7], a[9]}));
}

void TestReplay::malformedDatasetExits2()
{
    const QString data = dir_.filePath("broken.jsonl");
    writeText(data, "{\"timestamp\": 0, \"input_tokens\": 3, \"output_tokens\": 1}\n"
                    "{\"timestamp\": 1, \"input_tokens\": 3, \"output_tokens\": 1}\n"
                    "{\"timestamp\": 2, \"input_tokens\": 3, \"output_tokens\": 1\n");
    auto r = runFbload(QStringList{"run", "--workload", "llm", "--target", target(), "--requests", "1"} +
                       llmArgs(data, dir_.filePath("unused.jsonl")));
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains("params.dataset: " + data + ":3:"), qPrintable(r.stderrText));
    // load.model trace without a trace is refused, naming the field.
    writeText(data, "{\"prompt\": \"hello\"}\n");
    r = runFbload(QStringList{"run", "--workload", "llm", "--target", target(), "--model", "trace"} +
                  llmArgs(data, dir_.filePath("unused.jsonl")));
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains("load.model: trace needs a trace"), qPrintable(r.stderrText));
}

QTEST_GUILESS_MAIN(TestReplay)
#include "tst_replay.moc"
