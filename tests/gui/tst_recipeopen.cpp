// The main window around the recipe editor: a malformed recipe opened from
// File > Open Recent (or a drop) brings the Recipe dock and its YAML tab to
// the front with the text to repair; the cluster profile selected in the
// Connections panel tells the editor which tools the cluster has, so a
// profile that declares no Apptainer (as the mini-cluster's does) gets native
// services from the palette and a warning for containers.
#include "MainWindow.h"
#include "RecipeCanvas.h"
#include "RecipeDocument.h"
#include "RecipeEditor.h"
#include "panels/ConnectionsPanel.h"
#include "ssh/ConnectionProfile.h"

#include "common/AppInfo.h"

#include <QAction>
#include <QDockWidget>
#include <QFile>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QSettings>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

namespace {

// The dock in front of the tab group that holds `dock` (QMainWindow's own tab bar).
QString frontDockOf(QMainWindow &w, const QString &dock)
{
    for (QTabBar *bar : w.findChildren<QTabBar *>()) {
        if (bar->parent() != &w)
            continue;
        for (int i = 0; i < bar->count(); ++i)
            if (bar->tabText(i) == dock)
                return bar->tabText(bar->currentIndex());
    }
    return {};
}

} // namespace

class TestRecipeOpen : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        fb::initApplication(*QCoreApplication::instance());
        QSettings().clear();
        QVERIFY(m_dir.isValid());
    }

    void brokenRecipeFromOpenRecentComesToTheFront()
    {
        const QString broken = m_dir.filePath(QStringLiteral("broken.yaml"));
        const QByteArray text = "version: 1\nservices:\n  - {name: redis, template: redis\n";
        {
            QFile f(broken);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(text);
        }
        fb::gui::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        fb::editor::RecipeEditor *editor = w.recipeEditor();
        QVERIFY(!editor->openFile(broken)); // opened for repair: in the recent files too
        QVERIFY(editor->openFile(QStringLiteral(FB_SOURCE_DIR "/recipes/examples/local-redis.yaml")));
        editor->tabs()->setCurrentIndex(0);
        w.dock(QStringLiteral("Dashboard"))->raise();
        QTRY_COMPARE(frontDockOf(w, QStringLiteral("Recipe")), QStringLiteral("Dashboard"));

        auto *menu = w.menuBar()->findChild<QMenu *>(QStringLiteral("recentMenu"));
        QVERIFY(menu);
        emit menu->aboutToShow();
        QAction *entry = nullptr;
        for (QAction *a : menu->actions())
            if (a->data().toString() == broken)
                entry = a;
        QVERIFY(entry);
        entry->trigger();
        QTRY_COMPARE(frontDockOf(w, QStringLiteral("Recipe")), QStringLiteral("Recipe"));
        QCOMPARE(editor->document()->fileName(), broken);
        QCOMPARE(editor->yamlEdit()->toPlainText(), QString::fromUtf8(text));
        QCOMPARE(editor->tabs()->currentIndex(), editor->tabs()->indexOf(editor->yamlEdit()->parentWidget()));
        QCOMPARE(editor->document()->yamlDiagnostics().value(0).line, 3);
        QCOMPARE(editor->document()->yamlDiagnostics().value(0).column, 5); // the "{", not where yaml-cpp gave up
    }

    void selectedProfileToolsReachTheEditor()
    {
        fb::ConnectionProfile p;
        p.name = QStringLiteral("mini-cluster");
        p.host = QStringLiteral("127.0.0.1");
        p.user = QStringLiteral("fbuser");
        p.tools.apptainer = false;
        p.tools.modules = false;
        fb::ConnectionProfile big = p;
        big.name = QStringLiteral("big-cluster");
        big.tools = {};
        QString error;
        QVERIFY2(fb::ProfileStore().save(p, &error), qPrintable(error));
        QVERIFY2(fb::ProfileStore().save(big, &error), qPrintable(error));

        fb::gui::MainWindow w;
        fb::editor::RecipeDocument *doc = w.recipeEditor()->document();
        w.connectionsPanel()->reload();
        QVERIFY(w.selectProfile(QStringLiteral("big-cluster")));
        QVERIFY(!doc->clusterTools().lacksApptainer());
        QCOMPARE(w.recipeEditor()->canvas()->dropPayload(QStringLiteral("service:redis"), {}), QStringLiteral("services[0]"));
        QVERIFY(doc->recipe().services[0].container.isSet());

        QVERIFY(w.selectProfile(QStringLiteral("mini-cluster")));
        QVERIFY(doc->clusterTools().lacksApptainer());
        QCOMPARE(doc->clusterTools().source, QStringLiteral("mini-cluster"));
        QCOMPARE(w.recipeEditor()->canvas()->dropPayload(QStringLiteral("service:redis"), {}), QStringLiteral("services[1]"));
        QVERIFY(!doc->recipe().services[1].container.isSet());
        bool warned = false;
        for (const fb::recipe::Diagnostic &d : doc->diagnostics())
            warned = warned || (d.path == QLatin1String("services[0].container") && d.message.contains(QLatin1String("\"mini-cluster\" has no Apptainer")));
        QVERIFY(warned);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestRecipeOpen)
#include "tst_recipeopen.moc"
