#include "SshWorker.h"

#include "FileSink.h"
#include "KnownHosts.h"
#include "Sha256.h"
#include "SshAuthPrompter.h"
#include "SshConnection.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <libssh/libssh.h>
#include <libssh/server.h> // ssh_send_keepalive, ssh_execute_message_callbacks: client-usable despite the header
#include <libssh/sftp.h>

#include <fcntl.h> // O_* flags for sftp_open (also in the Windows CRT)
#include <sys/stat.h>
#ifdef _WIN32
#  include <winsock2.h>
#  include <ws2tcpip.h>
using socklen_t = int;
#else
#  include <sys/socket.h>
#  include <netinet/in.h>
#  include <netinet/tcp.h>
#  include <sys/ioctl.h>
#  include <unistd.h>
#endif

#include <cstdio>
#include <filesystem>
#include <utility>

namespace fb {

namespace {
using State = SshConnection::State;
// SFTP read request size: what OpenSSH's sftp asks of its sftp-server (the
// server's limits@openssh.com read length, 255 KiB). Fewer, larger replies
// mean fewer request/reply rounds and fewer reads on the server. A server
// that serves less makes the transfer shrink its requests (Transfer::chunk).
constexpr int kChunk = 255 * 1024;
constexpr int kWriteChunk = 128 * 1024;      // SFTP write size: libssh 0.10 waits for each write's status
constexpr int kReadsInFlight = 16;           // pipelined SFTP reads: 4 MiB asked, more than the channel window
constexpr qint64 kThreadedSinkMin = 4 << 20; // files this large are written and hashed on a thread of their own
constexpr qint64 kSocketHighWater = 4 << 20; // stop reading a channel while its local socket has this much queued
constexpr int kStepBudgetMs = 15;            // longest one transfer step holds the worker's event loop

QString remoteForSftp(QString path)
{
    // SFTP and the login shell both start in the home folder: "~/x" is "x".
    if (path == QLatin1String("~"))
        return QStringLiteral(".");
    if (path.startsWith(QLatin1String("~/")))
        path = path.mid(2);
    return path;
}

QString hexOf(const QByteArray &digest) { return QString::fromLatin1(digest.toHex()); }

} // namespace

struct SshWorker::Command
{
    quint64 id = 0;
    QString command;
    int timeoutMs = 0;
    std::function<void(const SshCommandResult &)> internalDone; // set for the worker's own commands
    ssh_channel channel = nullptr;
    QElapsedTimer clock;
    bool cancelRequested = false;
    int openRetries = 0;
    SshCommandResult result;
};

struct SshWorker::Transfer
{
    quint64 id = 0;
    bool upload = false;
    QString local, remote;       // as asked
    QList<QPair<QString, QString>> files; // (local, remote) per file; filled at first start
    bool expanded = false;
    int index = 0;
    enum Stage { Pending, Running, Verifying } stage = Pending;
    quint64 generation = 0;      // bumps on reconnect: late callbacks of an older generation are ignored
    sftp_file rfile = nullptr;
    QFile lfile;
    Sha256 hash;
    FileSink sink{kChunk};       // downloads: writes lfile and feeds hash, off the worker thread
    QByteArray block;            // downloads: the buffer the next SFTP reply is read into
    uint32_t chunk = kChunk;     // downloads: read request size, smaller if the server serves less
    qint64 size = 0, offset = 0, nextRequest = 0;
    struct Request { uint32_t id; qint64 offset; uint32_t length; };
    std::deque<Request> requests;
    bool draining = false;       // a short read: discard the requests in flight, then re-seek
    qint64 doneBefore = 0;       // bytes of earlier files (directories)
    qint64 totalAll = -1;
    qint64 moved = 0;
    bool progressDirty = false;
    QString lastSha;
    bool cancel = false;
    // Downloads: `sha256sum` of the remote file runs on the server while the
    // data flows (asked when the file starts), so the check adds no time.
    std::optional<SshCommandResult> remoteSum;              // arrived before the data was complete
    std::function<void(const SshCommandResult &)> onRemoteSum; // the data was complete first: waiting
};

struct SshWorker::TunnelConn
{
    QTcpSocket *socket = nullptr;
    ssh_channel channel = nullptr;
    bool socketEof = false;   // the local client closed its side
    bool eofSent = false;
    bool finished = false;
};

struct SshWorker::Tunnel
{
    quint64 id = 0;
    QString host;
    quint16 port = 0;
    QTcpServer *server = nullptr;
    std::vector<std::unique_ptr<TunnelConn>> conns;
    qint64 out = 0, in = 0, total = 0;
    bool statsDirty = false;
    bool closing = false;
};

SshWorker::SshWorker(const ConnectionProfile &profile, SshConnection *owner, SshAuthPrompter *prompter,
                     std::shared_ptr<std::atomic_bool> stopping)
    : m_profile(profile), m_owner(owner), m_prompter(prompter), m_stopping(std::move(stopping)),
      m_reconnectTimer(this), m_tickTimer(this), m_stepTimer(this), m_statsTimer(this)
{
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &SshWorker::reconnect);
    m_tickTimer.setInterval(1000);
    connect(&m_tickTimer, &QTimer::timeout, this, &SshWorker::tick);
    m_stepTimer.setSingleShot(true);
    m_stepTimer.setInterval(0);
    connect(&m_stepTimer, &QTimer::timeout, this, &SshWorker::pump);
    m_statsTimer.setInterval(100);
    connect(&m_statsTimer, &QTimer::timeout, this, &SshWorker::flushStats);
    m_buffer.resize(qMax(kChunk, kWriteChunk));
}

SshWorker::~SshWorker()
{
    shutdown();
}

void SshWorker::setReconnectDelays(int firstMs, int maxMs)
{
    m_backoffFirst = qMax(10, firstMs);
    m_backoffMax = qMax(m_backoffFirst, maxMs);
    m_backoff = m_backoffFirst;
}

QString SshWorker::target() const
{
    return QStringLiteral("%1@%2:%3").arg(m_profile.user, m_profile.host).arg(m_profile.port);
}

bool SshWorker::sessionInputPending(qint64 *credit) const
{
    // libssh 0.10 reads its socket 4 KiB at a time, one read per call, and a
    // nonblocking channel read returns 0 until a whole SSH packet (up to 32 KiB)
    // is in. Without this check every 4 KiB would cost a round through the
    // Qt event loop (poll, notifier, pump); with it the pump keeps reading
    // while the kernel holds data for us. *credit: bytes known to be waiting,
    // so that the kernel is asked once per burst rather than once per 4 KiB.
    constexpr qint64 kLibsshRead = 4096;
    if (*credit > 0) {
        *credit -= kLibsshRead;
        return true;
    }
    if (!m_session)
        return false;
#ifdef _WIN32
    u_long n = 0;
    if (ioctlsocket(SOCKET(ssh_get_fd(m_session)), FIONREAD, &n) != 0)
        n = 0;
#else
    int n = 0;
    if (ioctl(ssh_get_fd(m_session), FIONREAD, &n) != 0)
        n = 0;
#endif
    *credit = qint64(n) - kLibsshRead;
    return n > 0;
}

QString SshWorker::libsshError() const
{
    return m_session ? QString::fromUtf8(ssh_get_error(m_session)) : QStringLiteral("no session");
}

bool SshWorker::linkDead() const
{
    if (!m_session)
        return true;
    return !ssh_is_connected(m_session) || (ssh_get_status(m_session) & (SSH_CLOSED | SSH_CLOSED_ERROR));
}

QString SshWorker::notConnected() const
{
    if (m_state == int(State::Failed) && !m_failure.isEmpty())
        return QStringLiteral("not connected to %1: %2").arg(target(), m_failure);
    return QStringLiteral("not connected to %1").arg(target());
}

void SshWorker::setState(int state, const QString &reason)
{
    m_state = state;
    if (state == int(State::Failed))
        m_failure = reason;
    quint16 port = 0;
    if (state == int(State::Ready) && m_session) {
        sockaddr_storage addr{};
        socklen_t len = sizeof addr;
        if (getsockname(ssh_get_fd(m_session), reinterpret_cast<sockaddr *>(&addr), &len) == 0)
            port = ntohs(addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6 *>(&addr)->sin6_port
                                                    : reinterpret_cast<sockaddr_in *>(&addr)->sin_port);
    }
    emit stateChanged(state, reason, port);
}

// ---------------------------------------------------------------- connecting

void SshWorker::connectToHost()
{
    if (m_state == int(State::Ready) || m_state == int(State::Connecting) || m_state == int(State::Authenticating))
        return;
    m_wanted = true;
    m_backoff = m_backoffFirst;
    setState(int(State::Connecting));
    QString error;
    bool fatal = false;
    if (!establish(&error, &fatal)) {
        teardownSession();
        // A first connection that fails is reported, not retried: the user
        // is looking at it and may fix the profile.
        m_wanted = false;
        failEverything(error);
        setState(int(State::Failed), error);
        return;
    }
    m_everReady = true;
    setState(int(State::Ready));
    m_tickTimer.start();
    m_statsTimer.start();
    pump();
}

void SshWorker::reconnect()
{
    if (!m_wanted || m_stopping->load())
        return;
    QString error;
    bool fatal = false;
    if (!establish(&error, &fatal)) {
        teardownSession();
        if (fatal) {
            m_wanted = false;
            failEverything(error);
            setState(int(State::Failed), error);
            return;
        }
        setState(int(State::Reconnecting), error);
        scheduleReconnect();
        return;
    }
    m_backoff = m_backoffFirst;
    setState(int(State::Ready));
    for (auto &t : m_tunnels)
        emit tunnelState(t->id, int(SshTunnel::State::Listening), t->server->serverPort(), {});
    pump();
}

void SshWorker::scheduleReconnect()
{
    m_reconnectTimer.start(m_backoff);
    m_backoff = qMin(m_backoff * 2, m_backoffMax);
}

bool SshWorker::establish(QString *error, bool *fatal)
{
    *fatal = false;
    m_session = ssh_new();
    if (!m_session) {
        *error = QStringLiteral("libssh: cannot create a session");
        return false;
    }
    const QByteArray host = m_profile.host.toUtf8();
    const QByteArray user = m_profile.user.toUtf8();
    unsigned int port = unsigned(m_profile.port);
    const int keepalive = m_profile.keepaliveSeconds > 0 ? m_profile.keepaliveSeconds : 10;
    long timeout = qBound(5, 3 * keepalive, 30); // blocking exchanges give up when the link is dead
    int no = 0;
    QString known = m_profile.knownHostsFile;
    if (known.isEmpty())
        known = QDir::homePath() + QStringLiteral("/.ssh/known_hosts");
    else if (known.startsWith(QLatin1String("~/")))
        known = QDir::homePath() + known.mid(1);
    const QByteArray knownPath = QFile::encodeName(known);
    // AES-GCM first: with AES-NI it is the fastest cipher both ends offer,
    // which matters for 1 GiB result files; ChaCha20 stays as a fallback.
    const char *ciphers = "aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,"
                          "aes128-ctr,aes256-ctr";
    ssh_options_set(m_session, SSH_OPTIONS_HOST, host.constData());
    ssh_options_set(m_session, SSH_OPTIONS_PORT, &port);
    ssh_options_set(m_session, SSH_OPTIONS_USER, user.constData());
    ssh_options_set(m_session, SSH_OPTIONS_TIMEOUT, &timeout);
    ssh_options_set(m_session, SSH_OPTIONS_KNOWNHOSTS, knownPath.constData());
    // The profile is explicit; do not let ~/.ssh/config change it behind our back.
    ssh_options_set(m_session, SSH_OPTIONS_PROCESS_CONFIG, &no);
    ssh_options_set(m_session, SSH_OPTIONS_CIPHERS_C_S, ciphers);
    ssh_options_set(m_session, SSH_OPTIONS_CIPHERS_S_C, ciphers);

    if (ssh_connect(m_session) != SSH_OK) {
        *error = QStringLiteral("cannot connect to %1: %2").arg(target(), libsshError());
        return false;
    }
    int one = 1;
    // char* on Windows, void* on POSIX: the cast fits both.
    setsockopt(ssh_get_fd(m_session), IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char *>(&one), sizeof one);
    if (!checkHostKey(error)) {
        *fatal = true;
        return false;
    }
    setState(int(State::Authenticating));
    if (!authenticate(error)) {
        *fatal = !linkDead(); // a refusal is final; a dropped link is worth another try
        return false;
    }
    m_notifier = new QSocketNotifier(ssh_get_fd(m_session), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, [this] {
        m_sinceWake.restart();
        pump();
    });
    m_sinceKeepalive.start();
    m_sinceWake.start();
    return true;
}

bool SshWorker::checkHostKey(QString *error)
{
    ssh_key key = nullptr;
    if (ssh_get_server_publickey(m_session, &key) != SSH_OK) {
        *error = QStringLiteral("%1: no host key: %2").arg(target(), libsshError());
        return false;
    }
    unsigned char *hash = nullptr;
    size_t hlen = 0;
    QString fingerprint;
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) == 0) {
        char *fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
        fingerprint = QString::fromLatin1(fp);
        ssh_string_free_char(fp);
        ssh_clean_pubkey_hash(&hash);
    }
    const QString keyType = QString::fromLatin1(ssh_key_type_to_char(ssh_key_type(key)));
    ssh_key_free(key);

    QString known = m_profile.knownHostsFile;
    if (known.isEmpty())
        known = QDir::homePath() + QStringLiteral("/.ssh/known_hosts");
    const QString hostEntry = KnownHosts::hostPattern(m_profile.host, m_profile.port);
    switch (ssh_session_is_known_server(m_session)) {
    case SSH_KNOWN_HOSTS_OK:
        return true;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER: {
        const auto entries = KnownHosts::findEntries(known, m_profile.host, m_profile.port);
        QStringList where;
        for (const auto &e : entries)
            where << QStringLiteral("%1:%2 (%3)").arg(known).arg(e.line).arg(e.keyType);
        *error = QStringLiteral("host key for %1 has CHANGED: the server now offers %2 %3, which does not match "
                                "%4. Refusing to connect (this may be an attack). If the change is expected, "
                                "remove that line and connect again.")
                     .arg(hostEntry, keyType, fingerprint,
                          where.isEmpty() ? known : where.join(QStringLiteral(", ")));
        return false;
    }
    case SSH_KNOWN_HOSTS_NOT_FOUND:
    case SSH_KNOWN_HOSTS_UNKNOWN: {
        const QString host = hostEntry;
        const auto accepted = ask<bool>([=](SshAuthPrompter *p) {
            return p->confirmHostKey(host, keyType, fingerprint, known);
        });
        if (!accepted || !*accepted) {
            *error = QStringLiteral("host key of %1 (%2 %3) is not known in %4 and was not accepted")
                         .arg(hostEntry, keyType, fingerprint, known);
            return false;
        }
        // Append the entry ourselves: libssh 0.10 does not create a missing
        // ~/.ssh, and this way the line is exactly OpenSSH's format.
        char *line = nullptr;
        if (ssh_session_export_known_hosts_entry(m_session, &line) != SSH_OK) {
            *error = QStringLiteral("%1: cannot export the host key: %2").arg(known, libsshError());
            return false;
        }
        const QByteArray entry = QByteArray(line).trimmed() + '\n';
        ssh_string_free_char(line);
        QDir().mkpath(QFileInfo(known).absolutePath());
        QFile f(known);
        if (!f.open(QIODevice::Append) || f.write(entry) != entry.size()) {
            *error = QStringLiteral("%1: cannot add the host key: %2").arg(known, f.errorString());
            return false;
        }
        return true;
    }
    case SSH_KNOWN_HOSTS_ERROR:
        break;
    }
    *error = QStringLiteral("%1: cannot check the host key against %2: %3").arg(target(), known, libsshError());
    return false;
}

template<typename T>
std::optional<T> SshWorker::ask(std::function<QFuture<T>(SshAuthPrompter *)> call)
{
    if (!m_prompter)
        return std::nullopt;
    struct Box
    {
        QFuture<T> future;
        std::atomic_bool set{false};
    };
    auto box = std::make_shared<Box>();
    SshAuthPrompter *prompter = m_prompter;
    // The prompter lives in the caller's thread: ask there, wait here (only
    // this worker waits; the caller's thread keeps running its event loop).
    QMetaObject::invokeMethod(m_owner, [box, call, prompter] {
        box->future = call(prompter);
        box->set.store(true);
    }, Qt::QueuedConnection);
    while (!box->set.load() || !box->future.isFinished()) {
        if (m_stopping->load())
            return std::nullopt;
        QThread::msleep(5);
    }
    if (box->future.isCanceled() || box->future.resultCount() == 0)
        return std::nullopt;
    return box->future.result();
}

// ------------------------------------------------------------ authentication

bool SshWorker::authenticate(QString *error)
{
    int rc = ssh_userauth_none(m_session, nullptr);
    if (rc == SSH_AUTH_SUCCESS)
        return true;
    if (rc == SSH_AUTH_ERROR) {
        *error = QStringLiteral("%1: authentication failed: %2").arg(target(), libsshError());
        return false;
    }
    QStringList notes;
    bool triedKey = false, triedKbd = false, triedPassword = false;
    for (int step = 0; step < 8; ++step) {
        const int methods = ssh_userauth_list(m_session, nullptr);
        Outcome o = Outcome::Denied;
        if ((methods & SSH_AUTH_METHOD_PUBLICKEY) && !triedKey) {
            triedKey = true;
            o = authPublicKey(&notes);
        } else if ((methods & SSH_AUTH_METHOD_INTERACTIVE) && !triedKbd) {
            triedKbd = true;
            o = authKeyboardInteractive(&notes);
        } else if ((methods & SSH_AUTH_METHOD_PASSWORD) && !triedPassword) {
            triedPassword = true;
            o = authPassword(&notes);
        } else {
            break;
        }
        if (o == Outcome::Success)
            return true;
        if (o == Outcome::Error || linkDead()) {
            *error = QStringLiteral("%1: authentication failed: %2").arg(target(), libsshError());
            return false;
        }
        if (o == Outcome::Partial) // e.g. AuthenticationMethods publickey,keyboard-interactive
            triedKbd = triedPassword = false;
    }
    QStringList offered;
    const int methods = ssh_userauth_list(m_session, nullptr);
    if (methods & SSH_AUTH_METHOD_PUBLICKEY) offered << QStringLiteral("publickey");
    if (methods & SSH_AUTH_METHOD_INTERACTIVE) offered << QStringLiteral("keyboard-interactive");
    if (methods & SSH_AUTH_METHOD_PASSWORD) offered << QStringLiteral("password");
    *error = QStringLiteral("%1: permission denied (server accepts: %2)%3")
                 .arg(target(), offered.join(QStringLiteral(", ")),
                      notes.isEmpty() ? QString() : QStringLiteral(": ") + notes.join(QStringLiteral("; ")));
    return false;
}

namespace {
// Whether a private key file is protected by a passphrase (so that a failed
// import without one means "ask", not "broken file").
bool keyFileIsEncrypted(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = f.read(64 * 1024);
    if (text.contains("ENCRYPTED"))
        return true; // PEM: "Proc-Type: 4,ENCRYPTED" or "BEGIN ENCRYPTED PRIVATE KEY"
    const QByteArray begin = "-----BEGIN OPENSSH PRIVATE KEY-----";
    const qsizetype b = text.indexOf(begin);
    const qsizetype e = text.indexOf("-----END OPENSSH PRIVATE KEY-----");
    if (b < 0 || e < 0)
        return false;
    const QByteArray blob = QByteArray::fromBase64(text.mid(b + begin.size(), e - b - begin.size()).simplified());
    // openssh-key-v1\0, then the cipher name as an SSH string.
    const QByteArray magic("openssh-key-v1\0", 15);
    if (!blob.startsWith(magic) || blob.size() < 19)
        return false;
    const auto *p = reinterpret_cast<const unsigned char *>(blob.constData() + 15);
    const quint32 len = (quint32(p[0]) << 24) | (quint32(p[1]) << 16) | (quint32(p[2]) << 8) | p[3];
    return blob.mid(19, int(len)) != "none";
}
} // namespace

SshWorker::Outcome SshWorker::authPublicKey(QStringList *notes)
{
    auto outcome = [](int rc) {
        switch (rc) {
        case SSH_AUTH_SUCCESS: return Outcome::Success;
        case SSH_AUTH_PARTIAL: return Outcome::Partial;
        case SSH_AUTH_DENIED: return Outcome::Denied;
        default: return Outcome::Error;
        }
    };
    if (m_unlockedKey) { // a reconnect: the key the user unlocked before
        const int rc = ssh_userauth_publickey(m_session, nullptr, m_unlockedKey);
        if (rc != SSH_AUTH_DENIED)
            return outcome(rc);
    }
    const bool agentAllowed = m_profile.useAgent && !(m_profile.identitiesOnly && !m_profile.identityFile.isEmpty());
    if (agentAllowed && qEnvironmentVariableIsSet("SSH_AUTH_SOCK")) {
        const int rc = ssh_userauth_agent(m_session, nullptr);
        if (rc != SSH_AUTH_DENIED)
            return outcome(rc);
        notes->append(QStringLiteral("no key in ssh-agent was accepted"));
    }
    QStringList candidates;
    auto expand = [](QString p) { return p.startsWith(QLatin1String("~/")) ? QDir::homePath() + p.mid(1) : p; };
    if (!m_profile.identityFile.isEmpty())
        candidates << expand(m_profile.identityFile);
    if (m_profile.identityFile.isEmpty() || !m_profile.identitiesOnly)
        for (const char *n : {"id_ed25519", "id_ecdsa", "id_rsa"})
            candidates << QDir::homePath() + QStringLiteral("/.ssh/") + QLatin1String(n);
    for (const QString &path : candidates) {
        if (!QFileInfo::exists(path))
            continue;
        const QByteArray cpath = QFile::encodeName(path);
        // Ask the server first with the public half, so a passphrase is only
        // asked for a key the server would take.
        ssh_key pub = nullptr;
        if (ssh_pki_import_pubkey_file(QFile::encodeName(path + QStringLiteral(".pub")).constData(), &pub) == SSH_OK) {
            const int rc = ssh_userauth_try_publickey(m_session, nullptr, pub);
            ssh_key_free(pub);
            if (rc == SSH_AUTH_ERROR)
                return Outcome::Error;
            if (rc != SSH_AUTH_SUCCESS) {
                notes->append(QStringLiteral("%1: not accepted by the server").arg(path));
                continue;
            }
        }
        ssh_key key = nullptr;
        if (ssh_pki_import_privkey_file(cpath.constData(), nullptr, nullptr, nullptr, &key) != SSH_OK) {
            key = nullptr;
            if (!keyFileIsEncrypted(path)) {
                notes->append(QStringLiteral("%1: cannot read the private key").arg(path));
                continue;
            }
            bool declined = false;
            for (int attempt = 1; attempt <= 3 && !key; ++attempt) {
                const auto secret = ask<SshSecret>([=](SshAuthPrompter *p) { return p->passphrase(path, attempt); });
                if (!secret) {
                    declined = true;
                    break;
                }
                QByteArray pass = secret->bytes(); // NUL-terminated copy for libssh, wiped below
                pass.detach();
                if (ssh_pki_import_privkey_file(cpath.constData(), pass.constData(), nullptr, nullptr, &key) != SSH_OK)
                    key = nullptr;
                secureWipe(pass.data(), size_t(pass.size()));
            }
            if (!key) {
                notes->append(declined ? QStringLiteral("%1: no passphrase given").arg(path)
                                       : QStringLiteral("wrong passphrase for %1 (3 attempts)").arg(path));
                continue;
            }
        }
        const int rc = ssh_userauth_publickey(m_session, nullptr, key);
        if (rc == SSH_AUTH_SUCCESS || rc == SSH_AUTH_PARTIAL) {
            if (m_unlockedKey)
                ssh_key_free(m_unlockedKey);
            m_unlockedKey = key;
            return outcome(rc);
        }
        ssh_key_free(key);
        if (rc == SSH_AUTH_ERROR)
            return Outcome::Error;
        notes->append(QStringLiteral("%1: refused by the server").arg(path));
    }
    return Outcome::Denied;
}

SshWorker::Outcome SshWorker::authKeyboardInteractive(QStringList *notes)
{
    int rc = ssh_userauth_kbdint(m_session, nullptr, nullptr);
    int rounds = 0;
    while (rc == SSH_AUTH_INFO && rounds++ < 16) {
        const QString name = QString::fromUtf8(ssh_userauth_kbdint_getname(m_session));
        const QString instruction = QString::fromUtf8(ssh_userauth_kbdint_getinstruction(m_session));
        const int n = ssh_userauth_kbdint_getnprompts(m_session);
        QList<SshPrompt> prompts;
        for (int i = 0; i < n; ++i) {
            char echo = 0;
            const char *text = ssh_userauth_kbdint_getprompt(m_session, unsigned(i), &echo);
            prompts.append({QString::fromUtf8(text), echo != 0});
        }
        if (n > 0) {
            const auto answers = ask<QList<SshSecret>>([=](SshAuthPrompter *p) {
                return p->keyboardInteractive(name, instruction, prompts);
            });
            if (!answers || answers->size() != n) {
                notes->append(QStringLiteral("keyboard-interactive: not answered"));
                return Outcome::Denied;
            }
            for (int i = 0; i < n; ++i) {
                QByteArray a = answers->at(i).bytes();
                a.detach();
                const int set = ssh_userauth_kbdint_setanswer(m_session, unsigned(i), a.constData());
                secureWipe(a.data(), size_t(a.size()));
                if (set < 0)
                    return Outcome::Error;
            }
        }
        rc = ssh_userauth_kbdint(m_session, nullptr, nullptr);
    }
    switch (rc) {
    case SSH_AUTH_SUCCESS: return Outcome::Success;
    case SSH_AUTH_PARTIAL: return Outcome::Partial;
    case SSH_AUTH_DENIED:
        notes->append(QStringLiteral("keyboard-interactive: answers refused"));
        return Outcome::Denied;
    default: return Outcome::Error;
    }
}

SshWorker::Outcome SshWorker::authPassword(QStringList *notes)
{
    const QString who = target();
    const auto secret = ask<SshSecret>([=](SshAuthPrompter *p) { return p->password(who); });
    if (!secret) {
        notes->append(QStringLiteral("password: not given"));
        return Outcome::Denied;
    }
    QByteArray pass = secret->bytes();
    pass.detach();
    const int rc = ssh_userauth_password(m_session, nullptr, pass.constData());
    secureWipe(pass.data(), size_t(pass.size()));
    switch (rc) {
    case SSH_AUTH_SUCCESS: return Outcome::Success;
    case SSH_AUTH_PARTIAL: return Outcome::Partial;
    case SSH_AUTH_DENIED:
        notes->append(QStringLiteral("password refused"));
        return Outcome::Denied;
    default: return Outcome::Error;
    }
}

// ------------------------------------------------------- losing the link

void SshWorker::teardownSession()
{
    delete m_notifier;
    m_notifier = nullptr;
    for (auto &t : m_transfers) {
        closeFile(*t);
        t->stage = Transfer::Pending;
        ++t->generation;
        t->requests.clear();
        t->draining = false;
    }
    if (m_sftp) {
        sftp_free(m_sftp);
        m_sftp = nullptr;
    }
    for (auto &t : m_tunnels) {
        for (auto &c : t->conns) {
            if (c->channel) {
                ssh_channel_free(c->channel);
                c->channel = nullptr;
                c->socket->abort(); // the far end is gone; the client sees a reset, as with ssh -L
                c->finished = true;
            }
        }
        std::erase_if(t->conns, [](const auto &c) {
            if (c->finished)
                c->socket->deleteLater();
            return c->finished;
        });
        t->statsDirty = true;
    }
    if (m_session) {
        ssh_disconnect(m_session);
        ssh_free(m_session);
        m_session = nullptr;
    }
}

void SshWorker::linkLost(const QString &why)
{
    if (m_state != int(State::Ready))
        return;
    const QString reason = QStringLiteral("connection to %1 lost: %2").arg(target(), why);
    // Fail what was running before tearing down, so that internal
    // callbacks see the transfers' new generation and ignore the failure.
    for (auto &t : m_transfers)
        ++t->generation;
    auto running = std::move(m_running);
    m_running.clear();
    for (auto &c : running) {
        if (c->channel) {
            ssh_channel_free(c->channel);
            c->channel = nullptr;
        }
        c->result.error = QStringLiteral("%1 while `%2` ran; it may or may not have completed").arg(reason, c->command);
        finishCommand(std::move(c));
    }
    teardownSession();
    for (auto &t : m_tunnels)
        emit tunnelState(t->id, int(SshTunnel::State::Suspended), t->server->serverPort(), reason);
    setState(int(State::Reconnecting), reason);
    scheduleReconnect();
}

void SshWorker::failEverything(const QString &reason)
{
    auto queued = std::move(m_queued);
    m_queued.clear();
    for (auto &c : queued) {
        c->result.error = reason;
        finishCommand(std::move(c));
    }
    auto running = std::move(m_running);
    m_running.clear();
    for (auto &c : running) {
        if (c->channel)
            ssh_channel_free(c->channel);
        c->channel = nullptr;
        c->result.error = reason;
        finishCommand(std::move(c));
    }
    std::vector<quint64> ids;
    for (auto &t : m_transfers)
        ids.push_back(t->id);
    for (quint64 id : ids)
        finishTransfer(id, false, reason);
    for (auto &t : m_tunnels) {
        for (auto &c : t->conns) {
            if (c->channel)
                ssh_channel_free(c->channel);
            c->socket->abort();
            c->socket->deleteLater();
        }
        t->conns.clear();
        t->server->close();
        t->server->deleteLater();
        emit tunnelState(t->id, int(SshTunnel::State::Failed), 0, reason);
    }
    m_tunnels.clear();
}

void SshWorker::disconnectFromHost()
{
    m_wanted = false;
    m_reconnectTimer.stop();
    m_tickTimer.stop();
    // Tunnels first, in order, while the link is still there.
    for (auto &t : m_tunnels) {
        t->server->close();
        for (auto &c : t->conns)
            dropTunnelConn(*t, *c, true);
        t->conns.clear();
        t->server->deleteLater();
        emit tunnelState(t->id, int(SshTunnel::State::Closed), 0, QStringLiteral("disconnected"));
    }
    m_tunnels.clear();
    failEverything(QStringLiteral("disconnected from %1").arg(target()));
    teardownSession();
    if (m_state != int(State::Disconnected))
        setState(int(State::Disconnected));
}

void SshWorker::shutdown()
{
    if (m_state == int(State::Disconnected) && !m_session && m_tunnels.empty() && m_transfers.empty())
        return;
    disconnectFromHost();
    if (m_unlockedKey) {
        ssh_key_free(m_unlockedKey);
        m_unlockedKey = nullptr;
    }
}

// ------------------------------------------------------------- event loop

void SshWorker::pump()
{
    if (!m_session || m_state != int(State::Ready))
        return;
    if (m_pumping) {
        m_pumpAgain = true;
        return;
    }
    m_pumping = true;
    do {
        m_pumpAgain = false;
        // Reads whatever the server sent into the channels' buffers, and
        // answers the server's own requests.
        ssh_execute_message_callbacks(m_session);
        pumpCommands();
        if (m_state != int(State::Ready))
            break;
        pumpTunnels();
        if (m_state != int(State::Ready))
            break;
        stepTransfers();
        if (m_state != int(State::Ready))
            break;
        startQueuedCommands();
        if (m_session && linkDead())
            linkLost(libsshError());
    } while (m_pumpAgain && m_state == int(State::Ready));
    m_pumping = false;
}

void SshWorker::tick()
{
    if (m_state != int(State::Ready) || !m_session)
        return;
    const int interval = m_profile.keepaliveSeconds > 0 ? m_profile.keepaliveSeconds : 10;
    if (m_sinceKeepalive.elapsed() >= interval * 1000) {
        m_sinceKeepalive.restart();
        // keepalive@openssh.com with want_reply: the server must answer, and
        // that answer is what proves the link alive. In non-blocking mode the
        // first call sends, a later one collects the answer; two calls make
        // sure one request is always out.
        ssh_set_blocking(m_session, 0);
        ssh_send_keepalive(m_session);
        ssh_send_keepalive(m_session);
        ssh_set_blocking(m_session, 1);
    }
    const qint64 deadMs = qMin(3 * interval, 30) * 1000LL;
    qint64 silentMs = m_sinceWake.elapsed();
#ifdef TCP_INFO
    tcp_info info{};
    socklen_t len = sizeof info;
    // Time since the server last sent data, as the kernel saw it: libssh may
    // have read the data inside a blocking call, unseen by our notifier.
    if (getsockopt(ssh_get_fd(m_session), IPPROTO_TCP, TCP_INFO, &info, &len) == 0)
        silentMs = info.tcpi_last_data_recv;
#endif
    if (silentMs > deadMs) {
        linkLost(QStringLiteral("no answer to keepalives for %1 s").arg(silentMs / 1000));
        return;
    }
    for (auto &c : m_running)
        if (c->timeoutMs > 0 && c->clock.elapsed() > c->timeoutMs && !c->cancelRequested) {
            c->cancelRequested = true;
            c->result.timedOut = true;
        }
    pump();
}

void SshWorker::flushStats()
{
    for (auto &t : m_transfers)
        if (t->progressDirty) {
            t->progressDirty = false;
            emit transferProgress(t->id, t->doneBefore + t->offset, t->totalAll);
        }
    for (auto &t : m_tunnels)
        if (t->statsDirty) {
            t->statsDirty = false;
            emit tunnelStats(t->id, t->out, t->in, int(t->conns.size()), t->total);
        }
}

// ---------------------------------------------------------------- commands

void SshWorker::addCommand(quint64 id, const QString &command, int timeoutMs)
{
    auto c = std::make_unique<Command>();
    c->id = id;
    c->command = command;
    c->timeoutMs = timeoutMs;
    c->result.command = command;
    if (m_state == int(State::Disconnected) || m_state == int(State::Failed)) {
        c->result.error = notConnected();
        finishCommand(std::move(c));
        return;
    }
    m_queued.push_back(std::move(c));
    pump();
}

void SshWorker::runInternal(const QString &command, std::function<void(const SshCommandResult &)> done)
{
    auto c = std::make_unique<Command>();
    c->id = m_nextInternalId++;
    c->command = command;
    c->result.command = command;
    c->internalDone = std::move(done);
    m_queued.push_front(std::move(c)); // transfers wait on these: go first
    pump();
}

void SshWorker::cancelCommand(quint64 id)
{
    for (auto it = m_queued.begin(); it != m_queued.end(); ++it)
        if ((*it)->id == id) {
            auto c = std::move(*it);
            m_queued.erase(it);
            c->result.cancelled = true;
            c->result.error = QStringLiteral("cancelled");
            finishCommand(std::move(c));
            return;
        }
    for (auto &c : m_running)
        if (c->id == id)
            c->cancelRequested = true;
    pump();
}

int SshWorker::sessionChannels() const
{
    return int(m_running.size()) + (m_sftp ? 1 : 0);
}

void SshWorker::startQueuedCommands()
{
    while (!m_queued.empty() && m_state == int(State::Ready) && sessionChannels() < m_maxSessions) {
        auto c = std::move(m_queued.front());
        m_queued.pop_front();
        if (!startCommand(*c)) {
            if (linkDead()) {
                m_queued.push_front(std::move(c)); // never started: run it after the reconnect
                linkLost(libsshError());
                return;
            }
            // The server refused one more session (its MaxSessions is lower
            // than ours): wait for a running command to end and retry.
            if (++c->openRetries <= 50 && !m_running.empty()) {
                m_maxSessions = qMax(2, sessionChannels());
                m_queued.push_front(std::move(c));
                return;
            }
            c->result.error = QStringLiteral("%1: cannot start `%2`: %3").arg(target(), c->command, libsshError());
            finishCommand(std::move(c));
            continue;
        }
        m_running.push_back(std::move(c));
    }
}

bool SshWorker::startCommand(Command &c)
{
    c.channel = ssh_channel_new(m_session);
    if (!c.channel)
        return false;
    if (ssh_channel_open_session(c.channel) != SSH_OK
        || ssh_channel_request_exec(c.channel, c.command.toUtf8().constData()) != SSH_OK) {
        ssh_channel_free(c.channel);
        c.channel = nullptr;
        return false;
    }
    c.clock.start();
    return true;
}

void SshWorker::pumpCommands()
{
    for (size_t i = 0; i < m_running.size();) {
        Command &c = *m_running[i];
        QByteArray out, err;
        for (int stream = 0; stream < 2; ++stream) {
            QByteArray &dst = stream ? err : out;
            for (;;) {
                const int n = ssh_channel_read_nonblocking(c.channel, m_buffer.data(), uint32_t(kChunk), stream);
                if (n <= 0)
                    break;
                dst.append(m_buffer.constData(), n);
            }
        }
        if (!out.isEmpty() || !err.isEmpty()) {
            if (c.internalDone) {
                c.result.standardOutput += out;
                c.result.standardError += err;
            } else {
                emit commandOutput(c.id, out, err);
            }
        }
        bool done = false;
        if (c.cancelRequested) {
            ssh_channel_request_send_signal(c.channel, "TERM");
            if (!c.result.timedOut)
                c.result.cancelled = true;
            c.result.error = c.result.timedOut
                ? QStringLiteral("`%1` timed out after %2 ms").arg(c.command).arg(c.timeoutMs)
                : QStringLiteral("cancelled");
            done = true;
        } else if (linkDead()) {
            // Checked before EOF: libssh reports every channel of a dead
            // session as closed. linkLost() in pump() fails it with the reason.
            return;
        } else if (ssh_channel_is_eof(c.channel) || ssh_channel_is_closed(c.channel)) {
            c.result.exitStatus = ssh_channel_get_exit_status(c.channel);
            done = true;
        }
        if (!done) {
            ++i;
            continue;
        }
        ssh_channel_close(c.channel);
        ssh_channel_free(c.channel);
        c.channel = nullptr;
        auto owned = std::move(m_running[i]);
        m_running.erase(m_running.begin() + qsizetype(i));
        finishCommand(std::move(owned));
    }
}

void SshWorker::finishCommand(std::unique_ptr<Command> c)
{
    if (c->internalDone)
        c->internalDone(c->result);
    else
        emit commandFinished(c->id, c->result);
}

// --------------------------------------------------------------- transfers

void SshWorker::addTransfer(quint64 id, SshTransfer::Direction direction, const QString &local, const QString &remote)
{
    if (m_state == int(State::Disconnected) || m_state == int(State::Failed)) {
        SshTransferResult r;
        r.error = notConnected();
        emit transferFinished(id, r);
        return;
    }
    auto t = std::make_unique<Transfer>();
    t->id = id;
    t->upload = direction == SshTransfer::Direction::Upload;
    t->local = local;
    t->remote = remoteForSftp(remote);
    m_transfers.push_back(std::move(t));
    pump();
}

void SshWorker::cancelTransfer(quint64 id)
{
    for (auto &t : m_transfers)
        if (t->id == id) {
            closeFile(*t);
            finishTransfer(id, false, QStringLiteral("cancelled"));
            return;
        }
}

void SshWorker::finishTransfer(quint64 id, bool ok, const QString &error)
{
    for (auto it = m_transfers.begin(); it != m_transfers.end(); ++it) {
        if ((*it)->id != id)
            continue;
        Transfer &t = **it;
        closeFile(t);
        flushStats();
        SshTransferResult r;
        r.ok = ok;
        r.error = error;
        r.sha256 = t.lastSha;
        r.bytes = t.moved;
        r.files = int(t.files.size());
        m_transfers.erase(it);
        emit transferFinished(id, r);
        return;
    }
}

bool SshWorker::ensureSftp(QString *error)
{
    if (m_sftp)
        return true;
    m_sftp = sftp_new(m_session);
    if (!m_sftp || sftp_init(m_sftp) != SSH_OK) {
        *error = QStringLiteral("%1: cannot start SFTP: %2").arg(target(), libsshError());
        if (m_sftp)
            sftp_free(m_sftp);
        m_sftp = nullptr;
        return false;
    }
    return true;
}

void SshWorker::closeFile(Transfer &t)
{
    if (t.rfile) {
        if (m_session && !linkDead()) {
            // Collect outstanding replies so libssh frees them.
            for (const auto &r : t.requests)
                sftp_async_read(t.rfile, m_buffer.data(), r.length, r.id);
        }
        sftp_close(t.rfile);
        t.rfile = nullptr;
    }
    t.requests.clear();
    t.sink.finish(nullptr); // what was received stays in the .part file, for a resume
    if (t.lfile.isOpen())
        t.lfile.close();
}

bool SshWorker::expandDirectory(Transfer &t, QString *error)
{
    t.expanded = true;
    t.totalAll = 0;
    if (t.upload) {
        QFileInfo fi(t.local);
        if (!fi.exists()) {
            *error = QStringLiteral("%1: no such file or folder").arg(t.local);
            return false;
        }
        if (!fi.isDir()) {
            t.files.append({t.local, t.remote});
            t.totalAll = fi.size();
            return true;
        }
        QDirIterator it(t.local, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
        const QDir base(t.local);
        while (it.hasNext()) {
            const QString path = it.next();
            t.files.append({path, t.remote + QLatin1Char('/') + base.relativeFilePath(path)});
            t.totalAll += it.fileInfo().size();
        }
        return true;
    }
    sftp_attributes a = sftp_stat(m_sftp, t.remote.toUtf8().constData());
    if (!a) {
        *error = QStringLiteral("%1:%2: %3").arg(target(), t.remote, libsshError());
        return false;
    }
    const bool dir = a->type == SSH_FILEXFER_TYPE_DIRECTORY;
    if (!dir) {
        t.files.append({t.local, t.remote});
        t.totalAll = qint64(a->size);
        sftp_attributes_free(a);
        return true;
    }
    sftp_attributes_free(a);
    std::function<bool(const QString &, const QString &)> walk = [&](const QString &rdir, const QString &ldir) {
        sftp_dir d = sftp_opendir(m_sftp, rdir.toUtf8().constData());
        if (!d) {
            *error = QStringLiteral("%1:%2: %3").arg(target(), rdir, libsshError());
            return false;
        }
        while (sftp_attributes e = sftp_readdir(m_sftp, d)) {
            const QString name = QString::fromUtf8(e->name);
            const auto type = e->type;
            const qint64 size = qint64(e->size);
            sftp_attributes_free(e);
            if (name == QLatin1String(".") || name == QLatin1String(".."))
                continue;
            if (type == SSH_FILEXFER_TYPE_DIRECTORY) {
                if (!walk(rdir + QLatin1Char('/') + name, ldir + QLatin1Char('/') + name)) {
                    sftp_closedir(d);
                    return false;
                }
            } else if (type == SSH_FILEXFER_TYPE_REGULAR) {
                t.files.append({ldir + QLatin1Char('/') + name, rdir + QLatin1Char('/') + name});
                t.totalAll += size;
            }
        }
        sftp_closedir(d);
        return true;
    };
    return walk(t.remote, t.local);
}

bool SshWorker::beginFile(Transfer &t, QString *error)
{
    const auto [local, remote] = t.files.at(t.index);
    t.hash.reset();
    t.requests.clear();
    t.draining = false;
    t.chunk = kChunk;
    qint64 existing = 0;
    if (!t.upload) {
        sftp_attributes a = sftp_stat(m_sftp, remote.toUtf8().constData());
        if (!a) {
            *error = QStringLiteral("%1:%2: %3").arg(target(), remote, libsshError());
            return false;
        }
        t.size = qint64(a->size);
        sftp_attributes_free(a);
        QDir().mkpath(QFileInfo(local).absolutePath());
        t.lfile.setFileName(local + QStringLiteral(".part"));
        if (!t.lfile.open(QIODevice::ReadWrite)) {
            *error = QStringLiteral("%1: %2").arg(t.lfile.fileName(), t.lfile.errorString());
            return false;
        }
        existing = t.lfile.size();
        if (existing > t.size) {
            t.lfile.resize(0);
            existing = 0;
        }
        t.rfile = sftp_open(m_sftp, remote.toUtf8().constData(), O_RDONLY, 0);
    } else {
        t.lfile.setFileName(local);
        if (!t.lfile.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("%1: %2").arg(local, t.lfile.errorString());
            return false;
        }
        t.size = t.lfile.size();
        const QByteArray part = (remote + QStringLiteral(".part")).toUtf8();
        const int slash = remote.lastIndexOf(QLatin1Char('/'));
        if (slash > 0) { // make the parent folders, ignoring "exists"
            const QStringList parts = remote.left(slash).split(QLatin1Char('/'));
            QString path = remote.startsWith(QLatin1Char('/')) ? QStringLiteral("/") : QString();
            for (const QString &p : parts) {
                if (p.isEmpty())
                    continue;
                path += p;
                sftp_mkdir(m_sftp, path.toUtf8().constData(), 0755);
                path += QLatin1Char('/');
            }
        }
        if (sftp_attributes a = sftp_stat(m_sftp, part.constData())) {
            if (a->type == SSH_FILEXFER_TYPE_REGULAR && qint64(a->size) <= t.size)
                existing = qint64(a->size);
            sftp_attributes_free(a);
        }
        t.rfile = sftp_open(m_sftp, part.constData(), O_WRONLY | O_CREAT | (existing ? 0 : O_TRUNC), 0644);
    }
    if (!t.rfile) {
        *error = QStringLiteral("%1:%2: %3").arg(target(), remote, libsshError());
        t.lfile.close();
        return false;
    }
    if (existing > 0) {
        // Hash what is already there so the final digest covers the file.
        t.lfile.seek(0);
        qint64 left = existing;
        while (left > 0) {
            const qint64 n = t.lfile.read(m_buffer.data(), qMin<qint64>(left, m_buffer.size()));
            if (n <= 0)
                break;
            t.hash.addData(QByteArrayView(m_buffer.constData(), n));
            left -= n;
        }
        if (sftp_seek64(t.rfile, quint64(existing)) < 0) {
            *error = QStringLiteral("%1:%2: cannot seek: %3").arg(target(), remote, libsshError());
            return false;
        }
        emit transferResumed(t.id, existing);
    }
    t.lfile.seek(existing);
    t.offset = existing;
    t.nextRequest = existing;
    if (!t.upload) {
        t.sink.start(&t.lfile, &t.hash, t.size - existing >= kThreadedSinkMin);
        sftp_file_set_nonblocking(t.rfile);
        t.remoteSum.reset();
        t.onRemoteSum = nullptr;
        const quint64 id = t.id;
        const quint64 generation = t.generation;
        const int index = t.index;
        runInternal(QStringLiteral("sha256sum -- %1").arg(SshConnection::shellQuote(remote)),
                    [this, id, generation, index](const SshCommandResult &r) {
            for (auto &x : m_transfers) {
                if (x->id != id || x->generation != generation || x->index != index)
                    continue;
                if (x->onRemoteSum) {
                    auto check = std::move(x->onRemoteSum);
                    x->onRemoteSum = nullptr;
                    check(r);
                } else {
                    x->remoteSum = r;
                }
                return;
            }
        });
    }
    t.progressDirty = true;
    return true;
}

// Returns 1 when progress was made, 0 when waiting for the server, 2 when the file is complete, -1 on error.
int SshWorker::stepDownload(Transfer &t, QString *error)
{
    QElapsedTimer clock;
    clock.start();
    bool progressed = false;
    qint64 credit = 0; // see sessionInputPending
    while (clock.elapsed() < kStepBudgetMs && !t.cancel) {
        while (!t.draining && t.requests.size() < size_t(kReadsInFlight) && t.nextRequest < t.size) {
            const auto len = uint32_t(qMin<qint64>(t.chunk, t.size - t.nextRequest));
            const int id = sftp_async_read_begin(t.rfile, len);
            if (id < 0) {
                *error = QStringLiteral("%1:%2: read request failed: %3").arg(target(), t.remote, libsshError());
                return -1;
            }
            t.requests.push_back({uint32_t(id), t.nextRequest, len});
            t.nextRequest += len;
        }
        if (t.requests.empty()) {
            if (t.draining) { // all stale replies collected: continue where the data stopped
                t.draining = false;
                sftp_seek64(t.rfile, quint64(t.offset));
                t.nextRequest = t.offset;
                continue;
            }
            if (t.offset < t.size)
                return progressed ? 1 : 0;
            // Complete: wait for the sink to write the last blocks.
            return t.sink.finish(error) ? 2 : -1;
        }
        const auto r = t.requests.front();
        // Replies are read straight into a block that then goes to the sink
        // (no copy); stale replies while draining go to the scratch buffer.
        if (!t.draining && t.block.size() < qsizetype(r.length))
            t.block = t.sink.buffer();
        const int n = sftp_async_read(t.rfile, t.draining ? m_buffer.data() : t.block.data(), r.length, r.id);
        if (n == SSH_AGAIN) {
            if (sessionInputPending(&credit))
                continue; // the reply is still arriving: read on instead of waiting for a wake-up
            return progressed ? 1 : 0;
        }
        if (n < 0) {
            *error = QStringLiteral("%1:%2: read failed: %3").arg(target(), t.remote, libsshError());
            return -1;
        }
        t.requests.pop_front();
        progressed = true;
        if (t.draining)
            continue;
        if (n == 0) {
            *error = QStringLiteral("%1:%2: file shrank during the download (at byte %3 of %4)")
                         .arg(target(), t.remote).arg(t.offset).arg(t.size);
            return -1;
        }
        t.block.resize(n);
        if (!t.sink.put(std::exchange(t.block, QByteArray()))) {
            t.sink.finish(error);
            return -1;
        }
        t.offset += n;
        t.moved += n;
        t.progressDirty = true;
        if (uint32_t(n) < r.length && t.offset < t.size) {
            // A short read: the requests after it asked for the wrong offsets.
            // The server serves at most this much per request: ask no more.
            t.draining = true;
            t.chunk = qMax<uint32_t>(uint32_t(n), 4096);
        }
    }
    return progressed ? 1 : 0;
}

int SshWorker::stepUpload(Transfer &t, QString *error)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < kStepBudgetMs && t.offset < t.size && !t.cancel) {
        const qint64 n = t.lfile.read(m_buffer.data(), kWriteChunk);
        if (n <= 0) {
            *error = QStringLiteral("%1: read failed: %2").arg(t.lfile.fileName(), t.lfile.errorString());
            return -1;
        }
        const ssize_t w = sftp_write(t.rfile, m_buffer.constData(), size_t(n));
        if (w != n) {
            *error = QStringLiteral("%1:%2.part: write failed: %3").arg(target(), t.files[t.index].second, libsshError());
            return -1;
        }
        t.hash.addData(QByteArrayView(m_buffer.constData(), n));
        t.offset += n;
        t.moved += n;
        t.progressDirty = true;
    }
    return t.offset >= t.size ? 2 : 1;
}

void SshWorker::verifyFile(Transfer &xfer)
{
    const auto [local, remote] = xfer.files.at(xfer.index);
    const QString mine = hexOf(xfer.hash.result());
    const QString checked = xfer.upload ? remote + QStringLiteral(".part") : remote;
    xfer.stage = Transfer::Verifying;
    const quint64 id = xfer.id;
    const quint64 generation = xfer.generation;
    auto check = [this, id, generation, mine, local, remote](const SshCommandResult &r) {
        Transfer *tp = nullptr;
        for (auto &x : m_transfers)
            if (x->id == id)
                tp = x.get();
        if (!tp || tp->generation != generation)
            return; // cancelled, or the link dropped: the transfer starts this file over
        Transfer &t = *tp;
        if (!r.ok()) {
            finishTransfer(id, false, QStringLiteral("%1: cannot checksum %2: %3%4").arg(target(), remote,
                           r.error, QString::fromUtf8(r.standardError).trimmed()));
            return;
        }
        const QString theirs = QString::fromLatin1(r.standardOutput.left(64));
        if (theirs != mine) {
            if (t.upload)
                runInternal(QStringLiteral("rm -f -- %1").arg(SshConnection::shellQuote(remote + QStringLiteral(".part"))),
                            [](const SshCommandResult &) {});
            else
                QFile::remove(local + QStringLiteral(".part"));
            finishTransfer(id, false, QStringLiteral("SHA-256 mismatch for %1 (local %2, remote %3); the partial "
                                                     "file was removed").arg(t.upload ? local : remote, mine, theirs));
            return;
        }
        t.lastSha = mine;
        auto next = [this, id, generation] {
            for (auto &x : m_transfers)
                if (x->id == id && x->generation == generation) {
                    x->doneBefore += x->size;
                    x->offset = 0;
                    x->stage = Transfer::Pending;
                    if (++x->index >= x->files.size()) {
                        x->offset = 0;
                        x->doneBefore = x->totalAll;
                        x->progressDirty = true;
                        finishTransfer(id, true, {});
                    }
                    pump();
                    return;
                }
        };
        if (t.upload) {
            // mv is rename(2): atomic, and it replaces an existing file (SFTP v3 rename does not).
            runInternal(QStringLiteral("mv -f -- %1 %2").arg(SshConnection::shellQuote(remote + QStringLiteral(".part")),
                                                             SshConnection::shellQuote(remote)),
                        [this, id, generation, remote, next](const SshCommandResult &mv) {
                for (auto &x : m_transfers)
                    if (x->id == id && x->generation == generation && !mv.ok()) {
                        finishTransfer(id, false, QStringLiteral("%1: cannot rename %2.part: %3").arg(target(), remote,
                                       QString::fromUtf8(mv.standardError).trimmed() + mv.error));
                        return;
                    }
                next();
            });
        } else {
            std::error_code ec;
            std::filesystem::rename(QFile::encodeName(local + QStringLiteral(".part")).toStdString(),
                                    QFile::encodeName(local).toStdString(), ec);
            if (ec) {
                finishTransfer(id, false, QStringLiteral("%1: cannot rename the .part file: %2")
                                              .arg(local, QString::fromStdString(ec.message())));
                return;
            }
            next();
        }
    };
    if (xfer.upload) {
        runInternal(QStringLiteral("sha256sum -- %1").arg(SshConnection::shellQuote(checked)), check);
    } else if (xfer.remoteSum) {
        // Already here; compare from the event loop, not inside stepTransfers()'s loop.
        const SshCommandResult r = *xfer.remoteSum;
        xfer.remoteSum.reset();
        QMetaObject::invokeMethod(this, [check, r] { check(r); }, Qt::QueuedConnection);
    } else {
        xfer.onRemoteSum = check;
    }
}

void SshWorker::stepTransfers()
{
    bool again = false;
    for (size_t i = 0; i < m_transfers.size() && m_state == int(State::Ready); ++i) {
        Transfer &t = *m_transfers[i];
        const quint64 id = t.id;
        QString error;
        if (t.stage == Transfer::Verifying)
            continue;
        if (t.stage == Transfer::Pending) {
            if (!ensureSftp(&error)) {
                if (linkDead())
                    return;
                finishTransfer(id, false, error);
                return;
            }
            if (!t.expanded && !expandDirectory(t, &error)) {
                if (linkDead())
                    return;
                finishTransfer(id, false, error);
                return;
            }
            if (t.files.isEmpty()) {
                finishTransfer(id, true, {});
                return;
            }
            if (!beginFile(t, &error)) {
                if (linkDead())
                    return;
                finishTransfer(id, false, error);
                return;
            }
            t.stage = Transfer::Running;
        }
        const int rc = t.upload ? stepUpload(t, &error) : stepDownload(t, &error);
        if (rc < 0) {
            if (linkDead())
                return; // pump() notices and reconnects; the transfer resumes after
            finishTransfer(id, false, error);
            return;
        }
        if (rc == 2) {
            closeFile(t);
            verifyFile(t);
            continue;
        }
        if (rc == 1)
            again = true;
    }
    if (again)
        m_stepTimer.start();
}

// ------------------------------------------------------------------ tunnels

SshWorker::Tunnel *SshWorker::tunnel(quint64 id)
{
    for (auto &t : m_tunnels)
        if (t->id == id)
            return t.get();
    return nullptr;
}

void SshWorker::openTunnel(quint64 id, const QString &host, quint16 port, quint16 localPort)
{
    if (m_state == int(State::Disconnected) || m_state == int(State::Failed)) {
        emit tunnelState(id, int(SshTunnel::State::Failed), 0, notConnected());
        return;
    }
    auto t = std::make_unique<Tunnel>();
    t->id = id;
    t->host = host;
    t->port = port;
    t->server = new QTcpServer(this);
    t->server->setMaxPendingConnections(256);
    if (!t->server->listen(QHostAddress::LocalHost, localPort)) {
        const QString why = QStringLiteral("cannot listen on 127.0.0.1:%1: %2").arg(localPort).arg(t->server->errorString());
        delete t->server;
        emit tunnelState(id, int(SshTunnel::State::Failed), 0, why);
        return;
    }
    Tunnel *raw = t.get();
    connect(t->server, &QTcpServer::newConnection, this, [this, raw] { acceptTunnelConnections(*raw); });
    m_tunnels.push_back(std::move(t));
    emit tunnelState(id, int(m_state == int(State::Ready) ? SshTunnel::State::Listening : SshTunnel::State::Suspended),
                     raw->server->serverPort(), {});
}

void SshWorker::acceptTunnelConnections(Tunnel &t)
{
    while (QTcpSocket *s = t.server->nextPendingConnection()) {
        auto c = std::make_unique<TunnelConn>();
        c->socket = s;
        s->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        // Reads are driven by pump(): the socket is only drained as far as
        // the channel's window allows, so a slow far end slows the client.
        connect(s, &QTcpSocket::readyRead, this, &SshWorker::pump);
        connect(s, &QTcpSocket::bytesWritten, this, &SshWorker::pump);
        TunnelConn *raw = c.get();
        connect(s, &QTcpSocket::disconnected, this, [this, raw] {
            raw->socketEof = true;
            pump();
        });
        ++t.total;
        t.statsDirty = true;
        t.conns.push_back(std::move(c));
    }
    pump();
}

bool SshWorker::openTunnelChannel(Tunnel &t, TunnelConn &c)
{
    c.channel = ssh_channel_new(m_session);
    if (!c.channel)
        return false;
    const QByteArray host = t.host.toUtf8();
    if (ssh_channel_open_forward(c.channel, host.constData(), t.port, "127.0.0.1", c.socket->peerPort()) != SSH_OK) {
        ssh_channel_free(c.channel);
        c.channel = nullptr;
        return false;
    }
    return true;
}

void SshWorker::pumpTunnels()
{
    for (auto &tp : m_tunnels) {
        Tunnel &t = *tp;
        for (size_t i = 0; i < t.conns.size();) {
            TunnelConn &c = *t.conns[i];
            if (!c.channel && !c.finished) {
                if (c.socketEof && c.socket->bytesAvailable() == 0) {
                    c.finished = true; // gone before we could forward it
                } else if (!openTunnelChannel(t, c)) {
                    if (linkDead())
                        return;
                    c.finished = true; // e.g. nothing listens at host:port on the far side
                    c.socket->abort();
                }
            }
            if (!c.finished && c.channel && !pumpTunnelConn(t, c))
                c.finished = true;
            if (c.finished) {
                if (c.channel) {
                    ssh_channel_close(c.channel);
                    ssh_channel_free(c.channel);
                    c.channel = nullptr;
                }
                c.socket->disconnect(this);
                c.socket->disconnectFromHost();
                c.socket->deleteLater();
                t.conns.erase(t.conns.begin() + qsizetype(i));
                t.statsDirty = true;
                continue;
            }
            ++i;
        }
    }
}

bool SshWorker::pumpTunnelConn(Tunnel &t, TunnelConn &c)
{
    // far end → local client, bounded by what the client has not read yet.
    // The SSH packets (32 KiB) of one burst are gathered in m_buffer and
    // handed over in one go: fewer, larger writes to the local socket.
    QElapsedTimer clock;
    clock.start();
    qint64 credit = 0; // see sessionInputPending
    qint64 fill = 0;
    auto flush = [&] {
        qint64 sent = 0;
        if (fill > 0 && c.socket->bytesToWrite() == 0) {
            // Nothing queued in Qt: hand the data to the kernel now instead of
            // copying it into QTcpSocket's buffer and writing it one event-loop
            // round later. Only what the kernel does not take is queued, so
            // the order is kept; errors are left for QTcpSocket to report.
#ifdef _WIN32
            sent = ::send(SOCKET(c.socket->socketDescriptor()), m_buffer.constData(), int(fill), 0);
#else
            sent = ::send(int(c.socket->socketDescriptor()), m_buffer.constData(), size_t(fill),
                          MSG_NOSIGNAL | MSG_DONTWAIT);
#endif
            sent = qMax<qint64>(sent, 0);
        }
        if (sent < fill)
            c.socket->write(m_buffer.constData() + sent, fill - sent);
        fill = 0;
    };
    while (c.socket->bytesToWrite() < kSocketHighWater) {
        if (fill == m_buffer.size())
            flush();
        const int n = ssh_channel_read_nonblocking(c.channel, m_buffer.data() + fill, uint32_t(m_buffer.size() - fill), 0);
        if (n < 0)
            break;
        if (n == 0) {
            // A packet may be half in (see sessionInputPending); the budget
            // keeps one busy connection from starving the others.
            if (!ssh_channel_is_eof(c.channel) && sessionInputPending(&credit) && clock.elapsed() < kStepBudgetMs)
                continue;
            break;
        }
        fill += n;
        t.in += n;
        t.statsDirty = true;
    }
    flush();
    // local client → far end, bounded by the channel's window so that a
    // write never blocks the worker
    while (c.socket->bytesAvailable() > 0) {
        const qint64 window = ssh_channel_window_size(c.channel);
        if (window <= 0)
            break;
        const qint64 n = c.socket->read(m_buffer.data(), qMin<qint64>(window, m_buffer.size()));
        if (n <= 0)
            break;
        if (ssh_channel_write(c.channel, m_buffer.constData(), uint32_t(n)) != n)
            return false;
        t.out += n;
        t.statsDirty = true;
    }
    if (c.socketEof && c.socket->bytesAvailable() == 0 && !c.eofSent) {
        ssh_channel_send_eof(c.channel); // the client is done sending: tell the far end
        c.eofSent = true;
    }
    const bool farDone = ssh_channel_is_eof(c.channel) || ssh_channel_is_closed(c.channel);
    if (farDone && c.socket->bytesToWrite() == 0) {
        // Everything the far end sent has been handed to the client: close
        // in order (our EOF, then the channel, then the socket).
        if (!c.eofSent && !ssh_channel_is_closed(c.channel))
            ssh_channel_send_eof(c.channel);
        return false;
    }
    // The client has gone and its last bytes are forwarded: nothing more
    // can reach it, so close the channel now (after our EOF).
    if (c.eofSent && c.socket->state() == QAbstractSocket::UnconnectedState)
        return false;
    return true;
}

void SshWorker::dropTunnelConn(Tunnel &t, TunnelConn &c, bool orderly)
{
    if (c.channel) {
        if (orderly && m_session && !linkDead()) {
            // flush → EOF → close
            while (c.socket->bytesAvailable() > 0 && ssh_channel_window_size(c.channel) > 0) {
                const qint64 n = c.socket->read(m_buffer.data(), qMin<qint64>(ssh_channel_window_size(c.channel), m_buffer.size()));
                if (n <= 0 || ssh_channel_write(c.channel, m_buffer.constData(), uint32_t(n)) != n)
                    break;
                t.out += n;
            }
            ssh_channel_send_eof(c.channel);
            ssh_channel_close(c.channel);
        }
        ssh_channel_free(c.channel);
        c.channel = nullptr;
    }
    c.socket->disconnect(this);
    c.socket->disconnectFromHost();
    c.socket->deleteLater();
}

void SshWorker::closeTunnel(quint64 id)
{
    for (auto it = m_tunnels.begin(); it != m_tunnels.end(); ++it) {
        if ((*it)->id != id)
            continue;
        Tunnel &t = **it;
        t.server->close();
        for (auto &c : t.conns)
            dropTunnelConn(t, *c, true);
        t.conns.clear();
        t.statsDirty = true;
        flushStats();
        t.server->deleteLater();
        emit tunnelState(id, int(SshTunnel::State::Closed), 0, {});
        m_tunnels.erase(it);
        return;
    }
}

} // namespace fb
