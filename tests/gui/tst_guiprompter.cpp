// The app's SSH questions: host key, passphrase, one-time codes. Asked from a
// worker thread (as the campaign's connection does), answered in dialogs on
// the GUI thread.
#include "dialogs/GuiPrompter.h"

#include <QApplication>
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
