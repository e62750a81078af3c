// The OLTP transaction text of the SQL workloads (workloads/sqlmix.cpp),
// without a server: statement counts, ids and tables in range, read_only
// writing nothing, parameter errors naming the field.
#include "config.h"
#include "json.h"
#include "workloads/sqlmix.h"

#include <QRegularExpression>
#include <QtTest>

using namespace fbload;

namespace {

QStringList statements(const SqlMixParams& p, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::string sql;
    appendSqlTransaction(sql, p, rng);
    return QString::fromStdString(sql).split(';', Qt::SkipEmptyParts);
}

}  // namespace

class TestSqlMix : public QObject {
    Q_OBJECT
private slots:
    void defaultMixIsSysbenchReadWrite();
    void idsAndTablesStayInRange();
    void readOnlyWritesNothing();
    void fillerHasSysbenchShape();
    void badParamsNameTheField_data();
    void badParamsNameTheField();
};

void TestSqlMix::defaultMixIsSysbenchReadWrite()
{
    SqlMixParams p;
    p.read(Json::object());
    const QStringList s = statements(p, 1);
    QCOMPARE(s.size(), 20);
    QCOMPARE(p.statementsPerTransaction(), 20);
    QCOMPARE(s.first(), QString("BEGIN"));
    QCOMPARE(s.last(), QString("COMMIT"));
    QCOMPARE(s.filter(QRegularExpression("^SELECT c FROM sbtest1 WHERE id=\\d+$")).size(), 10);
    QCOMPARE(s.filter("BETWEEN").size(), 4);
    QCOMPARE(s.filter("SUM(k)").size(), 1);
    QCOMPARE(s.filter("DISTINCT").size(), 1);
    QCOMPARE(s.filter("SET k=k+1").size(), 1);
    QCOMPARE(s.filter("SET c='").size(), 1);
    const QStringList del = s.filter(QRegularExpression("^DELETE"));
    const QStringList ins = s.filter(QRegularExpression("^INSERT"));
    QCOMPARE(del.size(), 1);
    QCOMPARE(ins.size(), 1);
    // The insert puts back the very id the delete removed.
    const QString id = QRegularExpression("id=(\\d+)").match(del[0]).captured(1);
    QVERIFY(ins[0].contains("VALUES (" + id + ","));
    // Same seed, same text; another seed, another text.
    QCOMPARE(statements(p, 1), s);
    QVERIFY(statements(p, 2) != s);
}

void TestSqlMix::idsAndTablesStayInRange()
{
    SqlMixParams p;
    p.read(Json::parse(R"({"tables":3,"table_size":50,"range_size":7,"table_prefix":"t_"})"));
    QSet<int> tables;
    for (uint64_t seed = 1; seed <= 200; ++seed) {
        for (const QString& st : statements(p, seed)) {
            auto t = QRegularExpression("t_(\\d+)").match(st);
            if (t.hasMatch())
                tables.insert(t.captured(1).toInt());
            auto id = QRegularExpression("WHERE id=(\\d+)").match(st);
            if (id.hasMatch())
                QVERIFY2(id.captured(1).toInt() >= 1 && id.captured(1).toInt() <= 50, qPrintable(st));
            auto r = QRegularExpression("BETWEEN (\\d+) AND (\\d+)").match(st);
            if (r.hasMatch()) {
                QVERIFY(r.captured(1).toInt() >= 1 && r.captured(1).toInt() <= 50);
                QCOMPARE(r.captured(2).toInt() - r.captured(1).toInt(), 6);
            }
        }
    }
    QCOMPARE(tables, (QSet<int>{1, 2, 3}));
}

void TestSqlMix::readOnlyWritesNothing()
{
    SqlMixParams p;
    p.read(Json::parse(R"({"mode":"read_only","point_selects":3})"));
    const QStringList s = statements(p, 7);
    QCOMPARE(s.size(), 2 + 3 + 4);
    QCOMPARE(p.statementsPerTransaction(), 9);
    QVERIFY(s.filter(QRegularExpression("^(UPDATE|DELETE|INSERT)")).isEmpty());
}

void TestSqlMix::fillerHasSysbenchShape()
{
    std::mt19937_64 rng(3);
    std::string f;
    appendSqlFiller(f, 119, rng);
    QCOMPARE(f.size(), size_t{119});
    QVERIFY(QRegularExpression("^(\\d{11}-){9}\\d{11}$").match(QString::fromStdString(f)).hasMatch());
}

void TestSqlMix::badParamsNameTheField_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("message");
    QTest::newRow("mode") << R"({"mode":"rw"})" << "params.mode";
    QTest::newRow("tables") << R"({"tables":0})" << "params.tables";
    QTest::newRow("size") << R"({"table_size":"big"})" << "params.table_size";
    QTest::newRow("prefix quote") << R"({"table_prefix":"a'b"})" << "params.table_prefix";
    QTest::newRow("prefix digit") << R"({"table_prefix":"1a"})" << "params.table_prefix";
    QTest::newRow("empty mix") << R"({"mode":"read_only","point_selects":0,"simple_ranges":0,"sum_ranges":0,)"
                                  R"("order_ranges":0,"distinct_ranges":0})"
                               << "empty";
}

void TestSqlMix::badParamsNameTheField()
{
    QFETCH(QString, json);
    QFETCH(QString, message);
    SqlMixParams p;
    try {
        p.read(Json::parse(json.toStdString()));
        QFAIL("accepted");
    } catch (const ConfigError& e) {
        QVERIFY2(QString(e.what()).contains(message), e.what());
    }
}

QTEST_GUILESS_MAIN(TestSqlMix)
#include "tst_postgres_sqlmix.moc"
