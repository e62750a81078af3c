// A run in a run store for the figure-export, report and Export-dialog tests
// and the report benchmark: a concurrency × pipeline sweep with repetitions,
// each trial's result a real fbload result (tests/metrics/data/results, with
// its exact histograms and per-second rows) whose throughput and p99 are set
// to values known here, an SLO on e2el, one failed trial with a failed job.
#pragma once

#include "session/RunStore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <type_traits>

namespace fb::testing {

// The store's records carry typed states (session/States.h) or, before that
// change, names: set either from a name. The calls are dependent (on N) so
// only the branch for the record's real type is compiled.
using namespace fb::session;
template <typename S, typename N> void setRunState(S &field, const N &name)
{
    if constexpr (std::is_convertible_v<N, S>) field = name; else field = runStateFromName(name);
}
template <typename S, typename N> void setTrialState(S &field, const N &name)
{
    if constexpr (std::is_convertible_v<N, S>) field = name; else field = trialStateFromName(name);
}
template <typename S, typename N> void setJobState(S &field, const N &name)
{
    if constexpr (std::is_convertible_v<N, S>) field = name; else field = jobStateFromName(name);
}

struct ReportTestRun
{
    QString runId = QStringLiteral("20261203-041500-report-demo-abcd");
    QList<int> concurrency{1, 4};
    QList<int> pipeline{1, 4, 16};
    int repetitions = 2;
    bool withFailure = true; // the last trial failed (its job FAILED, no result)

    static double throughputOf(int c, int p, int r) { return 1000.0 * c * p + 37.25 * r + 0.125; }
    static double p99Of(int c, int p, int r) { return 0.5 * c + 0.1 * p + 0.03 * r; } // ms
    static constexpr double kSloE2elMs = 2.0;

    QString trialId(int combination, int r) const
    {
        return QStringLiteral("t%1-r%2").arg(combination, 3, 10, QLatin1Char('0')).arg(r);
    }
    int trialCount() const { return int(concurrency.size() * pipeline.size()) * repetitions; }

    // Writes the store at `storePath`, result files under `dir`; false with *error.
    bool write(const QString &storePath, const QString &dir, QString *error) const
    {
        session::RunStore store;
        if (!store.open(storePath, error))
            return false;
        session::RunRecord run;
        run.id = runId;
        run.name = QStringLiteral("report-demo");
        run.recipeText = QStringLiteral("version: 1\nmetadata:\n  name: report-demo\n"
                                        "  description: How do redis throughput and p99 latency change with concurrency and pipelining?\n"
                                        "clients:\n  - name: kv\n    workload: redis\n    load: {concurrency: [1, 4]}\n"
                                        "    params: {pipeline: [1, 4, 16]}\n    slo: {e2el: 2ms}\nsweep: {repetitions: 2}\n");
        run.state = session::RunState::Completed;
        run.profile = QStringLiteral("minicluster");
        run.remoteDir = QStringLiteral("/scratch/fb/runs/") + runId;
        run.createdAt = QDateTime(QDate(2026, 12, 3), QTime(4, 15), Qt::UTC);
        run.finishedAt = run.createdAt.addSecs(600);
        run.manifest = QJsonObject{{QStringLiteral("app"), QJsonObject{{QStringLiteral("version"), QStringLiteral("0.1.0")},
                                                                        {QStringLiteral("commit"), QStringLiteral("abcdef0123456789")}}},
                                   {QStringLiteral("fbload"), QJsonObject{{QStringLiteral("version"), QStringLiteral("0.1.0")}}},
                                   {QStringLiteral("cluster"), QStringLiteral("fb@127.0.0.1:2222")}};
        if (!store.saveRun(run, error))
            return false;
        const QStringList sources{QStringLiteral("r1.json"), QStringLiteral("r2.json"), QStringLiteral("r3-c16.json")};
        int combination = 0, n = 0;
        for (int c : concurrency)
            for (int p : pipeline) {
                ++combination;
                for (int r = 1; r <= repetitions; ++r, ++n) {
                    session::TrialRecord t;
                    t.runId = runId;
                    t.trialId = trialId(combination, r);
                    t.index = combination * 1000 + r;
                    t.params.insert(QStringLiteral("clients[0].load.concurrency"), QString::number(c));
                    t.params.insert(QStringLiteral("clients[0].params.pipeline"), QString::number(p));
                    const bool failed = withFailure && n == trialCount() - 1;
                    t.state = failed ? session::TrialState::Failed : session::TrialState::Completed;
                    if (failed)
                        t.error = QStringLiteral("client:kv exited with code 1");
                    if (!store.saveTrial(t, error))
                        return false;
                    session::JobRecord j;
                    j.runId = runId;
                    j.trialId = t.trialId;
                    j.jobId = QString::number(100 + n);
                    j.component = QStringLiteral("client:kv");
                    j.state = failed ? session::JobState::Failed : session::JobState::Completed;
                    j.exitCode = failed ? 1 : 0;
                    j.nodes = n % 2 ? QStringLiteral("node2") : QStringLiteral("node1");
                    if (!store.saveJob(j, error))
                        return false;
                    if (failed)
                        continue;
                    QFile src(QStringLiteral(FB_SOURCE_DIR "/tests/metrics/data/results/") + sources[n % 3]);
                    if (!src.open(QIODevice::ReadOnly))
                        return *error = src.fileName() + QStringLiteral(": ") + src.errorString(), false;
                    QJsonObject doc = QJsonDocument::fromJson(src.readAll()).object();
                    QJsonObject summary = doc[QStringLiteral("summary")].toObject();
                    QJsonObject tput = summary[QStringLiteral("throughput")].toObject();
                    tput[QStringLiteral("requests_per_s")] = throughputOf(c, p, r);
                    tput[QStringLiteral("goodput_requests_per_s")] = throughputOf(c, p, r);
                    summary[QStringLiteral("throughput")] = tput;
                    QJsonObject metrics = summary[QStringLiteral("metrics")].toObject();
                    QJsonObject lat = metrics[QStringLiteral("latency")].toObject();
                    lat[QStringLiteral("p99")] = p99Of(c, p, r);
                    metrics[QStringLiteral("latency")] = lat;
                    summary[QStringLiteral("metrics")] = metrics;
                    doc[QStringLiteral("summary")] = summary;
                    QJsonObject runMeta = doc[QStringLiteral("run")].toObject();
                    QJsonObject config = runMeta[QStringLiteral("config")].toObject();
                    QJsonObject slo = config[QStringLiteral("slo")].toObject();
                    slo[QStringLiteral("e2el_ms")] = kSloE2elMs;
                    config[QStringLiteral("slo")] = slo;
                    runMeta[QStringLiteral("config")] = config;
                    doc[QStringLiteral("run")] = runMeta;
                    const QString path = dir + QLatin1Char('/') + t.trialId + QStringLiteral("/results/result-kv.json");
                    QDir().mkpath(QFileInfo(path).absolutePath());
                    QFile f(path);
                    if (!f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(doc).toJson(QJsonDocument::Compact)) < 0)
                        return *error = path + QStringLiteral(": ") + f.errorString(), false;
                    f.close();
                    session::ResultFileRecord rf{runId, t.trialId, QStringLiteral("/remote/") + t.trialId, path,
                                                 QStringLiteral("00"), f.size(), QDateTime::currentDateTimeUtc()};
                    if (!store.saveResultFile(rf, error))
                        return false;
                }
            }
        return true;
    }
};

} // namespace fb::testing
