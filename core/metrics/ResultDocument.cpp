#include "metrics/ResultDocument.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <functional>

#include <cmath>
#include <limits>

namespace fb::metrics {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const char *const kStats[] = {"count", "mean", "stdev", "min", "max", "p50", "p90", "p95", "p99", "p999"};

bool looksLikeMetricSummary(const QJsonObject &o)
{
    return o.contains(QLatin1String("mean")) || o.contains(QLatin1String("p50")) || o.contains(QLatin1String("p99"));
}

QString timeKey(const QJsonObject &row)
{
    // "time" first: fbload writes both, and the absolute Unix second lets
    // documents from clients on several nodes line up when merged.
    for (const char *k : {"time", "t", "second", "ts", "timestamp"})
        if (row.contains(QLatin1String(k)))
            return QString::fromLatin1(k);
    return {};
}

// How a time-series column combines across merged documents.
enum class Combine { Sum, Mean, Min, Max };
Combine combineFor(const QString &column)
{
    static const QRegularExpression meanLike(QStringLiteral("(^|_)(p\\d+|mean|avg|median|util(isation|ization)?|percent)(_|$)"));
    static const QRegularExpression minLike(QStringLiteral("(^|_)min(_|$)"));
    static const QRegularExpression maxLike(QStringLiteral("(^|_)max(_|$)"));
    if (minLike.match(column).hasMatch())
        return Combine::Min;
    if (maxLike.match(column).hasMatch())
        return Combine::Max;
    if (meanLike.match(column).hasMatch())
        return Combine::Mean;
    return Combine::Sum;
}
} // namespace

double MetricSummary::value(const QString &stat) const
{
    if (stat == QLatin1String("count")) return count;
    if (stat == QLatin1String("mean")) return mean;
    if (stat == QLatin1String("stdev")) return stdev;
    if (stat == QLatin1String("min")) return min;
    if (stat == QLatin1String("max")) return max;
    if (stat == QLatin1String("p50")) return p50;
    if (stat == QLatin1String("p90")) return p90;
    if (stat == QLatin1String("p95")) return p95;
    if (stat == QLatin1String("p99")) return p99;
    if (stat == QLatin1String("p999")) return p999;
    return other.value(stat, kNaN);
}

QList<QPointF> TimeSeriesTable::series(const QString &column) const
{
    QList<QPointF> out;
    const auto it = columns.constFind(column);
    if (it == columns.cend())
        return out;
    out.reserve(t.size());
    for (qsizetype i = 0; i < t.size() && i < it->size(); ++i)
        if (!std::isnan(it->at(i)))
            out.append(QPointF(t[i], it->at(i)));
    return out;
}

std::optional<ResultDocument> ResultDocument::load(const QString &path, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, f.errorString());
        return std::nullopt;
    }
    return fromJson(f.readAll(), path, error);
}

std::optional<ResultDocument> ResultDocument::fromJson(const QByteArray &json, const QString &source, QString *error)
{
    auto fail = [&](const QString &msg) {
        if (error)
            *error = source.isEmpty() ? msg : source + QStringLiteral(": ") + msg;
        return std::nullopt;
    };
    QJsonParseError perr{};
    const QJsonDocument jd = QJsonDocument::fromJson(json, &perr);
    if (perr.error != QJsonParseError::NoError) {
        // Report a line:column, not a byte offset: people open these files in editors.
        const QByteArray head = json.left(perr.offset);
        const int line = int(head.count('\n')) + 1;
        const int column = int(perr.offset - (head.lastIndexOf('\n') + 1)) + 1;
        return fail(QStringLiteral("%1:%2: invalid JSON: %3").arg(line).arg(column).arg(perr.errorString()));
    }
    if (!jd.isObject())
        return fail(QStringLiteral("top level is not a JSON object"));
    const QJsonObject o = jd.object();
    const QString schema = o.value(QLatin1String("schema")).toString();
    if (schema != QLatin1String("factorybench.result"))
        return fail(QStringLiteral("schema: expected \"factorybench.result\", got %1")
                        .arg(schema.isEmpty() ? QStringLiteral("nothing") : QLatin1Char('"') + schema + QLatin1Char('"')));
    const QJsonValue sv = o.value(QLatin1String("schema_version"));
    if (!sv.isDouble())
        return fail(QStringLiteral("schema_version: missing or not a number"));
    const int version = sv.toInt();
    if (version != kSupportedSchemaVersion || sv.toDouble() != double(version))
        return fail(QStringLiteral("schema_version: %1 is not supported (this FactoryBench reads version %2; "
                                   "a newer FactoryBench may read it)")
                        .arg(sv.toDouble())
                        .arg(kSupportedSchemaVersion));

    ResultDocument d;
    d.schemaVersion = version;
    d.sources << source;
    d.run = o.value(QLatin1String("run")).toObject();

    // summary: metric objects, throughput, errors, scalars; unknown kinds ignored.
    const QJsonValue summaryValue = o.value(QLatin1String("summary"));
    if (!summaryValue.isUndefined() && !summaryValue.isObject())
        return fail(QStringLiteral("summary: not an object"));
    QString scalarPrefix; // path of a nested count block, "" at the top
    std::function<std::optional<QString>(const QJsonObject &, const QString &)> readSummary;
    readSummary = [&](const QJsonObject &s, const QString &path) -> std::optional<QString> {
        for (auto it = s.begin(); it != s.end(); ++it) {
            const QString key = it.key();
            const QString field = path + QLatin1Char('.') + key;
            const bool top = scalarPrefix.isEmpty();
            if (top && (key == QLatin1String("throughput") || key == QLatin1String("throughputs")) && it->isObject()) {
                const QJsonObject t = it->toObject();
                for (auto jt = t.begin(); jt != t.end(); ++jt)
                    if (jt->isDouble())
                        d.throughput.insert(jt.key(), jt->toDouble());
            } else if (top && key == QLatin1String("errors") && it->isObject()) {
                const QJsonObject t = it->toObject();
                for (auto jt = t.begin(); jt != t.end(); ++jt) {
                    if (!jt->isDouble())
                        return field + QLatin1Char('.') + jt.key() + QStringLiteral(": error count is not a number");
                    d.errors.insert(jt.key(), jt->toDouble());
                }
            } else if (top && key == QLatin1String("metrics") && it->isObject()) {
                if (auto e = readSummary(it->toObject(), field))
                    return e;
            } else if (it->isObject() && looksLikeMetricSummary(it->toObject())) {
                const QJsonObject m = it->toObject();
                MetricSummary ms;
                ms.unit = m.value(QLatin1String("unit")).toString();
                for (auto jt = m.begin(); jt != m.end(); ++jt) {
                    if (jt.key() == QLatin1String("unit"))
                        continue;
                    if (!jt->isDouble() && !jt->isNull()) {
                        if (std::find_if(std::begin(kStats), std::end(kStats),
                                         [&](const char *st) { return jt.key() == QLatin1String(st); })
                            != std::end(kStats))
                            return field + QLatin1Char('.') + jt.key() + QStringLiteral(": not a number");
                        continue; // unknown non-numeric extras are tolerated
                    }
                    const double v = jt->isNull() ? kNaN : jt->toDouble();
                    const QString k = jt.key();
                    if (k == QLatin1String("count")) ms.count = v;
                    else if (k == QLatin1String("mean")) ms.mean = v;
                    else if (k == QLatin1String("stdev") || k == QLatin1String("std")) ms.stdev = v;
                    else if (k == QLatin1String("min")) ms.min = v;
                    else if (k == QLatin1String("max")) ms.max = v;
                    else if (k == QLatin1String("p50") || k == QLatin1String("median")) ms.p50 = v;
                    else if (k == QLatin1String("p90")) ms.p90 = v;
                    else if (k == QLatin1String("p95")) ms.p95 = v;
                    else if (k == QLatin1String("p99")) ms.p99 = v;
                    else if (k == QLatin1String("p999") || k == QLatin1String("p99.9")) ms.p999 = v;
                    else ms.other.insert(k, v);
                }
                d.metrics.insert(key, ms);
            } else if (it->isDouble()) {
                d.scalars.insert(scalarPrefix + key, it->toDouble());
            } else if (it->isObject()) {
                // Count blocks such as fbload's summary.requests, .tokens,
                // .http_status and .ops.<op>: numeric leaves become scalars
                // named by their path ("requests.completed", "ops.GET.requests_per_s").
                const QString saved = scalarPrefix;
                scalarPrefix += key + QLatin1Char('.');
                auto e = readSummary(it->toObject(), field);
                scalarPrefix = saved;
                if (e)
                    return e;
            }
        }
        return std::nullopt;
    };
    if (auto e = readSummary(summaryValue.toObject(), QStringLiteral("summary")))
        return fail(*e);

    // timeseries: [ {t:..., col:...}, ... ] or {columns:[...], rows:[[...]]}.
    const QJsonValue tsv = o.value(QLatin1String("timeseries"));
    QList<QJsonObject> rows;
    if (tsv.isArray()) {
        const QJsonArray a = tsv.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            if (!a.at(i).isObject())
                return fail(QStringLiteral("timeseries[%1]: not an object").arg(i));
            rows.append(a.at(i).toObject());
        }
    } else if (tsv.isObject()) {
        const QJsonObject t = tsv.toObject();
        const QJsonValue rv = t.value(QLatin1String("rows"));
        if (!rv.isArray())
            return fail(QStringLiteral("timeseries.rows: missing or not an array"));
        const QJsonArray cols = t.value(QLatin1String("columns")).toArray();
        const QJsonArray r = rv.toArray();
        for (qsizetype i = 0; i < r.size(); ++i) {
            // fbload writes {"interval_s":1,"rows":[{...},...]}: rows as objects.
            if (r.at(i).isObject()) {
                rows.append(r.at(i).toObject());
                continue;
            }
            if (!r.at(i).isArray() || cols.isEmpty())
                return fail(QStringLiteral("timeseries.rows[%1]: expected an object (or an array with \"columns\")").arg(i));
            const QJsonArray row = r.at(i).toArray();
            if (row.size() != cols.size())
                return fail(QStringLiteral("timeseries.rows[%1]: %2 values for %3 columns").arg(i).arg(row.size()).arg(cols.size()));
            QJsonObject ro;
            for (qsizetype c = 0; c < cols.size(); ++c)
                ro.insert(cols.at(c).toString(), row.at(c));
            rows.append(ro);
        }
    } else if (!tsv.isUndefined() && !tsv.isNull()) {
        return fail(QStringLiteral("timeseries: expected an array of rows"));
    }
    if (!rows.isEmpty()) {
        const QString tk = timeKey(rows.first());
        if (tk.isEmpty())
            return fail(QStringLiteral("timeseries.rows[0]: no time field (time, t, second, ts)"));
        QList<double> rawT;
        for (qsizetype i = 0; i < rows.size(); ++i) {
            const QJsonValue tv = rows[i].value(tk);
            if (!tv.isDouble())
                return fail(QStringLiteral("timeseries.rows[%1].%2: not a number").arg(i).arg(tk));
            rawT.append(tv.toDouble());
        }
        // Unix seconds (fbload keys rows by Unix second) become seconds since
        // the start of measurement (warm-up rows get negative times), or since
        // the first row when the run block does not say when measuring began.
        const bool absolute = rawT.first() > 1e8;
        const double measureStart = d.run.value(QLatin1String("measure_start_unix")).toDouble(0);
        const double t0 = absolute && measureStart > 1e8 ? measureStart : rawT.first();
        d.timeseries.startUnixSeconds = absolute ? t0 : 0;
        for (double t : rawT)
            d.timeseries.t.append(absolute ? t - t0 : t);
        for (qsizetype i = 0; i < rows.size(); ++i) {
            for (auto it = rows[i].begin(); it != rows[i].end(); ++it) {
                // fbload's relative "t" repeats "time"; it is the axis, not a column.
                if (it.key() == tk || it.key() == QLatin1String("t") || !it->isDouble())
                    continue;
                auto &col = d.timeseries.columns[it.key()];
                if (col.size() < rows.size())
                    col.resize(rows.size(), kNaN);
                col[i] = it->toDouble();
            }
        }
        // Per-second latency buckets: one exact histogram per row, in the
        // layout timeseries.latency_histogram states (fbload: 2 digits, µs).
        const bool anyBuckets = std::any_of(rows.cbegin(), rows.cend(), [](const QJsonObject &r) {
            return r.contains(QLatin1String("latency_buckets"));
        });
        const QJsonObject layout = tsv.toObject().value(QLatin1String("latency_histogram")).toObject();
        for (qsizetype i = 0; anyBuckets && i < rows.size(); ++i) {
            QJsonObject h{{QStringLiteral("layout"), layout.value(QLatin1String("layout"))},
                          {QStringLiteral("significant_digits"), layout.value(QLatin1String("significant_digits"))},
                          {QStringLiteral("highest"), layout.value(QLatin1String("highest"))},
                          {QStringLiteral("buckets"), rows[i].value(QLatin1String("latency_buckets"))}};
            for (const char *k : {"layout", "significant_digits", "highest"})
                if (h.value(QLatin1String(k)).isUndefined())
                    h.remove(QLatin1String(k));
            if (h.value(QLatin1String("buckets")).isUndefined())
                h.insert(QStringLiteral("buckets"), QJsonArray());
            QString herr;
            auto hist = LogLinearHistogram::fromJson(h, QStringLiteral("timeseries.rows[%1].latency_buckets").arg(i), &herr);
            if (!hist)
                return fail(herr);
            d.timeseries.latencyBuckets.append(*hist);
        }
    }

    // histograms: name -> log-linear histogram.
    const QJsonObject hists = o.value(QLatin1String("histograms")).toObject();
    for (auto it = hists.begin(); it != hists.end(); ++it) {
        if (!it->isObject())
            return fail(QStringLiteral("histograms.%1: not an object").arg(it.key()));
        QString herr;
        auto h = LogLinearHistogram::fromJson(it->toObject(), QStringLiteral("histograms.") + it.key(), &herr);
        if (!h)
            return fail(herr);
        d.histograms.insert(it.key(), *h);
    }
    return d;
}

namespace {
// All documents' rows on one time axis: absolute (Unix) time when every
// document has it, so clients started a second apart line up; else the
// relative t. Each cell combines as its column name says (see combineFor).
TimeSeriesTable mergeTimeSeries(const QList<ResultDocument> &docs)
{
    bool absolute = true;
    for (const ResultDocument &d : docs)
        if (!d.timeseries.isEmpty() && !(d.timeseries.startUnixSeconds > 0))
            absolute = false;
    struct Cell { double sum = 0, min = 0, max = 0; int n = 0; };
    QMap<double, QMap<QString, Cell>> table;
    QMap<double, LogLinearHistogram> buckets; // per-second latency buckets add up exactly
    for (const ResultDocument &d : docs) {
        const TimeSeriesTable &ts = d.timeseries;
        for (qsizetype r = 0; r < ts.t.size(); ++r) {
            const double key = absolute ? ts.t[r] + ts.startUnixSeconds : ts.t[r];
            auto &row = table[key];
            if (r < ts.latencyBuckets.size()) {
                const auto b = buckets.find(key);
                if (b == buckets.end())
                    buckets.insert(key, ts.latencyBuckets[r]);
                else
                    b->merge(ts.latencyBuckets[r], nullptr); // a differing layout keeps the first document's row
            }
            for (auto ct = ts.columns.cbegin(); ct != ts.columns.cend(); ++ct) {
                const double v = ct->value(r, kNaN);
                if (std::isnan(v))
                    continue;
                Cell &c = row[ct.key()];
                c.min = c.n ? std::min(c.min, v) : v;
                c.max = c.n ? std::max(c.max, v) : v;
                c.sum += v;
                ++c.n;
            }
        }
    }
    TimeSeriesTable out;
    if (table.isEmpty())
        return out;
    const double t0 = table.firstKey();
    out.startUnixSeconds = absolute ? t0 : 0;
    QSet<QString> names;
    for (const auto &row : std::as_const(table))
        for (auto it = row.cbegin(); it != row.cend(); ++it)
            names.insert(it.key());
    for (const QString &n : std::as_const(names))
        out.columns[n].reserve(table.size());
    for (auto it = table.cbegin(); it != table.cend(); ++it) {
        out.t.append(absolute ? it.key() - t0 : it.key());
        for (const QString &n : std::as_const(names)) {
            const auto ct = it->constFind(n);
            double v = kNaN;
            if (ct != it->cend()) {
                switch (combineFor(n)) {
                case Combine::Sum: v = ct->sum; break;
                case Combine::Mean: v = ct->sum / ct->n; break;
                case Combine::Min: v = ct->min; break;
                case Combine::Max: v = ct->max; break;
                }
            }
            out.columns[n].append(v);
        }
        if (!buckets.isEmpty()) {
            const LogLinearHistogram &first = buckets.first();
            out.latencyBuckets.append(buckets.value(it.key(), LogLinearHistogram(first.significantDigits(), first.highest())));
        }
    }
    return out;
}
} // namespace

std::optional<ResultDocument> ResultDocument::merge(const QList<ResultDocument> &docs, QString *error)
{
    if (docs.isEmpty()) {
        if (error)
            *error = QStringLiteral("nothing to merge");
        return std::nullopt;
    }
    ResultDocument m = docs.first();
    if (docs.size() == 1)
        return m;
    QJsonArray mergedFrom;
    QStringList limited; // each generator-limited part's reason, named by its source
    for (const ResultDocument &d : docs) {
        mergedFrom.append(d.runId().isEmpty() ? d.sources.value(0) : d.runId());
        if (const QString why = d.generatorLimitedReason(); !why.isEmpty())
            limited << QFileInfo(d.sources.value(0)).fileName() + QStringLiteral(": ") + why;
    }
    m.run.insert(QStringLiteral("merged_from"), mergedFrom);
    if (!limited.isEmpty())
        m.run.insert(QStringLiteral("generator"),
                     QJsonObject{{QStringLiteral("generator_limited"), true}, {QStringLiteral("reason"), limited.join(QStringLiteral("; "))}});

    for (qsizetype i = 1; i < docs.size(); ++i) {
        const ResultDocument &d = docs[i];
        m.sources += d.sources;
        for (auto it = d.histograms.cbegin(); it != d.histograms.cend(); ++it) {
            auto mt = m.histograms.find(it.key());
            if (mt == m.histograms.end()) {
                m.histograms.insert(it.key(), it.value());
            } else if (!mt->merge(it.value(), error)) {
                if (error)
                    *error = d.sources.value(0) + QStringLiteral(": histograms.") + it.key() + QStringLiteral(": ") + *error;
                return std::nullopt;
            }
        }
        for (auto it = d.throughput.cbegin(); it != d.throughput.cend(); ++it)
            m.throughput[it.key()] += it.value();
        for (auto it = d.errors.cbegin(); it != d.errors.cend(); ++it)
            m.errors[it.key()] += it.value();
        for (auto it = d.scalars.cbegin(); it != d.scalars.cend(); ++it) {
            // Durations overlap (clients run side by side); counts add.
            if (it.key().contains(QLatin1String("duration")))
                m.scalars[it.key()] = std::max(m.scalars.value(it.key()), it.value());
            else
                m.scalars[it.key()] += it.value();
        }
        for (auto it = d.metrics.cbegin(); it != d.metrics.cend(); ++it) {
            auto mt = m.metrics.find(it.key());
            if (mt == m.metrics.end()) {
                m.metrics.insert(it.key(), it.value());
                continue;
            }
            // Fallback without histograms: count-weighted means; percentiles
            // cannot be merged from percentiles, so they are marked inexact.
            MetricSummary &a = *mt;
            const MetricSummary &b = it.value();
            const double n = a.count + b.count;
            auto wmean = [&](double x, double y) { return n > 0 ? (x * a.count + y * b.count) / n : 0.0; };
            a.mean = wmean(a.mean, b.mean);
            a.p50 = wmean(a.p50, b.p50);
            a.p90 = wmean(a.p90, b.p90);
            a.p95 = wmean(a.p95, b.p95);
            a.p99 = wmean(a.p99, b.p99);
            a.p999 = wmean(a.p999, b.p999);
            a.stdev = std::max(a.stdev, b.stdev);
            a.min = std::min(a.min, b.min);
            a.max = std::max(a.max, b.max);
            a.count = n;
            a.exact = false;
        }
    }
    m.timeseries = mergeTimeSeries(docs);
    // Exact summaries from merged histograms (fbload names them alike).
    for (auto it = m.histograms.cbegin(); it != m.histograms.cend(); ++it) {
        MetricSummary &s = m.metrics[it.key()];
        const LogLinearHistogram &h = it.value();
        // Histograms store integers in a base unit (µs); summaries are in the
        // document's unit (ms). Keep the ratio the first document had.
        const double scale = (s.unit == QLatin1String("ms")) ? 1e-3 : (s.unit == QLatin1String("s") ? 1e-6 : 1.0);
        s.count = double(h.count());
        s.mean = h.mean() * scale;
        s.stdev = h.stdev() * scale;
        s.min = double(h.min()) * scale;
        s.max = double(h.max()) * scale;
        s.p50 = h.percentile(50) * scale;
        s.p90 = h.percentile(90) * scale;
        s.p95 = h.percentile(95) * scale;
        s.p99 = h.percentile(99) * scale;
        s.p999 = h.percentile(99.9) * scale;
        s.exact = true;
    }
    return m;
}

QString ResultDocument::generatorLimitedReason() const
{
    const QJsonObject g = run.value(QLatin1String("generator")).toObject();
    if (!g.value(QLatin1String("generator_limited")).toBool())
        return {};
    const QString why = g.value(QLatin1String("reason")).toString();
    return why.isEmpty() ? QStringLiteral("the load generator could not keep up") : why;
}

QString ResultDocument::runId() const
{
    const QString id = run.value(QLatin1String("id")).toString();
    return id.isEmpty() ? run.value(QLatin1String("run_id")).toString() : id;
}

QString ResultDocument::workload() const
{
    return run.value(QLatin1String("workload")).toString();
}

QString ResultDocument::label() const
{
    const QString l = run.value(QLatin1String("label")).toString();
    if (!l.isEmpty())
        return l;
    // fbload keeps --label key=value pairs under run.labels.
    const QJsonObject labels = run.value(QLatin1String("labels")).toObject();
    for (const char *k : {"label", "run", "name", "trial"})
        if (!labels.value(QLatin1String(k)).toString().isEmpty())
            return labels.value(QLatin1String(k)).toString();
    if (!runId().isEmpty())
        return runId();
    return sources.isEmpty() ? QString() : QFileInfo(sources.first()).completeBaseName();
}

QMap<QString, double> ResultDocument::flatValues() const
{
    QMap<QString, double> out;
    for (auto it = metrics.cbegin(); it != metrics.cend(); ++it)
        for (const char *st : kStats)
            out.insert(it.key() + QLatin1Char('.') + QLatin1String(st), it->value(QLatin1String(st)));
    for (auto it = throughput.cbegin(); it != throughput.cend(); ++it)
        out.insert(QStringLiteral("throughput.") + it.key(), it.value());
    for (auto it = errors.cbegin(); it != errors.cend(); ++it)
        out.insert(QStringLiteral("errors.") + it.key(), it.value());
    for (auto it = scalars.cbegin(); it != scalars.cend(); ++it)
        out.insert(it.key(), it.value());
    return out;
}

} // namespace fb::metrics
