// The live dashboard the way the app uses it on a cluster: a real Prometheus
// scraping a running fbload (fixture fbload_live), reached only through an
// SSH tunnel (direct-tcpip) opened over the mini-cluster's real sshd by the
// libssh connection. The time-series widgets must receive points, and keep
// receiving them, while fbload runs.
#include "Dashboard.h"
#include "TimeSeriesChart.h"
#include "metrics/PrometheusClient.h"
#include "ssh/ConnectionProfile.h"
#include "ssh/SshConnection.h"
#include "ssh/SshTunnel.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>

using namespace fb::charts;

class TestDashboardTunnel : public QObject
{
    Q_OBJECT
private slots:
    void liveThroughTunnel()
    {
        QFile portFile(qEnvironmentVariable("FB_FBLOAD_LIVE_DIR") + QStringLiteral("/prometheus.port"));
        QVERIFY2(portFile.open(QIODevice::ReadOnly), qPrintable(portFile.fileName()));
        const quint16 promPort = quint16(portFile.readAll().trimmed().toUInt());
        fb::ConnectionProfile profile;
        QString error;
        QVERIFY2(fb::ProfileStore::loadFile(qEnvironmentVariable("FB_CLUSTER_DIR") + QStringLiteral("/profile.json"), &profile, &error),
                 qPrintable(error));

        fb::SshConnection ssh(profile);
        ssh.connectToHost();
        QVERIFY(QTest::qWaitFor([&] { return ssh.state() == fb::SshConnection::State::Ready
                                             || ssh.state() == fb::SshConnection::State::Failed; }, 30000));
        QVERIFY2(ssh.state() == fb::SshConnection::State::Ready, qPrintable(ssh.errorString()));
        // The cluster side of the tunnel: Prometheus as the login node sees it.
        fb::SshTunnel *tunnel = ssh.openTunnel(QStringLiteral("127.0.0.1"), promPort);
        QVERIFY(QTest::qWaitFor([&] { return tunnel->state() == fb::SshTunnel::State::Listening
                                             || tunnel->state() == fb::SshTunnel::State::Failed; }, 15000));
        QVERIFY2(tunnel->state() == fb::SshTunnel::State::Listening, qPrintable(tunnel->errorString()));
        QVERIFY(tunnel->localPort() != 0 && tunnel->localPort() != promPort);

        fb::metrics::PrometheusClient client(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(tunnel->localPort())));
        Dashboard d(DashboardSpec::forWorkload(QStringLiteral("redis")));
        d.resize(1000, 600);
        d.show();
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        QSignalSpy points(&d, &Dashboard::livePointsReceived);
        QSignalSpy errors(&d, &Dashboard::liveError);
        d.startLive(&client, QDateTime::currentDateTimeUtc().addSecs(-10), 500);
        TimeSeriesChart *rate = d.panel(0);
        auto total = [&] {
            qsizetype n = 0;
            for (int i = 0; i < rate->seriesCount(); ++i)
                n += rate->pointCount(i);
            return n;
        };
        QVERIFY2(QTest::qWaitFor([&] { return total() >= 4; }, 30000), qPrintable(d.lastError()));
        const qsizetype before = total();
        QVERIFY2(QTest::qWaitFor([&] { return total() > before; }, 20000), "the chart keeps receiving points while fbload runs");
        QVERIFY2(errors.isEmpty(), qPrintable(d.lastError()));
        d.stopLive();
        QVERIFY(tunnel->totalConnections() > 0);
        QVERIFY(tunnel->bytesFromRemote() > 0);
        qInfo("%lld points over %lld tunnelled connections, %lld bytes from Prometheus", qlonglong(total()),
              qlonglong(tunnel->totalConnections()), qlonglong(tunnel->bytesFromRemote()));
    }
};

QTEST_MAIN(TestDashboardTunnel)
#include "tst_dashboard_tunnel.moc"
