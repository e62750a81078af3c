#include "FigureCatalog.h"

#include "LatencyDistributionChart.h"
#include "LatencyHeatmapChart.h"
#include "ThroughputLatencyChart.h"
#include "SweepChart.h"
#include "TimeSeriesChart.h"

#include "common/Units.h"
#include "metrics/ThroughputLatency.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QLayout>
#include <QSet>

#include <cmath>

namespace fb::report {

using metrics::Study;
using metrics::StudyTrial;
namespace units = fb::units;

namespace {

constexpr int kMaxDefaultTrials = 8; // lines a latency / time-series figure shows unless trials are named

bool fail(QString *error, const QString &msg)
{
    if (error)
        *error = msg;
    return false;
}

QString capitalized(QString s)
{
    if (!s.isEmpty())
        s[0] = s[0].toUpper();
    return s;
}

QString firstMetric(const Study &study, const QStringList &prefixes, const QString &suffix)
{
    for (const QStringList &keys : {study.mainMetrics(), [&] {
             QStringList all;
             for (const auto &m : study.metrics())
                 all << m.key;
             return all;
         }()})
        for (const QString &prefix : prefixes)
            for (const QString &k : keys)
                if (k.startsWith(prefix) && k.endsWith(suffix))
                    return k;
    return {};
}

QString defaultThroughput(const Study &study)
{
    const QString m = firstMetric(study, {QStringLiteral("throughput.requests_per_s"), QStringLiteral("throughput.")}, QString());
    return m.isEmpty() && !study.mainMetrics().isEmpty() ? study.mainMetrics().first() : m;
}

QString defaultLatency(const Study &study)
{
    return firstMetric(study, {QStringLiteral("latency.p99"), QStringLiteral("latency"), QStringLiteral("ttft"), QString()},
                       QStringLiteral(".p99"));
}

// The trials a per-trial figure shows: the named ones, else every trial with
// a result — the first repetition of each combination when there are many.
QList<const StudyTrial *> selectedTrials(const Study &study, const QStringList &ids)
{
    QList<const StudyTrial *> out;
    if (!ids.isEmpty()) {
        for (const QString &id : ids)
            if (const StudyTrial *t = study.trial(id); t && t->result)
                out << t;
        return out;
    }
    for (const StudyTrial &t : study.trials())
        if (t.result)
            out << &t;
    if (out.size() > kMaxDefaultTrials) {
        out.clear();
        for (const auto &group : study.repetitionGroups())
            for (const StudyTrial *t : group)
                if (t->result) {
                    out << t;
                    break;
                }
    }
    return out;
}

// Values of `metric` (stored unit) -> display scale for their largest magnitude.
struct Scaled
{
    units::Scale scale;
    double factor = 1; // stored value * factor = shown value
};
Scaled scaledFor(const metrics::StudyMetric &m, double maxStored)
{
    Scaled s;
    s.scale = units::scaleFor(m.unit.unit, std::abs(maxStored) * m.unit.toBase);
    s.factor = m.unit.toBase / s.scale.factor;
    return s;
}

std::unique_ptr<charts::ChartWidget> sweepFigure(const Study &study, const FigureRequest &r, QString *error)
{
    auto chart = std::make_unique<charts::SweepChart>();
    if (chart->showStudy(study, r.metric, r.x, r.series) == 0) {
        fail(error, QStringLiteral("no trial of run %1 has a value for %2").arg(study.runId(), r.metric));
        return nullptr;
    }
    const auto *m = study.metric(r.metric);
    const auto *p = study.parameter(r.x);
    chart->setTitle(QStringLiteral("%1 vs %2").arg(capitalized(m->displayName()), p->name));
    return chart;
}

std::unique_ptr<charts::ChartWidget> throughputLatencyFigure(const Study &study, const FigureRequest &r, QString *error)
{
    // D2's curve (core/metrics/ThroughputLatency.h): one point per parameter
    // combination (repetitions averaged), joined along the swept load.
    const QList<metrics::TrialResult> trials = metrics::trialResults(study);
    if (trials.isEmpty()) {
        fail(error, QStringLiteral("no trial of run %1 has a result").arg(study.runId()));
        return nullptr;
    }
    metrics::CurveSpec spec;
    // "latency.get.p99" -> metric "latency.get", stat "p99".
    spec.latencyMetric = r.metric.section(QLatin1Char('.'), 0, -2);
    spec.stats = QStringList{r.metric.section(QLatin1Char('.'), -1)};
    if (spec.stats.first() != QLatin1String("p50"))
        spec.stats.prepend(QStringLiteral("p50"));
    auto chart = std::make_unique<charts::ThroughputLatencyChart>();
    chart->setData(trials);
    chart->setSpec(spec);
    if (chart->curves().isEmpty()) {
        fail(error, QStringLiteral("no trial of run %1 has both a throughput and %2").arg(study.runId(), r.metric));
        return nullptr;
    }
    chart->setTitle(QStringLiteral("%1 vs throughput").arg(capitalized(charts::ThroughputLatencyChart::metricLabel(spec.latencyMetric))));
    return chart;
}

std::unique_ptr<charts::ChartWidget> latencyFigure(const Study &study, const FigureRequest &r, QString *error)
{
    auto chart = std::make_unique<charts::LatencyDistributionChart>();
    chart->setMode(charts::LatencyDistributionChart::Mode::PercentileSpectrum);
    // The histogram of the latency metric the request names ("latency.get.p99" -> "latency.get").
    const QString histName = r.metric.section(QLatin1Char('.'), 0, -2);
    QList<charts::LatencyRun> runs;
    for (const StudyTrial *t : selectedTrials(study, r.trials)) {
        const auto &h = t->result->histograms;
        const auto it = h.contains(histName) ? h.find(histName) : h.find(QStringLiteral("latency"));
        if (it != h.end() && it->count() > 0)
            runs.append({study.trialLabel(*t), *it}); // fbload's µs: the chart's default value unit
    }
    chart->setData(runs); // at once: one spectrum per trial, not one rebuild per added trial
    if (chart->runCount() == 0) {
        fail(error, QStringLiteral("no selected trial of run %1 has a latency histogram").arg(study.runId()));
        return nullptr;
    }
    chart->setTitle(QStringLiteral("Latency by percentile"));
    return chart;
}

std::unique_ptr<charts::ChartWidget> latencyHeatmapFigure(const Study &study, const FigureRequest &r, QString *error)
{
    // One trial: the first named, else the first with a result.
    for (const StudyTrial *t : selectedTrials(study, r.trials)) {
        if (t->result->timeseries.isEmpty())
            continue;
        auto chart = std::make_unique<charts::LatencyHeatmapChart>();
        chart->setData(t->result->timeseries, study.trialLabel(*t));
        if (chart->heatmap().isEmpty())
            continue;
        chart->setTitle(QStringLiteral("Latency over time, %1").arg(study.trialLabel(*t)));
        return chart;
    }
    fail(error, QStringLiteral("no selected trial of run %1 has per-second latency buckets").arg(study.runId()));
    return nullptr;
}

std::unique_ptr<charts::ChartWidget> sweepHeatmapFigure(const Study &study, const FigureRequest &r, QString *error)
{
    const auto *m = study.metric(r.metric);
    const auto *px = study.parameter(r.x);
    const auto *py = r.series.isEmpty() ? nullptr : study.parameter(r.series);
    if (!py) {
        fail(error, QStringLiteral("a heatmap needs two swept parameters (--x and --series); run %1 sweeps %2")
                        .arg(study.runId())
                        .arg(study.parameters().size()));
        return nullptr;
    }
    QList<QList<double>> values;
    double maxV = 0;
    for (const QString &yv : py->values) {
        QList<double> row;
        for (const QString &xv : px->values) {
            QList<double> samples;
            for (const StudyTrial &t : study.trials())
                if (t.parameter(px->path) == xv && t.parameter(py->path) == yv && std::isfinite(t.value(r.metric)))
                    samples << t.value(r.metric);
            const double v = samples.isEmpty() ? std::nan("") : Study::summarize(samples).mean;
            if (std::isfinite(v))
                maxV = std::max(maxV, std::abs(v));
            row << v;
        }
        values << row;
    }
    const Scaled s = scaledFor(*m, maxV);
    for (auto &row : values)
        for (double &v : row)
            v *= s.factor;
    auto chart = std::make_unique<charts::HeatmapChart>();
    chart->setData(px->values, py->values, values);
    chart->setAxisTitles(px->name, py->name, m->axisTitle(s.scale));
    chart->setTitle(QStringLiteral("%1 over %2 and %3").arg(capitalized(m->displayName()), px->name, py->name));
    return chart;
}

std::unique_ptr<charts::ChartWidget> timeSeriesFigure(const Study &study, const FigureRequest &r, QString *error)
{
    const QString column = r.metric;
    // Per-second rows: counters are per interval (1 s), so counts read as rates.
    units::MetricUnit mu = units::unitOfMetric(column);
    if (mu.unit == units::Unit::Count || mu.unit == units::Unit::None)
        mu.unit = units::Unit::PerSecond;
    auto chart = std::make_unique<charts::TimeSeriesChart>();
    double maxV = 0;
    QList<QPair<QString, QList<QPointF>>> series;
    for (const StudyTrial *t : selectedTrials(study, r.trials)) {
        QList<QPointF> pts = t->result->timeseries.series(column);
        if (pts.isEmpty())
            continue;
        for (const QPointF &p : pts)
            if (std::isfinite(p.y()))
                maxV = std::max(maxV, std::abs(p.y()));
        series.append({study.trialLabel(*t), pts});
    }
    if (series.isEmpty()) {
        fail(error, QStringLiteral("no selected trial of run %1 has the per-second column \"%2\"").arg(study.runId(), column));
        return nullptr;
    }
    const units::Scale s = units::scaleFor(mu.unit, maxV * mu.toBase);
    const double f = mu.toBase / s.factor;
    for (auto &[name, pts] : series) {
        for (QPointF &p : pts)
            p.setY(p.y() * f);
        chart->setSeriesData(chart->addSeries(name), pts);
    }
    QString name = column;
    name.replace(QLatin1Char('_'), QLatin1Char(' '));
    chart->setAxisTitles(units::axisTitle(QStringLiteral("Time"), units::scaleFor(units::Unit::Seconds, 1)),
                         units::axisTitle(capitalized(name), s));
    chart->setTitle(QStringLiteral("%1 per second over time").arg(capitalized(name)));
    return chart;
}

QString parameterNames(const Study &study)
{
    QStringList names;
    for (const auto &p : study.parameters())
        names << p.name;
    return names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", "));
}

} // namespace

const QList<FigureKindInfo> &figureKinds()
{
    static const QList<FigureKindInfo> kinds{
        {FigureKind::Sweep, QStringLiteral("sweep"), QStringLiteral("a metric against a swept parameter, mean ± 95 % CI of repetitions")},
        {FigureKind::ThroughputLatency, QStringLiteral("throughput-latency"),
         QStringLiteral("achieved throughput against latency p50 and a percentile, repetitions averaged, joined along the load")},
        {FigureKind::Latency, QStringLiteral("latency"), QStringLiteral("latency percentile spectrum of trials, from the exact histograms")},
        {FigureKind::Heatmap, QStringLiteral("heatmap"), QStringLiteral("latency over time of one trial, from its per-second buckets")},
        {FigureKind::SweepHeatmap, QStringLiteral("sweep-heatmap"), QStringLiteral("a metric over two swept parameters, mean per cell")},
        {FigureKind::TimeSeries, QStringLiteral("timeseries"), QStringLiteral("a per-second column of trials over time")},
    };
    return kinds;
}

std::optional<FigureKind> figureKindFromName(const QString &name)
{
    for (const FigureKindInfo &k : figureKinds())
        if (k.name == name)
            return k.kind;
    return std::nullopt;
}

QString figureKindName(FigureKind kind)
{
    for (const FigureKindInfo &k : figureKinds())
        if (k.kind == kind)
            return k.name;
    return {};
}

bool resolveRequest(const Study &study, FigureRequest *r, QString *error)
{
    if (study.resultCount() == 0)
        return fail(error, QStringLiteral("run %1 has no results yet").arg(study.runId()));
    for (const QString &id : std::as_const(r->trials))
        if (!study.trial(id))
            return fail(error, QStringLiteral("run %1 has no trial \"%2\"").arg(study.runId(), id));
    if (r->kind == FigureKind::TimeSeries || r->kind == FigureKind::Heatmap) {
        if (r->metric.isEmpty())
            r->metric = QStringLiteral("completed");
        return true;
    }
    const bool latencyKind = r->kind == FigureKind::ThroughputLatency || r->kind == FigureKind::Latency;
    if (r->metric.isEmpty())
        r->metric = latencyKind ? defaultLatency(study) : defaultThroughput(study);
    if (!study.metric(r->metric)) {
        QStringList keys;
        for (const auto &m : study.metrics())
            keys << m.key;
        return fail(error, QStringLiteral("run %1 has no metric \"%2\"; it has: %3").arg(study.runId(), r->metric, keys.join(QStringLiteral(", "))));
    }
    if (r->kind == FigureKind::ThroughputLatency && r->series.isEmpty() && study.parameters().size() > 1)
        r->series = study.parameters().last().path; // each line then follows the other parameters (the load), as a hockey stick does
    if (r->kind == FigureKind::Latency || r->kind == FigureKind::ThroughputLatency) {
        if (!r->series.isEmpty() && !study.parameter(r->series))
            return fail(error, QStringLiteral("run %1 has no swept parameter \"%2\"; it sweeps: %3").arg(study.runId(), r->series, parameterNames(study)));
        return true;
    }
    if (study.parameters().isEmpty())
        return fail(error, QStringLiteral("run %1 sweeps no parameter: a %2 figure needs one").arg(study.runId(), figureKindName(r->kind)));
    if (r->x.isEmpty())
        r->x = study.parameters().first().path;
    if (r->series.isEmpty() && study.parameters().size() > 1)
        for (const auto &p : study.parameters())
            if (p.path != study.parameter(r->x)->path) {
                r->series = p.path;
                break;
            }
    for (const QString &p : {r->x, r->series})
        if (!p.isEmpty() && !study.parameter(p))
            return fail(error, QStringLiteral("run %1 has no swept parameter \"%2\"; it sweeps: %3").arg(study.runId(), p, parameterNames(study)));
    return true;
}

std::unique_ptr<charts::ChartWidget> buildFigure(const Study &study, const FigureRequest &request, QString *error)
{
    FigureRequest r = request;
    if (!resolveRequest(study, &r, error))
        return nullptr;
    switch (r.kind) {
    case FigureKind::Sweep: return sweepFigure(study, r, error);
    case FigureKind::ThroughputLatency: return throughputLatencyFigure(study, r, error);
    case FigureKind::Latency: return latencyFigure(study, r, error);
    case FigureKind::Heatmap: return latencyHeatmapFigure(study, r, error);
    case FigureKind::SweepHeatmap: return sweepHeatmapFigure(study, r, error);
    case FigureKind::TimeSeries: return timeSeriesFigure(study, r, error);
    }
    return nullptr;
}

bool prepareForPainting(charts::ChartWidget *chart, const QSize &logicalSize, QString *error)
{
    // Shown, so that its layout and the chart view's resize events run, but
    // never on a screen (the app's report must not flash windows).
    chart->setAttribute(Qt::WA_DontShowOnScreen);
    chart->resize(logicalSize);
    chart->show();
    if (chart->layout())
        chart->layout()->activate();
    QCoreApplication::processEvents();
    auto *ts = qobject_cast<charts::TimeSeriesChart *>(chart);
    const QDeadlineTimer deadline(30'000);
    while (ts && ts->isDecimationPending()) {
        if (deadline.hasExpired())
            return fail(error, QStringLiteral("the time series was not ready to draw within 30 s"));
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    }
    return true;
}

} // namespace fb::report
