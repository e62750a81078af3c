// LogsPanel: the campaign's events live, or the merged per-node, per-component
// log of a recorded run (merged.jsonl of each trial) or one job's log file —
// in a table (LogModel, a bounded ring buffer) filtered by level, node,
// component and a search text (Ctrl+F), with a follow mode that keeps the
// newest line in view until the user scrolls up. Files are read on worker
// threads (QtConcurrent + QFutureWatcher); the GUI thread only shows rows.
#pragma once

#include "LogModel.h"

#include <QFutureWatcher>
#include <QWidget>

#include <functional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class QTimer;
class QToolButton;

namespace fb::gui {

class LogsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit LogsPanel(QWidget *parent = nullptr);

    // Live; shown while the live source is selected. Events are batched and
    // reach the table every 50 ms in one insertion, so a chatty campaign costs
    // one model/view update per batch rather than one per line.
    void appendEvent(const fb::session::CampaignEvent &event);
    void flush(); // the batch now
    QString text() const; // the live events as text lines (tests, copy), batch included

    // Asynchronous; `loaded` when the rows are in.
    void showRunLog(const QString &runId);                                     // <state>/runs/<id>/*/merged.jsonl
    void showLogFile(const QString &path, const QString &trial, const QString &node); // one job's log
    void showLive();
    bool isLive() const;

    bool isFollowing() const;
    void setFollowing(bool on);

    LogModel *liveModel() const { return m_live; }
    LogModel *fileModel() const { return m_file; }
    LogFilterModel *filterModel() const { return m_filter; }
    QTableView *view() const { return m_view; }

signals:
    void loaded(int rows, const QStringList &errors);

private:
    void load(const QString &title, std::function<LoadedLog()> job);
    void setSource(LogModel *model);
    void refillCombo(QComboBox *combo, const QString &all, const QStringList &values);
    void scrollToNewest();

    LogModel *m_live = nullptr;
    LogModel *m_file = nullptr;
    LogFilterModel *m_filter = nullptr;
    QTableView *m_view = nullptr;
    QComboBox *m_source = nullptr;
    QComboBox *m_level = nullptr;
    QComboBox *m_node = nullptr;
    QComboBox *m_component = nullptr;
    QLineEdit *m_search = nullptr;
    QCheckBox *m_onlyMatching = nullptr;
    QToolButton *m_follow = nullptr;
    QLabel *m_status = nullptr;
    QList<LogEntry> m_batch;
    QTimer *m_batchTimer = nullptr;
    QFutureWatcher<LoadedLog> m_loader;
    std::function<LoadedLog()> m_pending;
    QString m_pendingTitle;
    bool m_autoScrolling = false;
};

} // namespace fb::gui
