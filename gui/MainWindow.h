// MainWindow: the FactoryBench desktop window. It owns the dockable panels
// (Connections, Recipe, Jobs, Tunnels, Runs, Dashboard, Logs), the menus and
// the About dialog, and restores its geometry and dock layout on restart.
#pragma once

#include <QMainWindow>

class QDockWidget;

namespace fb::session {
class CampaignRunner;
}
namespace fb::editor {
class RecipeEditor;
}

namespace fb::gui {

class ConnectionsPanel;
class CampaignPanel;
class GuiPrompter;
class JobsPanel;
class LogsPanel;
class RunsPanel;
class ResultsDashboardPanel;
class StudyPanel;
class SessionLiveMonitor;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // The dock of a panel by its object name ("Connections", "Jobs", …).
    QDockWidget *dock(const QString &name) const;
    QStringList dockNames() const;
    ConnectionsPanel *connectionsPanel() const { return m_connections; }
    CampaignPanel *campaignPanel() const { return m_campaign; }
    editor::RecipeEditor *recipeEditor() const { return m_editor; }
    JobsPanel *jobsPanel() const { return m_jobs; }
    LogsPanel *logsPanel() const { return m_logs; }
    RunsPanel *runsPanel() const { return m_runs; }
    ResultsDashboardPanel *dashboardPanel() const { return m_dashboard; }
    StudyPanel *studyPanel() const { return m_study; }
    SessionLiveMonitor *liveMonitor() const { return m_live; }

    // Selects a connection profile by name (e.g. from --profile).
    bool selectProfile(const QString &name);

    void saveLayout() const;
    bool restoreLayout();

public slots:
    void showAbout();
    void resetLayout();

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    QDockWidget *addPanel(const QString &name, QWidget *panel, Qt::DockWidgetArea area);
    void buildMenus();
    void applyDefaultLayout();
    void applyDefaultSizes();

    ConnectionsPanel *m_connections = nullptr;
    session::CampaignRunner *m_runner = nullptr;
    GuiPrompter *m_prompter = nullptr;
    CampaignPanel *m_campaign = nullptr;
    editor::RecipeEditor *m_editor = nullptr;
    JobsPanel *m_jobs = nullptr;
    LogsPanel *m_logs = nullptr;
    RunsPanel *m_runs = nullptr;
    ResultsDashboardPanel *m_dashboard = nullptr;
    StudyPanel *m_study = nullptr;
    SessionLiveMonitor *m_live = nullptr;
    QList<QDockWidget *> m_docks;
    QByteArray m_defaultState;
    bool m_layoutRestored = false;
    bool m_sizesApplied = false;
};

} // namespace fb::gui
