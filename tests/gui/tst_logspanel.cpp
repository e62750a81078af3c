// LogsPanel: a bounded ring buffer, level/node/component filters filled from
// what arrived, search that filters or highlights (Ctrl+F), follow mode that
// turns off when the user scrolls up, and a recorded run's merged.jsonl read
// off the GUI thread with nodes taken from the run store.
#include "common/Paths.h"
#include "panels/LogsPanel.h"
#include "session/RunStore.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QToolButton>

using fb::gui::LogEntry;
using fb::gui::LogsPanel;

namespace {
fb::session::CampaignEvent makeEvent(fb::session::CampaignEvent::Level level, const QString &trial, const QString &step,
                                 const QString &message)
{
    return {QDateTime::currentDateTimeUtc(), level, QStringLiteral("run1"), trial, step, message};
}

LogEntry entry(const QString &node, const QString &component, const QString &message, LogEntry::Level level = LogEntry::Info)
{
    return {QDateTime::currentDateTimeUtc(), level, node, QStringLiteral("t001"), component, message};
}
} // namespace

class TestLogsPanel : public QObject
{
    Q_OBJECT
private slots:
    void ringBufferKeepsNewest()
    {
        fb::gui::LogModel model(100);
        QList<LogEntry> batch;
        for (int i = 0; i < 250; ++i)
            batch << entry(QStringLiteral("n1"), QStringLiteral("c"), QString::number(i));
        for (const LogEntry &e : batch)
            model.append(e);
        QVERIFY(model.rowCount() <= 100);
        QVERIFY(model.rowCount() >= 90); // drops in chunks of a tenth
        QCOMPARE(model.entry(model.rowCount() - 1).message, QStringLiteral("249"));
        model.append(batch); // a batch larger than the capacity keeps its tail
        QCOMPARE(model.rowCount(), 100);
        QCOMPARE(model.entry(0).message, QStringLiteral("150"));
    }

    void filtersByLevelNodeAndComponent()
    {
        LogsPanel panel;
        panel.appendEvent(makeEvent(fb::session::CampaignEvent::Info, QStringLiteral("t001"), QStringLiteral("submit"), QStringLiteral("submitted 12")));
        panel.appendEvent(makeEvent(fb::session::CampaignEvent::Warning, QStringLiteral("t001"), QStringLiteral("health"), QStringLiteral("slow start")));
        panel.appendEvent(makeEvent(fb::session::CampaignEvent::Error, QStringLiteral("t002"), QStringLiteral("clients"), QStringLiteral("client failed")));
        QVERIFY(panel.text().contains(QStringLiteral("slow start"))); // text() includes the pending batch
        QTRY_COMPARE(panel.filterModel()->rowCount(), 3);             // the batch lands within 50 ms
        auto *proxy = panel.filterModel();
        QVERIFY(panel.text().contains(QStringLiteral("client failed")));

        auto *level = panel.findChild<QComboBox *>(QStringLiteral("logLevel"));
        level->setCurrentIndex(level->findData(int(LogEntry::Warning)));
        QCOMPARE(proxy->rowCount(), 2);
        level->setCurrentIndex(level->findData(int(LogEntry::Error)));
        QCOMPARE(proxy->rowCount(), 1);
        QCOMPARE(proxy->index(0, fb::gui::LogModel::Message).data().toString(), QStringLiteral("client failed"));
        level->setCurrentIndex(0);

        // Node and component combos list what arrived.
        panel.liveModel()->append(entry(QStringLiteral("node2"), QStringLiteral("service-redis-41"), QStringLiteral("Ready to accept connections")));
        panel.liveModel()->append(entry(QStringLiteral("node3"), QStringLiteral("client-load-42"), QStringLiteral("ERROR: connection refused"), LogEntry::Error));
        auto *node = panel.findChild<QComboBox *>(QStringLiteral("logNode"));
        auto *component = panel.findChild<QComboBox *>(QStringLiteral("logComponent"));
        QCOMPARE(node->count(), 3); // all + node2 + node3
        QVERIFY(node->findData(QStringLiteral("node3")) > 0);
        QVERIFY(component->findData(QStringLiteral("health")) > 0);
        QVERIFY(component->findData(QStringLiteral("service-redis-41")) > 0);
        node->setCurrentIndex(node->findData(QStringLiteral("node3")));
        QCOMPARE(proxy->rowCount(), 1);
        QCOMPARE(proxy->index(0, fb::gui::LogModel::Node).data().toString(), QStringLiteral("node3"));
        node->setCurrentIndex(0);
        component->setCurrentIndex(component->findData(QStringLiteral("health")));
        QCOMPARE(proxy->rowCount(), 1);
        QCOMPARE(proxy->index(0, fb::gui::LogModel::Level).data().toString(), QStringLiteral("WARN"));
        component->setCurrentIndex(0);
        QCOMPARE(proxy->rowCount(), 5);
    }

    void searchFiltersOrHighlights()
    {
        LogsPanel panel;
        panel.show();
        QVERIFY(QTest::qWaitForWindowActive(&panel));
        for (int i = 0; i < 20; ++i)
            panel.liveModel()->append(entry(QStringLiteral("n1"), QStringLiteral("client-load-7"), QStringLiteral("request %1 ok").arg(i)));
        panel.liveModel()->append(entry(QStringLiteral("n1"), QStringLiteral("client-load-7"), QStringLiteral("Timeout talking to redis")));
        auto *search = panel.findChild<QLineEdit *>(QStringLiteral("logSearch"));
        // Ctrl+F from anywhere in the panel goes to the search field.
        panel.view()->setFocus();
        QVERIFY(!search->hasFocus());
        QTest::keyClick(panel.view(), Qt::Key_F, Qt::ControlModifier);
        QVERIFY(search->hasFocus());
        QTest::keyClicks(search, QStringLiteral("timeout"));
        QCOMPARE(panel.filterModel()->rowCount(), 1); // case-insensitive
        QCOMPARE(panel.filterModel()->index(0, fb::gui::LogModel::Message).data().toString(), QStringLiteral("Timeout talking to redis"));
        QVERIFY(panel.filterModel()->index(0, fb::gui::LogModel::Message).data(Qt::BackgroundRole).isValid());
        // Highlight only: every row back, the match marked, the others not.
        panel.findChild<QCheckBox *>(QStringLiteral("logOnlyMatching"))->setChecked(false);
        QCOMPARE(panel.filterModel()->rowCount(), 21);
        QVERIFY(panel.filterModel()->index(20, fb::gui::LogModel::Message).data(Qt::BackgroundRole).isValid());
        QVERIFY(!panel.filterModel()->index(3, fb::gui::LogModel::Message).data(Qt::BackgroundRole).isValid());
        search->clear();
        QVERIFY(!panel.filterModel()->index(20, fb::gui::LogModel::Message).data(Qt::BackgroundRole).isValid());
    }

    void followModeTracksNewestUntilUserScrollsUp()
    {
        LogsPanel panel;
        panel.resize(700, 300);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(panel.isFollowing());
        for (int i = 0; i < 300; ++i)
            panel.appendEvent(makeEvent(fb::session::CampaignEvent::Info, QStringLiteral("t001"), QStringLiteral("clients"), QStringLiteral("line %1").arg(i)));
        panel.flush();
        QScrollBar *bar = panel.view()->verticalScrollBar();
        QTRY_VERIFY(bar->maximum() > 0);
        QTRY_COMPARE(bar->value(), bar->maximum()); // the newest line is in view
        // The user scrolls up: follow turns off and new lines no longer move the view.
        bar->setValue(10);
        QVERIFY(!panel.isFollowing());
        QVERIFY(!panel.findChild<QToolButton *>(QStringLiteral("logFollow"))->isChecked());
        panel.appendEvent(makeEvent(fb::session::CampaignEvent::Info, QStringLiteral("t001"), QStringLiteral("clients"), QStringLiteral("more")));
        panel.flush();
        QTest::qWait(50);
        QCOMPARE(bar->value(), 10);
        // Back on: jumps to the newest line and keeps following.
        panel.setFollowing(true);
        QTRY_COMPARE(bar->value(), bar->maximum());
        panel.appendEvent(makeEvent(fb::session::CampaignEvent::Info, QStringLiteral("t001"), QStringLiteral("clients"), QStringLiteral("newest")));
        QTRY_COMPARE(bar->value(), bar->maximum());
        QVERIFY(panel.isFollowing());
    }

    void hoursOfLogsStayFast()
    {
        // 200 000 live lines one by one (a busy campaign for hours) through a
        // shown, filtered, following view: bounded at 50 000 rows, and fast.
        LogsPanel panel;
        panel.resize(900, 500);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.findChild<QComboBox *>(QStringLiteral("logLevel"))->setCurrentIndex(1); // info and above
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < 200000; ++i) {
            panel.appendEvent(makeEvent(i % 97 ? fb::session::CampaignEvent::Info : fb::session::CampaignEvent::Warning,
                                        QStringLiteral("t%1").arg(i % 8), QStringLiteral("clients"), QStringLiteral("line %1").arg(i)));
            if (i % 1000 == 0)
                QCoreApplication::processEvents(); // batches land and the view paints, as in the app
        }
        panel.flush();
        const qint64 ms = clock.elapsed();
        qInfo("200000 appends with a 50000-line ring buffer: %lld ms", ms);
        QCOMPARE(panel.liveModel()->rowCount() <= 50000, true);
        QCOMPARE(panel.liveModel()->entry(panel.liveModel()->rowCount() - 1).message, QStringLiteral("line 199999"));
        QVERIFY2(ms < 8000, qPrintable(QString::number(ms)));
        QTRY_COMPARE(panel.view()->verticalScrollBar()->value(), panel.view()->verticalScrollBar()->maximum());
    }

    void loadsMergedLogOfRun()
    {
        const QString runId = QStringLiteral("20261123-120000-local-redis-beef");
        QDir(fb::Paths::stateDir()).removeRecursively();
        const QString trialDir = fb::Paths::stateDir() + QStringLiteral("/runs/") + runId + QStringLiteral("/t001");
        QVERIFY(QDir().mkpath(trialDir));
        {
            fb::session::RunStore store;
            QString error;
            QVERIFY2(store.open(fb::Paths::runStorePath(), &error), qPrintable(error));
            fb::session::RunRecord run;
            run.id = runId;
            run.name = QStringLiteral("local-redis");
            run.state = fb::session::RunState::Completed;
            run.createdAt = QDateTime::currentDateTimeUtc();
            QVERIFY2(store.saveRun(run, &error), qPrintable(error));
            fb::session::JobRecord job;
            job.runId = runId;
            job.trialId = QStringLiteral("t001");
            job.jobId = QStringLiteral("1234");
            job.component = QStringLiteral("service:redis");
            job.state = fb::session::JobState::Completed;
            job.nodes = QStringLiteral("node7");
            QVERIFY2(store.saveJob(job, &error), qPrintable(error));
        }
        QFile f(trialDir + QStringLiteral("/merged.jsonl"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"time":"2026-11-23T12:00:00.000Z","source":"campaign","trial":"t001","message":"INFO submit: submitted service redis as 1234"}
{"time":"2026-11-23T12:00:01.000Z","source":"service-redis-1234","trial":"t001","message":"Ready to accept connections tcp"}
{"time":"2026-11-23T12:00:02.000Z","source":"campaign","trial":"t001","message":"WARN health: slow"}
{"time": broken
)");
        f.close();

        LogsPanel panel;
        QSignalSpy loaded(&panel, &LogsPanel::loaded);
        panel.showRunLog(runId);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(loaded.first().at(0).toInt(), 3);
        const QStringList errors = loaded.first().at(1).toStringList();
        QCOMPARE(errors.size(), 1);
        QVERIFY2(errors.first().contains(QStringLiteral("t001/merged.jsonl:4:")), qPrintable(errors.first()));
        QVERIFY(!panel.isLive());
        auto *m = panel.fileModel();
        QCOMPARE(m->entry(0).component, QStringLiteral("submit"));
        QCOMPARE(m->entry(0).message, QStringLiteral("submitted service redis as 1234"));
        QCOMPARE(m->entry(1).node, QStringLiteral("node7")); // from the run store's job 1234
        QCOMPARE(m->entry(1).component, QStringLiteral("service-redis-1234"));
        QCOMPARE(m->entry(2).level, LogEntry::Warning);
        auto *node = panel.findChild<QComboBox *>(QStringLiteral("logNode"));
        QVERIFY(node->findData(QStringLiteral("node7")) > 0);
        // Live events keep arriving in the background; the source combo goes back.
        panel.appendEvent(makeEvent(fb::session::CampaignEvent::Info, {}, QStringLiteral("start"), QStringLiteral("live again")));
        panel.flush();
        QCOMPARE(panel.filterModel()->rowCount(), 3);
        panel.showLive();
        QVERIFY(panel.isLive());
        QCOMPARE(panel.filterModel()->rowCount(), 1);
    }
};

QTEST_MAIN(TestLogsPanel)
#include "tst_logspanel.moc"
