#include "SshConnection.h"

#include "SshAuthPrompter.h"
#include "SshWorker.h"

#include <QThread>

namespace fb {

// ------------------------------------------------------------- SshProcess

SshProcess::SshProcess(SshConnection *connection, quint64 id, QString command, bool collect)
    : QObject(connection), m_connection(connection), m_id(id), m_collect(collect)
{
    m_result.command = std::move(command);
    m_promise.start();
}

SshProcess::~SshProcess()
{
    if (!m_finished) {
        if (m_connection)
            m_connection->cancelCommand(m_id);
        m_promise.finish();
    }
}

void SshProcess::cancel()
{
    if (!m_finished)
        m_connection->cancelCommand(m_id);
}

void SshProcess::deliverOutput(const QByteArray &out, const QByteArray &err)
{
    if (m_collect) {
        m_result.standardOutput += out;
        m_result.standardError += err;
    }
    if (!out.isEmpty())
        emit standardOutputReady(out);
    if (!err.isEmpty())
        emit standardErrorReady(err);
}

void SshProcess::deliverFinished(SshCommandResult result)
{
    result.standardOutput = m_result.standardOutput;
    result.standardError = m_result.standardError;
    m_result = std::move(result);
    m_finished = true;
    m_promise.addResult(m_result);
    m_promise.finish();
    emit finished(m_result);
}

// ------------------------------------------------------------ SshTransfer

SshTransfer::SshTransfer(SshConnection *connection, quint64 id, Direction d, QString local, QString remote)
    : QObject(connection), m_connection(connection), m_id(id), m_direction(d),
      m_local(std::move(local)), m_remote(std::move(remote))
{
    m_promise.start();
}

SshTransfer::~SshTransfer()
{
    if (!m_finished) {
        m_connection->cancelTransfer(m_id);
        m_promise.finish();
    }
}

void SshTransfer::cancel()
{
    if (!m_finished)
        m_connection->cancelTransfer(m_id);
}

void SshTransfer::deliverProgress(qint64 done, qint64 total)
{
    m_done = done;
    m_total = total;
    emit progress(done, total);
}

void SshTransfer::deliverFinished(SshTransferResult r)
{
    m_result = std::move(r);
    m_finished = true;
    m_promise.addResult(m_result);
    m_promise.finish();
    emit finished(m_result);
}

// -------------------------------------------------------------- SshTunnel

SshTunnel::SshTunnel(SshConnection *connection, quint64 id, QString remoteHost, quint16 remotePort, quint16 localPort)
    : QObject(connection), m_connection(connection), m_id(id), m_remoteHost(std::move(remoteHost)),
      m_remotePort(remotePort), m_localPort(localPort)
{
}

SshTunnel::~SshTunnel()
{
    if (m_state != State::Closed && m_state != State::Failed)
        m_connection->closeTunnel(m_id);
}

void SshTunnel::close()
{
    if (m_state != State::Closed && m_state != State::Failed)
        m_connection->closeTunnel(m_id);
}

void SshTunnel::deliverState(int state, quint16 localPort, const QString &reason)
{
    m_state = State(state);
    if (localPort)
        m_localPort = localPort;
    if (m_state == State::Failed || m_state == State::Suspended)
        m_error = reason;
    emit stateChanged(m_state, reason);
}

void SshTunnel::deliverStats(qint64 out, qint64 in, int active, qint64 total)
{
    m_bytesOut = out;
    m_bytesIn = in;
    m_active = active;
    m_total = total;
    emit statisticsChanged();
}

// ---------------------------------------------------------- SshConnection

SshConnection::SshConnection(const ConnectionProfile &profile, SshAuthPrompter *prompter, QObject *parent)
    : QObject(parent), m_profile(profile), m_prompter(prompter),
      m_stopping(std::make_shared<std::atomic_bool>(false))
{
    qRegisterMetaType<fb::SshCommandResult>();
    qRegisterMetaType<fb::SshTransferResult>();
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("ssh:%1").arg(profile.name));
    m_worker = new SshWorker(profile, this, prompter, m_stopping);
    m_worker->moveToThread(m_thread);
    // Qt's documented pattern: the worker is deleted in its own thread when
    // the thread finishes, so libssh objects are freed where they were made.
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);

    connect(m_worker, &SshWorker::stateChanged, this, [this](int s, const QString &reason, quint16 port) {
        m_state = State(s);
        m_linkPort = port;
        if (m_state == State::Failed || m_state == State::Reconnecting)
            m_error = reason;
        emit stateChanged(m_state, reason);
    });
    connect(m_worker, &SshWorker::commandOutput, this, [this](quint64 id, const QByteArray &out, const QByteArray &err) {
        if (auto p = m_processes.value(id))
            p->deliverOutput(out, err);
    });
    connect(m_worker, &SshWorker::commandFinished, this, [this](quint64 id, const SshCommandResult &r) {
        if (auto p = m_processes.take(id))
            p->deliverFinished(r);
    });
    connect(m_worker, &SshWorker::transferProgress, this, [this](quint64 id, qint64 done, qint64 total) {
        if (auto t = m_transfers.value(id))
            t->deliverProgress(done, total);
    });
    connect(m_worker, &SshWorker::transferResumed, this, [this](quint64 id, qint64 offset) {
        if (auto t = m_transfers.value(id))
            emit t->resumed(offset);
    });
    connect(m_worker, &SshWorker::transferFinished, this, [this](quint64 id, const SshTransferResult &r) {
        if (auto t = m_transfers.take(id))
            t->deliverFinished(r);
    });
    connect(m_worker, &SshWorker::tunnelState, this, [this](quint64 id, int s, quint16 port, const QString &reason) {
        auto t = m_tunnels.value(id);
        if (!t)
            return;
        if (s == int(SshTunnel::State::Closed) || s == int(SshTunnel::State::Failed))
            m_tunnels.remove(id);
        t->deliverState(s, port, reason);
    });
    connect(m_worker, &SshWorker::tunnelStats, this, [this](quint64 id, qint64 out, qint64 in, int active, qint64 total) {
        if (auto t = m_tunnels.value(id))
            t->deliverStats(out, in, active, total);
    });
    m_thread->start();
}

SshConnection::~SshConnection()
{
    m_stopping->store(true); // a worker waiting for a prompt answer gives up
    // Handles are our children and would call back into us while being
    // destroyed; detach them first.
    for (auto &p : m_processes)
        if (p) {
            p->m_finished = true;
            p->m_promise.finish();
        }
    for (auto &t : m_transfers)
        if (t) {
            t->m_finished = true;
            t->m_promise.finish();
        }
    for (auto &t : m_tunnels)
        if (t)
            t->m_state = SshTunnel::State::Closed;
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
}

QString SshConnection::target() const
{
    return QStringLiteral("%1@%2:%3").arg(m_profile.user, m_profile.host).arg(m_profile.port);
}

QString SshConnection::stateName(State s)
{
    switch (s) {
    case State::Disconnected: return QStringLiteral("disconnected");
    case State::Connecting: return QStringLiteral("connecting");
    case State::Authenticating: return QStringLiteral("authenticating");
    case State::Ready: return QStringLiteral("ready");
    case State::Reconnecting: return QStringLiteral("reconnecting");
    case State::Failed: return QStringLiteral("failed");
    }
    return {};
}

QString SshConnection::shellQuote(const QString &value)
{
    QString q = value;
    q.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + q + QLatin1Char('\'');
}

void SshConnection::setMaxSessions(int n)
{
    QMetaObject::invokeMethod(m_worker, [w = m_worker, n] { w->setMaxSessions(n); }, Qt::QueuedConnection);
}

void SshConnection::setTransferProbe(std::function<void(quint64, qint64, qint64)> probe)
{
    connect(m_worker, &SshWorker::transferProgress, m_worker, std::move(probe), Qt::DirectConnection);
}

void SshConnection::setReconnectDelays(int firstMs, int maxMs)
{
    QMetaObject::invokeMethod(m_worker, [w = m_worker, firstMs, maxMs] { w->setReconnectDelays(firstMs, maxMs); },
                              Qt::QueuedConnection);
}

void SshConnection::connectToHost()
{
    if (m_state == State::Disconnected || m_state == State::Failed) {
        m_state = State::Connecting; // so that commands queued right away wait for the connection
        emit stateChanged(m_state, {});
    }
    QMetaObject::invokeMethod(m_worker, &SshWorker::connectToHost, Qt::QueuedConnection);
}

void SshConnection::disconnectFromHost()
{
    QMetaObject::invokeMethod(m_worker, &SshWorker::disconnectFromHost, Qt::QueuedConnection);
}

SshProcess *SshConnection::startProcess(const QString &command, int timeoutMs, bool collect)
{
    const quint64 id = m_nextId++;
    auto *p = new SshProcess(this, id, command, collect);
    m_processes.insert(id, p);
    QMetaObject::invokeMethod(m_worker, [w = m_worker, id, command, timeoutMs] { w->addCommand(id, command, timeoutMs); },
                              Qt::QueuedConnection);
    return p;
}

QFuture<SshCommandResult> SshConnection::run(const QString &command, int timeoutMs)
{
    SshProcess *p = startProcess(command, timeoutMs, true);
    connect(p, &SshProcess::finished, p, &QObject::deleteLater);
    return p->future();
}

SshProcess *SshConnection::start(const QString &command, int timeoutMs)
{
    return startProcess(command, timeoutMs, false);
}

void SshConnection::cancelCommand(quint64 id)
{
    QMetaObject::invokeMethod(m_worker, [w = m_worker, id] { w->cancelCommand(id); }, Qt::QueuedConnection);
}

SshTransfer *SshConnection::startTransfer(SshTransfer::Direction d, const QString &local, const QString &remote)
{
    const quint64 id = m_nextId++;
    auto *t = new SshTransfer(this, id, d, local, remote);
    m_transfers.insert(id, t);
    QMetaObject::invokeMethod(m_worker, [w = m_worker, id, d, local, remote] { w->addTransfer(id, d, local, remote); },
                              Qt::QueuedConnection);
    return t;
}

SshTransfer *SshConnection::upload(const QString &localPath, const QString &remotePath)
{
    return startTransfer(SshTransfer::Direction::Upload, localPath, remotePath);
}

SshTransfer *SshConnection::download(const QString &remotePath, const QString &localPath)
{
    return startTransfer(SshTransfer::Direction::Download, localPath, remotePath);
}

void SshConnection::cancelTransfer(quint64 id)
{
    QMetaObject::invokeMethod(m_worker, [w = m_worker, id] { w->cancelTransfer(id); }, Qt::QueuedConnection);
}

SshTunnel *SshConnection::openTunnel(const QString &remoteHost, quint16 remotePort, quint16 localPort)
{
    const quint64 id = m_nextId++;
    auto *t = new SshTunnel(this, id, remoteHost, remotePort, localPort);
    m_tunnels.insert(id, t);
    QMetaObject::invokeMethod(m_worker, [w = m_worker, id, remoteHost, remotePort, localPort] {
        w->openTunnel(id, remoteHost, remotePort, localPort);
    }, Qt::QueuedConnection);
    return t;
}

void SshConnection::closeTunnel(quint64 id)
{
    QMetaObject::invokeMethod(m_worker, [w = m_worker, id] { w->closeTunnel(id); }, Qt::QueuedConnection);
}

} // namespace fb
