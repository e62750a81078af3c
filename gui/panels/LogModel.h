// LogModel: the rows of the Logs panel — time, level, node, trial/component,
// message — in a bounded ring buffer (std::deque, oldest rows dropped in
// chunks) so hours of campaign logs keep the view fast. LogFilterModel filters
// by minimum level, node, component and a search text (or only highlights the
// matches). parseMergedLog() turns a trial's merged.jsonl (Campaign::collectLogs)
// into entries; it runs on worker threads.
#pragma once

#include "session/Campaign.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QHash>
#include <QSortFilterProxyModel>
#include <QStringList>

#include <deque>

namespace fb::gui {

struct LogEntry
{
    enum Level { Debug, Info, Warning, Error };
    QDateTime time;
    Level level = Info;
    QString node;      // empty for login-node / campaign events
    QString trial;
    QString component; // campaign step ("health") or job log source ("service-redis-1234")
    QString message;

    static LogEntry fromEvent(const fb::session::CampaignEvent &e);
    static QString levelName(Level level);
    // Best-effort level of a job-log line: "ERROR", "fatal", "Traceback" → Error, "WARN" → Warning.
    static Level guessLevel(const QString &text);
};

// Reads <runDir>/<trial>/merged.jsonl of every trial (or one file given as
// `file`): any thread. `nodes` maps Slurm job ids to their node list, so job
// log lines get a node. Errors name the file and line.
struct LoadedLog
{
    QString title;
    QList<LogEntry> entries;
    QStringList errors;
};
LoadedLog loadRunLog(const QString &runDir, const QHash<QString, QString> &nodes);
LoadedLog loadJobLogFile(const QString &path, const QString &trial, const QString &node);

class LogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, Level, Node, Source, Message, ColumnCount };
    enum Role { LevelRole = Qt::UserRole + 1, NodeRole, ComponentRole, TrialRole };

    explicit LogModel(int capacity = 50000, QObject *parent = nullptr);

    void append(const QList<LogEntry> &entries);
    void append(const LogEntry &entry) { append(QList<LogEntry>{entry}); }
    void clear();
    int capacity() const { return m_capacity; }
    const LogEntry &entry(int row) const { return m_rows[size_t(row)]; }
    QStringList nodes() const { return m_nodes; }           // in order of arrival
    QStringList components() const { return m_components; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

signals:
    void nodesChanged(const QStringList &nodes);
    void componentsChanged(const QStringList &components);

private:
    std::deque<LogEntry> m_rows;
    int m_capacity;
    QStringList m_nodes, m_components;
};

class LogFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit LogFilterModel(QObject *parent = nullptr);
    void setMinimumLevel(LogEntry::Level level);
    void setNode(const QString &node);           // empty: all
    void setComponent(const QString &component); // empty: all
    void setSearch(const QString &text, bool filter); // filter=false: only highlight
    bool matchesSearch(int sourceRow) const;
    QVariant data(const QModelIndex &index, int role) const override;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    LogEntry::Level m_level = LogEntry::Debug;
    QString m_node, m_component, m_search;
    bool m_searchFilters = true;
};

} // namespace fb::gui
