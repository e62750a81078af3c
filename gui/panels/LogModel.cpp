#include "LogModel.h"

#include <QBrush>
#include <QColor>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace fb::gui {

LogEntry LogEntry::fromEvent(const fb::session::CampaignEvent &e)
{
    LogEntry l;
    l.time = e.time;
    l.level = e.level == session::CampaignEvent::Error ? Error : e.level == session::CampaignEvent::Warning ? Warning : Info;
    l.trial = e.trialId;
    l.component = e.step.isEmpty() ? QStringLiteral("campaign") : e.step;
    l.message = e.message;
    return l;
}

QString LogEntry::levelName(Level level)
{
    switch (level) {
    case Debug: return QStringLiteral("DEBUG");
    case Info: return QStringLiteral("INFO");
    case Warning: return QStringLiteral("WARN");
    case Error: return QStringLiteral("ERROR");
    }
    return {};
}

LogEntry::Level LogEntry::guessLevel(const QString &text)
{
    static const QRegularExpression error(QStringLiteral("\\b(error|fatal|panic|traceback|exception|failed)\\b"),
                                          QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression warning(QStringLiteral("\\b(warn|warning)\\b"), QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression debug(QStringLiteral("\\b(debug|trace)\\b"), QRegularExpression::CaseInsensitiveOption);
    if (error.match(text).hasMatch())
        return Error;
    if (warning.match(text).hasMatch())
        return Warning;
    if (debug.match(text).hasMatch())
        return Debug;
    return Info;
}

namespace {

// "service-redis-1234" → "1234"; the job log names end with the Slurm job id.
QString jobIdOf(const QString &source)
{
    static const QRegularExpression id(QStringLiteral("-(\\d+)(?:_\\d+)?$"));
    const auto m = id.match(source);
    return m.hasMatch() ? m.captured(1) : QString();
}

// Lines of the campaign's own events in merged logs: "INFO health: redis ready".
bool parseEventMessage(const QString &message, LogEntry *e)
{
    static const QRegularExpression re(QStringLiteral("^(INFO|WARN|WARNING|ERROR) ([\\w-]+): (.*)$"));
    const auto m = re.match(message);
    if (!m.hasMatch())
        return false;
    const QString level = m.captured(1);
    e->level = level == QLatin1String("ERROR") ? LogEntry::Error : level.startsWith(QLatin1String("WARN")) ? LogEntry::Warning : LogEntry::Info;
    e->component = m.captured(2);
    e->message = m.captured(3);
    return true;
}

} // namespace

LoadedLog loadRunLog(const QString &runDir, const QHash<QString, QString> &nodes)
{
    LoadedLog out;
    out.title = QFileInfo(runDir).fileName();
    const QDir dir(runDir);
    if (!dir.exists()) {
        out.errors << QObject::tr("%1: no such folder (the run's logs were not downloaded here)").arg(runDir);
        return out;
    }
    for (const QString &trial : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        const QString path = dir.filePath(trial + QStringLiteral("/merged.jsonl"));
        QFile f(path);
        if (!f.exists())
            continue;
        if (!f.open(QIODevice::ReadOnly)) {
            out.errors << QStringLiteral("%1: %2").arg(path, f.errorString());
            continue;
        }
        int lineNo = 0;
        while (!f.atEnd()) {
            const QByteArray line = f.readLine().trimmed();
            ++lineNo;
            if (line.isEmpty())
                continue;
            QJsonParseError perr;
            const QJsonObject o = QJsonDocument::fromJson(line, &perr).object();
            if (perr.error != QJsonParseError::NoError) {
                out.errors << QStringLiteral("%1:%2:%3: %4").arg(path).arg(lineNo).arg(perr.offset + 1).arg(perr.errorString());
                continue;
            }
            LogEntry e;
            e.time = QDateTime::fromString(o.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
            e.trial = o.value(QStringLiteral("trial")).toString(trial);
            const QString source = o.value(QStringLiteral("source")).toString();
            e.message = o.value(QStringLiteral("message")).toString();
            if (source == QLatin1String("campaign") && parseEventMessage(e.message, &e)) {
                // a campaign event: component = its step
            } else {
                e.component = source;
                e.level = LogEntry::guessLevel(e.message);
                e.node = nodes.value(jobIdOf(source));
            }
            out.entries << e;
        }
    }
    std::stable_sort(out.entries.begin(), out.entries.end(), [](const LogEntry &a, const LogEntry &b) { return a.time < b.time; });
    if (out.entries.isEmpty() && out.errors.isEmpty())
        out.errors << QObject::tr("%1: no merged logs yet (they are collected when a trial ends)").arg(runDir);
    return out;
}

LoadedLog loadJobLogFile(const QString &path, const QString &trial, const QString &node)
{
    LoadedLog out;
    out.title = QFileInfo(path).fileName();
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text)) {
        out.errors << QStringLiteral("%1: %2").arg(path, f.errorString());
        return out;
    }
    const QString source = QFileInfo(path).completeBaseName();
    const QDateTime start = QFileInfo(path).lastModified().toUTC();
    static const QRegularExpression stamp(QStringLiteral("^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?Z?)\\s"));
    QDateTime current = start;
    while (!f.atEnd()) {
        QString text = QString::fromUtf8(f.readLine()).trimmed();
        if (text.isEmpty())
            continue;
        const auto m = stamp.match(text);
        if (m.hasMatch()) {
            const QDateTime t = QDateTime::fromString(m.captured(1), Qt::ISODateWithMs);
            if (t.isValid())
                current = t.toUTC();
            text = text.mid(m.capturedLength());
        }
        out.entries << LogEntry{current, LogEntry::guessLevel(text), node, trial, source, text};
    }
    return out;
}

// ---------------------------------------------------------------------------

LogModel::LogModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacity(std::max(capacity, 10))
{
}

void LogModel::append(const QList<LogEntry> &entries)
{
    if (entries.isEmpty())
        return;
    // Drop the oldest rows in chunks (a tenth of the capacity) rather than one
    // per new row, so a busy log costs one removal signal now and then.
    const int incoming = int(std::min<qsizetype>(entries.size(), m_capacity));
    const int overflow = int(m_rows.size()) + incoming - m_capacity;
    if (overflow > 0) {
        const int drop = std::min(int(m_rows.size()), std::max(overflow, m_capacity / 10));
        beginRemoveRows({}, 0, drop - 1);
        m_rows.erase(m_rows.begin(), m_rows.begin() + drop);
        endRemoveRows();
    }
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + incoming - 1);
    bool newNode = false, newComponent = false;
    for (qsizetype i = entries.size() - incoming; i < entries.size(); ++i) {
        const LogEntry &e = entries[i];
        if (!e.node.isEmpty() && !m_nodes.contains(e.node)) {
            m_nodes << e.node;
            newNode = true;
        }
        if (!e.component.isEmpty() && !m_components.contains(e.component)) {
            m_components << e.component;
            newComponent = true;
        }
        m_rows.push_back(e);
    }
    endInsertRows();
    if (newNode)
        emit nodesChanged(m_nodes);
    if (newComponent)
        emit componentsChanged(m_components);
}

void LogModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_nodes.clear();
    m_components.clear();
    endResetModel();
    emit nodesChanged(m_nodes);
    emit componentsChanged(m_components);
}

int LogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size()))
        return {};
    const LogEntry &e = m_rows[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time: return e.time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
        case Level: return LogEntry::levelName(e.level);
        case Node: return e.node.isEmpty() ? QStringLiteral("—") : e.node;
        case Source: return e.trial.isEmpty() ? e.component : e.trial + QStringLiteral(" · ") + e.component;
        case Message: return e.message;
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Time)
            return e.time.toString(Qt::ISODateWithMs);
        if (index.column() == Message && e.message.size() > 80)
            return e.message;
        return {};
    case Qt::ForegroundRole:
        if (e.level == LogEntry::Error)
            return QBrush(QColor(0xb0, 0x00, 0x20));
        if (e.level == LogEntry::Warning)
            return QBrush(QColor(0xb3, 0x6b, 0x00));
        if (e.level == LogEntry::Debug)
            return QBrush(QColor(0x70, 0x70, 0x70));
        return {};
    case LevelRole: return int(e.level);
    case NodeRole: return e.node;
    case ComponentRole: return e.component;
    case TrialRole: return e.trial;
    }
    return {};
}

QVariant LogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time: return tr("Time");
    case Level: return tr("Level");
    case Node: return tr("Node");
    case Source: return tr("Trial · component");
    case Message: return tr("Message");
    }
    return {};
}

// ---------------------------------------------------------------------------

LogFilterModel::LogFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
}

void LogFilterModel::setMinimumLevel(LogEntry::Level level)
{
    m_level = level;
    invalidateFilter();
}

void LogFilterModel::setNode(const QString &node)
{
    m_node = node;
    invalidateFilter();
}

void LogFilterModel::setComponent(const QString &component)
{
    m_component = component;
    invalidateFilter();
}

void LogFilterModel::setSearch(const QString &text, bool filter)
{
    m_search = text;
    m_searchFilters = filter;
    invalidateFilter();
    if (!filter && sourceModel() && rowCount() > 0) // highlight changes without a filter change
        emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1), {Qt::BackgroundRole});
}

bool LogFilterModel::matchesSearch(int sourceRow) const
{
    if (m_search.isEmpty())
        return false;
    const QAbstractItemModel *m = sourceModel();
    return m->index(sourceRow, LogModel::Message).data().toString().contains(m_search, Qt::CaseInsensitive)
        || m->index(sourceRow, LogModel::Source).data().toString().contains(m_search, Qt::CaseInsensitive);
}

QVariant LogFilterModel::data(const QModelIndex &index, int role) const
{
    if (role == Qt::BackgroundRole && !m_search.isEmpty() && index.isValid()
        && matchesSearch(mapToSource(index).row()))
        return QBrush(QColor(0xff, 0xf1, 0x76, 0x90)); // highlighter yellow, translucent for dark themes
    return QSortFilterProxyModel::data(index, role);
}

bool LogFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex i = sourceModel()->index(sourceRow, 0, sourceParent);
    if (i.data(LogModel::LevelRole).toInt() < int(m_level))
        return false;
    if (!m_node.isEmpty() && i.data(LogModel::NodeRole).toString() != m_node)
        return false;
    if (!m_component.isEmpty() && i.data(LogModel::ComponentRole).toString() != m_component)
        return false;
    if (m_searchFilters && !m_search.isEmpty() && !matchesSearch(sourceRow))
        return false;
    return true;
}

} // namespace fb::gui
