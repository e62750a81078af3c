// RecipeLoader + RecipeSaver: every checked-in example and template loads
// without errors, and load → save → load gives an equal Recipe (sweeps,
// template overrides and `container: none` included).
#include "RecipeTestUtil.h"

#include "recipe/RecipeSaver.h"
#include "recipe/RecipeValidator.h"

#include <QTest>

using namespace fb::recipe;

class TestRecipeIo : public QObject
{
    Q_OBJECT
private slots:
    void examples_data()
    {
        QTest::addColumn<QString>("path");
        const QStringList paths = test::examplePaths();
        QVERIFY2(paths.size() >= 11, "recipes/examples/ should hold at least 11 examples");
        for (const QString &p : paths)
            QTest::newRow(qPrintable(QFileInfo(p).fileName())) << p;
    }
    void examples()
    {
        QFETCH(QString, path);
        const RecipeLoader loader(&test::catalog());
        const LoadResult first = loader.loadAndValidateFile(path);
        QVERIFY2(first.diagnostics.isEmpty(), qPrintable(formatDiagnostics(first.diagnostics)));

        const QString saved = RecipeSaver(&test::catalog()).toText(first.recipe);
        const LoadResult second = loader.loadText(saved, QStringLiteral("saved.yaml"));
        QVERIFY2(second.diagnostics.isEmpty(), qPrintable(formatDiagnostics(second.diagnostics) + saved));
        QVERIFY2(second.recipe == first.recipe, qPrintable(saved));
        // Stable: saving the reloaded recipe writes the same text.
        QCOMPARE(RecipeSaver(&test::catalog()).toText(second.recipe), saved);

        QList<Trial> trials;
        QList<Diagnostic> diags;
        QVERIFY2(SweepExpander(&test::catalog()).expand(first.recipe, &trials, &diags), qPrintable(formatDiagnostics(diags)));
        QCOMPARE(qint64(trials.size()), RecipeValidator::trialCount(first.recipe.sweep));
    }

    void templates_data()
    {
        QTest::addColumn<QString>("kind");
        for (const QString &k : serviceKinds())
            QTest::newRow(qPrintable(k)) << k;
    }
    // Every service kind has a template named after it that loads cleanly.
    void templates()
    {
        QFETCH(QString, kind);
        const auto entry = test::catalog().find(kind);
        QVERIFY2(entry, qPrintable(QStringLiteral("no recipes/services/%1.yaml").arg(kind)));
        QCOMPARE(entry->kind, kind);
        QVERIFY(!entry->description.isEmpty());
        const QString text = QStringLiteral("version: 1\nservices:\n  - name: s\n    template: %1\n").arg(kind);
        const LoadResult r = RecipeLoader(&test::catalog()).loadAndValidateText(text);
        QVERIFY2(!hasErrors(r.diagnostics), qPrintable(formatDiagnostics(r.diagnostics)));
        QCOMPARE(r.recipe.services.value(0).kind, kind);
        QVERIFY(!r.recipe.services.value(0).ports.isEmpty());
        const QString saved = RecipeSaver(&test::catalog()).toText(r.recipe);
        QCOMPARE(RecipeLoader(&test::catalog()).loadText(saved).recipe, r.recipe);
    }

    // Values that YAML would retype, multi-line text and odd characters survive a round trip.
    void trickyValues()
    {
        const QString text = QStringLiteral(
            "version: 1\n"
            "metadata: {name: \"tricky\", description: \"123\", notes: \"a: b # c\", tags: [\"true\", \"null\", \"~\", \"1e3\"]}\n"
            "cluster:\n  environment: {A: \"yes\", B: \"0x10\", C: \"$(touch /tmp/x)\", D: \"it's\", E: \"\"}\n"
            "services:\n"
            "  - name: r\n    template: redis\n    container: none\n    command: [redis-server, \"{service_dir}/redis.conf\"]\n"
            "    files:\n      - path: notes.txt\n        content: |\n          line one\n          line 'two'\n"
            "    settings: {persistence: aof, password: \"p@ss word\", nested: {list: [{a: 1}, {b: \"2\"}], flag: true}}\n"
            "clients:\n  - name: c\n    service: r\n    workload: redis\n    load: {concurrency: [1, 2]}\n"
            "    params: {value_size: [8, 16], key_prefix: \"k:\"}\n"
            "sweep:\n  zip: [[\"clients[0].load.concurrency\", \"clients[0].params.value_size\"]]\n");
        const RecipeLoader loader(&test::catalog());
        const LoadResult a = loader.loadAndValidateText(text);
        QVERIFY2(a.diagnostics.isEmpty(), qPrintable(formatDiagnostics(a.diagnostics)));
        QVERIFY(!a.recipe.services[0].container.isSet());
        QCOMPARE(a.recipe.sweep.axes.size(), 2);
        const QString saved = RecipeSaver(&test::catalog()).toText(a.recipe);
        const LoadResult b = loader.loadText(saved);
        QVERIFY2(b.diagnostics.isEmpty(), qPrintable(formatDiagnostics(b.diagnostics) + saved));
        QVERIFY2(a.recipe == b.recipe, qPrintable(saved));
        QCOMPARE(b.recipe.metadata.description, QStringLiteral("123"));
        QCOMPARE(b.recipe.metadata.tags, (QStringList{"true", "null", "~", "1e3"}));
    }

    // Found by the fuzzer: a control character in a file's content stopped
    // yaml-cpp's emitter mid-document, and a null in params came back as the
    // string "null". Both must survive a round trip.
    void fuzzerFindings()
    {
        Recipe a;
        a.metadata.name = QStringLiteral("f");
        Service s;
        s.name = QStringLiteral("s");
        s.kind = QStringLiteral("generic");
        s.command = {QStringLiteral("x")};
        s.ports = {{QStringLiteral("p"), 1}};
        s.files = {{QStringLiteral("a.conf"), QStringLiteral("x = '\x01'\n\x7f tail\n")}};
        a.services = {s};
        Client c;
        c.name = QStringLiteral("c");
        c.service = QStringLiteral("s");
        c.workload = QStringLiteral("http");
        c.params.insert(QStringLiteral("body"), QJsonValue(QJsonValue::Null));
        c.params.insert(QStringLiteral("z"), QStringLiteral("after"));
        a.clients = {c};
        const QString saved = RecipeSaver(&test::catalog()).toText(a);
        const LoadResult b = RecipeLoader(&test::catalog()).loadText(saved);
        QVERIFY2(b.ok(), qPrintable(formatDiagnostics(b.diagnostics) + saved));
        QVERIFY2(b.recipe == a, qPrintable(saved));
        QVERIFY(b.recipe.clients.value(0).params.value(QStringLiteral("body")).isNull());
    }

    // The model differs when one field differs: the equality the test relies on can fail.
    void equalityDetectsChanges()
    {
        const LoadResult a = RecipeLoader(&test::catalog()).loadFile(test::sourceDir() + QStringLiteral("/recipes/examples/local-redis.yaml"));
        QVERIFY(a.ok());
        Recipe b = a.recipe;
        QVERIFY(b == a.recipe);
        b.clients[0].params.insert(QStringLiteral("value_size"), 65);
        QVERIFY(!(b == a.recipe));
    }
};

QTEST_GUILESS_MAIN(TestRecipeIo)
#include "tst_recipeio.moc"
