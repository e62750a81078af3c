// Tests the small parts the campaign engine's fault handling is built from
// (issue 16): the typed trial phase and its run-store column, the sticky
// "FactoryBench cancelled this job" mark, secret redaction, checked local
// writes and the reconnect window.
#include "session/LinkWatch.h"
#include "session/LocalFiles.h"
#include "session/RunJournal.h"
#include "session/RunStore.h"
#include "session/SecretRedactor.h"
#include "session/States.h"
#include "session/TrialPhase.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace fb::session;

class TestCampaignParts : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void phaseNamesRoundTrip()
    {
        for (int i = int(TrialPhase::Pending); i <= int(TrialPhase::Done); ++i) {
            const auto p = TrialPhase(i);
            QCOMPARE(phaseFromName(phaseName(p)), p);
        }
        QCOMPARE(phaseFromName(QStringLiteral("submit-services")), TrialPhase::Pending); // unknown (older rows)
        QVERIFY(!clientsEnded(TrialPhase::Clients));
        QVERIFY(clientsEnded(TrialPhase::Results) && clientsEnded(TrialPhase::Teardown) && clientsEnded(TrialPhase::Logs));
    }

    void stateNamesRoundTrip()
    {
        // The names are the run store's column values and what fbctl prints:
        // they must not change (older stores hold them).
        const QStringList runs{QStringLiteral("planned"), QStringLiteral("running"), QStringLiteral("completed"), QStringLiteral("failed"),
                               QStringLiteral("cancelled"), QStringLiteral("interrupted"), QStringLiteral("detached")};
        for (int i = 0; i < runs.size(); ++i) {
            QCOMPARE(stateName(RunState(i)), runs[i]);
            QCOMPARE(runStateFromName(runs[i]), RunState(i));
        }
        const QStringList trials{QStringLiteral("pending"), QStringLiteral("running"), QStringLiteral("completed"), QStringLiteral("failed"),
                                 QStringLiteral("cancelled")};
        for (int i = 0; i < trials.size(); ++i) {
            QCOMPARE(stateName(TrialState(i)), trials[i]);
            QCOMPARE(trialStateFromName(trials[i]), TrialState(i));
        }
        QCOMPARE(trialStateFromName(QStringLiteral("bogus")), TrialState::Pending);
        QCOMPARE(runStateFromName(QString()), RunState::Failed);
        QCOMPARE(jobStateFromName(QStringLiteral("CANCELLED by 1000")), JobState::Cancelled);
        QCOMPARE(stateName(JobState::Unknown), QStringLiteral("UNKNOWN"));
        QVERIFY(isFinished(TrialState::Failed) && !isFinished(TrialState::Running) && !isFinished(TrialState::Pending));
    }

    void storeKeepsPhaseAndCancelMark()
    {
        RunStore store;
        QString error;
        QVERIFY2(store.open(m_dir.filePath(QStringLiteral("s.sqlite")), &error), qPrintable(error));
        RunRecord r;
        r.id = QStringLiteral("r");
        r.name = QStringLiteral("n");
        r.state = RunState::Running;
        QVERIFY(store.saveRun(r, &error));
        TrialRecord t;
        t.runId = r.id;
        t.trialId = QStringLiteral("t001");
        t.state = TrialState::Running;
        t.phase = TrialPhase::Teardown;
        QVERIFY2(store.saveTrial(t, &error), qPrintable(error));
        QCOMPARE(store.trials(r.id).value(0).phase, TrialPhase::Teardown);

        JobRecord j;
        j.runId = r.id;
        j.trialId = t.trialId;
        j.jobId = QStringLiteral("7");
        j.component = QStringLiteral("service:redis");
        j.state = JobState::Running;
        j.cancelRequested = true;
        QVERIFY(store.saveJob(j, &error));
        // A later update from a copy that does not know of the cancel keeps the mark.
        j.cancelRequested = false;
        j.state = JobState::Cancelled;
        QVERIFY(store.saveJob(j, &error));
        const JobRecord back = store.jobs(r.id).value(0);
        QCOMPARE(back.state, JobState::Cancelled);
        QVERIFY(back.cancelRequested);
    }

    // The port slot of a trial is resume state: kept in the run's manifest
    // (the store), and read from the side file runs from before kept it in.
    void journalKeepsTheSlot()
    {
        RunStore store;
        QString error;
        QVERIFY2(store.open(m_dir.filePath(QStringLiteral("journal.sqlite")), &error), qPrintable(error));
        QStringList changed;
        RunJournal journal(&store, RunJournal::Hooks{{}, [&](const QString &trial, TrialState s, const QString &step) {
                                                         changed << trial + QLatin1Char(' ') + stateName(s) + QLatin1Char(' ') + step;
                                                     }, {}, {}});
        journal.run().id = QStringLiteral("r-slot");
        journal.run().name = QStringLiteral("n");
        QVERIFY(journal.open(m_dir.filePath(QStringLiteral("runs/r-slot"))));
        QVERIFY(journal.saveRun());
        QVERIFY(!journal.previousSlot(QStringLiteral("t001")));
        QVERIFY(journal.rememberSlot(QStringLiteral("t001"), 2));
        QCOMPARE(journal.previousSlot(QStringLiteral("t001")).value_or(-1), 2);
        QCOMPARE(store.run(QStringLiteral("r-slot"))->manifest.value(QStringLiteral("slots")).toObject().value(QStringLiteral("t001")).toInt(), 2);
        // A run recorded before: <trial>/slot.
        QVERIFY(writeLocalFile(journal.localTrialDir(QStringLiteral("t002")) + QStringLiteral("/slot"), "1\n", &error));
        QCOMPARE(journal.previousSlot(QStringLiteral("t002")).value_or(-1), 1);

        TrialRecord t;
        t.runId = journal.run().id;
        t.trialId = QStringLiteral("t001");
        journal.setTrial(t, TrialState::Running, TrialPhase::Health);
        QCOMPARE(changed, QStringList{QStringLiteral("t001 running health")});
        QCOMPARE(store.trials(t.runId).value(0).phase, TrialPhase::Health);
        QVERIFY(t.startedAt.isValid() && !t.finishedAt.isValid());
        journal.info(QStringLiteral("t001"), QStringLiteral("health"), QStringLiteral("ready"));
        QFile events(journal.localTrialDir(QStringLiteral("t001")) + QStringLiteral("/logs/campaign.events"));
        QVERIFY(events.open(QIODevice::ReadOnly));
        QVERIFY(events.readAll().contains("INFO health: ready"));
    }

    void redactsSecretsOnly()
    {
        fb::recipe::Recipe recipe;
        fb::recipe::Service s;
        s.name = QStringLiteral("redis");
        s.settings = QJsonObject{{QStringLiteral("password"), QStringLiteral("hunter2-redis")},
                                 {QStringLiteral("maxmemory"), QStringLiteral("100mb")}};
        s.environment << fb::recipe::KeyValue{QStringLiteral("POSTGRES_PASSWORD"), QStringLiteral("pg-secret-1")};
        recipe.services << s;
        fb::recipe::Client c;
        c.name = QStringLiteral("llm");
        c.params = QJsonObject{{QStringLiteral("api_key"), QStringLiteral("sk-live-123456")},
                               {QStringLiteral("headers"), QJsonObject{{QStringLiteral("Authorization"), QStringLiteral("Bearer tok-987")}}},
                               {QStringLiteral("secret_key"), QStringLiteral("ab")}, // too short to be one
                               {QStringLiteral("path"), QStringLiteral("/v1/chat")}};
        recipe.clients << c;
        const SecretRedactor r(recipe);
        const QString text = QStringLiteral("password: hunter2-redis\nmaxmemory: 100mb\nPOSTGRES_PASSWORD=pg-secret-1\n"
                                            "api_key: sk-live-123456\nAuthorization: Bearer tok-987\npath: /v1/chat\nab\n");
        const QString out = r.redact(text);
        for (const char *secret : {"hunter2-redis", "pg-secret-1", "sk-live-123456", "Bearer tok-987"})
            QVERIFY2(!out.contains(QLatin1String(secret)), secret);
        QVERIFY(out.contains(QStringLiteral("password: <redacted>")));
        QVERIFY(out.contains(QStringLiteral("maxmemory: 100mb")) && out.contains(QStringLiteral("/v1/chat")) && out.contains(QStringLiteral("\nab\n")));
        QVERIFY(SecretRedactor().redact(text) == text);
    }

    void checkedWrites()
    {
        QString error;
        const QString path = m_dir.filePath(QStringLiteral("sub/secret.sbatch"));
        QVERIFY2(writeLocalFile(path, "echo hi\n", &error, QFileDevice::ReadOwner | QFileDevice::WriteOwner), qPrintable(error));
        QCOMPARE(QFileInfo(path).size(), 8);
        QCOMPARE(QFileInfo(path).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
        // A folder that cannot exist (its parent is a file): false, naming the file.
        const QString blocked = path + QStringLiteral("/below/file");
        QVERIFY(!writeLocalFile(blocked, "x", &error));
        QVERIFY2(error.startsWith(QStringLiteral("cannot write ") + blocked) && error.contains(QStringLiteral("bytes free")), qPrintable(error));
    }

    void reconnectWindow()
    {
        LinkWatch w(50);
        QCOMPARE(w.answered(), LinkWatch::Change::None);
        QCOMPARE(w.failed(QStringLiteral("gone")), LinkWatch::Change::Lost);
        QCOMPARE(w.failed(QStringLiteral("gone")), LinkWatch::Change::None);
        QVERIFY(w.down() && w.reason() == QLatin1String("gone"));
        QTRY_VERIFY_WITH_TIMEOUT(w.expired(), 2000);
        QCOMPARE(w.answered(), LinkWatch::Change::Restored);
        QVERIFY(!w.down() && !w.expired());
    }
};

QTEST_GUILESS_MAIN(TestCampaignParts)
#include "tst_campaignparts.moc"
