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
sweep:
  reuse_services: false
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
        QCOMPARE(plan.trials().size() * recipe::nodeHours(recipe::BatchScriptGenerator::requests(loaded.recipe)), plan.nodeHoursWithoutReuse());
        QCOMPARE(plan.nodeHoursWithoutReuse(), 4.0); // 3 trials × (service + client + monitor) × their limits
    }

    // Service groups: trials alike in their services share one service job;
    // its time limit covers the group's client time (or is an error naming
    // the fields when the service sets a shorter one itself).
    void serviceGroups()
    {
        QString text = QString::fromLatin1(kRecipe);
        text.replace(QStringLiteral("  reuse_services: false\n"), QStringLiteral("  reuse_services: true\n"));
        // Client time: 5 s run + 1 min to start per trial, 2 trials: 2m10s, within the service's own 10m.
        CampaignPlan plan;
        QList<recipe::Diagnostic> diags;
        QVERIFY2(plan.build(load(text), recipe::ScriptContext(), &diags), qPrintable(recipe::formatDiagnostics(diags)));
        QCOMPARE(plan.groups().size(), 1);
        QCOMPARE(plan.groups().first().group.id, QStringLiteral("g01"));
        QCOMPARE(plan.groups().first().group.trials, QList<int>({0, 1}));
        QCOMPARE(plan.groups().first().services.size(), 1);
        QVERIFY(plan.groups().first().services.first().text.contains(QStringLiteral("export FB_TRIAL_DIR=\"${HOME}\"'/factorybench/runs/preview/g01'")));
        // Jobs: the service once, each trial's monitor and client.
        QCOMPARE(plan.jobCount(), 1 + 2 * 2);
        // service 1 node × 10m + per trial: client 2 nodes × 10m + monitor 1 node × 10m.
        QCOMPARE(plan.nodeHours(), (10 + 2 * (20 + 10)) / 60.0);
        QCOMPARE(plan.nodeHoursWithoutReuse(), 2 * (10 + 20 + 10) / 60.0);
        QVERIFY2(plan.nodeHoursText().contains(QStringLiteral("without service reuse")), qPrintable(plan.nodeHoursText()));
        // The trials' clients look for the endpoint in the group's folder.
        for (const session::PlannedTrial &t : plan.trials())
            for (const recipe::BatchScript &s : t.scripts)
                if (s.role == QLatin1String("client"))
                    QVERIFY(s.text.contains(QStringLiteral("export FB_SERVICES_DIR=\"${HOME}\"'/factorybench/runs/preview/g01'")));

        // A service limit shorter than its group's client time: an error naming the fields.
        QString tight = text;
        tight.replace(QStringLiteral("    duration: 5s\n"), QStringLiteral("    duration: 9m\n"));
        QVERIFY(!plan.build(load(tight), recipe::ScriptContext(), &diags));
        const QString error = recipe::formatDiagnostics(diags);
        QVERIFY2(error.startsWith(QStringLiteral("services[0].resources.time: service redis is shared by the 2 trial(s) of service group g01")), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("together, 20m ")) && error.contains(QStringLiteral("(plan.yaml:17:13)")), qPrintable(error));

        // A service that inherits the cluster's limit gets the group's client time on top.
        recipe::Recipe inherits = load(text);
        inherits.services[0].resources.time.reset(); // neither the recipe nor its template (1h) sets one
        QVERIFY2(plan.build(inherits, recipe::ScriptContext(), &diags), qPrintable(recipe::formatDiagnostics(diags)));
        QCOMPARE(plan.groups().first().services.first().request.timeSeconds.value_or(0), 600.0 + 2 * 65);

        // A sweep over a service field: one group per value.
        QString fieldSweep = text;
        fieldSweep.replace(QStringLiteral("    ports:\n      redis: 16379\n"), QStringLiteral("    ports:\n      redis: 16379\n    settings:\n      maxmemory: [1mb, 2mb, 3mb]\n"));
        QVERIFY2(plan.build(load(fieldSweep), recipe::ScriptContext(), &diags), qPrintable(recipe::formatDiagnostics(diags)));
        QCOMPARE(plan.trials().size(), 6);
        QCOMPARE(plan.groups().size(), 3);
        for (const session::PlannedGroup &g : plan.groups())
            QCOMPARE(g.group.trials.size(), 2);
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
