// StudyPanel (the Study dock): one run read as a study (metrics::Study) —
// the sweep chart (any summary metric against any swept parameter, one line
// per value of another, repetitions as mean with 95 % t-interval error bars,
// linear or log axes) and the trial table (one row per trial: its swept
// values and main figures with units; sortable; Export CSV writes the values
// exactly as the result files hold them). Metric, x and series are chosen in
// combo boxes filled from the run. Works for a finished run and a running
// one (Reload picks up new results). The study is read from the run store on
// a worker thread (session::loadStudy). Next to the sweep chart, as tabs:
// the throughput–latency curve (and LLM Pareto), the latency distribution
// of the trials selected in the table and the latency heatmap of the first
// selected one (StudyCharts).
#pragma once

#include "metrics/Study.h"

#include <QFutureWatcher>
#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTabWidget;
class QTableView;

namespace fb::charts {
class SweepChart;
}

namespace fb::gui {

struct LoadedStudy
{
    QString runId;
    std::optional<metrics::Study> study;
    QString error;
};

class StudyCharts;

class StudyPanel : public QWidget
{
    Q_OBJECT
public:
    explicit StudyPanel(QWidget *parent = nullptr);

    void showRun(const QString &runId); // asynchronous: `studyShown` when done
    void reload();                      // the same run again (a running run's new results)
    void setStudy(const metrics::Study &study); // shows an already loaded study at once
    const metrics::Study &study() const { return m_study; }
    QString runId() const { return m_study.runId(); }

    // Picks the sweep's metric (key), x and series (parameter path or short
    // name; "" for none) in the combo boxes and redraws; false if one is unknown.
    bool setSweep(const QString &metric, const QString &x, const QString &series);
    QString currentMetric() const;
    QString currentX() const;      // parameter path
    QString currentSeries() const; // parameter path, "" for none

    // The trial table as CSV (metrics::Study::tableCsv with the table's metric columns).
    QString tableCsv() const;
    bool exportCsv(const QString &path, QString *error) const;

    // A further chart next to the sweep chart (the panel owns it).
    void addChartTab(QWidget *chart, const QString &title);

    charts::SweepChart *sweepChart() const { return m_sweep; }
    StudyCharts *studyCharts() const { return m_charts; }
    QStringList selectedTrials() const; // trial ids selected in the table
    QTableView *trialTable() const { return m_table; }
    QComboBox *metricBox() const { return m_metric; }
    QComboBox *xBox() const { return m_x; }
    QComboBox *seriesBox() const { return m_series; }

signals:
    void studyShown(int trials);   // also after a load error (0 trials; the message says why)
    void sweepChanged();           // the sweep chart was redrawn

private:
    void present(const LoadedStudy &loaded);
    void fillCombos();
    void fillTable();
    void redrawSweep();
    void exportCsvInteractively();
    QStringList tableMetrics() const;

    metrics::Study m_study;
    QLabel *m_message = nullptr;
    QComboBox *m_metric = nullptr, *m_x = nullptr, *m_series = nullptr;
    QCheckBox *m_logX = nullptr, *m_logY = nullptr;
    QPushButton *m_reload = nullptr, *m_export = nullptr;
    QTabWidget *m_tabs = nullptr;
    charts::SweepChart *m_sweep = nullptr;
    StudyCharts *m_charts = nullptr;
    QTableView *m_table = nullptr;
    QStandardItemModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QFutureWatcher<LoadedStudy> m_watcher;
    QString m_pendingRun; // the newest request while one loads
    bool m_filling = false;
};

} // namespace fb::gui
