#include "ClusterTransport.h"

#include "ssh/OpenSshRunner.h"
#include "ssh/SshCommandRunner.h"
#include "ssh/SshConnection.h"

#include <QEventLoop>
#include <QTimer>

namespace fb::session {

ClusterTransport::ClusterTransport() = default;

ClusterTransport::~ClusterTransport()
{
    // Runner first: it refers to the connection.
    m_sshRunner.reset();
    m_connection.reset();
}

bool ClusterTransport::open(const ConnectionProfile &profile, Kind kind, SshAuthPrompter *prompter,
                            const std::atomic_bool *cancel, int timeoutMs)
{
    if (kind == Kind::OpenSsh) {
        m_openSsh = std::make_unique<OpenSshRunner>(profile);
        m_commands = m_openSsh.get();
        m_files = m_openSsh.get();
        return true;
    }
    m_connection = std::make_unique<SshConnection>(profile, prompter);
    QEventLoop loop;
    QObject::connect(m_connection.get(), &SshConnection::stateChanged, &loop, [&](SshConnection::State s, const QString &) {
        if (s == SshConnection::State::Ready || s == SshConnection::State::Failed)
            loop.quit();
    });
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        if (cancel && cancel->load())
            loop.quit();
    });
    tick.start(50);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    m_connection->connectToHost();
    if (m_connection->state() != SshConnection::State::Ready && m_connection->state() != SshConnection::State::Failed)
        loop.exec();
    if (m_connection->state() != SshConnection::State::Ready) {
        m_error = m_connection->state() == SshConnection::State::Failed
            ? m_connection->errorString()
            : QStringLiteral("ssh: %1: no connection within %2 s").arg(m_connection->target()).arg(timeoutMs / 1000);
        if (!m_error.startsWith(QLatin1String("ssh")))
            m_error = QStringLiteral("ssh: ") + m_error;
        m_connection.reset();
        return false;
    }
    m_sshRunner = std::make_unique<SshCommandRunner>(m_connection.get());
    m_commands = m_sshRunner.get();
    m_files = m_sshRunner.get();
    return true;
}

} // namespace fb::session
