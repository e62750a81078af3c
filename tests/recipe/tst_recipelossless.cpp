// Lossless save (RecipeSaver::toText(recipe, base) / RecipePatcher): saving
// changes only what changed. Every example recipe (they carry comments) with
// one field edited differs from the file in exactly that one line; comments,
// quoting style, key order and explicit defaults survive; added and removed
// keys and list items touch only their own lines; numbers are written in their
// shortest form; a new recipe gets the canonical layout; and what cannot be
// patched falls back to the canonical layout and says why.
#include "RecipeTestUtil.h"

#include "recipe/RecipeSaver.h"

#include <QFile>
#include <QTest>

#include <functional>

using namespace fb::recipe;

namespace {

QString readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

// Lines of `after` that differ from `before`, as "-old" / "+new": line by
// line when both have as many lines, else the block between the common
// prefix and suffix.
QStringList lineDiff(const QString &before, const QString &after)
{
    const QStringList a = before.split(QLatin1Char('\n')), b = after.split(QLatin1Char('\n'));
    if (a.size() == b.size()) {
        QStringList out;
        for (qsizetype i = 0; i < a.size(); ++i)
            if (a[i] != b[i])
                out << QLatin1Char('-') + a[i] << QLatin1Char('+') + b[i];
        return out;
    }
    qsizetype p = 0;
    while (p < a.size() && p < b.size() && a[p] == b[p])
        ++p;
    qsizetype s = 0;
    while (s < a.size() - p && s < b.size() - p && a[a.size() - 1 - s] == b[b.size() - 1 - s])
        ++s;
    QStringList out;
    for (qsizetype i = p; i < a.size() - s; ++i)
        out << QLatin1Char('-') + a[i];
    for (qsizetype i = p; i < b.size() - s; ++i)
        out << QLatin1Char('+') + b[i];
    return out;
}

struct FieldEdit
{
    QString path;
    std::function<void(Recipe &)> apply;
};

// One-field edits a user makes in the form; each applies where the example writes the field.
QList<FieldEdit> fieldEdits()
{
    return {
        {"metadata.name", [](Recipe &r) { r.metadata.name += QStringLiteral("-copy"); }},
        {"metadata.description", [](Recipe &r) { r.metadata.description = QStringLiteral("edited: \"quoted\" # not a comment"); }},
        {"metadata.seed", [](Recipe &r) { r.metadata.seed += 1; }},
        {"cluster.resources.partition", [](Recipe &r) { r.cluster.resources.partition = QStringLiteral("other"); }},
        {"cluster.resources.time", [](Recipe &r) { r.cluster.resources.time = r.cluster.resources.time.value_or(0) + 3600; }},
        {"cluster.workdir", [](Recipe &r) { r.cluster.workdir = QStringLiteral("$HOME/fb"); }},
        {"services[0].name", [](Recipe &r) { r.services[0].name = QStringLiteral("renamed"); }},
        {"services[0].resources.memory", [](Recipe &r) { r.services[0].resources.memory = qint64(3) << 30; }},
        {"clients[0].name", [](Recipe &r) { r.clients[0].name = QStringLiteral("renamed-client"); }},
        {"clients[0].threads", [](Recipe &r) { r.clients[0].threads += 1; }},
        {"clients[0].warmup", [](Recipe &r) { r.clients[0].warmup += 5; }},
        {"clients[0].duration", [](Recipe &r) { r.clients[0].duration = r.clients[0].duration.value_or(0) + 42; }},
        {"clients[0].load.concurrency", [](Recipe &r) { r.clients[0].load.concurrency += 1; }},
        {"clients[0].load.rate", [](Recipe &r) { r.clients[0].load.rate = r.clients[0].load.rate.value_or(0) + 12.5; }},
    };
}

bool isSwept(const Recipe &r, const QString &path)
{
    return std::any_of(r.sweep.axes.begin(), r.sweep.axes.end(), [&](const SweepAxis &a) { return a.path == path; });
}

} // namespace

class TestRecipeLossless : public QObject
{
    Q_OBJECT

    static QString save(const Recipe &r, const QString &base)
    {
        QString why;
        const QString text = RecipeSaver(&test::catalog()).toText(r, base, &why);
        if (!why.isEmpty())
            qWarning("fell back to the canonical layout: %s", qPrintable(why));
        [&] { QVERIFY2(why.isEmpty(), qPrintable(why)); }();
        const LoadResult back = RecipeLoader(&test::catalog()).loadText(text);
        [&] { QVERIFY2(back.ok() && back.recipe == r, qPrintable(text)); }();
        return text;
    }

private slots:
    void examplesOneFieldOneLine_data()
    {
        QTest::addColumn<QString>("path");
        for (const QString &p : test::examplePaths())
            QTest::newRow(qPrintable(QFileInfo(p).fileName())) << p;
    }
    void examplesOneFieldOneLine()
    {
        QFETCH(QString, path);
        const QString text = readFile(path);
        QVERIFY(text.contains(QLatin1Char('#'))); // the examples carry comments: they must survive
        const LoadResult loaded = RecipeLoader(&test::catalog()).loadText(text);
        QVERIFY2(loaded.ok(), qPrintable(formatDiagnostics(loaded.diagnostics)));
        // Nothing changed: the very same text.
        QCOMPARE(RecipeSaver(&test::catalog()).toText(loaded.recipe, text), text);
        int edited = 0;
        for (const FieldEdit &e : fieldEdits()) {
            if (!loaded.recipe.positions.contains(e.path) || isSwept(loaded.recipe, e.path))
                continue; // the example does not write this field
            Recipe r = loaded.recipe;
            e.apply(r);
            const QString saved = save(r, text);
            if (QTest::currentTestFailed())
                return;
            const QStringList diff = lineDiff(text, saved);
            QVERIFY2(diff.size() == 2 && diff[0].startsWith(QLatin1Char('-')) && diff[1].startsWith(QLatin1Char('+')),
                     qPrintable(QStringLiteral("%1: %2").arg(e.path, diff.join(QLatin1Char('\n')))));
            ++edited;
        }
        QVERIFY2(edited >= 4, qPrintable(QStringLiteral("only %1 fields edited").arg(edited)));
    }

    // Comments, quoting style, key order and explicit defaults are the author's.
    void keepsWhatTheAuthorWrote()
    {
        const QString text = QStringLiteral(
            "# my recipe\n"
            "version: 1\n"
            "metadata:\n"
            "  description: 'single quoted'   # trailing comment\n"
            "  notes: \"double quoted\"\n"
            "  name: mine\n"
            "services:\n"
            "  - name: web\n"
            "    kind: generic\n"
            "    command: [nginx, -g, 'daemon off;']\n"
            "    ports: {http: 8080}\n"
            "clients:\n"
            "  - name: c\n"
            "    workload: http\n"
            "    service: web\n"
            "    threads: 1          # the default, written on purpose\n"
            "    load:\n"
            "      model: closed\n"
            "    params:\n"
            "      mix: {get: 0.8, set: 0.2}\n");
        const LoadResult loaded = RecipeLoader(&test::catalog()).loadText(text);
        QVERIFY2(loaded.ok(), qPrintable(formatDiagnostics(loaded.diagnostics)));

        Recipe r = loaded.recipe;
        r.metadata.description = QStringLiteral("it's edited");
        r.metadata.notes = QStringLiteral("tab\there");
        r.clients[0].params[QStringLiteral("mix")] = QJsonObject{{QStringLiteral("get"), 0.7}, {QStringLiteral("set"), 0.3}};
        const QString saved = save(r, text);
        QCOMPARE(lineDiff(text, saved), (QStringList{
            QStringLiteral("-  description: 'single quoted'   # trailing comment"),
            QStringLiteral("+  description: 'it''s edited'   # trailing comment"),
            QStringLiteral("-  notes: \"double quoted\""),
            QStringLiteral("+  notes: \"tab\\there\""),
            QStringLiteral("-      mix: {get: 0.8, set: 0.2}"),
            QStringLiteral("+      mix: {get: 0.7, set: 0.3}")})); // shortest numbers, flow style kept
        QVERIFY(saved.contains(QStringLiteral("    threads: 1          # the default, written on purpose\n")));
        QVERIFY(saved.contains(QStringLiteral("      model: closed\n")));
        QVERIFY(saved.startsWith(QStringLiteral("# my recipe\nversion: 1\nmetadata:\n")));
    }

    // Keys and list items that appear or disappear touch only their own lines.
    void addsAndRemovesLines()
    {
        const QString path = test::sourceDir() + QStringLiteral("/recipes/examples/local-redis.yaml");
        const QString text = readFile(path);
        const LoadResult loaded = RecipeLoader(&test::catalog()).loadText(text);
        QVERIFY(loaded.ok());

        Recipe r = loaded.recipe; // a key the file does not write
        r.clients[0].timeout = 10;
        QCOMPARE(lineDiff(text, save(r, text)), QStringList{QStringLiteral("+    timeout: 10s")});

        r = loaded.recipe; // an optional field cleared
        r.clients[0].duration.reset();
        const QStringList removed = lineDiff(text, save(r, text));
        QCOMPARE(removed.size(), 1);
        QVERIFY(removed[0].startsWith(QStringLiteral("-    duration:")));

        r = loaded.recipe; // an environment variable added where there was none
        r.cluster.environment = {{QStringLiteral("OMP_NUM_THREADS"), QStringLiteral("1")}};
        QCOMPARE(lineDiff(text, save(r, text)).size(), 2);

        r = loaded.recipe; // a second client appended after the first
        Client c = r.clients[0];
        c.name = QStringLiteral("kv2");
        r.clients << c;
        for (const QString &line : lineDiff(text, save(r, text)))
            QVERIFY2(line.startsWith(QLatin1Char('+')), qPrintable(line));

        r.clients.removeFirst(); // and the first removed: its lines go, the rest stay
        const QString both = save(r, text);
        QVERIFY(!both.contains(QStringLiteral("name: kv\n")));
        QVERIFY(both.contains(QStringLiteral("name: kv2\n")));
    }

    // Line ends of a CRLF file stay CRLF, also on inserted lines.
    void keepsCrLf()
    {
        const QString text = QStringLiteral("version: 1\r\nmetadata:\r\n  name: crlf   # c\r\n  seed: 3\r\n");
        const LoadResult loaded = RecipeLoader(&test::catalog()).loadText(text);
        QVERIFY(loaded.ok());
        Recipe r = loaded.recipe;
        r.metadata.name = QStringLiteral("renamed");
        r.metadata.description = QStringLiteral("added");
        const QString saved = save(r, text);
        QCOMPARE(saved, QStringLiteral("version: 1\r\nmetadata:\r\n  name: renamed   # c\r\n  seed: 3\r\n  description: added\r\n"));
    }

    // A new recipe (no text yet) is written in the canonical layout.
    void newRecipeIsCanonical()
    {
        Recipe r;
        r.metadata.name = QStringLiteral("new");
        QString why;
        QCOMPARE(RecipeSaver(&test::catalog()).toText(r, QString(), &why), RecipeSaver(&test::catalog()).toText(r));
        QVERIFY(why.isEmpty());

        // Numbers in their shortest round-trip form: 0.8, not 0.80000000000000004.
        Client c;
        c.name = QStringLiteral("c");
        c.workload = QStringLiteral("redis");
        c.params.insert(QStringLiteral("operations"), QJsonObject{{QStringLiteral("get"), 0.8}, {QStringLiteral("set"), 0.1 + 0.1}});
        c.load.rate = 0.3;
        r.clients = {c};
        const QString text = RecipeSaver(&test::catalog()).toText(r);
        QVERIFY2(text.contains(QStringLiteral("get: 0.8\n")) && text.contains(QStringLiteral("set: 0.2\n"))
                     && text.contains(QStringLiteral("rate: 0.3\n")), qPrintable(text));
        QCOMPARE(RecipeLoader(&test::catalog()).loadText(text).recipe, r);
    }

    // What cannot be patched (the anchored value an alias elsewhere repeats)
    // falls back to the canonical layout, says why, and still saves the recipe.
    void fallsBackWithAReason()
    {
        const QString text = QStringLiteral(
            "version: 1\ncluster: {workdir: &w /a}\nmetadata: {name: x, description: *w}\n");
        const LoadResult loaded = RecipeLoader(&test::catalog()).loadText(text);
        QVERIFY2(loaded.ok(), qPrintable(formatDiagnostics(loaded.diagnostics)));
        Recipe r = loaded.recipe;
        r.cluster.workdir = QStringLiteral("/b");
        QString why;
        const QString saved = RecipeSaver(&test::catalog()).toText(r, text, &why);
        QVERIFY(!why.isEmpty());
        QCOMPARE(saved, RecipeSaver(&test::catalog()).toText(r));
        QCOMPARE(RecipeLoader(&test::catalog()).loadText(saved).recipe, r);
    }
};

QTEST_GUILESS_MAIN(TestRecipeLossless)
#include "tst_recipelossless.moc"
