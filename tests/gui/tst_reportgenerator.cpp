// The run report (report/RunReport, as `fbctl report` and Export report…
// write it) on a run built here: a trial whose fbload flagged itself
// generator_limited (run.generator) is marked in the trial table and listed
// under Errors and warnings with the reason; a trial without the flag is not.
#include "ReportData.h"
#include "RunReport.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace fb;

namespace {

metrics::StudyTrial trial(const QString &id, int index, bool limited)
{
    metrics::StudyTrial t;
    t.id = id;
    t.index = index;
    t.state = QStringLiteral("completed");
    t.parameters = {{QStringLiteral("clients[0].load.rate"), QString::number(index * 1000)}};
    QJsonObject run{{QStringLiteral("workload"), QStringLiteral("http")}};
    if (limited)
        run.insert(QStringLiteral("generator"),
                   QJsonObject{{QStringLiteral("generator_limited"), true},
                               {QStringLiteral("reason"), QStringLiteral("12.5 % of sends were over 1 ms late (lag p99 40 ms)")}});
    const QJsonObject doc{
        {QStringLiteral("schema"), QStringLiteral("factorybench.result")},
        {QStringLiteral("schema_version"), 1},
        {QStringLiteral("run"), run},
        {QStringLiteral("summary"),
         QJsonObject{{QStringLiteral("throughput"), QJsonObject{{QStringLiteral("requests_per_s"), 1000.0 * index}}},
                     {QStringLiteral("metrics"), QJsonObject{{QStringLiteral("latency"), QJsonObject{{QStringLiteral("unit"), QStringLiteral("ms")},
                                                                                                     {QStringLiteral("count"), 10},
                                                                                                     {QStringLiteral("p50"), 1.0},
                                                                                                     {QStringLiteral("p99"), 2.0}}}}}}}};
    QString error;
    t.result = metrics::ResultDocument::fromJson(QJsonDocument(doc).toJson(), id, &error);
    if (!t.result)
        qFatal("%s", qPrintable(error));
    return t;
}

} // namespace

class TestReportGenerator : public QObject
{
    Q_OBJECT
private slots:
    void generatorLimitedTrialIsFlagged()
    {
        report::ReportData d;
        d.run.id = QStringLiteral("20261203-060000-rate-abcd");
        d.run.name = QStringLiteral("rate");
        d.run.state = session::RunState::Completed;
        for (const QString &id : {QStringLiteral("t001"), QStringLiteral("t002")}) {
            session::TrialRecord t;
            t.runId = d.run.id;
            t.trialId = id;
            t.state = session::TrialState::Completed;
            d.trials << t;
        }
        d.study = metrics::Study(d.run.id, d.run.name, {trial(QStringLiteral("t001"), 1, false), trial(QStringLiteral("t002"), 2, true)});

        const QStringList w = d.warnings();
        QCOMPARE(w.size(), 1);
        QVERIFY2(w.first().startsWith(QStringLiteral("Trial t002: GENERATOR LIMITED: ")), qPrintable(w.first()));
        QVERIFY(w.first().contains(QStringLiteral("12.5 % of sends were over 1 ms late")));

        report::RunReport r(d);
        const QString html = r.html();
        QCOMPARE(html.count(QStringLiteral("GENERATOR LIMITED")), 3); // t002's row, the table note, the warning
        QVERIFY(html.contains(QStringLiteral("<td>completed · GENERATOR LIMITED</td>")));
        QVERIFY(html.contains(QStringLiteral("<td>completed</td>")));    // t001 stays plain
    }
};

QTEST_MAIN(TestReportGenerator)
#include "tst_reportgenerator.moc"
