// RecipeEditor driven offscreen the way a user does it: drag a Redis template
// and an fbload client from the palette onto the canvas (real drag-and-drop
// events on the viewport), connect them by dragging between the nodes, type
// into the property form, set a sweep, undo and redo, save — the file must
// equal tests/editor/golden/redis-fbload.yaml — then edit the YAML tab and
// watch the canvas follow. Screenshots at 1920×1080 go to
// <build>/screenshots/editor-*.png (copied to docs/screenshots by hand).
//
// FB_UPDATE_GOLDEN=1 rewrites the golden file instead of comparing.
#include "PropertyForm.h"
#include "RecipeCanvas.h"
#include "RecipeDocument.h"
#include "RecipeEditor.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>
#include <QUrl>

using namespace fb::editor;

namespace {

QMimeData *paletteMime(RecipeEditor &e, const QString &payload)
{
    QListWidget *palette = e.palette();
    for (int i = 0; i < palette->count(); ++i) {
        QListWidgetItem *item = palette->item(i);
        if (item->data(Qt::UserRole + 1).toString() == payload)
            return palette->model()->mimeData({palette->model()->index(i, 0)}); // what a real drag carries
    }
    return nullptr;
}

// The event sequence a drag from the palette produces on the canvas.
bool dropOnCanvas(RecipeEditor &e, const QString &payload, QPoint viewPos)
{
    std::unique_ptr<QMimeData> mime(paletteMime(e, payload));
    if (!mime)
        return false;
    QWidget *vp = e.canvas()->viewport();
    QDragEnterEvent enter(viewPos, Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(vp, &enter);
    if (!enter.isAccepted())
        return false;
    QDragMoveEvent move(viewPos, Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(vp, &move);
    QDropEvent drop(QPointF(viewPos), Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(vp, &drop);
    return drop.isAccepted();
}

void mouse(QWidget *w, QEvent::Type type, QPoint pos, Qt::MouseButtons buttons)
{
    QMouseEvent ev(type, QPointF(pos), w->mapToGlobal(QPointF(pos)), Qt::LeftButton, buttons, Qt::NoModifier);
    QApplication::sendEvent(w, &ev);
}

QString readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

void screenshot(QWidget &w, const QString &name)
{
    const QString dir = QStringLiteral(FB_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    QApplication::processEvents();
    QVERIFY(w.grab().toImage().save(dir + QLatin1Char('/') + name));
}

} // namespace

class TestRecipeEditor : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        // QSettings (recent files) into the test's private config folder.
        qputenv("XDG_CONFIG_HOME", qgetenv("FB_CONFIG_DIR"));
    }

    void dragConnectSweepUndoSaveGolden()
    {
        RecipeEditor e;
        e.resize(1920, 1080);
        e.show();
        QVERIFY(QTest::qWaitForWindowExposed(&e));
        RecipeCanvas *canvas = e.canvas();
        QCOMPARE(canvas->nodeCount(), 0);

        // 1. Drag Redis and an fbload client onto empty canvas space.
        QVERIFY(dropOnCanvas(e, QStringLiteral("service:redis"), QPoint(600, 300)));
        QCOMPARE(canvas->nodeCount(), 1);
        QVERIFY(dropOnCanvas(e, QStringLiteral("client"), QPoint(900, 700)));
        QCOMPARE(canvas->nodeCount(), 2);
        QCOMPARE(canvas->edgeCount(), 0);
        QCOMPARE(e.document()->recipe().clients[0].service, QString());

        // 2. Connect: press on the client, drag, release on the service.
        QWidget *vp = canvas->viewport();
        const QPoint from = canvas->mapFromScene(canvas->nodeCenter(QStringLiteral("clients[0]")));
        const QPoint to = canvas->mapFromScene(canvas->nodeCenter(QStringLiteral("services[0]")));
        mouse(vp, QEvent::MouseButtonPress, from, Qt::LeftButton);
        mouse(vp, QEvent::MouseMove, (from + to) / 2, Qt::LeftButton);
        mouse(vp, QEvent::MouseMove, to, Qt::LeftButton);
        mouse(vp, QEvent::MouseButtonRelease, to, Qt::NoButton);
        QCOMPARE(e.document()->recipe().clients[0].service, QStringLiteral("redis"));
        QCOMPARE(e.document()->recipe().clients[0].workload, QStringLiteral("redis"));
        QCOMPARE(canvas->edgeCount(), 1);

        // 3. Type into the property form of the selected client.
        canvas->selectNode(QStringLiteral("clients[0]"));
        QCOMPARE(e.form()->node(), QStringLiteral("clients[0]"));
        auto *name = qobject_cast<QLineEdit *>(e.form()->fieldEditor(QStringLiteral("name")));
        QVERIFY(name);
        name->setFocus();
        name->selectAll();
        QTest::keyClicks(name, QStringLiteral("kv"));
        QTest::keyClick(name, Qt::Key_Return);
        QCOMPARE(e.document()->recipe().clients[0].name, QStringLiteral("kv"));
        auto *duration = qobject_cast<QLineEdit *>(e.form()->fieldEditor(QStringLiteral("duration")));
        duration->setFocus();
        duration->selectAll();
        QTest::keyClicks(duration, QStringLiteral("3s"));
        QTest::keyClick(duration, Qt::Key_Return);
        QCOMPARE(e.document()->recipe().clients[0].duration.value_or(0), 3.0);
        // A value the field cannot take: refused inline, nothing changes.
        auto *threads = qobject_cast<QLineEdit *>(e.form()->fieldEditor(QStringLiteral("threads")));
        threads->setFocus();
        threads->selectAll();
        QTest::keyClicks(threads, QStringLiteral("zero"));
        QTest::keyClick(threads, Qt::Key_Return);
        QCOMPARE(e.document()->recipe().clients[0].threads, 1);
        QVERIFY(!e.form()->fieldMessage(QStringLiteral("threads")).isEmpty());

        // 4. Sweep concurrency 1, 2, 4.
        QVERIFY(e.form()->applySweep(QStringLiteral("load.concurrency"), QStringLiteral("1, 2, 4")));
        QCOMPARE(e.document()->trialCount(), 3);
        QVERIFY2(e.form()->summary().startsWith(QStringLiteral("3 trial")), qPrintable(e.form()->summary()));
        QVERIFY(!e.form()->applySweep(QStringLiteral("load.concurrency"), QStringLiteral("1, lots")));
        QCOMPARE(e.document()->trialCount(), 3);

        // 5. Undo everything, redo everything: same recipe, same canvas.
        QString yaml = e.document()->yaml();
        QCOMPARE(e.yamlEdit()->toPlainText(), yaml); // the YAML tab follows the canvas and the form
        const int commands = e.document()->undoStack()->count();
        QCOMPARE(commands, 6); // redis, client, connect, name, duration, sweep
        for (int i = 0; i < commands; ++i)
            e.undoAction()->trigger();
        QCOMPARE(canvas->nodeCount(), 0);
        QVERIFY(!e.document()->isDirty());
        for (int i = 0; i < commands; ++i)
            e.redoAction()->trigger();
        QCOMPARE(canvas->nodeCount(), 2);
        QCOMPARE(canvas->edgeCount(), 1);
        QCOMPARE(e.document()->yaml(), yaml);
        QCOMPARE(e.yamlEdit()->toPlainText(), yaml);

        // 6. Save; the file equals the golden one.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("redis-fbload.yaml"));
        QVERIFY(e.saveFile(path));
        QVERIFY(!e.document()->isDirty());
        QCOMPARE(e.recentFiles().value(0), path);
        const QString golden = QStringLiteral(FB_TEST_SOURCE_DIR "/golden/redis-fbload.yaml");
        if (qEnvironmentVariableIsSet("FB_UPDATE_GOLDEN")) {
            QFile::remove(golden);
            QVERIFY(QFile::copy(path, golden));
        }
        QCOMPARE(readFile(path), readFile(golden));
        QVERIFY(!readFile(golden).isEmpty());
        // Save As named the recipe after the file (metadata.name was "untitled"): that is the state now.
        QCOMPARE(e.document()->recipe().metadata.name, QStringLiteral("redis-fbload"));
        yaml = readFile(path);

        canvas->selectNode(QStringLiteral("clients[0]"));
        screenshot(e, QStringLiteral("editor-canvas.png"));

        // 7. Edit the YAML tab: a second client appears on the canvas after the debounce.
        e.tabs()->setCurrentIndex(1);
        QString text = e.yamlEdit()->toPlainText();
        text += QStringLiteral("  - name: kv2\n    service: redis\n    workload: redis\n");
        QVERIFY2(text.contains(QStringLiteral("clients:\n  - name: kv\n")), qPrintable(text));
        e.yamlEdit()->setPlainText(text);
        QTRY_COMPARE(canvas->nodeCount(), 3);
        QCOMPARE(e.document()->recipe().clients[1].name, QStringLiteral("kv2"));
        QCOMPARE(e.yamlEdit()->toPlainText(), text); // the user's text is left as typed
        QVERIFY(e.document()->isDirty());

        // Broken YAML: reported with its position, the canvas keeps the last good recipe.
        e.yamlEdit()->setPlainText(text + QStringLiteral("    threads: [oops\n"));
        QTRY_VERIFY(!e.document()->yamlDiagnostics().isEmpty());
        QCOMPARE(canvas->nodeCount(), 3);
        QVERIFY(e.diagnosticsList()->count() > 0);
        QVERIFY2(e.diagnosticsList()->item(0)->text().contains(QStringLiteral("redis-fbload.yaml:")),
                 qPrintable(e.diagnosticsList()->item(0)->text()));
        screenshot(e, QStringLiteral("editor-yaml.png"));

        // Undo from the toolbar undoes the YAML edit as one command.
        e.undoAction()->trigger();
        QCOMPARE(canvas->nodeCount(), 2);
        QCOMPARE(e.yamlEdit()->toPlainText(), yaml);
    }

    void inlineValidation()
    {
        RecipeEditor e;
        e.resize(1920, 1080);
        e.show();
        e.canvas()->dropPayload(QStringLiteral("service:redis"), {});
        // Dropping a client onto the service node connects it at once.
        QVERIFY(dropOnCanvas(e, QStringLiteral("client"), e.canvas()->mapFromScene(e.canvas()->nodeCenter(QStringLiteral("services[0]")))));
        QCOMPARE(e.document()->recipe().clients.value(0).service, QStringLiteral("redis"));
        e.canvas()->selectNode(QStringLiteral("services[0]"));
        QCOMPARE(e.form()->node(), QStringLiteral("services[0]"));
        QVERIFY(e.form()->fieldMessage(QStringLiteral("command")).isEmpty());
        auto *command = qobject_cast<QLineEdit *>(e.form()->fieldEditor(QStringLiteral("command")));
        command->setFocus();
        command->selectAll();
        QTest::keyClick(command, Qt::Key_Delete);
        QTest::keyClick(command, Qt::Key_Return);
        QVERIFY(e.document()->recipe().services[0].command.isEmpty());
        // The validator's own message, under the field it concerns.
        QVERIFY2(e.form()->fieldMessage(QStringLiteral("command")).contains(QStringLiteral("needs a command")),
                 qPrintable(e.form()->fieldMessage(QStringLiteral("command"))));
        // Delete key on the canvas removes the selected node.
        e.canvas()->selectNode(QStringLiteral("clients[0]"));
        QTest::keyClick(e.canvas(), Qt::Key_Delete);
        QCOMPARE(e.canvas()->nodeCount(), 1);
    }

    void dropYamlFileOpensIt()
    {
        RecipeEditor e;
        e.resize(1280, 800);
        e.show();
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(QStringLiteral(FB_SOURCE_DIR "/recipes/examples/local-redis.yaml"))});
        QWidget *vp = e.canvas()->viewport();
        const QPoint at(200, 200);
        QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(vp, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(vp, &drop);
        QCOMPARE(e.document()->recipe().metadata.name, QStringLiteral("local-redis"));
        QVERIFY(e.document()->fileName().endsWith(QStringLiteral("local-redis.yaml")));
        QCOMPARE(e.recentFiles().value(0), e.document()->fileName());
        // Text that is not a recipe file is refused at the door.
        QMimeData text;
        text.setText(QStringLiteral("hello"));
        QDragEnterEvent refused(at, Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(vp, &refused);
        QVERIFY(!refused.isAccepted());
    }

    // Also run by tst_recipeeditor_200 with QT_SCALE_FACTOR=2: 1920×1080 device pixels at 200 %.
    void openExampleScreenshot()
    {
        const double scale = qEnvironmentVariableIsSet("QT_SCALE_FACTOR") ? qgetenv("QT_SCALE_FACTOR").toDouble() : 1.0;
        RecipeEditor e;
        e.resize(int(1920 / scale), int(1080 / scale));
        e.show();
        QVERIFY(QTest::qWaitForWindowExposed(&e));
        QVERIFY(e.openFile(QStringLiteral(FB_SOURCE_DIR "/recipes/examples/local-redis.yaml")));
        QVERIFY(!e.document()->isDirty());
        QCOMPARE(e.canvas()->nodeCount(), 3); // redis, kv, monitor
        QCOMPARE(e.canvas()->edgeCount(), 2); // kv → redis, monitor → redis
        e.canvas()->selectNode(QStringLiteral("clients[0]"));
        QCOMPARE(e.form()->summary().left(8), QStringLiteral("3 trials"));
        screenshot(e, scale > 1 ? QStringLiteral("editor-local-redis-200.png") : QStringLiteral("editor-local-redis.png"));
    }
};

QTEST_MAIN(TestRecipeEditor)
#include "tst_recipeeditor.moc"
