// Tests of fbload::loadDataset (core/clients/src/workloads/dataset.h): the
// ShareGPT, prompt and trace formats, multi-turn sessions with their shared
// prefix, seeded sampling and the task split, and errors that name FILE:LINE.
// Every file is written by the test.
#include "config.h"
#include "workloads/dataset.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <set>

using namespace fbload;

namespace {

QString g_dir;

std::string writeFile(const QString& name, const QByteArray& text)
{
    QString path = g_dir + "/" + name;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(path));
    f.write(text);
    return path.toStdString();
}

DatasetOptions opts(const std::string& path)
{
    DatasetOptions o;
    o.path = path;
    o.defaultMaxTokens = 77;
    o.seed = 5;
    return o;
}

// The error loadDataset throws, or "" when it loads.
QString errorOf(const DatasetOptions& o)
{
    try {
        loadDataset(o);
    } catch (const ConfigError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

QByteArray conversation(int id, int pairs)
{
    QByteArray c = "{\"id\": \"c" + QByteArray::number(id) + "\", \"conversations\": [";
    for (int p = 0; p < pairs; ++p) {
        if (p)
            c += ", ";
        // Human turn p of conversation id has p+2 words, the answer p+3 words.
        QByteArray human = "h" + QByteArray::number(id);
        for (int w = 0; w <= p; ++w)
            human += " q";
        QByteArray answer = "a";
        for (int w = 0; w < p + 2; ++w)
            answer += " x";
        c += "{\"from\": \"human\", \"value\": \"" + human + "\"}, {\"from\": \"gpt\", \"value\": \"" + answer + "\"}";
    }
    return c + "]}";
}

std::vector<std::string> texts(const Dataset& d)
{
    std::vector<std::string> t;
    for (const auto& r : d.requests)
        t.push_back(r.text);
    return t;
}

}  // namespace

class TestDataset : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void shareGptJsonArray();
    void shareGptJsonl();
    void promptJsonl();
    void multiTurnSharesPrefix();
    void traceMooncake();
    void traceBurstGptColumns();
    void traceHashIdsSharePrefix();
    void traceBurstGptCsv();
    void seededSamplingIsIdentical();
    void tasksSplitTheSample();
    void traceTasksKeepTheirTimes();
    void malformedFilesNameTheLine_data();
    void malformedFilesNameTheLine();
    void malformedJsonArrayNamesTheElementLine();
    void oversizedFileIsRefused();
    void missingFileIsNamed();

private:
    QTemporaryDir dir_;
};

void TestDataset::initTestCase()
{
    QVERIFY(dir_.isValid());
    g_dir = dir_.path();
}

void TestDataset::shareGptJsonArray()
{
    // ShareGPT's published layout: a JSON array over several lines; one
    // conversation has no answer (skipped), one starts with a system turn.
    auto path = writeFile("sg.json", "[\n  " + conversation(0, 2) + ",\n  {\"id\": \"lonely\", \"conversations\": "
                                     "[{\"from\": \"human\", \"value\": \"no answer\"}]},\n"
                                     "  {\"conversations\": [{\"from\": \"system\", \"value\": \"be brief\"}, "
                                     "{\"from\": \"human\", \"value\": \"one two three\"}, "
                                     "{\"from\": \"gpt\", \"value\": \"four five six seven eight\"}]}\n]\n");
    auto o = opts(path);
    o.shuffle = false;
    Dataset d = loadDataset(o);
    QCOMPARE(d.format, DatasetFormat::ShareGpt);
    QCOMPARE(d.requests.size(), size_t(2));
    QCOMPARE(d.skipped, size_t(1));
    // First human turn only; max_tokens = the recorded answer's words.
    QCOMPARE(d.requests[0].text, std::string("h0 q"));
    QCOMPARE(d.requests[0].inputTokens, int64_t(2));
    QCOMPARE(d.requests[0].maxTokens, int64_t(3));
    QCOMPARE(d.requests[0].line, 2);
    QCOMPARE(d.requests[1].text, std::string("one two three"));
    QCOMPARE(d.requests[1].maxTokens, int64_t(5));
    QCOMPARE(d.requests[1].line, 4);
    QVERIFY(d.requests[1].messages.isNull());  // one user message
    QCOMPARE(d.sessionStart.size(), size_t(2));
}

void TestDataset::shareGptJsonl()
{
    auto path = writeFile("sg.jsonl", conversation(1, 1) + "\n\n" + conversation(2, 3) + "\n");
    auto o = opts(path);
    o.shuffle = false;
    Dataset d = loadDataset(o);
    QCOMPARE(d.format, DatasetFormat::ShareGpt);
    QCOMPARE(d.requests.size(), size_t(2));
    QCOMPARE(d.requests[1].text, std::string("h2 q"));
    QCOMPARE(d.requests[1].line, 3);
}

void TestDataset::promptJsonl()
{
    auto path = writeFile("p.jsonl", "{\"prompt\": \"one two three four five\", \"max_tokens\": 3}\n"
                                     "{\"prompt\": \"six\"}\n"
                                     "{\"messages\": [{\"role\": \"user\", \"content\": \"seven eight\"}], \"output_tokens\": 9}\n");
    auto o = opts(path);
    o.shuffle = false;
    Dataset d = loadDataset(o);
    QCOMPARE(d.format, DatasetFormat::Prompts);
    QCOMPARE(d.requests.size(), size_t(3));
    QCOMPARE(d.requests[0].maxTokens, int64_t(3));
    QCOMPARE(d.requests[0].inputTokens, int64_t(5));
    QCOMPARE(d.requests[1].maxTokens, int64_t(77));  // params.max_tokens
    QCOMPARE(d.requests[2].maxTokens, int64_t(9));
    QVERIFY(d.requests[2].messages.isArray());
    QCOMPARE(d.requests[2].inputTokens, int64_t(2));
    QVERIFY(!d.timed());
}

void TestDataset::multiTurnSharesPrefix()
{
    auto path = writeFile("mt.jsonl", conversation(0, 3) + "\n" + conversation(1, 2) + "\n");
    auto o = opts(path);
    o.multiTurn = true;
    o.shuffle = false;
    Dataset d = loadDataset(o);
    QCOMPARE(d.requests.size(), size_t(5));
    QCOMPARE(d.sessionStart, (std::vector<size_t>{0, 3}));
    // Turn k carries the whole conversation so far: 2k+1 messages, the
    // earlier turn's messages and its recorded answer as its prefix.
    for (size_t k = 0; k < 3; ++k) {
        const auto& r = d.requests[k];
        QCOMPARE(r.messages.asArray().size(), 2 * k + 1);
        QCOMPARE(r.messages.asArray().back().find("role")->asString(), std::string("user"));
        QCOMPARE(r.maxTokens, int64_t(k + 3));
        if (k > 0) {
            const auto& prev = d.requests[k - 1];
            for (size_t m = 0; m < prev.messages.asArray().size(); ++m)
                QCOMPARE(r.messages.asArray()[m].dump(), prev.messages.asArray()[m].dump());
            QCOMPARE(r.messages.asArray()[2 * k - 1].find("role")->asString(), std::string("assistant"));
            QVERIFY2(r.text.rfind(prev.text, 0) == 0, "a turn's text starts with the previous turn's");
            QVERIFY(r.inputTokens > prev.inputTokens);
        }
    }
    QCOMPARE(d.requests[3].messages.asArray().size(), size_t(1));  // the next conversation starts afresh
    o.format = DatasetFormat::Prompts;
    QVERIFY(errorOf(o).contains("mt.jsonl:1: expected {\"prompt\""));
}

void TestDataset::traceMooncake()
{
    // Mooncake's columns, timestamps in ms; time_scale 2 doubles every gap.
    auto path = writeFile("mc.jsonl", "{\"timestamp\": 1000, \"input_length\": 5, \"output_length\": 3}\n"
                                      "{\"timestamp\": 1000, \"input_length\": 1, \"output_length\": 1}\n"
                                      "{\"timestamp\": 1250.5, \"input_tokens\": 12, \"output_tokens\": 7}\n");
    auto o = opts(path);
    o.timeScale = 2;
    Dataset d = loadDataset(o);
    QCOMPARE(d.format, DatasetFormat::Trace);
    QVERIFY(d.timed());
    QCOMPARE(d.requests.size(), size_t(3));
    QCOMPARE(d.requests[0].atNs, int64_t(0));
    QCOMPARE(d.requests[1].atNs, int64_t(0));
    QCOMPARE(d.requests[2].atNs, int64_t(501'000'000));
    const int64_t in[] = {5, 1, 12}, out[] = {3, 1, 7};
    for (size_t i = 0; i < 3; ++i) {
        QCOMPARE(countWords(d.requests[i].text), in[i]);  // exactly input_tokens words
        QCOMPARE(d.requests[i].inputTokens, in[i]);
        QCOMPARE(d.requests[i].maxTokens, out[i]);
        QCOMPARE(d.requests[i].line, int(i + 1));
    }
    QVERIFY(d.requests[0].text != d.requests[1].text.substr(0, d.requests[0].text.size()) ||
            d.requests[0].text.size() < 3);  // unrelated prompts without hash_ids
    o.timestampUnitS = 1e-6;  // params.timestamp_unit us
    QCOMPARE(loadDataset(o).requests[2].atNs, int64_t(501'000));
}

void TestDataset::traceBurstGptColumns()
{
    // BurstGPT's column names (its CSV rows as JSON): Timestamp in seconds.
    auto path = writeFile("bg.jsonl", "{\"Timestamp\": 5, \"Model\": \"ChatGPT\", \"Request tokens\": 47, \"Response tokens\": 18}\n"
                                      "{\"Timestamp\": 45, \"Model\": \"GPT-4\", \"Request tokens\": 10, \"Response tokens\": 2}\n");
    auto o = opts(path);
    o.timeScale = 0.5;
    Dataset d = loadDataset(o);
    QCOMPARE(d.requests[1].atNs, int64_t(20'000'000'000));
    QCOMPARE(d.requests[0].inputTokens, int64_t(47));
    QCOMPARE(d.requests[0].maxTokens, int64_t(18));
    QCOMPARE(countWords(d.requests[1].text), int64_t(10));
}

void TestDataset::traceBurstGptCsv()
{
    // BurstGPT as published: CSV with a header row, Timestamp in seconds.
    auto path = writeFile("burst.csv", "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\r\n"
                                       "5,ChatGPT,472,18,490,Conversation log\r\n"
                                       "45.5,GPT-4,1087,230,1317,API log\r\n");
    Dataset d = loadDataset(opts(path));
    QCOMPARE(d.format, DatasetFormat::Trace);
    QCOMPARE(d.requests.size(), size_t(2));
    QCOMPARE(d.requests[1].atNs, int64_t(40'500'000'000));
    QCOMPARE(d.requests[1].inputTokens, int64_t(1087));
    QCOMPARE(d.requests[1].maxTokens, int64_t(230));
    QCOMPARE(d.requests[1].line, 3);
    QString e = errorOf(opts(writeFile("short.csv", "Timestamp,Request tokens,Response tokens\n1,2\n")));
    QVERIFY2(e.contains("short.csv:2: 2 fields, the header has 3"), qPrintable(e));
    e = errorOf(opts(writeFile("quoted.csv", "Timestamp,Request tokens,Response tokens\n1,\"2\",3\n")));
    QVERIFY2(e.contains("quoted.csv:2: a quoted CSV field"), qPrintable(e));
    e = errorOf(opts(writeFile("zero.csv", "Timestamp,Request tokens,Response tokens\n1,2,0\n")));
    QVERIFY2(e.contains("zero.csv:2: \"Response tokens\": expected a whole number from 1"), qPrintable(e));
}

void TestDataset::traceHashIdsSharePrefix()
{
    // Equal hash ids give equal blocks of block_tokens words: a shared prefix.
    auto path = writeFile("hash.jsonl", "{\"timestamp\": 0, \"input_length\": 10, \"output_length\": 1, \"hash_ids\": [7, 8, 9]}\n"
                                        "{\"timestamp\": 1, \"input_length\": 9, \"output_length\": 1, \"hash_ids\": [7, 8, 3]}\n"
                                        "{\"timestamp\": 2, \"input_length\": 6, \"output_length\": 1, \"hash_ids\": [4]}\n");
    auto o = opts(path);
    o.blockTokens = 4;
    Dataset d = loadDataset(o);
    auto words = [](const std::string& s) {
        QStringList l = QString::fromStdString(s).split(' ');
        return l;
    };
    QStringList a = words(d.requests[0].text), b = words(d.requests[1].text), c = words(d.requests[2].text);
    QCOMPARE(a.size(), 10);
    QCOMPARE(b.size(), 9);
    QCOMPARE(c.size(), 6);
    QCOMPARE(a.mid(0, 8), b.mid(0, 8));   // blocks 7 and 8
    QVERIFY(a.mid(8) != b.mid(8, 2));     // block 9 vs block 3
    QVERIFY(a.mid(0, 4) != c.mid(0, 4));  // block 7 vs block 4
    o.seed = 6;  // another seed, other words
    QVERIFY(loadDataset(o).requests[0].text != d.requests[0].text);
}

void TestDataset::seededSamplingIsIdentical()
{
    QByteArray text;
    for (int i = 0; i < 50; ++i)
        text += conversation(i, 1) + "\n";
    auto path = writeFile("many.jsonl", text);
    auto o = opts(path);
    o.sample = 20;
    Dataset a = loadDataset(o), b = loadDataset(o);
    QCOMPARE(a.requests.size(), size_t(20));
    QCOMPARE(texts(a), texts(b));  // same seed, same sample in the same order
    std::vector<std::string> inFileOrder;
    for (int i = 0; i < 20; ++i)
        inFileOrder.push_back("h" + std::to_string(i) + " q");
    QVERIFY(texts(a) != inFileOrder);  // shuffled
    o.seed = 6;
    QVERIFY(texts(loadDataset(o)) != texts(a));
    o.shuffle = false;
    QCOMPARE(texts(loadDataset(o)), inFileOrder);
    // The same sample whatever the seed-independent order of std::shuffle:
    // pinned, so a libstdc++ change cannot silently alter it across nodes.
    o.shuffle = true;
    o.seed = 5;
    o.sample = 3;
    QCOMPARE(texts(loadDataset(o)).size(), size_t(3));
    QCOMPARE(texts(loadDataset(o))[0], texts(a)[0]);
}

void TestDataset::tasksSplitTheSample()
{
    QByteArray text;
    for (int i = 0; i < 11; ++i)
        text += conversation(i, 2) + "\n";
    auto path = writeFile("split.jsonl", text);
    auto o = opts(path);
    o.multiTurn = true;
    Dataset whole = loadDataset(o);
    QCOMPARE(whole.sessionStart.size(), size_t(11));
    o.tasks = 3;
    std::multiset<std::string> seen;
    for (int t = 0; t < 3; ++t) {
        o.taskIndex = t;
        Dataset d = loadDataset(o);
        QCOMPARE(texts(d), texts(loadDataset(o)));  // every node computes the same share
        // Task t takes sessions t, t+3, ... of the shuffled sample, whole.
        size_t expectSessions = (11 - static_cast<size_t>(t) + 2) / 3;
        QCOMPARE(d.sessionStart.size(), expectSessions);
        for (size_t s = 0; s < d.sessionStart.size(); ++s)
            QCOMPARE(d.requests[d.sessionStart[s]].text,
                     whole.requests[whole.sessionStart[static_cast<size_t>(t) + 3 * s]].text);
        for (const auto& x : texts(d))
            seen.insert(x);
    }
    auto all = texts(whole);
    QCOMPARE(seen, std::multiset<std::string>(all.begin(), all.end()));  // together: the sample, once
    o.tasks = 12;
    o.taskIndex = 11;
    QVERIFY(errorOf(o).contains("task 11 of 12 gets no requests (11 records"));
}

void TestDataset::traceTasksKeepTheirTimes()
{
    auto path = writeFile("tt.jsonl", "{\"timestamp\": 0, \"input_length\": 1, \"output_length\": 1}\n"
                                      "{\"timestamp\": 10, \"input_length\": 2, \"output_length\": 1}\n"
                                      "{\"timestamp\": 30, \"input_length\": 3, \"output_length\": 1}\n");
    auto o = opts(path);
    o.tasks = 2;
    o.taskIndex = 1;
    Dataset d = loadDataset(o);
    QCOMPARE(d.requests.size(), size_t(1));
    QCOMPARE(d.requests[0].atNs, int64_t(10'000'000));  // from the trace's first record, not the task's
    QCOMPARE(d.requests[0].inputTokens, int64_t(2));
    o.tasks = 1;
    o.taskIndex = 0;
    o.sample = 2;  // a trace is cut, never shuffled
    d = loadDataset(o);
    QCOMPARE(d.requests.size(), size_t(2));
    QCOMPARE(d.requests[1].atNs, int64_t(10'000'000));
}

void TestDataset::malformedFilesNameTheLine_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("expected");
    auto row = [](const char* name, const QByteArray& text, const char* expected) {
        QTest::newRow(name) << text << QString::fromUtf8(expected);
    };
    const QByteArray ok = "{\"prompt\": \"a b\"}\n";
    const QByteArray tr = "{\"timestamp\": 5, \"input_tokens\": 3, \"output_tokens\": 2}\n";
    row("bad JSON", ok + "\n" + "{\"prompt\": \"a\n", "bad.jsonl:3:");
    row("not an object", ok + "[1, 2]\n", "bad.jsonl:2: expected a JSON object per line");
    row("no prompt", ok + ok + "{\"text\": \"x\"}\n", "bad.jsonl:3: expected {\"prompt\": \"...\"} or {\"messages\": [...]}");
    row("unknown format", "\n{\"text\": \"x\"}\n", "bad.jsonl:2: cannot tell the format");
    row("mixed formats", ok + tr, "bad.jsonl:2: a trace record in a prompts dataset");
    row("bad max_tokens", "{\"prompt\": \"a\", \"max_tokens\": -4}\n", "bad.jsonl:1: \"max_tokens\": expected a whole number from 1");
    row("fractional tokens", tr + "{\"timestamp\": 6, \"input_tokens\": 2.5, \"output_tokens\": 2}\n", "bad.jsonl:2: \"input_tokens\": expected a whole number");
    row("no output tokens", tr + "{\"timestamp\": 6, \"input_tokens\": 2}\n", "bad.jsonl:2: expected \"output_tokens\"");
    row("string timestamp", "{\"timestamp\": \"noon\", \"input_tokens\": 2, \"output_tokens\": 1}\n", "bad.jsonl:1: \"timestamp\": expected a number >= 0, got \"noon\"");
    row("time goes back", tr + tr + "{\"timestamp\": 4, \"input_tokens\": 2, \"output_tokens\": 1}\n", "bad.jsonl:3: timestamp 4 is before the previous record's 5");
    row("bad hash_ids", "{\"timestamp\": 1, \"input_tokens\": 2, \"output_tokens\": 1, \"hash_ids\": [\"x\"]}\n", "bad.jsonl:1: \"hash_ids\": expected an array of integers");
    row("bad speaker", "{\"conversations\": [{\"from\": \"robot\", \"value\": \"hi\"}]}\n", "bad.jsonl:1: \"from\": expected human, user, gpt, assistant or system, got \"robot\"");
    row("turn without value", "{\"conversations\": [{\"from\": \"human\"}]}\n", "bad.jsonl:1: \"conversations\": expected turns");
    row("binary garbage", QByteArray("\x00\xff\xfe{{{", 6) + "\n", "bad.jsonl:1:");
    row("empty", QByteArray("\n \n"), "bad.jsonl: has no records");
    row("deep nesting", ok + "{\"prompt\": " + QByteArray(100000, '[') + "\n", "bad.jsonl:2:");
    row("huge number", "{\"prompt\": \"a\", \"max_tokens\": 1e300}\n", "bad.jsonl:1: \"max_tokens\": expected a whole number");
}

void TestDataset::malformedFilesNameTheLine()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, expected);
    auto o = opts(writeFile("bad.jsonl", text));
    QString e = errorOf(o);
    QVERIFY2(e.startsWith("params.dataset: " + g_dir + "/bad.jsonl"), qPrintable(e));
    QVERIFY2(e.contains(expected), qPrintable(e));
}

void TestDataset::malformedJsonArrayNamesTheElementLine()
{
    auto o = opts(writeFile("arr.json", "[\n" + conversation(0, 1) + ",\n\n  {\"conversations\": 5}\n]\n"));
    QString e = errorOf(o);
    QVERIFY2(e.contains("arr.json:4: \"conversations\": expected an array of turns"), qPrintable(e));
    o = opts(writeFile("arr2.json", "[\n" + conversation(0, 1) + ",\n  {\"conversations\": [}\n]\n"));
    e = errorOf(o);
    QVERIFY2(e.contains("arr2.json: JSON parse error at line 3"), qPrintable(e));
    o = opts(writeFile("arr3.json", "[{\"timestamp\": 1, \"input_tokens\": 1, \"output_tokens\": 1}]"));
    e = errorOf(o);
    QVERIFY2(e.contains("is a JSON array; a trace dataset is JSONL"), qPrintable(e));
}

void TestDataset::oversizedFileIsRefused()
{
    // A sparse file just over the limit: refused from its size, before reading.
    QString path = g_dir + "/huge.jsonl";
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QVERIFY(f.resize(kMaxDatasetBytes + 1));
    f.close();
    QString e = errorOf(opts(path.toStdString()));
    QVERIFY2(e.contains("huge.jsonl: is 1073741825 bytes, over the limit of 1073741824"), qPrintable(e));
    QFile::remove(path);
}

void TestDataset::missingFileIsNamed()
{
    QString e = errorOf(opts("/nonexistent/d.jsonl"));
    QVERIFY2(e.contains("params.dataset: /nonexistent/d.jsonl: cannot read it"), qPrintable(e));
}

QTEST_GUILESS_MAIN(TestDataset)
#include "tst_dataset.moc"
