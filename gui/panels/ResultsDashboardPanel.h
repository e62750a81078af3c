// ResultsDashboardPanel (the Dashboard dock): the default dashboard of the
// workload (fbcharts' Dashboard) for the run or trial selected in the Runs
// panel — one series per trial, so a sweep's trials overlay. Result files are
// read and parsed on a worker thread; the charts are built once they arrive.
#pragma once

#include "metrics/ResultDocument.h"

#include <QFutureWatcher>
#include <QWidget>

class QLabel;
class QVBoxLayout;

namespace fb::charts {
class Dashboard;
}

namespace fb::gui {

struct LoadedResults
{
    QString title;
    QList<metrics::ResultDocument> docs;
    QStringList errors;
};

class ResultsDashboardPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ResultsDashboardPanel(QWidget *parent = nullptr);
    void showRun(const QString &runId, const QString &trialId); // asynchronous
    charts::Dashboard *dashboard() const { return m_dashboard; }
    static LoadedResults load(const QString &storePath, const QString &runId, const QString &trialId); // any thread

signals:
    void shown(int documents);

private:
    QVBoxLayout *m_layout = nullptr;
    QLabel *m_message = nullptr;
    charts::Dashboard *m_dashboard = nullptr;
    QFutureWatcher<LoadedResults> m_watcher;
    QString m_pendingRun, m_pendingTrial;
};

} // namespace fb::gui
