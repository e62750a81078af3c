// RemoteFiles: moves whole files between this machine and the login node,
// asynchronously. The fbload deployer and the campaign's result download use
// this interface; the libssh connection (SFTP, atomic and checksummed) and the
// OpenSSH fallback (scp) implement it.
#pragma once

#include <QFuture>
#include <QString>

namespace fb {

class RemoteFiles
{
public:
    virtual ~RemoteFiles() = default;
    // Each future yields an empty string on success, else the error (naming
    // the host and path). Remote parent folders must exist.
    virtual QFuture<QString> uploadFile(const QString &localPath, const QString &remotePath) = 0;
    virtual QFuture<QString> downloadFile(const QString &remotePath, const QString &localPath) = 0;
};

} // namespace fb
