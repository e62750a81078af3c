// CampaignPanel (the Session dock): pick a recipe file, check it, see the
// plan — one row per trial with its swept values, its jobs' partition,
// nodes, time limit, CPUs, GPUs and memory as the generated scripts request
// them, and the summary line (trials · jobs · node-hours · est. wall time) —
// preview the exact batch scripts of the selected trial, and start the
// campaign on the selected connection with one click. Loading, validating
// and generating run on worker threads (QtConcurrent); the campaign itself
// runs on CampaignRunner's thread. The plan table follows each trial's state
// and step, the progress bar the trials done;
// Cancel scancels the run's jobs. When the campaign ends or fails the
// CampaignNotifier tells the user (tray message, else taskbar alert + status bar).
#pragma once

#include "SessionPlan.h"
#include "session/CampaignRunner.h"

#include <QFutureWatcher>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace fb::gui {

class CampaignNotifier;

class CampaignPanel : public QWidget
{
    Q_OBJECT
public:
    explicit CampaignPanel(session::CampaignRunner *runner, QWidget *parent = nullptr);

    void setRecipePath(const QString &path); // loads and previews it (asynchronously)
    QString recipePath() const;
    void setProfile(const QString &name);
    void setPrompter(SshAuthPrompter *prompter) { m_prompter = prompter; } // host keys, passphrases, one-time codes
    bool startCampaign();                     // false with a message when it cannot start
    const SessionPlan &sessionPlan() const { return m_plan; }
    QString profile() const { return m_profile; }           // the selected connection: the next campaign's
    QString runProfile() const { return m_runProfile; }     // the connection the last campaign started on
    QString planSummary() const;                 // the summary line as shown
    int planRowCount() const;                    // trials in the plan table
    QString trialCell(const QString &trialId, int column) const; // as shown; empty when unknown

    enum Column { TrialColumn, ParametersColumn, PartitionColumn, NodesColumn, TimeColumn, CpusColumn, GpusColumn,
                  MemoryColumn, StateColumn, StepColumn, ColumnCount };
    CampaignNotifier *notifier() const { return m_notifier; }

signals:
    void planReady(bool ok);

private:
    void showPlan(const SessionPlan &plan);
    void showTrialState(const QString &trial, fb::session::TrialState state, const QString &step);
    QTreeWidgetItem *trialItem(const QString &trialId) const;
    void updateButtons();

    session::CampaignRunner *m_runner;
    SshAuthPrompter *m_prompter = nullptr;
    CampaignNotifier *m_notifier = nullptr;
    QString m_profile;
    QString m_runProfile;
    QLineEdit *m_path = nullptr;
    QLabel *m_summary = nullptr;
    QTreeWidget *m_table = nullptr;
    QPlainTextEdit *m_preview = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_diagnostics = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_run = nullptr;
    QPushButton *m_cancel = nullptr;
    QFutureWatcher<SessionPlan> m_planWatcher;
    SessionPlan m_plan;
    int m_trialsDone = 0;
};

} // namespace fb::gui
