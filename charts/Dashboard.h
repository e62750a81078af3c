// Dashboard: the charts of one run, side by side with linked x axes — live
// from Prometheus while the run goes on, from the result document after it.
// DashboardSpec::forWorkload gives the default panels of each workload kind
// (LLM, Redis, database, storage, vector); the GUI may also build its own.
//
// Live mode polls query_range for every panel (step from the panel's pixel
// width, PrometheusClient::queryRangeForWidth) and replaces each series with
// the answer, so the x axis is "seconds since the run started" in both modes.
// Prometheus errors reach liveError() verbatim. Nothing here blocks: replies
// arrive through QFuture continuations in the GUI thread.
#pragma once

#include "ChartWidget.h"

#include "common/Units.h"

#include <QDateTime>
#include <QList>
#include <QPointer>

class QGridLayout;
class QTimer;

namespace fb::metrics {
class PrometheusClient;
class ResultDocument;
struct PrometheusResponse;
} // namespace fb::metrics

namespace fb::charts {

class TimeSeriesChart;
class XAxisLink;

struct DashboardQuery
{
    QString legend; // "{{op}}" is replaced by the series' label "op"
    QString promql;
};

struct DashboardColumn
{
    QString legend;
    QString column;      // a column of the result's per-second rows
    double scale = 1.0;  // e.g. 1e-3 for ms → s
};

struct DashboardPanel
{
    QString title;
    QString yTitle;                 // the quantity; the axis adds the unit: "Latency (ms)"
    QList<DashboardQuery> live;     // PromQL; "$__rate_interval" follows the scrape interval
    QList<DashboardColumn> result;
    fb::units::Unit unit = fb::units::Unit::None; // of the values, in base units (s, req/s, B)
    bool logAvailable = false;      // the y axis may switch to log (latency panels)
    QString emptyText = {};         // shown while every value is 0 or there is none ("no errors")
};

struct DashboardSpec
{
    QString title;
    QList<DashboardPanel> panels;
    // "llm", "redis", "database" ("postgres", "mariadb"), "storage", "vector";
    // anything else gets the generic request-rate/latency/error panels.
    static DashboardSpec forWorkload(const QString &workload);
};

class Dashboard : public ChartWidget
{
    Q_OBJECT
public:
    explicit Dashboard(const DashboardSpec &spec, QWidget *parent = nullptr);
    ~Dashboard() override;

    const DashboardSpec &spec() const { return m_spec; }
    void setTitle(const QString &title) override; // also the heading above the panels
    int panelCount() const { return int(m_panels.size()); }
    TimeSeriesChart *panel(int index) const { return m_panels.value(index); }

    // Result mode: one series per column and document (overlaid runs).
    void showResults(const QList<fb::metrics::ResultDocument> &docs);

    // Live mode: poll `client` every intervalMs for the range [start, now].
    // `scrapeSeconds` is the Prometheus scrape interval: rates look back
    // rateInterval() of it.
    void startLive(fb::metrics::PrometheusClient *client, const QDateTime &start, int intervalMs = 2000,
                   double scrapeSeconds = 5.0);
    // "$__rate_interval" in a panel's PromQL becomes rateInterval(scrape):
    // 4 scrape intervals, enough for irate's two samples with one missed.
    static QString rateInterval(double scrapeSeconds);
    static QString expandQuery(const QString &promql, double scrapeSeconds);
    void stopLive();
    bool isLive() const;
    // Moves x = 0 (the trial's clients started): the series restart from
    // there on the next poll, which comes at once.
    void setLiveStart(const QDateTime &start);
    QDateTime liveStart() const { return m_liveStart; }
    void pollNow();
    QString lastError() const { return m_lastError; }

    void renderFigure(QPainter *painter, const QRectF &target) override; // all panels in their grid
    QString toCsv() const override;                                       // panel,series,x,y

signals:
    void livePointsReceived(int panel, int points);
    void liveError(const QString &message);

private:
    void applyLive(int panel, int query, const fb::metrics::PrometheusResponse &r);
    int seriesIndex(int panel, const QString &name);

    DashboardSpec m_spec;
    QList<TimeSeriesChart *> m_panels;
    QGridLayout *m_grid = nullptr;
    XAxisLink *m_link = nullptr;
    QPointer<fb::metrics::PrometheusClient> m_client;
    QDateTime m_liveStart;
    QTimer *m_timer = nullptr;
    QString m_lastError;
    int m_inFlight = 0;
    double m_scrapeSeconds = 5.0;
};

} // namespace fb::charts
