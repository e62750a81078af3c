// RunsPanel reads the run store off the GUI thread and lists runs with their trials.
#include "common/Paths.h"
#include "panels/RunsPanel.h"
#include "session/RunStore.h"

#include <QDir>
#include <QSignalSpy>
#include <QTest>
#include <QTreeWidget>

class TestRunsPanel : public QObject
{
    Q_OBJECT
private slots:
    void listsRunsWithTrials()
    {
        QDir(fb::Paths::stateDir()).removeRecursively();
        QDir().mkpath(fb::Paths::stateDir());
        {
            fb::session::RunStore store;
            QString error;
            QVERIFY2(store.open(fb::Paths::runStorePath(), &error), qPrintable(error));
            fb::session::RunRecord run;
            run.id = QStringLiteral("20261123-100000-local-redis-abcd");
            run.name = QStringLiteral("local-redis");
            run.profile = QStringLiteral("mini-cluster");
            run.state = QStringLiteral("completed");
            run.createdAt = QDateTime::currentDateTimeUtc();
            QVERIFY2(store.saveRun(run, &error), qPrintable(error));
            for (int i = 1; i <= 3; ++i) {
                fb::session::TrialRecord t;
                t.runId = run.id;
                t.trialId = QStringLiteral("t00%1").arg(i);
                t.index = i;
                t.state = i == 3 ? QStringLiteral("failed") : QStringLiteral("completed");
                t.params.insert(QStringLiteral("clients[0].load.concurrency"), QString::number(1 << (i - 1)));
                QVERIFY2(store.saveTrial(t, &error), qPrintable(error));
            }
            fb::session::ResultFileRecord f{run.id, QStringLiteral("t001"), QStringLiteral("/r/t001/result-kv.json"),
                                            QStringLiteral("/l/result-kv.json"), QStringLiteral("ab"), 10, QDateTime::currentDateTimeUtc()};
            QVERIFY2(store.saveResultFile(f, &error), qPrintable(error));
        }
        fb::gui::RunsPanel panel;
        QSignalSpy spy(&panel, &fb::gui::RunsPanel::reloaded);
        QVERIFY(spy.wait(10000));
        QCOMPARE(panel.runCount(), 1);
        auto *tree = panel.findChild<QTreeWidget *>(QStringLiteral("runTree"));
        QVERIFY(tree);
        QTreeWidgetItem *run = tree->topLevelItem(0);
        QCOMPARE(run->text(1), QStringLiteral("completed"));
        QVERIFY2(run->text(2).contains(QStringLiteral("2/3 trials")), qPrintable(run->text(2)));
        QVERIFY(run->text(0).startsWith(QStringLiteral("local-redis")));
        QCOMPARE(run->childCount(), 3);
        QCOMPARE(run->child(2)->text(1), QStringLiteral("failed"));
        QVERIFY2(run->child(0)->text(2).contains(QStringLiteral("concurrency=1")), qPrintable(run->child(0)->text(2)));
        QVERIFY(run->child(0)->text(2).contains(QStringLiteral("1 result")));
    }
};

QTEST_MAIN(TestRunsPanel)
#include "tst_runspanel.moc"
