// SshProcess: one remote command started with SshConnection::start(), whose
// output arrives as it is produced (tail a log, follow a build). Lives in the
// caller's thread; the SshConnection that made it is its parent and deletes it
// on destruction. Delete it earlier with deleteLater() after finished().
#pragma once

#include "SshCommandResult.h"

#include <QFuture>
#include <QObject>
#include <QPromise>

namespace fb {

class SshConnection;

class SshProcess : public QObject
{
    Q_OBJECT
public:
    ~SshProcess() override;
    QString command() const { return m_result.command; }
    bool isFinished() const { return m_finished; }
    const SshCommandResult &result() const { return m_result; } // valid after finished()
    QFuture<SshCommandResult> future() { return m_promise.future(); }

    // Stops the command (SIGTERM to the remote process, then the channel is
    // closed); finished() follows with cancelled = true.
    void cancel();

signals:
    void standardOutputReady(const QByteArray &chunk);
    void standardErrorReady(const QByteArray &chunk);
    void finished(const fb::SshCommandResult &result);

private:
    friend class SshConnection;
    SshProcess(SshConnection *connection, quint64 id, QString command, bool collect);
    void deliverOutput(const QByteArray &out, const QByteArray &err);
    void deliverFinished(SshCommandResult result);

    SshConnection *m_connection;
    quint64 m_id;
    bool m_collect;   // keep output in result() (run()) or only stream it (start())
    bool m_finished = false;
    SshCommandResult m_result;
    QPromise<SshCommandResult> m_promise;
};

} // namespace fb
