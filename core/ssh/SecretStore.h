// SecretStore: key passphrases and passwords remembered in the OS keychain
// (Secret Service/KWallet on Linux, Keychain on macOS, Credential Manager on
// Windows) through QtKeychain, only when the user asks for it. Nothing is
// ever written to settings files: QtKeychain's plain-text fallback stays off,
// so without a keychain backend (a headless node, no D-Bus secret service)
// every call fails with `unavailable` set and a message that says why.
//
// Job-based and asynchronous like QtKeychain itself: each call returns a
// QFuture at once and completes on the thread the store lives in (the GUI
// thread), so a slow or locked keychain never blocks the caller.
#pragma once

#include "SshAuthPrompter.h"

#include <QFuture>
#include <QObject>
#include <QString>

namespace fb {

struct SecretResult
{
    bool ok = false;          // the operation succeeded (read: a secret was found)
    bool notFound = false;    // read/remove: nothing stored under that key
    bool unavailable = false; // no keychain backend at run time: nothing can be remembered
    QString error;            // human-readable, never contains the secret
    SshSecret secret;         // read only
};

class SecretStore : public QObject
{
    Q_OBJECT
public:
    // `service` groups FactoryBench's entries in the keychain.
    explicit SecretStore(QString service = QStringLiteral("FactoryBench"), QObject *parent = nullptr);

    QFuture<SecretResult> read(const QString &key);
    QFuture<SecretResult> write(const QString &key, const SshSecret &secret);
    QFuture<SecretResult> remove(const QString &key);

    // What the last answered job told about the backend: false once a job
    // failed for lack of a keychain; the dialogs say so and stop offering.
    bool knownUnavailable() const { return m_unavailable; }
    QString unavailableReason() const { return m_unavailableReason; }

    // Keys of the entries (never secrets themselves).
    static QString passphraseKey(const QString &keyPath) { return QStringLiteral("passphrase:") + keyPath; }
    static QString passwordKey(const QString &userAtHost) { return QStringLiteral("password:") + userAtHost; }

private:
    void noteResult(const SecretResult &r);
    QString m_service;
    bool m_unavailable = false;
    QString m_unavailableReason;
};

} // namespace fb
