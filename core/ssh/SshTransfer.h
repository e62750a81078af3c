// SshTransfer: one SFTP upload or download made by SshConnection. Data is
// written to "<target>.part" and renamed over the target only once its
// SHA-256 matches the other side's (sha256sum on the login node, run over the
// same connection). A download whose connection drops resumes from the local
// .part size after the reconnect; an upload resumes from the remote .part.
// Directories are transferred file by file. Lives in the caller's thread;
// parented to its SshConnection.
#pragma once

#include <QFuture>
#include <QObject>
#include <QPromise>
#include <QString>

namespace fb {

class SshConnection;

struct SshTransferResult
{
    bool ok = false;
    QString error;
    QString sha256;       // hex digest of the (last) file transferred
    qint64 bytes = 0;     // bytes moved in this transfer (not counting resumed data)
    int files = 0;
};

class SshTransfer : public QObject
{
    Q_OBJECT
public:
    enum class Direction { Upload, Download };
    Q_ENUM(Direction)

    ~SshTransfer() override;
    Direction direction() const { return m_direction; }
    QString localPath() const { return m_local; }
    QString remotePath() const { return m_remote; }
    qint64 bytesDone() const { return m_done; }
    qint64 bytesTotal() const { return m_total; }
    bool isFinished() const { return m_finished; }
    const SshTransferResult &result() const { return m_result; }
    QFuture<SshTransferResult> future() { return m_promise.future(); }

    void cancel(); // keeps the .part file, so a later transfer can resume

signals:
    void progress(qint64 done, qint64 total);
    // The transfer continues from `offset` (a .part found at start, or after a reconnect).
    void resumed(qint64 offset);
    void finished(const fb::SshTransferResult &result);

private:
    friend class SshConnection;
    SshTransfer(SshConnection *connection, quint64 id, Direction d, QString local, QString remote);
    void deliverProgress(qint64 done, qint64 total);
    void deliverFinished(SshTransferResult r);

    SshConnection *m_connection;
    quint64 m_id;
    Direction m_direction;
    QString m_local;
    QString m_remote;
    qint64 m_done = 0;
    qint64 m_total = -1;
    bool m_finished = false;
    SshTransferResult m_result;
    QPromise<SshTransferResult> m_promise;
};

} // namespace fb

Q_DECLARE_METATYPE(fb::SshTransferResult)
