// GuiPrompter: the desktop app's SshAuthPrompter. An SshConnection may live on
// any thread (the campaign's worker thread, for instance); every question is
// posted to the GUI thread and shown as a window-modal dialog opened with
// open(), so nothing waits in a nested event loop. The answer completes the
// returned QFuture; Cancel (or closing the dialog) finishes it without a
// result, which the connection reads as "declined".
//
// Secrets typed into a dialog are copied once into an SshSecret and the line
// edit is cleared; they are never logged or written to settings. Key
// passphrases and passwords may be remembered in the OS keychain
// (SecretStore) when the user ticks "Remember in keychain"; a remembered
// one is used on the first attempt without asking. Without a keychain
// backend the dialog says so and the box stays off.
#pragma once

#include "ssh/SecretStore.h"
#include "ssh/SshAuthPrompter.h"

#include <QObject>
#include <QPointer>
#include <QSet>

class QWidget;

namespace fb::gui {

class GuiPrompter : public QObject, public SshAuthPrompter
{
    Q_OBJECT
public:
    explicit GuiPrompter(QWidget *dialogParent, QObject *parent = nullptr);

    QFuture<SshSecret> passphrase(const QString &keyPath, int attempt) override;
    QFuture<QList<SshSecret>> keyboardInteractive(const QString &name, const QString &instruction,
                                                  const QList<SshPrompt> &prompts) override;
    QFuture<SshSecret> password(const QString &userAtHost) override;
    QFuture<bool> confirmHostKey(const QString &host, const QString &keyType, const QString &fingerprint,
                                 const QString &knownHostsFile) override;

    SecretStore *secretStore() const { return m_secrets; }

    // The message of a host-key question, for the dialog and for tests.
    static QString hostKeyText(const QString &host, const QString &keyType, const QString &fingerprint,
                               const QString &knownHostsFile);

private:
    // rememberKey non-empty: the dialog offers to remember the (single) answer under that key.
    QFuture<QList<SshSecret>> askSecrets(const QString &title, const QString &intro, const QList<SshPrompt> &prompts,
                                         const QString &rememberKey = {});
    // The remembered secret on the first attempt, else the dialog.
    // `noAttemptCount` (passwords): the question after one answered from the
    // keychain asks the user, as the remembered secret may have been wrong.
    QFuture<SshSecret> rememberedOrAsk(const QString &key, int attempt, const QString &title, const QString &intro,
                                       const SshPrompt &prompt, bool noAttemptCount = false);
    QPointer<QWidget> m_parent;
    SecretStore *m_secrets;
    QSet<QString> m_served; // keys answered from the keychain, not yet confirmed by a later question
};

} // namespace fb::gui
