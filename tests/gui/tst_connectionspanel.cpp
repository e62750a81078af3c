// The Connections panel: profiles created, validated, edited, duplicated,
// deleted and imported through its dialogs, and a live connection to the
// mini-cluster's real sshd (state column, latency, disconnect). Every test
// has its own FB_CONFIG_DIR, so the profile store starts empty.
#include "dialogs/GuiPrompter.h"
#include "dialogs/ImportDialog.h"
#include "dialogs/ProfileDialog.h"
#include "panels/ConnectionsPanel.h"

#include "ssh/ConnectionProfile.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMainWindow>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using fb::ConnectionProfile;
using fb::ProfileStore;
using fb::SshConnection;
using fb::gui::ConnectionsPanel;
using fb::gui::ImportDialog;
using fb::gui::ProfileDialog;

class TestConnectionsPanel : public QObject
{
    Q_OBJECT
    QMainWindow m_window;
    ConnectionsPanel *m_panel = nullptr;
    QTemporaryDir m_tmp;

    static void type(QDialog *d, const char *field, const QString &text)
    {
        auto *e = d->findChild<QLineEdit *>(QString::fromLatin1(field));
        QVERIFY2(e, field);
        e->clear();
        QTest::keyClicks(e, text);
    }
    static QPushButton *okButton(QDialog *d)
    {
        return d->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    }
    static QStringList sorted(QStringList l)
    {
        l.sort();
        return l;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        // The private config folder survives between runs: start empty.
        QVERIFY(QDir(ProfileStore().dir()).removeRecursively());
        m_panel = new ConnectionsPanel(&m_window);
        m_window.setCentralWidget(m_panel);
        m_window.resize(900, 600);
        m_window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&m_window));
        QCOMPARE(m_panel->profileNames(), QStringList());
    }

    void createProfileThroughDialog()
    {
        QFile key(m_tmp.filePath(QStringLiteral("id_test")));
        QVERIFY(key.open(QIODevice::WriteOnly));
        key.write("not really a key\n");
        key.close();

        m_panel->findChild<QAction *>(QStringLiteral("newAction"))->trigger();
        auto *d = m_panel->findChild<ProfileDialog *>(QStringLiteral("profileDialog"));
        QVERIFY(d);
        QTRY_VERIFY(d->isVisible());
        QVERIFY(!okButton(d)->isEnabled()); // empty name, host, user
        QCOMPARE(d->validationMessage(), QStringLiteral("Name: required"));
        type(d, "name", QStringLiteral("meluxina"));
        type(d, "host", QStringLiteral("login.lxp.lu"));
        type(d, "port", QStringLiteral("8822"));
        type(d, "user", QStringLiteral("u100123"));
        type(d, "identityFile", key.fileName());
        type(d, "remoteWorkDir", QStringLiteral("$SCRATCH/factorybench"));
        QVERIFY2(d->validationErrors().isEmpty(), qPrintable(d->validationErrors().join(QLatin1Char('\n'))));
        QVERIFY(okButton(d)->isEnabled());
        QTest::mouseClick(okButton(d), Qt::LeftButton);

        QTRY_COMPARE(m_panel->profileNames(), QStringList{QStringLiteral("meluxina")});
        QCOMPARE(m_panel->currentProfile(), QStringLiteral("meluxina"));
        ConnectionProfile saved;
        QString error;
        QVERIFY2(ProfileStore().load(QStringLiteral("meluxina"), &saved, &error), qPrintable(error));
        QCOMPARE(saved.host, QStringLiteral("login.lxp.lu"));
        QCOMPARE(saved.port, 8822);
        QCOMPARE(saved.user, QStringLiteral("u100123"));
        QCOMPARE(saved.identityFile, key.fileName());
        QCOMPARE(saved.remoteWorkDir, QStringLiteral("$SCRATCH/factorybench"));
        QCOMPARE(m_panel->stateText(QStringLiteral("meluxina")), QStringLiteral("Disconnected"));
    }

    void validationNamesTheField()
    {
        ProfileDialog *d = m_panel->newProfile();
        QTRY_VERIFY(d->isVisible());
        type(d, "name", QStringLiteral("meluxina")); // exists already
        type(d, "host", QStringLiteral("h"));
        type(d, "user", QStringLiteral("u"));
        QCOMPARE(d->validationMessage(), QStringLiteral("Name: a profile named \"meluxina\" exists already"));
        type(d, "name", QStringLiteral("bad name"));
        QVERIFY(d->validationMessage().startsWith(QStringLiteral("Name: use letters")));
        type(d, "name", QStringLiteral("other"));
        type(d, "port", QStringLiteral("70000"));
        QCOMPARE(d->validationMessage(), QStringLiteral("Port: must be a number from 1 to 65535 (\"70000\")"));
        type(d, "port", QStringLiteral("x"));
        QVERIFY(d->validationMessage().startsWith(QStringLiteral("Port:")));
        type(d, "port", QStringLiteral("22"));
        type(d, "identityFile", m_tmp.filePath(QStringLiteral("missing_key")));
        QCOMPARE(d->validationMessage(),
                 QStringLiteral("Key file: %1 does not exist").arg(m_tmp.filePath(QStringLiteral("missing_key"))));
        QVERIFY(!okButton(d)->isEnabled());
        d->accept(); // refused while invalid
        QVERIFY(d->isVisible());
        type(d, "identityFile", QString());
        type(d, "user", QString());
        QCOMPARE(d->validationMessage(), QStringLiteral("User: required"));
        type(d, "user", QStringLiteral("u"));
        QVERIFY(d->validationMessage().isEmpty());
        QVERIFY(okButton(d)->isEnabled());
        d->reject();
        QCOMPARE(m_panel->profileNames(), QStringList{QStringLiteral("meluxina")}); // nothing saved
    }

    void editDuplicateDelete()
    {
        // Edit: rename, and the old file goes.
        ProfileDialog *d = m_panel->editProfile(QStringLiteral("meluxina"));
        QTRY_VERIFY(d->isVisible());
        QCOMPARE(d->findChild<QLineEdit *>(QStringLiteral("host"))->text(), QStringLiteral("login.lxp.lu"));
        type(d, "name", QStringLiteral("lxp"));
        QTest::mouseClick(okButton(d), Qt::LeftButton);
        QTRY_COMPARE(m_panel->profileNames(), QStringList{QStringLiteral("lxp")});

        // Duplicate: a free name is proposed, the copy keeps the settings.
        d = m_panel->duplicateProfile(QStringLiteral("lxp"));
        QTRY_VERIFY(d->isVisible());
        QCOMPARE(d->findChild<QLineEdit *>(QStringLiteral("name"))->text(), QStringLiteral("lxp-copy"));
        QTest::mouseClick(okButton(d), Qt::LeftButton);
        QTRY_COMPARE(sorted(m_panel->profileNames()), (QStringList{QStringLiteral("lxp"), QStringLiteral("lxp-copy")}));
        QCOMPARE(m_panel->profile(QStringLiteral("lxp-copy")).port, 8822);

        // Delete asks first; Cancel keeps it, Yes removes it.
        QVERIFY(m_panel->selectProfile(QStringLiteral("lxp-copy")));
        m_panel->findChild<QAction *>(QStringLiteral("deleteAction"))->trigger();
        auto *box = m_panel->findChild<QMessageBox *>(QStringLiteral("deleteConfirmation"));
        QVERIFY(box);
        QTRY_VERIFY(box->isVisible());
        QVERIFY(box->text().contains(QStringLiteral("lxp-copy")));
        QTest::mouseClick(box->button(QMessageBox::Cancel), Qt::LeftButton);
        QTRY_VERIFY(!m_panel->findChild<QMessageBox *>(QStringLiteral("deleteConfirmation")));
        QCOMPARE(m_panel->profileNames().size(), 2);
        m_panel->deleteProfile(QStringLiteral("lxp-copy"));
        box = m_panel->findChild<QMessageBox *>(QStringLiteral("deleteConfirmation"));
        QVERIFY(box);
        QTRY_VERIFY(box->isVisible());
        QTest::mouseClick(box->button(QMessageBox::Yes), Qt::LeftButton);
        QTRY_COMPARE(m_panel->profileNames(), QStringList{QStringLiteral("lxp")});
        QVERIFY(!QFile::exists(ProfileStore().dir() + QStringLiteral("/lxp-copy.json")));
    }

    void importFromSshConfig()
    {
        const QString config = m_tmp.filePath(QStringLiteral("ssh_config"));
        QFile f(config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("Host meluxina-import\n"
                "    HostName login.lxp.lu\n"
                "    Port 8822\n"
                "    User u100123\n"
                "Host behind-jump\n"
                "    HostName node.internal\n"
                "    User alice\n"
                "    ProxyJump gw.example.org\n"
                "Host skipped\n"
                "    HostName skipped.example.org\n");
        f.close();
        ImportDialog *d = m_panel->importFromSshConfig(config);
        QTRY_VERIFY(d->isVisible());
        QCOMPARE(d->found().size(), 3);
        auto *list = d->findChild<QListWidget *>(QStringLiteral("importHosts"));
        QCOMPARE(list->count(), 3);
        QVERIFY(list->item(1)->text().contains(QStringLiteral("via gw.example.org")));
        QVERIFY(d->setChecked(QStringLiteral("skipped"), false));
        QCOMPARE(d->selected().size(), 2);
        d->accept();
        QTRY_COMPARE(sorted(m_panel->profileNames()),
                     (QStringList{QStringLiteral("behind-jump"), QStringLiteral("lxp"), QStringLiteral("meluxina-import")}));
        const ConnectionProfile imported = m_panel->profile(QStringLiteral("meluxina-import"));
        QCOMPARE(imported.host, QStringLiteral("login.lxp.lu"));
        QCOMPARE(imported.port, 8822);
        QCOMPARE(imported.user, QStringLiteral("u100123"));

        // The jump host is shown (and kept) in the profile dialog.
        ProfileDialog *e = m_panel->editProfile(QStringLiteral("behind-jump"));
        QTRY_VERIFY(e->isVisible());
        auto *jump = e->findChild<QLineEdit *>(QStringLiteral("proxyJump"));
        QVERIFY(jump);
        QCOMPARE(jump->text(), QStringLiteral("gw.example.org"));
        e->reject();
        // A profile without one has no such field.
        e = m_panel->editProfile(QStringLiteral("lxp"));
        QTRY_VERIFY(e->isVisible());
        QVERIFY(!e->findChild<QLineEdit *>(QStringLiteral("proxyJump")));
        e->reject();
        QTRY_VERIFY(!m_panel->findChild<ProfileDialog *>());
    }

    void refusedConnectionShowsReason()
    {
        // A port nobody listens on: grab one, then free it.
        quint16 port = 0;
        {
            QTcpServer s;
            QVERIFY(s.listen(QHostAddress::LocalHost));
            port = s.serverPort();
        }
        ConnectionProfile p;
        p.name = QStringLiteral("nobody");
        p.host = QStringLiteral("127.0.0.1");
        p.port = port;
        p.user = QStringLiteral("nobody");
        QString error;
        QVERIFY2(ProfileStore().save(p, &error), qPrintable(error));
        m_panel->reload();
        QVERIFY(m_panel->selectProfile(QStringLiteral("nobody")));
        QSignalSpy spy(m_panel, &ConnectionsPanel::connectionStateChanged);
        m_panel->findChild<QAction *>(QStringLiteral("connectAction"))->trigger();
        QVERIFY(m_panel->connection(QStringLiteral("nobody")));
        QTRY_VERIFY_WITH_TIMEOUT(m_panel->stateText(QStringLiteral("nobody")).startsWith(QStringLiteral("Failed: ")), 20000);
        QVERIFY(m_panel->stateText(QStringLiteral("nobody")).size() > 10); // a reason follows
        QVERIFY(!spy.isEmpty());
        QVERIFY(m_panel->findChild<QAction *>(QStringLiteral("connectAction"))->isEnabled()); // may retry
        m_panel->deleteProfile(QStringLiteral("nobody"), false);
    }

    void connectToMiniCluster()
    {
        const QString dir = qEnvironmentVariable("FB_CLUSTER_DIR");
        if (dir.isEmpty())
            QSKIP("needs the mini-cluster (label cluster)");
        ConnectionProfile p;
        QString error;
        QVERIFY2(ProfileStore::loadFile(dir + QStringLiteral("/profile.json"), &p, &error), qPrintable(error));
        p.name = QStringLiteral("mini-cluster");
        QVERIFY2(ProfileStore().save(p, &error), qPrintable(error));
        m_panel->reload();
        QVERIFY(m_panel->selectProfile(QStringLiteral("mini-cluster")));

        QSignalSpy spy(m_panel, &ConnectionsPanel::connectionStateChanged);
        m_panel->findChild<QAction *>(QStringLiteral("connectAction"))->trigger();
        // The GUI thread keeps running while connecting: the row shows it.
        QVERIFY(m_panel->stateText(QStringLiteral("mini-cluster")).startsWith(QStringLiteral("Connecting")));
        QTRY_VERIFY_WITH_TIMEOUT(m_panel->stateText(QStringLiteral("mini-cluster")).startsWith(QStringLiteral("Connected (")), 30000);
        QVERIFY(m_panel->stateText(QStringLiteral("mini-cluster")).endsWith(QStringLiteral(" ms)")));
        QVERIFY(m_panel->latencyMs(QStringLiteral("mini-cluster")) >= 0);
        SshConnection *c = m_panel->connection(QStringLiteral("mini-cluster"));
        QVERIFY(c);
        QCOMPARE(c->state(), SshConnection::State::Ready);
        QVERIFY(!spy.isEmpty());
        QCOMPARE(spy.last().at(0).toString(), QStringLiteral("mini-cluster"));
        QVERIFY(!m_panel->findChild<QAction *>(QStringLiteral("connectAction"))->isEnabled());

        m_panel->findChild<QAction *>(QStringLiteral("disconnectAction"))->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(m_panel->stateText(QStringLiteral("mini-cluster")), QStringLiteral("Disconnected"), 10000);
        QVERIFY(m_panel->findChild<QAction *>(QStringLiteral("connectAction"))->isEnabled());
        // And again, on the same connection object.
        m_panel->connectProfile(QStringLiteral("mini-cluster"));
        QTRY_VERIFY_WITH_TIMEOUT(m_panel->stateText(QStringLiteral("mini-cluster")).startsWith(QStringLiteral("Connected (")), 30000);
        m_panel->disconnectProfile(QStringLiteral("mini-cluster"));
        QTRY_COMPARE_WITH_TIMEOUT(m_panel->stateText(QStringLiteral("mini-cluster")), QStringLiteral("Disconnected"), 10000);
    }

    // Connecting asks through the app's prompter: an unknown host key is
    // shown with its SHA256 fingerprint, and accepting it connects.
    void unknownHostKeyAskedThroughPrompter()
    {
        const QString dir = qEnvironmentVariable("FB_CLUSTER_DIR");
        if (dir.isEmpty())
            QSKIP("needs the mini-cluster (label cluster)");
        ConnectionProfile p;
        QString error;
        QVERIFY2(ProfileStore::loadFile(dir + QStringLiteral("/profile.json"), &p, &error), qPrintable(error));
        p.name = QStringLiteral("fresh-host");
        p.knownHostsFile = m_tmp.filePath(QStringLiteral("fresh_known_hosts")); // does not exist yet
        QVERIFY2(ProfileStore().save(p, &error), qPrintable(error));
        fb::gui::GuiPrompter prompter(&m_window);
        m_panel->setPrompter(&prompter);
        m_panel->reload();
        m_panel->connectProfile(QStringLiteral("fresh-host"));
        QMessageBox *box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((box = m_window.findChild<QMessageBox *>(QStringLiteral("hostKeyDialog"))) && box->isVisible(), 20000);
        QVERIFY2(box->text().contains(QStringLiteral("SHA256:")), qPrintable(box->text()));
        QVERIFY(box->text().contains(p.knownHostsFile));
        QVERIFY(m_panel->stateText(QStringLiteral("fresh-host")).endsWith(QStringLiteral("…"))); // still in progress
        QTest::mouseClick(box->findChild<QPushButton *>(QStringLiteral("acceptHostKey")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(m_panel->stateText(QStringLiteral("fresh-host")).startsWith(QStringLiteral("Connected (")), 30000);
        QFile known(p.knownHostsFile);
        QVERIFY(known.open(QIODevice::ReadOnly));
        QVERIFY(!known.readAll().trimmed().isEmpty()); // remembered where OpenSSH looks too
        m_panel->deleteProfile(QStringLiteral("fresh-host"), false); // closes the connection with it
        QVERIFY(!m_panel->connection(QStringLiteral("fresh-host")));
        m_panel->setPrompter(nullptr);
    }
};

QTEST_MAIN(TestConnectionsPanel)
#include "tst_connectionspanel.moc"
