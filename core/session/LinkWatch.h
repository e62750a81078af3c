// LinkWatch: how long the campaign has been without its cluster. Every poll
// reports whether the cluster answered; the first failure opens an outage
// (the campaign says it is reconnecting), an answer closes it (it says the
// connection is back), and an outage longer than the reconnect window ends
// the campaign (exit 4, its jobs listed for resume or cancel) instead of
// polling forever — a changed host key, for one, never heals by itself.
#pragma once

#include <QElapsedTimer>
#include <QString>

namespace fb::session {

class LinkWatch
{
public:
    enum class Change { None, Lost, StillDown, Restored };

    // `windowMs`: how long an outage may last before the campaign gives up.
    explicit LinkWatch(int windowMs = 300000) : m_windowMs(windowMs) {}
    int windowMs() const { return m_windowMs; }

    // A poll failed for `reason`. Lost on the first failure, StillDown about
    // every 10 s after (for a "still reconnecting" line), else None.
    Change failed(const QString &reason)
    {
        m_reason = reason;
        if (!m_down.isValid()) {
            m_down.start();
            m_lastNote.start();
            return Change::Lost;
        }
        if (m_lastNote.elapsed() >= 10000) {
            m_lastNote.start();
            return Change::StillDown;
        }
        return Change::None;
    }
    // The cluster answered.
    Change answered()
    {
        if (!m_down.isValid())
            return Change::None;
        m_down.invalidate();
        return Change::Restored;
    }
    bool down() const { return m_down.isValid(); }
    qint64 downMs() const { return m_down.isValid() ? m_down.elapsed() : 0; }
    bool expired() const { return m_down.isValid() && m_down.elapsed() > m_windowMs; }
    QString reason() const { return m_reason; }

private:
    int m_windowMs;
    QElapsedTimer m_down;
    QElapsedTimer m_lastNote;
    QString m_reason;
};

} // namespace fb::session
