// Recent files: File > Open Recent in the main window shows the same list as
// the editor's Open drop-down — newest first, at most eight, files that no
// longer exist left out — reopens a file from it, and "Clear recent" empties it.
#include "MainWindow.h"
#include "RecipeDocument.h"
#include "RecipeEditor.h"

#include "common/AppInfo.h"

#include <QAction>
#include <QFile>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

namespace {

// The file actions of a recent-files menu, after it has been (re)filled as on show.
QList<QAction *> recentActions(QMenu *menu)
{
    emit menu->aboutToShow();
    QList<QAction *> files;
    for (QAction *a : menu->actions())
        if (!a->data().toString().isEmpty())
            files << a;
    return files;
}

QStringList paths(const QList<QAction *> &actions)
{
    QStringList out;
    for (QAction *a : actions)
        out << a->data().toString();
    return out;
}

} // namespace

class TestRecentFiles : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        fb::initApplication(*QCoreApplication::instance());
        QSettings().clear();
        QVERIFY(m_dir.isValid());
        for (int i = 0; i < 10; ++i)
            QVERIFY(QFile::copy(QStringLiteral(FB_SOURCE_DIR "/recipes/examples/local-redis.yaml"), file(i)));
    }

    void newestFirstAndReopen()
    {
        fb::gui::MainWindow w;
        auto *menu = w.menuBar()->findChild<QMenu *>(QStringLiteral("recentMenu"));
        QVERIFY(menu);
        QVERIFY(recentActions(menu).isEmpty());

        fb::editor::RecipeEditor *editor = w.recipeEditor();
        QVERIFY(editor->openFile(file(0)));
        QVERIFY(editor->openFile(file(1)));
        QCOMPARE(paths(recentActions(menu)), (QStringList{file(1), file(0)}));
        QCOMPARE(editor->recentFiles(), (QStringList{file(1), file(0)}));
        // The editor's Open drop-down shows the same list.
        QMenu *toolbarMenu = editor->openAction()->menu();
        QVERIFY(toolbarMenu);
        QCOMPARE(paths(recentActions(toolbarMenu)), (QStringList{file(1), file(0)}));
        QVERIFY(recentActions(menu).first()->text().contains(QStringLiteral("recipe-1.yaml")));

        // Reopening from the menu loads the file and moves it to the top.
        QList<QAction *> actions = recentActions(menu);
        actions.last()->trigger();
        QCOMPARE(editor->document()->fileName(), file(0));
        QCOMPARE(paths(recentActions(menu)), (QStringList{file(0), file(1)}));
    }

    void atMostEightAndMissingLeftOut()
    {
        QSettings().clear();
        fb::gui::MainWindow w;
        auto *menu = w.menuBar()->findChild<QMenu *>(QStringLiteral("recentMenu"));
        QVERIFY(menu);
        for (int i = 0; i < 10; ++i)
            QVERIFY(w.recipeEditor()->openFile(file(i)));
        QStringList expected;
        for (int i = 9; i >= 2; --i)
            expected << file(i);
        QCOMPARE(paths(recentActions(menu)), expected);
        QCOMPARE(fb::editor::RecipeEditor::kMaxRecent, 8);

        // A deleted file drops out of the list.
        QVERIFY(QFile::remove(file(8)));
        expected.removeAll(file(8));
        QCOMPARE(paths(recentActions(menu)), expected);
        QVERIFY(QFile::copy(QStringLiteral(FB_SOURCE_DIR "/recipes/examples/local-redis.yaml"), file(8)));

        // Clear recent empties both menus.
        recentActions(menu);
        auto *clear = menu->findChild<QAction *>(QStringLiteral("clearRecent"));
        QVERIFY(clear);
        QVERIFY(clear->isEnabled());
        clear->trigger();
        QVERIFY(recentActions(menu).isEmpty());
        QVERIFY(recentActions(w.recipeEditor()->openAction()->menu()).isEmpty());
        QVERIFY(w.recipeEditor()->recentFiles().isEmpty());
    }

private:
    QString file(int i) const { return m_dir.filePath(QStringLiteral("recipe-%1.yaml").arg(i)); }
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestRecentFiles)
#include "tst_recentfiles.moc"
