// ResultsDashboardPanel (the Dashboard dock): the default dashboard of the
// workload (fbcharts' Dashboard) for the run or trial selected in the Runs
// panel — one series per trial (its clients merged), named by its swept
// values ("concurrency=4, pipeline=16"; repetitions add their trial id), so a
// sweep's trials overlay. Result files are
// read and parsed on a worker thread; the charts are built once they arrive.
// compareRuns() compares runs or trials ("RUN" or "RUN/TRIAL") in fbcharts'
// CompareRunsView: trial by trial against a baseline the user picks there
// (the oldest run at first), with a per-trial chart and the verdict table.
// showLive() shows a running trial's charts live from its Prometheus (the
// Session's live dashboard, see SessionLiveMonitor) until stopLive() or the
// next run is shown.
#pragma once

#include "metrics/ResultDocument.h"
#include "metrics/RunComparison.h"

#include <QFutureWatcher>
#include <QWidget>

#include <functional>

class QLabel;
class QVBoxLayout;

namespace fb::metrics {
class PrometheusClient;
}

namespace fb::charts {
class CompareRunsView;
class Dashboard;
}

namespace fb::gui {

struct LoadedResults
{
    QString title;
    QList<metrics::ResultDocument> docs;
    QStringList errors;
    bool compare = false;                    // compareRuns(): `sides` holds the runs or trials, oldest run first
    QList<metrics::ComparisonSide> sides;
};

class ResultsDashboardPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ResultsDashboardPanel(QWidget *parent = nullptr);
    void showRun(const QString &runId, const QString &trialId); // asynchronous
    void compareRuns(const QStringList &runIds);                  // asynchronous; two or more "RUN" or "RUN/TRIAL"
    // Live mode: the workload's dashboard polling `client` (not owned; it must
    // outlive live mode) for [start, now]. Emits liveStarted at once.
    // `scrapeSeconds`: the monitor's scrape interval (rates follow it).
    void showLive(metrics::PrometheusClient *client, const QString &workload, const QDateTime &start, const QString &title,
                  int intervalMs = 2000, double scrapeSeconds = 5.0);
    void stopLive(); // the charts stay as they are
    void setLiveStart(const QDateTime &start); // x = 0 of the live charts (when the clients started)
    bool isLive() const;
    charts::Dashboard *dashboard() const { return m_dashboard; }
    charts::CompareRunsView *compareView() const { return m_compare; }
    static LoadedResults load(const QString &storePath, const QString &runId, const QString &trialId); // any thread
    static LoadedResults loadComparison(const QString &storePath, const QStringList &runIds);       // any thread; "RUN" or "RUN/TRIAL"

signals:
    void shown(int documents);
    void liveStarted(); // dashboard() is the live one

private:
    void request(std::function<LoadedResults()> job);
    void present(const LoadedResults &r);
    void clearCharts();

    QVBoxLayout *m_layout = nullptr;
    QLabel *m_message = nullptr;
    charts::Dashboard *m_dashboard = nullptr;
    charts::CompareRunsView *m_compare = nullptr;
    QFutureWatcher<LoadedResults> m_watcher;
    std::function<LoadedResults()> m_pending; // the newest request while one loads
};

} // namespace fb::gui
