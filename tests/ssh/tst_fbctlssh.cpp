// Tests fbctl's SSH subcommands (connect, exec, put, get, tunnel) as a user
// runs them, against the mini-cluster's sshd through its profile file.
#include "SshTestSupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace fbtest;

class TestFbctlSsh : public QObject
{
    Q_OBJECT
private:
    QString m_fbctl;
    QString m_profileFile;
    QTemporaryDir m_tmp;

    int fbctl(const QStringList &args, QByteArray *out = nullptr, QByteArray *err = nullptr)
    {
        QProcess p;
        // No controlling terminal (setsid): nothing can be asked, as in batch use.
        p.setStandardInputFile(QProcess::nullDevice());
        p.start(QStringLiteral("setsid"), QStringList{QStringLiteral("-w"), m_fbctl} + args);
        if (!p.waitForFinished(60000))
            return -1;
        if (out)
            *out = p.readAllStandardOutput();
        if (err)
            *err = p.readAllStandardError();
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    }

private slots:
    void initTestCase()
    {
        m_fbctl = qEnvironmentVariable("FB_FBCTL");
        QVERIFY2(QFile::exists(m_fbctl), "FB_FBCTL must name the fbctl binary");
        QVERIFY(!clusterDir().isEmpty());
        m_profileFile = clusterDir() + QStringLiteral("/profile.json");
        QVERIFY(m_tmp.isValid());
    }

    void connectAndExec()
    {
        QByteArray out, err;
        QCOMPARE(fbctl({QStringLiteral("connect"), QStringLiteral("--profile-file"), m_profileFile}, &out, &err), 0);
        QVERIFY2(out.startsWith("connected to fbuser@127.0.0.1:"), out.constData());
        QCOMPARE(fbctl({QStringLiteral("exec"), QStringLiteral("--profile-file"), m_profileFile, QStringLiteral("--"),
                        QStringLiteral("echo out; echo err >&2; exit 7")},
                       &out, &err),
                 7);
        QCOMPARE(out, QByteArray("out\n"));
        QCOMPARE(err, QByteArray("err\n"));
        QCOMPARE(fbctl({QStringLiteral("exec"), QStringLiteral("--profile-file"), m_profileFile, QStringLiteral("--timeout"),
                        QStringLiteral("1"), QStringLiteral("sleep 20")},
                       &out, &err),
                 1);
        QVERIFY2(err.contains("timed out"), err.constData());
    }

    void usageAndProfileErrors()
    {
        QByteArray out, err;
        QCOMPARE(fbctl({QStringLiteral("exec"), QStringLiteral("--profile-file"), m_profileFile}, &out, &err), 2);
        QCOMPARE(fbctl({QStringLiteral("connect")}, &out, &err), 2);
        QCOMPARE(fbctl({QStringLiteral("connect"), QStringLiteral("--profile"), QStringLiteral("no-such-profile")}, &out,
                       &err),
                 3);
        QVERIFY2(err.contains("no-such-profile"), err.constData());
        // An unknown host without a terminal: refused (exit 4), the fingerprint shown.
        QFile src(m_profileFile);
        QVERIFY(src.open(QIODevice::ReadOnly));
        QByteArray json = src.readAll();
        const QString known = m_tmp.filePath(QStringLiteral("empty_known_hosts"));
        json.replace(QFile::encodeName(clusterDir() + QStringLiteral("/ssh/known_hosts")), QFile::encodeName(known));
        const QString other = m_tmp.filePath(QStringLiteral("profile.json"));
        QFile dst(other);
        QVERIFY(dst.open(QIODevice::WriteOnly));
        dst.write(json);
        dst.close();
        QCOMPARE(fbctl({QStringLiteral("connect"), QStringLiteral("--profile-file"), other}, &out, &err), 4);
        QVERIFY2(err.contains("SHA256:"), err.constData());
        QCOMPARE(fbctl({QStringLiteral("connect"), QStringLiteral("--profile-file"), other,
                        QStringLiteral("--accept-new-host")},
                       &out, &err),
                 0);
        QVERIFY(QFile(known).size() > 0);
    }

    void putAndGet()
    {
        const QString local = m_tmp.filePath(QStringLiteral("fbctl.bin"));
        {
            QFile f(local);
            QVERIFY(f.open(QIODevice::WriteOnly));
            for (int i = 0; i < 4096; ++i)
                f.write(QByteArray::number(i).repeated(97));
        }
        QByteArray out, err;
        QCOMPARE(fbctl({QStringLiteral("put"), QStringLiteral("--profile-file"), m_profileFile, local,
                        QStringLiteral("fbctl-test/x.bin")},
                       &out, &err),
                 0);
        QVERIFY2(out.startsWith("uploaded 1 file"), out.constData());
        const QString back = m_tmp.filePath(QStringLiteral("back.bin"));
        QCOMPARE(fbctl({QStringLiteral("get"), QStringLiteral("--profile-file"), m_profileFile,
                        QStringLiteral("fbctl-test/x.bin"), back},
                       &out, &err),
                 0);
        QFile a(local), b(back);
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        QCOMPARE(QCryptographicHash::hash(b.readAll(), QCryptographicHash::Sha256),
                 QCryptographicHash::hash(a.readAll(), QCryptographicHash::Sha256));
        QCOMPARE(fbctl({QStringLiteral("get"), QStringLiteral("--profile-file"), m_profileFile,
                        QStringLiteral("fbctl-test/missing.bin"), back},
                       &out, &err),
                 1);
        QVERIFY2(err.contains("fbctl-test/missing.bin"), err.constData());
        QCOMPARE(fbctl({QStringLiteral("exec"), QStringLiteral("--profile-file"), m_profileFile,
                        QStringLiteral("rm -rf fbctl-test")}),
                 0);
    }

    void sshConfigImport()
    {
        const QString config = m_tmp.filePath(QStringLiteral("ssh_config"));
        QFile f(config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("Host lxp\n  HostName login.lxp.lu\n  Port 8822\n  User u1\n  ProxyJump gw\n");
        f.close();
        QByteArray out, err;
        QCOMPARE(fbctl({QStringLiteral("ssh-import"), QStringLiteral("--config"), config, QStringLiteral("--save")}, &out,
                       &err),
                 0);
        QVERIFY2(out.startsWith("lxp\tu1@login.lxp.lu:8822\n"), out.constData());
        QVERIFY2(err.contains(config.toUtf8() + ":5: lxp: ProxyJump gw is recorded"), err.constData());
        // Saved in this test's private profile folder (FB_CONFIG_DIR), readable by `fbctl profile`.
        QCOMPARE(fbctl({QStringLiteral("profile"), QStringLiteral("show"), QStringLiteral("lxp")}, &out, &err), 0);
        QVERIFY2(out.contains("\"port\": 8822"), out.constData());
        QCOMPARE(fbctl({QStringLiteral("ssh-import"), QStringLiteral("--config"), m_tmp.filePath(QStringLiteral("none"))},
                       &out, &err),
                 3);
    }

    void tunnel()
    {
        // The far side: a listener in this test that answers one line.
        QTcpServer far;
        QVERIFY(far.listen(QHostAddress::LocalHost, 0));
        connect(&far, &QTcpServer::newConnection, this, [&] {
            QTcpSocket *s = far.nextPendingConnection();
            connect(s, &QTcpSocket::readyRead, s, [s] {
                s->write("echo:" + s->readAll());
                s->disconnectFromHost();
            });
        });
        QProcess p;
        p.start(m_fbctl, {QStringLiteral("tunnel"), QStringLiteral("--profile-file"), m_profileFile,
                          QStringLiteral("127.0.0.1:%1").arg(far.serverPort())});
        QTRY_VERIFY_WITH_TIMEOUT(p.canReadLine(), 20000);
        const QByteArray line = p.readLine();
        QVERIFY2(line.startsWith("listening on 127.0.0.1:"), line.constData());
        const quint16 port = quint16(line.mid(23).split(' ').first().toUInt());
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(s.waitForConnected(5000));
        s.write("ping");
        QByteArray reply;
        QTRY_VERIFY_WITH_TIMEOUT((reply += s.readAll()) == "echo:ping", 10000);
        p.terminate(); // SIGTERM: closes the tunnel, exits 0
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(p.readAllStandardError().contains("closing the tunnel"));
    }
};

QTEST_GUILESS_MAIN(TestFbctlSsh)
#include "tst_fbctlssh.moc"
