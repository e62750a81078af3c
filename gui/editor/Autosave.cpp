#include "Autosave.h"

#include "common/Paths.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QSaveFile>
#include <QtConcurrent/QtConcurrentRun>

namespace fb::editor {

Autosave::Autosave(std::function<QString()> fileName, std::function<QString()> text, QObject *parent)
    : QObject(parent), m_fileName(std::move(fileName)), m_text(std::move(text))
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(300);
    connect(&m_timer, &QTimer::timeout, this, &Autosave::write);
    connect(&m_watcher, &QFutureWatcher<bool>::finished, this, [this] {
        if (m_watcher.result())
            emit saved(path());
        if (m_again) {
            m_again = false;
            write();
        }
    });
}

Autosave::~Autosave()
{
    m_watcher.waitForFinished();
}

QString Autosave::path() const
{
    const QString fileName = m_fileName();
    const QString key = fileName.isEmpty()
        ? QStringLiteral("untitled")
        : QFileInfo(fileName).completeBaseName() + QLatin1Char('-')
            + QString::fromLatin1(QCryptographicHash::hash(fileName.toUtf8(), QCryptographicHash::Sha1).toHex().left(8));
    return QDir(Paths::stateDir()).filePath(QStringLiteral("autosave/%1.yaml").arg(key));
}

void Autosave::schedule()
{
    m_timer.start();
}

void Autosave::write()
{
    if (m_watcher.isRunning()) {
        m_again = true; // writes stay in order: the next one starts when this one ends
        return;
    }
    const QString target = path();
    const QString text = m_text();
    m_watcher.setFuture(QtConcurrent::run([target, text] {
        QDir().mkpath(QFileInfo(target).absolutePath());
        QSaveFile f(target);
        if (!f.open(QIODevice::WriteOnly))
            return false;
        f.write(text.toUtf8());
        return f.commit();
    }));
}

void Autosave::flush()
{
    if (m_timer.isActive()) {
        m_timer.stop();
        write();
    }
    while (m_watcher.isRunning() || m_again) {
        m_watcher.waitForFinished();
        // Delivers finished(), which may start the follow-up write. Only the
        // watcher's events: this runs from destructors, where any other posted
        // event (a polish request, say) can reach a half-destroyed widget.
        QCoreApplication::sendPostedEvents(&m_watcher);
    }
}

} // namespace fb::editor
