// The editor on files and values that are not right yet, driven offscreen:
// - every file of data/malformed-open.txt opens for repair: its text in the
//   YAML tab (brought to the front), the first error marked at the expected
//   line:column, an empty canvas with a notice, the path kept; typing the
//   fixed text into the YAML tab brings the canvas back and Save writes it;
// - the property form says what the loader says (same message as `fbctl
//   validate`), keeps refused text marked until it is fixed, ignores the
//   mouse wheel on drop-downs without focus; the sweep box is per document;
//   Save As adds the file to the recent files;
// - the container field round-trips through a saved file, a cluster without
//   Apptainer gets a validator warning, and templates dropped there run
//   natively.
// Screenshots: <build>/screenshots/editor-repair.png, editor-container.png.
#include "PropertyForm.h"
#include "RecipeCanvas.h"
#include "RecipeDocument.h"
#include "RecipeEditor.h"
#include "recipe/RecipeLoader.h"
#include "recipe/RecipeValidator.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTimer>
#include <QWheelEvent>

using namespace fb::editor;
using fb::recipe::Diagnostic;
using fb::recipe::RecipeLoader;

namespace {

struct RepairCase
{
    QString name;
    int line = 0;
    int column = 0;
    QString broken;
    QString fixed;
};

QList<RepairCase> readCases()
{
    QList<RepairCase> cases;
    QFile f(QStringLiteral(FB_TEST_SOURCE_DIR "/data/malformed-open.txt"));
    if (!f.open(QIODevice::ReadOnly))
        return cases;
    bool inFixed = false;
    for (const QString &line : QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'))) {
        if (line.startsWith(QLatin1String("=== "))) {
            cases.append({line.mid(4).trimmed(), 0, 0, {}, {}});
            inFixed = false;
        } else if (cases.isEmpty()) {
            continue; // the header comment
        } else if (line.startsWith(QLatin1String("@ ")) && cases.last().broken.isEmpty()) {
            const QStringList lc = line.mid(2).split(QLatin1Char(':'));
            cases.last().line = lc.value(0).toInt();
            cases.last().column = lc.value(1).toInt();
        } else if (line == QLatin1String("--- fixed")) {
            inFixed = true;
        } else {
            (inFixed ? cases.last().fixed : cases.last().broken) += line + QLatin1Char('\n');
        }
    }
    return cases;
}

void screenshot(QWidget &w, const QString &name)
{
    const QString dir = QStringLiteral(FB_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    QVERIFY(w.grab().toImage().save(dir + QLatin1Char('/') + name));
}

// The extra selection of the YAML tab that marks one character, as (line, column), 1-based.
QList<QPair<int, int>> markedCharacters(QPlainTextEdit *edit)
{
    QList<QPair<int, int>> out;
    for (const QTextEdit::ExtraSelection &s : edit->extraSelections()) {
        if (!s.cursor.hasSelection())
            continue;
        const QTextBlock block = edit->document()->findBlock(s.cursor.selectionStart());
        out << qMakePair(block.blockNumber() + 1, s.cursor.selectionStart() - block.position() + 1);
    }
    return out;
}

QString loaderMessage(const QString &yaml, const QString &path)
{
    const auto r = RecipeLoader().loadText(yaml);
    for (const Diagnostic &d : r.diagnostics)
        if (d.path == path)
            return d.message;
    return {};
}

void commitLine(PropertyForm *form, const QString &field, const QString &text)
{
    auto *line = qobject_cast<QLineEdit *>(form->fieldEditor(field));
    QVERIFY(line);
    line->setFocus();
    line->selectAll();
    QTest::keyClicks(line, text);
    QTest::keyClick(line, Qt::Key_Return);
}

// Answers the next QFileDialog (the editor's Save As) with `path`.
void answerFileDialog(const QString &path)
{
    auto *timer = new QTimer;
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, path] {
        if (auto *dialog = qobject_cast<QFileDialog *>(QApplication::activeModalWidget())) {
            timer->stop();
            timer->deleteLater();
            // What a user types into the file name box (selectFile() does not take a file that does not exist yet).
            if (auto *name = dialog->findChild<QLineEdit *>(QStringLiteral("fileNameEdit")))
                name->setText(path);
            QMetaObject::invokeMethod(dialog, "accept"); // a protected slot: as the Save button does
        }
    });
    timer->start();
}

const char kRedisClient[] = "version: 1\n"
                            "services:\n"
                            "  - {name: redis, template: redis}\n"
                            "clients:\n"
                            "  - name: load\n"
                            "    service: redis\n"
                            "    workload: redis\n"
                            "    load: {concurrency: [1, 2, 4]}\n";

} // namespace

class TestEditorRepair : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // Native dialogs cannot be answered from a test; Qt's own can.
        QApplication::setAttribute(Qt::AA_DontUseNativeDialogs);
        QSettings().clear();
    }

    void opensBrokenFileForRepair_data()
    {
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("broken");
        QTest::addColumn<QString>("fixed");
        const QList<RepairCase> cases = readCases();
        QVERIFY2(cases.size() >= 8, qPrintable(QStringLiteral("only %1 cases").arg(cases.size())));
        for (const RepairCase &c : cases)
            QTest::newRow(qPrintable(c.name)) << c.line << c.column << c.broken << c.fixed;
    }
    void opensBrokenFileForRepair()
    {
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QString, broken);
        QFETCH(QString, fixed);
        const QString path = m_dir.filePath(QStringLiteral("%1.yaml").arg(QString::fromLatin1(QTest::currentDataTag())));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(broken.toUtf8());
        }
        RecipeEditor e;
        e.resize(1600, 900);
        e.show();
        QVERIFY(QTest::qWaitForWindowExposed(&e));
        // Something valid first, on the canvas tab: the broken file must replace it.
        QVERIFY(e.openFile(QStringLiteral(FB_SOURCE_DIR "/recipes/examples/local-redis.yaml")));
        e.tabs()->setCurrentIndex(0);
        QVERIFY(e.canvas()->nodeCount() > 0);
        QSignalSpy opened(&e, &RecipeEditor::fileOpened);

        QVERIFY(!e.openFile(path));
        QCOMPARE(opened.count(), 1);
        QCOMPARE(opened.first().at(1).toBool(), false);
        QCOMPARE(e.document()->fileName(), QFileInfo(path).absoluteFilePath());
        QVERIFY(e.document()->hasBrokenText());
        QVERIFY(!e.document()->isDirty());
        // The text, in the YAML tab, in front.
        QCOMPARE(e.yamlEdit()->toPlainText(), broken);
        QCOMPARE(e.tabs()->currentIndex(), e.tabs()->indexOf(e.yamlEdit()->parentWidget()));
        // The first error at the expected place, in the diagnostics and marked in the text.
        const QList<Diagnostic> errors = e.document()->yamlDiagnostics();
        QVERIFY(!errors.isEmpty());
        QVERIFY2(errors.first().line == line && errors.first().column == column,
                 qPrintable(QStringLiteral("expected %1:%2, got %3").arg(line).arg(column).arg(errors.first().toString())));
        QVERIFY(markedCharacters(e.yamlEdit()).contains(qMakePair(line, column)));
        QCOMPARE(e.yamlEdit()->textCursor().blockNumber() + 1, line);
        QVERIFY(e.diagnosticsList()->count() > 0);
        QVERIFY(e.diagnosticsList()->item(0)->text().contains(QStringLiteral(":%1:%2").arg(line).arg(column)));
        // An empty canvas with the notice; the other views take no edits meanwhile.
        QCOMPARE(e.canvas()->nodeCount(), 0);
        QVERIFY(e.canvas()->message().contains(QStringLiteral("line %1, column %2").arg(line).arg(column)));
        QVERIFY(!e.form()->isEnabled());
        QVERIFY(!e.palette()->isEnabled());
        const bool pictured = QByteArray(QTest::currentDataTag()) == "unclosed-brace-line-7";
        if (pictured) {
            screenshot(e, QStringLiteral("editor-repair.png"));
            e.tabs()->setCurrentIndex(0);
            screenshot(e, QStringLiteral("editor-repair-canvas.png"));
            e.tabs()->setCurrentIndex(1);
        }

        // Repair it in the YAML tab, as typed: the canvas comes back.
        e.yamlEdit()->setFocus();
        e.yamlEdit()->selectAll();
        e.yamlEdit()->insertPlainText(fixed);
        QTRY_VERIFY(!e.document()->hasBrokenText());
        QVERIFY(e.document()->yamlDiagnostics().isEmpty());
        QVERIFY(e.canvas()->nodeCount() > 0);
        QVERIFY(e.canvas()->message().isEmpty());
        QVERIFY(e.form()->isEnabled());
        QVERIFY(markedCharacters(e.yamlEdit()).isEmpty());
        QVERIFY(e.document()->isDirty());
        if (pictured) {
            e.tabs()->setCurrentIndex(0);
            screenshot(e, QStringLiteral("editor-repaired.png"));
        }

        // Save writes the repaired recipe to the file that was opened.
        e.saveAction()->trigger();
        QVERIFY(!e.document()->isDirty());
        const auto reread = RecipeLoader().loadFile(path);
        QVERIFY2(reread.ok(), qPrintable(fb::recipe::formatDiagnostics(reread.diagnostics)));
        QCOMPARE(reread.recipe, e.document()->recipe());
        if (fixed.contains(QLatin1String("\n  name: "))) { // named: nothing to rename, the file is the typed text
            QFile saved(path);
            QVERIFY(saved.open(QIODevice::ReadOnly));
            QCOMPARE(QString::fromUtf8(saved.readAll()), fixed);
        }
        QCOMPARE(e.recentFiles().first(), QFileInfo(path).absoluteFilePath());
    }

    // Saving while the text still does not load writes the text as it is.
    void savesBrokenTextAsTyped()
    {
        const QString path = m_dir.filePath(QStringLiteral("half-fixed.yaml"));
        QFile::remove(path);
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("version: 1\nmetadata: {name: a\n");
        }
        RecipeEditor e;
        QVERIFY(!e.openFile(path));
        const QString typed = QStringLiteral("version: 1\nmetadata: {name: ab\n# still open\n");
        e.yamlEdit()->setPlainText(typed);
        QTRY_COMPARE(e.document()->brokenText(), typed);
        QVERIFY(e.document()->isDirty());
        e.saveAction()->trigger();
        QVERIFY(!e.document()->isDirty());
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(f.readAll()), typed);
    }

    void formSaysWhatTheLoaderSays()
    {
        RecipeEditor e;
        e.resize(1600, 900);
        e.show();
        QVERIFY(QTest::qWaitForWindowExposed(&e));
        QVERIFY(e.document()->setYaml(QString::fromLatin1(kRedisClient)));
        e.canvas()->selectNode(QStringLiteral("clients[0]"));
        PropertyForm *form = e.form();
        QCOMPARE(form->node(), QStringLiteral("clients[0]"));

        const QString before = e.document()->fieldValue(QStringLiteral("clients[0].warmup"));
        commitLine(form, QStringLiteral("warmup"), QStringLiteral("abc"));
        const QString expected = loaderMessage(QStringLiteral("version: 1\nclients:\n  - name: x\n    warmup: abc\n"),
                                               QStringLiteral("clients[0].warmup"));
        QCOMPARE(expected, QStringLiteral("expected a duration such as \"30s\", got \"abc\""));
        QCOMPARE(form->fieldMessage(QStringLiteral("warmup")), expected);
        QCOMPARE(e.document()->fieldValue(QStringLiteral("clients[0].warmup")), before); // refused: nothing changed

        // The typed text stays, marked, also when the document changes meanwhile and focus moves on.
        auto *warmup = qobject_cast<QLineEdit *>(form->fieldEditor(QStringLiteral("warmup")));
        QCOMPARE(warmup->text(), QStringLiteral("abc"));
        QVERIFY(warmup->property("invalid").toBool());
        QCOMPARE(form->refusedText(QStringLiteral("warmup")), QStringLiteral("abc"));
        form->fieldEditor(QStringLiteral("name"))->setFocus();
        QVERIFY(e.document()->setField(QStringLiteral("clients[0].threads"), QStringLiteral("3")));
        QCOMPARE(warmup->text(), QStringLiteral("abc"));
        QVERIFY(warmup->property("invalid").toBool());

        // A range: the loader's bounds and words.
        commitLine(form, QStringLiteral("threads"), QStringLiteral("0"));
        QCOMPARE(form->fieldMessage(QStringLiteral("threads")),
                 loaderMessage(QStringLiteral("version: 1\nclients:\n  - name: x\n    threads: 0\n"), QStringLiteral("clients[0].threads")));
        QVERIFY(form->fieldMessage(QStringLiteral("threads")).startsWith(QStringLiteral("must be between 1 and")));
        QString why;
        QVERIFY(!e.document()->setField(QStringLiteral("clients[0].resources.memory"), QStringLiteral("lots"), &why));
        QCOMPARE(why, loaderMessage(QStringLiteral("version: 1\nclients:\n  - name: x\n    resources: {memory: lots}\n"),
                                    QStringLiteral("clients[0].resources.memory")));

        // Fixed: the mark and message go, the value is taken.
        commitLine(form, QStringLiteral("warmup"), QStringLiteral("5s"));
        QCOMPARE(e.document()->fieldValue(QStringLiteral("clients[0].warmup")), QStringLiteral("5s"));
        QVERIFY(!warmup->property("invalid").toBool());
        QVERIFY(form->fieldMessage(QStringLiteral("warmup")).isEmpty());
        QVERIFY(form->refusedText(QStringLiteral("warmup")).isEmpty());

        // A sweep list names the value the field cannot take, in the same words.
        QVERIFY(!form->applySweep(QStringLiteral("load.concurrency"), QStringLiteral("1, 2, lots")));
        QCOMPARE(form->fieldMessage(QStringLiteral("load.concurrency")).section(QLatin1Char('\n'), 0, 0),
                 QStringLiteral("cannot sweep load.concurrency: expected an integer, got \"lots\""));
    }

    void wheelChangesOnlyFocusedDropDowns()
    {
        RecipeEditor e;
        e.resize(1200, 500); // short: the form scrolls
        e.show();
        QVERIFY(QTest::qWaitForWindowExposed(&e));
        QVERIFY(e.document()->setYaml(QString::fromLatin1(kRedisClient)));
        e.canvas()->selectNode(QStringLiteral("clients[0]"));
        auto *model = qobject_cast<QComboBox *>(e.form()->fieldEditor(QStringLiteral("load.model")));
        QVERIFY(model);
        QCOMPARE(model->focusPolicy(), Qt::StrongFocus);
        const QString before = model->currentText();
        auto wheel = [model] {
            const QPointF pos(model->width() / 2.0, model->height() / 2.0);
            QWheelEvent ev(pos, model->mapToGlobal(pos), QPoint(), QPoint(0, -120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
            QApplication::sendEvent(model, &ev);
            return ev.isAccepted();
        };
        e.canvas()->setFocus();
        QVERIFY(!model->hasFocus());
        QVERIFY(!wheel()); // left to the scroll area behind
        QCOMPARE(model->currentText(), before);
        QCOMPARE(e.document()->fieldValue(QStringLiteral("clients[0].load.model")), before);
        // With focus the wheel is the combo's own (so the check above can fail).
        model->setFocus();
        QTRY_VERIFY(model->hasFocus());
        wheel();
        QVERIFY(model->currentText() != before);
    }

    void sweepBoxBelongsToTheDocument()
    {
        const QString a = m_dir.filePath(QStringLiteral("sweep-a.yaml"));
        const QString b = m_dir.filePath(QStringLiteral("sweep-b.yaml"));
        for (const auto &[path, text] : {std::pair{a, QString::fromLatin1(kRedisClient)},
                                         std::pair{b, QString::fromLatin1(kRedisClient).replace(QStringLiteral("[1, 2, 4]"), QStringLiteral("8"))}}) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(text.toUtf8());
        }
        RecipeEditor e;
        QVERIFY(e.openFile(a));
        e.canvas()->selectNode(QStringLiteral("clients[0]"));
        QComboBox *field = e.form()->sweepFieldBox();
        QLineEdit *values = e.form()->sweepValuesBox();
        field->setCurrentText(QStringLiteral("load.concurrency"));
        QCOMPARE(values->text(), QStringLiteral("1, 2, 4"));
        values->setText(QStringLiteral("16, 32")); // typed, never set

        QVERIFY(e.openFile(b));
        QVERIFY(e.form()->node().isEmpty());
        QVERIFY(values->text().isEmpty());
        e.canvas()->selectNode(QStringLiteral("clients[0]"));
        field->setCurrentText(QStringLiteral("load.concurrency"));
        QVERIFY(values->text().isEmpty()); // b sweeps nothing

        QVERIFY(e.openFile(a));
        e.canvas()->selectNode(QStringLiteral("clients[0]"));
        field->setCurrentText(QStringLiteral("threads"));
        field->setCurrentText(QStringLiteral("load.concurrency"));
        QCOMPARE(values->text(), QStringLiteral("1, 2, 4"));
        e.newAction()->trigger();
        QVERIFY(values->text().isEmpty());
    }

    void saveAsAddsToRecentFiles()
    {
        QSettings().clear();
        RecipeEditor e;
        QVERIFY(e.document()->setYaml(QString::fromLatin1(kRedisClient)));
        const QString path = m_dir.filePath(QStringLiteral("saved-as.yaml"));
        QFile::remove(path);
        answerFileDialog(path);
        e.saveAsAction()->trigger();
        QTRY_VERIFY(QFile::exists(path));
        QCOMPARE(e.document()->fileName(), path);
        QCOMPARE(e.recentFiles().value(0), path);
        // The Open drop-down lists it.
        QMenu *menu = e.openAction()->menu();
        emit menu->aboutToShow();
        QStringList listed;
        for (QAction *a : menu->actions())
            if (!a->data().toString().isEmpty())
                listed << a->data().toString();
        QCOMPARE(listed.value(0), path);

        // A name typed without the extension gets ".yaml".
        answerFileDialog(m_dir.filePath(QStringLiteral("no-suffix")));
        e.saveAsAction()->trigger();
        QTRY_COMPARE(e.document()->fileName(), m_dir.filePath(QStringLiteral("no-suffix.yaml")));
        QCOMPARE(e.recentFiles().value(0), m_dir.filePath(QStringLiteral("no-suffix.yaml")));
    }

    void containerFieldRoundTrip()
    {
        RecipeEditor e;
        e.resize(1600, 1000);
        e.show();
        QVERIFY(QTest::qWaitForWindowExposed(&e));
        QCOMPARE(e.canvas()->dropPayload(QStringLiteral("service:redis"), {}), QStringLiteral("services[0]"));
        e.canvas()->selectNode(QStringLiteral("services[0]"));
        PropertyForm *form = e.form();
        auto *container = qobject_cast<QComboBox *>(form->fieldEditor(QStringLiteral("container")));
        QVERIFY(container);
        QCOMPARE(container->currentText(), QStringLiteral("apptainer")); // the template's image
        QVERIFY(form->fieldEditor(QStringLiteral("container.source"))->isEnabled());

        commitLine(form, QStringLiteral("container.source"), QStringLiteral("docker://redis:7.2"));
        commitLine(form, QStringLiteral("container.sif"), QStringLiteral("$HOME/images/redis-7.2.sif"));
        commitLine(form, QStringLiteral("container.binds"), QStringLiteral("/scratch:/data, /etc/hosts:/etc/hosts:ro"));
        auto *nv = qobject_cast<QComboBox *>(form->fieldEditor(QStringLiteral("container.nv")));
        QVERIFY(nv);
        nv->setCurrentText(QStringLiteral("true"));
        emit nv->activated(nv->currentIndex());
        screenshot(e, QStringLiteral("editor-container.png"));

        const QString path = m_dir.filePath(QStringLiteral("container.yaml"));
        QVERIFY(e.saveFile(path));
        auto reread = RecipeLoader().loadFile(path);
        QVERIFY(reread.ok());
        fb::recipe::Container c = reread.recipe.services.value(0).container;
        QCOMPARE(c.source, QStringLiteral("docker://redis:7.2"));
        QCOMPARE(c.sif, QStringLiteral("$HOME/images/redis-7.2.sif"));
        QCOMPARE(c.binds, (QStringList{QStringLiteral("/scratch:/data"), QStringLiteral("/etc/hosts:/etc/hosts:ro")}));
        QVERIFY(c.nv);
        QVERIFY(e.openFile(path));
        e.canvas()->selectNode(QStringLiteral("services[0]"));
        QCOMPARE(qobject_cast<QLineEdit *>(form->fieldEditor(QStringLiteral("container.binds")))->text(),
                 QStringLiteral("/scratch:/data, /etc/hosts:/etc/hosts:ro"));

        // None: native, written as `container: none` over the template's image, and read back so.
        container = qobject_cast<QComboBox *>(form->fieldEditor(QStringLiteral("container")));
        container->setCurrentText(QStringLiteral("none"));
        emit container->activated(container->currentIndex());
        QVERIFY(!e.document()->recipe().services[0].container.isSet());
        QVERIFY(!form->fieldEditor(QStringLiteral("container.source"))->isEnabled());
        QVERIFY(e.saveFile(path));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("container: none"));
        reread = RecipeLoader().loadFile(path);
        QVERIFY(reread.ok());
        QVERIFY(!reread.recipe.services[0].container.isSet());

        // Back to Apptainer: the template's image returns.
        container->setCurrentText(QStringLiteral("apptainer"));
        emit container->activated(container->currentIndex());
        QCOMPARE(e.document()->recipe().services[0].container.source, QStringLiteral("docker://redis:7.4"));
    }

    void warnsWhenTheClusterLacksATool()
    {
        const auto loaded = RecipeLoader().loadText(QStringLiteral("version: 1\ncluster:\n  modules: [Redis]\nservices:\n  - {name: redis, template: redis}\n"));
        QVERIFY(loaded.ok());
        auto warningsAt = [&](const fb::ClusterTools &tools, const QString &path) {
            fb::recipe::RecipeValidator v;
            v.tools = tools;
            QStringList out;
            for (const Diagnostic &d : v.validate(loaded.recipe))
                if (d.path == path && d.severity == Diagnostic::Warning)
                    out << d.message;
            return out;
        };
        QVERIFY(warningsAt({}, QStringLiteral("services[0].container")).isEmpty()); // not declared: nothing assumed
        QVERIFY(warningsAt({true, true, QStringLiteral("big")}, QStringLiteral("services[0].container")).isEmpty());
        const QStringList w = warningsAt({false, false, QStringLiteral("mini-cluster")}, QStringLiteral("services[0].container"));
        QCOMPARE(w.size(), 1);
        QVERIFY2(w.first().contains(QStringLiteral("cluster \"mini-cluster\" has no Apptainer")), qPrintable(w.first()));
        QVERIFY(w.first().contains(QStringLiteral("container: none")));
        QCOMPARE(warningsAt({false, false, QStringLiteral("mini-cluster")}, QStringLiteral("cluster.modules")).size(), 1);

        // In the editor: the selected cluster's tools.
        RecipeDocument doc;
        QVERIFY(doc.setYaml(QStringLiteral("version: 1\nservices:\n  - {name: redis, template: redis}\n")));
        auto containerWarnings = [&doc] {
            int n = 0;
            for (const Diagnostic &d : doc.diagnostics())
                n += d.path == QLatin1String("services[0].container") && d.message.contains(QLatin1String("no Apptainer"));
            return n;
        };
        QCOMPARE(containerWarnings(), 0);
        doc.setClusterTools({false, false, QStringLiteral("mini-cluster")});
        QCOMPARE(containerWarnings(), 1);
        QVERIFY(doc.setField(QStringLiteral("services[0].container"), QStringLiteral("none")));
        QCOMPARE(containerWarnings(), 0);
    }

    void droppedTemplateRunsNativelyWithoutApptainer()
    {
        RecipeEditor e;
        e.resize(1600, 900);
        e.show();
        QVERIFY(QTest::qWaitForWindowExposed(&e));
        QCOMPARE(e.canvas()->dropPayload(QStringLiteral("service:redis"), {}), QStringLiteral("services[0]"));
        QVERIFY(e.document()->recipe().services[0].container.isSet()); // tools unknown: the template as written
        e.document()->setClusterTools({false, std::nullopt, QStringLiteral("mini-cluster")});
        QCOMPARE(e.canvas()->dropPayload(QStringLiteral("service:redis"), {}), QStringLiteral("services[1]"));
        QVERIFY(!e.document()->recipe().services[1].container.isSet());
        QCOMPARE(e.document()->fieldValue(QStringLiteral("services[1].container")), QStringLiteral("none"));
        QVERIFY(!e.document()->recipe().services[1].command.isEmpty()); // the native command from the template
        bool warned = false;
        for (const Diagnostic &d : e.document()->diagnostics())
            warned = warned || d.path.startsWith(QLatin1String("services[1].container"));
        QVERIFY(!warned);
        // The service dropped before the cluster was known keeps its image, and is told why it may fail.
        e.canvas()->selectNode(QStringLiteral("services[0]"));
        QVERIFY(e.form()->fieldMessage(QStringLiteral("container")).contains(QStringLiteral("has no Apptainer")));
        QVERIFY(e.form()->fieldMessage(QStringLiteral("container.source")).isEmpty());
        screenshot(e, QStringLiteral("editor-container-warning.png"));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestEditorRepair)
#include "tst_editorrepair.moc"
