// Autosave: the editor document's crash insurance — a side file in
// <stateDir>/autosave/, one per document (a hash of the file it edits, or
// "untitled"), written off the GUI thread a moment after each change. Writes
// stay in order: one that is due while another runs starts when it ends.
#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QTimer>

#include <functional>

namespace fb::editor {

class Autosave : public QObject
{
    Q_OBJECT
public:
    // `fileName`: the file the document edits (empty: untitled); `text`: what to write.
    Autosave(std::function<QString()> fileName, std::function<QString()> text, QObject *parent = nullptr);
    ~Autosave() override;

    QString path() const;
    void schedule();   // a write a moment from now (changes in a burst write once)
    void flush();      // the pending write done now, and waited for (tests, shutdown)

signals:
    void saved(const QString &path);

private:
    void write();

    std::function<QString()> m_fileName;
    std::function<QString()> m_text;
    QTimer m_timer;
    QFutureWatcher<bool> m_watcher;
    bool m_again = false;
};

} // namespace fb::editor
