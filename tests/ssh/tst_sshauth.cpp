// Tests SshConnection's authentication against the mini-cluster's real
// OpenSSH sshd: an encrypted key unlocked through the passphrase callback, a
// wrong or withheld passphrase with a clear error, and ssh-agent keys (an
// agent started by the test).
#include "SshTestSupport.h"

#include "ssh/SshConnection.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using fb::SshConnection;
using namespace fbtest;

class TestSshAuth : public QObject
{
    Q_OBJECT
private:
    fb::ConnectionProfile m_profile;
    QTemporaryDir m_tmp;
    QString m_encrypted; // a copy of the cluster key, encrypted with kPassphrase
    static constexpr const char *kPassphrase = "correct horse 'battery' $staple";

    SshConnection::State connectAndWait(SshConnection &c)
    {
        c.connectToHost();
        (void)QTest::qWaitFor([&] { return c.state() == SshConnection::State::Ready
                                           || c.state() == SshConnection::State::Failed; }, 30000);
        return c.state();
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(clusterProfile(&m_profile, &error), qPrintable(error));
        QVERIFY(m_tmp.isValid());
        m_encrypted = m_tmp.filePath(QStringLiteral("id_encrypted"));
        QVERIFY(QFile::copy(m_profile.identityFile, m_encrypted));
        QVERIFY(QFile::copy(m_profile.identityFile + QStringLiteral(".pub"), m_encrypted + QStringLiteral(".pub")));
        QFile::setPermissions(m_encrypted, QFile::ReadOwner | QFile::WriteOwner);
        int code = -1;
        QByteArray err;
        runLocal(QStringLiteral("ssh-keygen"), {QStringLiteral("-q"), QStringLiteral("-p"), QStringLiteral("-P"), QString(),
                                                QStringLiteral("-N"), QString::fromLatin1(kPassphrase),
                                                QStringLiteral("-f"), m_encrypted},
                 &code, &err);
        QVERIFY2(code == 0, err.constData());
        QFile f(m_encrypted);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("OPENSSH PRIVATE KEY"));
    }

    void plainKey()
    {
        TestPrompter prompter;
        SshConnection c(m_profile, &prompter);
        QCOMPARE(connectAndWait(c), SshConnection::State::Ready);
        QCOMPARE(prompter.passphraseAsked, 0);
    }

    void encryptedKeyAsksPassphrase()
    {
        fb::ConnectionProfile p = m_profile;
        p.identityFile = m_encrypted;
        TestPrompter prompter;
        prompter.passphrases = {QByteArray("not it"), QByteArray(kPassphrase)};
        SshConnection c(p, &prompter);
        QCOMPARE(connectAndWait(c), SshConnection::State::Ready);
        QCOMPARE(prompter.passphraseAsked, 2); // the second attempt was right
        auto f = c.run(QStringLiteral("echo ok"));
        QTRY_VERIFY_WITH_TIMEOUT(f.isFinished(), 10000);
        QCOMPARE(f.result().standardOutput, QByteArray("ok\n"));
    }

    void wrongPassphraseIsAClearError()
    {
        fb::ConnectionProfile p = m_profile;
        p.identityFile = m_encrypted;
        TestPrompter prompter;
        prompter.passphrases = {QByteArray("a"), QByteArray("b"), QByteArray("c"), QByteArray(kPassphrase)};
        SshConnection c(p, &prompter);
        QCOMPARE(connectAndWait(c), SshConnection::State::Failed);
        QCOMPARE(prompter.passphraseAsked, 3); // gives up after three, like OpenSSH
        const QString e = c.errorString();
        QVERIFY2(e.contains(QStringLiteral("wrong passphrase for %1").arg(m_encrypted)), qPrintable(e));
        QVERIFY2(e.contains(QLatin1String("permission denied")), qPrintable(e));
        QVERIFY2(!e.contains(QLatin1String(kPassphrase)) && !e.contains(QLatin1String("\"a\"")), qPrintable(e));
    }

    void declinedPassphrase()
    {
        fb::ConnectionProfile p = m_profile;
        p.identityFile = m_encrypted;
        TestPrompter prompter; // no answers: the user cancels
        SshConnection c(p, &prompter);
        QCOMPARE(connectAndWait(c), SshConnection::State::Failed);
        QVERIFY2(c.errorString().contains(QStringLiteral("%1: no passphrase given").arg(m_encrypted)),
                 qPrintable(c.errorString()));
        // Batch mode (no prompter) fails the same way, without hanging.
        SshConnection batch(p, nullptr);
        QCOMPARE(connectAndWait(batch), SshConnection::State::Failed);
    }

    void agentKeys()
    {
        const QString sock = m_tmp.filePath(QStringLiteral("agent.sock"));
        QProcess agent;
        agent.start(QStringLiteral("ssh-agent"), {QStringLiteral("-D"), QStringLiteral("-a"), sock});
        QVERIFY(agent.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(sock), 5000);
        QProcess add;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SSH_AUTH_SOCK"), sock);
        add.setProcessEnvironment(env);
        add.start(QStringLiteral("ssh-add"), {m_profile.identityFile});
        QVERIFY(add.waitForFinished());
        QCOMPARE(add.exitCode(), 0);

        const QByteArray oldSock = qgetenv("SSH_AUTH_SOCK");
        qputenv("SSH_AUTH_SOCK", QFile::encodeName(sock));
        // No usable key file: only the agent can authenticate.
        fb::ConnectionProfile p = m_profile;
        p.identityFile = m_tmp.filePath(QStringLiteral("no-such-key"));
        p.identitiesOnly = false;
        p.useAgent = true;
        {
            TestPrompter prompter;
            SshConnection c(p, &prompter);
            QCOMPARE(connectAndWait(c), SshConnection::State::Ready);
            QCOMPARE(prompter.passphraseAsked, 0);
        }
        // The same profile with the agent switched off is refused: it was the agent.
        p.useAgent = false;
        {
            SshConnection c(p, nullptr);
            QCOMPARE(connectAndWait(c), SshConnection::State::Failed);
        }
        // An agent without the key: refused, and the error says the agent was tried.
        p.useAgent = true;
        add.start(QStringLiteral("ssh-add"), {QStringLiteral("-D")});
        QVERIFY(add.waitForFinished());
        {
            SshConnection c(p, nullptr);
            QCOMPARE(connectAndWait(c), SshConnection::State::Failed);
            QVERIFY2(c.errorString().contains(QLatin1String("ssh-agent")), qPrintable(c.errorString()));
        }
        if (oldSock.isNull())
            qunsetenv("SSH_AUTH_SOCK");
        else
            qputenv("SSH_AUTH_SOCK", oldSock);
        agent.kill();
        agent.waitForFinished();
    }
};

QTEST_GUILESS_MAIN(TestSshAuth)
#include "tst_sshauth.moc"
