#include "ReportData.h"

#include "session/StudyLoader.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

#include <cmath>

namespace fb::report {

namespace {
const QRegularExpression &descriptionLine()
{
    // The recipe is YAML; its description sits under metadata. A full YAML
    // parse needs fbcore_recipe's loader, which would validate the whole
    // recipe again: the report only quotes the line.
    static const QRegularExpression re(QStringLiteral(R"(^\s+description:\s*(.+?)\s*$)"), QRegularExpression::MultilineOption);
    return re;
}

bool isFailedJob(const session::JobRecord &j)
{
    if (j.cancelRequested)
        return false; // FactoryBench cancelled it on purpose (teardown)
    static const QSet<QString> fine{QStringLiteral("COMPLETED"), QStringLiteral("RUNNING"), QStringLiteral("PENDING"),
                                    QStringLiteral("COMPLETING")};
    return !fine.contains(stateText(j.state).section(QLatin1Char(' '), 0, 0)) || (j.exitCode > 0);
}
} // namespace

QString ReportData::description() const
{
    const auto m = descriptionLine().match(run.recipeText);
    if (!m.hasMatch())
        return {};
    QString d = m.captured(1);
    if (d.size() >= 2 && (d.startsWith(QLatin1Char('"')) || d.startsWith(QLatin1Char('\''))) && d.endsWith(d.front()))
        d = d.mid(1, d.size() - 2);
    return d;
}

QString ReportData::fbloadVersion() const
{
    const QJsonValue f = run.manifest.value(QStringLiteral("fbload"));
    if (f.isObject() && !f.toObject().value(QStringLiteral("version")).toString().isEmpty())
        return f.toObject().value(QStringLiteral("version")).toString();
    if (f.isString() && !f.toString().isEmpty())
        return f.toString();
    for (const auto &t : study.trials())
        if (t.result && !t.result->run.value(QStringLiteral("version")).toString().isEmpty())
            return t.result->run.value(QStringLiteral("version")).toString();
    return {};
}

QString ReportData::appVersion() const
{
    const QJsonObject app = run.manifest.value(QStringLiteral("app")).toObject();
    const QString v = app.value(QStringLiteral("version")).toString();
    const QString c = app.value(QStringLiteral("commit")).toString();
    return c.isEmpty() ? v : QStringLiteral("%1 (%2)").arg(v, c.left(12));
}

QStringList ReportData::nodes() const
{
    QStringList out;
    for (const auto &j : jobs)
        for (const QString &n : j.nodes.split(QLatin1Char(','), Qt::SkipEmptyParts))
            if (!out.contains(n.trimmed()))
                out << n.trimmed();
    return out;
}

QList<SloVerdict> ReportData::sloVerdicts() const
{
    QList<SloVerdict> out;
    for (const auto &t : study.trials()) {
        if (!t.result)
            continue;
        const QJsonObject slo = t.result->run.value(QStringLiteral("config")).toObject().value(QStringLiteral("slo")).toObject();
        SloVerdict v;
        v.trialId = t.id;
        for (auto it = slo.begin(); it != slo.end(); ++it) {
            if (!it.value().isDouble() || !it.key().endsWith(QLatin1String("_ms")))
                continue;
            SloCheck c;
            c.metric = it.key().chopped(3);
            c.targetMs = it.value().toDouble();
            // fbload's summaries are in ms (the document's unit; Study keeps it).
            c.p99Ms = t.value(c.metric + QStringLiteral(".p99"));
            // Workloads without an "e2el" metric (redis, http, databases) time
            // each request end to end as "latency".
            if (!std::isfinite(c.p99Ms) && c.metric == QLatin1String("e2el"))
                c.p99Ms = t.value(QStringLiteral("latency.p99"));
            c.met = std::isfinite(c.p99Ms) && c.p99Ms <= c.targetMs;
            v.checks << c;
        }
        if (v.checks.isEmpty())
            continue;
        const double good = t.result->scalars.value(QStringLiteral("requests.good"), std::nan(""));
        const double done = t.result->scalars.value(QStringLiteral("requests.completed"), std::nan(""));
        v.goodShare = done > 0 ? good / done : std::nan("");
        out << v;
    }
    return out;
}

QStringList ReportData::warnings() const
{
    QStringList w;
    if (stateText(run.state) != QLatin1String("completed"))
        w << QStringLiteral("The run ended %1%2.").arg(stateText(run.state), run.error.isEmpty() ? QString() : QStringLiteral(": ") + run.error);
    for (const auto &t : trials) {
        if (stateText(t.state) != QLatin1String("completed"))
            w << QStringLiteral("Trial %1 is %2%3.").arg(t.trialId, stateText(t.state), t.error.isEmpty() ? QString() : QStringLiteral(": ") + t.error);
        if (const auto *st = study.trial(t.trialId)) {
            if (!st->error.isEmpty())
                w << QStringLiteral("Trial %1: results unreadable: %2").arg(t.trialId, st->error);
            else if (st->result && st->result->run.value(QStringLiteral("interrupted")).toBool())
                w << QStringLiteral("Trial %1: fbload was interrupted; its figures cover part of the planned duration.").arg(t.trialId);
            else if (!st->result && stateText(t.state) == QLatin1String("completed"))
                w << QStringLiteral("Trial %1 completed without a result file.").arg(t.trialId);
            if (st->result)
                if (const QString why = st->result->generatorLimitedReason(); !why.isEmpty())
                    w << QStringLiteral("Trial %1: GENERATOR LIMITED: the load generator could not keep up (%2); "
                                        "its figures describe the client as much as the server.")
                             .arg(t.trialId, why);
        }
    }
    for (const auto &j : jobs)
        if (isFailedJob(j))
            w << QStringLiteral("Job %1 (%2, trial %3) ended %4 with exit code %5%6.")
                     .arg(j.jobId, j.component, j.trialId, stateText(j.state))
                     .arg(j.exitCode)
                     .arg(j.reason.isEmpty() || j.reason == QLatin1String("None") ? QString() : QStringLiteral(" (") + j.reason + QLatin1Char(')'));
    return w;
}

std::optional<ReportData> loadReportData(const QString &storePath, const QString &runId, QString *error)
{
    session::RunStore store;
    if (!store.open(storePath, error))
        return std::nullopt;
    const auto run = store.run(runId);
    if (!run) {
        if (error)
            *error = QStringLiteral("no run %1 in %2").arg(runId, storePath);
        return std::nullopt;
    }
    auto study = session::loadStudy(store, runId, error);
    if (!study)
        return std::nullopt;
    ReportData d;
    d.run = *run;
    d.trials = store.trials(runId);
    d.jobs = store.jobs(runId);
    d.study = *study;
    return d;
}

} // namespace fb::report
