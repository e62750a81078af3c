// Golden files: each example recipe → the batch scripts of its first and last
// trial (and its trial list), compared byte for byte with tests/recipe/golden/
// <example>/. Regenerate after an intended change with
//   FB_UPDATE_GOLDEN=1 ctest -R tst_recipegolden
// and review the diff. The scripts compared are exactly what `fbctl plan`
// prints and what the campaign submits.
#include "RecipeTestUtil.h"

#include <QFile>
#include <QTest>

using namespace fb::recipe;

class TestRecipeGolden : public QObject
{
    Q_OBJECT
private:
    static QString goldenDir() { return QStringLiteral(FB_TEST_SOURCE_DIR) + QStringLiteral("/golden"); }
    static bool updating() { return qEnvironmentVariableIntValue("FB_UPDATE_GOLDEN") == 1; }

    // Compares (or with FB_UPDATE_GOLDEN=1 rewrites) one golden file; the
    // message names the file and the first line that differs.
    static QString check(const QString &path, const QString &actual)
    {
        if (updating()) {
            QDir().mkpath(QFileInfo(path).absolutePath());
            QFile f(path);
            if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
                return QStringLiteral("%1: cannot write").arg(path);
            f.write(actual.toUtf8());
            return {};
        }
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return QStringLiteral("%1: missing golden file (run with FB_UPDATE_GOLDEN=1)").arg(path);
        const QString expected = QString::fromUtf8(f.readAll());
        if (expected == actual)
            return {};
        const QStringList e = expected.split(QLatin1Char('\n')), a = actual.split(QLatin1Char('\n'));
        for (qsizetype i = 0; i < std::max(e.size(), a.size()); ++i)
            if (e.value(i) != a.value(i))
                return QStringLiteral("%1:%2: expected\n  %3\ngot\n  %4").arg(path).arg(i + 1).arg(e.value(i), a.value(i));
        return QStringLiteral("%1: differs").arg(path);
    }

private slots:
    void examples_data()
    {
        QTest::addColumn<QString>("path");
        for (const QString &p : test::examplePaths())
            QTest::newRow(qPrintable(QFileInfo(p).completeBaseName())) << p;
    }
    void examples()
    {
        QFETCH(QString, path);
        const QString name = QFileInfo(path).completeBaseName();
        const LoadResult r = RecipeLoader(&test::catalog()).loadAndValidateFile(path);
        QVERIFY2(r.ok(), qPrintable(formatDiagnostics(r.diagnostics)));
        QList<Trial> trials;
        QList<Diagnostic> diags;
        QVERIFY2(SweepExpander(&test::catalog()).expand(r.recipe, &trials, &diags), qPrintable(formatDiagnostics(diags)));
        QVERIFY(!trials.isEmpty());

        QString list;
        for (const Trial &t : trials) {
            list += t.id + QLatin1Char(' ') + t.key;
            for (const KeyValue &kv : t.parameters)
                list += QLatin1Char(' ') + kv.key + QLatin1Char('=') + kv.value;
            list += QLatin1Char('\n');
        }
        QString problem = check(goldenDir() + QLatin1Char('/') + name + QStringLiteral("/trials.txt"), list);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));

        QList<Trial> picked{trials.first()};
        if (trials.size() > 1)
            picked << trials.last();
        const QString runId = r.recipe.metadata.name.isEmpty() ? name : r.recipe.metadata.name;
        for (const Trial &t : picked) {
            QList<BatchScript> scripts;
            QStringList errors;
            QVERIFY2(BatchScriptGenerator().generate(t.recipe, test::contextFor(runId, t.id), &scripts, &errors),
                     qPrintable(errors.join(QLatin1Char('\n'))));
            QCOMPARE(scripts.size(), int(t.recipe.services.size() + t.recipe.clients.size() + (t.recipe.monitor.enabled ? 1 : 0)));
            for (const BatchScript &s : scripts) {
                QVERIFY(s.text.startsWith(QStringLiteral("#!/bin/bash\n")));
                problem = check(goldenDir() + QLatin1Char('/') + name + QLatin1Char('/') + t.id + QLatin1Char('/') + s.fileName, s.text);
                QVERIFY2(problem.isEmpty(), qPrintable(problem));
            }
        }
    }

    // Generation is deterministic: the same trial gives the same bytes twice.
    void deterministic()
    {
        const LoadResult r = RecipeLoader(&test::catalog()).loadFile(test::sourceDir() + QStringLiteral("/recipes/examples/redis-sweep.yaml"));
        QVERIFY(r.ok());
        QList<Trial> t1, t2;
        QList<Diagnostic> d;
        QVERIFY(SweepExpander(&test::catalog()).expand(r.recipe, &t1, &d));
        QVERIFY(SweepExpander(&test::catalog()).expand(r.recipe, &t2, &d));
        QCOMPARE(t1.size(), 27);
        for (int i = 0; i < t1.size(); ++i) {
            QCOMPARE(t1[i].id, t2[i].id);
            QCOMPARE(t1[i].key, t2[i].key);
        }
        QList<BatchScript> a, b;
        QStringList e;
        QVERIFY(BatchScriptGenerator().generate(t1[5].recipe, test::contextFor(QStringLiteral("x"), t1[5].id), &a, &e));
        QVERIFY(BatchScriptGenerator().generate(t2[5].recipe, test::contextFor(QStringLiteral("x"), t2[5].id), &b, &e));
        QCOMPARE(a.size(), b.size());
        for (int i = 0; i < a.size(); ++i)
            QCOMPARE(a[i].text, b[i].text);
    }
};

QTEST_GUILESS_MAIN(TestRecipeGolden)
#include "tst_recipegolden.moc"
