// External services (services[].external, fbctl --target NAME=HOST:PORT):
// loading, saving (canonical and lossless, load → save → load equal), field
// paths, validation (errors and ignored-field warnings with file:line:column),
// the --target parser and override, and the scripts: no service job, the
// client probes host:port with the service's health check (bounded, failing
// with a message naming service, host and port) and targets host:port —
// run for real against a listening and a closed local port, and through
// shellcheck.
#include "RecipeTestUtil.h"

#include "recipe/ExternalTarget.h"
#include "recipe/FieldPath.h"
#include "recipe/RecipeSaver.h"
#include "recipe/RecipeValidator.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

using namespace fb::recipe;

namespace {

const char *kExternal = R"(version: 1
metadata:
  name: ext
services:
  - name: cache
    kind: redis
    external: {host: 127.0.0.1, port: 6390}
    health: {timeout: 5s, interval: 1s}
clients:
  - name: load
    service: cache
    workload: redis
    duration: 2s
)";

LoadResult load(const QString &text, bool validate = true)
{
    const RecipeLoader loader(&test::catalog());
    return validate ? loader.loadAndValidateText(text, QStringLiteral("ext.yaml")) : loader.loadText(text, QStringLiteral("ext.yaml"));
}

const Diagnostic *find(const QList<Diagnostic> &diags, const QString &path, Diagnostic::Severity severity)
{
    for (const Diagnostic &d : diags)
        if (d.path == path && d.severity == severity)
            return &d;
    return nullptr;
}

QList<BatchScript> scriptsOf(const Recipe &r)
{
    QList<BatchScript> scripts;
    QStringList errors;
    if (!BatchScriptGenerator().generate(r, test::contextFor(QStringLiteral("ext"), QStringLiteral("t001")), &scripts, &errors))
        qWarning() << errors;
    return scripts;
}

} // namespace

class TestRecipeExternal : public QObject
{
    Q_OBJECT
private slots:
    void loadsAndValidates()
    {
        const LoadResult r = load(QString::fromUtf8(kExternal));
        QVERIFY2(r.ok(), qPrintable(formatDiagnostics(r.diagnostics)));
        QCOMPARE(r.recipe.services[0].external, (ServiceExternal{QStringLiteral("127.0.0.1"), 6390}));
        QVERIFY(r.recipe.services[0].external.isSet());
        // No command, container, ports or resources needed, and no warning about them.
        for (const Diagnostic &d : r.diagnostics)
            QVERIFY2(d.severity != Diagnostic::Warning, qPrintable(d.toString()));
        const SourcePosition pos = r.recipe.positionOf(QStringLiteral("services[0].external.port"));
        QCOMPARE(pos.line, 7);
    }

    void badValuesAreNamedWithTheirPlace()
    {
        QString text = QString::fromUtf8(kExternal);
        // Loader: the port range, at the port's line:column.
        LoadResult r = load(QString(text).replace(QStringLiteral("port: 6390"), QStringLiteral("port: 70000")));
        const Diagnostic *d = find(r.diagnostics, QStringLiteral("services[0].external.port"), Diagnostic::Error);
        QVERIFY(d);
        QCOMPARE(d->message, QStringLiteral("must be between 1 and 65535, got 70000"));
        QCOMPARE(d->line, 7);
        QCOMPARE(d->column, 39);
        // Unknown key inside external: a warning with a "did you mean".
        r = load(QString(text).replace(QStringLiteral("port: 6390"), QStringLiteral("prot: 6390")));
        QVERIFY(find(r.diagnostics, QStringLiteral("services[0].external.prot"), Diagnostic::Warning));
        QVERIFY(find(r.diagnostics, QStringLiteral("services[0].external.port"), Diagnostic::Error)); // then the port is missing
        // Validator: a host that is not safe for the shell or fbload's --target.
        for (const QString &host : {QStringLiteral("\"$(reboot)\""), QStringLiteral("\"a b\""), QStringLiteral("-oProxy"),
                                    QStringLiteral("\"db:1:2:x\""), QStringLiteral("\"h;x\"")}) {
            r = load(QString(text).replace(QStringLiteral("host: 127.0.0.1"), QStringLiteral("host: ") + host));
            d = find(r.diagnostics, QStringLiteral("services[0].external.host"), Diagnostic::Error);
            QVERIFY2(d, qPrintable(host + QLatin1Char('\n') + formatDiagnostics(r.diagnostics)));
            QVERIFY2(d->message.contains(QStringLiteral("is not a host name or IP address")), qPrintable(d->message));
            QCOMPARE(d->file, QStringLiteral("ext.yaml"));
            QCOMPARE(d->line, 7);
            QVERIFY(!r.ok());
        }
        r = load(QString(text).replace(QStringLiteral("{host: 127.0.0.1, port: 6390}"), QStringLiteral("{port: 6390}")));
        d = find(r.diagnostics, QStringLiteral("services[0].external.host"), Diagnostic::Error);
        QVERIFY(d);
        QVERIFY(d->message.startsWith(QStringLiteral("missing: an external service needs a host")));
        QCOMPARE(d->line, 7); // the external mapping's place
        // Accepted hosts: names, IPv4, IPv6.
        for (const QString &host : {QStringLiteral("db1"), QStringLiteral("db-1.cluster.example.org"), QStringLiteral("10.0.0.7"),
                                    QStringLiteral("\"::1\""), QStringLiteral("\"fd00::7\"")}) {
            r = load(QString(text).replace(QStringLiteral("host: 127.0.0.1"), QStringLiteral("host: ") + host));
            QVERIFY2(r.ok(), qPrintable(host + QLatin1Char('\n') + formatDiagnostics(r.diagnostics)));
        }
    }

    void ignoredFieldsAreWarnedAbout()
    {
        // Fields the recipe writes for an external service are ignored, with a warning at their place;
        // a template's fields are not warned about. A client's port name is ignored too.
        const QString text = QStringLiteral(R"(version: 1
services:
  - name: cache
    template: redis
    external: {host: db1, port: 6379}
    command: [redis-server]
    resources: {partition: cpu}
    health: {type: command, command: [redis-cli, -h, "{host}", -p, "{port}", ping]}
clients:
  - {name: load, service: cache, port: redis, workload: redis}
)");
        const LoadResult r = load(text);
        QVERIFY2(r.ok(), qPrintable(formatDiagnostics(r.diagnostics)));
        const Diagnostic *d = find(r.diagnostics, QStringLiteral("services[0].command"), Diagnostic::Warning);
        QVERIFY(d);
        QVERIFY2(d->message.startsWith(QStringLiteral("ignored: service \"cache\" is external")), qPrintable(d->message));
        QCOMPARE(d->line, 6);
        QVERIFY(find(r.diagnostics, QStringLiteral("services[0].resources"), Diagnostic::Warning));
        QVERIFY(!find(r.diagnostics, QStringLiteral("services[0].container"), Diagnostic::Warning)); // the template's
        QVERIFY(!find(r.diagnostics, QStringLiteral("services[0].health.command"), Diagnostic::Warning)); // names {host}
        QVERIFY(find(r.diagnostics, QStringLiteral("clients[0].port"), Diagnostic::Warning));
        // The template's redis-cli check never names {host}: it becomes tcp, and the validator says so.
        QString templated = text;
        templated.remove(QStringLiteral("    health: {type: command, command: [redis-cli, -h, \"{host}\", -p, \"{port}\", ping]}\n"));
        const LoadResult t = load(templated);
        d = find(t.diagnostics, QStringLiteral("services[0].health.command"), Diagnostic::Warning);
        QVERIFY2(d, qPrintable(formatDiagnostics(t.diagnostics)));
        QVERIFY(d->message.contains(QStringLiteral("it is checked with tcp")));
        QVERIFY(externalHealthIsReplaced(t.recipe.services[0]));
        QCOMPARE(externalHealth(t.recipe.services[0]).type, QStringLiteral("tcp"));
    }

    void savesLosslesslyAndRoundTrips()
    {
        const LoadResult r = load(QString::fromUtf8(kExternal));
        const RecipeSaver saver(&test::catalog());
        const QString canonical = saver.toText(r.recipe);
        QVERIFY2(canonical.contains(QStringLiteral("external:\n      host: 127.0.0.1\n      port: 6390")), qPrintable(canonical));
        QCOMPARE(load(canonical).recipe, r.recipe);
        // A recipe without external says nothing about it.
        Recipe plain = r.recipe;
        plain.services[0].external = {};
        QVERIFY(!saver.toText(plain).contains(QStringLiteral("external")));
        // Lossless: setting external on a hand-written recipe keeps its text and reads back equal.
        const QString base = QStringLiteral("version: 1\n# my redis\nservices:\n  - name: cache  # the cache\n    template: redis\n"
                                            "clients:\n  - {name: load, service: cache, workload: redis}\n");
        LoadResult b = load(base);
        QVERIFY(b.ok());
        b.recipe.services[0].external = {QStringLiteral("::1"), 6379};
        QString why;
        const QString patched = saver.toText(b.recipe, base, &why);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QVERIFY2(patched.contains(QStringLiteral("# my redis")) && patched.contains(QStringLiteral("# the cache")), qPrintable(patched));
        QCOMPARE(load(patched, false).recipe, b.recipe);
        // A swept external port round-trips as a sweep axis.
        const LoadResult swept = load(QString::fromUtf8(kExternal).replace(QStringLiteral("port: 6390"), QStringLiteral("port: [6390, 6391]")));
        QVERIFY2(swept.ok(), qPrintable(formatDiagnostics(swept.diagnostics)));
        QCOMPARE(swept.recipe.sweep.axes.size(), 1);
        QCOMPARE(swept.recipe.sweep.axes[0].path, QStringLiteral("services[0].external.port"));
        QCOMPARE(load(saver.toText(swept.recipe)).recipe, swept.recipe);
    }

    void fieldPaths()
    {
        const RecipeFields fields(&test::catalog());
        Recipe r = load(QString::fromUtf8(kExternal)).recipe;
        QCOMPARE(*fields.read(r, QStringLiteral("services[0].external.host")), FieldValue::scalar(QStringLiteral("127.0.0.1")));
        QCOMPARE(*fields.read(r, QStringLiteral("services[0].external.port")), FieldValue::scalar(QStringLiteral("6390")));
        QVERIFY(fields.paths(r).contains(QStringLiteral("services[0].external.host")));
        QVERIFY(fields.write(&r, QStringLiteral("services[0].external.host"), FieldValue::scalar(QStringLiteral("db2"))));
        QCOMPARE(r.services[0].external.host, QStringLiteral("db2"));
        FieldError e;
        QVERIFY(!fields.write(&r, QStringLiteral("services[0].external.port"), FieldValue::scalar(QStringLiteral("0")), &e));
        QCOMPARE(e.message, QStringLiteral("must be between 1 and 65535, got 0"));
        QVERIFY(!fields.write(&r, QStringLiteral("services[0].external.hst"), FieldValue::scalar(QStringLiteral("x")), &e));
        QVERIFY2(e.message.contains(QStringLiteral("did you mean \"host\"")), qPrintable(e.toString()));
        // Unset: back to a service FactoryBench starts.
        QVERIFY(fields.write(&r, QStringLiteral("services[0].external.host"), FieldValue::unset()));
        QVERIFY(fields.write(&r, QStringLiteral("services[0].external.port"), FieldValue::unset()));
        QVERIFY(!r.services[0].external.isSet());
        QCOMPARE(*fields.read(r, QStringLiteral("services[0].external.host")), FieldValue::unset());
        QVERIFY(!fields.paths(r).contains(QStringLiteral("services[0].external.host")));
    }

    void targetOption()
    {
        QString error;
        auto t = parseTargetOption(QStringLiteral("cache=db1.example.org:6379"), &error);
        QVERIFY(t);
        QCOMPARE(*t, (TargetOverride{QStringLiteral("cache"), {QStringLiteral("db1.example.org"), 6379}}));
        t = parseTargetOption(QStringLiteral("cache=[fd00::7]:6379"), &error);
        QVERIFY(t);
        QCOMPARE(t->external.host, QStringLiteral("fd00::7"));
        QCOMPARE(externalAddress(t->external), QStringLiteral("[fd00::7]:6379"));
        const QList<std::pair<QString, QString>> bad{
            {QStringLiteral("cache"), QStringLiteral("expected NAME=HOST:PORT")},
            {QStringLiteral("=db1:1"), QStringLiteral("expected NAME=HOST:PORT")},
            {QStringLiteral("cache=db1"), QStringLiteral("expected HOST:PORT after '='")},
            {QStringLiteral("cache=db1:0"), QStringLiteral("the port must be a number from 1 to 65535, got \"0\"")},
            {QStringLiteral("cache=db1:65536"), QStringLiteral("from 1 to 65535")},
            {QStringLiteral("cache=db1:x"), QStringLiteral("from 1 to 65535")},
            {QStringLiteral("cache=$(reboot):1"), QStringLiteral("\"$(reboot)\" is not a host name or IP address")},
            {QStringLiteral("cache=fd00::7:1"), QStringLiteral("write an IPv6 address in brackets")}};
        for (const auto &[text, why] : bad) {
            QVERIFY2(!parseTargetOption(text, &error), qPrintable(text));
            QVERIFY2(error.startsWith(QStringLiteral("--target \"%1\": ").arg(text)) && error.contains(why), qPrintable(error));
        }
        // The override sets external on the named service; an unknown name is an error naming the option.
        Recipe r = load(QString::fromUtf8(kExternal)).recipe;
        r.services[0].external = {};
        QVERIFY(applyTargets(&r, {{QStringLiteral("cache"), {QStringLiteral("db9"), 7000}}}, &error));
        QCOMPARE(r.services[0].external, (ServiceExternal{QStringLiteral("db9"), 7000}));
        QVERIFY(!applyTargets(&r, {{QStringLiteral("cahce"), {QStringLiteral("db9"), 7000}}}, &error));
        QCOMPARE(error, QStringLiteral("--target cahce=db9:7000: the recipe has no service named \"cahce\" (services: cache)"));
        // The manifest's services block.
        const QJsonArray m = servicesManifest(r);
        QCOMPARE(m.size(), 1);
        QCOMPARE(m[0].toObject().value(QStringLiteral("external")).toBool(), true);
        QCOMPARE(m[0].toObject().value(QStringLiteral("host")).toString(), QStringLiteral("db9"));
        QCOMPARE(m[0].toObject().value(QStringLiteral("port")).toInt(), 7000);
    }

    void noServiceJobAndTheClientProbes()
    {
        const Recipe r = load(QString::fromUtf8(kExternal)).recipe;
        const QList<BatchScript> scripts = scriptsOf(r);
        QCOMPARE(scripts.size(), 1);
        QCOMPARE(scripts[0].role, QStringLiteral("client"));
        const QList<JobRequest> requests = BatchScriptGenerator::requests(r);
        QCOMPARE(requests.size(), 1);
        QCOMPARE(requests[0].role, QStringLiteral("client"));
        const QString &text = scripts[0].text;
        QVERIFY2(text.contains(QStringLiteral("export FB_EXTERNAL_HOST='127.0.0.1'\n")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("export FB_EXTERNAL_ADDRESS='127.0.0.1:6390'\n")));
        QVERIFY(text.contains(QStringLiteral("fb_healthy() { (exec 3<>\"/dev/tcp/${FB_EXTERNAL_HOST}/${FB_EXTERNAL_PORT}\") 2>/dev/null; }")));
        QVERIFY(text.contains(QStringLiteral("fb_deadline=$((SECONDS + 5))")));
        QVERIFY(text.contains(QStringLiteral("'external service cache at 127.0.0.1:6390: the tcp health check did not pass within 5s'")));
        QVERIFY(!text.contains(QStringLiteral(".endpoint")));
        QVERIFY(text.contains(QStringLiteral("\"${FB_EXTERNAL_ADDRESS}\"")));
        // http and command checks aim at the external endpoint too; IPv6 in brackets in URLs.
        Recipe http = r;
        http.services[0].health.type = QStringLiteral("http");
        http.services[0].health.path = QStringLiteral("/health");
        http.services[0].external.host = QStringLiteral("::1");
        QString t = scriptsOf(http).value(0).text;
        QVERIFY2(t.contains(QStringLiteral("export FB_EXTERNAL_ADDRESS='[::1]:6390'")), qPrintable(t));
        QVERIFY(t.contains(QStringLiteral("curl -fsS -o /dev/null --max-time 5 \"http://${FB_EXTERNAL_ADDRESS}\"'/health'")));
        Recipe cmd = r;
        cmd.services[0].health.type = QStringLiteral("command");
        cmd.services[0].health.command = {QStringLiteral("redis-cli"), QStringLiteral("-h"), QStringLiteral("{host}"),
                                          QStringLiteral("-p"), QStringLiteral("{port}"), QStringLiteral("ping")};
        cmd.services[0].container.sif = QStringLiteral("redis.sif"); // ignored: the probe runs natively
        t = scriptsOf(cmd).value(0).text;
        QVERIFY2(t.contains(QStringLiteral("fb_healthy() { 'redis-cli' '-h' \"${FB_EXTERNAL_HOST}\" '-p' \"${FB_EXTERNAL_PORT}\" 'ping' >/dev/null 2>&1; }")),
                 qPrintable(t));
        QVERIFY(!t.contains(QStringLiteral("apptainer")));
    }

    void clientScriptsPassShellcheck()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("shellcheck")).isEmpty())
            QFAIL("shellcheck is not installed (scripts/setup-debian.sh installs it)");
        const Recipe r = load(QString::fromUtf8(kExternal)).recipe;
        for (const QString &type : {QStringLiteral("tcp"), QStringLiteral("http"), QStringLiteral("command"), QStringLiteral("none")}) {
            Recipe v = r;
            v.services[0].health.type = type;
            v.services[0].health.command = {QStringLiteral("redis-cli"), QStringLiteral("-h"), QStringLiteral("{host}"), QStringLiteral("ping")};
            QProcess p;
            p.start(QStringLiteral("shellcheck"), {QStringLiteral("--shell=bash"), QStringLiteral("--severity=style"), QStringLiteral("-")});
            QVERIFY(p.waitForStarted());
            p.write(scriptsOf(v).value(0).text.toUtf8());
            p.closeWriteChannel();
            QVERIFY(p.waitForFinished(60000));
            QVERIFY2(p.exitCode() == 0, qPrintable(type + QLatin1Char('\n') + QString::fromUtf8(p.readAllStandardOutput())));
        }
    }

    // The client script run for real (bash, locally) with a stub fbload that
    // records its --target: against a listening port it probes, then targets
    // host:port; against a closed one it fails within health.timeout, naming
    // the service, host and port.
    void clientScriptRunsTheProbe()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString stub = dir.filePath(QStringLiteral("fbload"));
        {
            QFile f(stub);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("#!/bin/bash\nwhile [ $# -gt 0 ]; do if [ \"$1\" = --target ]; then echo \"$2\" > \"$FB_TRIAL_DIR/target\"; fi; shift; done\n");
            f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        }
        QTcpServer listening;
        QVERIFY(listening.listen(QHostAddress::LocalHost));
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const int closedPort = closed.serverPort();
        closed.close();

        auto run = [&](int port, QString *log) {
            Recipe r = load(QString::fromUtf8(kExternal)).recipe;
            r.services[0].external.port = port;
            r.services[0].health.timeout = 2;
            ScriptContext ctx = test::contextFor(QStringLiteral("ext"), QStringLiteral("t001"));
            ctx.trialDir = dir.filePath(QStringLiteral("t%1").arg(port));
            ctx.runDir = dir.path();
            ctx.fbloadPath = stub;
            QList<BatchScript> scripts;
            QStringList errors;
            if (!BatchScriptGenerator().generate(r, ctx, &scripts, &errors))
                return -1;
            QProcess p;
            p.setProcessChannelMode(QProcess::MergedChannels);
            p.start(QStringLiteral("bash"), {QStringLiteral("-c"), scripts.value(0).text});
            p.waitForFinished(30000);
            *log = QString::fromUtf8(p.readAll());
            return p.exitCode();
        };
        QString log;
        QElapsedTimer clock;
        clock.start();
        QCOMPARE(run(closedPort, &log), 1);
        QVERIFY2(log.contains(QStringLiteral("external service cache at 127.0.0.1:%1: the tcp health check did not pass within 2s").arg(closedPort)),
                 qPrintable(log));
        QVERIFY2(clock.elapsed() < 10000, qPrintable(QString::number(clock.elapsed()))); // bounded by health.timeout
        QFile target(dir.filePath(QStringLiteral("t%1/target").arg(closedPort)));
        QVERIFY(!target.exists()); // fbload never started

        QCOMPARE(run(listening.serverPort(), &log), 0);
        QVERIFY2(log.contains(QStringLiteral("external service cache at 127.0.0.1:%1 is healthy").arg(listening.serverPort())), qPrintable(log));
        QFile got(dir.filePath(QStringLiteral("t%1/target").arg(listening.serverPort())));
        QVERIFY(got.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(got.readAll()).trimmed(), QStringLiteral("127.0.0.1:%1").arg(listening.serverPort()));
    }
};

QTEST_GUILESS_MAIN(TestRecipeExternal)
#include "tst_recipeexternal.moc"
