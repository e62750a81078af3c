// Tests keyboard-interactive authentication with two prompt rounds (password,
// then a TOTP code from oathtool) against synthetic_kbdint_server, a test
// server on libssh's server API (OpenSSH would need a PAM stack in /etc).
#include "SshTestSupport.h"

#include "ssh/SshConnection.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using fb::SshConnection;
using namespace fbtest;

namespace {
constexpr const char *kSecret = "3132333435363738393031323334353637383930"; // RFC 6238's test key
constexpr const char *kPassword = "pa ss'word";

QByteArray currentTotp()
{
    return runLocal(QStringLiteral("oathtool"), {QStringLiteral("--totp"), QString::fromLatin1(kSecret)}).trimmed();
}
} // namespace

class TestSshKbdInt : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_tmp;
    QProcess m_server;
    fb::ConnectionProfile m_profile;

    SshConnection::State connectAndWait(SshConnection &c)
    {
        c.connectToHost();
        (void)QTest::qWaitFor([&] { return c.state() == SshConnection::State::Ready
                                           || c.state() == SshConnection::State::Failed; }, 20000);
        return c.state();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        const QString server = qEnvironmentVariable("FB_KBDINT_SERVER");
        QVERIFY2(QFile::exists(server), "FB_KBDINT_SERVER must name synthetic_kbdint_server");
        QVERIFY(!currentTotp().isEmpty());
        const QString hostKey = m_tmp.filePath(QStringLiteral("hostkey"));
        int code = -1;
        runLocal(QStringLiteral("ssh-keygen"), {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                                                QStringLiteral("-N"), QString(), QStringLiteral("-f"), hostKey},
                 &code);
        QCOMPARE(code, 0);
        m_server.start(server, {hostKey, QString::fromLatin1(kPassword), QString::fromLatin1(kSecret)});
        QVERIFY(m_server.waitForStarted());
        QVERIFY(m_server.waitForReadyRead(10000));
        const QByteArray line = m_server.readLine().trimmed();
        QVERIFY2(line.startsWith("port "), line.constData());
        const int port = line.mid(5).toInt();
        QVERIFY(port > 0);

        // Trust the server's key the OpenSSH way.
        QFile pub(hostKey + QStringLiteral(".pub"));
        QVERIFY(pub.open(QIODevice::ReadOnly));
        QFile known(m_tmp.filePath(QStringLiteral("known_hosts")));
        QVERIFY(known.open(QIODevice::WriteOnly));
        known.write(QStringLiteral("[127.0.0.1]:%1 ").arg(port).toUtf8() + pub.readAll().split(' ').mid(0, 2).join(' ')
                    + '\n');
        known.close();

        m_profile.name = QStringLiteral("kbdint");
        m_profile.host = QStringLiteral("127.0.0.1");
        m_profile.port = port;
        m_profile.user = QStringLiteral("otpuser");
        m_profile.useAgent = false;
        m_profile.identitiesOnly = true;
        m_profile.identityFile = m_tmp.filePath(QStringLiteral("no-key"));
        m_profile.knownHostsFile = known.fileName();
    }

    void twoRounds()
    {
        TestPrompter prompter;
        prompter.kbdAnswers = {{QByteArray(kPassword)}, {currentTotp()}};
        SshConnection c(m_profile, &prompter);
        QCOMPARE(connectAndWait(c), SshConnection::State::Ready);
        QCOMPARE(prompter.kbdRounds, 2);
        QCOMPARE(prompter.kbdPrompts, (QStringList{QStringLiteral("Password: "), QStringLiteral("Verification code: ")}));
        auto f = c.run(QStringLiteral("hostname"));
        QTRY_VERIFY_WITH_TIMEOUT(f.isFinished(), 10000);
        QCOMPARE(f.result().standardOutput, QByteArray("kbdint-ok otpuser: hostname\n"));
        QCOMPARE(f.result().exitStatus, 0);
    }

    void wrongCodeRefused()
    {
        TestPrompter prompter;
        QByteArray wrong = currentTotp();
        wrong[0] = wrong[0] == '0' ? '1' : '0';
        prompter.kbdAnswers = {{QByteArray(kPassword)}, {wrong}};
        SshConnection c(m_profile, &prompter);
        QCOMPARE(connectAndWait(c), SshConnection::State::Failed);
        QCOMPARE(prompter.kbdRounds, 2);
        const QString e = c.errorString();
        QVERIFY2(e.contains(QLatin1String("keyboard-interactive")) && e.contains(QLatin1String("otpuser@127.0.0.1")),
                 qPrintable(e));
        QVERIFY2(!e.contains(QString::fromLatin1(wrong)) && !e.contains(QLatin1String(kPassword)), qPrintable(e));
    }

    void wrongPasswordStopsAfterFirstRound()
    {
        TestPrompter prompter;
        prompter.kbdAnswers = {{QByteArray("nope")}, {currentTotp()}};
        SshConnection c(m_profile, &prompter);
        QCOMPARE(connectAndWait(c), SshConnection::State::Failed);
        QCOMPARE(prompter.kbdRounds, 1);
    }

    void cleanupTestCase()
    {
        m_server.closeWriteChannel(); // the server exits when its stdin closes
        if (!m_server.waitForFinished(5000))
            m_server.kill();
    }
};

QTEST_GUILESS_MAIN(TestSshKbdInt)
#include "tst_sshkbdint.moc"
