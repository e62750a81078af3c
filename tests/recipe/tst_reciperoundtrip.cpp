// load → save → load gives the same recipe whatever the strings hold: a
// table of hostile values (control characters, CR/LF, tabs, unicode, quotes,
// YAML indicators, placeholders, shell syntax, words YAML would retype) in
// every string field of the model, through both writers — the canonical
// layout (a new recipe) and the lossless patch of a saved text — plus the
// fuzzer's finding and a fixed-seed random sweep of the same alphabet.
#include "RecipeTestUtil.h"

#include "recipe/RecipeSaver.h"

#include <QFile>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QTest>

#include <functional>

using namespace fb::recipe;

namespace {

QString show(const QString &s)
{
    return QString::fromLatin1(s.toUtf8().toPercentEncoding(" :'\"[]{},-_./$()`#;"));
}

QStringList hostileValues()
{
    QString c0;
    for (char16_t c = 1; c < 0x20; ++c)
        c0 += QChar(c);
    return {
        QString(), QStringLiteral("null"), QStringLiteral("Null"), QStringLiteral("~"), QStringLiteral("true"),
        QStringLiteral("False"), QStringLiteral("yes"), QStringLiteral("off"), QStringLiteral("0x10"), QStringLiteral("1e3"),
        QStringLiteral("-1"), QStringLiteral("+1"), QStringLiteral(".5"), QStringLiteral("0o17"), QStringLiteral(".inf"),
        QStringLiteral("123"), QStringLiteral(" leading"), QStringLiteral("trailing "), QStringLiteral("  "),
        QStringLiteral("\t"), QStringLiteral("a\tb"), QStringLiteral("\r"), QStringLiteral("a\r\"b\" $(x) `y` {z}"),
        QStringLiteral("a\r\"b\" $(x) `y` {z}\r"), QStringLiteral("line\nbreak"), QStringLiteral("crlf\r\nend"),
        QStringLiteral("trailing newline\n"), QStringLiteral("\nleading newline"), QStringLiteral("two\n\n"),
        QStringLiteral("all C0: ") + c0, QStringLiteral("del\x7f"), QStringLiteral("c1 \u0085 \u0080 \u009f"),
        QStringLiteral("nbsp\u00a0x"), QStringLiteral("\u00a0"), QStringLiteral("sep \u2028 para \u2029"),
        QStringLiteral("bom\ufeff"), QStringLiteral("astral \U0001F600 \U0001D11E"),
        QStringLiteral("rtl \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 \u200f"), QStringLiteral("é ü ß 中文"),
        QStringLiteral("'single'"), QStringLiteral("\"double\""), QStringLiteral("it's"), QStringLiteral("back\\slash \\n"),
        QStringLiteral("\\"), QStringLiteral("\""), QStringLiteral("'"), QStringLiteral("# comment"),
        QStringLiteral("a # not a comment"), QStringLiteral("key: value"), QStringLiteral("a:b"), QStringLiteral("trailing:"),
        QStringLiteral("x}:"), QStringLiteral("- dash"), QStringLiteral("-"), QStringLiteral("? q"), QStringLiteral("[flow]"),
        QStringLiteral("{z}"), QStringLiteral("{service_dir}/redis.conf"), QStringLiteral("$(touch /tmp/x)"),
        QStringLiteral("`id`"), QStringLiteral("*alias"), QStringLiteral("&anchor"), QStringLiteral("!tag"),
        QStringLiteral("!!str"), QStringLiteral("%percent"), QStringLiteral("@at"), QStringLiteral("|"), QStringLiteral(">"),
        QStringLiteral("---"), QStringLiteral("..."), QStringLiteral("a, b"), QStringLiteral(","), QStringLiteral("="),
        QStringLiteral("x: |\n  y\n"), QStringLiteral("  indented\n  block\n"),
    };
}

using Setter = std::function<void(Recipe &, const QString &)>;

// Every string the model holds. The recipe model is plain structs, so the
// fields are listed (a new QString field in Recipe.h belongs here too).
QList<std::pair<QString, Setter>> stringFields()
{
    return {
        {"metadata.name", [](Recipe &r, const QString &v) { r.metadata.name = v; }},
        {"metadata.description", [](Recipe &r, const QString &v) { r.metadata.description = v; }},
        {"metadata.notes", [](Recipe &r, const QString &v) { r.metadata.notes = v; }},
        {"metadata.tags[1]", [](Recipe &r, const QString &v) { r.metadata.tags = {QStringLiteral("t"), v}; }},
        {"cluster.resources.account", [](Recipe &r, const QString &v) { r.cluster.resources.account = v; }},
        {"cluster.resources.partition", [](Recipe &r, const QString &v) { r.cluster.resources.partition = v; }},
        {"cluster.resources.qos", [](Recipe &r, const QString &v) { r.cluster.resources.qos = v; }},
        {"cluster.resources.gres", [](Recipe &r, const QString &v) { r.cluster.resources.gres = v; }},
        {"cluster.resources.reservation", [](Recipe &r, const QString &v) { r.cluster.resources.reservation = v; }},
        {"cluster.resources.constraint", [](Recipe &r, const QString &v) { r.cluster.resources.constraint = v; }},
        {"cluster.modules[0]", [](Recipe &r, const QString &v) { r.cluster.modules = {v}; }},
        {"cluster.environment value", [](Recipe &r, const QString &v) { r.cluster.environment = {{QStringLiteral("A"), v}}; }},
        {"cluster.environment key", [](Recipe &r, const QString &v) { r.cluster.environment = {{v, QStringLiteral("x")}}; }},
        {"cluster.workdir", [](Recipe &r, const QString &v) { r.cluster.workdir = v; }},
        {"services[0].name", [](Recipe &r, const QString &v) { r.services[0].name = v; }},
        {"services[0].container.sif", [](Recipe &r, const QString &v) { r.services[0].container.sif = v; }},
        {"services[0].container.source", [](Recipe &r, const QString &v) { r.services[0].container.source = v; }},
        {"services[0].container.binds[0]", [](Recipe &r, const QString &v) { r.services[0].container.binds = {v}; }},
        {"services[0].command[1]", [](Recipe &r, const QString &v) { r.services[0].command = {QStringLiteral("x"), v}; }},
        {"services[0].ports key", [](Recipe &r, const QString &v) { r.services[0].ports = {{v, 80}}; }},
        {"services[0].environment value", [](Recipe &r, const QString &v) { r.services[0].environment = {{QStringLiteral("E"), v}}; }},
        {"services[0].environment key", [](Recipe &r, const QString &v) { r.services[0].environment = {{v, QStringLiteral("e")}}; }},
        {"services[0].health.path", [](Recipe &r, const QString &v) { r.services[0].health.path = v; }},
        {"services[0].health.port", [](Recipe &r, const QString &v) { r.services[0].health.port = v; }},
        {"services[0].health.command[0]", [](Recipe &r, const QString &v) { r.services[0].health.command = {v}; }},
        {"services[0].resources.partition", [](Recipe &r, const QString &v) { r.services[0].resources.partition = v; }},
        {"services[0].files[0].path", [](Recipe &r, const QString &v) { r.services[0].files = {{v, QStringLiteral("c\n")}}; }},
        {"services[0].files[0].content", [](Recipe &r, const QString &v) { r.services[0].files = {{QStringLiteral("f"), v}}; }},
        {"services[0].settings value", [](Recipe &r, const QString &v) { r.services[0].settings.insert(QStringLiteral("s"), v); }},
        {"services[0].settings key", [](Recipe &r, const QString &v) { r.services[0].settings.insert(v, 1); }},
        {"services[0].settings nested", [](Recipe &r, const QString &v) {
             QJsonObject inner;
             inner.insert(v, v);
             QJsonArray list;
             list.append(v);
             list.append(inner);
             QJsonObject outer;
             outer.insert(QStringLiteral("l"), list);
             r.services[0].settings.insert(QStringLiteral("n"), outer);
         }},
        {"services[0].model.name", [](Recipe &r, const QString &v) { r.services[0].model.name = v; }},
        {"clients[0].name", [](Recipe &r, const QString &v) { r.clients[0].name = v; }},
        {"clients[0].service", [](Recipe &r, const QString &v) { r.clients[0].service = v; }},
        {"clients[0].port", [](Recipe &r, const QString &v) { r.clients[0].port = v; }},
        {"clients[0].resources.account", [](Recipe &r, const QString &v) { r.clients[0].resources.account = v; }},
        {"clients[0].environment value", [](Recipe &r, const QString &v) { r.clients[0].environment = {{QStringLiteral("C"), v}}; }},
        {"clients[0].environment key", [](Recipe &r, const QString &v) { r.clients[0].environment = {{v, QStringLiteral("c")}}; }},
        {"clients[0].params value", [](Recipe &r, const QString &v) { r.clients[0].params.insert(QStringLiteral("p"), v); }},
        {"clients[0].params key", [](Recipe &r, const QString &v) { r.clients[0].params.insert(v, QStringLiteral("v")); }},
        {"monitor.prometheus.command[0]", [](Recipe &r, const QString &v) { r.monitor.prometheus.command = {v}; }},
        {"monitor.gpu_exporter.container.sif", [](Recipe &r, const QString &v) { r.monitor.gpuExporter.container.sif = v; }},
        {"monitor.resources.qos", [](Recipe &r, const QString &v) { r.monitor.resources.qos = v; }},
        {"sweep.zip[0][1]", [](Recipe &r, const QString &v) { r.sweep.zip = {{QStringLiteral("a"), v}}; }},
    };
}

Recipe baseRecipe()
{
    Recipe r;
    r.metadata.name = QStringLiteral("hostile");
    Service s;
    s.name = QStringLiteral("s");
    s.kind = QStringLiteral("generic");
    s.command = {QStringLiteral("x")};
    s.ports = {{QStringLiteral("p"), 1}};
    r.services = {s};
    Client c;
    c.name = QStringLiteral("c");
    c.service = QStringLiteral("s");
    c.workload = QStringLiteral("http");
    r.clients = {c};
    r.monitor.enabled = true;
    return r;
}

} // namespace

class TestRecipeRoundTrip : public QObject
{
    Q_OBJECT

    // Both writers give text that loads back as `r`; the lossless one from
    // `base` (the saved base recipe) must not need its canonical fallback.
    static QString check(const Recipe &r, const QString &base)
    {
        const RecipeSaver saver(&test::catalog());
        const RecipeLoader loader(&test::catalog());
        const QString canonical = saver.toText(r);
        const LoadResult a = loader.loadText(canonical);
        if (!a.ok())
            return QStringLiteral("canonical text does not load: %1\n%2").arg(formatDiagnostics(a.diagnostics), show(canonical));
        if (!(a.recipe == r))
            return QStringLiteral("canonical text loads differently:\n%1").arg(show(canonical));
        QString why;
        const QString patched = saver.toText(r, base, &why);
        if (!why.isEmpty())
            return QStringLiteral("lossless save fell back: %1").arg(why);
        const LoadResult b = loader.loadText(patched);
        if (!b.ok() || !(b.recipe == r))
            return QStringLiteral("patched text loads differently:\n%1").arg(show(patched));
        return {};
    }

private slots:
    void hostileStringsInEveryField()
    {
        const QStringList values = hostileValues();
        QVERIFY(values.size() >= 30);
        const Recipe base = baseRecipe();
        const QString baseText = RecipeSaver(&test::catalog()).toText(base);
        int checked = 0;
        for (const auto &[field, set] : stringFields()) {
            for (const QString &v : values) {
                Recipe r = base;
                set(r, v);
                const QString problem = check(r, baseText);
                QVERIFY2(problem.isEmpty(), qPrintable(QStringLiteral("%1 = \"%2\": %3").arg(field, show(v), problem)));
                ++checked;
            }
        }
        QCOMPARE(checked, stringFields().size() * values.size());
    }

    // The same alphabet, mixed at random (fixed seed: the same strings every run).
    void randomHostileStrings()
    {
        const QString alphabet = QStringLiteral("a \t\r\n\"'\\$()`{}[],:#-?*&!|>%@~\u0085\u00a0\u2028é\U0001F600");
        QList<uint> codePoints;
        for (const uint cp : alphabet.toUcs4())
            codePoints << cp;
        QRandomGenerator rng(17);
        const auto fields = stringFields();
        const Recipe base = baseRecipe();
        const QString baseText = RecipeSaver(&test::catalog()).toText(base);
        for (int i = 0; i < 1500; ++i) {
            QList<uint> picked;
            const int length = rng.bounded(1, 9);
            for (int k = 0; k < length; ++k)
                picked << codePoints[rng.bounded(int(codePoints.size()))];
            const QString v = QString::fromUcs4(reinterpret_cast<const char32_t *>(picked.constData()), picked.size());
            const auto &[field, set] = fields[rng.bounded(int(fields.size()))];
            Recipe r = base;
            set(r, v);
            const QString problem = check(r, baseText);
            QVERIFY2(problem.isEmpty(), qPrintable(QStringLiteral("%1 = \"%2\": %3").arg(field, show(v), problem)));
        }
    }

    // Lossless save between very different recipes: every checked-in recipe
    // text patched to say every other recipe (services and clients appear and
    // go, scalars become sweeps and maps, templates change) gives text that
    // loads as the target — by patching where it can, else canonically.
    void patchAnyTextToAnyRecipe()
    {
        QStringList files = test::examplePaths();
        for (const QString &name : {QStringLiteral("hostile.yaml"), QStringLiteral("injection.yaml")})
            files << test::sourceDir() + QStringLiteral("/tests/recipe/data/") + name;
        files << test::sourceDir() + QStringLiteral("/tests/fuzz/corpus/roundtrip-cr-environment.yaml");
        const RecipeLoader loader(&test::catalog());
        const RecipeSaver saver(&test::catalog());
        QList<std::pair<QString, Recipe>> loaded;
        for (const QString &f : files) {
            QFile file(f);
            QVERIFY(file.open(QIODevice::ReadOnly));
            // injection.yaml's placeholders, filled as tst_recipecluster does.
            const QString text = QString::fromUtf8(file.readAll())
                                     .replace(QStringLiteral("@EVIL@"), QStringLiteral("\"$(touch x)\\r\\n`id`'\""))
                                     .replace(QStringLiteral("@CONTENT@"), QStringLiteral("\"a\\tb {port}\\n\""))
                                     .replace(QStringLiteral("@PORT@"), QStringLiteral("18080"));
            const LoadResult r = loader.loadText(text);
            QVERIFY2(r.ok(), qPrintable(f + formatDiagnostics(r.diagnostics)));
            loaded.append({text, r.recipe});
        }
        int patched = 0;
        for (const auto &[base, unused] : loaded) {
            for (const auto &[otherText, target] : loaded) {
                QString why;
                const QString out = saver.toText(target, base, &why);
                const LoadResult back = loader.loadText(out);
                QVERIFY2(back.ok() && back.recipe == target, qPrintable(out));
                patched += why.isEmpty() ? 1 : 0;
            }
        }
        // Most pairs are patched, not rewritten (173 of 196 when this was written).
        QVERIFY2(patched * 4 >= loaded.size() * loaded.size() * 3, qPrintable(QString::number(patched)));
        qInfo("%d of %lld pairs patched in place", patched, qint64(loaded.size() * loaded.size()));
    }

    // The fuzzer's finding (tests/fuzz/corpus/roundtrip-cr-environment.yaml):
    // yaml-cpp wrote a value ending in CR as a plain scalar and read it back
    // without the CR.
    void fuzzFindingCrInEnvironment()
    {
        const QString path = test::sourceDir() + QStringLiteral("/tests/fuzz/corpus/roundtrip-cr-environment.yaml");
        const RecipeLoader loader(&test::catalog());
        const LoadResult a = loader.loadFile(path);
        QVERIFY2(a.ok(), qPrintable(formatDiagnostics(a.diagnostics)));
        QCOMPARE(a.recipe.cluster.environment.value(0).value, QStringLiteral("a\r\"b\" $(x) `y` {z}\r"));
        const QString saved = RecipeSaver(&test::catalog()).toText(a.recipe);
        const LoadResult b = loader.loadText(saved);
        QVERIFY2(b.ok(), qPrintable(formatDiagnostics(b.diagnostics)));
        QVERIFY2(b.recipe == a.recipe, qPrintable(show(saved)));
    }
};

QTEST_GUILESS_MAIN(TestRecipeRoundTrip)
#include "tst_reciperoundtrip.moc"
