// Starts the main window offscreen: all panels exist as docks, the dock
// layout survives a restart, the About dialog names version and licence, and
// a screenshot is saved (the README shows it).
#include "MainWindow.h"
#include "panels/ConnectionsPanel.h"

#include "common/AppInfo.h"
#include "ssh/ConnectionProfile.h"

#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QLabel>
#include <QMessageBox>
#include <QSettings>
#include <QTest>
#include <QSet>
#include <QTimer>

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        fb::initApplication(*QCoreApplication::instance());
        QSettings().clear();
        // One saved profile, as the demo writes it.
        fb::ConnectionProfile p;
        p.name = QStringLiteral("mini-cluster");
        p.host = QStringLiteral("127.0.0.1");
        p.port = 2222;
        p.user = QStringLiteral("fbuser");
        p.description = QStringLiteral("Local mini-cluster");
        QString error;
        QVERIFY2(fb::ProfileStore().save(p, &error), qPrintable(error));
    }

    void hasAllPanels()
    {
        fb::gui::MainWindow w;
        const QStringList expected{QStringLiteral("Connections"), QStringLiteral("Recipe"), QStringLiteral("Session"), QStringLiteral("Dashboard"),
                                   QStringLiteral("Study"), QStringLiteral("Jobs"), QStringLiteral("Tunnels"), QStringLiteral("Runs"),
                                   QStringLiteral("Logs")};
        for (const QString &name : expected) {
            QDockWidget *d = w.dock(name);
            QVERIFY2(d, qPrintable(name));
            QVERIFY(d->features() & QDockWidget::DockWidgetMovable);
        }
        QCOMPARE(w.dockNames().size(), expected.size());
        QCOMPARE(w.connectionsPanel()->profileNames(), QStringList{QStringLiteral("mini-cluster")});
        QVERIFY(w.selectProfile(QStringLiteral("mini-cluster")));
        QVERIFY(!w.selectProfile(QStringLiteral("nope")));
    }

    void layoutRestoredOnRestart()
    {
        {
            fb::gui::MainWindow w;
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.dock(QStringLiteral("Logs"))->hide();
            w.resize(1000, 700);
            w.close(); // closeEvent saves the layout
        }
        fb::gui::MainWindow again;
        QVERIFY(again.restoreLayout());
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        QVERIFY(!again.dock(QStringLiteral("Logs"))->isVisible());
        QVERIFY(again.dock(QStringLiteral("Jobs"))->isVisible());
        QCOMPARE(again.size(), QSize(1000, 700));
        again.resetLayout();
        QVERIFY(again.dock(QStringLiteral("Logs"))->isVisibleTo(&again));
        QSettings().clear();
    }

    void aboutNamesVersionAndLicence()
    {
        fb::gui::MainWindow w;
        QString text;
        QTimer::singleShot(0, &w, [&] {
            auto *box = w.findChild<QMessageBox *>(QStringLiteral("AboutDialog"));
            if (box) {
                text = box->text();
                box->accept();
            }
        });
        w.showAbout();
        QVERIFY(text.contains(fb::versionString()));
        QVERIFY(text.contains(QStringLiteral("GPL-3.0-or-later")));
    }

    void screenshot()
    {
        fb::gui::MainWindow w;
        w.resize(1440, 900);
        w.selectProfile(QStringLiteral("mini-cluster"));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTest::qWait(50); // let the default dock sizes apply
        // The editor area gets most of the height, the job list less.
        QVERIFY(w.dock(QStringLiteral("Recipe"))->height() > w.dock(QStringLiteral("Jobs"))->height());
        const QString path = QStringLiteral(FB_BINARY_DIR "/screenshots/main-window-1440x900.png");
        QDir().mkpath(QStringLiteral(FB_BINARY_DIR "/screenshots"));
        const QImage shot = w.grab().toImage();
        QVERIFY(shot.save(path));
        QCOMPARE(shot.size(), QSize(1440, 900) * shot.devicePixelRatio());
        // Not a blank image: the window drew text, frames and a selection.
        QSet<QRgb> colours;
        for (int y = 0; y < shot.height(); y += 3)
            for (int x = 0; x < shot.width(); x += 3)
                colours.insert(shot.pixel(x, y));
        QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));
        qInfo("screenshot saved to %s", qPrintable(path));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
