// bench_servicereuse: what sharing a service across a sweep saves. The same
// 6-trial Redis sweep (clients[0].load.concurrency 1, 2, 4, 8, 16, 32; 2 s
// each) runs on the mini-cluster with sweep.reuse_services: true (one
// service job for the 6 trials) and false (one per trial, as before issue
// 19), in interleaved rounds (reuse, own, reuse, own, …) so both see the
// same machine; prints each run's wall time, the medians, the ratio and
// the service jobs each submitted (from fbctl's own record of submissions).
// The redis service here starts in about a second; with a model that loads
// for minutes the saving is that much larger. Goal: reuse ≤ half the time.
#include "../../cluster/ClusterTestSupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstdio>

class BenchServiceReuse : public QObject
{
    Q_OBJECT
    QString m_profileFile;
    QString m_fbctl = QStringLiteral(FB_BINARY_DIR "/core/fbctl/fbctl");
    QTemporaryDir m_tmp;

    QString recipe(bool reuse)
    {
        const QString text = QStringLiteral(R"(version: 1
metadata:
  name: bench-reuse-%1
  seed: 5
cluster:
  resources:
    partition: cpu
    time: 10m
    memory: 256M
services:
  - name: redis
    template: redis
    container: none
    command: [redis-server, "{service_dir}/redis.conf"]
    ports:
      redis: 16394
    resources:
      cpus_per_task: 1
      memory: 256M
    health:
      timeout: 30s
clients:
  - name: kv
    service: redis
    workload: redis
    load:
      model: closed
      concurrency: [1, 2, 4, 8, 16, 32]
    duration: 2s
    params:
      operations: {get: 0.8, set: 0.2}
      value_size: 64
      keyspace: 1000
sweep:
  reuse_services: %2
)").arg(reuse ? QStringLiteral("on") : QStringLiteral("off"), reuse ? QStringLiteral("true") : QStringLiteral("false"));
        const QString path = m_tmp.filePath(reuse ? QStringLiteral("reuse.yaml") : QStringLiteral("own.yaml"));
        QFile f(path);
        if (f.open(QIODevice::WriteOnly))
            f.write(text.toUtf8());
        return path;
    }

    static double median(QList<double> v)
    {
        std::sort(v.begin(), v.end());
        return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    }

private slots:
    void reuseVersusOwnServices()
    {
        const QString dir = qEnvironmentVariable("FB_CLUSTER_DIR");
        QVERIFY2(!dir.isEmpty(), "FB_CLUSTER_DIR is not set: run through ctest (minicluster fixture)");
        m_profileFile = dir + QStringLiteral("/profile.json");
        const int rounds = qEnvironmentVariableIntValue("FB_BENCH_ROUNDS") > 0 ? qEnvironmentVariableIntValue("FB_BENCH_ROUNDS") : 3;
        // fbload is deployed (built on the cluster) once, by a warm-up run
        // that is not measured; the measured runs use that binary (--fbload).
        const fbtest::ProcessRun warm = fbtest::runProgram(m_fbctl, {QStringLiteral("run"), recipe(true), QStringLiteral("--profile-file"), m_profileFile}, 900000);
        QVERIFY2(warm.exitCode == 0, warm.all().constData());
        QFile manifest(qEnvironmentVariable("FB_STATE_DIR") + QStringLiteral("/runs/") + fbtest::runIdOf(warm.out) + QStringLiteral("/manifest.json"));
        QVERIFY2(manifest.open(QIODevice::ReadOnly), qPrintable(manifest.fileName()));
        const QString fbload = QJsonDocument::fromJson(manifest.readAll()).object().value(QStringLiteral("fbload")).toObject().value(QStringLiteral("path")).toString();
        QVERIFY(!fbload.isEmpty());
        QList<double> times[2];
        int services[2] = {0, 0};
        for (int round = 0; round < rounds; ++round)
            for (const bool reuse : {true, false}) {
                QElapsedTimer clock;
                clock.start();
                const fbtest::ProcessRun r = fbtest::runProgram(m_fbctl, {QStringLiteral("run"), recipe(reuse), QStringLiteral("--profile-file"), m_profileFile,
                                                                        QStringLiteral("--fbload"), fbload}, 900000);
                const double seconds = clock.elapsed() / 1000.0;
                QVERIFY2(r.exitCode == 0 && r.out.contains(QStringLiteral("6 completed, 0 failed")), r.all().constData());
                services[reuse ? 0 : 1] = int(r.out.count(QStringLiteral("service:redis submitted as job")));
                times[reuse ? 0 : 1] << seconds;
                std::printf("round %d  %-22s %6.1f s  (%d service job(s))\n", round + 1,
                            reuse ? "reuse_services: true" : "reuse_services: false", seconds, services[reuse ? 0 : 1]);
                std::fflush(stdout);
            }
        const double withReuse = median(times[0]), without = median(times[1]);
        std::printf("6-trial redis sweep, median of %d interleaved rounds:\n"
                    "  reuse_services: true   %6.1f s, %d service job(s)\n"
                    "  reuse_services: false  %6.1f s, %d service job(s)\n"
                    "  ratio reuse/own        %6.2f  (goal: <= 0.50)\n",
                    rounds, withReuse, services[0], without, services[1], withReuse / without);
        QCOMPARE(services[0], 1);
        QCOMPARE(services[1], 6);
        QVERIFY2(withReuse / without <= 0.5, "reuse took more than half the time of one service per trial");
    }
};

QTEST_GUILESS_MAIN(BenchServiceReuse)
#include "bench_servicereuse.moc"
