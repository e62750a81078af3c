// ResultsDashboardPanel (the Dashboard dock): the default dashboard of the
// workload (fbcharts' Dashboard) for the run or trial selected in the Runs
// panel — one series per trial, so a sweep's trials overlay. Result files are
// read and parsed on a worker thread; the charts are built once they arrive.
// compareRuns() shows several runs: their charts overlaid and the compare
// table (fbcharts' CompareRunsView) of each run against the oldest one.
#pragma once

#include "metrics/ResultDocument.h"

#include <QFutureWatcher>
#include <QWidget>

#include <functional>

class QLabel;
class QVBoxLayout;

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
    bool compare = false; // one merged document per run, oldest first
};

class ResultsDashboardPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ResultsDashboardPanel(QWidget *parent = nullptr);
    void showRun(const QString &runId, const QString &trialId); // asynchronous
    void compareRuns(const QStringList &runIds);                  // asynchronous; two or more runs
    charts::Dashboard *dashboard() const { return m_dashboard; }
    charts::CompareRunsView *compareView() const { return m_compare; }
    static LoadedResults load(const QString &storePath, const QString &runId, const QString &trialId); // any thread
    static LoadedResults loadComparison(const QString &storePath, const QStringList &runIds);       // any thread

signals:
    void shown(int documents);

private:
    void request(std::function<LoadedResults()> job);
    void present(const LoadedResults &r);

    QVBoxLayout *m_layout = nullptr;
    QLabel *m_message = nullptr;
    charts::Dashboard *m_dashboard = nullptr;
    charts::CompareRunsView *m_compare = nullptr;
    QFutureWatcher<LoadedResults> m_watcher;
    std::function<LoadedResults()> m_pending; // the newest request while one loads
};

} // namespace fb::gui
