// CampaignPlan and recipe::JobRequest: the typed plan of a recipe — trials,
// their jobs' requests (partition, nodes, time, CPUs, memory, GRES), the
// #SBATCH header rendered from them (exactly the scripts' lines), and the one
// node-hours formula (nodes × time limit; jobs without a limit not counted).
#include "recipe/JobRequest.h"
#include "recipe/RecipeLoader.h"
#include "session/CampaignPlan.h"

#include <QTest>

using namespace fb;
using fb::session::CampaignPlan;

namespace {

const char *kRecipe = R"(version: 1
metadata:
  name: plan-test
cluster:
  resources:
    partition: cpu
    time: 10m
    memory: 256M
services:
  - name: redis
    template: redis
    container: none
    ports:
      redis: 16379
    resources:
      partition: gpu
      time: 10m
      cpus_per_task: 2
      gpus_per_node: 1
clients:
  - name: kv
    service: redis
    workload: redis
    nodes: 2
    instances: 2
    load:
      model: closed
      concurrency: [1, 8]
    duration: 5s
monitor:
  enabled: true
)";

recipe::Recipe load(const QString &text)
{
    const recipe::LoadResult r = recipe::RecipeLoader().loadAndValidateText(text, QStringLiteral("plan.yaml"));
    if (!r.ok())
        qFatal("%s", qPrintable(recipe::formatDiagnostics(r.diagnostics)));
    return r.recipe;
}

} // namespace

class TestCampaignPlan : public QObject
{
    Q_OBJECT

private slots:
    void trialsJobsAndRequests()
    {
        CampaignPlan plan;
        QList<recipe::Diagnostic> diags;
        QVERIFY(plan.build(load(QString::fromLatin1(kRecipe)), recipe::ScriptContext(), &diags));
        QCOMPARE(plan.trials().size(), 2);
        QCOMPARE(plan.jobCount(), 6); // monitor, service, client per trial
        const session::PlannedTrial &t = plan.trials().first();
        QVERIFY(t.errors.isEmpty());
        QCOMPARE(t.trial.parameters.value(0).value, QStringLiteral("1"));
        QStringList roles;
        for (const recipe::JobRequest &j : t.jobs())
            roles << j.role + QLatin1Char(':') + j.name;
        QCOMPARE(roles, (QStringList{QStringLiteral("monitor:prometheus"), QStringLiteral("service:redis"), QStringLiteral("client:kv")}));

        const recipe::JobRequest service = t.jobs().at(1);
        QCOMPARE(service.partition, QStringLiteral("gpu"));   // its own
        QCOMPARE(t.jobs().at(2).partition, QStringLiteral("cpu")); // the cluster's default
        QCOMPARE(service.timeSeconds.value_or(-1), 600.0);
        QCOMPARE(t.jobs().at(2).timeSeconds.value_or(-1), 600.0); // the cluster's default
        QCOMPARE(service.memoryText(), QStringLiteral("8G"));    // the redis template's
        QCOMPARE(t.jobs().at(2).memoryText(), QStringLiteral("256M")); // the cluster's default
        QCOMPARE(service.cpusPerTask, 2);                     // its own
        QCOMPARE(service.gres, QStringLiteral("gpu:1"));
        QCOMPARE(service.nodeCount(), 1);
        QCOMPARE(t.jobs().at(2).nodes, 2);                   // the client's nodes
        QCOMPARE(t.jobs().at(2).jobName, QStringLiteral("fb-t1-client-kv").replace(QStringLiteral("t1"), t.trial.id));
    }

    // The header of every generated script is exactly the request's #SBATCH lines.
    void headerIsRenderedFromTheRequest()
    {
        CampaignPlan plan;
        QList<recipe::Diagnostic> diags;
        QVERIFY(plan.build(load(QString::fromLatin1(kRecipe)), recipe::ScriptContext(), &diags));
        for (const session::PlannedTrial &t : plan.trials())
            for (const recipe::BatchScript &s : t.scripts) {
                QStringList lines, errors;
                QVERIFY(s.request.sbatchLines(&lines, &errors));
                QStringList inScript;
                for (const QString &l : s.text.split(QLatin1Char('\n')))
                    if (l.startsWith(QLatin1String("#SBATCH")))
                        inScript << l;
                QCOMPARE(inScript, lines);
                QVERIFY(lines.contains(QStringLiteral("#SBATCH --partition=") + s.request.partition));
                QVERIFY(lines.contains(QStringLiteral("#SBATCH --time=") + s.request.timeText()));
            }
    }

    void nodeHoursFormula()
    {
        CampaignPlan plan;
        QList<recipe::Diagnostic> diags;
        QVERIFY(plan.build(load(QString::fromLatin1(kRecipe)), recipe::ScriptContext(), &diags));
        // Per trial: monitor 1 node + service 1 + client 2 = 4 nodes × 10 min; two trials.
        QCOMPARE(plan.nodeHours(), 2 * 4 * 600 / 3600.0);
        QCOMPARE(plan.jobsWithoutTimeLimit(), 0);
        QCOMPARE(plan.nodeHoursText(), QStringLiteral("1.33 node-hours (from time limits)"));

        // No time limit in the recipe: only the redis template's (1 h for
        // the service) counts; the text says how many jobs were left out.
        QString text = QString::fromLatin1(kRecipe);
        text.remove(QStringLiteral("      time: 10m\n")).remove(QStringLiteral("    time: 10m\n"));
        QVERIFY(plan.build(load(text), recipe::ScriptContext(), &diags));
        QCOMPARE(plan.nodeHours(), 2 * 1.0);
        QCOMPARE(plan.jobsWithoutTimeLimit(), 4);
        QCOMPARE(plan.nodeHoursText(), QStringLiteral("2 node-hours (from time limits), 4 jobs without a time limit not counted"));

        recipe::JobRequest j;
        j.nodes = 3;
        j.timeSeconds = 7200;
        QCOMPARE(j.nodeHours(), 6.0);
        recipe::JobRequest k; // one node by default
        k.timeSeconds = 1800;
        QCOMPARE(recipe::nodeHours({j, k}), 6.5);
    }

    // The requests without the scripts (the editor's node-hours) are the
    // scripts' own; with no swept resources, trials × their node-hours is the
    // plan's (the editor, fbctl plan and the Session panel agree).
    void requestsWithoutScripts()
    {
        const recipe::LoadResult loaded = recipe::RecipeLoader().loadAndValidateFile(QStringLiteral(FB_SOURCE_DIR "/recipes/examples/local-redis.yaml"));
        QVERIFY2(loaded.ok(), qPrintable(recipe::formatDiagnostics(loaded.diagnostics)));
        CampaignPlan plan;
        QList<recipe::Diagnostic> diags;
        QVERIFY(plan.build(loaded.recipe, recipe::ScriptContext(), &diags));
        const session::PlannedTrial &first = plan.trials().first();
        QCOMPARE(recipe::BatchScriptGenerator::requests(first.trial.recipe), first.jobs());
        QCOMPARE(plan.trials().size() * recipe::nodeHours(recipe::BatchScriptGenerator::requests(loaded.recipe)), plan.nodeHours());
        QCOMPARE(plan.nodeHours(), 4.0); // 3 trials × (service + client + monitor) × their limits, as fbctl plan prints
    }

    void unsafeValueNamesTheField()
    {
        recipe::Resources r;
        r.partition = QStringLiteral("cpu;rm -rf");
        const auto j = recipe::JobRequest::fromResources(r, QStringLiteral("service"), QStringLiteral("redis"), QStringLiteral("fb-x"),
                                                         QStringLiteral("logs/x-%j.out"), QStringLiteral("service redis resources"));
        QStringList lines, errors;
        QVERIFY(!j.sbatchLines(&lines, &errors));
        QCOMPARE(errors.size(), 1);
        QVERIFY2(errors.first().startsWith(QStringLiteral("service redis resources.partition: \"cpu;rm -rf\"")), qPrintable(errors.first()));
        QVERIFY(!lines.join(QLatin1Char('\n')).contains(QStringLiteral("rm -rf")));
    }
};

QTEST_GUILESS_MAIN(TestCampaignPlan)
#include "tst_campaignplan.moc"
