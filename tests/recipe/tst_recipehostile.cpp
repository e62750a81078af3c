// Hostile recipes run through `fbctl validate` as a child process, table-driven:
//  - YAML constructs (alias cycles, alias bombs, deep nesting in flow and
//    block style, depth built from aliases) in every free-form field
//    (clients[].params, services[].settings) and in typed fields: each is
//    refused with exit 3 and a message naming the field path and
//    file:line:column, in under 1 s and 100 MB of peak RSS (wait4's rusage
//    of the child);
//  - CR, LF and other control characters in every fbload param that reaches
//    a protocol line (HTTP request and header lines of the http, llm, vector
//    and s3 workloads), written directly or in a sweep: refused with the path;
//  - the same recipes with harmless values validate (the checks can fail).
#include "RecipeTestUtil.h"

#include "recipe/RecipeSaver.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

using namespace fb::recipe;

namespace {

struct ChildRun
{
    int exitCode = -1;
    QString output;    // stdout and stderr
    double seconds = 0;
    long maxRssKb = 0;
};

double now()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

// Runs fbctl with `args`, its output into `outFile`; kills it after 30 s.
ChildRun runFbctl(const QStringList &args, const QString &outFile, const QString &home)
{
    QList<QByteArray> argv8{QByteArray(FB_FBCTL_PATH)};
    for (const QString &a : args)
        argv8 << a.toLocal8Bit();
    std::vector<char *> argv;
    for (QByteArray &a : argv8)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    const QByteArray out = outFile.toLocal8Bit();
    const QByteArray data = QByteArray("FB_DATA_DIR=") + FB_SOURCE_DIR;
    const QByteArray config = "FB_CONFIG_DIR=" + home.toLocal8Bit() + "/config";
    const QByteArray state = "FB_STATE_DIR=" + home.toLocal8Bit() + "/state";
    ChildRun r;
    const double start = now();
    const pid_t pid = fork();
    if (pid == 0) {
        const int fd = open(out.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 1);
        dup2(fd, 2);
        putenv(const_cast<char *>(data.constData()));
        putenv(const_cast<char *>(config.constData()));
        putenv(const_cast<char *>(state.constData()));
        execv(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    rusage ru{};
    // Polls the child (a hung validation must fail the test, not the suite).
    while (wait4(pid, &status, WNOHANG, &ru) == 0) {
        if (now() - start > 30) {
            kill(pid, SIGKILL);
            wait4(pid, &status, 0, &ru);
            break;
        }
        const timespec nap{0, 2000000};
        nanosleep(&nap, nullptr);
    }
    r.seconds = now() - start;
    r.maxRssKb = ru.ru_maxrss;
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    QFile f(outFile);
    if (f.open(QIODevice::ReadOnly))
        r.output = QString::fromUtf8(f.readAll());
    return r;
}

// A recipe whose service (redis template, native) and client (workload
// `workload`) carry the test's field lines; `serviceLines` and `clientLines`
// are indented to the item's keys (4 spaces).
QString recipe(const QString &serviceLines, const QString &clientLines, const QString &workload = QStringLiteral("redis"),
               const QString &top = {})
{
    return QStringLiteral("version: 1\n%4services:\n  - name: db\n    template: redis\n    container: none\n%1"
                          "clients:\n  - name: c\n    service: db\n    workload: %3\n%2")
        .arg(serviceLines, clientLines, workload, top);
}

// The value text of each construct, for a field holding a mapping
// (params, settings, environment) or a list (tags, command). `indent` is the
// column of the field's key, for block-style constructs.
QString construct(const QString &kind, bool mapping, int indent)
{
    const QString in = QString(indent + 2, QLatin1Char(' '));
    if (kind == QLatin1String("alias-cycle-list"))
        return mapping ? QStringLiteral(" {body: &y [*y]}\n") : QStringLiteral(" &y [a, *y]\n");
    if (kind == QLatin1String("alias-cycle-map"))
        return mapping ? QStringLiteral(" &x {operations: *x}\n") : QStringLiteral(" [&x {k: *x}]\n");
    if (kind == QLatin1String("billion-laughs")) {
        QString t = QStringLiteral("\n");
        QStringList lol;
        for (int i = 0; i < 10; ++i)
            lol << QStringLiteral("lol");
        if (mapping) {
            t += in + QStringLiteral("l0: &l0 [%1]\n").arg(lol.join(QStringLiteral(", ")));
            for (int level = 1; level < 10; ++level)
                t += in + QStringLiteral("l%1: &l%1 [%2]\n").arg(level).arg(QStringList(10, QStringLiteral("*l%1").arg(level - 1)).join(QStringLiteral(", ")));
        } else {
            t += in + QStringLiteral("- &l0 [%1]\n").arg(lol.join(QStringLiteral(", ")));
            for (int level = 1; level < 10; ++level)
                t += in + QStringLiteral("- &l%1 [%2]\n").arg(level).arg(QStringList(10, QStringLiteral("*l%1").arg(level - 1)).join(QStringLiteral(", ")));
        }
        return t;
    }
    if (kind == QLatin1String("deep-flow-40000")) {
        const QString deep = QString(40000, QLatin1Char('[')) + QString(40000, QLatin1Char(']'));
        return mapping ? QStringLiteral(" {x: %1}\n").arg(deep) : QLatin1Char(' ') + deep + QLatin1Char('\n');
    }
    if (kind == QLatin1String("deep-block")) {
        if (!mapping) // compact nested sequences: 40000 levels on one line
            return QLatin1Char('\n') + in + QString(40000, QLatin1Char('-')).replace(QLatin1String("-"), QLatin1String("- ")) + QStringLiteral("x\n");
        QString t = QStringLiteral("\n");
        for (int level = 0; level < 2000; ++level)
            t += QString(indent + 2 + level, QLatin1Char(' ')) + QStringLiteral("k%1:\n").arg(level);
        return t;
    }
    if (kind == QLatin1String("alias-depth")) { // 41 levels built from aliases, no cycle
        QString t = QStringLiteral("\n");
        t += in + (mapping ? QStringLiteral("a0: &a0 [x, {}]\n") : QStringLiteral("- &a0 [x, {}]\n"));
        for (int level = 1; level <= 40; ++level)
            t += in + (mapping ? QStringLiteral("a%1: &a%1 [*a%2, {}]\n") : QStringLiteral("- &a%1 [*a%2, {}]\n")).arg(level).arg(level - 1);
        return t;
    }
    return {};
}

} // namespace

class TestRecipeHostile : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    int m_run = 0;

    ChildRun validate(const QString &text)
    {
        const QString path = m_dir.filePath(QStringLiteral("hostile.yaml"));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(text.toUtf8()) < 0)
            return {};
        f.close();
        return runFbctl({QStringLiteral("validate"), path}, m_dir.filePath(QStringLiteral("out-%1.txt").arg(++m_run)), m_dir.path());
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void constructs_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("path");     // the message starts with this field path
        QTest::addColumn<QString>("expected"); // and contains this (empty: any located error)
        struct Field { const char *name; bool mapping; bool service; const char *key; QString path; };
        const QList<Field> fields{
            {"params", true, false, "params", QStringLiteral("clients[0].params")},
            {"settings", true, true, "settings", QStringLiteral("services[0].settings")},
            {"environment", true, false, "environment", QStringLiteral("clients[0].environment")},
            {"command", false, true, "command", QStringLiteral("services[0].command")},
        };
        const QStringList kinds{QStringLiteral("alias-cycle-list"), QStringLiteral("alias-cycle-map"), QStringLiteral("billion-laughs"),
                                QStringLiteral("deep-flow-40000"), QStringLiteral("deep-block"), QStringLiteral("alias-depth")};
        for (const Field &f : fields) {
            for (const QString &kind : kinds) {
                const QString line = QStringLiteral("    %1:").arg(QLatin1String(f.key)) + construct(kind, f.mapping, 4);
                const QString text = f.service ? recipe(line, {}) : recipe({}, line);
                QString expected;
                const bool freeForm = f.path.endsWith(QLatin1String("params")) || f.path.endsWith(QLatin1String("settings"));
                if (kind.startsWith(QLatin1String("deep-flow")) || kind == QLatin1String("deep-block"))
                    expected = QStringLiteral("nested more than 64 levels deep");
                else if (freeForm && kind.startsWith(QLatin1String("alias-cycle")))
                    expected = QStringLiteral("alias cycle");
                else if (freeForm && kind == QLatin1String("billion-laughs"))
                    expected = QStringLiteral("once aliases are expanded");
                else if (freeForm && kind == QLatin1String("alias-depth"))
                    expected = QStringLiteral("nested more than 32 levels deep (aliases included)");
                QTest::newRow(qPrintable(QStringLiteral("%1/%2").arg(QLatin1String(f.name), kind))) << text << f.path << expected;
            }
        }
        // The whole document, outside any field.
        QTest::newRow("top-level/deep-flow-40000")
            << QStringLiteral("version: 1\nx: ") + QString(40000, QLatin1Char('[')) + QString(40000, QLatin1Char(']')) + QLatin1Char('\n')
            << QStringLiteral("x") << QStringLiteral("nested more than 64 levels deep");
        QTest::newRow("params/wide-60000") << recipe({}, QStringLiteral("    params: {body: [[%1]]}\n").arg(QStringList(60000, QStringLiteral("1")).join(QLatin1Char(','))))
                                           << QStringLiteral("clients[0].params") << QStringLiteral("holds more than 50000 values");
        QTest::newRow("metadata/alias-cycle") << recipe({}, {}, QStringLiteral("redis"), QStringLiteral("metadata: &m {name: x, tags: *m}\n"))
                                              << QStringLiteral("metadata.tags") << QString();
    }
    void constructs()
    {
        QFETCH(QString, text);
        QFETCH(QString, path);
        QFETCH(QString, expected);
        const ChildRun r = validate(text);
        QVERIFY2(r.exitCode == 3, qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(r.output.left(2000))));
        const QString first = r.output.section(QLatin1Char('\n'), 0, 0);
        if (qEnvironmentVariableIntValue("FB_DUMP_HOSTILE") == 1)
            qInfo("%s: %.3f s, %ld KiB\n  %s", QTest::currentDataTag(), r.seconds, r.maxRssKb, qPrintable(first.left(300)));
        QVERIFY2(first.startsWith(path), qPrintable(first.left(500)));
        if (!expected.isEmpty())
            QVERIFY2(first.contains(expected), qPrintable(first.left(500)));
        static const QRegularExpression located(QStringLiteral("\\(hostile\\.yaml:[1-9][0-9]*:[1-9][0-9]*\\)$"));
        QVERIFY2(located.match(first).hasMatch(), qPrintable(first.left(500)));
        QVERIFY2(r.seconds < 1.0, qPrintable(QStringLiteral("%1 s").arg(r.seconds)));
        QVERIFY2(r.maxRssKb < 100 * 1024, qPrintable(QStringLiteral("peak RSS %1 KiB").arg(r.maxRssKb)));
    }

    // The same recipe with harmless values in each free-form field validates.
    void harmless()
    {
        const ChildRun r = validate(recipe(QStringLiteral("    settings: {persistence: aof, password: \"p{a}ss'w\\\"d\", maxmemory: 64mb}\n"),
                                           QStringLiteral("    params: {operations: {get: 0.9, set: 0.1}, key_prefix: \"a b\"}\n")));
        QVERIFY2(r.exitCode == 0, qPrintable(r.output));
        QVERIFY2(r.maxRssKb < 100 * 1024, qPrintable(QString::number(r.maxRssKb)));
    }

    // Valid YAML that looks like the constructs above to a careless scan loads.
    void noFalseAlarms_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("block-scalar") << QStringLiteral("metadata:\n  description: |\n    it's \"unclosed [ {\n  name: x\n  notes: >-\n    a \"b\n");
        QTest::newRow("plain-continuation") << QStringLiteral("metadata:\n  description: this is\n    'tis the season\n\n    \"and more\n  name: x # \"comment\n");
        QTest::newRow("flow-over-lines") << QStringLiteral("metadata: {name: \"a, b\",\n  description: 'it''s',\n  tags: [a, \"b]\"]}\n");
        QTest::newRow("quoted-free-text") << QStringLiteral("metadata:\n  description: \"multi\n    line ok\"\n  name: x\n");
        QTest::newRow("anchors") << QStringLiteral("metadata: {name: x}\nclients:\n  - &c {name: a, workload: file, params: &p {dir: /tmp, block_size: 4096}}\n"
                                                   "  - {name: b, workload: file, params: *p}\n");
        QString nested = QStringLiteral("metadata: {name: x}\nclients:\n  - name: a\n    workload: file\n    params:\n      extra:");
        for (int level = 0; level < 20; ++level)
            nested += QStringLiteral("\n") + QString(8 + 2 * level, QLatin1Char(' ')) + QStringLiteral("k%1:").arg(level);
        QTest::newRow("nested-20") << nested + QStringLiteral(" 1\n");
    }
    void noFalseAlarms()
    {
        QFETCH(QString, text);
        const LoadResult r = RecipeLoader(&test::catalog()).loadText(QStringLiteral("version: 1\n") + text);
        QVERIFY2(r.ok(), qPrintable(formatDiagnostics(r.diagnostics)));
    }

    // A recipe just under the free-form limit through aliases saves with its
    // aliases expanded, and what is saved loads again (the limits nest).
    void aliasesSaveAndLoad()
    {
        QString params = QStringLiteral("    params:\n      l0: &l0 [[%1]]\n").arg(QStringList(98, QStringLiteral("abcdefgh")).join(QStringLiteral(", ")));
        for (int i = 1; i < 195; ++i)
            params += QStringLiteral("      l%1: *l0\n").arg(i);
        const LoadResult r = RecipeLoader(&test::catalog()).loadText(recipe({}, params));
        QVERIFY2(r.ok(), qPrintable(formatDiagnostics(r.diagnostics).left(2000)));
        const QString saved = RecipeSaver(&test::catalog()).toText(r.recipe);
        const LoadResult again = RecipeLoader(&test::catalog()).loadText(saved);
        QVERIFY2(again.ok(), qPrintable(formatDiagnostics(again.diagnostics).left(2000)));
        QCOMPARE(again.recipe.clients[0].params, r.recipe.clients[0].params);
    }

    // A template of one's own is held to the same limits, with its file named.
    void ownTemplate_data()
    {
        QTest::addColumn<QString>("settings");
        QTest::addColumn<QString>("expected");
        QTest::newRow("deep-flow") << QStringLiteral("{x: %1}").arg(QString(40000, QLatin1Char('[')) + QString(40000, QLatin1Char(']')))
                                   << QStringLiteral("mine.yaml:4:78) is not valid YAML: service.settings: collections are nested more than 64 levels deep");
        QTest::newRow("alias-cycle") << QStringLiteral("&x {a: *x}") << QStringLiteral("service.settings.a: alias cycle");
    }
    void ownTemplate()
    {
        QFETCH(QString, settings);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("mine.yaml")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral("description: x\nservice:\n  kind: redis\n  settings: %1\n").arg(settings).toUtf8());
        f.close();
        const Catalog own(dir.path());
        const LoadResult r = RecipeLoader(&own).loadText(QStringLiteral("version: 1\nservices:\n  - {name: s, template: mine}\n"));
        QVERIFY(!r.ok());
        QVERIFY2(formatDiagnostics(r.diagnostics).contains(expected), qPrintable(formatDiagnostics(r.diagnostics).left(1000)));
    }

    // Expanding a sweep is linear in its trials: 40,000 trials cost about four
    // times 10,000 (CPU time; quadratic would be sixteen). The loader caps
    // max_trials at 10,000, so the cap is raised on the loaded model.
    void sweepLinear()
    {
        auto cpuSeconds = [] {
            rusage ru{};
            getrusage(RUSAGE_SELF, &ru);
            return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
        };
        auto expandSeconds = [&](int trials) {
            QStringList a, b;
            for (int i = 1; i <= 100; ++i)
                a << QString::number(i);
            for (int i = 1; i <= trials / 100; ++i)
                b << QString::number(i);
            const LoadResult r = RecipeLoader(&test::catalog()).loadText(
                recipe({}, QStringLiteral("    load: {concurrency: [%1]}\n    params: {value_size: [%2]}\n").arg(a.join(QLatin1Char(',')), b.join(QLatin1Char(',')))));
            if (!r.ok())
                return -1.0;
            Recipe rc = r.recipe;
            rc.sweep.maxTrials = trials;
            QList<Trial> out;
            QList<Diagnostic> diags;
            const double start = cpuSeconds();
            const bool ok = SweepExpander(&test::catalog()).expand(rc, &out, &diags);
            const double spent = cpuSeconds() - start;
            return ok && out.size() == trials ? spent : -1.0;
        };
        expandSeconds(1000); // warm-up (allocator, template cache)
        const double small = expandSeconds(10000), large = expandSeconds(40000);
        qInfo("expand: 10000 trials %.2f s, 40000 trials %.2f s CPU", small, large);
        QVERIFY(small > 0 && large > 0);
        QVERIFY2(large < 6 * small, qPrintable(QStringLiteral("40000 trials took %1x the time of 10000").arg(large / small)));
    }

    // Every fbload param that reaches a request or header line, per workload.
    void lineBound_data()
    {
        QTest::addColumn<QString>("workload");
        QTest::addColumn<QString>("params");   // the params mapping, in flow style
        QTest::addColumn<QString>("path");     // "" = valid
        const QList<std::pair<QString, QStringList>> fields{
            {QStringLiteral("http"), {QStringLiteral("method"), QStringLiteral("path"), QStringLiteral("host_header"), QStringLiteral("headers.X-Test")}},
            {QStringLiteral("llm"), {QStringLiteral("path"), QStringLiteral("api_key"), QStringLiteral("headers.X-Test")}},
            {QStringLiteral("vector"), {QStringLiteral("host_header"), QStringLiteral("api_key")}},
            {QStringLiteral("s3"), {QStringLiteral("host_header"), QStringLiteral("access_key"), QStringLiteral("region"), QStringLiteral("key_prefix")}},
        };
        const QList<std::pair<const char *, QString>> bad{{"crlf", QStringLiteral("\\r\\nX-Injected: 1")}, {"lf", QStringLiteral("\\n")},
                                                          {"cr", QStringLiteral("\\r")}, {"nul", QStringLiteral("\\0")}, {"esc", QStringLiteral("\\e")}};
        for (const auto &[workload, keys] : fields) {
            for (const QString &key : keys) {
                const bool header = key.startsWith(QLatin1String("headers."));
                const QString base = key == QLatin1String("method") ? QStringLiteral("GET") : key.contains(QLatin1String("path")) ? QStringLiteral("/x") : QStringLiteral("v");
                auto params = [&](const QString &value) {
                    return header ? QStringLiteral("{headers: {X-Test: \"%1\"}}").arg(value) : QStringLiteral("{%1: \"%2\"}").arg(key, value);
                };
                const QString p = QStringLiteral("clients[0].params.") + key;
                QTest::newRow(qPrintable(QStringLiteral("%1/%2/ok").arg(workload, key))) << workload << params(base) << QString();
                for (const auto &[name, value] : bad)
                    QTest::newRow(qPrintable(QStringLiteral("%1/%2/%3").arg(workload, key, QLatin1String(name)))) << workload << params(base + value) << p;
                if (!header) // a bad value in the second place of a sweep
                    QTest::newRow(qPrintable(QStringLiteral("%1/%2/swept").arg(workload, key)))
                        << workload << QStringLiteral("{%1: [\"%2\", \"%2\\r\\nX: 1\"]}").arg(key, base) << p;
            }
        }
        QTest::newRow("llm/header-name-space") << QStringLiteral("llm") << QStringLiteral("{headers: {\"X A\": v}}")
                                               << QStringLiteral("clients[0].params.headers.X A");
        QTest::newRow("http/header-name-cr") << QStringLiteral("http") << QStringLiteral("{headers: {\"X-A\\rB\": v}}")
                                             << QStringLiteral("clients[0].params.headers.X-A\\rB"); // printed escaped
        QTest::newRow("http/method-space") << QStringLiteral("http") << QStringLiteral("{method: \"GET / HTTP/1.1\"}")
                                           << QStringLiteral("clients[0].params.method");
    }
    void lineBound()
    {
        QFETCH(QString, workload);
        QFETCH(QString, params);
        QFETCH(QString, path);
        const QString text = QStringLiteral("version: 1\nservices:\n  - {name: db, kind: generic, command: [srv], ports: {http: 8080}}\n"
                                            "clients:\n  - {name: c, service: db, workload: %1, params: %2}\n").arg(workload, params);
        const ChildRun r = validate(text);
        if (path.isEmpty()) {
            QVERIFY2(r.exitCode == 0, qPrintable(r.output));
            return;
        }
        QVERIFY2(r.exitCode == 3, qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(r.output)));
        const QRegularExpression line(QStringLiteral("^%1: .*\\(hostile\\.yaml:5:[0-9]+\\)$").arg(QRegularExpression::escape(path)),
                                      QRegularExpression::MultilineOption);
        QVERIFY2(line.match(r.output).hasMatch(), qPrintable(r.output));
        for (const QChar c : r.output) // one line per diagnostic, no escape sequences
            QVERIFY2(c == QLatin1Char('\n') || c.unicode() >= 0x20, qPrintable(r.output));
    }
};

QTEST_GUILESS_MAIN(TestRecipeHostile)
#include "tst_recipehostile.moc"
