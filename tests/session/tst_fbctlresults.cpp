// `fbctl results RUN --summary` (what scripts/demo.sh ends with): one row per
// trial with its swept values, throughput, p50/p99 latency and error rate in
// scaled units — no hashes, no exponents; without --summary the file list
// (trial, sha256, size, path) stays as the end-to-end tests read it. A trial
// whose fbload flagged itself generator_limited (run.generator) is marked in
// the summary's client column, with its reason on a line of its own (on
// stderr under the file list). Real fbctl process, real run store, real
// fbload result documents.
#include "session/RunStore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace fb::session;

namespace {
const QString kRun = QStringLiteral("20261203-0400-redis-demo");
const QString kFbctl = QStringLiteral(FB_BINARY_DIR "/core/fbctl/fbctl");
} // namespace

class TestFbctlResults : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_state;

    QStringList fbctl(const QStringList &args, int *exitCode)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FB_STATE_DIR"), m_state.path());
        env.insert(QStringLiteral("FB_CONFIG_DIR"), m_state.filePath(QStringLiteral("config")));
        p.setProcessEnvironment(env);
        p.start(kFbctl, args);
        if (!p.waitForFinished(30000))
            return {QStringLiteral("timeout")};
        *exitCode = p.exitCode();
        return QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(QFile::exists(kFbctl));
        RunStore store;
        QString error;
        QVERIFY2(store.open(m_state.filePath(QStringLiteral("runs.sqlite")), &error), qPrintable(error));
        RunRecord run;
        run.id = kRun;
        run.name = QStringLiteral("local-redis");
        run.createdAt = QDateTime::currentDateTimeUtc();
        QVERIFY2(store.saveRun(run, &error), qPrintable(error));
        const QList<std::pair<int, QString>> trials{
            {1, QStringLiteral("r1.json")}, {16, QStringLiteral("r3-c16.json")}, {64, QStringLiteral("r1.json")}};
        int n = 0;
        for (const auto &[concurrency, file] : trials) {
            TrialRecord t;
            t.runId = kRun;
            t.trialId = QStringLiteral("t%1").arg(++n, 3, 10, QLatin1Char('0'));
            t.index = n;
            t.params = QJsonObject{{QStringLiteral("clients[0].load.concurrency"), concurrency}};
            QVERIFY2(store.saveTrial(t, &error), qPrintable(error));
            const QString local = m_state.filePath(t.trialId + QLatin1Char('/') + file);
            QVERIFY(QDir().mkpath(QFileInfo(local).absolutePath()));
            QVERIFY(QFile::copy(QStringLiteral(FB_SOURCE_DIR "/tests/metrics/data/results/") + file, local));
            if (n == 3) { // t003: fbload said it could not keep up
                QFile f(local);
                QVERIFY(f.setPermissions(f.permissions() | QFileDevice::WriteOwner) && f.open(QIODevice::ReadWrite));
                QJsonObject doc = QJsonDocument::fromJson(f.readAll()).object();
                QJsonObject runBlock = doc.value(QStringLiteral("run")).toObject();
                runBlock.insert(QStringLiteral("generator"),
                                QJsonObject{{QStringLiteral("generator_limited"), true},
                                            {QStringLiteral("reason"), QStringLiteral("worker thread 0 was 97.0 % busy")}});
                doc.insert(QStringLiteral("run"), runBlock);
                QVERIFY(f.resize(0) && f.seek(0));
                f.write(QJsonDocument(doc).toJson());
            }
            ResultFileRecord f{kRun, t.trialId, QStringLiteral("/r/") + file, local, QStringLiteral("abc"), QFileInfo(local).size(),
                               QDateTime::currentDateTimeUtc()};
            QVERIFY2(store.saveResultFile(f, &error), qPrintable(error));
        }
    }

    void summaryPerTrialInScaledUnits()
    {
        int code = -1;
        const QStringList lines = fbctl({QStringLiteral("results"), kRun, QStringLiteral("--summary")}, &code);
        QCOMPARE(code, 0);
        qInfo().noquote() << lines.join(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 5); // header + 3 trials + the generator-limited trial's reason
        QVERIFY2(QRegularExpression(QStringLiteral("^trial\\s+concurrency\\s+throughput\\s+latency p50\\s+latency p99"))
                     .match(lines[0]).hasMatch(),
                 qPrintable(lines[0]));
        QVERIFY2(QRegularExpression(QStringLiteral("^t001\\s+1\\s+[0-9.]+ (k |M )?req/s\\s+[0-9.]+ [µm]?s\\s+[0-9.]+ [µm]?s"))
                     .match(lines[1]).hasMatch(),
                 qPrintable(lines[1]));
        QVERIFY2(lines[2].startsWith(QLatin1String("t002")) && lines[2].contains(QLatin1String(" 16 ")), qPrintable(lines[2]));
        QVERIFY2(lines[0].endsWith(QLatin1String("client")), qPrintable(lines[0]));
        QVERIFY2(lines[1].endsWith(QLatin1String(" ok")) && lines[2].endsWith(QLatin1String(" ok")), qPrintable(lines[1]));
        QVERIFY2(lines[3].startsWith(QLatin1String("t003")) && lines[3].endsWith(QLatin1String("GENERATOR LIMITED")), qPrintable(lines[3]));
        QCOMPARE(lines[4], QStringLiteral("t003: GENERATOR LIMITED: worker thread 0 was 97.0 % busy"));
        for (const QString &l : lines) {
            QVERIFY2(!QRegularExpression(QStringLiteral("[0-9]e[-+]?[0-9]")).match(l).hasMatch(), qPrintable(l));
            QVERIFY2(!l.contains(QLatin1String("abc")), qPrintable(l)); // no hashes
        }
        // Columns line up: every row's "throughput" cell starts where the header's does.
        const qsizetype col = lines[0].indexOf(QLatin1String("throughput"));
        for (const QString &l : lines.mid(1, 3))
            QVERIFY2(l.at(col - 1) == QLatin1Char(' ') && l.at(col) != QLatin1Char(' '), qPrintable(l));
    }

    void fileListUnchanged()
    {
        int code = -1;
        const QStringList lines = fbctl({QStringLiteral("results"), kRun}, &code);
        QCOMPARE(code, 0);
        QCOMPARE(lines.size(), 4); // 3 files, then (stderr) the generator-limited trial
        QCOMPARE(lines[0].split(QLatin1Char('\t')).size(), 4);
        QCOMPARE(lines[2].split(QLatin1Char('\t')).size(), 4);
        QVERIFY2(lines[3].startsWith(QLatin1String("t003: GENERATOR LIMITED: ")), qPrintable(lines[3]));
        QCOMPARE(lines[0].split(QLatin1Char('\t')).at(1), QStringLiteral("abc"));
        fbctl({QStringLiteral("results"), kRun, QStringLiteral("--bogus")}, &code);
        QCOMPARE(code, 2);
    }
};

QTEST_MAIN(TestFbctlResults)
#include "tst_fbctlresults.moc"
