// Dropping recipe files from the desktop: a .yaml dropped anywhere on the main
// window (or on the editor's canvas) opens in the editor, after the
// unsaved-changes prompt; other files are refused; palette templates still
// drop onto the canvas. The drags are synthesized QDragEnterEvent/QDropEvent
// with file URLs, as a file manager sends them.
#include "MainWindow.h"
#include "RecipeCanvas.h"
#include "RecipeDocument.h"
#include "RecipeEditor.h"

#include "common/AppInfo.h"

#include <QApplication>
#include <QDockWidget>
#include <QFile>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrl>

using fb::editor::RecipeDocument;

namespace {

std::unique_ptr<QMimeData> fileMime(const QString &path)
{
    auto mime = std::make_unique<QMimeData>();
    mime->setUrls({QUrl::fromLocalFile(path)});
    mime->setText(QUrl::fromLocalFile(path).toString()); // file managers send the URL as text too
    return mime;
}

std::unique_ptr<QMimeData> paletteMime(const QString &payload)
{
    auto mime = std::make_unique<QMimeData>();
    mime->setData(QLatin1String(fb::editor::kNodeMimeType), payload.toUtf8());
    return mime;
}

// Sends drag-enter, drag-move and drop to `target` as Qt would; returns whether
// the drag was accepted (and so the drop sent).
bool dragAndDrop(QWidget *target, const QMimeData *mime)
{
    const QPoint pos = target->rect().center();
    QDragEnterEvent enter(pos, Qt::CopyAction | Qt::MoveAction, mime, Qt::LeftButton, Qt::NoModifier);
    enter.setAccepted(false);
    QApplication::sendEvent(target, &enter);
    if (!enter.isAccepted())
        return false;
    QDragMoveEvent move(pos, Qt::CopyAction | Qt::MoveAction, mime, Qt::LeftButton, Qt::NoModifier);
    move.setAccepted(false);
    QApplication::sendEvent(target, &move);
    QDropEvent drop(QPointF(pos), Qt::CopyAction | Qt::MoveAction, mime, Qt::LeftButton, Qt::NoModifier);
    drop.setAccepted(false);
    QApplication::sendEvent(target, &drop);
    return drop.isAccepted();
}

// Answers the next message box with `button` once it shows; records its text.
void answerNextMessageBox(QMessageBox::StandardButton button, QString *text)
{
    auto *timer = new QTimer(qApp);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, button, text] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box)
            return;
        *text = box->text();
        box->button(button)->click();
        timer->deleteLater();
    });
    timer->start(20);
}

QString referenceYaml(const QString &path)
{
    RecipeDocument doc;
    QString error;
    if (!doc.load(path, &error))
        return QStringLiteral("load failed: ") + error;
    return doc.yaml();
}

} // namespace

class TestFileDrop : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        fb::initApplication(*QCoreApplication::instance());
        QSettings().clear();
        QVERIFY(m_dir.isValid());
        for (const QString &name : {QStringLiteral("redis-sweep.yaml"), QStringLiteral("local-redis.yaml")})
            QVERIFY(QFile::copy(QStringLiteral(FB_SOURCE_DIR "/recipes/examples/") + name, m_dir.filePath(name)));
        QVERIFY(QFile::copy(QStringLiteral(FB_SOURCE_DIR "/recipes/examples/local-redis.yaml"), m_dir.filePath(QStringLiteral("Upper.YML"))));
        QFile txt(m_dir.filePath(QStringLiteral("notes.txt")));
        QVERIFY(txt.open(QIODevice::WriteOnly));
        txt.write("version: 1\n"); // YAML inside, but not a recipe file name
    }

    void yamlDroppedOnWindowOpens()
    {
        fb::gui::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const QString path = m_dir.filePath(QStringLiteral("redis-sweep.yaml"));
        auto mime = fileMime(path);
        QVERIFY(dragAndDrop(&w, mime.get()));
        RecipeDocument *doc = w.recipeEditor()->document();
        QTRY_COMPARE(doc->fileName(), path); // opened from the event loop, after the drop
        QCOMPARE(doc->recipe().metadata.name, QStringLiteral("redis-sweep"));
        QVERIFY(!doc->isDirty());
        QCOMPARE(w.recipeEditor()->yamlEdit()->toPlainText(), referenceYaml(path));
        QVERIFY(w.recipeEditor()->recentFiles().contains(path));

        // Over a dock other than the editor (the Logs table): the window takes it too.
        const QString other = m_dir.filePath(QStringLiteral("local-redis.yaml"));
        auto mime2 = fileMime(other);
        QVERIFY(dragAndDrop(w.dock(QStringLiteral("Logs"))->widget(), mime2.get()));
        QTRY_COMPARE(doc->fileName(), other);
        // …and over the YAML text, which would otherwise paste the URL as text.
        auto mime3 = fileMime(path);
        QVERIFY(dragAndDrop(w.recipeEditor()->yamlEdit()->viewport(), mime3.get()));
        QTRY_COMPARE(doc->fileName(), path);
        QCOMPARE(w.recipeEditor()->yamlEdit()->toPlainText(), referenceYaml(path));
        // Suffixes in any case.
        const QString upper = m_dir.filePath(QStringLiteral("Upper.YML"));
        auto mime4 = fileMime(upper);
        QVERIFY(dragAndDrop(&w, mime4.get()));
        QTRY_COMPARE(doc->fileName(), upper);
    }

    void otherFilesRefused()
    {
        fb::gui::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        RecipeDocument *doc = w.recipeEditor()->document();
        const QString before = doc->yaml();
        auto txt = fileMime(m_dir.filePath(QStringLiteral("notes.txt")));
        QVERIFY(!dragAndDrop(&w, txt.get()));
        QVERIFY(!dragAndDrop(w.recipeEditor()->canvas()->viewport(), txt.get()));
        auto remote = std::make_unique<QMimeData>();
        remote->setUrls({QUrl(QStringLiteral("https://example.org/recipe.yaml"))}); // not a local file
        QVERIFY(!dragAndDrop(&w, remote.get()));
        QTest::qWait(50); // nothing queued either
        QVERIFY(doc->fileName().isEmpty());
        QCOMPARE(doc->yaml(), before);
        QVERIFY(!doc->isDirty());
    }

    void canvasKeepsPaletteDropsAndOpensFiles()
    {
        fb::gui::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        fb::editor::RecipeCanvas *canvas = w.recipeEditor()->canvas();
        const int nodes = canvas->nodeCount();
        auto service = paletteMime(QStringLiteral("service:redis"));
        QVERIFY(dragAndDrop(canvas->viewport(), service.get()));
        QCOMPARE(canvas->nodeCount(), nodes + 1);
        QCOMPARE(w.recipeEditor()->document()->recipe().services.size(), 1);
        // A palette payload dropped on the window outside the canvas is refused.
        QVERIFY(!dragAndDrop(&w, service.get()));
        QCOMPARE(w.recipeEditor()->document()->recipe().services.size(), 1);

        // A file on the canvas of a bare editor (no main window, so only the canvas' own handling).
        fb::editor::RecipeEditor editor;
        editor.resize(1000, 700);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        const QString path = m_dir.filePath(QStringLiteral("local-redis.yaml"));
        auto file = fileMime(path);
        QVERIFY(dragAndDrop(editor.canvas()->viewport(), file.get()));
        QTRY_COMPARE(editor.document()->fileName(), path);
        QVERIFY(editor.canvas()->nodeCount() >= 2); // redis and its client
        // And on the canvas inside the main window (edits pending: discard them).
        QString prompt;
        answerNextMessageBox(QMessageBox::Discard, &prompt);
        QVERIFY(dragAndDrop(canvas->viewport(), file.get()));
        QTRY_VERIFY(prompt.contains(QStringLiteral("unsaved")));
        QTRY_COMPARE(w.recipeEditor()->document()->fileName(), path);
        QVERIFY(!w.recipeEditor()->document()->isDirty());
    }

    void unsavedEditsPromptAndCancelKeepsThem()
    {
        fb::gui::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        fb::editor::RecipeEditor *editor = w.recipeEditor();
        const QString first = m_dir.filePath(QStringLiteral("local-redis.yaml"));
        QVERIFY(editor->openFile(first));
        QVERIFY(editor->document()->setField(QStringLiteral("clients[0].duration"), QStringLiteral("77")));
        QVERIFY(editor->document()->isDirty());
        const QString edited = editor->document()->yaml();
        QVERIFY(edited != referenceYaml(first));

        QString prompt;
        answerNextMessageBox(QMessageBox::Cancel, &prompt);
        auto mime = fileMime(m_dir.filePath(QStringLiteral("redis-sweep.yaml")));
        dragAndDrop(&w, mime.get());
        QTRY_VERIFY2(prompt.contains(QStringLiteral("unsaved changes")), qPrintable(prompt));
        QTest::qWait(50);
        QCOMPARE(editor->document()->fileName(), first);
        QVERIFY(editor->document()->isDirty());
        QCOMPARE(editor->document()->yaml(), edited);
        QCOMPARE(editor->yamlEdit()->toPlainText(), edited);

        prompt.clear();
        answerNextMessageBox(QMessageBox::Discard, &prompt);
        QVERIFY(dragAndDrop(&w, mime.get()));
        QTRY_VERIFY(!prompt.isEmpty());
        QTRY_COMPARE(editor->document()->fileName(), m_dir.filePath(QStringLiteral("redis-sweep.yaml")));
        QVERIFY(!editor->document()->isDirty());
        QCOMPARE(QFile(first).size(), QFile(QStringLiteral(FB_SOURCE_DIR "/recipes/examples/local-redis.yaml")).size()); // discarded, not saved
        QVERIFY(w.dock(QStringLiteral("Recipe"))->isVisible());
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestFileDrop)
#include "tst_filedrop.moc"
