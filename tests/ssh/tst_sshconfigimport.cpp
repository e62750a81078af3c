// Tests importing ~/.ssh/config Host entries into connection profiles:
// OpenSSH's first-value-wins order, wildcards and negation, %h, and notes
// (with file:line) for ProxyJump, Match and Include.
#include "ssh/SshConfigImport.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

class TestSshConfigImport : public QObject
{
    Q_OBJECT
private slots:
    void importsLikeOpenSsh()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("config"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("# comment\n"
                "Host meluxina\n"                      // 2
                "    HostName login.lxp.lu\n"
                "    Port 8822\n"
                "    User u100123\n"
                "    IdentityFile ~/.ssh/id_lxp\n"
                "    IdentitiesOnly yes\n"
                "\n"
                "Host node* !node-skip\n"              // 9
                "    HostName %h.cluster.local\n"
                "    ProxyJump meluxina\n"              // 11
                "Host node1 node-skip\n"
                "    Port 2200\n"
                "Match user root\n"                    // 14
                "    Port 1\n"
                "Include other.conf\n"                 // 16
                "Host *\n"
                "    User=everyone\n"
                "    Port 9999\n"
                "    HostName \"ignored.example\"\n");
        f.close();
        const fb::SshConfigImport r = fb::importSshConfig(path);
        QVERIFY(r.error.isEmpty());
        QCOMPARE(r.profiles.size(), 3);

        const fb::ConnectionProfile &m = r.profiles[0];
        QCOMPARE(m.name, QStringLiteral("meluxina"));
        QCOMPARE(m.host, QStringLiteral("login.lxp.lu"));
        QCOMPARE(m.port, 8822); // first value wins over Host *
        QCOMPARE(m.user, QStringLiteral("u100123"));
        QCOMPARE(m.identityFile, QStringLiteral("~/.ssh/id_lxp"));
        QVERIFY(m.identitiesOnly);
        QVERIFY(m.proxyJump.isEmpty());

        const fb::ConnectionProfile &n = r.profiles[1];
        QCOMPARE(n.name, QStringLiteral("node1"));
        QCOMPARE(n.host, QStringLiteral("node1.cluster.local"));
        QCOMPARE(n.port, 2200);
        QCOMPARE(n.user, QStringLiteral("everyone"));
        QCOMPARE(n.proxyJump, QStringLiteral("meluxina"));
        QVERIFY(!n.identitiesOnly);

        const fb::ConnectionProfile &s = r.profiles[2];
        QCOMPARE(s.name, QStringLiteral("node-skip"));
        QCOMPARE(s.host, QStringLiteral("ignored.example")); // negated: the node* block does not apply
        QCOMPARE(s.port, 2200);
        QVERIFY(s.proxyJump.isEmpty());

        const QString notes = r.notes.join(QLatin1Char('\n'));
        QVERIFY2(notes.contains(path + QStringLiteral(":11: node1: ProxyJump meluxina is recorded")), qPrintable(notes));
        QVERIFY2(notes.contains(path + QStringLiteral(":14: Match blocks are not imported")), qPrintable(notes));
        QVERIFY2(notes.contains(path + QStringLiteral(":16: Include other.conf is not followed")), qPrintable(notes));
        // Imported profiles are valid and can be saved.
        for (const auto &p : r.profiles)
            QVERIFY(fb::ProfileStore::isValidName(p.name));
    }

    void missingFile()
    {
        const fb::SshConfigImport r = fb::importSshConfig(QStringLiteral("/nonexistent/ssh_config"));
        QVERIFY(r.error.startsWith(QLatin1String("/nonexistent/ssh_config: ")));
        QVERIFY(r.profiles.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestSshConfigImport)
#include "tst_sshconfigimport.moc"
