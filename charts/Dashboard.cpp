#include "Dashboard.h"

#include <QFutureWatcher>

#include "TimeSeriesChart.h"

#include "metrics/PrometheusClient.h"
#include "metrics/ResultDocument.h"

#include <QGridLayout>
#include <QLabel>
#include <QLayout>
#include <QPainter>
#include <QRegularExpression>
#include <QTimer>
#include <QtCharts/QLineSeries>

#include <cmath>

namespace fb::charts {

using fb::metrics::PrometheusResponse;
using fb::metrics::ResultDocument;

namespace {
using fb::units::Unit;
// fbload's per-second result columns (core/clients/src/result.cpp) and its
// /metrics names (metrics_server.cpp); GPU panels use NVIDIA DCGM exporter names.
// Live rates use irate over $__rate_interval (Dashboard::expandQuery): the
// last two scrapes, so a trial's first point comes one scrape interval after
// its start and no averaging window makes a flat rate ramp up.
DashboardPanel requestRate()
{
    // "Rate": the panel's title names what; a small panel's axis elides a
    // longer title ("Throughput (k re…").
    DashboardPanel p{QStringLiteral("Requests/s"), QStringLiteral("Rate"),
                     {{QStringLiteral("{{op}}"), QStringLiteral("sum by (op) (irate(fbload_requests_total[$__rate_interval]))")}},
                     {{QStringLiteral("completed"), QStringLiteral("completed"), 1.0}}};
    p.unit = Unit::PerSecond;
    return p;
}
QString quantile(const char *q, const char *metric, const char *by = "le")
{
    return QStringLiteral("histogram_quantile(%1, sum by (%2) (irate(%3[$__rate_interval])))")
        .arg(QLatin1String(q), QLatin1String(by), QLatin1String(metric));
}
DashboardPanel latency(const QString &title = QStringLiteral("Latency"))
{
    DashboardPanel p{title, QStringLiteral("Latency"),
                     {{QStringLiteral("p50"), quantile("0.5", "fbload_latency_seconds_bucket")},
                      {QStringLiteral("p99"), quantile("0.99", "fbload_latency_seconds_bucket")}},
                     {{QStringLiteral("p50"), QStringLiteral("latency_p50_ms"), 1e-3},
                      {QStringLiteral("p99"), QStringLiteral("latency_p99_ms"), 1e-3},
                      {QStringLiteral("max"), QStringLiteral("latency_max_ms"), 1e-3}}};
    p.unit = Unit::Seconds;
    p.logAvailable = true;
    return p;
}
DashboardPanel errors()
{
    DashboardPanel p{QStringLiteral("Errors/s"), QStringLiteral("Errors/s"),
                     {{QStringLiteral("{{class}}"), QStringLiteral("sum by (class) (irate(fbload_errors_total[$__rate_interval])) > 0")}},
                     {{QStringLiteral("errors"), QStringLiteral("errors"), 1.0}}};
    p.unit = Unit::None;
    p.emptyText = QObject::tr("no errors");
    return p;
}
DashboardPanel panel(const QString &title, const QString &quantity, Unit unit, const QList<DashboardQuery> &live,
                     const QList<DashboardColumn> &result = {})
{
    DashboardPanel p{title, quantity, live, result};
    p.unit = unit;
    p.logAvailable = unit == Unit::Seconds;
    return p;
}
} // namespace

DashboardSpec DashboardSpec::forWorkload(const QString &workload)
{
    const QString w = workload.toLower();
    DashboardSpec s;
    if (w == QLatin1String("llm")) {
        s.title = QStringLiteral("LLM serving");
        s.panels << requestRate()
                 << panel(QStringLiteral("Tokens/s"), QStringLiteral("Rate"), Unit::TokensPerSecond,
                          {{QStringLiteral("{{direction}}"), QStringLiteral("sum by (direction) (irate(fbload_tokens_total[$__rate_interval]))")}},
                          {{QStringLiteral("input"), QStringLiteral("input_tokens"), 1.0},
                           {QStringLiteral("output"), QStringLiteral("output_tokens"), 1.0}})
                 << panel(QStringLiteral("TTFT / ITL"), QStringLiteral("Latency"), Unit::Seconds,
                          {{QStringLiteral("TTFT p50"), quantile("0.5", "fbload_ttft_seconds_bucket")},
                           {QStringLiteral("TTFT p99"), quantile("0.99", "fbload_ttft_seconds_bucket")},
                           {QStringLiteral("ITL p99"), quantile("0.99", "fbload_itl_seconds_bucket")}})
                 << latency(QStringLiteral("E2E latency"))
                 << panel(QStringLiteral("GPU utilisation"), QStringLiteral("Utilisation"), Unit::Percent,
                          {{QStringLiteral("GPU {{gpu}}"), QStringLiteral("DCGM_FI_DEV_GPU_UTIL")}})
                 // DCGM reports MiB; in bytes the axis picks MiB or GiB itself.
                 << panel(QStringLiteral("GPU memory used"), QStringLiteral("Memory"), Unit::Bytes,
                          {{QStringLiteral("GPU {{gpu}}"), QStringLiteral("DCGM_FI_DEV_FB_USED * 1048576")}});
    } else if (w == QLatin1String("redis")) {
        s.title = QStringLiteral("Redis");
        s.panels << requestRate()
                 << panel(QStringLiteral("p99 per operation"), QStringLiteral("Latency"), Unit::Seconds,
                          {{QStringLiteral("{{op}} p99"), quantile("0.99", "fbload_latency_seconds_bucket", "le, op")}},
                          {{QStringLiteral("p99 (all ops)"), QStringLiteral("latency_p99_ms"), 1e-3}})
                 << latency() << errors();
    } else if (w == QLatin1String("database") || w == QLatin1String("postgres") || w == QLatin1String("mariadb")
               || w == QLatin1String("mysql")) {
        s.title = QStringLiteral("Database");
        DashboardPanel tps = requestRate();
        tps.title = QStringLiteral("Transactions/queries per second");
        s.panels << tps << latency() << errors();
    } else if (w == QLatin1String("storage")) {
        s.title = QStringLiteral("Storage");
        s.panels << panel(QStringLiteral("Throughput"), QStringLiteral("Rate"), Unit::BytesPerSecond,
                          {{QStringLiteral("read {{device}}"), QStringLiteral("irate(node_disk_read_bytes_total[$__rate_interval])")},
                           {QStringLiteral("write {{device}}"), QStringLiteral("irate(node_disk_written_bytes_total[$__rate_interval])")}})
                 << panel(QStringLiteral("IOPS"), QStringLiteral("Rate"), Unit::OpsPerSecond,
                          {{QStringLiteral("read {{device}}"), QStringLiteral("irate(node_disk_reads_completed_total[$__rate_interval])")},
                           {QStringLiteral("write {{device}}"), QStringLiteral("irate(node_disk_writes_completed_total[$__rate_interval])")}},
                          {{QStringLiteral("completed"), QStringLiteral("completed"), 1.0}})
                 << latency();
    } else if (w == QLatin1String("vector")) {
        s.title = QStringLiteral("Vector database");
        DashboardPanel ops = requestRate();
        ops.title = QStringLiteral("Insert rate and QPS");
        s.panels << ops << latency() << errors();
        // Recall is measured after the run (it needs ground truth); it shows
        // in the result tables, not as a live panel.
    } else {
        s.title = workload.isEmpty() ? QStringLiteral("Run") : workload;
        s.panels << requestRate() << latency() << errors();
    }
    return s;
}

QString Dashboard::rateInterval(double scrapeSeconds)
{
    // irate needs two samples in its window; four scrape intervals still
    // find two when one scrape is late or lost. Milliseconds, so 250 ms
    // scrapes work too.
    const double s = scrapeSeconds > 0 ? scrapeSeconds : 5.0;
    return QStringLiteral("%1ms").arg(qint64(std::llround(4 * s * 1000)));
}

QString Dashboard::expandQuery(const QString &promql, double scrapeSeconds)
{
    QString q = promql;
    return q.replace(QLatin1String("$__rate_interval"), rateInterval(scrapeSeconds));
}

Dashboard::Dashboard(const DashboardSpec &spec, QWidget *parent) : ChartWidget(parent), m_spec(spec)
{
    setTitle(spec.title);
    auto *title = new QLabel(spec.title, this);
    title->setObjectName(QStringLiteral("dashboardTitle"));
    title->setAlignment(Qt::AlignCenter);
    QFont f = theme().titleFont;
    f.setPointSizeF(f.pointSizeF() * 1.2);
    title->setFont(f);
    layout()->addWidget(title);
    auto *gridHost = new QWidget(this);
    m_grid = new QGridLayout(gridHost);
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setSpacing(4);
    layout()->addWidget(gridHost);
    m_link = new XAxisLink(this);
    const int columns = spec.panels.size() > 4 ? 3 : 2;
    for (int i = 0; i < spec.panels.size(); ++i) {
        auto *chart = new TimeSeriesChart(gridHost);
        chart->setTitle(spec.panels[i].title);
        chart->setAxisTitles(QStringLiteral("Time since start (s)"), spec.panels[i].yTitle);
        chart->setYUnit(spec.panels[i].unit);
        chart->setLogYAvailable(spec.panels[i].logAvailable);
        chart->setEmptyText(spec.panels[i].emptyText);
        chart->setMinimumSize(240, 160);
        m_grid->addWidget(chart, i / columns, i % columns);
        m_link->add(chart);
        m_panels << chart;
    }
    m_timer = new QTimer(this);
    connect(m_timer, &QTimer::timeout, this, &Dashboard::pollNow);
}

Dashboard::~Dashboard() = default;

int Dashboard::seriesIndex(int panel, const QString &name)
{
    TimeSeriesChart *c = m_panels[panel];
    for (int i = 0; i < c->seriesCount(); ++i)
        if (c->seriesName(i) == name)
            return i;
    return c->addSeries(name);
}

// Legend names of overlaid documents: their labels without the words they
// all share ("local-redis Nov 23 16:23" and "… 17:13" become "16:23" and
// "17:13"), so six series still fit under a panel; the title names them whole.
static QStringList distinctLabels(const QList<ResultDocument> &docs)
{
    QStringList labels;
    for (const ResultDocument &d : docs)
        labels << d.label();
    if (labels.size() < 2)
        return labels;
    qsizetype common = labels.first().size();
    for (const QString &l : labels) {
        qsizetype i = 0;
        while (i < common && i < l.size() && l[i] == labels.first()[i])
            ++i;
        common = i;
    }
    // Cut at a word boundary, and only if every label keeps something.
    if (common == 0)
        return labels;
    common = labels.first().lastIndexOf(QLatin1Char(' '), common - 1) + 1;
    if (common <= 0)
        return labels;
    QStringList out;
    for (const QString &l : labels) {
        if (l.size() <= common)
            return labels;
        out << l.mid(common);
    }
    return out;
}

void Dashboard::setTitle(const QString &title)
{
    ChartWidget::setTitle(title);
    if (auto *heading = findChild<QLabel *>(QStringLiteral("dashboardTitle")))
        heading->setText(title);
}

void Dashboard::showResults(const QList<ResultDocument> &docs)
{
    const QStringList labels = distinctLabels(docs);
    for (int p = 0; p < m_panels.size(); ++p) {
        for (const DashboardColumn &col : m_spec.panels[p].result) {
            for (qsizetype di = 0; di < docs.size(); ++di) {
                const ResultDocument &d = docs[di];
                QList<QPointF> pts = d.timeseries.series(col.column);
                if (pts.isEmpty())
                    continue;
                for (QPointF &pt : pts)
                    pt.setY(pt.y() * col.scale);
                // One series per document in a one-column panel: the
                // document's label alone ("concurrency=4, pipeline=16").
                const QString name = docs.size() < 2 ? col.legend
                    : m_spec.panels[p].result.size() == 1 ? labels[di]
                                                          : labels[di] + QStringLiteral(" · ") + col.legend;
                m_panels[p]->setSeriesData(seriesIndex(p, name), pts);
            }
        }
    }
}

void Dashboard::startLive(fb::metrics::PrometheusClient *client, const QDateTime &start, int intervalMs, double scrapeSeconds)
{
    m_client = client;
    m_scrapeSeconds = scrapeSeconds;
    m_liveStart = start;
    // Fixed legends get their series now, in query order, so colours do not
    // depend on which reply comes back first.
    for (int p = 0; p < m_panels.size(); ++p)
        for (const DashboardQuery &q : std::as_const(m_spec.panels[p].live))
            if (!q.legend.contains(QLatin1String("{{")))
                seriesIndex(p, q.legend);
    m_timer->start(std::max(250, intervalMs));
    pollNow();
}

void Dashboard::setLiveStart(const QDateTime &start)
{
    if (start == m_liveStart)
        return;
    m_liveStart = start;
    for (TimeSeriesChart *c : std::as_const(m_panels)) {
        for (int i = 0; i < c->seriesCount(); ++i)
            c->setSeriesData(i, {});
        c->resetZoom();
    }
    if (isLive())
        pollNow();
}

void Dashboard::stopLive()
{
    m_timer->stop();
    m_client.clear();
}

bool Dashboard::isLive() const
{
    return m_timer->isActive();
}

void Dashboard::pollNow()
{
    if (!m_client || m_inFlight > 0) // never pile up requests behind a slow tunnel
        return;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (int p = 0; p < m_panels.size(); ++p) {
        const QList<DashboardQuery> &queries = m_spec.panels[p].live;
        for (int q = 0; q < queries.size(); ++q) {
            ++m_inFlight;
            // A watcher owned by the dashboard rather than .then(this, …): in
            // Qt 6.4 a continuation whose context object died first asserts
            // when the client later cancels the request (destroyed with it).
            auto *watcher = new QFutureWatcher<PrometheusResponse>(this);
            connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, p, q] {
                watcher->deleteLater();
                --m_inFlight;
                if (!watcher->isCanceled() && watcher->future().resultCount() > 0)
                    applyLive(p, q, watcher->result());
            });
            watcher->setFuture(m_client->queryRangeForWidth(expandQuery(queries[q].promql, m_scrapeSeconds), m_liveStart, now,
                                                            m_panels[p]->plotWidthPixels()));
        }
    }
}

void Dashboard::applyLive(int panel, int query, const PrometheusResponse &r)
{
    if (!r.ok) {
        m_lastError = QStringLiteral("%1: %2").arg(m_spec.panels[panel].title, r.errorText());
        emit liveError(m_lastError);
        return;
    }
    static const QRegularExpression placeholder(QStringLiteral("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\}\\}"));
    const DashboardQuery &dq = m_spec.panels[panel].live[query];
    const double t0 = double(m_liveStart.toMSecsSinceEpoch()) / 1000.0;
    int points = 0;
    for (const fb::metrics::PrometheusSeries &s : r.series) {
        QString name = dq.legend;
        QRegularExpressionMatchIterator it = placeholder.globalMatch(dq.legend);
        while (it.hasNext()) {
            const QRegularExpressionMatch m = it.next();
            // A label the series lacks (fbload's latency histogram has no
            // "op" label yet) reads "all": the series covers all of them.
            name.replace(m.captured(0), s.labels.value(m.captured(1), QStringLiteral("all")));
        }
        QList<QPointF> pts;
        pts.reserve(s.points.size());
        for (const QPointF &pt : s.points)
            if (std::isfinite(pt.y()))
                pts << QPointF(pt.x() - t0, pt.y());
        points += int(pts.size());
        m_panels[panel]->setSeriesData(seriesIndex(panel, name), pts);
    }
    emit livePointsReceived(panel, points);
}

void Dashboard::renderFigure(QPainter *painter, const QRectF &target)
{
    // Each panel is painted where it sits on screen, scaled to the target.
    const double sx = target.width() / std::max(1, width());
    const double sy = target.height() / std::max(1, height());
    painter->save();
    painter->fillRect(target, theme().background);
    if (auto *label = findChild<QLabel *>(QStringLiteral("dashboardTitle"))) {
        const QRect g(label->mapTo(this, QPoint(0, 0)), label->size());
        painter->setPen(theme().foreground);
        painter->setFont(label->font());
        painter->save();
        painter->translate(target.topLeft());
        painter->scale(sx, sy);
        painter->drawText(g, Qt::AlignCenter, label->text());
        painter->restore();
    }
    for (TimeSeriesChart *c : std::as_const(m_panels)) {
        const QPoint at = c->mapTo(this, QPoint(0, 0));
        const QRectF r(target.left() + at.x() * sx, target.top() + at.y() * sy, c->width() * sx, c->height() * sy);
        c->renderFigure(painter, r);
    }
    painter->restore();
}

QString Dashboard::toCsv() const
{
    QString out = QStringLiteral("panel,series,x,y\n");
    for (const TimeSeriesChart *c : m_panels) {
        // Reuse the panel's own CSV (series,x,y) and prefix its title.
        const QStringList lines = c->toCsv().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        const QString panel = csvField(c->title());
        for (qsizetype i = 1; i < lines.size(); ++i)
            out += panel + QLatin1Char(',') + lines[i] + QLatin1Char('\n');
    }
    return out;
}

} // namespace fb::charts
