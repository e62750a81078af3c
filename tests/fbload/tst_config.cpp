// fbload's parameters: bad values are refused before any load starts with
// exit code 2 and a message naming the field; a config file and the flags
// that override it end up in the result's run.config. No server needed for
// the errors (validation happens before connecting); the happy paths use the
// nginx fixture.
#include "fbload_test_util.h"

#include <sys/resource.h>
#include <utility>

using namespace fbtest;

class TestConfig : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void badParameters_data();
    void badParameters();
    void badConfigFile();
    void configFileAndOverrides();
    void usageAndVersion();
    void lineInjection_data();
    void lineInjection();
    void fdLimit();

private:
    QTemporaryDir dir_;
};

void TestConfig::initTestCase()
{
    QVERIFY2(!fbloadBin().isEmpty(), "FBLOAD_BIN is not set");
    QVERIFY(dir_.isValid());
}

void TestConfig::badParameters_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QStringList redis{"--workload", "redis", "--target", "127.0.0.1:1"};
    const QStringList http{"--workload", "http", "--target", "127.0.0.1:1"};
    const QStringList llm{"--workload", "llm", "--target", "127.0.0.1:1"};
    QTest::newRow("no workload") << QStringList{"--target", "127.0.0.1:1"} << "workload: missing";
    QTest::newRow("unknown workload") << QStringList{"--workload", "mongo", "--target", "127.0.0.1:1"}
                                      << "workload: unknown workload \"mongo\" (compiled in: redis, http, llm";
    QTest::newRow("no target") << QStringList{"--workload", "redis"} << "--target: missing";
    QTest::newRow("target without port") << QStringList{"--workload", "redis", "--target", "localhost"}
                                         << "--target: expected HOST:PORT, got \"localhost\"";
    QTest::newRow("port out of range") << QStringList{"--workload", "redis", "--target", "h:70000"} << "--target port";
    QTest::newRow("unknown flag") << (redis + QStringList{"--rps", "5"}) << "unknown argument \"--rps\"";
    QTest::newRow("flag without value") << (redis + QStringList{"--duration"}) << "--duration: missing value";
    QTest::newRow("concurrency 0") << (redis + QStringList{"--concurrency", "0"})
                                   << "load.concurrency: expected an integer in [1, 100000], got \"0\"";
    QTest::newRow("concurrency over the cap") << (redis + QStringList{"--concurrency", "1000000"})
                                              << "load.concurrency: expected an integer in [1, 100000], got \"1000000\"";
    QTest::newRow("blocking concurrency over the cap")
        << QStringList{"--workload", "file", "--concurrency", "5000", "--set", "params.dir=/tmp"}
        << "load.concurrency: 5000 connections of the file workload would need one thread each; at most 4096";
    QTest::newRow("negative duration") << (redis + QStringList{"--duration", "-3"}) << "duration_s: expected a positive number";
    QTest::newRow("rate not a number") << (redis + QStringList{"--model", "poisson", "--rate", "fast"})
                                       << "load.rate: expected a positive number, got \"fast\"";
    QTest::newRow("open loop without rate") << (redis + QStringList{"--model", "poisson"})
                                            << "load.rate: expected a positive number for load.model \"poisson\"";
    QTest::newRow("unknown model") << (redis + QStringList{"--model", "bursty"})
                                   << "load.model: expected one of closed, constant, poisson, gamma";
    QTest::newRow("busy poll negative") << (redis + QStringList{"--busy-poll-us", "-1"})
                                        << "busy_poll_us: expected an integer in [0, 10000], got \"-1\"";
    QTest::newRow("target file without port") << (redis + QStringList{"--metrics-target-file", "/tmp/t.json"})
                                              << "--metrics-target-file: needs --metrics-port N";
    QTest::newRow("bad label") << (redis + QStringList{"--label", "9x=1"}) << "--label: \"9x\" is not a valid Prometheus label name";
    QTest::newRow("bad --set") << (redis + QStringList{"--set", "params.pipeline"}) << "--set: expected key.path=value";
    QTest::newRow("pipeline 0") << (redis + QStringList{"--set", "params.pipeline=0"})
                                << "params.pipeline: expected an integer in [1, 100000], got 0";
    QTest::newRow("typo in params") << (redis + QStringList{"--set", "params.pipline=4"})
                                    << "params.pipline: unknown key for this workload";
    QTest::newRow("unknown redis op") << (redis + QStringList{"--set", R"(params.operations={"del":1})"})
                                      << "params.operations";
    QTest::newRow("bad key distribution") << (redis + QStringList{"--set", "params.key_distribution=zipf"})
                                          << "params.key_distribution: expected one of uniform, gaussian, sequential";
    QTest::newRow("http path") << (http + QStringList{"--set", "params.path=index.html"})
                               << "params.path: expected a path starting with '/'";
    QTest::newRow("header injection") << (http + QStringList{"--set", R"(params.headers={"X-A":"b\r\nEvil: 1"})"})
                                      << "params.headers.X-A: control character 0x0d (CR) at byte 1 is not allowed";
    QTest::newRow("llm without model") << llm << "params.model: missing";
    QTest::newRow("llm api") << (llm + QStringList{"--set", "params.model=m", "--set", "params.api=anthropic"})
                             << "params.api: expected one of ollama-generate, ollama-chat, openai-completions, openai-chat";
    QTest::newRow("llm dataset missing")
        << (llm + QStringList{"--set", "params.model=m", "--set", "params.dataset=/nonexistent/prompts.jsonl"})
        << "/nonexistent/prompts.jsonl";
    QTest::newRow("missing config file") << QStringList{"--config", "/nonexistent/client.json"}
                                         << "--config: cannot read /nonexistent/client.json";
}

void TestConfig::badParameters()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    auto r = runFbload(QStringList{"run"} + args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains(message), qPrintable("stderr was: " + r.stderrText));
    QVERIFY2(r.stderrText.count('\n') <= 2, qPrintable("one clear line, not a dump: " + r.stderrText));
}

void TestConfig::badConfigFile()
{
    // A syntax error names the file, line and column.
    const QString path = dir_.filePath("broken.json");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\n  \"workload\": \"redis\",\n  \"load\": {\"model\": \"poisson\", \"rate\": }\n}\n");
    f.close();
    auto r = runFbload({"run", "--config", path, "--target", "127.0.0.1:1"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains(path + ": JSON parse error at line 3, column"), qPrintable(r.stderrText));

    // A wrong type names the field path.
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(R"({"workload": "redis", "load": {"concurrency": "many"}})");
    f.close();
    r = runFbload({"run", "--config", path, "--target", "127.0.0.1:1"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains("load.concurrency: expected an integer"), qPrintable(r.stderrText));

    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(R"({"workload": "redis", "duration": 5})");
    f.close();
    r = runFbload({"run", "--config", path, "--target", "127.0.0.1:1"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.contains("duration: unknown key"), qPrintable(r.stderrText));
}

void TestConfig::configFileAndOverrides()
{
    const int port = servicePort("nginx");
    QVERIFY2(port > 0, "the nginx fixture did not write its port");
    // The workload section of a recipe, as the batch scripts pass it.
    const QString path = dir_.filePath("client.json");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"workload": "http", "threads": 2, "duration_s": 30,
                "load": {"model": "constant", "rate": 100, "concurrency": 4},
                "params": {"path": "/index.html", "headers": {"X-Run": "42"}},
                "labels": {"recipe": "smoke"}})");
    f.close();
    const QString out = dir_.filePath("result.json");
    // Flags win over the file: duration and rate here, the rest from the file.
    auto r = runFbload({"run", "--config", path, "--target", QString("127.0.0.1:%1").arg(port), "--out", out,
                        "--duration", "1", "--rate", "50", "--label", "node=n1"},
                       out);
    QVERIFY2(r.exitCode == 0, qPrintable(r.stderrText));
    const auto run = r.result["run"].toObject();
    const auto cfg = run["config"].toObject();
    QCOMPARE(cfg["duration_s"].toDouble(), 1.0);
    QCOMPARE(cfg["threads"].toInt(), 2);
    QCOMPARE(cfg["load"].toObject()["model"].toString(), QString("constant"));
    QCOMPARE(cfg["load"].toObject()["rate"].toDouble(), 50.0);
    QCOMPARE(cfg["load"].toObject()["concurrency"].toInt(), 4);
    QCOMPARE(cfg["params"].toObject()["path"].toString(), QString("/index.html"));
    QCOMPARE(run["labels"].toObject()["recipe"].toString(), QString("smoke"));
    QCOMPARE(run["labels"].toObject()["node"].toString(), QString("n1"));
    QCOMPARE(run["workload"].toString(), QString("http"));
    QCOMPARE(r.result["schema"].toString(), QString("factorybench.result"));
    QCOMPARE(r.result["schema_version"].toInt(), 1);
    // Constant 50 req/s for 1 s.
    const int sent = r.result["summary"].toObject()["requests"].toObject()["sent"].toInt();
    QVERIFY2(qAbs(sent - 50) <= 1, qPrintable(QString("%1 sent").arg(sent)));
}

void TestConfig::usageAndVersion()
{
    auto r = runFbload({});
    QCOMPARE(r.exitCode, 2);
    QProcess p;
    p.start(fbloadBin(), {"--help"});
    QVERIFY(p.waitForFinished());
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(p.readAllStandardOutput().contains("fbload merge"));
    p.start(fbloadBin(), {"workloads"});
    QVERIFY(p.waitForFinished());
    // The always-built workloads come first; optional ones (postgres, s3, …)
    // follow when their libraries were found.
    QCOMPARE(QString::fromUtf8(p.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts).mid(0, 3),
             QStringList({"redis", "http", "llm"}));
    p.start(fbloadBin(), {"--version"});
    QVERIFY(p.waitForFinished());
    QVERIFY(p.readAllStandardOutput().startsWith("fbload "));
}

// Every value fbload sends inside a protocol line (HTTP request line and
// headers, the PostgreSQL startup message, C-string connection parameters)
// is refused with a control character in it: exit 2, the field named, and
// nothing sent (the target is a closed port: a run would report connect errors).
void TestConfig::lineInjection_data()
{
    QTest::addColumn<QString>("workload");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("field");
    const QString crlf = R"(\r\nX-Evil: 1)";
    auto set = [](const QString& key, const QString& jsonString) {
        return QStringList{"--set", "params." + key + "=\"" + jsonString + "\""};
    };
    const QStringList llm{"--set", "params.model=m"};
    const QStringList s3{"--set", "params.access_key=AK", "--set", "params.secret_key=SK"};
    QTest::newRow("http path") << "http" << set("path", "/a" + crlf) << "params.path";
    QTest::newRow("http method") << "http" << set("method", "GET" + crlf) << "params.method";
    QTest::newRow("http host_header") << "http" << set("host_header", "h" + crlf) << "params.host_header";
    QTest::newRow("http header value") << "http" << QStringList{"--set", R"(params.headers={"X-A":"b\r\nEvil: 1"})"}
                                       << "params.headers.X-A";
    QTest::newRow("http header value LF only") << "http" << QStringList{"--set", R"(params.headers={"X-A":"b\nEvil: 1"})"}
                                               << "params.headers.X-A";
    QTest::newRow("http header name") << "http" << QStringList{"--set", R"(params.headers={"X-A\r\nEvil":"b"})"}
                                      << R"(params.headers."X-A\r\nEvil" (header name))";
    QTest::newRow("http header name colon") << "http" << QStringList{"--set", R"(params.headers={"X-A: b":"c"})"}
                                            << "params.headers.X-A: b: \"X-A: b\" is not a valid header name";
    QTest::newRow("target host") << "http" << QStringList{"--target", "a\r\nX-Evil: 1:80"} << "--target";
    QTest::newRow("llm path") << "llm" << (llm + set("path", "/v1" + crlf)) << "params.path";
    QTest::newRow("llm api_key") << "llm" << (llm + set("api_key", "sk" + crlf)) << "params.api_key";
    QTest::newRow("llm api_key NUL") << "llm" << (llm + set("api_key", R"(sk\u0000x)")) << "params.api_key: control character 0x00 (NUL)";
    QTest::newRow("llm api_key DEL") << "llm" << (llm + set("api_key", R"(sk\u007fx)")) << "params.api_key: control character 0x7f";
    QTest::newRow("llm header value") << "llm" << (llm + QStringList{"--set", R"(params.headers={"X-A":"b\r\nEvil: 1"})"})
                                      << "params.headers.X-A";
    QTest::newRow("llm header name") << "llm" << (llm + QStringList{"--set", R"(params.headers={"X\nA":"b"})"})
                                     << R"(params.headers."X\nA" (header name))";
    QTest::newRow("vector host_header") << "vector" << set("host_header", "h" + crlf) << "params.host_header";
    QTest::newRow("vector api_key") << "vector" << set("api_key", "k" + crlf) << "params.api_key";
    QTest::newRow("s3 host_header") << "s3" << (s3 + set("host_header", "h" + crlf)) << "params.host_header";
    QTest::newRow("s3 access_key") << "s3" << QStringList{"--set", "params.secret_key=SK", "--set", R"(params.access_key="AK\r\nX: 1")"}
                                   << "params.access_key";
    QTest::newRow("s3 region") << "s3" << (s3 + set("region", "us" + crlf)) << "params.region";
    QTest::newRow("s3 key_prefix") << "s3" << (s3 + set("key_prefix", "p" + crlf)) << "params.key_prefix";
    for (const QString w : {"postgres", "mysql"}) {
        QTest::newRow(qPrintable(w + " user")) << w << set("user", R"(u\u0000options)") << "params.user";
        QTest::newRow(qPrintable(w + " database")) << w << set("database", "d" + crlf) << "params.database";
        QTest::newRow(qPrintable(w + " password")) << w << set("password", "p" + crlf) << "params.password";
    }
}

void TestConfig::lineInjection()
{
    QFETCH(QString, workload);
    QFETCH(QStringList, args);
    QFETCH(QString, field);
    QProcess list;
    list.start(fbloadBin(), {"workloads"});
    QVERIFY(list.waitForFinished());
    if (!QString::fromUtf8(list.readAllStandardOutput()).split('\n').contains(workload))
        QSKIP(qPrintable("workload " + workload + " is not compiled in"));
    QStringList run{"run", "--workload", workload, "--duration", "1"};
    if (!args.contains("--target"))
        run << "--target" << "127.0.0.1:1";
    auto r = runFbload(run + args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.stderrText.startsWith("fbload: " + field), qPrintable("stderr was: " + r.stderrText));
    QVERIFY2(!r.stderrText.contains("X-Evil") && r.stderrText.count('\n') == 1,
             qPrintable("one line, without the injected text: " + r.stderrText));
}

// fbload raises its soft RLIMIT_NOFILE to the hard limit, and refuses (exit
// 2, with the numbers) a concurrency that cannot fit even then.
void TestConfig::fdLimit()
{
    auto runWithLimit = [](rlim_t soft, rlim_t hard, const QStringList& args) {
        QProcess p;
        p.setChildProcessModifier([soft, hard] {
            rlimit rl{soft, hard};
            setrlimit(RLIMIT_NOFILE, &rl);
        });
        p.start(fbloadBin(), args);
        p.waitForFinished(30000);
        return std::make_pair(p.exitCode(), QString::fromUtf8(p.readAllStandardError()));
    };
    const QString out = dir_.filePath("fdlimit.json");
    const QStringList base{"run", "--workload", "http", "--target", "127.0.0.1:1", "--duration", "0.5", "--out", out};
    auto [code, err] = runWithLimit(256, 256, base + QStringList{"--concurrency", "1000"});
    QCOMPARE(code, 2);
    QVERIFY2(err.contains("load.concurrency: 1000 connections need 1066 file descriptors, but fbload may open only 256 "
                          "(ulimit -n; hard limit 256)"),
             qPrintable(err));
    QVERIFY(!QFile::exists(out));
    // Soft 256, hard 2048: raised, so 1000 connections fit and are all tried
    // (the closed port refuses each: connect errors, exit 1).
    std::tie(code, err) = runWithLimit(256, 2048, base + QStringList{"--concurrency", "1000"});
    QVERIFY2(code == 1 && !err.contains("file descriptors"), qPrintable(err));
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const auto summary = QJsonDocument::fromJson(f.readAll()).object()["summary"].toObject();
    QVERIFY2(summary["errors"].toObject()["connect"].toInt() >= 1000,
             qPrintable(QString::number(summary["errors"].toObject()["connect"].toInt())));
}

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
