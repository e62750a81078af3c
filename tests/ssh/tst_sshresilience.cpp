// Tests SshConnection when its link dies: the per-connection sshd process is
// killed (what a network failure looks like to the client). The connection
// must go reconnecting → ready, fail the commands in flight with a clear
// error, bring tunnels back on the same local port within 30 s, and resume an
// interrupted download to the right checksum.
#include "SshTestSupport.h"

#include "ssh/SshConnection.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using fb::SshConnection;
using fb::SshTransfer;
using fb::SshTunnel;
using namespace fbtest;

namespace {

// One HTTP/1.0 GET through 127.0.0.1:port; returns the body, or empty.
QByteArray httpGet(quint16 port, const QByteArray &path)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    QByteArray reply;
    if (!QTest::qWaitFor([&] { return s.state() == QAbstractSocket::ConnectedState
                                      || s.state() == QAbstractSocket::UnconnectedState; }, 5000)
        || s.state() != QAbstractSocket::ConnectedState)
        return {};
    s.write("GET " + path + " HTTP/1.0\r\n\r\n");
    (void)QTest::qWaitFor([&] {
        reply += s.readAll();
        return s.state() == QAbstractSocket::UnconnectedState;
    }, 10000);
    reply += s.readAll();
    const qsizetype split = reply.indexOf("\r\n\r\n");
    return reply.startsWith("HTTP/1.0 200") && split > 0 ? reply.mid(split + 4) : QByteArray();
}

} // namespace

class TestSshResilience : public QObject
{
    Q_OBJECT
private:
    fb::ConnectionProfile m_profile;
    QTemporaryDir m_tmp;

    std::unique_ptr<SshConnection> connected()
    {
        auto c = std::make_unique<SshConnection>(m_profile);
        c->setReconnectDelays(200, 2000);
        c->connectToHost();
        (void)QTest::qWaitFor([&] { return c->state() == SshConnection::State::Ready
                                           || c->state() == SshConnection::State::Failed; }, 20000);
        if (c->state() != SshConnection::State::Ready)
            return {};
        return c;
    }

    fb::SshCommandResult runSync(SshConnection &c, const QString &cmd)
    {
        auto f = c.run(cmd);
        (void)QTest::qWaitFor([&] { return f.isFinished(); }, 60000);
        return f.isFinished() && f.resultCount() ? f.result() : fb::SshCommandResult{};
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(clusterProfile(&m_profile, &error), qPrintable(error));
        QVERIFY(m_tmp.isValid());
    }

    void reconnectsAndTunnelComesBack()
    {
        const QString www = m_tmp.filePath(QStringLiteral("www"));
        QDir().mkpath(www);
        {
            QFile f(www + QStringLiteral("/hello.txt"));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("hello through the tunnel\n");
        }
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 httpPort = probe.serverPort();
        probe.close();
        QProcess http;
        http.setWorkingDirectory(www);
        http.start(QStringLiteral("python3"), {QStringLiteral("-m"), QStringLiteral("http.server"), QStringLiteral("--bind"),
                                               QStringLiteral("127.0.0.1"), QString::number(httpPort)});
        QVERIFY(http.waitForStarted());

        auto c = connected();
        QVERIFY(c);
        QList<SshConnection::State> states;
        connect(c.get(), &SshConnection::stateChanged, this,
                [&](SshConnection::State s, const QString &) { states << s; });
        SshTunnel *t = c->openTunnel(QStringLiteral("127.0.0.1"), httpPort);
        QTRY_COMPARE_WITH_TIMEOUT(t->state(), SshTunnel::State::Listening, 10000);
        const quint16 localPort = t->localPort();
        QTRY_COMPARE_WITH_TIMEOUT(httpGet(localPort, "/hello.txt"), QByteArray("hello through the tunnel\n"), 10000);

        auto inFlight = c->run(QStringLiteral("sleep 60"));
        QTest::qWait(300); // let it start
        QElapsedTimer clock;
        clock.start();
        QVERIFY(killSshdConnection(m_profile.port, c->linkLocalPort()) > 0);

        QTRY_VERIFY_WITH_TIMEOUT(inFlight.isFinished(), 30000);
        const auto r = inFlight.result();
        QVERIFY2(r.error.contains(QLatin1String("connection to")) && r.error.contains(QLatin1String("lost"))
                     && r.error.contains(QLatin1String("sleep 60")),
                 qPrintable(r.error));
        QCOMPARE(r.exitStatus, -1);

        QTRY_VERIFY_WITH_TIMEOUT(states.contains(SshConnection::State::Reconnecting), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), SshConnection::State::Ready, 30000);
        QCOMPARE(states.last(), SshConnection::State::Ready);
        QTRY_COMPARE_WITH_TIMEOUT(t->state(), SshTunnel::State::Listening, 5000);
        QCOMPARE(t->localPort(), localPort);
        QTRY_COMPARE_WITH_TIMEOUT(httpGet(localPort, "/hello.txt"), QByteArray("hello through the tunnel\n"), 20000);
        qInfo("tunnel back on port %u after %lld ms", localPort, clock.elapsed());
        QVERIFY(clock.elapsed() < 30000);
        // The new session runs commands again.
        QCOMPARE(runSync(*c, QStringLiteral("echo again")).standardOutput, QByteArray("again\n"));
        http.kill();
        http.waitForFinished();
    }

    void commandsQueuedDuringReconnectRun()
    {
        auto c = connected();
        QVERIFY(c);
        QVERIFY(killSshdConnection(m_profile.port, c->linkLocalPort()) > 0);
        QTRY_VERIFY_WITH_TIMEOUT(c->state() != SshConnection::State::Ready, 10000);
        // Asked while the link is down: waits for the reconnect, then runs.
        auto later = c->run(QStringLiteral("echo after-reconnect"));
        QTRY_VERIFY_WITH_TIMEOUT(later.isFinished(), 30000);
        QVERIFY2(later.result().ok(), qPrintable(later.result().error));
        QCOMPARE(later.result().standardOutput, QByteArray("after-reconnect\n"));
    }

    void silentLinkNoticedByKeepalives()
    {
        fb::ConnectionProfile p = m_profile;
        p.keepaliveSeconds = 2; // dead after 3 silent intervals: 6 s
        SshConnection c(p);
        c.setReconnectDelays(200, 2000);
        c.connectToHost();
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), SshConnection::State::Ready, 20000);
        QTest::qWait(1000); // privilege separation has settled: the session's own sshd holds the socket
        auto inFlight = c.run(QStringLiteral("sleep 120"));
        QTest::qWait(300);
        const QList<qint64> frozen = freezeSshdConnection(p.port, c.linkLocalPort());
        QVERIFY(!frozen.isEmpty());
        QElapsedTimer clock;
        clock.start();
        QTRY_VERIFY_WITH_TIMEOUT(inFlight.isFinished(), 30000);
        const qint64 noticedMs = clock.elapsed();
        for (qint64 pid : frozen)
            ::kill(pid_t(pid), SIGKILL);
        qInfo("silent link noticed after %lld ms: %s", noticedMs, qPrintable(inFlight.result().error));
        QVERIFY2(inFlight.result().error.contains(QLatin1String("no answer to keepalives")),
                 qPrintable(inFlight.result().error));
        QVERIFY(noticedMs >= 3000 && noticedMs < 30000);
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), SshConnection::State::Ready, 30000);
        QCOMPARE(runSync(c, QStringLiteral("echo back")).standardOutput, QByteArray("back\n"));
    }

    void interruptedDownloadResumes()
    {
        auto c = connected();
        QVERIFY(c);
        const QString remote = QStringLiteral("fbtest-resume.bin");
        const auto made = runSync(*c, QStringLiteral("head -c 64M /dev/urandom > %1 && sha256sum %1").arg(remote));
        QVERIFY2(made.ok(), made.standardError.constData());
        const QByteArray remoteSha = made.standardOutput.left(64);

        const QString local = m_tmp.filePath(QStringLiteral("resume.bin"));
        // The kill happens in the worker thread, which waits for it: the
        // transfer cannot run ahead of it however busy the machine is.
        std::atomic_bool killed = false;
        std::atomic<qint64> killedAt = 0;
        const quint16 linkPort = c->linkLocalPort();
        c->setTransferProbe([&, linkPort](quint64, qint64 done, qint64 total) {
            if (!killed && done > total / 8) {
                killed = true;
                killedAt = done;
                killSshdConnection(m_profile.port, linkPort);
            }
        });
        SshTransfer *down = c->download(remote, local);
        QSignalSpy resumed(down, &SshTransfer::resumed);
        QTRY_VERIFY_WITH_TIMEOUT(down->isFinished(), 90000);
        QVERIFY(killed);
        QVERIFY2(down->result().ok, qPrintable(down->result().error));
        QCOMPARE(resumed.count(), 1);
        const qint64 offset = resumed.first().first().toLongLong();
        qInfo("killed at %lld bytes, resumed from %lld", qint64(killedAt), offset);
        QVERIFY(offset > 0);
        QVERIFY(offset < (64LL << 20));
        // Only the rest was moved again, not the whole file.
        QVERIFY(down->result().bytes < (64LL << 20) + (8 << 20));
        QFile f(local);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCryptographicHash h(QCryptographicHash::Sha256);
        h.addData(&f);
        QCOMPARE(h.result().toHex(), remoteSha);
        QVERIFY(!QFile::exists(local + QStringLiteral(".part")));
        runSync(*c, QStringLiteral("rm -f ") + remote);
    }
};

QTEST_GUILESS_MAIN(TestSshResilience)
#include "tst_sshresilience.moc"
