// RecipeFields / FieldPath: every field of a full recipe read and written by
// its path, each write compared with setting the same text in the YAML at
// that place and loading it (same recipe, or the same loader message); bad
// paths name the path and the position in it; unset optionals.
#include "RecipeTestUtil.h"

#include "recipe/FieldPath.h"
#include "recipe/RecipeYaml_p.h"

#include <QtTest>

using namespace fb::recipe;

namespace {

// Every section and field of the model, most of them off their defaults.
const char *kFull = R"(version: 1
metadata:
  name: full
  description: every field
  tags: [a, b]
  notes: some notes
  seed: 7
cluster:
  resources: {account: acc, partition: cpu, qos: normal, time: 1h, nodes: 2, ntasks: 4, cpus_per_task: 8, memory: 16G, gres: "gpu:2", gpus_per_node: 2, exclusive: true, reservation: res, constraint: intel}
  modules: [Apptainer, GCC]
  environment: {HOME_DIR: /tmp, MODE: fast}
  workdir: $SCRATCH/fb
services:
  - name: redis
    template: redis
    settings:
      maxmemory: 8gb
      io-threads: 2
      nested: {level: 1}
  - name: web
    kind: generic
    container: {sif: web.sif, source: "oras:nginx", nv: true, binds: ["/a:/b", "/c:/d:ro"], mode: run}
    command: [nginx, -g, "daemon off;"]
    ports: {http: 8080, admin: 9000}
    environment: {A: "1"}
    health: {type: http, path: /health, port: http, command: [curl, x], interval: 3s, timeout: 2m}
    resources: {partition: gpu, time: 30m, memory: 4G}
    files:
      - {path: conf/a.conf, content: "x = 1\n"}
      - {path: conf/b.conf, content: "y = 2\n"}
    model: {name: "llama3.2:1b", pull: true}
    ray: {head_port: 6380, dashboard_port: 8266, tensor_parallel: 2, pipeline_parallel: 2}
clients:
  - name: kv
    service: redis
    port: redis
    workload: redis
    threads: 4
    load: {model: gamma, concurrency: 8, rate: 100, burstiness: 0.5, ramp_up: 5s}
    warmup: 5s
    duration: 1m
    requests: 1000
    timeout: 20s
    seed: 3
    slo: {ttft: 500ms, tpot: 50ms, e2el: 2s}
    instances: 2
    nodes: 2
    wait_timeout: 10m
    resources: {partition: cpu, cpus_per_task: 2}
    environment: {X: y}
    params: {value_size: 64, operations: {get: 0.9, set: 0.1}, flag: true}
  - name: web-load
    service: web
    workload: http
monitor:
  enabled: true
  scrape_interval: 2s
  prometheus: {enabled: true, port: 9091, command: [prometheus, --x], container: {source: "oras:prom"}}
  node_exporter: {enabled: false, port: 9101}
  gpu_exporter: {enabled: true, port: 9401}
  retention: 1d
  resources: {partition: mon}
sweep:
  repetitions: 2
  max_trials: 50
  max_parallel_trials: 3
  zip:
    - ["clients[0].threads", "clients[0].instances"]
)";

Recipe full()
{
    const LoadResult r = RecipeLoader(&test::catalog()).loadText(QString::fromLatin1(kFull));
    if (!r.ok())
        qWarning("%s", qPrintable(formatDiagnostics(r.diagnostics)));
    return r.recipe;
}

// The same text set at `path` in the YAML, then the document read by the loader.
struct YamlResult { bool ok = false; Recipe recipe; QString message; };
YamlResult setInYaml(const QString &path, const QString &yamlValue)
{
    YAML::Node root = YAML::Load(kFull);
    QList<detail::PathSegment> segs;
    detail::splitPath(path, &segs);
    YAML::Node n = root;
    for (qsizetype i = 0; i + 1 < segs.size(); ++i) {
        if (segs[i].index >= 0) {
            n.reset(n[segs[i].index]);
        } else {
            const std::string key = segs[i].key.toStdString();
            if (!n[key])
                n[key] = YAML::Node(YAML::NodeType::Map);
            n.reset(n[key]);
        }
    }
    n[segs.last().key.toStdString()] = YAML::Load(yamlValue.toStdString());
    YamlResult out;
    QList<Diagnostic> diags;
    detail::readRecipe(root, QStringLiteral("recipe.yaml"), test::catalog(), true, &out.recipe, &diags);
    out.ok = !hasErrors(diags);
    for (const Diagnostic &d : diags)
        if (d.severity == Diagnostic::Error && out.message.isEmpty())
            out.message = d.message;
    return out;
}

} // namespace

class TestRecipeFields : public QObject
{
    Q_OBJECT

private slots:
    void everyPathReadsAndWritesBack()
    {
        const Recipe r = full();
        const RecipeFields fields(&test::catalog());
        const QStringList paths = fields.paths(r);
        // Every section of the model is reached.
        for (const char *p : {"version", "metadata.tags", "cluster.resources.exclusive", "cluster.environment.MODE",
                              "services[0].settings.io-threads", "services[0].settings.nested.level", "services[1].container.binds",
                              "services[1].ports.admin", "services[1].health.timeout", "services[1].files[1].content",
                              "services[1].model.pull", "services[1].ray.pipeline_parallel", "clients[0].load.burstiness",
                              "clients[0].slo.e2el", "clients[0].params.operations.get",
                              "monitor.prometheus.container.source", "monitor.gpu_exporter.port", "sweep.max_parallel_trials",
                              "sweep.zip[0]", "clients[1].wait_timeout"})
            QVERIFY2(paths.contains(QLatin1String(p)), p);
        QVERIFY2(paths.size() > 150, qPrintable(QString::number(paths.size())));
        for (const QString &path : paths) {
            FieldError why;
            const auto v = fields.read(r, path, &why);
            QVERIFY2(v && v->kind != FieldValue::Kind::Unset, qPrintable(path + QLatin1Char(' ') + why.toString()));
            Recipe copy = r;
            QVERIFY2(fields.write(&copy, path, *v, &why), qPrintable(why.toString()));
            QVERIFY2(copy == r, qPrintable(path));
        }
    }

    // Each path written through the API equals the same text in the YAML:
    // the same recipe when it reads, the loader's own message when not.
    void writeEqualsYaml()
    {
        const Recipe r = full();
        const RecipeFields fields(&test::catalog());
        const QStringList candidates{QStringLiteral("7"), QStringLiteral("0"), QStringLiteral("42s"), QStringLiteral("2G"),
                                     QStringLiteral("false"), QStringLiteral("true"), QStringLiteral("none"), QStringLiteral("exec"), QStringLiteral("postgres"), QStringLiteral("poisson"),
                                     QStringLiteral("http"), QStringLiteral("run"), QStringLiteral("other text"), QString()};
        int changed = 0, refused = 0;
        QSet<QString> considered, writable;
        for (const QString &path : fields.paths(r)) {
            if (path == QLatin1String("version") || path.startsWith(QLatin1String("sweep.zip")) || path.endsWith(QLatin1String(".template")))
                continue; // version 7 is "newer than this FactoryBench"; zip groups are lists of paths; template: below
            considered.insert(path);
            for (const QString &text : candidates) {
                Recipe api = r;
                FieldError why;
                const bool ok = fields.write(&api, path, FieldValue::scalar(text), &why);
                const YamlResult yaml = setInYaml(path, text.isEmpty() ? QStringLiteral("''") : text);
                const QString row = QStringLiteral("%1 = \"%2\"").arg(path, text);
                QVERIFY2(ok == yaml.ok, qPrintable(row + QStringLiteral(": api ") + why.toString() + QStringLiteral(" / yaml ") + yaml.message));
                if (ok) {
                    QVERIFY2(api == yaml.recipe, qPrintable(row));
                    if (!(api == r)) {
                        ++changed;
                        writable.insert(path);
                    }
                } else {
                    QCOMPARE(why.message, yaml.message);
                    QCOMPARE(why.path, path);
                    ++refused;
                }
            }
        }
        qInfo("%d writes changed the recipe, %d were refused with the loader's message, %lld paths changed",
              changed, refused, qint64(writable.size()));
        QVERIFY(changed > 100 && refused > 100);
        considered.remove(QStringLiteral("services[0].files")); // an empty list of {path, content}: its items are the fields
        const QStringList unchanged = QStringList((considered - writable).values());
        QVERIFY2(unchanged.isEmpty(), qPrintable(unchanged.join(QStringLiteral(", ")))); // every field was written
    }

    void readsTypedText()
    {
        const Recipe r = full();
        const RecipeFields fields(&test::catalog());
        QCOMPARE(fields.read(r, QStringLiteral("clients[0].duration"))->text, QStringLiteral("1m"));
        QCOMPARE(fields.read(r, QStringLiteral("clients[0].slo.ttft"))->text, QStringLiteral("500ms"));
        QCOMPARE(fields.read(r, QStringLiteral("cluster.resources.memory"))->text, QStringLiteral("16G"));
        QCOMPARE(fields.read(r, QStringLiteral("services[0].settings.maxmemory"))->text, QStringLiteral("8gb"));
        QCOMPARE(fields.read(r, QStringLiteral("metadata.tags"))->items, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
        QCOMPARE(fields.read(r, QStringLiteral("metadata.tags[1]"))->text, QStringLiteral("b"));
        QCOMPARE(fields.read(r, QStringLiteral("clients[1].duration"))->kind, FieldValue::Kind::Unset);
        QCOMPARE(fields.read(r, QStringLiteral("clients[1].load.rate"))->kind, FieldValue::Kind::Unset);
    }

    void writesTyped()
    {
        Recipe r = full();
        const RecipeFields fields(&test::catalog());
        QVERIFY(fields.write(&r, QStringLiteral("clients[0].load.rate"), FieldValue::scalar(QStringLiteral("2.5"))));
        QCOMPARE(r.clients[0].load.rate, 2.5);
        QVERIFY(fields.write(&r, QStringLiteral("services[1].resources.memory"), FieldValue::scalar(QStringLiteral("1G"))));
        QCOMPARE(r.services[1].resources.memory, qint64(1) << 30);
        QVERIFY(fields.write(&r, QStringLiteral("services[0].settings.maxmemory"), FieldValue::scalar(QStringLiteral("1024"))));
        QCOMPARE(r.services[0].settings.value(QStringLiteral("maxmemory")).toInteger(), 1024);
        QCOMPARE(r.services[0].settings.value(QStringLiteral("io-threads")).toInteger(), 2); // the others stay
        QVERIFY(fields.write(&r, QStringLiteral("sweep.max_trials"), FieldValue::scalar(QStringLiteral("99"))));
        QCOMPARE(r.sweep.maxTrials, 99);
        QVERIFY(fields.write(&r, QStringLiteral("metadata.name"), FieldValue::scalar(QStringLiteral("renamed"))));
        QCOMPARE(r.metadata.name, QStringLiteral("renamed"));
        QVERIFY(fields.write(&r, QStringLiteral("metadata.tags[0]"), FieldValue::scalar(QStringLiteral("z"))));
        QCOMPARE(r.metadata.tags, (QStringList{QStringLiteral("z"), QStringLiteral("b")}));
        QVERIFY(fields.write(&r, QStringLiteral("services[1].ports.http"), FieldValue::scalar(QStringLiteral("81"))));
        QCOMPARE(r.services[1].portNumber(QStringLiteral("http")), 81);
        QVERIFY(fields.write(&r, QStringLiteral("services[1].files[1].content"), FieldValue::scalar(QStringLiteral("new"))));
        QCOMPARE(r.services[1].files[1].content, QStringLiteral("new"));
        QCOMPARE(r.services[1].files[0].content, QStringLiteral("x = 1\n"));
        QVERIFY(fields.write(&r, QStringLiteral("services[1].command"), FieldValue::list({QStringLiteral("a b"), QStringLiteral("c")})));
        QCOMPARE(r.services[1].command, (QStringList{QStringLiteral("a b"), QStringLiteral("c")}));
        // Unset: optionals become "not set", Resources counts 0.
        QVERIFY(fields.write(&r, QStringLiteral("clients[0].duration"), FieldValue::unset()));
        QVERIFY(!r.clients[0].duration);
        QVERIFY(fields.write(&r, QStringLiteral("cluster.resources.nodes"), FieldValue::unset()));
        QCOMPARE(r.cluster.resources.nodes, 0);
        QVERIFY(fields.write(&r, QStringLiteral("cluster.resources.memory"), FieldValue::unset()));
        QVERIFY(!r.cluster.resources.memory);
        // A monitor field does not switch the monitor on.
        Recipe off = full();
        off.monitor.enabled = false;
        QVERIFY(fields.write(&off, QStringLiteral("monitor.scrape_interval"), FieldValue::scalar(QStringLiteral("9s"))));
        QVERIFY(!off.monitor.enabled);
    }

    // A new template replaces the service by the template's, under the same name.
    void templateReplacesTheService()
    {
        Recipe r = full();
        const RecipeFields fields(&test::catalog());
        QVERIFY(fields.write(&r, QStringLiteral("services[0].template"), FieldValue::scalar(QStringLiteral("postgres"))));
        const LoadResult fresh = RecipeLoader(&test::catalog()).loadText(
            QStringLiteral("version: 1\nservices:\n  - {name: redis, template: postgres}\n"));
        QVERIFY(fresh.ok());
        QVERIFY(r.services[0] == fresh.recipe.services[0]);
        FieldError why;
        QVERIFY(!fields.write(&r, QStringLiteral("services[0].template"), FieldValue::scalar(QStringLiteral("postgress")), &why));
        QVERIFY2(why.message.contains(QStringLiteral("did you mean \"postgres\"")), qPrintable(why.message));
    }

    void badPaths_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("position");
        QTest::addColumn<QString>("message");
        QTest::newRow("index past the end") << "clients[9]" << 8 << "no such item: clients has 2 (clients[0] to clients[1])";
        QTest::newRow("index past the end, deeper") << "clients[9].load.rate" << 8 << "no such item: clients has 2 (clients[0] to clients[1])";
        QTest::newRow("unknown key") << "clients[0].nope" << 12 << "unknown key \"nope\"";
        QTest::newRow("typo") << "clients[0].warmpu" << 12 << "did you mean \"warmup\"?";
        QTest::newRow("below a value") << "clients[0].load.rate.x" << 22 << "clients[0].load.rate is a value (expected a number), it has no field \"x\"";
        QTest::newRow("key on a list") << "clients.name" << 9 << "clients is a list: name an item, such as clients[0]";
        QTest::newRow("index on a section") << "metadata[0]" << 9 << "metadata is not a list: it has no item [0]";
        QTest::newRow("file past the end") << "services[1].files[5].path" << 18 << "no such item: services[1].files has 2";
        QTest::newRow("unknown section") << "monitors.enabled" << 1 << "unknown key \"monitors\"; did you mean \"monitor\"?";
        QTest::newRow("empty") << "" << 1 << "the path is empty";
        QTest::newRow("bad index") << "clients[x].name" << 9 << "expected an index such as [0]";
        QTest::newRow("double dot") << "clients[0]..name" << 12 << "expected a field name, got \".\"";
        QTest::newRow("trailing dot") << "metadata." << 10 << "expected a field name after \".\"";
        QTest::newRow("space") << "metadata .name" << 9 << "expected \".\" or \"[\" after \"metadata\", got \" \"";
        QTest::newRow("huge index") << "clients[99999999]" << 9 << "index 99999999 is too large";
    }
    void badPaths()
    {
        QFETCH(QString, path);
        QFETCH(int, position);
        QFETCH(QString, message);
        const Recipe r = full();
        const RecipeFields fields(&test::catalog());
        FieldError read, write;
        QVERIFY(!fields.read(r, path, &read));
        Recipe copy = r;
        QVERIFY(!fields.write(&copy, path, FieldValue::scalar(QStringLiteral("1")), &write));
        QVERIFY(copy == r);
        for (const FieldError &e : {read, write}) {
            QCOMPARE(e.path, path);
            QCOMPARE(e.position, position);
            QVERIFY2(e.message.contains(message), qPrintable(e.toString()));
            QVERIFY2(e.toString().startsWith(path + QStringLiteral(": at position %1: ").arg(position)), qPrintable(e.toString()));
        }
    }

    void sectionsAreNotFields()
    {
        const RecipeFields fields(&test::catalog());
        FieldError why;
        QVERIFY(!fields.read(full(), QStringLiteral("clients[0].load"), &why));
        QVERIFY2(why.message.startsWith(QStringLiteral("is a section, not a field: name one of its fields (model, concurrency")), qPrintable(why.message));
        QVERIFY(!fields.read(full(), QStringLiteral("clients"), &why));
        QVERIFY2(why.message.contains(QStringLiteral("clients[0].name")), qPrintable(why.message));
    }

    void typeErrorsAreTheLoaders()
    {
        Recipe r = full();
        const Recipe before = r;
        const RecipeFields fields(&test::catalog());
        FieldError why;
        QVERIFY(!fields.write(&r, QStringLiteral("clients[0].threads"), FieldValue::scalar(QStringLiteral("0")), &why));
        QCOMPARE(why.message, QStringLiteral("must be between 1 and 4096, got 0"));
        QCOMPARE(why.position, 0);
        QCOMPARE(why.toString(), QStringLiteral("clients[0].threads: must be between 1 and 4096, got 0"));
        QVERIFY(!fields.write(&r, QStringLiteral("clients[0].warmup"), FieldValue::scalar(QStringLiteral("abc")), &why));
        QCOMPARE(why.message, QStringLiteral("expected a duration such as \"30s\", got \"abc\""));
        QVERIFY(!fields.write(&r, QStringLiteral("clients[0].load.model"), FieldValue::scalar(QStringLiteral("poison")), &why));
        QVERIFY2(why.message.endsWith(QStringLiteral("did you mean \"poisson\"?")), qPrintable(why.message));
        QVERIFY(!fields.write(&r, QStringLiteral("clients[0].threads"), FieldValue::list({QStringLiteral("1"), QStringLiteral("2")}), &why));
        QVERIFY2(why.message.startsWith(QStringLiteral("expected one value, got a list")), qPrintable(why.message));
        QVERIFY(!fields.write(&r, QStringLiteral("clients[0].name"), FieldValue::unset(), &why));
        QCOMPARE(why.message, QStringLiteral("expected a string, got nothing"));
        QVERIFY(r == before);
    }
};

QTEST_GUILESS_MAIN(TestRecipeFields)
#include "tst_recipefields.moc"
