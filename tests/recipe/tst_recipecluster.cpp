// Generated batch scripts run by the real mini-cluster's Slurm (label
// cluster; CTest brings the cluster up). Submitted with sbatch directly, as
// the current user, with SLURM_CONF from $FB_CLUSTER_DIR/env.sh.
//  - localRedisService: recipes/examples/local-redis.yaml's service script
//    starts the native redis-server, its health check passes, the endpoint
//    file "<host> <port>" appears and redis-cli PING answers PONG there;
//    scancel stops redis and removes the endpoint file (the traps work).
//  - injection: a recipe whose every value carries $(touch …), backticks,
//    quotes, ';' and newlines: its service and client jobs run to the end and
//    none of it executes; the values arrive byte for byte where they belong.
//  - localRedisTrial: the example's whole first trial (Prometheus, Redis and
//    the real fbload) runs and leaves fbload's result JSON in the trial.
#include "RecipeTestUtil.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace fb::recipe;

namespace {

QString clusterDir() { return qEnvironmentVariable("FB_CLUSTER_DIR"); }

// Runs a Slurm command with the mini-cluster's environment; stdout, or a
// null string on failure (the failure goes to the test log).
QString slurm(const QStringList &argv, const QString &workDir = {}, int *exitCode = nullptr)
{
    QProcess p;
    if (!workDir.isEmpty())
        p.setWorkingDirectory(workDir);
    p.start(QStringLiteral("bash"), QStringList{QStringLiteral("-c"), QStringLiteral("source \"$FB_CLUSTER_DIR/env.sh\" && exec \"$@\""),
                                                 QStringLiteral("slurm")} + argv);
    p.waitForFinished(30000);
    if (exitCode)
        *exitCode = p.exitCode();
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning("%s: %s", qPrintable(argv.join(QLatin1Char(' '))), p.readAllStandardError().constData());
        return {};
    }
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

// Submits one generated script from the trial folder (its #SBATCH --output
// is relative to it, and Slurm needs logs/ to exist before the job starts).
QString submit(const BatchScript &s, const QString &trialDir)
{
    QDir().mkpath(trialDir + QStringLiteral("/logs"));
    const QString path = trialDir + QLatin1Char('/') + s.fileName;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(s.text.toUtf8()) < 0)
        return {};
    f.close();
    return slurm({QStringLiteral("sbatch"), QStringLiteral("--parsable"), path}, trialDir).section(QLatin1Char(';'), 0, 0);
}

QString jobState(const QString &id)
{
    const QString info = slurm({QStringLiteral("scontrol"), QStringLiteral("show"), QStringLiteral("job"), QStringLiteral("-o"), id});
    static const QRegularExpression re(QStringLiteral("JobState=(\\S+)"));
    return re.match(info).captured(1);
}

bool finished(const QString &state)
{
    return !state.isEmpty() && state != QLatin1String("PENDING") && state != QLatin1String("RUNNING")
        && state != QLatin1String("CONFIGURING") && state != QLatin1String("COMPLETING");
}

// Waits until `ready` holds, or fails early when `jobId` ends first.
bool waitFor(const std::function<bool()> &ready, const QString &jobId, int seconds, QString *why)
{
    for (int i = 0; i < seconds * 4; ++i) {
        if (ready())
            return true;
        const QString st = jobState(jobId);
        if (finished(st)) {
            *why = QStringLiteral("job %1 ended (%2) first").arg(jobId, st);
            return ready();
        }
        QThread::msleep(250);
    }
    *why = QStringLiteral("timed out after %1 s (job %2 is %3)").arg(seconds).arg(jobId, jobState(jobId));
    return false;
}

QString readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

QString logsOf(const QString &trialDir)
{
    QString out;
    const QDir d(trialDir + QStringLiteral("/logs"));
    for (const QString &n : d.entryList(QDir::Files))
        out += QStringLiteral("--- %1\n%2").arg(n, readAll(d.filePath(n)));
    return out;
}

int freePort()
{
    QTcpServer s;
    return s.listen(QHostAddress::LocalHost, 0) ? s.serverPort() : 0;
}

Trial firstTrial(const Recipe &recipe)
{
    QList<Trial> trials;
    QList<Diagnostic> d;
    SweepExpander(&test::catalog()).expand(recipe, &trials, &d);
    return trials.value(0);
}

} // namespace

class TestRecipeCluster : public QObject
{
    Q_OBJECT
private:
    QStringList m_jobs; // cancelled in cleanup(), whatever happened

private slots:
    void initTestCase()
    {
        QVERIFY2(!clusterDir().isEmpty(), "FB_CLUSTER_DIR is not set: run through ctest (the minicluster fixture)");
        QVERIFY2(QFile::exists(clusterDir() + QStringLiteral("/env.sh")), "the mini-cluster is not up");
    }
    void cleanup()
    {
        for (const QString &id : std::as_const(m_jobs))
            slurm({QStringLiteral("scancel"), id});
        m_jobs.clear();
    }

    void localRedisService()
    {
        const LoadResult r = RecipeLoader(&test::catalog()).loadAndValidateFile(test::sourceDir() + QStringLiteral("/recipes/examples/local-redis.yaml"));
        QVERIFY2(r.ok(), qPrintable(formatDiagnostics(r.diagnostics)));
        Trial t = firstTrial(r.recipe);
        QCOMPARE(t.id, QStringLiteral("t001"));
        const int port = freePort(); // the example's 16379 may be taken on a shared machine
        QVERIFY(port > 0);
        t.recipe.services[0].ports[0].number = port;

        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        ScriptContext ctx = test::contextFor(QStringLiteral("local-redis"), t.id);
        ctx.runDir = tmp.path();
        ctx.trialDir = tmp.path() + QStringLiteral("/t001");
        QList<BatchScript> scripts;
        QStringList errors;
        QVERIFY2(BatchScriptGenerator().generate(t.recipe, ctx, &scripts, &errors), qPrintable(errors.join(QLatin1Char('\n'))));
        const auto service = std::find_if(scripts.begin(), scripts.end(), [](const BatchScript &s) { return s.role == QLatin1String("service"); });
        QVERIFY(service != scripts.end());
        QVERIFY(service->text.contains(QStringLiteral("fb_start 'redis-server'")));

        const QString job = submit(*service, ctx.trialDir);
        QVERIFY2(!job.isEmpty(), "sbatch failed");
        m_jobs << job;
        const QString endpoint = ctx.trialDir + QStringLiteral("/service-redis.endpoint");
        QString why;
        QVERIFY2(waitFor([&] { return QFile::exists(endpoint); }, job, 60, &why), qPrintable(why + QLatin1Char('\n') + logsOf(ctx.trialDir)));

        const QStringList hostPort = readAll(endpoint).trimmed().split(QLatin1Char(' '));
        QCOMPARE(hostPort.size(), 2);
        QCOMPARE(hostPort[1].toInt(), port);
        QProcess cli;
        cli.start(QStringLiteral("redis-cli"), {QStringLiteral("-h"), hostPort[0], QStringLiteral("-p"), hostPort[1], QStringLiteral("PING")});
        QVERIFY(cli.waitForFinished(10000));
        QCOMPARE(QString::fromUtf8(cli.readAllStandardOutput()).trimmed(), QStringLiteral("PONG"));
        QVERIFY(QFile::exists(ctx.trialDir + QStringLiteral("/services/redis/redis.conf")));

        // scancel: the traps stop redis-server and withdraw the endpoint.
        slurm({QStringLiteral("scancel"), job});
        QVERIFY2(waitFor([&] { return !QFile::exists(endpoint); }, job, 30, &why) || !QFile::exists(endpoint), qPrintable(why));
        for (int i = 0; i < 40 && !finished(jobState(job)); ++i)
            QThread::msleep(250);
        QVERIFY(finished(jobState(job)));
        QProcess ping;
        ping.start(QStringLiteral("redis-cli"), {QStringLiteral("-h"), hostPort[0], QStringLiteral("-p"), hostPort[1], QStringLiteral("PING")});
        QVERIFY(ping.waitForFinished(10000));
        QVERIFY2(!ping.readAllStandardOutput().contains("PONG"), "redis-server still answers after scancel");
    }

    // The whole first trial of local-redis.yaml as `fbctl run` will submit
    // it: Prometheus (monitor), redis-server (service) and the real fbload
    // (client) on the mini-cluster; the client's result JSON lands in the trial.
    void localRedisTrial()
    {
#ifndef FB_FBLOAD_PATH
        QSKIP("fbload is not part of this build (FB_BUILD_FBLOAD=OFF)");
#else
        const LoadResult r = RecipeLoader(&test::catalog()).loadAndValidateFile(test::sourceDir() + QStringLiteral("/recipes/examples/local-redis.yaml"));
        QVERIFY2(r.ok(), qPrintable(formatDiagnostics(r.diagnostics)));
        Trial t = firstTrial(r.recipe);
        t.recipe.services[0].ports[0].number = freePort();
        t.recipe.monitor.prometheus.port = freePort();
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        ScriptContext ctx = test::contextFor(QStringLiteral("local-redis"), t.id);
        ctx.runDir = tmp.path();
        ctx.trialDir = tmp.path() + QStringLiteral("/t001");
        ctx.fbloadPath = QStringLiteral(FB_FBLOAD_PATH);
        ctx.metricsPortBase = freePort();
        QList<BatchScript> scripts;
        QStringList errors;
        QVERIFY2(BatchScriptGenerator().generate(t.recipe, ctx, &scripts, &errors), qPrintable(errors.join(QLatin1Char('\n'))));
        QCOMPARE(scripts.size(), 3);
        QStringList ids;
        for (const BatchScript &s : std::as_const(scripts)) {
            const QString id = submit(s, ctx.trialDir);
            QVERIFY2(!id.isEmpty(), qPrintable(s.fileName));
            ids << id;
            m_jobs << id;
        }
        const QString clientJob = ids.last();
        QString why;
        QVERIFY2(waitFor([&] { return finished(jobState(clientJob)); }, ids[1], 90, &why), qPrintable(why + QLatin1Char('\n') + logsOf(ctx.trialDir)));
        QVERIFY2(jobState(clientJob) == QLatin1String("COMPLETED"), qPrintable(logsOf(ctx.trialDir)));

        QFile result(ctx.trialDir + QStringLiteral("/result-kv.json"));
        QVERIFY2(result.open(QIODevice::ReadOnly), qPrintable(logsOf(ctx.trialDir)));
        const QByteArray json = result.readAll();
        QVERIFY2(json.contains("\"summary\"") && json.contains("\"workload\": \"redis\""), json.left(400).constData());
        QVERIFY(QFile::exists(ctx.trialDir + QStringLiteral("/monitor.endpoint")));
        QVERIFY(QFile::exists(ctx.trialDir + QStringLiteral("/service-redis.endpoint")));

        for (const QString &id : std::as_const(ids))
            slurm({QStringLiteral("scancel"), id});
        for (int i = 0; i < 60 && !(finished(jobState(ids[0])) && finished(jobState(ids[1]))); ++i)
            QThread::msleep(250);
        QVERIFY(!QFile::exists(ctx.trialDir + QStringLiteral("/monitor.endpoint")));
        QVERIFY(!QFile::exists(ctx.trialDir + QStringLiteral("/service-redis.endpoint")));
#endif
    }

    void injection()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString mark = tmp.path() + QStringLiteral("/mark"); // any file here means something ran
        QVERIFY(QDir().mkpath(mark));
        const int port = freePort();

        // A stand-in for fbload: copies the config it is given to --out and
        // records the client environment, so the test sees what arrived.
        const QString fakeFbload = tmp.path() + QStringLiteral("/fake-fbload");
        {
            QFile f(fakeFbload);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("#!/bin/sh\n"
                    "cfg=; out=\n"
                    "while [ $# -gt 0 ]; do case \"$1\" in --config) cfg=$2; shift;; --out) out=$2; shift;; esac; shift; done\n"
                    "cp \"$cfg\" \"$out\"\n"
                    "printf '%s' \"$EVIL\" > \"$out.EVIL\"\n"
                    "printf '%s' \"$Q\" > \"$out.Q\"\n"
                    "printf '%s' \"$FB_WORKDIR\" > \"$out.WORKDIR\"\n");
            f.close();
            QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        }

        const QString evil = QStringLiteral("$(touch M/env1) `touch M/env2` ' \" ; touch M/env3\ntouch M/env4 && touch M/env5 | touch M/env6 > M/env7");
        const QString content = QStringLiteral("x = '$(touch M/file1)'\n`touch M/file2`\n\"$(touch M/file3)\" {{literal}} $HOME\n");
        QFile recipeFile(QStringLiteral(FB_TEST_SOURCE_DIR "/data/injection.yaml"));
        QVERIFY(recipeFile.open(QIODevice::ReadOnly));
        QString text = QString::fromUtf8(recipeFile.readAll());
        auto yamlQuote = [](QString s) {
            s.replace(QLatin1Char('\\'), QStringLiteral("\\\\")).replace(QLatin1Char('"'), QStringLiteral("\\\"")).replace(QLatin1Char('\n'), QStringLiteral("\\n"));
            return QLatin1Char('"') + s + QLatin1Char('"');
        };
        text.replace(QStringLiteral("@EVIL@"), yamlQuote(evil)).replace(QStringLiteral("@CONTENT@"), yamlQuote(content))
            .replace(QStringLiteral("@PORT@"), QString::number(port));
        text.replace(QStringLiteral("M/"), mark + QLatin1Char('/'));
        const LoadResult r = RecipeLoader(&test::catalog()).loadAndValidateText(text, QStringLiteral("injection.yaml"));
        QVERIFY2(r.ok(), qPrintable(formatDiagnostics(r.diagnostics)));
        const Trial t = firstTrial(r.recipe);

        ScriptContext ctx = test::contextFor(r.recipe.metadata.name, t.id);
        ctx.runDir = tmp.path() + QStringLiteral("/run");
        ctx.trialDir = ctx.runDir + QStringLiteral("/t001");
        ctx.fbloadPath = fakeFbload;
        ctx.metricsPortBase = freePort();
        QList<BatchScript> scripts;
        QStringList errors;
        QVERIFY2(BatchScriptGenerator().generate(t.recipe, ctx, &scripts, &errors), qPrintable(errors.join(QLatin1Char('\n'))));
        QCOMPARE(scripts.size(), 2);

        const QString serviceJob = submit(scripts[0], ctx.trialDir);
        QVERIFY(!serviceJob.isEmpty());
        m_jobs << serviceJob;
        const QString clientJob = submit(scripts[1], ctx.trialDir);
        QVERIFY(!clientJob.isEmpty());
        m_jobs << clientJob;

        QString why;
        QVERIFY2(waitFor([&] { return finished(jobState(clientJob)); }, serviceJob, 90, &why), qPrintable(why + QLatin1Char('\n') + logsOf(ctx.trialDir)));
        QVERIFY2(jobState(clientJob) == QLatin1String("COMPLETED"), qPrintable(jobState(clientJob) + QLatin1Char('\n') + logsOf(ctx.trialDir)));
        QVERIFY2(jobState(serviceJob) == QLatin1String("RUNNING"), qPrintable(logsOf(ctx.trialDir)));

        // What arrived is exactly what the recipe said.
        const QString result = ctx.trialDir + QStringLiteral("/result-cli.json");
        QCOMPARE(readAll(result), QString::fromUtf8(BatchScriptGenerator::fbloadConfig(t.recipe, t.recipe.clients[0])) + QLatin1Char('\n'));
        QCOMPARE(readAll(result + QStringLiteral(".EVIL")), QString(evil).replace(QStringLiteral("M/"), mark + QLatin1Char('/')));
        QCOMPARE(readAll(result + QStringLiteral(".Q")), t.recipe.clients[0].environment.value(0).value);
        QCOMPARE(readAll(result + QStringLiteral(".WORKDIR")), qEnvironmentVariable("HOME") + t.recipe.cluster.workdir.mid(5)); // "$HOME" expands, the rest is literal
        const QString serviceDir = ctx.trialDir + QStringLiteral("/services/svc");
        QCOMPARE(readAll(serviceDir + QStringLiteral("/v.txt")), t.recipe.services[0].environment.value(0).value);
        QCOMPARE(readAll(serviceDir + QStringLiteral("/conf/it's $(touch fpath-marker).conf")),
                 QString(content).replace(QStringLiteral("M/"), mark + QLatin1Char('/')).replace(QStringLiteral("{{"), QStringLiteral("{")));

        slurm({QStringLiteral("scancel"), serviceJob});
        for (int i = 0; i < 40 && !finished(jobState(serviceJob)); ++i)
            QThread::msleep(250);

        // Nothing ran: no marker file anywhere.
        const QStringList ran = QDir(mark).entryList(QDir::Files | QDir::NoDotAndDotDot);
        QVERIFY2(ran.isEmpty(), qPrintable(QStringLiteral("executed: ") + ran.join(QStringLiteral(", "))));
        QVERIFY(!QFile::exists(serviceDir + QStringLiteral("/fpath-marker")));
        QVERIFY(!QFile::exists(serviceDir + QStringLiteral("/conf/fpath-marker")));
    }
};

QTEST_GUILESS_MAIN(TestRecipeCluster)
#include "tst_recipecluster.moc"
