// LocalFiles: every file the campaign engine writes on this machine (batch
// scripts, parameters, the slot file, recipe and manifest copies, merged
// logs) goes through writeLocalFile, which checks what a plain write does not:
// that every byte was written, flushed and synced (QSaveFile: a temporary
// file renamed over the target only when complete), and that the file on
// disk then has the expected size. A full disk thus fails with an error that
// names the file and the space left, before anything is uploaded or
// submitted — never a 0-byte script that "was written".
#pragma once

#include <QByteArray>
#include <QFileDevice>
#include <QString>

namespace fb::session {

// Writes `data` to `path` (creating its folder) atomically; false with *error
// naming the file, the reason and the free space of its filesystem.
// `permissions` (when not 0) are set before any byte is written, e.g.
// owner-only for a file that holds a secret.
bool writeLocalFile(const QString &path, const QByteArray &data, QString *error,
                    QFileDevice::Permissions permissions = {});

// "cannot write PATH: REASON (N bytes free on its filesystem)" — the message
// writeLocalFile gives, for other writers (downloads) to blame the disk alike.
QString localWriteError(const QString &path, const QString &reason);

} // namespace fb::session
