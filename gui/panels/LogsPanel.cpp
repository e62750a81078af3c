#include "LogsPanel.h"

#include "common/Paths.h"
#include "session/RunStore.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QScrollBar>
#include <QShortcut>
#include <QSignalBlocker>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace fb::gui {

LogsPanel::LogsPanel(QWidget *parent)
    : QWidget(parent)
{
    m_live = new LogModel(50000, this);
    m_file = new LogModel(500000, this); // a recorded run is read whole; still bounded
    m_filter = new LogFilterModel(this);
    m_filter->setSourceModel(m_live);
    m_batchTimer = new QTimer(this);
    m_batchTimer->setSingleShot(true);
    m_batchTimer->setInterval(50);
    connect(m_batchTimer, &QTimer::timeout, this, &LogsPanel::flush);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    auto *bar = new QHBoxLayout;
    m_source = new QComboBox(this);
    m_source->setObjectName(QStringLiteral("logSource"));
    m_source->addItem(tr("Live campaign"));
    m_source->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_level = new QComboBox(this);
    m_level->setObjectName(QStringLiteral("logLevel"));
    m_level->addItem(tr("All levels"), int(LogEntry::Debug));
    m_level->addItem(tr("Info and above"), int(LogEntry::Info));
    m_level->addItem(tr("Warnings and errors"), int(LogEntry::Warning));
    m_level->addItem(tr("Errors only"), int(LogEntry::Error));
    m_node = new QComboBox(this);
    m_node->setObjectName(QStringLiteral("logNode"));
    m_node->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_component = new QComboBox(this);
    m_component->setObjectName(QStringLiteral("logComponent"));
    m_component->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    refillCombo(m_node, tr("All nodes"), {});
    refillCombo(m_component, tr("All components"), {});
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("logSearch"));
    m_search->setPlaceholderText(tr("Search (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->setMinimumWidth(160);
    m_onlyMatching = new QCheckBox(tr("Only matching"), this);
    m_onlyMatching->setObjectName(QStringLiteral("logOnlyMatching"));
    m_onlyMatching->setChecked(true);
    m_onlyMatching->setToolTip(tr("Hide the lines without the search text; unchecked, matches are highlighted"));
    m_follow = new QToolButton(this);
    m_follow->setObjectName(QStringLiteral("logFollow"));
    m_follow->setText(tr("Follow"));
    m_follow->setCheckable(true);
    m_follow->setChecked(true);
    m_follow->setToolTip(tr("Keep the newest line in view; scrolling up turns this off"));
    bar->addWidget(m_source);
    bar->addWidget(m_level);
    bar->addWidget(m_node);
    bar->addWidget(m_component);
    bar->addWidget(m_search, 1);
    bar->addWidget(m_onlyMatching);
    bar->addWidget(m_follow);
    layout->addLayout(bar);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("logView"));
    m_view->setModel(m_filter);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->verticalHeader()->hide();
    // Fixed row heights: the view never measures rows, so 50 000 stay fast.
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    QHeaderView *h = m_view->horizontalHeader();
    h->setStretchLastSection(true);
    h->setHighlightSections(false);
    const QFontMetrics fm(m_view->font());
    h->resizeSection(LogModel::Time, fm.horizontalAdvance(QStringLiteral("00:00:00.000")) + 20);
    h->resizeSection(LogModel::Level, fm.horizontalAdvance(QStringLiteral("ERROR")) + 20);
    h->resizeSection(LogModel::Node, fm.horizontalAdvance(QStringLiteral("node-0000")) + 20);
    h->resizeSection(LogModel::Source, fm.horizontalAdvance(QStringLiteral("t001 · service-redis-1234")) + 20);
    layout->addWidget(m_view, 1);
    m_status = new QLabel(tr("Campaign events appear here while a run goes on; select a run in Runs to read its merged log."), this);
    m_status->setObjectName(QStringLiteral("logStatus"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    auto *find = new QShortcut(QKeySequence::Find, this);
    find->setContext(Qt::WidgetWithChildrenShortcut);
    connect(find, &QShortcut::activated, this, [this] {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
    connect(m_level, &QComboBox::currentIndexChanged, this,
            [this] { m_filter->setMinimumLevel(LogEntry::Level(m_level->currentData().toInt())); });
    connect(m_node, &QComboBox::currentIndexChanged, this, [this] { m_filter->setNode(m_node->currentData().toString()); });
    connect(m_component, &QComboBox::currentIndexChanged, this,
            [this] { m_filter->setComponent(m_component->currentData().toString()); });
    auto search = [this] { m_filter->setSearch(m_search->text(), m_onlyMatching->isChecked()); };
    connect(m_search, &QLineEdit::textChanged, this, search);
    connect(m_onlyMatching, &QCheckBox::toggled, this, search);
    connect(m_source, &QComboBox::currentIndexChanged, this, [this](int i) { setSource(i == 0 ? m_live : m_file); });
    connect(m_follow, &QToolButton::toggled, this, [this](bool on) {
        if (on)
            scrollToNewest();
    });
    // Follow mode: new rows scroll into view; a scroll away from the bottom by
    // the user (not by us) turns it off.
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_follow->isChecked())
            scrollToNewest();
    });
    connect(m_view->verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        if (!m_autoScrolling && m_follow->isChecked() && value < m_view->verticalScrollBar()->maximum())
            m_follow->setChecked(false);
    });
    for (LogModel *m : {m_live, m_file}) {
        connect(m, &LogModel::nodesChanged, this, [this, m](const QStringList &nodes) {
            if (m_filter->sourceModel() == m)
                refillCombo(m_node, tr("All nodes"), nodes);
        });
        connect(m, &LogModel::componentsChanged, this, [this, m](const QStringList &components) {
            if (m_filter->sourceModel() == m)
                refillCombo(m_component, tr("All components"), components);
        });
    }
    connect(&m_loader, &QFutureWatcher<LoadedLog>::finished, this, [this] {
        const LoadedLog log = m_loader.result();
        m_file->clear();
        m_file->append(log.entries);
        {
            const QSignalBlocker block(m_source);
            if (m_source->count() < 2)
                m_source->addItem(QString());
            m_source->setItemText(1, log.title);
            m_source->setCurrentIndex(1);
        }
        setSource(m_file);
        m_status->setText(log.errors.isEmpty() ? tr("%1: %n line(s)", nullptr, int(log.entries.size())).arg(log.title)
                                               : log.errors.join(QLatin1Char('\n')));
        emit loaded(int(log.entries.size()), log.errors);
        if (m_pending) {
            auto job = std::exchange(m_pending, {});
            load(std::exchange(m_pendingTitle, {}), std::move(job));
        }
    });
}

void LogsPanel::refillCombo(QComboBox *combo, const QString &all, const QStringList &values)
{
    const QString current = combo->currentData().toString();
    int i = -1;
    {
        const QSignalBlocker block(combo); // one filter change at most, below
        combo->clear();
        combo->addItem(all, QString());
        QStringList sorted = values;
        sorted.sort();
        for (const QString &v : std::as_const(sorted))
            combo->addItem(v, v);
        i = combo->findData(current);
        combo->setCurrentIndex(i < 0 ? 0 : i);
    }
    if (i < 0 && !current.isEmpty()) { // the chosen value is gone (another source): show all
        if (combo == m_node)
            m_filter->setNode({});
        else
            m_filter->setComponent({});
    }
}

void LogsPanel::setSource(LogModel *model)
{
    if (m_filter->sourceModel() != model)
        m_filter->setSourceModel(model);
    refillCombo(m_node, tr("All nodes"), model->nodes());
    refillCombo(m_component, tr("All components"), model->components());
    if (m_follow->isChecked())
        scrollToNewest();
}

void LogsPanel::scrollToNewest()
{
    m_autoScrolling = true;
    m_view->scrollToBottom();
    m_autoScrolling = false;
}

void LogsPanel::appendEvent(const fb::session::CampaignEvent &e)
{
    m_batch << LogEntry::fromEvent(e);
    if (!m_batchTimer->isActive())
        m_batchTimer->start();
}

void LogsPanel::flush()
{
    m_batchTimer->stop();
    if (!m_batch.isEmpty())
        m_live->append(std::exchange(m_batch, {}));
}

QString LogsPanel::text() const
{
    QStringList lines;
    lines.reserve(m_live->rowCount() + m_batch.size());
    auto line = [](const LogEntry &e) {
        return QStringLiteral("%1 %2 %3 %4: %5")
            .arg(e.time.toString(Qt::ISODateWithMs), LogEntry::levelName(e.level), e.trial, e.component, e.message);
    };
    for (int i = 0; i < m_live->rowCount(); ++i)
        lines << line(m_live->entry(i));
    for (const LogEntry &e : m_batch)
        lines << line(e);
    return lines.join(QLatin1Char('\n'));
}

void LogsPanel::load(const QString &title, std::function<LoadedLog()> job)
{
    if (m_loader.isRunning()) { // the newest request wins
        m_pending = std::move(job);
        m_pendingTitle = title;
        return;
    }
    m_status->setText(tr("Reading %1…").arg(title));
    m_loader.setFuture(QtConcurrent::run(std::move(job)));
}

void LogsPanel::showRunLog(const QString &runId)
{
    if (runId.isEmpty())
        return;
    const QString store = Paths::runStorePath();
    const QString dir = Paths::stateDir() + QStringLiteral("/runs/") + runId;
    load(runId, [store, dir, runId] {
        QHash<QString, QString> nodes; // job id → node(s), from the run store
        session::RunStore s;
        QString error;
        if (s.open(store, &error))
            for (const session::JobRecord &j : s.jobs(runId))
                nodes.insert(j.jobId, j.nodes);
        LoadedLog log = loadRunLog(dir, nodes);
        log.title = runId;
        return log;
    });
}

void LogsPanel::showLogFile(const QString &path, const QString &trial, const QString &node)
{
    load(QFileInfo(path).fileName(), [path, trial, node] { return loadJobLogFile(path, trial, node); });
}

void LogsPanel::showLive()
{
    m_source->setCurrentIndex(0);
}

bool LogsPanel::isLive() const
{
    return m_filter->sourceModel() == m_live;
}

bool LogsPanel::isFollowing() const
{
    return m_follow->isChecked();
}

void LogsPanel::setFollowing(bool on)
{
    m_follow->setChecked(on);
}

} // namespace fb::gui
