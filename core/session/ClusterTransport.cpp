#include "ClusterTransport.h"

#include "Await.h"

#include "ssh/OpenSshRunner.h"
#include "ssh/SshCommandRunner.h"
#include "ssh/SshConnection.h"

#include <QEventLoop>
#include <QTimer>

#include <algorithm>

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
        // One command now, so a host that cannot be reached or verified (a
        // changed host key) fails here, as a connection error, before a run exists.
        const auto r = await(m_openSsh->run(QStringLiteral("true"), timeoutMs), cancel);
        if (!r || !r->ok()) {
            // OpenSSH frames a changed key in a banner of '@' lines: keep the text.
            QStringList lines;
            for (const QString &line : QString::fromUtf8(r ? r->stdErr : QByteArray()).remove(QLatin1Char('\r')).split(QLatin1Char('\n')))
                if (!line.trimmed().isEmpty() && !line.startsWith(QLatin1Char('@')))
                    lines << line.trimmed();
            m_error = QStringLiteral("ssh: %1: %2").arg(m_openSsh->destination(),
                                                        !lines.isEmpty() ? lines.join(QLatin1Char(' ')) : r ? r->describe() : QStringLiteral("cancelled"));
            m_openSsh.reset();
            return false;
        }
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
    QObject::connect(m_connection.get(), &SshConnection::stateChanged, m_connection.get(), [this](SshConnection::State s, const QString &reason) {
        if (s == SshConnection::State::Ready) {
            m_retryMs = 2000;
            if (m_observer)
                m_observer(true, {});
        } else if (s == SshConnection::State::Reconnecting || s == SshConnection::State::Failed) {
            if (m_observer)
                m_observer(false, reason);
            if (s == SshConnection::State::Failed) {
                QTimer::singleShot(m_retryMs, m_connection.get(), [c = m_connection.get()] {
                    if (c->state() == SshConnection::State::Failed)
                        c->connectToHost();
                });
                m_retryMs = std::min(m_retryMs * 2, 30000);
            }
        }
    });
    m_sshRunner = std::make_unique<SshCommandRunner>(m_connection.get());
    m_commands = m_sshRunner.get();
    m_files = m_sshRunner.get();
    return true;
}

void ClusterTransport::setLinkObserver(std::function<void(bool, const QString &)> observer)
{
    m_observer = std::move(observer);
}

} // namespace fb::session
