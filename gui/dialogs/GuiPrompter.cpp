#include "GuiPrompter.h"

#include <QCheckBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPromise>
#include <QPushButton>
#include <QVBoxLayout>
#include <QWidget>

#include <memory>

namespace fb::gui {

GuiPrompter::GuiPrompter(QWidget *dialogParent, QObject *parent)
    : QObject(parent)
    , m_parent(dialogParent)
    , m_secrets(new SecretStore(QStringLiteral("FactoryBench"), this))
{
}

QString GuiPrompter::hostKeyText(const QString &host, const QString &keyType, const QString &fingerprint,
                                 const QString &knownHostsFile)
{
    return tr("The authenticity of host %1 can't be established.\n\n"
              "%2 key fingerprint:\n%3\n\n"
              "Compare it with the fingerprint your cluster publishes (for MeluXina: the LuxProvide "
              "documentation) before you accept. Accepted keys are added to %4, which OpenSSH uses too.")
        .arg(host, keyType, fingerprint, knownHostsFile);
}

QFuture<QList<SshSecret>> GuiPrompter::askSecrets(const QString &title, const QString &intro, const QList<SshPrompt> &prompts,
                                                  const QString &rememberKey)
{
    auto promise = std::make_shared<QPromise<QList<SshSecret>>>();
    promise->start();
    QFuture<QList<SshSecret>> future = promise->future();
    // Posted to this object's (the GUI) thread, whichever thread asks.
    QMetaObject::invokeMethod(this, [this, promise, title, intro, prompts, rememberKey] {
        auto *dialog = new QDialog(m_parent);
        dialog->setObjectName(QStringLiteral("sshSecretDialog"));
        dialog->setWindowTitle(title);
        dialog->setWindowModality(Qt::WindowModal);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        auto *layout = new QVBoxLayout(dialog);
        if (!intro.isEmpty()) {
            auto *label = new QLabel(intro, dialog);
            label->setWordWrap(true);
            layout->addWidget(label);
        }
        auto *form = new QFormLayout;
        QList<QLineEdit *> edits;
        for (const SshPrompt &p : prompts) {
            auto *edit = new QLineEdit(dialog);
            edit->setEchoMode(p.echo ? QLineEdit::Normal : QLineEdit::Password);
            form->addRow(p.text.trimmed(), edit);
            edits << edit;
        }
        layout->addLayout(form);
        QCheckBox *remember = nullptr;
        if (!rememberKey.isEmpty()) {
            remember = new QCheckBox(tr("Remember in keychain"), dialog);
            remember->setObjectName(QStringLiteral("rememberInKeychain"));
            layout->addWidget(remember);
            auto *note = new QLabel(dialog);
            note->setObjectName(QStringLiteral("keychainStatus"));
            note->setWordWrap(true);
            if (m_secrets->knownUnavailable()) {
                // Said plainly, and nothing is remembered: no plain-text fallback.
                remember->setEnabled(false);
                note->setText(tr("Not remembered: %1.").arg(m_secrets->unavailableReason()));
            } else {
                note->setText(tr("Stored by the operating system's keychain, never in FactoryBench's files."));
            }
            layout->addWidget(note);
        }
        auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
        layout->addWidget(buttons);
        connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
        connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
        QPointer<SecretStore> store = m_secrets;
        connect(dialog, &QDialog::finished, dialog, [promise, edits, remember, rememberKey, store](int result) {
            if (result == QDialog::Accepted) {
                QList<SshSecret> answers;
                for (QLineEdit *e : edits) {
                    answers << SshSecret(e->text().toUtf8());
                    e->clear(); // the widget's copy goes as soon as we have ours
                }
                if (remember && remember->isEnabled() && remember->isChecked() && store && !answers.isEmpty())
                    store->write(rememberKey, answers.first()); // asynchronous; a failure only means "not remembered"
                promise->addResult(answers);
            } else {
                promise->future().cancel(); // declined: continuations do not run
            }
            promise->finish();
        });
        dialog->open();
    }, Qt::QueuedConnection);
    return future;
}

QFuture<SshSecret> GuiPrompter::rememberedOrAsk(const QString &key, int attempt, const QString &title,
                                                const QString &intro, const SshPrompt &prompt, bool noAttemptCount)
{
    auto promise = std::make_shared<QPromise<SshSecret>>();
    promise->start();
    QFuture<SshSecret> future = promise->future();
    auto ask = [this, promise, key, title, intro, prompt] {
        askSecrets(title, intro, {prompt}, key).then(this, [promise](const QList<SshSecret> &a) {
            promise->addResult(a.value(0));
            promise->finish();
        }).onCanceled(this, [promise] {
            promise->future().cancel();
            promise->finish();
        });
    };
    QMetaObject::invokeMethod(this, [this, attempt, key, ask, promise, noAttemptCount] {
        // A retry after the remembered secret was used: it may be wrong, so
        // the user decides, and may remember the new one.
        const bool servedBefore = m_served.remove(key);
        if (attempt > 1 || (noAttemptCount && servedBefore)) {
            ask();
            return;
        }
        // Looking in the keychain first also tells the dialog whether one exists.
        m_secrets->read(key).then(this, [this, key, promise, ask](const SecretResult &r) {
            if (r.ok && !r.secret.isEmpty()) {
                m_served.insert(key);
                promise->addResult(r.secret);
                promise->finish();
            } else {
                ask();
            }
        });
    }, Qt::QueuedConnection);
    return future;
}

QFuture<SshSecret> GuiPrompter::passphrase(const QString &keyPath, int attempt)
{
    const QString intro = attempt > 1 ? tr("Wrong passphrase. Try again (attempt %1).").arg(attempt)
                                      : tr("The key %1 is encrypted.").arg(keyPath);
    return rememberedOrAsk(SecretStore::passphraseKey(keyPath), attempt, tr("Key passphrase"), intro,
                           SshPrompt{tr("Passphrase for %1:").arg(keyPath), false});
}

QFuture<QList<SshSecret>> GuiPrompter::keyboardInteractive(const QString &name, const QString &instruction,
                                                           const QList<SshPrompt> &prompts)
{
    return askSecrets(name.isEmpty() ? tr("Login") : name, instruction, prompts);
}

QFuture<SshSecret> GuiPrompter::password(const QString &userAtHost)
{
    // Passwords have no attempt count: a remembered one is offered first;
    // the next question for the same user@host asks (see rememberedOrAsk).
    return rememberedOrAsk(SecretStore::passwordKey(userAtHost), 1, tr("Password"), {},
                           SshPrompt{tr("Password for %1:").arg(userAtHost), false}, true);
}

QFuture<bool> GuiPrompter::confirmHostKey(const QString &host, const QString &keyType, const QString &fingerprint,
                                          const QString &knownHostsFile)
{
    auto promise = std::make_shared<QPromise<bool>>();
    promise->start();
    QFuture<bool> future = promise->future();
    QMetaObject::invokeMethod(this, [this, promise, host, keyType, fingerprint, knownHostsFile] {
        auto *box = new QMessageBox(QMessageBox::Warning, tr("Unknown host key"),
                                    hostKeyText(host, keyType, fingerprint, knownHostsFile),
                                    QMessageBox::NoButton, m_parent);
        box->setObjectName(QStringLiteral("hostKeyDialog"));
        box->setTextInteractionFlags(Qt::TextSelectableByMouse);
        QPushButton *accept = box->addButton(tr("Accept and remember"), QMessageBox::AcceptRole);
        accept->setObjectName(QStringLiteral("acceptHostKey"));
        QPushButton *refuse = box->addButton(tr("Refuse"), QMessageBox::RejectRole);
        refuse->setObjectName(QStringLiteral("refuseHostKey"));
        box->setDefaultButton(refuse); // Enter must not trust a key
        box->setWindowModality(Qt::WindowModal);
        box->setAttribute(Qt::WA_DeleteOnClose);
        connect(box, &QMessageBox::buttonClicked, box, [promise, accept](QAbstractButton *b) {
            promise->addResult(b == accept);
            promise->finish();
        });
        connect(box, &QDialog::finished, box, [promise] {
            if (!promise->future().isFinished()) {
                promise->addResult(false);
                promise->finish();
            }
        });
        box->open();
    }, Qt::QueuedConnection);
    return future;
}

} // namespace fb::gui
