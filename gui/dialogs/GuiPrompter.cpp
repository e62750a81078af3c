#include "GuiPrompter.h"

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

QFuture<QList<SshSecret>> GuiPrompter::askSecrets(const QString &title, const QString &intro, const QList<SshPrompt> &prompts)
{
    auto promise = std::make_shared<QPromise<QList<SshSecret>>>();
    promise->start();
    QFuture<QList<SshSecret>> future = promise->future();
    // Posted to this object's (the GUI) thread, whichever thread asks.
    QMetaObject::invokeMethod(this, [this, promise, title, intro, prompts] {
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
        auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
        layout->addWidget(buttons);
        connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
        connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
        connect(dialog, &QDialog::finished, dialog, [promise, edits](int result) {
            if (result == QDialog::Accepted) {
                QList<SshSecret> answers;
                for (QLineEdit *e : edits) {
                    answers << SshSecret(e->text().toUtf8());
                    e->clear(); // the widget's copy goes as soon as we have ours
                }
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

QFuture<SshSecret> GuiPrompter::passphrase(const QString &keyPath, int attempt)
{
    const QString intro = attempt > 1 ? tr("Wrong passphrase. Try again (attempt %1).").arg(attempt)
                                      : tr("The key %1 is encrypted.").arg(keyPath);
    return askSecrets(tr("Key passphrase"), intro, {SshPrompt{tr("Passphrase for %1:").arg(keyPath), false}})
        .then([](const QList<SshSecret> &a) { return a.value(0); });
}

QFuture<QList<SshSecret>> GuiPrompter::keyboardInteractive(const QString &name, const QString &instruction,
                                                           const QList<SshPrompt> &prompts)
{
    return askSecrets(name.isEmpty() ? tr("Login") : name, instruction, prompts);
}

QFuture<SshSecret> GuiPrompter::password(const QString &userAtHost)
{
    return askSecrets(tr("Password"), {}, {SshPrompt{tr("Password for %1:").arg(userAtHost), false}})
        .then([](const QList<SshSecret> &a) { return a.value(0); });
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
