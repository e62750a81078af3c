// RecipeDocument: every edit is one undoable command, undo/redo restore the
// exact recipe, YAML in and out, save/load, dirty flag and the autosave file.
#include "RecipeDocument.h"

#include "recipe/Catalog.h"
#include "recipe/RecipeLoader.h"

#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using fb::editor::RecipeDocument;

class TestRecipeDocument : public QObject
{
    Q_OBJECT

private slots:
    void addConnectSweepUndoRedo()
    {
        RecipeDocument doc;
        QSignalSpy changed(&doc, &RecipeDocument::changed);
        const fb::recipe::Recipe empty = doc.recipe();

        QCOMPARE(doc.addServiceFromTemplate(QStringLiteral("redis")), QStringLiteral("redis"));
        QCOMPARE(doc.recipe().services.size(), 1);
        QCOMPARE(doc.recipe().services[0].kind, QStringLiteral("redis"));
        QCOMPARE(doc.recipe().services[0].templateName, QStringLiteral("redis"));
        QCOMPARE(doc.recipe().services[0].portNumber(), 6379); // from recipes/services/redis.yaml
        QVERIFY(doc.isDirty());
        // A second drop of the same template gets a fresh name.
        QCOMPARE(doc.addServiceFromTemplate(QStringLiteral("redis")), QStringLiteral("redis-2"));
        QVERIFY(doc.removeNode(QStringLiteral("services[1]")));
        QVERIFY(doc.addServiceFromTemplate(QStringLiteral("no-such-template")).isEmpty());

        QCOMPARE(doc.addClient(), QStringLiteral("load"));
        QCOMPARE(doc.recipe().clients[0].workload, QStringLiteral("http"));
        QVERIFY(doc.connectClient(QStringLiteral("load"), QStringLiteral("redis")));
        QCOMPARE(doc.recipe().clients[0].service, QStringLiteral("redis"));
        QCOMPARE(doc.recipe().clients[0].workload, QStringLiteral("redis")); // follows the target's kind
        QVERIFY(!doc.connectClient(QStringLiteral("load"), QStringLiteral("nothing")));

        QVERIFY(doc.setSweep(QStringLiteral("clients[0].load.concurrency"), {QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("4")}));
        QCOMPARE(doc.trialCount(), 3);
        QCOMPARE(doc.recipe().clients[0].load.concurrency, 1);
        QVERIFY(!doc.setSweep(QStringLiteral("clients[0].load.concurrency"), {QStringLiteral("1"), QStringLiteral("many")}));
        QCOMPARE(doc.sweepValues(QStringLiteral("clients[0].load.concurrency")).size(), 3);

        const fb::recipe::Recipe full = doc.recipe();
        const int commands = doc.undoStack()->count();
        QCOMPARE(commands, 6); // add, add, remove, add client, connect, sweep — and nothing for refused edits
        QVERIFY(changed.count() >= commands);

        while (doc.undoStack()->canUndo())
            doc.undoStack()->undo();
        QCOMPARE(doc.recipe(), empty);
        QVERIFY(!doc.isDirty());
        while (doc.undoStack()->canRedo())
            doc.undoStack()->redo();
        QCOMPARE(doc.recipe(), full);
    }

    void fieldsMergeAndRename()
    {
        RecipeDocument doc;
        doc.addServiceFromTemplate(QStringLiteral("redis"));
        doc.addClient(QStringLiteral("redis"));
        const int before = doc.undoStack()->count();
        // Typing "kv" letter by letter is one command.
        QVERIFY(doc.setField(QStringLiteral("services[0].name"), QStringLiteral("k")));
        QVERIFY(doc.setField(QStringLiteral("services[0].name"), QStringLiteral("kv")));
        QCOMPARE(doc.undoStack()->count(), before + 1);
        QCOMPARE(doc.recipe().clients[0].service, QStringLiteral("kv")); // the client follows the rename
        QVERIFY(doc.setField(QStringLiteral("clients[0].duration"), QStringLiteral("3s")));
        QCOMPARE(*doc.recipe().clients[0].duration, 3.0);
        QCOMPARE(doc.fieldValue(QStringLiteral("clients[0].duration")), QStringLiteral("3s"));
        QVERIFY(!doc.setField(QStringLiteral("clients[0].threads"), QStringLiteral("0")));
        QVERIFY(!doc.setField(QStringLiteral("services[0].ports"), QStringLiteral("redis=99999")));
        QVERIFY(doc.setField(QStringLiteral("services[0].resources.memory"), QStringLiteral("256M")));
        QCOMPARE(*doc.recipe().services[0].resources.memory, 256LL * 1024 * 1024);
        QCOMPARE(doc.undoStack()->count(), before + 3);
        doc.undoStack()->undo();
        doc.undoStack()->undo();
        doc.undoStack()->undo();
        QCOMPARE(doc.recipe().services[0].name, QStringLiteral("redis"));
        QCOMPARE(doc.recipe().clients[0].service, QStringLiteral("redis"));
    }

    // The form's text goes through the field-path API: empty text unsets,
    // list fields are one line, every editable field reads back what was set.
    void formTextThroughTheFieldApi()
    {
        RecipeDocument doc;
        doc.addServiceFromTemplate(QStringLiteral("redis"));
        doc.addClient(QStringLiteral("redis"));
        doc.setMonitorEnabled(true);
        QVERIFY(doc.setField(QStringLiteral("clients[0].duration"), QStringLiteral("2m")));
        QVERIFY(doc.setField(QStringLiteral("clients[0].duration"), QString()));
        QVERIFY(!doc.recipe().clients[0].duration);
        QCOMPARE(doc.fieldValue(QStringLiteral("clients[0].duration")), QString());
        QVERIFY(doc.setField(QStringLiteral("services[0].resources.nodes"), QStringLiteral("2")));
        QVERIFY(doc.setField(QStringLiteral("services[0].resources.nodes"), QStringLiteral(" ")));
        QCOMPARE(doc.recipe().services[0].resources.nodes, 0);
        QVERIFY(doc.setField(QStringLiteral("services[0].ports"), QStringLiteral("redis=6380, admin=9000")));
        QCOMPARE(doc.recipe().services[0].ports.size(), 2);
        QCOMPARE(doc.fieldValue(QStringLiteral("services[0].ports")), QStringLiteral("redis=6380, admin=9000"));
        QString why;
        QVERIFY(!doc.setField(QStringLiteral("services[0].ports"), QStringLiteral("redis=x"), &why));
        QCOMPARE(why, QStringLiteral("expected an integer, got \"x\""));
        QVERIFY(doc.setField(QStringLiteral("services[0].command"), QStringLiteral("redis-server --port \"{port} x\"")));
        QCOMPARE(doc.recipe().services[0].command, (QStringList{QStringLiteral("redis-server"), QStringLiteral("--port"), QStringLiteral("{port} x")}));
        QVERIFY(doc.setField(QStringLiteral("services[0].container.binds"), QStringLiteral("/a:/b, /c:/d:ro")));
        QCOMPARE(doc.recipe().services[0].container.binds, (QStringList{QStringLiteral("/a:/b"), QStringLiteral("/c:/d:ro")}));
        QCOMPARE(doc.fieldValue(QStringLiteral("services[0].container.binds")), QStringLiteral("/a:/b, /c:/d:ro"));
        QVERIFY(doc.setField(QStringLiteral("services[0].container"), QStringLiteral("none")));
        QVERIFY(!doc.recipe().services[0].container.isSet());
        QCOMPARE(doc.fieldValue(QStringLiteral("services[0].container")), QStringLiteral("none"));
        QCOMPARE(doc.fieldError(QStringLiteral("clients[0].warmup"), QStringLiteral("abc")),
                 QStringLiteral("expected a duration such as \"30s\", got \"abc\""));
        QVERIFY(doc.fieldError(QStringLiteral("clients[0].warmup"), QStringLiteral("1m")).isEmpty());
        // Every editable field reads back the text it was given.
        const QHash<QString, QString> texts{
            {QStringLiteral("name"), QStringLiteral("x1")}, {QStringLiteral("kind"), QStringLiteral("postgres")},
            {QStringLiteral("external.host"), QStringLiteral("db1.example.org")}, {QStringLiteral("external.port"), QStringLiteral("6380")},
            {QStringLiteral("service"), QStringLiteral("other")}, {QStringLiteral("port"), QStringLiteral("p")},
            {QStringLiteral("workload"), QStringLiteral("http")}, {QStringLiteral("threads"), QStringLiteral("3")},
            {QStringLiteral("load.model"), QStringLiteral("poisson")}, {QStringLiteral("load.concurrency"), QStringLiteral("9")},
            {QStringLiteral("load.rate"), QStringLiteral("2.5")}, {QStringLiteral("warmup"), QStringLiteral("7s")},
            {QStringLiteral("duration"), QStringLiteral("1m30s")}, {QStringLiteral("requests"), QStringLiteral("100")},
            {QStringLiteral("instances"), QStringLiteral("2")}, {QStringLiteral("nodes"), QStringLiteral("2")},
            {QStringLiteral("command"), QStringLiteral("a b")}, {QStringLiteral("ports"), QStringLiteral("a=1")},
            {QStringLiteral("container"), QStringLiteral("none")}, {QStringLiteral("container.source"), QStringLiteral("oras:x")},
            {QStringLiteral("container.sif"), QStringLiteral("x.sif")}, {QStringLiteral("container.nv"), QStringLiteral("true")},
            {QStringLiteral("container.binds"), QStringLiteral("/x")}, {QStringLiteral("resources.partition"), QStringLiteral("gpu")},
            {QStringLiteral("resources.nodes"), QStringLiteral("3")}, {QStringLiteral("resources.cpus_per_task"), QStringLiteral("4")},
            {QStringLiteral("resources.gpus_per_node"), QStringLiteral("1")}, {QStringLiteral("resources.memory"), QStringLiteral("2G")},
            {QStringLiteral("resources.time"), QStringLiteral("1h")}, {QStringLiteral("enabled"), QStringLiteral("false")},
            {QStringLiteral("scrape_interval"), QStringLiteral("3s")}, {QStringLiteral("prometheus.port"), QStringLiteral("9999")},
            {QStringLiteral("node_exporter.enabled"), QStringLiteral("false")}, {QStringLiteral("gpu_exporter.enabled"), QStringLiteral("true")}};
        for (const QString &node : {QStringLiteral("services[0]"), QStringLiteral("clients[0]"), QStringLiteral("monitor")}) {
            for (const QString &field : RecipeDocument::editableFields(node)) {
                QVERIFY2(texts.contains(field), qPrintable(field));
                const QString path = node + QLatin1Char('.') + field;
                QVERIFY2(doc.setField(path, texts[field], &why), qPrintable(path + QStringLiteral(": ") + why));
                QCOMPARE(doc.fieldValue(path), texts[field]);
            }
        }
    }

    void removingANodeRenumbersTheSweep()
    {
        RecipeDocument doc;
        doc.addServiceFromTemplate(QStringLiteral("redis"));
        doc.addClient(QStringLiteral("redis"));
        doc.addClient(QStringLiteral("redis"));
        QVERIFY(doc.setSweep(QStringLiteral("clients[0].threads"), {QStringLiteral("1"), QStringLiteral("2")}));
        QVERIFY(doc.setSweep(QStringLiteral("clients[1].load.concurrency"), {QStringLiteral("8"), QStringLiteral("16")}));
        QCOMPARE(doc.trialCount(), 4);
        QVERIFY(doc.removeNode(QStringLiteral("clients[0]")));
        QCOMPARE(doc.recipe().sweep.axes.size(), 1);
        QCOMPARE(doc.recipe().sweep.axes[0].path, QStringLiteral("clients[0].load.concurrency"));
        QCOMPARE(doc.trialCount(), 2);
    }

    void yamlInAndOut()
    {
        RecipeDocument doc;
        doc.addServiceFromTemplate(QStringLiteral("redis"));
        const QString text = doc.yaml();
        QVERIFY2(text.contains(QStringLiteral("template: redis")), qPrintable(text));
        const int count = doc.undoStack()->count();
        QVERIFY(doc.setYaml(text)); // same recipe: no command
        QCOMPARE(doc.undoStack()->count(), count);

        QString edited = text;
        edited.replace(QStringLiteral("name: redis"), QStringLiteral("name: cache"));
        QVERIFY(doc.setYaml(edited));
        QCOMPARE(doc.recipe().services[0].name, QStringLiteral("cache"));
        QCOMPARE(doc.undoStack()->count(), count + 1);

        // Broken YAML changes nothing and reports where.
        QVERIFY(!doc.setYaml(QStringLiteral("services:\n  - name: [oops\n")));
        QCOMPARE(doc.recipe().services[0].name, QStringLiteral("cache"));
        QVERIFY(!doc.yamlDiagnostics().isEmpty());
        QVERIFY(doc.yamlDiagnostics().first().line > 0);
        QVERIFY(!doc.setYaml(QStringLiteral("services:\n  - name: x\n    kindd: redis\n")));
        QVERIFY2(fb::recipe::formatDiagnostics(doc.yamlDiagnostics()).contains(QStringLiteral("kind")),
                 qPrintable(fb::recipe::formatDiagnostics(doc.yamlDiagnostics())));
        doc.undoStack()->undo();
        QCOMPARE(doc.recipe().services[0].name, QStringLiteral("redis"));
    }

    void saveLoadDirtyAutosave()
    {
        QTemporaryDir dir;
        RecipeDocument doc;
        QSignalSpy dirty(&doc, &RecipeDocument::dirtyChanged);
        QSignalSpy autosaved(&doc, &RecipeDocument::autosaved);
        doc.addServiceFromTemplate(QStringLiteral("redis"));
        QVERIFY(doc.isDirty());
        QCOMPARE(dirty.count(), 1);

        // The autosave side file holds the unsaved edit.
        doc.flushAutosave();
        QVERIFY(autosaved.count() >= 1);
        QFile side(doc.autosavePath());
        QVERIFY2(side.open(QIODevice::ReadOnly), qPrintable(doc.autosavePath()));
        QVERIFY(doc.autosavePath().startsWith(qEnvironmentVariable("FB_STATE_DIR")));
        QCOMPARE(QString::fromUtf8(side.readAll()), doc.yaml());

        const QString path = dir.filePath(QStringLiteral("r.yaml"));
        QString error;
        QVERIFY2(doc.save(path, &error), qPrintable(error));
        QVERIFY(!doc.isDirty());
        QCOMPARE(doc.fileName(), path);

        RecipeDocument other;
        QVERIFY2(other.load(path, &error), qPrintable(error));
        QCOMPARE(other.recipe(), doc.recipe());
        QVERIFY(!other.isDirty());
        QCOMPARE(other.undoStack()->count(), 0);

        QFile bad(dir.filePath(QStringLiteral("bad.yaml")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("services: [\n");
        bad.close();
        // A file that does not load opens for repair: its path and text, an empty recipe.
        QVERIFY(!other.load(bad.fileName(), &error));
        QVERIFY2(error.contains(QStringLiteral("bad.yaml")), qPrintable(error));
        QVERIFY(other.hasBrokenText());
        QCOMPARE(other.brokenText(), QStringLiteral("services: [\n"));
        QCOMPARE(other.fileName(), QFileInfo(bad.fileName()).absoluteFilePath());
        QVERIFY(other.recipe().services.isEmpty());
        QVERIFY(!other.isDirty());
        // An unreadable file keeps the document as it was.
        QVERIFY(other.load(path, &error));
        QVERIFY(!other.load(dir.filePath(QStringLiteral("missing.yaml")), &error));
        QVERIFY(!other.hasBrokenText());
        QCOMPARE(other.fileName(), path);
        QCOMPARE(other.recipe(), doc.recipe());
    }
};

QTEST_MAIN(TestRecipeDocument)
#include "tst_recipedocument.moc"
