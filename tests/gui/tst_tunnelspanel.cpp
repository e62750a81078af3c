// The Tunnels panel inside the real main window, on the mini-cluster: connect
// the profile from the Connections panel, open a tunnel through the "Open
// tunnel…" dialog to the login node's own sshd, read its "SSH-2.0" banner
// through the tunnel's local port, see the byte counters move, close it and
// see the port refuse. With FB_SCREENSHOT_DIR set, both panels are saved as
// connections.png and tunnels.png from a 1920×1080 window.
#include "MainWindow.h"
#include "panels/ConnectionsPanel.h"
#include "panels/TunnelsPanel.h"

#include "ssh/ConnectionProfile.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using fb::ConnectionProfile;
using fb::ProfileStore;
using fb::SshTunnel;
using fb::gui::ConnectionsPanel;
using fb::gui::TunnelsPanel;

class TestTunnelsPanel : public QObject
{
    Q_OBJECT

    static void shoot(QWidget *w, const QString &file)
    {
        const QString dir = qEnvironmentVariable("FB_SCREENSHOT_DIR");
        if (dir.isEmpty())
            return;
        QDir().mkpath(dir);
        const QString path = QDir(dir).filePath(file);
        QVERIFY2(w->grab().save(path), qPrintable(path));
        qInfo("screenshot saved to %s", qPrintable(path));
    }

private slots:
    void tunnelThroughMiniCluster()
    {
        const QString dir = qEnvironmentVariable("FB_CLUSTER_DIR");
        if (dir.isEmpty())
            QSKIP("needs the mini-cluster (label cluster)");
        ConnectionProfile p;
        QString error;
        QVERIFY2(ProfileStore::loadFile(dir + QStringLiteral("/profile.json"), &p, &error), qPrintable(error));
        p.name = QStringLiteral("mini-cluster");
        p.description = QStringLiteral("Local Slurm mini-cluster (sshd on 127.0.0.1)");
        QVERIFY2(ProfileStore().save(p, &error), qPrintable(error));
        ConnectionProfile other = p;
        other.name = QStringLiteral("meluxina");
        other.host = QStringLiteral("login.lxp.lu");
        other.port = 8822;
        other.user = QStringLiteral("u100123");
        other.identityFile.clear();
        other.knownHostsFile.clear();
        other.description = QStringLiteral("MeluXina login nodes");
        QVERIFY2(ProfileStore().save(other, &error), qPrintable(error));

        fb::gui::MainWindow w;
        w.resize(1920, 1080);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        ConnectionsPanel *connections = w.connectionsPanel();
        auto *tunnels = w.findChild<TunnelsPanel *>();
        QVERIFY(tunnels); // the Tunnels dock is the real panel, not a placeholder
        connections->reload();
        QVERIFY(connections->selectProfile(QStringLiteral("mini-cluster")));
        QVERIFY(tunnels->statusText().contains(QStringLiteral("Connect mini-cluster")));
        QVERIFY(!tunnels->findChild<QPushButton *>(QStringLiteral("openTunnelButton"))->isEnabled());
        QVERIFY(!tunnels->openTunnel(QStringLiteral("127.0.0.1"), 22)); // not connected: refused, said why
        QVERIFY(tunnels->statusText().contains(QStringLiteral("Connect mini-cluster first")));

        connections->connectProfile(QStringLiteral("mini-cluster"));
        QTRY_VERIFY_WITH_TIMEOUT(connections->stateText(QStringLiteral("mini-cluster")).startsWith(QStringLiteral("Connected (")), 30000);
        QTRY_VERIFY(tunnels->findChild<QPushButton *>(QStringLiteral("openTunnelButton"))->isEnabled());

        // "Open tunnel…": to the login node's sshd, as the login node sees it.
        QTest::mouseClick(tunnels->findChild<QPushButton *>(QStringLiteral("openTunnelButton")), Qt::LeftButton);
        QDialog *d = nullptr;
        QTRY_VERIFY((d = tunnels->findChild<QDialog *>(QStringLiteral("openTunnelDialog"))) && d->isVisible());
        d->findChild<QLineEdit *>(QStringLiteral("tunnelName"))->setText(QStringLiteral("login sshd"));
        d->findChild<QLineEdit *>(QStringLiteral("remoteHost"))->setText(QStringLiteral("127.0.0.1"));
        d->findChild<QSpinBox *>(QStringLiteral("remotePort"))->setValue(p.port);
        QTest::mouseClick(d->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
        QTRY_COMPARE(tunnels->tunnelCount(), 1);
        SshTunnel *t = tunnels->tunnel(0);
        QVERIFY(t);
        QTRY_COMPARE_WITH_TIMEOUT(t->state(), SshTunnel::State::Listening, 10000);
        const quint16 local = t->localPort();
        QVERIFY(local != 0);
        tunnels->refresh();
        QCOMPARE(tunnels->cellText(0, TunnelsPanel::NameColumn), QStringLiteral("login sshd"));
        QCOMPARE(tunnels->cellText(0, TunnelsPanel::RemoteColumn), QStringLiteral("127.0.0.1:%1").arg(p.port));
        QCOMPARE(tunnels->cellText(0, TunnelsPanel::UrlColumn), QStringLiteral("http://127.0.0.1:%1/").arg(local));
        QCOMPARE(tunnels->cellText(0, TunnelsPanel::StateColumn), QStringLiteral("Listening"));
        auto *link = tunnels->findChild<QLabel *>(QStringLiteral("tunnelUrl"));
        QVERIFY(link && link->text().contains(QStringLiteral("href=\"http://127.0.0.1:%1/\"").arg(local)));

        // The sshd banner, read through the tunnel.
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, local);
        QByteArray received;
        connect(&s, &QTcpSocket::readyRead, &s, [&] { received += s.readAll(); });
        QTRY_VERIFY_WITH_TIMEOUT(received.contains("\n"), 10000);
        QVERIFY2(received.startsWith("SSH-2.0-"), received.constData());
        s.write("SSH-2.0-fbtest_tunnelspanel\r\n");
        // The table shows the counters within about a second.
        QTRY_VERIFY_WITH_TIMEOUT(t->bytesFromRemote() >= received.size() && t->bytesToRemote() > 0, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(tunnels->findChild<QTableWidget *>()->item(0, TunnelsPanel::OutColumn)->data(Qt::UserRole).toLongLong() > 0, 3000);
        QVERIFY(tunnels->findChild<QTableWidget *>()->item(0, TunnelsPanel::InColumn)->data(Qt::UserRole).toLongLong() >= received.size());
        const QString shown = tunnels->cellText(0, TunnelsPanel::InColumn);
        QVERIFY2(!shown.isEmpty() && !shown.startsWith(QLatin1Char('0')), qPrintable(shown));

        // Screenshots: the Tunnels dock in front, with its live tunnel.
        w.dock(QStringLiteral("Tunnels"))->raise();
        QTest::qWait(200); // let the raised dock paint; the GUI thread keeps running
        shoot(w.dock(QStringLiteral("Connections")), QStringLiteral("connections.png"));
        shoot(w.dock(QStringLiteral("Tunnels")), QStringLiteral("tunnels.png"));
        shoot(&w, QStringLiteral("connections-tunnels-window.png"));

        // Close: the row says Closed and the port refuses.
        s.abort();
        tunnels->findChild<QTableWidget *>()->selectRow(0);
        QTest::mouseClick(tunnels->findChild<QPushButton *>(QStringLiteral("closeTunnelButton")), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(t->state(), SshTunnel::State::Closed, 10000);
        QTRY_COMPARE(tunnels->cellText(0, TunnelsPanel::StateColumn), QStringLiteral("Closed"));
        QCOMPARE(tunnels->cellText(0, TunnelsPanel::UrlColumn), QString());
        QTcpSocket refused;
        refused.connectToHost(QHostAddress::LocalHost, local);
        QTRY_COMPARE_WITH_TIMEOUT(refused.error(), QAbstractSocket::ConnectionRefusedError, 5000);
        // A second Close removes the row.
        QTest::mouseClick(tunnels->findChild<QPushButton *>(QStringLiteral("closeTunnelButton")), Qt::LeftButton);
        QCOMPARE(tunnels->tunnelCount(), 0);

        // A real HTTP server on the cluster side (bound to the login node's
        // 127.0.0.1), fetched through a tunnel's local URL.
        QTemporaryDir www;
        QVERIFY(www.isValid());
        QFile index(www.filePath(QStringLiteral("index.html")));
        QVERIFY(index.open(QIODevice::WriteOnly));
        const QByteArray page = "<html><body>FactoryBench tunnel test " + QByteArray::number(local) + "</body></html>\n";
        index.write(page);
        index.close();
        quint16 httpPort = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost));
            httpPort = probe.serverPort();
        }
        QProcess http;
        http.setWorkingDirectory(www.path());
        http.setProcessChannelMode(QProcess::MergedChannels);
        http.start(QStringLiteral("python3"), {QStringLiteral("-u"), QStringLiteral("-m"), QStringLiteral("http.server"),
                                               QStringLiteral("--bind"), QStringLiteral("127.0.0.1"), QString::number(httpPort)});
        QTRY_COMPARE_WITH_TIMEOUT(http.state(), QProcess::Running, 5000);
        QByteArray httpLog;
        connect(&http, &QProcess::readyRead, &http, [&] { httpLog += http.readAll(); });
        QTRY_VERIFY_WITH_TIMEOUT(httpLog.contains("Serving HTTP"), 10000);
        SshTunnel *web = tunnels->openTunnel(QStringLiteral("127.0.0.1"), httpPort, 0, QStringLiteral("web"));
        QVERIFY(web);
        QTRY_COMPARE_WITH_TIMEOUT(web->state(), SshTunnel::State::Listening, 10000);
        tunnels->refresh();
        const QString url = tunnels->cellText(tunnels->tunnelCount() - 1, TunnelsPanel::UrlColumn);
        QCOMPARE(url, QStringLiteral("http://127.0.0.1:%1/").arg(web->localPort()));
        QNetworkAccessManager nam;
        QNetworkReply *reply = nam.get(QNetworkRequest(QUrl(url + QStringLiteral("index.html"))));
        QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 15000);
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        QCOMPARE(reply->readAll(), page);
        reply->deleteLater();
        QTRY_VERIFY_WITH_TIMEOUT(web->bytesFromRemote() > page.size() && web->totalConnections() >= 1, 5000);
        http.kill();
        QTRY_COMPARE_WITH_TIMEOUT(http.state(), QProcess::NotRunning, 5000);

        connections->disconnectProfile(QStringLiteral("mini-cluster"));
        QTRY_COMPARE_WITH_TIMEOUT(connections->stateText(QStringLiteral("mini-cluster")), QStringLiteral("Disconnected"), 10000);
        QTRY_VERIFY(!tunnels->findChild<QPushButton *>(QStringLiteral("openTunnelButton"))->isEnabled());
        // Disconnecting closed the web tunnel too.
        QTRY_COMPARE(tunnels->cellText(tunnels->tunnelCount() - 1, TunnelsPanel::StateColumn), QStringLiteral("Closed"));
    }
};

QTEST_MAIN(TestTunnelsPanel)
#include "tst_tunnelspanel.moc"
