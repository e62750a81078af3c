// SshAuthPrompter: how an SshConnection asks the user for secrets and for
// trust. The GUI implements it with dialogs, fbctl with a terminal prompt,
// tests with canned answers. The connection's worker thread asks; the calls
// themselves are made on the thread the SshConnection lives in (the GUI
// thread), and each returns a QFuture so an implementation may answer later
// (a non-modal dialog) without blocking that thread. A cancelled future, or
// one finished without a result, means "the user declined".
//
// Secrets travel as SshSecret (a QByteArray that wipes itself) so that they
// never pass through QString copies that cannot be erased. The caller owns
// the prompter; it must outlive every SshConnection that uses it.
#pragma once

#include <QByteArray>
#include <QFuture>
#include <QList>
#include <QString>

namespace fb {

// A secret that zeroes its bytes when destroyed. Copy only when needed.
class SshSecret
{
public:
    SshSecret() = default;
    explicit SshSecret(QByteArray bytes) : m_bytes(std::move(bytes)) {}
    SshSecret(const SshSecret &) = default;
    SshSecret &operator=(const SshSecret &) = default;
    ~SshSecret() { wipe(); }
    const QByteArray &bytes() const { return m_bytes; }
    bool isEmpty() const { return m_bytes.isEmpty(); }
    void wipe();

private:
    QByteArray m_bytes;
};

// Zeroes a buffer in a way the optimiser may not drop.
void secureWipe(void *data, size_t size);

struct SshPrompt
{
    QString text;   // "One-time password (OATH) for `fbuser': "
    bool echo = false;
};

class SshAuthPrompter
{
public:
    virtual ~SshAuthPrompter() = default;

    // Passphrase of an encrypted private key. `attempt` counts from 1.
    virtual QFuture<SshSecret> passphrase(const QString &keyPath, int attempt) = 0;
    // One keyboard-interactive round; answers in the order of `prompts`.
    virtual QFuture<QList<SshSecret>> keyboardInteractive(const QString &name, const QString &instruction,
                                                          const QList<SshPrompt> &prompts) = 0;
    // Password for user@host (asked last, as OpenSSH does).
    virtual QFuture<SshSecret> password(const QString &userAtHost) = 0;
    // An unknown host key: accept (and remember in known_hosts) or refuse.
    // `fingerprint` is OpenSSH's form, "SHA256:<base64>".
    virtual QFuture<bool> confirmHostKey(const QString &host, const QString &keyType,
                                         const QString &fingerprint, const QString &knownHostsFile) = 0;
};

} // namespace fb
