// Tests SshConnection against the mini-cluster's real OpenSSH sshd: key
// authentication, commands (output, exit status, timeout, cancel, streaming,
// 100 at once over one session), host key checks, SFTP transfers with
// SHA-256 and temp-name-then-rename, a tunnel to a real HTTP server with 50
// concurrent connections, and that no call holds the caller's thread.
#include "SshTestSupport.h"

#include "ssh/SshCommandRunner.h"
#include "ssh/SshConnection.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>

using fb::SshConnection;
using fb::SshTransfer;
using fb::SshTunnel;
using namespace fbtest;

namespace {

QByteArray sha256File(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return h.result().toHex();
}

bool writeRandomFile(const QString &path, qint64 size)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    QByteArray block(1 << 20, Qt::Uninitialized);
    auto *rng = QRandomGenerator::global();
    for (qint64 left = size; left > 0; left -= block.size()) {
        rng->fillRange(reinterpret_cast<quint32 *>(block.data()), block.size() / 4);
        if (f.write(block.constData(), qMin<qint64>(left, block.size())) < 0)
            return false;
    }
    return true;
}

int freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

} // namespace

class TestSshConnection : public QObject
{
    Q_OBJECT
private:
    fb::ConnectionProfile m_profile;
    QTemporaryDir m_tmp;

    // A connection that reached Ready, or null (the failure is recorded).
    std::unique_ptr<SshConnection> connected(const fb::ConnectionProfile &p, fb::SshAuthPrompter *prompter = nullptr)
    {
        auto c = std::make_unique<SshConnection>(p, prompter);
        c->connectToHost();
        (void)QTest::qWaitFor([&] { return c->state() == SshConnection::State::Ready
                                     || c->state() == SshConnection::State::Failed; }, 20000);
        if (c->state() != SshConnection::State::Ready) {
            qWarning("connection failed: %s", qPrintable(c->errorString()));
            return {};
        }
        return c;
    }

    fb::SshCommandResult runSync(SshConnection &c, const QString &cmd, int timeoutMs = 0)
    {
        auto f = c.run(cmd, timeoutMs);
        (void)QTest::qWaitFor([&] { return f.isFinished(); }, 60000);
        return f.isFinished() && f.resultCount() ? f.result() : fb::SshCommandResult{};
    }

    int acceptedLogins() const
    {
        // sshd -e logs to the mini-cluster's log folder.
        QFile f(clusterDir() + QStringLiteral("/log/sshd.out"));
        if (!f.open(QIODevice::ReadOnly))
            return -1;
        return int(f.readAll().count("Accepted publickey"));
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(clusterProfile(&m_profile, &error), qPrintable(error));
        QVERIFY(m_tmp.isValid());
    }

    void keyAuthAndCommand()
    {
        auto c = connected(m_profile);
        QVERIFY(c);
        QVERIFY(c->linkLocalPort() != 0);
        const auto r = runSync(*c, QStringLiteral("echo out-$((6*7)); echo err-line >&2; exit 3"));
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.standardOutput, QByteArray("out-42\n"));
        QCOMPARE(r.standardError, QByteArray("err-line\n"));
        QCOMPARE(r.exitStatus, 3);
        QVERIFY(!r.ok());
        const auto who = runSync(*c, QStringLiteral("whoami"));
        QCOMPARE(who.standardOutput.trimmed(), m_profile.user.toUtf8());
        QVERIFY(who.ok());
        // Quoting: a value with quotes and $ reaches the shell verbatim.
        const QString nasty = QStringLiteral("it's $HOME `x` \"y\"");
        const auto echo = runSync(*c, QStringLiteral("printf %s ") + SshConnection::shellQuote(nasty));
        QCOMPARE(QString::fromUtf8(echo.standardOutput), nasty);
    }

    void timeoutAndCancel()
    {
        auto c = connected(m_profile);
        QVERIFY(c);
        QElapsedTimer clock;
        clock.start();
        const auto r = runSync(*c, QStringLiteral("sleep 30"), 700);
        QVERIFY(r.timedOut);
        QVERIFY(!r.ok());
        QVERIFY2(r.error.contains(QLatin1String("timed out")), qPrintable(r.error));
        QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));

        fb::SshProcess *p = c->start(QStringLiteral("echo started; sleep 30"));
        QSignalSpy out(p, &fb::SshProcess::standardOutputReady);
        QVERIFY(out.wait(10000));
        clock.restart();
        p->cancel();
        QTRY_VERIFY_WITH_TIMEOUT(p->isFinished(), 5000);
        QVERIFY(p->result().cancelled);
        QVERIFY(clock.elapsed() < 3000);
        // The session is still usable after a cancel.
        QVERIFY(runSync(*c, QStringLiteral("true")).ok());
    }

    void streamsOutput()
    {
        auto c = connected(m_profile);
        QVERIFY(c);
        fb::SshProcess *p = c->start(QStringLiteral("for i in 1 2 3 4; do echo line$i; sleep 0.2; done"));
        QList<QByteArray> chunks;
        connect(p, &fb::SshProcess::standardOutputReady, this, [&](const QByteArray &b) { chunks << b; });
        QTRY_VERIFY_WITH_TIMEOUT(p->isFinished(), 10000);
        QCOMPARE(p->result().exitStatus, 0);
        QVERIFY2(chunks.size() >= 3, "output should arrive while the command runs, not all at the end");
        QCOMPARE(chunks.join(), QByteArray("line1\nline2\nline3\nline4\n"));
    }

    void hundredInParallel()
    {
        auto c = connected(m_profile);
        QVERIFY(c);
        QList<QFuture<fb::SshCommandResult>> futures;
        for (int i = 0; i < 100; ++i)
            futures << c->run(QStringLiteral("echo %1; echo e%1 >&2; exit %2").arg(i).arg(i % 7));
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(futures.begin(), futures.end(), [](auto &f) { return f.isFinished(); }),
                                 90000);
        for (int i = 0; i < 100; ++i) {
            const auto r = futures[i].result();
            QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
            QCOMPARE(r.standardOutput, QByteArray::number(i) + '\n');
            QCOMPARE(r.standardError, 'e' + QByteArray::number(i) + '\n');
            QCOMPARE(r.exitStatus, i % 7);
        }
        // One session: exactly one TCP connection to sshd from this process.
        QCOMPARE(c->state(), SshConnection::State::Ready);
    }

    void unknownHostAsksWithFingerprint()
    {
        const QString known = m_tmp.filePath(QStringLiteral("known_unknown"));
        QFile::remove(known);
        fb::ConnectionProfile p = m_profile;
        p.knownHostsFile = known;
        const QString expected = opensshFingerprint(clusterDir() + QStringLiteral("/ssh/ssh_host_ed25519_key.pub"));
        QVERIFY(expected.startsWith(QLatin1String("SHA256:")));

        TestPrompter refuse;
        SshConnection c1(p, &refuse);
        c1.connectToHost();
        QTRY_COMPARE_WITH_TIMEOUT(c1.state(), SshConnection::State::Failed, 20000);
        QCOMPARE(refuse.hostAsked, 1);
        QCOMPARE(refuse.hostFingerprint, expected);
        QCOMPARE(refuse.hostName, QStringLiteral("[127.0.0.1]:%1").arg(p.port));
        QVERIFY(c1.errorString().contains(expected));
        QVERIFY(!QFile::exists(known) || QFile(known).size() == 0);

        TestPrompter accept;
        accept.acceptHost = true;
        auto c2 = connected(p, &accept);
        QVERIFY(c2);
        QCOMPARE(accept.hostFingerprint, expected);
        // Remembered in OpenSSH's format: OpenSSH now agrees without asking.
        int code = -1;
        QByteArray err;
        runLocal(QStringLiteral("ssh"), {QStringLiteral("-o"), QStringLiteral("BatchMode=yes"), QStringLiteral("-o"),
                                          QStringLiteral("StrictHostKeyChecking=yes"), QStringLiteral("-o"),
                                          QStringLiteral("UserKnownHostsFile=") + known, QStringLiteral("-i"),
                                          p.identityFile, QStringLiteral("-p"), QString::number(p.port),
                                          p.user + QStringLiteral("@") + p.host, QStringLiteral("true")},
                 &code, &err);
        QVERIFY2(code == 0, err.constData());
        // And a second connection does not ask again.
        TestPrompter again;
        auto c3 = connected(p, &again);
        QVERIFY(c3);
        QCOMPARE(again.hostAsked, 0);
    }

    void changedHostKeyRefused()
    {
        // known_hosts with a comment, another host, then a different key for this host on line 3.
        const QString known = m_tmp.filePath(QStringLiteral("known_changed"));
        const QString otherKey = m_tmp.filePath(QStringLiteral("otherhost"));
        int code = -1;
        runLocal(QStringLiteral("ssh-keygen"), {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                                                QStringLiteral("-N"), QString(), QStringLiteral("-f"), otherKey},
                 &code);
        QCOMPARE(code, 0);
        QFile pub(otherKey + QStringLiteral(".pub"));
        QVERIFY(pub.open(QIODevice::ReadOnly));
        const QByteArray keyPart = pub.readAll().split(' ').mid(0, 2).join(' ');
        QFile f(known);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("# test known_hosts\n");
        f.write("example.org " + keyPart + "\n");
        f.write(QStringLiteral("[127.0.0.1]:%1 ").arg(m_profile.port).toUtf8() + keyPart + "\n");
        f.close();

        fb::ConnectionProfile p = m_profile;
        p.knownHostsFile = known;
        const int loginsBefore = acceptedLogins();
        QVERIFY(loginsBefore > 0); // the log is readable and this suite logged in before
        TestPrompter prompter;
        prompter.acceptHost = true; // must not even be asked
        SshConnection c(p, &prompter);
        c.connectToHost();
        // Queued while connecting: must never be sent.
        auto queued = c.run(QStringLiteral("touch ~/fb-must-not-exist"));
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), SshConnection::State::Failed, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(queued.isFinished(), 5000);
        QVERIFY2(queued.result().error.contains(QLatin1String("CHANGED")), qPrintable(queued.result().error));
        QCOMPARE(prompter.hostAsked, 0);
        const QString e = c.errorString();
        QVERIFY2(e.contains(QLatin1String("CHANGED")), qPrintable(e));
        QVERIFY2(e.contains(known + QStringLiteral(":3")), qPrintable(e));
        // Nothing was sent: no login happened (the sshd log has no new "Accepted").
        QTest::qWait(300);
        QCOMPARE(acceptedLogins(), loginsBefore);
        auto check = connected(m_profile);
        QVERIFY(check);
        QCOMPARE(runSync(*check, QStringLiteral("test -e ~/fb-must-not-exist; echo $?")).standardOutput,
                 QByteArray("1\n"));
    }

    void uploadDownloadChecksummed()
    {
        auto c = connected(m_profile);
        QVERIFY(c);
        const QString src = m_tmp.filePath(QStringLiteral("payload.bin"));
        const qint64 size = 64LL << 20;
        QVERIFY(writeRandomFile(src, size));
        const QByteArray sha = sha256File(src);
        const QString remote = QStringLiteral("fbtest-ssh/sub dir/payload.bin"); // parents created, space quoted
        QVERIFY(runSync(*c, QStringLiteral("rm -rf fbtest-ssh")).ok());

        SshTransfer *up = c->upload(src, remote);
        QTRY_VERIFY_WITH_TIMEOUT(up->isFinished(), 90000);
        QVERIFY2(up->result().ok, qPrintable(up->result().error));
        QCOMPARE(up->result().sha256.toLatin1(), sha);
        QCOMPARE(up->bytesDone(), size);
        const auto remoteSha = runSync(*c, QStringLiteral("sha256sum ") + SshConnection::shellQuote(remote));
        QCOMPARE(remoteSha.standardOutput.left(64), sha);
        QCOMPARE(runSync(*c, QStringLiteral("ls 'fbtest-ssh/sub dir'")).standardOutput, QByteArray("payload.bin\n"));

        // Download: written under <target>.part, which is renamed (same inode)
        // once complete and verified; the target name does not exist before.
        const QString dst = m_tmp.filePath(QStringLiteral("back/payload.bin"));
        SshTransfer *down = c->download(remote, dst);
        ino_t partInode = 0;
        int progressSeen = 0;
        bool targetAtStart = false;
        connect(down, &SshTransfer::progress, this, [&](qint64, qint64) {
            if (progressSeen++ == 0)
                targetAtStart = QFile::exists(dst);
            struct stat st {};
            if (!partInode && ::stat(QFile::encodeName(dst + QStringLiteral(".part")).constData(), &st) == 0)
                partInode = st.st_ino;
        });
        QTRY_VERIFY_WITH_TIMEOUT(down->isFinished(), 90000);
        QVERIFY2(down->result().ok, qPrintable(down->result().error));
        QVERIFY(progressSeen > 0);
        QVERIFY(!targetAtStart);
        QVERIFY(partInode != 0);
        struct stat done {};
        QCOMPARE(::stat(QFile::encodeName(dst).constData(), &done), 0);
        QCOMPARE(done.st_ino, partInode);
        QVERIFY(!QFile::exists(dst + QStringLiteral(".part")));
        QCOMPARE(sha256File(dst), sha);
        QCOMPARE(down->result().sha256.toLatin1(), sha);

        // A missing remote file: the error names host and path.
        SshTransfer *missing = c->download(QStringLiteral("fbtest-ssh/nope.bin"), m_tmp.filePath(QStringLiteral("nope")));
        QTRY_VERIFY_WITH_TIMEOUT(missing->isFinished(), 20000);
        QVERIFY(!missing->result().ok);
        QVERIFY2(missing->result().error.contains(QLatin1String("127.0.0.1"))
                     && missing->result().error.contains(QLatin1String("fbtest-ssh/nope.bin")),
                 qPrintable(missing->result().error));
        QVERIFY(runSync(*c, QStringLiteral("rm -rf fbtest-ssh")).ok());
    }

    // Downloads are written and hashed on a thread of their own (FileSink):
    // a local write that fails there must still fail the transfer, naming
    // the file, and the worker must carry on. RLIMIT_FSIZE makes the local
    // disk "full" at 8 MiB (EFBIG) for a 24 MiB file.
    void downloadWriteFailureNamesFile()
    {
        auto c = connected(m_profile);
        QVERIFY(c);
        QVERIFY(runSync(*c, QStringLiteral("mkdir -p fbtest-wf && head -c 25165824 /dev/urandom > fbtest-wf/big.bin")).ok());
        const QString dst = m_tmp.filePath(QStringLiteral("wf/big.bin"));
        rlimit old{};
        QCOMPARE(getrlimit(RLIMIT_FSIZE, &old), 0);
        auto *oldHandler = std::signal(SIGXFSZ, SIG_IGN); // a failed write(), not a killed test
        rlimit small = old;
        small.rlim_cur = 8 << 20;
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &small), 0);
        SshTransfer *down = c->download(QStringLiteral("fbtest-wf/big.bin"), dst);
        const bool finished = QTest::qWaitFor([&] { return down->isFinished(); }, 60000);
        setrlimit(RLIMIT_FSIZE, &old);
        std::signal(SIGXFSZ, oldHandler);
        QVERIFY(finished);
        QVERIFY(!down->result().ok);
        QVERIFY2(down->result().error.contains(dst + QStringLiteral(".part")), qPrintable(down->result().error));
        QVERIFY(!QFile::exists(dst));
        QVERIFY(QFileInfo(dst + QStringLiteral(".part")).size() <= (8 << 20));
        // The connection still works: the same download now completes, resuming the .part.
        const QByteArray remoteSha = runSync(*c, QStringLiteral("sha256sum fbtest-wf/big.bin")).standardOutput.left(64);
        SshTransfer *again = c->download(QStringLiteral("fbtest-wf/big.bin"), dst);
        QTRY_VERIFY_WITH_TIMEOUT(again->isFinished(), 60000);
        QVERIFY2(again->result().ok, qPrintable(again->result().error));
        QCOMPARE(sha256File(dst), remoteSha);
        QVERIFY(runSync(*c, QStringLiteral("rm -rf fbtest-wf")).ok());
    }

    void folderRoundTrip()
    {
        auto c = connected(m_profile);
        QVERIFY(c);
        const QString src = m_tmp.filePath(QStringLiteral("tree"));
        const QStringList files{QStringLiteral("top.txt"), QStringLiteral("a/b/deep.bin"), QStringLiteral("a/.hidden")};
        for (const QString &f : files) {
            QDir().mkpath(QFileInfo(src + QLatin1Char('/') + f).absolutePath());
            QVERIFY(writeRandomFile(src + QLatin1Char('/') + f, 100000 + f.size()));
        }
        QVERIFY(runSync(*c, QStringLiteral("rm -rf fbtest-tree")).ok());
        SshTransfer *up = c->upload(src, QStringLiteral("fbtest-tree"));
        QTRY_VERIFY_WITH_TIMEOUT(up->isFinished(), 30000);
        QVERIFY2(up->result().ok, qPrintable(up->result().error));
        QCOMPARE(up->result().files, 3);
        const QString back = m_tmp.filePath(QStringLiteral("tree-back"));
        SshTransfer *down = c->download(QStringLiteral("fbtest-tree"), back);
        QTRY_VERIFY_WITH_TIMEOUT(down->isFinished(), 30000);
        QVERIFY2(down->result().ok, qPrintable(down->result().error));
        QCOMPARE(down->result().files, 3);
        for (const QString &f : files)
            QCOMPARE(sha256File(back + QLatin1Char('/') + f), sha256File(src + QLatin1Char('/') + f));
        QCOMPARE(runSync(*c, QStringLiteral("find fbtest-tree -name '*.part' | wc -l")).standardOutput, QByteArray("0\n"));
        QVERIFY(runSync(*c, QStringLiteral("rm -rf fbtest-tree")).ok());
    }

    void tunnelServesFiftyConnections()
    {
        // A real HTTP server on the cluster side (python's http.server on 127.0.0.1).
        const QString www = m_tmp.filePath(QStringLiteral("www"));
        QDir().mkpath(www);
        QByteArray body(200 * 1024, Qt::Uninitialized);
        for (int i = 0; i < body.size(); ++i)
            body[i] = char('a' + i % 26);
        {
            QFile f(www + QStringLiteral("/data.txt"));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(body);
        }
        const int httpPort = freePort();
        QProcess http;
        http.setWorkingDirectory(www);
        http.start(QStringLiteral("python3"), {QStringLiteral("-m"), QStringLiteral("http.server"),
                                               QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                                               QString::number(httpPort)});
        QVERIFY(http.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT([&] {
            QTcpSocket s;
            s.connectToHost(QHostAddress::LocalHost, quint16(httpPort));
            return s.waitForConnected(200);
        }(), 10000);

        auto c = connected(m_profile);
        QVERIFY(c);
        SshTunnel *t = c->openTunnel(QStringLiteral("127.0.0.1"), quint16(httpPort));
        QTRY_COMPARE_WITH_TIMEOUT(t->state(), SshTunnel::State::Listening, 10000);
        QVERIFY(t->localPort() != 0);

        struct Client { QTcpSocket *socket; QByteArray reply; bool done = false; };
        std::vector<Client> clients(50);
        for (auto &cl : clients) {
            cl.socket = new QTcpSocket(this);
            auto *clp = &cl;
            connect(cl.socket, &QTcpSocket::connected, cl.socket, [clp] {
                clp->socket->write("GET /data.txt HTTP/1.0\r\nHost: x\r\n\r\n");
            });
            connect(cl.socket, &QTcpSocket::readyRead, cl.socket, [clp] { clp->reply += clp->socket->readAll(); });
            connect(cl.socket, &QTcpSocket::disconnected, cl.socket, [clp] {
                clp->reply += clp->socket->readAll();
                clp->done = true;
            });
            cl.socket->connectToHost(QHostAddress::LocalHost, t->localPort());
        }
        // All 50 are open at once before any reply can complete.
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(clients.begin(), clients.end(), [](auto &cl) { return cl.done; }), 60000);
        for (auto &cl : clients) {
            QVERIFY2(cl.reply.startsWith("HTTP/1.0 200"), cl.reply.left(80).constData());
            const qsizetype split = cl.reply.indexOf("\r\n\r\n");
            QVERIFY(split > 0);
            QCOMPARE(cl.reply.mid(split + 4), body);
            cl.socket->deleteLater();
        }
        QTRY_COMPARE_WITH_TIMEOUT(t->totalConnections(), 50, 3000);
        QTRY_VERIFY_WITH_TIMEOUT(t->bytesFromRemote() >= 50 * body.size(), 3000); // counters arrive every 100 ms
        QTRY_COMPARE_WITH_TIMEOUT(t->activeConnections(), 0, 5000);

        const quint16 port = t->localPort();
        t->close();
        QTRY_COMPARE_WITH_TIMEOUT(t->state(), SshTunnel::State::Closed, 5000);
        QTcpSocket after;
        after.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(!after.waitForConnected(1000));
        http.kill();
        http.waitForFinished();
    }

    void noCallBlocksTheCaller()
    {
        const QString src = m_tmp.filePath(QStringLiteral("nb.bin"));
        QVERIFY(writeRandomFile(src, 16 << 20)); // before measuring: this test's own disk work
        StallMonitor monitor;
        monitor.start();
        QElapsedTimer call;
        qint64 worstCall = 0;
        auto timed = [&](auto &&f) {
            call.start();
            f();
            worstCall = qMax(worstCall, call.elapsed());
        };
        auto c = std::make_unique<SshConnection>(m_profile);
        timed([&] { c->connectToHost(); });
        QList<QFuture<fb::SshCommandResult>> futures;
        timed([&] {
            for (int i = 0; i < 20; ++i)
                futures << c->run(QStringLiteral("echo %1").arg(i));
        });
        SshTransfer *up = nullptr;
        timed([&] { up = c->upload(src, QStringLiteral("fbtest-nb.bin")); });
        SshTunnel *t = nullptr;
        timed([&] { t = c->openTunnel(QStringLiteral("127.0.0.1"), quint16(m_profile.port)); });
        QTRY_VERIFY_WITH_TIMEOUT(up->isFinished(), 60000);
        QVERIFY2(up->result().ok, qPrintable(up->result().error));
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(futures.begin(), futures.end(), [](auto &f) { return f.isFinished(); }),
                                 30000);
        SshTransfer *down = nullptr;
        timed([&] { down = c->download(QStringLiteral("fbtest-nb.bin"), m_tmp.filePath(QStringLiteral("nb.back"))); });
        QTRY_VERIFY_WITH_TIMEOUT(down->isFinished(), 60000);
        QVERIFY2(down->result().ok, qPrintable(down->result().error));
        timed([&] { t->close(); });
        timed([&] { c->disconnectFromHost(); });
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), SshConnection::State::Disconnected, 10000);
        timed([&] { c.reset(); });
        const qint64 worstLoop = monitor.worstMs();
        qInfo("longest call: %lld ms, longest event-loop stall: %lld ms", worstCall, worstLoop);
        QVERIFY2(worstCall < 50, qPrintable(QString::number(worstCall)));
        QVERIFY2(worstLoop < 50, qPrintable(QString::number(worstLoop)));
    }

    void commandRunnerAdapter()
    {
        // Commands asked while the connection is being made wait for it.
        SshConnection c(m_profile);
        fb::SshCommandRunner runner(&c);
        fb::CommandRunner *cr = &runner;
        fb::RemoteFiles *files = &runner;
        QCOMPARE(cr->destination(), QStringLiteral("%1@127.0.0.1:%2").arg(m_profile.user).arg(m_profile.port));
        c.connectToHost();
        auto f = cr->run(QStringLiteral("echo hi; echo bad thing >&2; exit 2"));
        QTRY_VERIFY_WITH_TIMEOUT(f.isFinished(), 20000);
        const fb::CommandResult r = f.result();
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.stdOut, QByteArray("hi\n"));
        QVERIFY(!r.ok());
        QCOMPARE(r.describe(), QStringLiteral("bad thing"));

        const QString src = m_tmp.filePath(QStringLiteral("runner.bin"));
        QVERIFY(writeRandomFile(src, 3 << 20));
        auto up = files->uploadFile(src, QStringLiteral("fbtest-runner.bin"));
        QTRY_VERIFY_WITH_TIMEOUT(up.isFinished(), 30000);
        QCOMPARE(up.result(), QString());
        const QString back = m_tmp.filePath(QStringLiteral("runner.back"));
        auto down = files->downloadFile(QStringLiteral("fbtest-runner.bin"), back);
        QTRY_VERIFY_WITH_TIMEOUT(down.isFinished(), 30000);
        QCOMPARE(down.result(), QString());
        QCOMPARE(sha256File(back), sha256File(src));
        auto missing = files->downloadFile(QStringLiteral("fbtest-runner-missing.bin"), back);
        QTRY_VERIFY_WITH_TIMEOUT(missing.isFinished(), 30000);
        QVERIFY2(missing.result().contains(QLatin1String("127.0.0.1")) && missing.result().contains(QLatin1String("fbtest-runner-missing.bin")),
                 qPrintable(missing.result()));
        auto rm = cr->run(QStringLiteral("rm -f fbtest-runner.bin"));
        QTRY_VERIFY_WITH_TIMEOUT(rm.isFinished(), 10000);
        QVERIFY(rm.result().ok());
    }

    void cleanupTestCase()
    {
        if (auto c = connected(m_profile))
            runSync(*c, QStringLiteral("rm -f fbtest-nb.bin"));
    }
};

QTEST_GUILESS_MAIN(TestSshConnection)
#include "tst_sshconnection.moc"
