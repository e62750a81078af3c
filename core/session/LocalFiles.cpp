#include "LocalFiles.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>
#include <QStorageInfo>

namespace fb::session {

QString localWriteError(const QString &path, const QString &reason)
{
    // The nearest existing folder tells which filesystem is full.
    QString dir = QFileInfo(path).absolutePath();
    while (!dir.isEmpty() && !QFileInfo::exists(dir) && dir != QDir::rootPath())
        dir = QFileInfo(dir).absolutePath();
    const QStorageInfo fs(dir);
    QString text = QStringLiteral("cannot write %1: %2").arg(path, reason.isEmpty() ? QStringLiteral("write failed") : reason);
    if (fs.isValid())
        text += QStringLiteral(" (%1 bytes free on %2)").arg(fs.bytesAvailable()).arg(fs.rootPath());
    return text;
}

bool writeLocalFile(const QString &path, const QByteArray &data, QString *error, QFileDevice::Permissions permissions)
{
    auto failed = [&](const QString &reason) {
        if (error)
            *error = localWriteError(path, reason);
        return false;
    };
    const QString dir = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(dir))
        return failed(QStringLiteral("cannot create the folder %1").arg(dir));
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return failed(f.errorString());
    if (permissions && !f.setPermissions(permissions)) {
        f.cancelWriting();
        return failed(QStringLiteral("cannot set its permissions: ") + f.errorString());
    }
    const qint64 written = f.write(data);
    if (written != data.size()) {
        const QString reason = f.errorString();
        f.cancelWriting();
        return failed(QStringLiteral("%1 of %2 bytes written: %3").arg(qMax<qint64>(0, written)).arg(data.size()).arg(reason));
    }
    // commit() flushes, syncs and renames; a full disk often shows only here.
    if (!f.commit())
        return failed(f.errorString());
    const qint64 onDisk = QFileInfo(path).size();
    if (onDisk != data.size())
        // Seen on a full filesystem: every call "succeeded", the file is empty.
        return failed(QStringLiteral("%1 bytes reached the disk, %2 were written").arg(onDisk).arg(data.size()));
    return true;
}

} // namespace fb::session
