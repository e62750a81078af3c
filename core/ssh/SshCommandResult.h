// SshCommandResult: what one remote command produced. Returned by
// SshConnection::run() and SshProcess::finished().
#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>

namespace fb {

struct SshCommandResult
{
    QString command;
    int exitStatus = -1;       // -1: no exit status (killed by a signal, cancelled, failed)
    QByteArray standardOutput;
    QByteArray standardError;
    QString error;             // empty when the command ran; otherwise why it did not finish
    bool timedOut = false;
    bool cancelled = false;

    // True when the command ran to completion and exited with status 0.
    bool ok() const { return error.isEmpty() && exitStatus == 0; }
};

} // namespace fb

Q_DECLARE_METATYPE(fb::SshCommandResult)
