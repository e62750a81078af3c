// RunsPanel reads the run store off the GUI thread and lists runs with their
// trials; several runs (or trials of one run) compare in the dashboard; Delete asks, then removes
// the store rows and the local folders off the GUI thread.
#include "CompareRunsView.h"
#include "Dashboard.h"
#include "common/Paths.h"
#include "panels/ResultsDashboardPanel.h"
#include "panels/RunsPanel.h"
#include "session/RunStore.h"

#include <QApplication>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QTimer>

#include <QDir>
#include <QSignalSpy>
#include <QTest>
#include <QTreeWidget>

namespace {
// A completed run with one trial whose result is a real fbload document from
// the metrics tests, copied into the run's folder as the campaign does.
void makeRun(const QString &id, const QString &name, const QDateTime &created, const QString &resultSource)
{
    fb::session::RunStore store;
    QString error;
    QVERIFY2(store.open(fb::Paths::runStorePath(), &error), qPrintable(error));
    fb::session::RunRecord run;
    run.id = id;
    run.name = name;
    run.profile = QStringLiteral("mini-cluster");
    run.state = fb::session::RunState::Completed;
    run.createdAt = created;
    QVERIFY2(store.saveRun(run, &error), qPrintable(error));
    fb::session::TrialRecord t;
    t.runId = id;
    t.trialId = QStringLiteral("t001");
    t.index = 1;
    t.state = fb::session::TrialState::Completed;
    QVERIFY2(store.saveTrial(t, &error), qPrintable(error));
    const QString local = fb::Paths::stateDir() + QStringLiteral("/runs/%1/t001/results/result-load.json").arg(id);
    QVERIFY(QDir().mkpath(QFileInfo(local).absolutePath()));
    QFile::remove(local);
    QVERIFY(QFile::copy(resultSource, local));
    fb::session::ResultFileRecord f{id, QStringLiteral("t001"), QStringLiteral("/r/t001/result-load.json"), local,
                                    QStringLiteral("ab"), QFileInfo(local).size(), QDateTime::currentDateTimeUtc()};
    QVERIFY2(store.saveResultFile(f, &error), qPrintable(error));
}

// A further completed trial of run `id` with the result `resultSource`.
void addTrial(const QString &id, const QString &trialId, int index, const QString &resultSource)
{
    fb::session::RunStore store;
    QString error;
    QVERIFY2(store.open(fb::Paths::runStorePath(), &error), qPrintable(error));
    fb::session::TrialRecord t;
    t.runId = id;
    t.trialId = trialId;
    t.index = index;
    t.state = fb::session::TrialState::Completed;
    QVERIFY2(store.saveTrial(t, &error), qPrintable(error));
    const QString local = fb::Paths::stateDir() + QStringLiteral("/runs/%1/%2/results/result-load.json").arg(id, trialId);
    QVERIFY(QDir().mkpath(QFileInfo(local).absolutePath()));
    QFile::remove(local);
    QVERIFY(QFile::copy(resultSource, local));
    fb::session::ResultFileRecord f{id, trialId, QStringLiteral("/r/%1/result-load.json").arg(trialId), local,
                                    QStringLiteral("ab"), QFileInfo(local).size(), QDateTime::currentDateTimeUtc()};
    QVERIFY2(store.saveResultFile(f, &error), qPrintable(error));
}

// Presses `button` on the next modal message box, from the event loop.
void answerNextMessageBox(QMessageBox::StandardButton button, QString *text)
{
    QTimer::singleShot(0, [button, text] {
        QTRY_VERIFY(qobject_cast<QMessageBox *>(QApplication::activeModalWidget()));
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        *text = box->text() + QLatin1Char('\n') + box->informativeText();
        box->button(button)->click();
    });
}

const QString kResults = QStringLiteral(FB_SOURCE_DIR "/tests/metrics/data/results/");
} // namespace

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
            run.state = fb::session::RunState::Completed;
            run.createdAt = QDateTime::currentDateTimeUtc();
            QVERIFY2(store.saveRun(run, &error), qPrintable(error));
            for (int i = 1; i <= 3; ++i) {
                fb::session::TrialRecord t;
                t.runId = run.id;
                t.trialId = QStringLiteral("t00%1").arg(i);
                t.index = i;
                t.state = i == 3 ? fb::session::TrialState::Failed : fb::session::TrialState::Completed;
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

    void compareOpensWithTwoRuns()
    {
        QDir(fb::Paths::stateDir()).removeRecursively();
        QDir().mkpath(fb::Paths::stateDir());
        const QDateTime now = QDateTime::currentDateTimeUtc();
        makeRun(QStringLiteral("20261123-100000-redis-aaaa"), QStringLiteral("redis"), now.addSecs(-600), kResults + QStringLiteral("r1.json"));
        makeRun(QStringLiteral("20261123-101000-redis-bbbb"), QStringLiteral("redis"), now, kResults + QStringLiteral("r2.json"));
        fb::gui::RunsPanel panel;
        fb::gui::ResultsDashboardPanel dashboard;
        connect(&panel, &fb::gui::RunsPanel::compareRequested, &dashboard, &fb::gui::ResultsDashboardPanel::compareRuns);
        QSignalSpy reloaded(&panel, &fb::gui::RunsPanel::reloaded);
        QVERIFY(reloaded.wait(10000));
        QCOMPARE(panel.runCount(), 2);
        auto *compare = panel.findChild<QPushButton *>(QStringLiteral("compareRuns"));
        QVERIFY(panel.selectRuns({QStringLiteral("20261123-100000-redis-aaaa")}));
        QVERIFY(!compare->isEnabled()); // one run: nothing to compare
        QVERIFY(panel.selectRuns({QStringLiteral("20261123-100000-redis-aaaa"), QStringLiteral("20261123-101000-redis-bbbb")}));
        QVERIFY(compare->isEnabled());
        QSignalSpy shown(&dashboard, &fb::gui::ResultsDashboardPanel::shown);
        QTest::mouseClick(compare, Qt::LeftButton);
        QVERIFY(shown.wait(10000));
        QCOMPARE(shown.first().first().toInt(), 2);
        QVERIFY(!dashboard.dashboard()); // trial by trial: no time series joining the runs' trials
        QVERIFY(dashboard.compareView());
        auto *model = dashboard.compareView()->model();
        QVERIFY(model->rowCount() > 3);
        QVERIFY(model->comparison());
        QCOMPARE(model->comparison()->candidateLabels().size(), 1); // the newer run against the older at first
        QVERIFY2(model->comparison()->baselineLabel().startsWith(QStringLiteral("redis")), qPrintable(model->comparison()->baselineLabel()));
        // The user makes the newer run the baseline.
        const QString older = model->comparison()->baselineLabel();
        dashboard.compareView()->setBaseline(1);
        QCOMPARE(dashboard.compareView()->model()->comparison()->candidateLabels(), QStringList{older});
    }

    void compareTwoTrialsOfOneRun()
    {
        QDir(fb::Paths::stateDir()).removeRecursively();
        QDir().mkpath(fb::Paths::stateDir());
        const QString id = QStringLiteral("20261123-100000-redis-sweep");
        makeRun(id, QStringLiteral("redis"), QDateTime::currentDateTimeUtc(), kResults + QStringLiteral("r1.json"));
        addTrial(id, QStringLiteral("t002"), 2, kResults + QStringLiteral("r3-c16.json"));
        fb::gui::RunsPanel panel;
        fb::gui::ResultsDashboardPanel dashboard;
        connect(&panel, &fb::gui::RunsPanel::compareRequested, &dashboard, &fb::gui::ResultsDashboardPanel::compareRuns);
        QSignalSpy reloaded(&panel, &fb::gui::RunsPanel::reloaded);
        QVERIFY(reloaded.wait(10000));
        auto *tree = panel.findChild<QTreeWidget *>(QStringLiteral("runTree"));
        QTreeWidgetItem *run = tree->topLevelItem(0);
        QCOMPARE(run->childCount(), 2);
        run->child(0)->setSelected(true);
        run->child(1)->setSelected(true);
        QCOMPARE(panel.selectedForComparison(), (QStringList{id + QStringLiteral("/t001"), id + QStringLiteral("/t002")}));
        auto *compare = panel.findChild<QPushButton *>(QStringLiteral("compareRuns"));
        QVERIFY(compare->isEnabled());
        QSignalSpy shown(&dashboard, &fb::gui::ResultsDashboardPanel::shown);
        QTest::mouseClick(compare, Qt::LeftButton);
        QVERIFY(shown.wait(10000));
        auto *model = dashboard.compareView()->model();
        QVERIFY(model->comparison()->baselineLabel().endsWith(QStringLiteral("/t001")));
        QVERIFY(model->comparison()->candidateLabels().first().endsWith(QStringLiteral("/t002")));
        QVERIFY(model->rowCount() >= 3);
        QCOMPARE(model->data(model->index(0, 0)).toString(), QStringLiteral("t001 vs t002"));
    }

    void deleteAsksThenRemovesRowAndFolder()
    {
        QDir(fb::Paths::stateDir()).removeRecursively();
        QDir().mkpath(fb::Paths::stateDir());
        const QString keep = QStringLiteral("20261123-100000-redis-keep"), gone = QStringLiteral("20261123-101000-redis-gone");
        makeRun(keep, QStringLiteral("redis"), QDateTime::currentDateTimeUtc().addSecs(-60), kResults + QStringLiteral("r1.json"));
        makeRun(gone, QStringLiteral("redis"), QDateTime::currentDateTimeUtc(), kResults + QStringLiteral("r2.json"));
        const QString goneDir = fb::Paths::stateDir() + QStringLiteral("/runs/") + gone;
        QVERIFY(QFileInfo::exists(goneDir + QStringLiteral("/t001/results/result-load.json")));

        fb::gui::RunsPanel panel;
        panel.show();
        QSignalSpy reloaded(&panel, &fb::gui::RunsPanel::reloaded);
        QVERIFY(reloaded.wait(10000));
        QCOMPARE(panel.runCount(), 2);
        QVERIFY(panel.selectRuns({gone}));
        auto *del = panel.findChild<QPushButton *>(QStringLiteral("deleteRuns"));
        QVERIFY(del->isEnabled());

        // Cancel in the confirmation: nothing happens.
        QString asked;
        answerNextMessageBox(QMessageBox::Cancel, &asked);
        QTest::mouseClick(del, Qt::LeftButton);
        QVERIFY2(asked.contains(gone), qPrintable(asked));
        QTest::qWait(100);
        QVERIFY(QFileInfo::exists(goneDir));

        // Yes: the row and the folder go, the other run stays.
        QSignalSpy deleted(&panel, &fb::gui::RunsPanel::deleted);
        answerNextMessageBox(QMessageBox::Yes, &asked);
        QTest::mouseClick(del, Qt::LeftButton);
        QVERIFY(deleted.wait(10000));
        QCOMPARE(deleted.first().at(0).toStringList(), QStringList{gone});
        QCOMPARE(deleted.first().at(1).toStringList(), QStringList{});
        QTRY_COMPARE(panel.runCount(), 1);
        QVERIFY(!QFileInfo::exists(goneDir));
        QVERIFY(QFileInfo::exists(fb::Paths::stateDir() + QStringLiteral("/runs/") + keep));
        fb::session::RunStore store;
        QString error;
        QVERIFY(store.open(fb::Paths::runStorePath(), &error));
        QVERIFY(!store.run(gone));
        QVERIFY(store.run(keep));
        QVERIFY(store.resultFiles(gone).isEmpty());
        // Ids that would leave the runs folder are refused.
        const QStringList errors = fb::gui::RunsPanel::deleteRuns(fb::Paths::runStorePath(), fb::Paths::stateDir() + QStringLiteral("/runs"), {QStringLiteral("../x")});
        QCOMPARE(errors.size(), 1);
    }
};

QTEST_MAIN(TestRunsPanel)
#include "tst_runspanel.moc"
