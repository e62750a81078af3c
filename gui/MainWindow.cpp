#include "MainWindow.h"

#include "panels/ConnectionsPanel.h"
#include "dialogs/ExportFigureDialog.h"
#include "dialogs/GuiPrompter.h"
#include "RecipeDocument.h"
#include "RecipeEditor.h"
#include "panels/CampaignPanel.h"
#include "panels/JobsPanel.h"
#include "panels/LogsPanel.h"
#include "panels/ResultsDashboardPanel.h"
#include "panels/SessionLiveMonitor.h"
#include "panels/RunsPanel.h"
#include "panels/StudyPanel.h"
#include "panels/TunnelsPanel.h"
#include "FileDropHandler.h"

#include "ChartWidget.h"
#include "common/AppInfo.h"

#include <QApplication>
#include <QCloseEvent>
#include <QShowEvent>
#include <QTimer>
#include <QDockWidget>
#include <QMenuBar>
#include <QScrollArea>
#include <QMessageBox>
#include <QPointer>
#include <QSettings>
#include <QStatusBar>

// The .qrc lives in a static library, so it must be registered explicitly;
// Q_INIT_RESOURCE cannot be used inside a namespace.
static void initResources() { Q_INIT_RESOURCE(factorybench); }

namespace fb::gui {

namespace {
constexpr int kLayoutVersion = 3; // bump when panels change, so old layouts are dropped
}

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    initResources();
    setObjectName(QStringLiteral("MainWindow"));
    setWindowTitle(QStringLiteral("FactoryBench"));
    setWindowIcon(QIcon(QStringLiteral(":/factorybench/icons/factorybench.svg")));
    setDockNestingEnabled(true);
    setDocumentMode(true);

    // Docks fill the whole window: there is no fixed central widget, so users
    // can arrange the editor and the dashboard side by side or tabbed.
    auto *centre = new QWidget(this);
    centre->setMaximumSize(0, 0);
    setCentralWidget(centre);

    m_connections = new ConnectionsPanel(this);
    addPanel(QStringLiteral("Connections"), m_connections, Qt::LeftDockWidgetArea);
    m_runner = new session::CampaignRunner(this);
    m_campaign = new CampaignPanel(m_runner, this);
    m_prompter = new GuiPrompter(this, this);
    m_connections->setPrompter(m_prompter);
    m_campaign->setPrompter(m_prompter);
    // Recipe: the visual editor. Session: the one-click campaign of the
    // recipe file the editor has open (or any other), with its script preview.
    m_editor = new editor::RecipeEditor(this);
    addPanel(QStringLiteral("Recipe"), m_editor, Qt::RightDockWidgetArea);
    addPanel(QStringLiteral("Session"), m_campaign, Qt::RightDockWidgetArea);
    m_dashboard = new ResultsDashboardPanel(this);
    addPanel(QStringLiteral("Dashboard"), m_dashboard, Qt::RightDockWidgetArea);
    m_study = new StudyPanel(this);
    addPanel(QStringLiteral("Study"), m_study, Qt::RightDockWidgetArea);
    m_jobs = new JobsPanel(this);
    addPanel(QStringLiteral("Jobs"), m_jobs, Qt::RightDockWidgetArea);
    addPanel(QStringLiteral("Tunnels"), new TunnelsPanel(m_connections, this), Qt::RightDockWidgetArea);
    m_runs = new RunsPanel(this);
    addPanel(QStringLiteral("Runs"), m_runs, Qt::LeftDockWidgetArea);
    m_logs = new LogsPanel(this);
    addPanel(QStringLiteral("Logs"), m_logs, Qt::RightDockWidgetArea);

    // The one-click session: the campaign panel starts, the others follow.
    connect(m_connections, &ConnectionsPanel::currentProfileChanged, m_campaign, &CampaignPanel::setProfile);
    m_campaign->setProfile(m_connections->currentProfile());
    connect(m_runner, &session::CampaignRunner::event, m_logs, &LogsPanel::appendEvent);
    connect(m_runs, &RunsPanel::selectionChanged, m_dashboard, &ResultsDashboardPanel::showRun);
    // The file the editor opens or saves is the one the session runs.
    connect(m_editor->document(), &editor::RecipeDocument::fileNameChanged, m_campaign, [this](const QString &file) {
        if (!file.isEmpty() && !m_runner->isRunning())
            m_campaign->setRecipePath(file);
    });
    connect(m_editor->document(), &editor::RecipeDocument::dirtyChanged, m_campaign, [this](bool dirty) {
        if (!dirty && !m_editor->document()->fileName().isEmpty() && !m_runner->isRunning())
            m_campaign->setRecipePath(m_editor->document()->fileName()); // saved: re-check and re-plan
    });
    connect(m_runner, &session::CampaignRunner::jobChanged, m_jobs, &JobsPanel::updateJob);
    // Live dashboard: a trial's Prometheus, through a tunnel, once it answers.
    m_live = new SessionLiveMonitor(m_runner, m_campaign, m_connections, findChild<TunnelsPanel *>(), m_dashboard, this);
    connect(m_live, &SessionLiveMonitor::event, m_logs, &LogsPanel::appendEvent);
    connect(m_live, &SessionLiveMonitor::message, this, [this](const QString &text) { statusBar()->showMessage(text, 10000); });
    connect(m_live, &SessionLiveMonitor::wentLive, this, [this] { dock(QStringLiteral("Dashboard"))->raise(); });
    connect(m_runner, &session::CampaignRunner::trialChanged, m_runs, &RunsPanel::reload);
    connect(m_runner, &session::CampaignRunner::finished, this, [this] {
        m_runs->reload(); // the Session panel's notifier tells the user (tray, else alert + status bar)
    });
    // Panels' actions: Runs → logs, compare; Jobs → scancel, job log, messages.
    connect(m_runs, &RunsPanel::selectionChanged, m_logs, [this](const QString &runId) { m_logs->showRunLog(runId); });
    connect(m_runs, &RunsPanel::studyRequested, this, [this](const QString &runId) {
        m_study->showRun(runId);
        dock(QStringLiteral("Study"))->raise();
    });
    // A running run's study follows its new results.
    connect(m_runner, &session::CampaignRunner::trialChanged, m_study, [this] {
        if (!m_study->runId().isEmpty() && m_runner->isRunning())
            m_study->reload();
    });
    connect(m_runs, &RunsPanel::compareRequested, this, [this](const QStringList &runIds) {
        m_dashboard->compareRuns(runIds);
        dock(QStringLiteral("Dashboard"))->raise();
    });
    connect(m_jobs, &JobsPanel::cancelRequested, this, [this](const QString &jobId) {
        if (!m_runner->cancelJob(jobId))
            statusBar()->showMessage(tr("Job %1 is not part of a running campaign; use scancel on the cluster.").arg(jobId), 10000);
    });
    connect(m_jobs, &JobsPanel::openLogRequested, this, [this](const QString &path, const QString &trial, const QString &node) {
        m_logs->showLogFile(path, trial, node);
        dock(QStringLiteral("Logs"))->raise();
    });
    connect(m_jobs, &JobsPanel::message, this, [this](const QString &text) { statusBar()->showMessage(text, 10000); });

    // A .yaml dropped anywhere on the window opens in the editor (after the unsaved-changes prompt).
    connect(new FileDropHandler(this), &FileDropHandler::recipeDropped, m_editor, &editor::RecipeEditor::requestOpen);
    // However a file is opened (File > Open, Open Recent, a drop), valid or for repair, the editor comes to the front.
    connect(m_editor, &editor::RecipeEditor::fileOpened, this, [this] {
        QDockWidget *recipe = dock(QStringLiteral("Recipe"));
        recipe->show();
        recipe->raise();
    });
    // The selected cluster's declared tools: the validator warns about what it lacks,
    // and templates dropped on a cluster without Apptainer run natively.
    auto applyTools = [this] {
        const QString name = m_connections->currentProfile();
        ClusterTools tools = name.isEmpty() ? ClusterTools{} : m_connections->profile(name).tools;
        tools.source = name;
        m_editor->document()->setClusterTools(tools);
    };
    connect(m_connections, &ConnectionsPanel::currentProfileChanged, this, applyTools);
    connect(m_connections, &ConnectionsPanel::profilesChanged, this, applyTools);
    applyTools();
    buildMenus();
    applyDefaultLayout();
    m_defaultState = saveState(kLayoutVersion);
    statusBar()->showMessage(tr("Ready"));
    resize(1440, 900);
}

MainWindow::~MainWindow() = default;

QDockWidget *MainWindow::addPanel(const QString &name, QWidget *panel, Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(name, this);
    dock->setObjectName(name); // saveState() identifies docks by object name
    // Dense panels (the editor, the dashboard) scroll rather than force a
    // minimum window size larger than a laptop screen.
    auto *scroll = new QScrollArea(dock);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(panel);
    dock->setWidget(scroll);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable
                      | QDockWidget::DockWidgetClosable);
    addDockWidget(area, dock);
    m_docks << dock;
    return dock;
}

void MainWindow::applyDefaultLayout()
{
    // Left column: connections over runs; right: recipe and dashboard as tabs;
    // below them: jobs, tunnels and logs as tabs.
    splitDockWidget(dock(QStringLiteral("Connections")), dock(QStringLiteral("Runs")), Qt::Vertical);
    splitDockWidget(dock(QStringLiteral("Recipe")), dock(QStringLiteral("Jobs")), Qt::Vertical);
    tabifyDockWidget(dock(QStringLiteral("Recipe")), dock(QStringLiteral("Session")));
    tabifyDockWidget(dock(QStringLiteral("Recipe")), dock(QStringLiteral("Dashboard")));
    tabifyDockWidget(dock(QStringLiteral("Dashboard")), dock(QStringLiteral("Study")));
    tabifyDockWidget(dock(QStringLiteral("Jobs")), dock(QStringLiteral("Tunnels")));
    tabifyDockWidget(dock(QStringLiteral("Jobs")), dock(QStringLiteral("Logs")));
    dock(QStringLiteral("Recipe"))->raise();
    dock(QStringLiteral("Jobs"))->raise();
}

void MainWindow::applyDefaultSizes()
{
    // Dock sizes only take once the window has its final size.
    const int w = width(), h = height();
    resizeDocks({dock(QStringLiteral("Connections")), dock(QStringLiteral("Recipe"))}, {w * 27 / 100, w * 73 / 100},
                Qt::Horizontal);
    resizeDocks({dock(QStringLiteral("Recipe")), dock(QStringLiteral("Jobs"))}, {h * 68 / 100, h * 32 / 100}, Qt::Vertical);
    resizeDocks({dock(QStringLiteral("Connections")), dock(QStringLiteral("Runs"))}, {h * 40 / 100, h * 60 / 100},
                Qt::Vertical);
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (!m_sizesApplied && !m_layoutRestored)
        QTimer::singleShot(0, this, &MainWindow::applyDefaultSizes); // after the first layout pass
    m_sizesApplied = true;
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    // Not the editor's Open action itself: it carries the recent-files drop-down, which a menu would show as a submenu.
    file->addAction(m_editor->openAction()->icon(), tr("&Open Recipe…"), m_editor->openAction(), &QAction::trigger);
    QMenu *recent = file->addMenu(tr("Open &Recent")); // the same list as the editor's Open drop-down
    recent->setObjectName(QStringLiteral("recentMenu"));
    m_editor->attachRecentMenu(recent);
    file->addAction(m_editor->saveAction());
    file->addAction(m_editor->saveAsAction());
    file->addSeparator();
    // Export Figure: the chart with the focus (else the first shown), with
    // every chart on screen to choose from; each chart's context menu opens
    // the same dialog on itself (ChartWidget's export handler).
    const auto exportFigure = [this](charts::ChartWidget *current) {
        QList<charts::ChartWidget *> shown;
        const auto all = findChildren<charts::ChartWidget *>();
        for (charts::ChartWidget *c : all)
            if (c->isVisible())
                shown << c;
        if (!current)
            for (QWidget *w = QApplication::focusWidget(); w && !current; w = w->parentWidget())
                current = qobject_cast<charts::ChartWidget *>(w);
        if (current && !shown.contains(current))
            shown.prepend(current);
        if (shown.isEmpty()) {
            QMessageBox::information(this, tr("Export Figure"), tr("No chart is shown: open a run's dashboard or study first."));
            return;
        }
        ExportFigureDialog dialog(shown, current ? current : shown.first(), this);
        dialog.exec();
    };
    QAction *exportAction = file->addAction(tr("&Export Figure…"), this, [exportFigure] { exportFigure(nullptr); });
    exportAction->setObjectName(QStringLiteral("exportFigureAction"));
    charts::ChartWidget::setExportHandler([self = QPointer<MainWindow>(this), exportFigure](charts::ChartWidget *c) {
        if (self) // the handler is global; a test may have closed this window
            exportFigure(c);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *d : std::as_const(m_docks))
        view->addAction(d->toggleViewAction());
    view->addSeparator();
    view->addAction(tr("&Reset Layout"), this, &MainWindow::resetLayout);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About FactoryBench"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

QDockWidget *MainWindow::dock(const QString &name) const
{
    for (QDockWidget *d : m_docks)
        if (d->objectName() == name)
            return d;
    return nullptr;
}

QStringList MainWindow::dockNames() const
{
    QStringList names;
    for (QDockWidget *d : m_docks)
        names << d->objectName();
    return names;
}

bool MainWindow::selectProfile(const QString &name) { return m_connections->selectProfile(name); }

void MainWindow::saveLayout() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("MainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("MainWindow/state"), saveState(kLayoutVersion));
}

bool MainWindow::restoreLayout()
{
    QSettings settings;
    const QByteArray geometry = settings.value(QStringLiteral("MainWindow/geometry")).toByteArray();
    const QByteArray state = settings.value(QStringLiteral("MainWindow/state")).toByteArray();
    bool ok = true;
    if (!geometry.isEmpty())
        ok = restoreGeometry(geometry) && ok;
    if (!state.isEmpty())
        ok = restoreState(state, kLayoutVersion) && ok;
    m_layoutRestored = ok && !state.isEmpty();
    return m_layoutRestored;
}

void MainWindow::resetLayout()
{
    for (QDockWidget *d : std::as_const(m_docks)) {
        d->setFloating(false);
        d->show();
    }
    restoreState(m_defaultState, kLayoutVersion);
    applyDefaultSizes();
}

void MainWindow::showAbout()
{
    QMessageBox box(this);
    box.setObjectName(QStringLiteral("AboutDialog"));
    box.setWindowTitle(tr("About FactoryBench"));
    box.setIconPixmap(windowIcon().pixmap(96, 96));
    box.setTextFormat(Qt::RichText);
    box.setText(tr("<h3>FactoryBench %1</h3>"
                   "<p>Benchmark AI Factory services on Slurm clusters, end to end.</p>"
                   "<p>Commit %2 · Qt %3</p>"
                   "<p>Licensed under the GNU General Public License, version 3 or later (%4).<br>"
                   "This program comes with ABSOLUTELY NO WARRANTY.</p>")
                    .arg(fb::versionString(), fb::gitCommit(), QString::fromLatin1(qVersion()), fb::licenseName()));
    box.exec();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!m_editor->maybeSave()) { // unsaved recipe: save, discard or stay
        event->ignore();
        return;
    }
    saveLayout();
    event->accept();
}

} // namespace fb::gui
