// `fbctl plan|run --target NAME=HOST:PORT` without a cluster: the plan shows
// the service as external (no job, no node-hours, no service script) and the
// client probing and targeting HOST:PORT; a bad option or an unknown service
// is an error that names the option (exit 2 / 3), before anything connects.
// `fbctl run` is checked up to the point where it would connect: the
// recipe copy with the target written in, under <state>/targeted/.
#include "common/Paths.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Result
{
    int exitCode = -1;
    QString out, err;
};

Result fbctl(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(FB_BINARY_DIR "/core/fbctl/fbctl"), args);
    if (!p.waitForFinished(60000))
        qFatal("fbctl did not finish");
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

const char *kRecipe = R"(version: 1
metadata:
  name: target-test
cluster:
  resources: {partition: cpu, time: 10m}
services:
  - name: cache   # the campaign starts it, unless --target says where it runs
    template: redis
    container: none
    command: [redis-server, "{service_dir}/redis.conf"]
clients:
  - name: kv
    service: cache
    workload: redis
    duration: 2s
    load: {concurrency: [1, 2]}
)";

} // namespace

class TestFbctlTarget : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_recipe;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_recipe = m_dir.filePath(QStringLiteral("target.yaml"));
        QFile f(m_recipe);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(kRecipe);
    }

    void planShowsTheServiceExternal()
    {
        const Result without = fbctl({QStringLiteral("plan"), m_recipe});
        QCOMPARE(without.exitCode, 0);
        QVERIFY(without.out.contains(QStringLiteral("/service-cache.sbatch =====")));

        const Result r = fbctl({QStringLiteral("plan"), m_recipe, QStringLiteral("--target"), QStringLiteral("cache=db7.example.org:7001")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        // Two client jobs of 10 minutes: a third of a node-hour; no service job (the template's 1 h).
        QVERIFY2(r.out.contains(QStringLiteral("2 job(s), 0.333 node-hours")), qPrintable(r.out));
        QVERIFY(r.out.contains(QStringLiteral("  service cache: external at db7.example.org:7001 (no job, no node-hours)\n")));
        QVERIFY(!r.out.contains(QStringLiteral("service-cache.sbatch")));
        QVERIFY(r.out.contains(QStringLiteral("export FB_EXTERNAL_ADDRESS='db7.example.org:7001'")));
        QVERIFY(r.out.contains(QStringLiteral("external service cache at db7.example.org:7001: the tcp health check did not pass within 2m")));
        // The template's redis-cli check cannot reach another host: said once, with its place.
        QVERIFY2(r.err.contains(QStringLiteral("warning: services[0].health.command: the command health check never names {host}")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("(target.yaml:7:5)")), qPrintable(r.err));
        // ... and the fields the recipe writes for it are ignored, each named at its line.
        QVERIFY2(r.err.contains(QStringLiteral("warning: services[0].command: ignored: service \"cache\" is external")), qPrintable(r.err));
        QVERIFY(r.err.contains(QStringLiteral("(target.yaml:10:14)")));
    }

    void planNamesASweptAddress()
    {
        const QString path = m_dir.filePath(QStringLiteral("swept.yaml"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("version: 1\nservices:\n  - {name: cache, kind: redis, external: {host: [db1, db2], port: 6379}}\n"
                "clients:\n  - {name: kv, service: cache, workload: redis}\n");
        f.close();
        Result r = fbctl({QStringLiteral("plan"), path, QStringLiteral("--trial"), QStringLiteral("2")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(QStringLiteral("  service cache: external at db1:6379 (no job, no node-hours); services[0].external.host swept over db1, db2\n")),
                 qPrintable(r.out));
        QVERIFY(r.out.contains(QStringLiteral("export FB_EXTERNAL_ADDRESS='db2:6379'")));
        // --target replaces the swept address: one trial.
        r = fbctl({QStringLiteral("plan"), path, QStringLiteral("--target"), QStringLiteral("cache=db3:1")});
        QVERIFY2(r.out.startsWith(QStringLiteral("1 trial(s)")), qPrintable(r.out));
        QVERIFY(r.out.contains(QStringLiteral("  service cache: external at db3:1 (no job, no node-hours)\n")));
    }

    void badTargetsNameTheOption()
    {
        Result r = fbctl({QStringLiteral("plan"), m_recipe, QStringLiteral("--target"), QStringLiteral("cache=db7:99999")});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err, QStringLiteral("fbctl: --target \"cache=db7:99999\": the port must be a number from 1 to 65535, got \"99999\"\n"));
        r = fbctl({QStringLiteral("plan"), m_recipe, QStringLiteral("--target"), QStringLiteral("cache=`id`:1")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("\"`id`\" is not a host name or IP address")), qPrintable(r.err));
        r = fbctl({QStringLiteral("plan"), m_recipe, QStringLiteral("--target"), QStringLiteral("redis=db7:1")});
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(r.err, QStringLiteral("fbctl: --target redis=db7:1: the recipe has no service named \"redis\" (services: cache)\n"));
        // run: the same checks, before it connects anywhere.
        r = fbctl({QStringLiteral("run"), m_recipe, QStringLiteral("--profile"), QStringLiteral("none"), QStringLiteral("--target"), QStringLiteral("cache")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith(QStringLiteral("fbctl: --target \"cache\": expected NAME=HOST:PORT")), qPrintable(r.err));
    }

    void runHandsTheCampaignARecipeWithTheTarget()
    {
        // A profile to an address where nothing listens: run gets as far as connecting.
        const QString profile = m_dir.filePath(QStringLiteral("nowhere.json"));
        QFile p(profile);
        QVERIFY(p.open(QIODevice::WriteOnly));
        p.write(R"({"name": "nowhere", "host": "127.0.0.1", "port": 1, "user": "nobody"})");
        p.close();
        Result r = fbctl({QStringLiteral("run"), m_recipe, QStringLiteral("--profile-file"), profile, QStringLiteral("--target"),
                          QStringLiteral("redis=db7:1")});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains(QStringLiteral("--target redis=db7:1: the recipe has no service named \"redis\"")), qPrintable(r.err));
        r = fbctl({QStringLiteral("run"), m_recipe, QStringLiteral("--profile-file"), profile, QStringLiteral("--target"),
                   QStringLiteral("cache=[fd00::7]:7001")});
        QCOMPARE(r.exitCode, 4); // the connection, after the recipe was written
        const QRegularExpression line(QStringLiteral("--target: running (\\S+/targeted/[0-9a-f]{16}/target\\.yaml)\n"));
        const auto m = line.match(r.out);
        QVERIFY2(m.hasMatch(), qPrintable(r.out + r.err));
        QVERIFY(m.captured(1).startsWith(fb::Paths::stateDir()));
        QFile copy(m.captured(1));
        QVERIFY(copy.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(copy.readAll());
        // The user's text, comments kept, with the target written in.
        QVERIFY2(text.contains(QStringLiteral("# the campaign starts it, unless --target says where it runs")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("external:")) && text.contains(QStringLiteral("host: fd00::7"))
                     && text.contains(QStringLiteral("port: 7001")),
                 qPrintable(text));
        const Result v = fbctl({QStringLiteral("validate"), m.captured(1)});
        QVERIFY2(v.exitCode == 0, qPrintable(v.out + v.err));
    }
};

QTEST_GUILESS_MAIN(TestFbctlTarget)
#include "tst_fbctltarget.moc"
