#include "metrics/Study.h"

#include "metrics/Statistics.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <limits>

namespace fb::metrics {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Statistics of a summary block in reading order: percentiles first.
const char *const kStatOrder[] = {"p50", "p90", "p95", "p99", "p999", "mean", "min", "max", "stdev", "count"};

int statRank(const QString &stat)
{
    for (int i = 0; i < int(std::size(kStatOrder)); ++i)
        if (stat == QLatin1String(kStatOrder[i]))
            return i;
    return int(std::size(kStatOrder));
}

bool parseNumber(const QString &s, double *out)
{
    bool ok = false;
    const double v = s.trimmed().toDouble(&ok);
    if (ok && std::isfinite(v)) {
        *out = v;
        return true;
    }
    return false;
}

QString csvField(const QString &s)
{
    if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"')) && !s.contains(QLatin1Char('\n'))
        && !s.contains(QLatin1Char('\r')))
        return s;
    QString q = s;
    q.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + q + QLatin1Char('"');
}

// The exact value as a result file holds it: the shortest form that reads
// back to the same double (not a display format: CSV is data).
QString csvNumber(double v)
{
    return std::isfinite(v) ? QString::number(v, 'g', QLocale::FloatingPointShortest) : QString();
}

// The metric summary `key` ("latency.get.p99") belongs to, and its statistic.
bool splitSummaryKey(const ResultDocument &doc, const QString &key, QString *metric, QString *stat)
{
    const qsizetype dot = key.lastIndexOf(QLatin1Char('.'));
    if (dot <= 0)
        return false;
    const QString m = key.left(dot);
    if (!doc.metrics.contains(m))
        return false;
    *metric = m;
    *stat = key.mid(dot + 1);
    return true;
}

StudyMetric describe(const QString &key, const ResultDocument &doc)
{
    StudyMetric m;
    m.key = key;
    QString summary, stat;
    if (key == QLatin1String(Study::kErrorRate)) {
        m.derived = true;
        m.unit = units::unitOfMetric(key);
    } else if (splitSummaryKey(doc, key, &summary, &stat)) {
        m.unit = stat == QLatin1String("count") ? units::MetricUnit{units::Unit::Count, 1.0}
                                                  : units::unitOfMetric(key, doc.metrics.value(summary).unit);
        if (stat != QLatin1String("count"))
            m.storedUnit = doc.metrics.value(summary).unit;
    } else {
        m.unit = units::unitOfMetric(key);
    }
    if (m.storedUnit.isEmpty() && m.unit.toBase == 1.0 && m.unit.unit != units::Unit::None
        && m.unit.unit != units::Unit::Count && m.unit.unit != units::Unit::Ratio)
        m.storedUnit = units::unitName(m.unit.unit);
    return m;
}

// Sort rank of a metric key: rates, error rate, the main latencies, per-operation
// latencies, error counts, other counts.
int groupRank(const QString &key, const ResultDocument *doc)
{
    if (key.startsWith(QLatin1String("throughput.")))
        return 0;
    if (key == QLatin1String(Study::kErrorRate))
        return 1;
    QString summary, stat;
    if (doc && splitSummaryKey(*doc, key, &summary, &stat))
        return summary.contains(QLatin1Char('.')) ? 3 : 2;
    if (key.startsWith(QLatin1String("errors.")))
        return 4;
    return 5;
}

} // namespace

// ---- StudyTrial

QString StudyTrial::parameter(const QString &path) const
{
    for (const auto &p : parameters)
        if (p.first == path)
            return p.second;
    return {};
}

double StudyTrial::value(const QString &metric) const
{
    if (!result)
        return kNaN;
    if (metric == QLatin1String(Study::kErrorRate)) {
        const double sent = result->scalars.value(QStringLiteral("requests.sent"), kNaN);
        const double errors = result->scalars.value(QStringLiteral("requests.errors"), kNaN);
        return sent > 0 ? errors / sent : kNaN;
    }
    QString summary, stat;
    if (splitSummaryKey(*result, metric, &summary, &stat))
        return result->metrics.value(summary).value(stat);
    if (metric.startsWith(QLatin1String("throughput.")))
        return result->throughput.value(metric.mid(11), kNaN);
    if (metric.startsWith(QLatin1String("errors.")) && result->errors.contains(metric.mid(7)))
        return result->errors.value(metric.mid(7));
    return result->scalars.value(metric, kNaN);
}

// ---- StudyMetric

QString StudyMetric::displayName() const
{
    if (key == QLatin1String(Study::kErrorRate))
        return QStringLiteral("error rate");
    // fbload's rates by what they mean (docs/result-format.md).
    static const QHash<QString, QString> known{
        {QStringLiteral("throughput.requests_per_s"), QStringLiteral("throughput")},
        {QStringLiteral("throughput.goodput_requests_per_s"), QStringLiteral("goodput")},
        {QStringLiteral("throughput.offered_requests_per_s"), QStringLiteral("offered load")},
        {QStringLiteral("throughput.input_tokens_per_s"), QStringLiteral("input token throughput")},
        {QStringLiteral("throughput.output_tokens_per_s"), QStringLiteral("output token throughput")},
        {QStringLiteral("throughput.total_tokens_per_s"), QStringLiteral("token throughput")},
    };
    if (const auto it = known.constFind(key); it != known.cend())
        return *it;
    QString s = key;
    if (s.startsWith(QLatin1String("throughput.")))
        s = QStringLiteral("throughput ") + s.mid(11);
    s.replace(QLatin1String("_per_s"), QLatin1String("/s"));
    s.replace(QLatin1Char('_'), QLatin1Char(' '));
    s.replace(QLatin1Char('.'), QLatin1Char(' '));
    return s;
}

QString StudyMetric::axisTitle(const units::Scale &scale) const
{
    QString name = displayName();
    if (!name.isEmpty())
        name[0] = name[0].toUpper();
    return units::axisTitle(name, scale);
}

// ---- StudyPoint

double StudyPoint::low() const { return std::isfinite(halfWidth) ? mean - halfWidth : mean; }
double StudyPoint::high() const { return std::isfinite(halfWidth) ? mean + halfWidth : mean; }

StudyPoint Study::summarize(const QList<double> &samples)
{
    StudyPoint p;
    p.samples = samples;
    p.n = int(samples.size());
    const stats::ConfidenceInterval ci = stats::meanInterval(samples, kConfidence);
    p.mean = p.n > 0 ? ci.mean : kNaN;
    p.stdev = p.n > 1 ? ci.stdev : kNaN;
    p.halfWidth = p.n > 1 ? ci.halfWidth : kNaN;
    return p;
}

// ---- Study

Study::Study(const QString &runId, const QString &name, QList<StudyTrial> trials)
    : m_runId(runId), m_name(name), m_trials(std::move(trials))
{
    std::stable_sort(m_trials.begin(), m_trials.end(), [](const StudyTrial &a, const StudyTrial &b) { return a.index < b.index; });

    // Parameters in the order the trials name them (axis order), distinct values.
    for (const StudyTrial &t : std::as_const(m_trials))
        for (const auto &[path, value] : t.parameters) {
            auto it = std::find_if(m_parameters.begin(), m_parameters.end(), [&](const StudyParameter &p) { return p.path == path; });
            if (it == m_parameters.end()) {
                m_parameters.append({path, path, {}, false});
                it = m_parameters.end() - 1;
            }
            if (!it->values.contains(value))
                it->values.append(value);
        }
    for (StudyParameter &p : m_parameters) {
        p.numeric = !p.values.isEmpty() && std::all_of(p.values.begin(), p.values.end(), [](const QString &v) {
            double d;
            return parseNumber(v, &d);
        });
        if (p.numeric)
            std::stable_sort(p.values.begin(), p.values.end(), [](const QString &a, const QString &b) { return a.toDouble() < b.toDouble(); });
        // Short name: the fewest trailing path components unique among the parameters.
        const QStringList parts = p.path.split(QLatin1Char('.'));
        for (qsizetype k = 1; k <= parts.size(); ++k) {
            const QString candidate = parts.mid(parts.size() - k).join(QLatin1Char('.'));
            const bool unique = std::none_of(m_parameters.begin(), m_parameters.end(), [&](const StudyParameter &o) {
                return o.path != p.path && (o.path == candidate || o.path.endsWith(QLatin1Char('.') + candidate));
            });
            if (unique || k == parts.size()) {
                p.name = candidate;
                break;
            }
        }
    }

    // Metrics: every key some result holds, described from the first result that has it.
    QHash<QString, const ResultDocument *> owner;
    bool anyRequests = false;
    for (const StudyTrial &t : std::as_const(m_trials)) {
        if (!t.result)
            continue;
        const QMap<QString, double> flat = t.result->flatValues();
        for (auto it = flat.cbegin(); it != flat.cend(); ++it)
            if (!owner.contains(it.key()))
                owner.insert(it.key(), &*t.result);
        anyRequests = anyRequests || t.result->scalars.contains(QStringLiteral("requests.sent"));
    }
    for (auto it = owner.cbegin(); it != owner.cend(); ++it)
        m_metrics.append(describe(it.key(), *it.value()));
    if (anyRequests)
        m_metrics.append(describe(QLatin1String(kErrorRate), ResultDocument()));
    std::sort(m_metrics.begin(), m_metrics.end(), [&](const StudyMetric &a, const StudyMetric &b) {
        const int ga = groupRank(a.key, owner.value(a.key)), gb = groupRank(b.key, owner.value(b.key));
        if (ga != gb)
            return ga < gb;
        QString sa, sta, sb, stb;
        const bool summaryA = owner.value(a.key) && splitSummaryKey(*owner.value(a.key), a.key, &sa, &sta);
        const bool summaryB = owner.value(b.key) && splitSummaryKey(*owner.value(b.key), b.key, &sb, &stb);
        if (summaryA && summaryB) {
            // The overall latency before service time and the LLM metrics' order.
            if (sa != sb)
                return sa == QLatin1String("latency") || (sb != QLatin1String("latency") && sa < sb);
            return statRank(sta) < statRank(stb);
        }
        return a.key < b.key;
    });
}

QString Study::workload() const
{
    for (const StudyTrial &t : m_trials)
        if (t.result)
            return t.result->workload();
    return {};
}

const StudyTrial *Study::trial(const QString &id) const
{
    for (const StudyTrial &t : m_trials)
        if (t.id == id)
            return &t;
    return nullptr;
}

int Study::resultCount() const
{
    return int(std::count_if(m_trials.begin(), m_trials.end(), [](const StudyTrial &t) { return t.result.has_value(); }));
}

const StudyParameter *Study::parameter(const QString &pathOrName) const
{
    for (const StudyParameter &p : m_parameters)
        if (p.path == pathOrName)
            return &p;
    for (const StudyParameter &p : m_parameters)
        if (p.name == pathOrName)
            return &p;
    return nullptr;
}

const StudyMetric *Study::metric(const QString &key) const
{
    for (const StudyMetric &m : m_metrics)
        if (m.key == key)
            return &m;
    return nullptr;
}

QStringList Study::mainMetrics() const
{
    auto anyNonZero = [&](const QString &key) {
        return metric(key) && std::any_of(m_trials.begin(), m_trials.end(), [&](const StudyTrial &t) {
                   const double v = t.value(key);
                   return std::isfinite(v) && v != 0;
               });
    };
    QStringList out;
    if (metric(QStringLiteral("throughput.requests_per_s")))
        out << QStringLiteral("throughput.requests_per_s");
    // Goodput only where it tells something (SLOs or errors make it differ).
    const bool goodputDiffers = std::any_of(m_trials.begin(), m_trials.end(), [](const StudyTrial &t) {
        return t.value(QStringLiteral("throughput.goodput_requests_per_s")) != t.value(QStringLiteral("throughput.requests_per_s"))
               && std::isfinite(t.value(QStringLiteral("throughput.goodput_requests_per_s")));
    });
    if (goodputDiffers)
        out << QStringLiteral("throughput.goodput_requests_per_s");
    for (const StudyMetric &m : m_metrics)
        if (m.key.startsWith(QLatin1String("throughput.")) && !out.contains(m.key) && !m.key.contains(QLatin1String("offered"))
            && !m.key.contains(QLatin1String("input_tokens")) && !m.key.contains(QLatin1String("goodput")) && anyNonZero(m.key))
            out << m.key;
    for (const char *summary : {"latency", "ttft", "tpot", "itl", "e2el"})
        for (const char *stat : {"p50", "p99"}) {
            const QString key = QLatin1String(summary) + QLatin1Char('.') + QLatin1String(stat);
            if (metric(key))
                out << key;
        }
    if (metric(QLatin1String(kErrorRate)))
        out << QLatin1String(kErrorRate);
    return out;
}

QString Study::trialLabel(const StudyTrial &trial) const
{
    QStringList parts;
    for (const auto &[path, value] : trial.parameters) {
        const StudyParameter *p = parameter(path);
        parts << (p ? p->name : path) + QLatin1Char('=') + value;
    }
    return parts.isEmpty() ? trial.id : parts.join(QStringLiteral(", "));
}

QList<QList<const StudyTrial *>> Study::repetitionGroups() const
{
    QList<QList<const StudyTrial *>> groups;
    QHash<QString, qsizetype> byKey;
    for (const StudyTrial &t : m_trials) {
        QString key;
        for (const StudyParameter &p : m_parameters)
            key += t.parameter(p.path) + QChar(0x1f);
        auto it = byKey.find(key);
        if (it == byKey.end()) {
            it = byKey.insert(key, groups.size());
            groups.append(QList<const StudyTrial *>());
        }
        groups[*it].append(&t);
    }
    return groups;
}

QList<StudySeries> Study::sweep(const QString &metricKey, const QString &xName, const QString &seriesName) const
{
    QList<StudySeries> out;
    const StudyParameter *x = parameter(xName);
    if (!x)
        return out;
    const StudyParameter *primary = seriesName.isEmpty() ? nullptr : parameter(seriesName);
    if (primary == x)
        primary = nullptr;
    // The series parameters: the chosen one first, then every other swept one.
    QList<const StudyParameter *> seriesParams;
    if (primary)
        seriesParams << primary;
    for (const StudyParameter &p : m_parameters)
        if (&p != x && &p != primary)
            seriesParams << &p;

    // Series in the order of their parameters' values.
    auto seriesOrder = [&](const StudyTrial &t) {
        QList<int> order;
        for (const StudyParameter *p : seriesParams)
            order << int(p->values.indexOf(t.parameter(p->path)));
        return order;
    };
    QMap<QList<int>, QMap<int, QList<const StudyTrial *>>> grouped; // series -> x index -> trials
    for (const StudyTrial &t : m_trials) {
        const int xi = int(x->values.indexOf(t.parameter(x->path)));
        if (xi < 0 || !std::isfinite(t.value(metricKey)))
            continue;
        grouped[seriesOrder(t)][xi].append(&t);
    }
    for (auto s = grouped.cbegin(); s != grouped.cend(); ++s) {
        StudySeries series;
        const StudyTrial *first = s.value().first().first();
        QStringList name;
        for (const StudyParameter *p : seriesParams) {
            series.fixed.append({p->path, first->parameter(p->path)});
            name << p->name + QLatin1Char('=') + first->parameter(p->path);
        }
        series.name = name.join(QStringLiteral(", "));
        for (auto pt = s.value().cbegin(); pt != s.value().cend(); ++pt) {
            QList<double> samples;
            QStringList ids;
            for (const StudyTrial *t : pt.value()) {
                samples << t->value(metricKey);
                ids << t->id;
            }
            StudyPoint point = summarize(samples);
            point.trialIds = ids;
            point.xValue = x->values[pt.key()];
            if (!x->numeric || !parseNumber(point.xValue, &point.x))
                point.x = pt.key() + 1;
            series.points << point;
        }
        out << series;
    }
    return out;
}

QString Study::csvHeader(const QString &key) const
{
    const StudyMetric *m = metric(key);
    return m && !m->storedUnit.isEmpty() ? QStringLiteral("%1 (%2)").arg(key, m->storedUnit) : key;
}

QString Study::tableCsv(const QStringList &metricsWanted) const
{
    const QStringList columns = metricsWanted.isEmpty() ? mainMetrics() : metricsWanted;
    QStringList header{QStringLiteral("trial"), QStringLiteral("state")};
    for (const StudyParameter &p : m_parameters)
        header << csvField(p.name);
    for (const QString &m : columns)
        header << csvField(csvHeader(m));
    QString out = header.join(QLatin1Char(',')) + QLatin1Char('\n');
    for (const StudyTrial &t : m_trials) {
        QStringList row{csvField(t.id), csvField(t.state)};
        for (const StudyParameter &p : m_parameters)
            row << csvField(t.parameter(p.path));
        for (const QString &m : columns)
            row << csvNumber(t.value(m));
        out += row.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return out;
}

} // namespace fb::metrics
