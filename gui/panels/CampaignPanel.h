// CampaignPanel (the Recipe dock, until the visual editor arrives): pick a
// recipe file, check it, preview the trials and the exact batch scripts, and
// start the campaign on the selected connection with one click. Loading,
// validating and generating run on worker threads (QtConcurrent); the
// campaign itself runs on CampaignRunner's thread. Progress shows per trial;
// Cancel scancels the run's jobs. When the campaign ends or fails the
// CampaignNotifier tells the user (tray message, else taskbar alert + status bar).
#pragma once

#include "session/CampaignRunner.h"

#include <QFutureWatcher>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace fb::gui {

class CampaignNotifier;

struct RecipePlan
{
    QString path;
    QString diagnostics;          // every finding, one per line
    bool ok = false;
    QStringList trialLabels;      // "t001  clients[0].load.concurrency=1"
    QList<QString> trialScripts;  // per trial: all its scripts, concatenated with headers
};

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
    static RecipePlan plan(const QString &path); // any thread
    CampaignNotifier *notifier() const { return m_notifier; }

signals:
    void planReady(bool ok);

private:
    void showPlan(const RecipePlan &plan);
    void updateButtons();

    session::CampaignRunner *m_runner;
    SshAuthPrompter *m_prompter = nullptr;
    CampaignNotifier *m_notifier = nullptr;
    QString m_profile;
    QLineEdit *m_path = nullptr;
    QComboBox *m_trials = nullptr;
    QPlainTextEdit *m_preview = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_diagnostics = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_run = nullptr;
    QPushButton *m_cancel = nullptr;
    QFutureWatcher<RecipePlan> m_planWatcher;
    RecipePlan m_plan;
    int m_trialsDone = 0;
};

} // namespace fb::gui
