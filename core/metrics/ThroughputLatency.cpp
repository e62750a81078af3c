#include "metrics/ThroughputLatency.h"

#include <QSet>

#include <algorithm>
#include <cmath>

namespace fb::metrics {

using fb::units::Unit;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool anyHas(const QList<TrialResult> &trials, const QString &key)
{
    return std::any_of(trials.cbegin(), trials.cend(),
                       [&](const TrialResult &t) { return t.document.throughput.contains(key); });
}

double concurrencyOf(const ResultDocument &d)
{
    const QJsonValue c = d.run.value(QLatin1String("config")).toObject().value(QLatin1String("load")).toObject().value(
        QLatin1String("concurrency"));
    return c.isDouble() && c.toDouble() > 0 ? c.toDouble() : kNaN;
}

// "p50" -> 50, "p999" -> 99.9, "p9999" -> 99.99 (two integer digits, then
// decimals, as fbload names them); NaN for other stats.
double percentileOfStat(const QString &stat)
{
    if (stat.size() < 3 || !stat.startsWith(QLatin1Char('p')))
        return kNaN;
    const QString digits = stat.mid(1);
    bool ok = false;
    digits.toULongLong(&ok);
    if (!ok)
        return kNaN;
    return (digits.left(2) + QLatin1Char('.') + digits.mid(2) + QLatin1Char('0')).toDouble();
}

// Points with the same label (repetitions) become one point holding the mean
// of their values; first-seen order.
QList<CurvePoint> averageRepetitions(const QList<CurvePoint> &points)
{
    QList<CurvePoint> out;
    for (const CurvePoint &p : points) {
        auto it = std::find_if(out.begin(), out.end(), [&](const CurvePoint &q) { return q.label == p.label; });
        if (it == out.end()) {
            out.append(p);
            continue;
        }
        ++it->repetitions; // sums for now, divided below
        it->throughput += p.throughput;
        for (qsizetype i = 0; i < it->latency.size(); ++i) {
            it->latency[i] += p.latency.value(i, kNaN);
            it->latencyAsWritten[i] += p.latencyAsWritten.value(i, kNaN);
        }
    }
    for (CurvePoint &p : out) {
        if (p.repetitions == 1)
            continue; // as written, no rounding
        p.throughput /= p.repetitions;
        for (double &v : p.latency)
            v /= p.repetitions;
        for (double &v : p.latencyAsWritten)
            v /= p.repetitions;
    }
    return out;
}

QList<ParetoPoint> averageRepetitions(const QList<ParetoPoint> &points)
{
    QList<ParetoPoint> out;
    for (const ParetoPoint &p : points) {
        auto it = std::find_if(out.begin(), out.end(), [&](const ParetoPoint &q) { return q.label == p.label; });
        if (it == out.end()) {
            out.append(p);
            continue;
        }
        ++it->repetitions;
        it->perUser += p.perUser;
        it->total += p.total;
    }
    for (ParetoPoint &p : out) {
        if (p.repetitions == 1)
            continue;
        p.perUser /= p.repetitions;
        p.total /= p.repetitions;
    }
    return out;
}
} // namespace

QString defaultLoadParameter(const Study &study)
{
    static const char *const loadNames[] = {"concurrency", "rate", "qps", "users", "clients", "connections"};
    for (const StudyParameter &p : study.parameters())
        for (const char *n : loadNames)
            if (p.numeric && p.name.contains(QLatin1String(n), Qt::CaseInsensitive))
                return p.path;
    for (const StudyParameter &p : study.parameters())
        if (p.numeric)
            return p.path;
    return {};
}

QList<TrialResult> trialResults(const Study &study, const QString &loadParameter)
{
    const StudyParameter *load = study.parameter(loadParameter.isEmpty() ? defaultLoadParameter(study) : loadParameter);
    QList<TrialResult> out;
    for (const StudyTrial &t : study.trials()) {
        if (!t.result)
            continue;
        TrialResult r;
        r.label = study.trialLabel(t);
        r.document = *t.result;
        QStringList group;
        for (const StudyParameter &p : study.parameters()) {
            if (load && p.path == load->path) {
                bool ok = false;
                const double v = t.parameter(p.path).toDouble(&ok);
                r.load = ok ? v : kNaN;
            } else {
                group.append(p.name + QLatin1Char('=') + t.parameter(p.path));
            }
        }
        r.group = group.join(QStringLiteral(", "));
        out.append(r);
    }
    return out;
}

QList<ThroughputMeasure> throughputMeasures(const QList<TrialResult> &trials)
{
    const QString workload = trials.isEmpty() ? QString() : trials.first().document.workload();
    QList<ThroughputMeasure> wanted;
    const ThroughputMeasure requests{QStringLiteral("requests_per_s"), QStringLiteral("throughput"), Unit::PerSecond};
    const ThroughputMeasure goodput{QStringLiteral("goodput_requests_per_s"), QStringLiteral("goodput"), Unit::PerSecond};
    if (workload == QLatin1String("llm") || hasTokenThroughput(trials)) {
        wanted = {{QStringLiteral("output_tokens_per_s"), QStringLiteral("output tokens"), Unit::TokensPerSecond},
                  {QStringLiteral("total_tokens_per_s"), QStringLiteral("total tokens"), Unit::TokensPerSecond},
                  requests, goodput};
    } else if (workload == QLatin1String("file") || anyHas(trials, QStringLiteral("bytes_per_s"))) {
        // Storage: each request is one I/O operation.
        wanted = {{QStringLiteral("requests_per_s"), QStringLiteral("I/O operations"), Unit::OpsPerSecond},
                  {QStringLiteral("bytes_per_s"), QStringLiteral("bandwidth"), Unit::BytesPerSecond}};
    } else {
        wanted = {requests, goodput};
    }
    QList<ThroughputMeasure> out;
    for (const ThroughputMeasure &m : std::as_const(wanted))
        if (anyHas(trials, m.key))
            out.append(m);
    return out;
}

QStringList latencyMetrics(const QList<TrialResult> &trials)
{
    QSet<QString> seen;
    for (const TrialResult &t : trials)
        for (auto it = t.document.metrics.cbegin(); it != t.document.metrics.cend(); ++it)
            if (fb::units::unitOfMetric(it.key(), it->unit).unit == Unit::Seconds)
                seen.insert(it.key());
    QStringList out;
    for (const char *k : {"latency", "ttft", "tpot", "itl", "e2el", "service_time"})
        if (seen.remove(QLatin1String(k)))
            out.append(QLatin1String(k));
    QStringList rest(seen.cbegin(), seen.cend());
    rest.sort();
    return out + rest;
}

QList<Curve> throughputLatencyCurves(const QList<TrialResult> &trials, CurveSpec *spec)
{
    if (spec->throughput.key.isEmpty()) {
        const QList<ThroughputMeasure> ms = throughputMeasures(trials);
        spec->throughput = ms.isEmpty() ? ThroughputMeasure{QStringLiteral("requests_per_s"), QStringLiteral("throughput"),
                                                            Unit::PerSecond}
                                        : ms.first();
    }
    const bool byLoad = spec->order == CurveSpec::Order::ByLoad
        || (spec->order == CurveSpec::Order::Auto && !trials.isEmpty()
            && std::all_of(trials.cbegin(), trials.cend(), [](const TrialResult &t) { return std::isfinite(t.load); }));
    QList<Curve> curves;
    for (const TrialResult &t : trials) {
        auto c = std::find_if(curves.begin(), curves.end(), [&](const Curve &x) { return x.group == t.group; });
        if (c == curves.end()) {
            curves.append(Curve{t.group, {}});
            c = curves.end() - 1;
        }
        CurvePoint p;
        p.label = t.label;
        p.load = t.load;
        p.throughput = t.document.throughput.value(spec->throughput.key, kNaN);
        const auto m = t.document.metrics.constFind(spec->latencyMetric);
        for (const QString &stat : std::as_const(spec->stats)) {
            if (m == t.document.metrics.cend()) {
                p.latency.append(kNaN);
                p.latencyAsWritten.append(kNaN);
                continue;
            }
            const auto u = fb::units::unitOfMetric(spec->latencyMetric + QLatin1Char('.') + stat, m->unit);
            double v = m->value(stat);
            // Percentiles the summary lacks (p9999, p75) from the exact
            // histogram (µs), in the summary's unit.
            const double pct = percentileOfStat(stat);
            const auto h = t.document.histograms.constFind(spec->latencyMetric);
            if (std::isnan(v) && !std::isnan(pct) && h != t.document.histograms.cend() && h->count() && u.toBase > 0)
                v = h->percentile(pct) * 1e-6 / u.toBase;
            p.latency.append(v * u.toBase);
            p.latencyAsWritten.append(v);
        }
        c->points.append(p);
    }
    for (Curve &c : curves) {
        c.points = averageRepetitions(c.points);
        std::stable_sort(c.points.begin(), c.points.end(), [&](const CurvePoint &a, const CurvePoint &b) {
            return byLoad ? a.load < b.load : a.throughput < b.throughput;
        });
    }
    return curves;
}

bool hasTokenThroughput(const QList<TrialResult> &trials)
{
    return std::any_of(trials.cbegin(), trials.cend(), [](const TrialResult &t) {
        return t.document.throughput.value(QStringLiteral("output_tokens_per_s")) > 0;
    });
}

QList<ParetoPoint> tokenPareto(const QList<TrialResult> &trials)
{
    QList<ParetoPoint> out;
    for (const TrialResult &t : trials) {
        const double total = t.document.throughput.value(QStringLiteral("output_tokens_per_s"));
        if (!(total > 0))
            continue;
        double perUser = kNaN;
        const auto tpot = t.document.metrics.constFind(QStringLiteral("tpot"));
        if (tpot != t.document.metrics.cend() && tpot->mean > 0)
            perUser = 1.0 / (tpot->mean * fb::units::unitOfMetric(QStringLiteral("tpot"), tpot->unit).toBase);
        else
            perUser = total / concurrencyOf(t.document);
        if (!std::isfinite(perUser))
            continue;
        out.append({t.label, perUser, total, 1, false});
    }
    out = averageRepetitions(out);
    for (ParetoPoint &p : out)
        p.frontier = std::none_of(out.cbegin(), out.cend(), [&](const ParetoPoint &q) {
            return q.perUser >= p.perUser && q.total >= p.total && (q.perUser > p.perUser || q.total > p.total);
        });
    std::stable_sort(out.begin(), out.end(), [](const ParetoPoint &a, const ParetoPoint &b) { return a.total < b.total; });
    return out;
}

} // namespace fb::metrics
