// Recipe values in generated config files, checked with each file's own reader:
//  - redis.conf: the generated service script is run with bash (no Slurm) in
//    a temporary trial folder; it writes redis.conf, starts the real
//    redis-server on a free 127.0.0.1 port and publishes its endpoint once its
//    health probe passes. CONFIG GET then returns each hostile password
//    (newlines, quotes, backslashes, control characters, "{port}", a
//    `dir`/`dbfilename` injection attempt) byte for byte, and `dir` is still
//    the service folder; the script is stopped by PID. The health probe
//    fails with a wrong password and passes with the right one.
//  - prometheus.yml (monitor job and prometheus service): `promtool check
//    config` accepts it, and hostile job names, label values and addresses
//    read back unchanged;
//  - fbload's JSON config: parses back to the recipe's params;
//  - values that no reader can take (maxmemory that is not a size, NUL) are
//    refused by the validator with the field path.
#include "RecipeTestUtil.h"

#include "recipe/RecipeValidator.h"
#include "recipe/ShellQuote.h"

#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <yaml-cpp/yaml.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace fb::recipe;

namespace {

int freePort()
{
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 || getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) != 0) {
        close(fd);
        return 0;
    }
    close(fd);
    return ntohs(a.sin_port);
}

// Runs `program args` and returns its stdout (exit code in *rc).
QByteArray run(const QString &program, const QStringList &args, int *rc = nullptr, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    p.waitForFinished(30000);
    if (rc)
        *rc = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return p.readAllStandardOutput() + (rc && *rc != 0 ? p.readAllStandardError() : QByteArray());
}

// The shell command in `script` that writes `target` (the printf … > target line).
QString writerOf(const QString &script, const QString &target)
{
    const qsizetype end = script.indexOf(QStringLiteral("> ") + target);
    const qsizetype start = script.lastIndexOf(QStringLiteral("printf '%s"), end);
    if (end < 0 || start < 0)
        return {};
    return script.mid(start, end + 2 + target.size() - start);
}

Recipe load(const QString &text, QList<Diagnostic> *diags = nullptr)
{
    const LoadResult r = RecipeLoader(&test::catalog()).loadAndValidateText(text, QStringLiteral("config.yaml"));
    if (diags)
        *diags = r.diagnostics;
    return r.recipe;
}

// A YAML double-quoted scalar for the recipe text (the loader's reading is checked).
QString yamlString(const QString &s)
{
    YAML::Emitter e;
    e << YAML::DoubleQuoted << s.toStdString();
    return QString::fromStdString(e.c_str());
}

} // namespace

class TestRecipeConfigFiles : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        for (const char *tool : {"redis-server", "redis-cli", "promtool", "bash"})
            if (QStandardPaths::findExecutable(QLatin1String(tool)).isEmpty())
                QFAIL(qPrintable(QStringLiteral("%1 is not installed (scripts/setup-debian.sh installs it)").arg(QLatin1String(tool))));
    }

    void redisPassword_data()
    {
        QTest::addColumn<QString>("password");
        QTest::newRow("plain") << QStringLiteral("s3cret");
        QTest::newRow("newline") << QStringLiteral("a\nb");
        QTest::newRow("directive-injection") << QStringLiteral("x\ndir /tmp\ndbfilename authorized_keys\nsave 1 1");
        QTest::newRow("quotes") << QStringLiteral("it's \"quoted\" '' \"");
        QTest::newRow("backslashes") << QStringLiteral("a\\b\\x41\\n\\");
        QTest::newRow("control") << QStringLiteral("\x01\x1b[31m\x7f\t\r");
        QTest::newRow("placeholder") << QStringLiteral("{port}{{service_dir}}");
        QTest::newRow("unicode-spaces") << QStringLiteral(" pässwörd ✓  # not a comment ");
    }
    void redisPassword()
    {
        QFETCH(QString, password);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const int port = freePort();
        QVERIFY(port > 0);
        const QString text = QStringLiteral("version: 1\nservices:\n  - name: db\n    template: redis\n    container: none\n"
                                            "    ports: {redis: %1}\n    health: {timeout: 20s}\n"
                                            "    settings: {password: %2, maxmemory: 64mb, persistence: aof}\n")
                                 .arg(port).arg(yamlString(password));
        QList<Diagnostic> diags;
        const Recipe r = load(text, &diags);
        QVERIFY2(!hasErrors(diags), qPrintable(formatDiagnostics(diags)));
        QCOMPARE(r.services[0].settings.value(QStringLiteral("password")).toString(), password);
        ScriptContext ctx = test::contextFor(QStringLiteral("cfg"), QStringLiteral("t001"));
        ctx.runDir = dir.path();
        ctx.trialDir = dir.filePath(QStringLiteral("t001"));
        QList<BatchScript> scripts;
        QStringList errors;
        QVERIFY2(BatchScriptGenerator().generate(r, ctx, &scripts, &errors), qPrintable(errors.join(QLatin1Char('\n'))));
        QCOMPARE(scripts.size(), 1);

        // The job as Slurm would run it, minus Slurm: bash in the trial folder.
        QDir().mkpath(ctx.trialDir);
        QProcess job;
        job.setWorkingDirectory(ctx.trialDir);
        job.setProcessChannelMode(QProcess::MergedChannels);
        job.start(QStringLiteral("bash"), {QStringLiteral("-c"), scripts[0].text});
        QVERIFY(job.waitForStarted());
        const QString endpoint = ctx.trialDir + QStringLiteral("/service-db.endpoint");
        QTRY_VERIFY2_WITH_TIMEOUT(QFile::exists(endpoint) || job.state() == QProcess::NotRunning, "no endpoint", 20000);
        const auto stop = qScopeGuard([&job] {
            if (job.state() != QProcess::NotRunning) {
                kill(pid_t(job.processId()), SIGTERM); // the script's trap stops redis-server
                job.waitForFinished(10000);
            }
        });
        QVERIFY2(QFile::exists(endpoint), job.readAll().constData());

        auto cli = [&](const QStringList &args, const QString &auth, int *rc) {
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("REDISCLI_AUTH"), auth);
            return run(QStringLiteral("redis-cli"), QStringList{QStringLiteral("-p"), QString::number(port)} + args, rc, env);
        };
        int rc = 0;
        const QByteArray got = cli({QStringLiteral("CONFIG"), QStringLiteral("GET"), QStringLiteral("requirepass")}, password, &rc);
        QCOMPARE(rc, 0);
        QVERIFY2(got.startsWith("requirepass\n") && got.endsWith('\n'), got.constData());
        QCOMPARE(QString::fromUtf8(got.mid(12, got.size() - 13)), password);
        const QByteArray dirGot = cli({QStringLiteral("CONFIG"), QStringLiteral("GET"), QStringLiteral("dir")}, password, &rc);
        QCOMPARE(QString::fromUtf8(dirGot).trimmed(),
                 QStringLiteral("dir\n") + QFileInfo(ctx.trialDir + QStringLiteral("/services/db")).canonicalFilePath());
        QCOMPARE(cli({QStringLiteral("CONFIG"), QStringLiteral("GET"), QStringLiteral("dbfilename")}, password, &rc), QByteArray("dbfilename\ndump.rdb\n"));
        QCOMPARE(cli({QStringLiteral("CONFIG"), QStringLiteral("GET"), QStringLiteral("maxmemory")}, password, &rc), QByteArray("maxmemory\n67108864\n"));
        QCOMPARE(cli({QStringLiteral("CONFIG"), QStringLiteral("GET"), QStringLiteral("appendonly")}, password, &rc), QByteArray("appendonly\nyes\n"));

        // The script's own health probe: passes with the password, fails with another.
        const QString probe = scripts[0].text.split(QLatin1Char('\n')).filter(QStringLiteral("fb_healthy() {")).value(0);
        QVERIFY(!probe.isEmpty());
        for (const auto &[auth, healthy] : {std::pair{password, true}, std::pair{password + QStringLiteral("x"), false}, std::pair{QString(), false}}) {
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("FB_PORT"), QString::number(port));
            if (auth.isEmpty())
                env.remove(QStringLiteral("REDISCLI_AUTH"));
            else
                env.insert(QStringLiteral("REDISCLI_AUTH"), auth);
            run(QStringLiteral("bash"), {QStringLiteral("-c"), probe + QStringLiteral("\nfb_healthy")}, &rc, env);
            QVERIFY2((rc == 0) == healthy, qPrintable(QStringLiteral("probe with %1 password exited %2").arg(healthy ? "the" : "a wrong").arg(rc)));
        }
    }

    void redisSettingsRefused_data()
    {
        QTest::addColumn<QString>("settings");
        QTest::addColumn<QString>("expected");
        QTest::newRow("maxmemory-injection") << QStringLiteral("{maxmemory: \"1gb\\nrequirepass x\"}")
                                             << QStringLiteral("services[0].settings.maxmemory: expected a Redis memory size");
        QTest::newRow("maxmemory-words") << QStringLiteral("{maxmemory: lots}") << QStringLiteral("services[0].settings.maxmemory: expected a Redis memory size");
        QTest::newRow("maxmemory-swept") << QStringLiteral("{maxmemory: [1gb, \"2gb dir /\"]}") << QStringLiteral("services[0].settings.maxmemory: expected a Redis memory size");
        QTest::newRow("persistence") << QStringLiteral("{persistence: \"aof\\nsave 1 1\"}") << QStringLiteral("services[0].settings.persistence: expected one of none, rdb, aof");
        QTest::newRow("password-nul") << QStringLiteral("{password: \"a\\0b\"}") << QStringLiteral("services[0].settings.password: contains a NUL");
        QTest::newRow("password-number") << QStringLiteral("{password: 0123}") << QStringLiteral("services[0].settings.password: expected a string");
    }
    void redisSettingsRefused()
    {
        QFETCH(QString, settings);
        QFETCH(QString, expected);
        QList<Diagnostic> diags;
        load(QStringLiteral("version: 1\nservices:\n  - {name: db, template: redis, settings: %1}\n").arg(settings), &diags);
        QVERIFY2(formatDiagnostics(diags).contains(expected), qPrintable(formatDiagnostics(diags)));
        QVERIFY(formatDiagnostics(diags).contains(QStringLiteral("(config.yaml:3:")));
    }

    void prometheus_data()
    {
        QTest::addColumn<QString>("recipe");
        QTest::addColumn<QString>("target"); // the file the job writes
        QTest::addColumn<QString>("dirVar");
        QTest::newRow("monitor") << QStringLiteral("version: 1\nmonitor: {scrape_interval: 1.5s}\nservices:\n  - {name: s, kind: generic, command: [x], ports: {metrics: 9999}}\n")
                                 << QStringLiteral("\"${FB_MONITOR_DIR}/prometheus.yml\"") << QStringLiteral("FB_MONITOR_DIR");
        QTest::newRow("service") << QStringLiteral("version: 1\nmonitor: {scrape_interval: 250ms, prometheus: {port: 19090}}\nservices:\n  - {name: p, template: prometheus}\n")
                                 << QStringLiteral("\"${FB_SERVICE_DIR}\"/'prometheus.yml'") << QStringLiteral("FB_SERVICE_DIR");
    }
    void prometheus()
    {
        QFETCH(QString, recipe);
        QFETCH(QString, target);
        QFETCH(QString, dirVar);
        QList<Diagnostic> diags;
        const Recipe r = load(recipe, &diags);
        QVERIFY2(!hasErrors(diags), qPrintable(formatDiagnostics(diags)));
        QList<BatchScript> scripts;
        QStringList errors;
        QVERIFY(BatchScriptGenerator().generate(r, test::contextFor(QStringLiteral("p"), QStringLiteral("t001")), &scripts, &errors));
        QString writer;
        for (const BatchScript &s : scripts)
            if (writer.isEmpty())
                writer = writerOf(s.text, target);
        QVERIFY2(!writer.isEmpty(), "no script writes prometheus.yml");
        QTemporaryDir dir;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(dirVar, dir.path());
        env.insert(QStringLiteral("FB_PORT"), QStringLiteral("9090"));
        int rc = 0;
        run(QStringLiteral("bash"), {QStringLiteral("-c"), QStringLiteral("set -eu\n") + writer}, &rc, env);
        QCOMPARE(rc, 0);
        const QByteArray check = run(QStringLiteral("promtool"), {QStringLiteral("check"), QStringLiteral("config"), dir.filePath(QStringLiteral("prometheus.yml"))}, &rc);
        QVERIFY2(rc == 0, check.constData());
    }

    // Hostile values in every variable part of a prometheus.yml.
    void prometheusValues()
    {
        const QString evil = QStringLiteral("a\"b\\c\nscrape_configs: []\r\t\x01 ✓ {port} {{x}} '#");
        PrometheusTarget t;
        t.job = evil;
        t.address = QStringLiteral("host-1:9100");
        t.metricsPath = QStringLiteral("/m\"e\ntrics");
        t.labels = {{QStringLiteral("trial"), evil}, {QStringLiteral("9lives"), QStringLiteral("x")}};
        const QString text = BatchScriptGenerator::prometheusConfig({t}, 1.25, {QStringLiteral("targets/*.json")});
        QTemporaryDir dir;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FB_PORT"), QStringLiteral("9090"));
        const QString file = dir.filePath(QStringLiteral("prometheus.yml"));
        int rc = 0;
        run(QStringLiteral("bash"), {QStringLiteral("-c"), QStringLiteral("printf '%s' %1 > %2").arg(shellWord(text, {{QStringLiteral("port"), QStringLiteral("FB_PORT")}}), shellQuote(file))}, &rc, env);
        QCOMPARE(rc, 0);
        const QByteArray check = run(QStringLiteral("promtool"), {QStringLiteral("check"), QStringLiteral("config"), file}, &rc);
        QVERIFY2(rc == 0, check.constData());
        const YAML::Node y = YAML::LoadFile(file.toStdString());
        QCOMPARE(y["scrape_configs"].size(), std::size_t(3));
        const YAML::Node job = y["scrape_configs"][1];
        QCOMPARE(QString::fromStdString(job["job_name"].Scalar()), evil);
        QCOMPARE(QString::fromStdString(job["metrics_path"].Scalar()), t.metricsPath);
        QCOMPARE(QString::fromStdString(job["static_configs"][0]["labels"]["trial"].Scalar()), evil);
        QCOMPARE(QString::fromStdString(job["static_configs"][0]["labels"]["_9lives"].Scalar()), QStringLiteral("x"));
        QCOMPARE(QString::fromStdString(y["global"]["scrape_interval"].Scalar()), QStringLiteral("1250ms"));
        QCOMPARE(QString::fromStdString(y["scrape_configs"][0]["static_configs"][0]["targets"][0].Scalar()), QStringLiteral("localhost:9090"));
    }

    // settings.init_sql reaches init/init.sql byte for byte (braces, quotes, $).
    void initSql()
    {
        const QString sql = QStringLiteral("SELECT '{port}', '{{x}}', $$a$$, '\\', \"q\";\n-- it's\n");
        QList<Diagnostic> diags;
        const Recipe r = load(QStringLiteral("version: 1\nservices:\n  - {name: pg, template: postgres, settings: {init_sql: %1}}\n").arg(yamlString(sql)), &diags);
        QVERIFY2(!hasErrors(diags), qPrintable(formatDiagnostics(diags)));
        QList<BatchScript> scripts;
        QStringList errors;
        QVERIFY(BatchScriptGenerator().generate(r, test::contextFor(QStringLiteral("s"), QStringLiteral("t001")), &scripts, &errors));
        const QString writer = writerOf(scripts[0].text, QStringLiteral("\"${FB_SERVICE_DIR}\"/'init/init.sql'"));
        QVERIFY(!writer.isEmpty());
        QTemporaryDir dir;
        QDir(dir.path()).mkpath(QStringLiteral("init"));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FB_SERVICE_DIR"), dir.path());
        env.insert(QStringLiteral("FB_PORT"), QStringLiteral("5432"));
        int rc = 0;
        run(QStringLiteral("bash"), {QStringLiteral("-c"), QStringLiteral("set -eu\n") + writer}, &rc, env);
        QCOMPARE(rc, 0);
        QFile f(dir.filePath(QStringLiteral("init/init.sql")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(f.readAll()), sql);
    }

    // fbload's JSON config, as the client job writes it, parses back to the params.
    void fbloadJson()
    {
        const QString text = QStringLiteral("version: 1\nservices:\n  - {name: db, template: redis}\nclients:\n"
                                            "  - name: c\n    service: db\n    workload: redis\n"
                                            "    params: {key_prefix: \"a'b\\\"c\\nd\\\\e\\x01{port}\", password: \"p'w\\\"\", database: 3}\n");
        QList<Diagnostic> diags;
        const Recipe r = load(text, &diags);
        QVERIFY2(!hasErrors(diags), qPrintable(formatDiagnostics(diags)));
        QList<BatchScript> scripts;
        QStringList errors;
        QVERIFY(BatchScriptGenerator().generate(r, test::contextFor(QStringLiteral("j"), QStringLiteral("t001")), &scripts, &errors));
        const QString writer = writerOf(scripts.last().text, QStringLiteral("\"$fb_config\""));
        QVERIFY(!writer.isEmpty());
        QTemporaryDir dir;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("fb_config"), dir.filePath(QStringLiteral("c.json")));
        int rc = 0;
        run(QStringLiteral("bash"), {QStringLiteral("-c"), writer}, &rc, env);
        QCOMPARE(rc, 0);
        QFile f(dir.filePath(QStringLiteral("c.json")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QJsonParseError error{};
        const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(doc.object().value(QStringLiteral("params")).toObject(), r.clients[0].params);
        QCOMPARE(doc.object().value(QStringLiteral("params")).toObject().value(QStringLiteral("key_prefix")).toString(),
                 QStringLiteral("a'b\"c\nd\\e\x01{port}"));
    }
};

QTEST_GUILESS_MAIN(TestRecipeConfigFiles)
#include "tst_recipeconfigfiles.moc"
