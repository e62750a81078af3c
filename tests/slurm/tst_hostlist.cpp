// Tests Slurm host-list expansion and compression.
#include "slurm/HostList.h"

#include <QTest>

using namespace fb::slurm;

class TestHostList : public QObject
{
    Q_OBJECT
private slots:
    void expand_data()
    {
        QTest::addColumn<QString>("list");
        QTest::addColumn<QStringList>("hosts");
        QTest::newRow("single") << "mel2001" << QStringList{"mel2001"};
        QTest::newRow("range") << "mel[2001-2003]" << QStringList{"mel2001", "mel2002", "mel2003"};
        QTest::newRow("range and single") << "mel[2001-2003,2010]"
                                          << QStringList{"mel2001", "mel2002", "mel2003", "mel2010"};
        QTest::newRow("padding") << "node[08-11]" << QStringList{"node08", "node09", "node10", "node11"};
        QTest::newRow("several") << "mel[0001-0002],login01"
                                 << QStringList{"mel0001", "mel0002", "login01"};
        QTest::newRow("two groups") << "r[1-2]n[1-2]" << QStringList{"r1n1", "r1n2", "r2n1", "r2n2"};
        QTest::newRow("empty") << "" << QStringList{};
        QTest::newRow("null") << "(null)" << QStringList{};
    }
    void expand()
    {
        QFETCH(QString, list);
        QFETCH(QStringList, hosts);
        QString error;
        QCOMPARE(expandHostList(list, &error), hosts);
        QVERIFY(error.isEmpty());
    }

    void malformed_data()
    {
        QTest::addColumn<QString>("list");
        QTest::addColumn<QString>("message");
        QTest::newRow("open") << "mel[2001-2003" << "unbalanced brackets in \"mel[2001-2003\"";
        QTest::newRow("reversed") << "mel[5-1]" << "bad range \"5-1\" in \"mel[5-1]\"";
        QTest::newRow("letters") << "mel[a-b]" << "bad range \"a-b\" in \"mel[a-b]\"";
        QTest::newRow("empty item") << "a,,b" << "empty host name in \"a,,b\"";
    }
    void malformed()
    {
        QFETCH(QString, list);
        QFETCH(QString, message);
        QString error;
        QVERIFY(expandHostList(list, &error).isEmpty());
        QCOMPARE(error, message);
    }

    void compressRoundTrips_data()
    {
        QTest::addColumn<QString>("list");
        QTest::newRow("range") << "mel[2001-2003,2010]";
        QTest::newRow("single") << "mel2001";
        QTest::newRow("mixed") << "login01,mel[0001-0002]";
        QTest::newRow("padding") << "node[08-11]";
    }
    void compressRoundTrips()
    {
        QFETCH(QString, list);
        const QStringList hosts = expandHostList(list);
        QCOMPARE(expandHostList(compressHostList(hosts)), hosts);
    }

    void compressFoldsRuns()
    {
        QCOMPARE(compressHostList({"mel2003", "mel2001", "mel2002", "mel2010"}), QStringLiteral("mel[2001-2003,2010]"));
    }
};

QTEST_GUILESS_MAIN(TestHostList)
#include "tst_hostlist.moc"
