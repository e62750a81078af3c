// The app's SSH questions: host key, passphrase, one-time codes. Asked from a
// worker thread (as the campaign's connection does), answered in dialogs on
// the GUI thread.
#include "dialogs/GuiPrompter.h"

#include "ssh/SecretStore.h"

#include "common/Paths.h"

#include <QApplication>
#include <QCheckBox>
#include <QDirIterator>
#include <QFileInfo>
#include <QLabel>
#include <QSettings>
#include <QStandardPaths>
#include <QDialog>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QMainWindow>
#include <QMessageBox>
#include <QPushButton>
#include <QTest>
#include <QThread>

using fb::SshPrompt;
using fb::SshSecret;

class TestGuiPrompter : public QObject
{
    Q_OBJECT
    QMainWindow m_window;

    template<typename T>
    T *waitForDialog(const QString &name)
    {
        T *found = nullptr;
        const bool shown = QTest::qWaitFor([&] {
            found = m_window.findChild<T *>(name);
            return found && found->isVisible();
        }, 5000);
        return shown ? found : nullptr;
    }

    // Runs `ask` on a worker thread, the way an SshConnection living there would.
    template<typename F>
    auto fromWorker(F ask)
    {
        using Future = decltype(ask());
        Future future;
        QThread *t = QThread::create([&] { future = ask(); });
        t->start();
        t->wait();
        delete t;
        return future;
    }

private slots:
    void initTestCase()
    {
        m_window.resize(800, 600);
        m_window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&m_window));
    }

    void hostKeyAcceptedOrRefused()
    {
        fb::gui::GuiPrompter prompter(&m_window);
        const QString fp = QStringLiteral("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
        QFuture<bool> answer = fromWorker([&] {
            return prompter.confirmHostKey(QStringLiteral("login.lxp.lu:8822"), QStringLiteral("ED25519"), fp,
                                           QStringLiteral("/home/u/.ssh/known_hosts"));
        });
        auto *box = waitForDialog<QMessageBox>(QStringLiteral("hostKeyDialog"));
        QVERIFY(box);
        QVERIFY(box->text().contains(fp));
        QVERIFY(box->text().contains(QStringLiteral("login.lxp.lu:8822")));
        QCOMPARE(box->defaultButton()->objectName(), QStringLiteral("refuseHostKey")); // Enter never trusts
        QTest::mouseClick(box->findChild<QPushButton *>(QStringLiteral("acceptHostKey")), Qt::LeftButton);
        QVERIFY(QTest::qWaitFor([&] { return answer.isFinished(); }, 5000));
        QCOMPARE(answer.result(), true);

        QFuture<bool> second = prompter.confirmHostKey(QStringLiteral("h"), QStringLiteral("RSA"), fp, QStringLiteral("kh"));
        box = waitForDialog<QMessageBox>(QStringLiteral("hostKeyDialog"));
        QVERIFY(box);
        QTest::mouseClick(box->findChild<QPushButton *>(QStringLiteral("refuseHostKey")), Qt::LeftButton);
        QVERIFY(QTest::qWaitFor([&] { return second.isFinished(); }, 5000));
        QCOMPARE(second.result(), false);
    }

    void passphraseTypedAndCleared()
    {
        fb::gui::GuiPrompter prompter(&m_window);
        QFuture<SshSecret> secret = fromWorker([&] { return prompter.passphrase(QStringLiteral("/k/id_ed25519"), 1); });
        auto *dialog = waitForDialog<QDialog>(QStringLiteral("sshSecretDialog"));
        QVERIFY(dialog);
        auto *edit = dialog->findChild<QLineEdit *>();
        QVERIFY(edit);
        QCOMPARE(edit->echoMode(), QLineEdit::Password);
        QTest::keyClicks(edit, QStringLiteral("s3cret pass"));
        dialog->accept();
        QVERIFY(QTest::qWaitFor([&] { return secret.isFinished(); }, 5000));
        QCOMPARE(secret.result().bytes(), QByteArray("s3cret pass"));
        QVERIFY(edit->text().isEmpty() || !dialog->isVisible());
    }

    void cancelIsDecline()
    {
        fb::gui::GuiPrompter prompter(&m_window);
        QFuture<SshSecret> secret = prompter.password(QStringLiteral("fbuser@127.0.0.1"));
        auto *dialog = waitForDialog<QDialog>(QStringLiteral("sshSecretDialog"));
        QVERIFY(dialog);
        dialog->reject();
        QVERIFY(QTest::qWaitFor([&] { return secret.isFinished(); }, 5000));
        QVERIFY(secret.isCanceled() || secret.resultCount() == 0);
    }

    // Without a keychain backend (no D-Bus secret service here) the
    // passphrase dialog says so, "Remember in keychain" is off, the store's
    // own write fails with a clear message, and the secret is nowhere on disk.
    void keychainUnavailableRemembersNothing()
    {
        const QByteArray secretText("fb-keychain-probe-7f3a9c");
        fb::SecretStore store;
        QFuture<fb::SecretResult> written = store.write(QStringLiteral("passphrase:/k/probe"), SshSecret(secretText));
        QTRY_VERIFY_WITH_TIMEOUT(written.isFinished(), 30000);
        const fb::SecretResult w = written.result();
        if (w.ok) {
            store.remove(QStringLiteral("passphrase:/k/probe"));
            QSKIP("an OS keychain is available here; this test covers the headless case");
        }
        qInfo("keychain write: %s", qPrintable(w.error));
        QVERIFY(w.unavailable);
        QVERIFY2(w.error.contains(QStringLiteral("keychain")), qPrintable(w.error));
        QVERIFY(!w.error.contains(QString::fromLatin1(secretText)));
        QVERIFY(store.knownUnavailable());

        fb::gui::GuiPrompter prompter(&m_window);
        QFuture<SshSecret> secret = fromWorker([&] { return prompter.passphrase(QStringLiteral("/k/probe"), 1); });
        auto *dialog = waitForDialog<QDialog>(QStringLiteral("sshSecretDialog"));
        QVERIFY(dialog);
        auto *remember = dialog->findChild<QCheckBox *>(QStringLiteral("rememberInKeychain"));
        QVERIFY(remember);
        QVERIFY(!remember->isEnabled());
        auto *status = dialog->findChild<QLabel *>(QStringLiteral("keychainStatus"));
        QVERIFY(status);
        QVERIFY2(status->text().startsWith(QStringLiteral("Not remembered: no OS keychain is available")), qPrintable(status->text()));
        remember->setChecked(true); // even if ticked, nothing may be stored
        dialog->findChild<QLineEdit *>()->setText(QString::fromLatin1(secretText));
        dialog->accept();
        QTRY_VERIFY(secret.isFinished());
        QCOMPARE(secret.result().bytes(), secretText);
        QTest::qWait(200); // give a (wrong) asynchronous write the chance to land

        // Nothing in FactoryBench's config/state folders nor where QSettings
        // (QtKeychain's plain-text fallback) would write. A control file
        // proves the search reads what is there.
        QDir().mkpath(fb::Paths::stateDir());
        QFile control(fb::Paths::stateDir() + QStringLiteral("/control.txt"));
        QVERIFY(control.open(QIODevice::WriteOnly));
        control.write("control-marker-2c9e\n");
        control.close();
        const QStringList roots{fb::Paths::configDir(), fb::Paths::stateDir(),
                                QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation),
                                QFileInfo(QSettings().fileName()).absolutePath()};
        int files = 0;
        int controls = 0;
        for (const QString &root : roots) {
            QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                QFile f(it.next());
                if (f.size() > 16 * 1024 * 1024 || !f.open(QIODevice::ReadOnly))
                    continue;
                ++files;
                const QByteArray data = f.readAll();
                controls += data.contains("control-marker-2c9e") ? 1 : 0;
                QVERIFY2(!data.contains(secretText), qPrintable(f.fileName()));
            }
        }
        QVERIFY(controls >= 1);
        qInfo("searched %d files under %s for the secret", files, qPrintable(roots.join(QStringLiteral(", "))));

        // A declined dialog with a remembered-secret request still completes.
        QFuture<SshSecret> pw = prompter.password(QStringLiteral("fbuser@127.0.0.1"));
        dialog = waitForDialog<QDialog>(QStringLiteral("sshSecretDialog"));
        QVERIFY(dialog);
        QVERIFY(dialog->findChild<QCheckBox *>(QStringLiteral("rememberInKeychain")));
        dialog->reject();
        QTRY_VERIFY(pw.isFinished());
        QVERIFY(pw.isCanceled() || pw.resultCount() == 0);
    }

    void twoPromptRound()
    {
        fb::gui::GuiPrompter prompter(&m_window);
        QFuture<QList<SshSecret>> answers = fromWorker([&] {
            return prompter.keyboardInteractive(QStringLiteral("MeluXina"), QStringLiteral("Second factor"),
                                                {SshPrompt{QStringLiteral("Password: "), false},
                                                 SshPrompt{QStringLiteral("One-time code: "), true}});
        });
        auto *dialog = waitForDialog<QDialog>(QStringLiteral("sshSecretDialog"));
        QVERIFY(dialog);
        const QList<QLineEdit *> edits = dialog->findChildren<QLineEdit *>();
        QCOMPARE(edits.size(), 2);
        QCOMPARE(edits[1]->echoMode(), QLineEdit::Normal); // the code may be shown
        edits[0]->setText(QStringLiteral("pw"));
        edits[1]->setText(QStringLiteral("123456"));
        dialog->accept();
        QVERIFY(QTest::qWaitFor([&] { return answers.isFinished(); }, 5000));
        QCOMPARE(answers.result().size(), 2);
        QCOMPARE(answers.result()[0].bytes(), QByteArray("pw"));
        QCOMPARE(answers.result()[1].bytes(), QByteArray("123456"));
    }
};

QTEST_MAIN(TestGuiPrompter)
#include "tst_guiprompter.moc"
