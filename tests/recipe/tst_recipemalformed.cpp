// Malformed recipes, table-driven from data/malformed.txt: each case is a
// recipe and the exact diagnostic it must produce — field path, message and
// file:line:column — among the diagnostics of RecipeLoader + RecipeValidator.
//
// File format: "=== <case name>", then one or more "! <expected diagnostic>"
// lines, then the recipe text up to the next "===". Run with
// FB_DUMP_MALFORMED=1 to print what each case produces (for writing new cases;
// expectations are checked by hand before they go in).
#include "RecipeTestUtil.h"

#include <QFile>
#include <QTest>

using namespace fb::recipe;

namespace {

struct Case
{
    QString name;
    QStringList expected;
    QString text;
};

QList<Case> readCases()
{
    QList<Case> cases;
    QFile f(QStringLiteral(FB_TEST_SOURCE_DIR "/data/malformed.txt"));
    if (!f.open(QIODevice::ReadOnly))
        return cases;
    const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'));
    for (const QString &line : lines) {
        if (line.startsWith(QStringLiteral("=== "))) {
            cases.append({line.mid(4).trimmed(), {}, {}});
        } else if (!cases.isEmpty() && line.startsWith(QStringLiteral("! ")) && cases.last().text.isEmpty()) {
            cases.last().expected << line.mid(2);
        } else if (!cases.isEmpty()) {
            cases.last().text += line + QLatin1Char('\n');
        }
    }
    for (Case &c : cases) // the separator's newline is not part of the recipe
        while (c.text.endsWith(QStringLiteral("\n\n")))
            c.text.chop(1);
    return cases;
}

} // namespace

class TestRecipeMalformed : public QObject
{
    Q_OBJECT
private slots:
    void cases_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("expected");
        const QList<Case> cases = readCases();
        QVERIFY2(cases.size() >= 40, qPrintable(QStringLiteral("only %1 cases").arg(cases.size())));
        for (const Case &c : cases)
            QTest::newRow(qPrintable(c.name)) << c.text << c.expected;
    }
    void cases()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, expected);
        const LoadResult r = RecipeLoader(&test::catalog()).loadAndValidateText(text, QStringLiteral("recipe.yaml"));
        QList<Trial> trials;
        QList<Diagnostic> diags = r.diagnostics;
        if (r.ok()) // sweep problems (the cap) surface when expanding
            SweepExpander(&test::catalog()).expand(r.recipe, &trials, &diags);
        QStringList actual;
        for (const Diagnostic &d : diags)
            actual << d.toString();
        if (qEnvironmentVariableIntValue("FB_DUMP_MALFORMED") == 1)
            qInfo("%s\n  %s", QTest::currentDataTag(), qPrintable(actual.join(QStringLiteral("\n  "))));
        QVERIFY2(!expected.isEmpty(), "the case states no expected diagnostic");
        for (const QString &e : expected)
            QVERIFY2(actual.contains(e), qPrintable(QStringLiteral("expected\n  %1\ngot\n  %2").arg(e, actual.join(QStringLiteral("\n  ")))));
    }

    // Every problem is reported, not only the first.
    void collectsAll()
    {
        const QString text = QStringLiteral("version: 1\ncluster:\n  resources:\n    time: abc\n    nodes: 0\n    memory: lots\n");
        const LoadResult r = RecipeLoader(&test::catalog()).loadText(text, QStringLiteral("c.yaml"));
        QCOMPARE(r.diagnostics.size(), 3);
        QCOMPARE(r.diagnostics[0].line, 4);
        QCOMPARE(r.diagnostics[1].line, 5);
        QCOMPARE(r.diagnostics[2].line, 6);
    }
};

QTEST_GUILESS_MAIN(TestRecipeMalformed)
#include "tst_recipemalformed.moc"
