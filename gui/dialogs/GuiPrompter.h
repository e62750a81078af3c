// GuiPrompter: the desktop app's SshAuthPrompter. An SshConnection may live on
// any thread (the campaign's worker thread, for instance); every question is
// posted to the GUI thread and shown as a window-modal dialog opened with
// open(), so nothing waits in a nested event loop. The answer completes the
// returned QFuture; Cancel (or closing the dialog) finishes it without a
// result, which the connection reads as "declined".
//
// Secrets typed into a dialog are copied once into an SshSecret and the line
// edit is cleared; they are never logged or stored.
#pragma once

#include "ssh/SshAuthPrompter.h"

#include <QObject>
#include <QPointer>

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

    // The message of a host-key question, for the dialog and for tests.
    static QString hostKeyText(const QString &host, const QString &keyType, const QString &fingerprint,
                               const QString &knownHostsFile);

private:
    QFuture<QList<SshSecret>> askSecrets(const QString &title, const QString &intro, const QList<SshPrompt> &prompts);
    QPointer<QWidget> m_parent;
};

} // namespace fb::gui
