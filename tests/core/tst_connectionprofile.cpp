// Tests ConnectionProfile JSON and ProfileStore: round trips, errors that name
// the field, atomic saves, names that cannot escape the profile folder.
#include "ssh/ConnectionProfile.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using fb::ConnectionProfile;
using fb::ProfileStore;

class TestConnectionProfile : public QObject
{
    Q_OBJECT
private slots:
    void roundTrip()
    {
        QTemporaryDir dir;
        ProfileStore store(dir.path());
        ConnectionProfile p;
        p.name = QStringLiteral("meluxina");
        p.host = QStringLiteral("login.lxp.lu");
        p.port = 8822;
        p.user = QStringLiteral("u100123");
        p.identityFile = QStringLiteral("~/.ssh/id_ed25519");
        p.buildPrelude = QStringLiteral("module load CMake GCC OpenSSL");
        p.remoteWorkDir = QStringLiteral("$SCRATCH/factorybench");
        p.tools.apptainer = false; // declared; modules left unknown
        QString error;
        QVERIFY2(store.save(p, &error), qPrintable(error));
        QCOMPARE(store.names(), QStringList{QStringLiteral("meluxina")});
        ConnectionProfile back;
        QVERIFY2(store.load(QStringLiteral("meluxina"), &back, &error), qPrintable(error));
        QCOMPARE(back, p);
        QCOMPARE(back.tools.apptainer, std::optional<bool>(false));
        QVERIFY(!back.tools.modules.has_value());
        QVERIFY(store.remove(QStringLiteral("meluxina"), &error));
        QVERIFY(store.names().isEmpty());
    }

    void errorsNameTheField_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no host") << QByteArray(R"({"name":"a","user":"u"})") << QStringLiteral("host: required field is missing");
        QTest::newRow("port text") << QByteArray(R"({"name":"a","host":"h","user":"u","port":"22"})")
                                   << QStringLiteral("port: expected a whole number from 1 to 65535");
        QTest::newRow("port range") << QByteArray(R"({"name":"a","host":"h","user":"u","port":70000})")
                                    << QStringLiteral("port: expected a whole number from 1 to 65535");
        QTest::newRow("bool") << QByteArray(R"({"name":"a","host":"h","user":"u","useAgent":"yes"})")
                              << QStringLiteral("useAgent: expected true or false");
        QTest::newRow("bad name") << QByteArray(R"({"name":"../x","host":"h","user":"u"})")
                                  << QStringLiteral("name: \"../x\" may hold only letters, digits, '.', '_' and '-'");
        QTest::newRow("empty host") << QByteArray(R"({"name":"a","host":"","user":"u"})") << QStringLiteral("host: must not be empty");
        QTest::newRow("tools not object") << QByteArray(R"({"name":"a","host":"h","user":"u","tools":true})")
                                          << QStringLiteral("tools: expected an object such as {\"apptainer\": false, \"modules\": false}");
        QTest::newRow("tool not bool") << QByteArray(R"({"name":"a","host":"h","user":"u","tools":{"apptainer":"no"}})")
                                       << QStringLiteral("tools.apptainer: expected true or false");
        QTest::newRow("unknown tool") << QByteArray(R"({"name":"a","host":"h","user":"u","tools":{"docker":true}})")
                                      << QStringLiteral("tools.docker: unknown tool (known: apptainer, modules)");
    }
    void errorsNameTheField()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        ConnectionProfile p;
        QString error;
        QVERIFY(!ConnectionProfile::fromJson(QJsonDocument::fromJson(json).object(), &p, &error));
        QCOMPARE(error, expected);
    }

    void unreadableFileNamesThePath()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("broken.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{ \"name\": ");
        f.close();
        ConnectionProfile p;
        QString error;
        QVERIFY(!ProfileStore::loadFile(path, &p, &error));
        QVERIFY2(error.startsWith(path + QStringLiteral(": offset")), qPrintable(error));
    }

    void namesCannotEscapeTheFolder()
    {
        QTemporaryDir dir;
        ProfileStore store(dir.path() + QStringLiteral("/profiles"));
        ConnectionProfile p;
        p.name = QStringLiteral("../../etc/evil");
        p.host = QStringLiteral("h");
        p.user = QStringLiteral("u");
        QString error;
        QVERIFY(!store.save(p, &error));
        QVERIFY(!QFile::exists(dir.path() + QStringLiteral("/etc/evil.json")));
        QVERIFY(!store.load(QStringLiteral("../x"), &p, &error));
    }
};

QTEST_GUILESS_MAIN(TestConnectionProfile)
#include "tst_connectionprofile.moc"
