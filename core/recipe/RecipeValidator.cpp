#include "recipe/RecipeValidator.h"

#include "recipe/ExternalTarget.h"
#include "recipe/RecipeLoader.h"
#include "recipe/ShellQuote.h"
#include "recipe/WireValues.h"
#include "recipe/YamlPrescan.h"

#include <QRegularExpression>
#include <QSet>

#include <limits>

namespace fb::recipe {

bool isValidName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"));
    return re.match(name).hasMatch();
}

qint64 RecipeValidator::trialCount(const Sweep &sweep)
{
    QSet<QString> zipped;
    qint64 count = 1;
    const auto mul = [&count](qint64 f) {
        count = (f > 0 && count > std::numeric_limits<qint64>::max() / f) ? std::numeric_limits<qint64>::max() : count * f;
    };
    for (const QStringList &group : sweep.zip) {
        qsizetype len = -1;
        for (const QString &path : group) {
            for (const SweepAxis &a : sweep.axes)
                if (a.path == path) {
                    if (len >= 0 && a.values.size() != len)
                        return -1;
                    len = a.values.size();
                }
            zipped.insert(path);
        }
        if (len > 0)
            mul(len);
    }
    for (const SweepAxis &a : sweep.axes)
        if (!zipped.contains(a.path))
            mul(a.values.size());
    mul(sweep.repetitions);
    return count;
}

namespace {

// Workload params fbload understands. llm, redis and http mirror the
// rejectUnknown() lists in core/clients/src/workloads/*.cpp (fbload rejects
// anything else at start-up, so warning here saves a queue wait); the others
// are the parameters docs/recipe-format.md specifies for workloads fbload
// does not implement yet.
QStringList knownParams(const QString &workload)
{
    if (workload == QLatin1String("llm"))
        return {QStringLiteral("api"), QStringLiteral("model"), QStringLiteral("prompt_tokens"), QStringLiteral("max_tokens"),
                QStringLiteral("stream"), QStringLiteral("dataset"), QStringLiteral("ignore_eos"), QStringLiteral("pull"),
                QStringLiteral("warmup_request"), QStringLiteral("path"), QStringLiteral("api_key"), QStringLiteral("temperature"),
                QStringLiteral("headers"), QStringLiteral("extra_body"), QStringLiteral("prompts"),
                // params.dataset (docs/fbload.md, Datasets and trace replay)
                QStringLiteral("dataset_format"), QStringLiteral("multi_turn"), QStringLiteral("shuffle"),
                QStringLiteral("num_prompts"), QStringLiteral("time_scale"), QStringLiteral("timestamp_unit"),
                QStringLiteral("block_tokens"), QStringLiteral("request_log")};
    if (workload == QLatin1String("redis"))
        return {QStringLiteral("operations"), QStringLiteral("value_size"), QStringLiteral("pipeline"), QStringLiteral("keyspace"),
                QStringLiteral("key_distribution"), QStringLiteral("key_prefix"), QStringLiteral("key_stddev"),
                QStringLiteral("password"), QStringLiteral("username"), QStringLiteral("database")};
    if (workload == QLatin1String("http"))
        return {QStringLiteral("method"), QStringLiteral("path"), QStringLiteral("headers"), QStringLiteral("body"), QStringLiteral("host_header")};
    // These lists mirror what fbload itself accepts (it prints them on an
    // unknown key: fbload run --workload W --set params.x=1).
    if (workload == QLatin1String("postgres"))
        return {QStringLiteral("tables"), QStringLiteral("table_size"), QStringLiteral("mode"), QStringLiteral("point_selects"), QStringLiteral("simple_ranges"), QStringLiteral("sum_ranges"), QStringLiteral("order_ranges"), QStringLiteral("distinct_ranges"), QStringLiteral("range_size"), QStringLiteral("index_updates"), QStringLiteral("non_index_updates"), QStringLiteral("delete_inserts"), QStringLiteral("table_prefix"), QStringLiteral("user"), QStringLiteral("password"), QStringLiteral("database"), QStringLiteral("prepare"), QStringLiteral("cleanup"), QStringLiteral("connect_timeout"), QStringLiteral("round_trips")};
    if (workload == QLatin1String("mysql"))
        return {QStringLiteral("tables"), QStringLiteral("table_size"), QStringLiteral("mode"), QStringLiteral("point_selects"), QStringLiteral("simple_ranges"), QStringLiteral("sum_ranges"), QStringLiteral("order_ranges"), QStringLiteral("distinct_ranges"), QStringLiteral("range_size"), QStringLiteral("index_updates"), QStringLiteral("non_index_updates"), QStringLiteral("delete_inserts"), QStringLiteral("table_prefix"), QStringLiteral("user"), QStringLiteral("password"), QStringLiteral("database"), QStringLiteral("prepare"), QStringLiteral("cleanup"), QStringLiteral("connect_timeout"), QStringLiteral("round_trips"), QStringLiteral("engine")};
    if (workload == QLatin1String("s3"))
        return {QStringLiteral("bucket"), QStringLiteral("create_bucket"), QStringLiteral("access_key"), QStringLiteral("secret_key"), QStringLiteral("region"), QStringLiteral("key_prefix"), QStringLiteral("objects"), QStringLiteral("key_distribution"), QStringLiteral("operations"), QStringLiteral("object_size"), QStringLiteral("object_sizes"), QStringLiteral("multipart_threshold"), QStringLiteral("part_size"), QStringLiteral("verify"), QStringLiteral("list_max_keys"), QStringLiteral("list_expect"), QStringLiteral("payload"), QStringLiteral("host_header")};
    if (workload == QLatin1String("file"))
        return {QStringLiteral("dir"), QStringLiteral("block_size"), QStringLiteral("file_size"), QStringLiteral("files_per_thread"), QStringLiteral("direct"), QStringLiteral("fsync"), QStringLiteral("pattern"), QStringLiteral("op"), QStringLiteral("read_percent"), QStringLiteral("verify"), QStringLiteral("prefill"), QStringLiteral("keep_files")};
    if (workload == QLatin1String("vector"))
        return {QStringLiteral("backend"), QStringLiteral("collection"), QStringLiteral("dimension"), QStringLiteral("batch_size"), QStringLiteral("top_k"), QStringLiteral("count"), QStringLiteral("operations"), QStringLiteral("recreate"), QStringLiteral("host_header"), QStringLiteral("api_key")};
    if (workload == QLatin1String("faiss"))
        return {QStringLiteral("backend"), QStringLiteral("index"), QStringLiteral("count"), QStringLiteral("dimension"), QStringLiteral("queries"), QStringLiteral("top_k"), QStringLiteral("nlist"), QStringLiteral("nprobe"), QStringLiteral("hnsw_m"), QStringLiteral("ef_construction"), QStringLiteral("ef_search"), QStringLiteral("threads"), QStringLiteral("seed")};
    return {};
}

class Checker
{
public:
    Checker(const Recipe &r, const RecipeValidator &v) : m_r(r), m_v(v) {}
    QList<Diagnostic> run();

private:
    const Recipe &m_r;
    const RecipeValidator &m_v;
    QList<Diagnostic> m_out;

    void add(Diagnostic::Severity sev, const QString &path, const QString &message, const QString &positionPath = {})
    {
        const SourcePosition pos = m_r.positionOf(positionPath.isEmpty() ? path : positionPath);
        m_out.append({sev, path, pos.file, pos.line, pos.column, message});
    }
    void error(const QString &path, const QString &message) { add(Diagnostic::Error, path, message); }
    void warning(const QString &path, const QString &message) { add(Diagnostic::Warning, path, message); }

    QString clusterName() const
    {
        return m_v.tools.source.isEmpty() ? QStringLiteral("the selected cluster") : QStringLiteral("cluster \"%1\"").arg(m_v.tools.source);
    }
    // A container runs with `apptainer exec`: warn when the cluster says it has none
    // (the job would fail with "apptainer: command not found", exit 127).
    void needsApptainer(const QString &path, const QString &fix)
    {
        if (m_v.tools.lacksApptainer())
            warning(path, QStringLiteral("runs in an Apptainer container, but %1 has no Apptainer: %2").arg(clusterName(), fix));
    }

    void name(const QString &path, const QString &value, const QString &what)
    {
        if (value.isEmpty())
            error(path, QStringLiteral("missing: every %1 needs a name").arg(what));
        else if (!isValidName(value))
            error(path, QStringLiteral("\"%1\" cannot be used as a %2 name: use letters, digits, '_', '.' and '-' (up to 63, starting with a letter or digit)").arg(value, what));
    }

    // An external service (services[].external): already running, so no job,
    // no command, container or resources — those fields are ignored (with a
    // warning when the recipe writes them itself, not when a template does).
    // Its health check still runs, from each client job, against host:port.
    void external(const QString &p, const Service &s)
    {
        const QString ep = p + QStringLiteral(".external");
        if (s.external.host.isEmpty())
            error(ep + QStringLiteral(".host"), QStringLiteral("missing: an external service needs a host (external: {host: HOST, port: PORT})"));
        else if (!isValidExternalHost(s.external.host))
            error(ep + QStringLiteral(".host"),
                  QStringLiteral("\"%1\" is not a host name or IP address: use letters, digits, '-' and '.', or an IPv6 address").arg(s.external.host));
        if (s.external.port == 0)
            error(ep + QStringLiteral(".port"), QStringLiteral("missing: an external service needs a port (1 to 65535)"));
        if (s.health.type == QLatin1String("command") && s.health.command.isEmpty())
            error(p + QStringLiteral(".health.command"), QStringLiteral("missing: a command health check needs a command"));
        if (s.health.type == QLatin1String("http") && !s.health.path.startsWith(QLatin1Char('/')))
            error(p + QStringLiteral(".health.path"), QStringLiteral("an HTTP path starts with '/', got \"%1\"").arg(s.health.path));
        if (s.health.interval <= 0)
            error(p + QStringLiteral(".health.interval"), QStringLiteral("must be more than 0s"));
        if (externalHealthIsReplaced(s))
            warning(p + QStringLiteral(".health.command"),
                    QStringLiteral("the command health check never names {host}, so it cannot reach external service \"%1\": it is checked with tcp "
                                   "(write one with {host} and {port}, e.g. [redis-cli, -h, \"{host}\", -p, \"{port}\", ping], to keep it)").arg(s.name));
        static const QStringList ignored{QStringLiteral("container"), QStringLiteral("command"), QStringLiteral("ports"),
                                         QStringLiteral("environment"), QStringLiteral("files"), QStringLiteral("resources"),
                                         QStringLiteral("settings"), QStringLiteral("model"), QStringLiteral("ray"),
                                         QStringLiteral("between_trials"), QStringLiteral("health.port")};
        for (const QString &field : ignored)
            if (m_r.positions.contains(p + QLatin1Char('.') + field))
                warning(p + QLatin1Char('.') + field,
                        QStringLiteral("ignored: service \"%1\" is external (no job is started for it; its health check runs against external.host:port)")
                            .arg(s.name));
    }

    void resources(const QString &path, const Resources &own, const Resources &effective, int expectedNodes = 0)
    {
        const QStringList sbatch{QStringLiteral("account"), QStringLiteral("partition"), QStringLiteral("qos"),
                                 QStringLiteral("gres"), QStringLiteral("reservation"), QStringLiteral("constraint")};
        const QStringList values{own.account, own.partition, own.qos, own.gres, own.reservation, own.constraint};
        for (int i = 0; i < sbatch.size(); ++i)
            if (!values[i].isEmpty() && !isSbatchSafe(values[i]))
                error(path + QLatin1Char('.') + sbatch[i],
                      QStringLiteral("\"%1\" is not a valid Slurm value: use letters, digits and _.,:=+/@%-").arg(values[i]));
        const int gpus = effective.gpuCount();
        const bool gpuPartition = m_v.gpuPartitions.contains(effective.partition);
        if (gpus > 0 && !effective.partition.isEmpty() && !gpuPartition)
            error(path + QStringLiteral(".partition"),
                  QStringLiteral("asks for %1 GPU(s) per node but partition \"%2\" has no GPUs (GPU partitions: %3)")
                      .arg(gpus).arg(effective.partition, m_v.gpuPartitions.join(QStringLiteral(", "))));
        else if (gpus == 0 && gpuPartition)
            warning(path + QStringLiteral(".partition"),
                    QStringLiteral("runs on GPU partition \"%1\" without asking for GPUs (set gpus_per_node or gres)").arg(effective.partition));
        if (expectedNodes > 0 && effective.nodes > 0 && effective.nodes < expectedNodes)
            error(path + QStringLiteral(".nodes"),
                  QStringLiteral("needs at least %1 node(s), got %2").arg(expectedNodes).arg(effective.nodes));
    }
};

QList<Diagnostic> Checker::run()
{
    if (m_r.services.isEmpty() && m_r.clients.isEmpty())
        warning(QStringLiteral("services"), QStringLiteral("the recipe deploys nothing and runs no client"));

    resources(QStringLiteral("cluster.resources"), m_r.cluster.resources, m_r.cluster.resources);
    for (int i = 0; i < m_r.cluster.modules.size(); ++i)
        if (m_r.cluster.modules[i].trimmed().isEmpty() || m_r.cluster.modules[i].contains(QLatin1Char('\n')))
            error(QStringLiteral("cluster.modules[%1]").arg(i), QStringLiteral("expected a module name such as \"Apptainer\""));
    for (const KeyValue &kv : m_r.cluster.environment)
        if (!isShellIdentifier(kv.key))
            error(QStringLiteral("cluster.environment.") + kv.key, QStringLiteral("\"%1\" is not a valid environment variable name").arg(kv.key));

    QSet<QString> serviceNames;
    for (int i = 0; i < m_r.services.size(); ++i) {
        const Service &s = m_r.services[i];
        const QString p = QStringLiteral("services[%1]").arg(i);
        name(p + QStringLiteral(".name"), s.name, QStringLiteral("service"));
        if (!s.name.isEmpty() && serviceNames.contains(s.name))
            error(p + QStringLiteral(".name"), QStringLiteral("another service is already named \"%1\"").arg(s.name));
        serviceNames.insert(s.name);
        if (s.external.isSet()) {
            external(p, s);
            continue;
        }
        if (s.kind.isEmpty())
            error(p + QStringLiteral(".kind"), QStringLiteral("missing: set kind (%1) or use a template").arg(serviceKinds().join(QStringLiteral(", "))));
        if (s.command.isEmpty() && !(s.container.isSet() && s.container.mode == QLatin1String("run")))
            error(p + QStringLiteral(".command"), QStringLiteral("missing: a native service needs a command, a container one a command or mode \"run\""));
        if (s.ports.isEmpty() && s.health.type != QLatin1String("none") && s.health.type != QLatin1String("command"))
            error(p + QStringLiteral(".ports"), QStringLiteral("missing: the %1 health check needs a port").arg(s.health.type));
        QSet<QString> portNames;
        for (const Port &port : s.ports) {
            if (!isShellIdentifier(port.name))
                error(p + QStringLiteral(".ports.") + port.name, QStringLiteral("port names are letters, digits and '_', got \"%1\"").arg(port.name));
            portNames.insert(port.name);
        }
        if (!s.health.port.isEmpty() && !portNames.contains(s.health.port))
            error(p + QStringLiteral(".health.port"), QStringLiteral("no port named \"%1\" (ports: %2)").arg(s.health.port, QStringList(portNames.values()).join(QStringLiteral(", "))));
        if (s.health.type == QLatin1String("command") && s.health.command.isEmpty())
            error(p + QStringLiteral(".health.command"), QStringLiteral("missing: a command health check needs a command"));
        if (s.health.type == QLatin1String("http") && !s.health.path.startsWith(QLatin1Char('/')))
            error(p + QStringLiteral(".health.path"), QStringLiteral("an HTTP path starts with '/', got \"%1\"").arg(s.health.path));
        if (s.health.interval <= 0)
            error(p + QStringLiteral(".health.interval"), QStringLiteral("must be more than 0s"));
        for (const KeyValue &kv : s.environment)
            if (!isShellIdentifier(kv.key))
                error(p + QStringLiteral(".environment.") + kv.key, QStringLiteral("\"%1\" is not a valid environment variable name").arg(kv.key));
        for (int f = 0; f < s.files.size(); ++f)
            if (s.files[f].path.isEmpty() || s.files[f].path.split(QLatin1Char('/')).contains(QStringLiteral("..")))
                error(p + QStringLiteral(".files[%1].path").arg(f), QStringLiteral("expected a path inside the service folder, got \"%1\"").arg(s.files[f].path));
        if ((s.kind == QLatin1String("ollama") || s.kind.startsWith(QLatin1String("vllm"))) && s.model.name.isEmpty())
            warning(p + QStringLiteral(".model"), QStringLiteral("an LLM server without a model: clients will have nothing to ask"));
        const Resources eff = m_r.cluster.resources.mergedWith(s.resources);
        int needNodes = 0;
        if (s.kind == QLatin1String("vllm-ray")) {
            needNodes = 2;
            const int gpus = eff.gpuCount() * std::max(1, eff.nodes);
            const int needGpus = s.ray.tensorParallel * s.ray.pipelineParallel;
            if (gpus > 0 && needGpus > gpus)
                error(p + QStringLiteral(".ray.tensor_parallel"),
                      QStringLiteral("tensor_parallel × pipeline_parallel = %1 GPUs, but the job has %2").arg(needGpus).arg(gpus));
        }
        resources(p + QStringLiteral(".resources"), s.resources, eff, needNodes);
        if (s.container.nv && eff.gpuCount() == 0)
            warning(p + QStringLiteral(".container.nv"), QStringLiteral("--nv without a GPU request: the container will see no GPU"));
        if (s.container.isSet())
            needsApptainer(p + QStringLiteral(".container"), QStringLiteral("set container: none to run it natively"));
    }
    if (m_r.monitor.enabled) {
        const std::pair<const char *, const Exporter *> exporters[] = {
            {"prometheus", &m_r.monitor.prometheus}, {"node_exporter", &m_r.monitor.nodeExporter}, {"gpu_exporter", &m_r.monitor.gpuExporter}};
        for (const auto &[key, e] : exporters)
            if (e->enabled && e->container.isSet())
                needsApptainer(QStringLiteral("monitor.%1.container").arg(QLatin1String(key)), QStringLiteral("remove its container to run it natively"));
    }
    if (!m_r.cluster.modules.isEmpty() && m_v.tools.lacksModules())
        warning(QStringLiteral("cluster.modules"),
                QStringLiteral("`module load` needs an environment-module system, which %1 does not have: remove cluster.modules")
                    .arg(clusterName()));

    // Services that may share a node (no exclusive, one node each) must not
    // listen on the same port; likewise the monitor's exporters.
    QHash<int, QString> used;
    for (int i = 0; i < m_r.services.size(); ++i) {
        const Service &s = m_r.services[i];
        if (s.external.isSet() || m_r.cluster.resources.mergedWith(s.resources).exclusive.value_or(false))
            continue;
        for (const Port &port : s.ports) {
            const QString p = QStringLiteral("services[%1].ports.%2").arg(i).arg(port.name);
            if (used.contains(port.number))
                error(p, QStringLiteral("port %1 is also used by %2, and both may run on the same node").arg(port.number).arg(used.value(port.number)));
            else
                used.insert(port.number, QStringLiteral("services[%1] (%2)").arg(i).arg(s.name));
        }
    }
    if (m_r.monitor.enabled) {
        const QList<std::pair<QString, const Exporter *>> exporters{
            {QStringLiteral("monitor.prometheus"), &m_r.monitor.prometheus},
            {QStringLiteral("monitor.node_exporter"), &m_r.monitor.nodeExporter},
            {QStringLiteral("monitor.gpu_exporter"), &m_r.monitor.gpuExporter}};
        for (const auto &[p, x] : exporters) {
            if (!x->enabled)
                continue;
            if (x->command.isEmpty() && !x->container.isSet())
                error(p + QStringLiteral(".command"), QStringLiteral("missing: an enabled exporter needs a command or a container"));
            if (used.contains(x->port))
                error(p + QStringLiteral(".port"), QStringLiteral("port %1 is also used by %2, and both may run on the same node").arg(x->port).arg(used.value(x->port)));
            else
                used.insert(x->port, p);
        }
        resources(QStringLiteral("monitor.resources"), m_r.monitor.resources, m_r.cluster.resources.mergedWith(m_r.monitor.resources));
    }

    QSet<QString> clientNames;
    for (int i = 0; i < m_r.clients.size(); ++i) {
        const Client &c = m_r.clients[i];
        const QString p = QStringLiteral("clients[%1]").arg(i);
        name(p + QStringLiteral(".name"), c.name, QStringLiteral("client"));
        if (!c.name.isEmpty() && clientNames.contains(c.name))
            error(p + QStringLiteral(".name"), QStringLiteral("another client is already named \"%1\"").arg(c.name));
        clientNames.insert(c.name);
        if (c.workload.isEmpty())
            error(p + QStringLiteral(".workload"), QStringLiteral("missing: set workload (%1)").arg(workloadKinds().join(QStringLiteral(", "))));
        if (c.service.isEmpty()) {
            if (c.workload != QLatin1String("file") && c.workload != QLatin1String("faiss")) // no server
                error(p + QStringLiteral(".service"), QStringLiteral("missing: name the service this client loads"));
        } else if (const Service *s = m_r.findService(c.service); !s) {
            QStringList names;
            for (const Service &sv : m_r.services)
                names << sv.name;
            const QString guess = closestMatch(c.service, names);
            error(p + QStringLiteral(".service"),
                  guess.isEmpty() ? QStringLiteral("no service named \"%1\"").arg(c.service)
                                  : QStringLiteral("no service named \"%1\"; did you mean \"%2\"?").arg(c.service, guess));
        } else if (s->external.isSet()) {
            if (!c.port.isEmpty())
                warning(p + QStringLiteral(".port"), QStringLiteral("service \"%1\" is external: the client connects to its external.port, port \"%2\" is ignored")
                                                         .arg(c.service, c.port));
        } else if (!c.port.isEmpty() && s->portNumber(c.port) == 0) {
            error(p + QStringLiteral(".port"), QStringLiteral("service \"%1\" has no port named \"%2\"").arg(c.service, c.port));
        } else if (s->ports.isEmpty()) {
            error(p + QStringLiteral(".service"), QStringLiteral("service \"%1\" has no port to connect to").arg(c.service));
        }
        const bool open = c.load.model != QLatin1String("closed");
        // fbload runs these with one blocking thread per connection: closed loop only
        // (postgres speaks its wire protocol on the engine's event loop: any model).
        static const QStringList closedOnly{QStringLiteral("mysql"), QStringLiteral("file"), QStringLiteral("faiss")};
        if (open && closedOnly.contains(c.workload))
            error(p + QStringLiteral(".load.model"), QStringLiteral("the %1 workload runs the closed model only").arg(c.workload));
        if (open && !c.load.rate)
            error(p + QStringLiteral(".load.rate"), QStringLiteral("missing: the %1 load model needs a rate (requests per second)").arg(c.load.model));
        if (c.load.model == QLatin1String("gamma") && !c.load.burstiness)
            error(p + QStringLiteral(".load.burstiness"), QStringLiteral("missing: the gamma load model needs a burstiness (shape)"));
        if (!open && c.load.rate)
            warning(p + QStringLiteral(".load.rate"), QStringLiteral("a closed loop ignores rate; set model to constant, poisson or gamma"));
        if (c.duration && *c.duration <= 0)
            error(p + QStringLiteral(".duration"), QStringLiteral("must be more than 0s"));
        if (c.nodes > c.instances)
            error(p + QStringLiteral(".nodes"), QStringLiteral("%1 nodes for %2 instance(s): each node needs at least one instance").arg(c.nodes).arg(c.instances));
        for (const KeyValue &kv : c.environment)
            if (!isShellIdentifier(kv.key))
                error(p + QStringLiteral(".environment.") + kv.key, QStringLiteral("\"%1\" is not a valid environment variable name").arg(kv.key));
        const QStringList known = knownParams(c.workload);
        for (auto it = c.params.begin(); it != c.params.end() && !known.isEmpty(); ++it)
            if (!known.contains(it.key())) {
                const QString guess = closestMatch(it.key(), known);
                warning(p + QStringLiteral(".params.") + it.key(),
                        guess.isEmpty() ? QStringLiteral("parameter \"%1\" is not one fbload's %2 workload knows").arg(it.key(), c.workload)
                                        : QStringLiteral("parameter \"%1\" is not one fbload's %2 workload knows; did you mean \"%3\"?").arg(it.key(), c.workload, guess));
            }
        resources(p + QStringLiteral(".resources"), c.resources, m_r.cluster.resources.mergedWith(c.resources));
    }

    // Values that become part of a protocol line or a config file.
    for (const ValueProblem &v : wireValueProblems(m_r))
        error(v.path, v.message);

    // Sweeps.
    QSet<QString> axisPaths;
    for (const SweepAxis &a : m_r.sweep.axes)
        axisPaths.insert(a.path);
    QSet<QString> zipped;
    for (int g = 0; g < m_r.sweep.zip.size(); ++g) {
        const QStringList &group = m_r.sweep.zip[g];
        const QString gp = QStringLiteral("sweep.zip[%1]").arg(g);
        if (group.size() < 2)
            error(gp, QStringLiteral("a zip group ties at least two swept fields together"));
        qsizetype len = -1;
        for (int k = 0; k < group.size(); ++k) {
            const QString &path = group[k];
            const QString ip = gp + QStringLiteral("[%1]").arg(k);
            if (!axisPaths.contains(path)) {
                const QString guess = closestMatch(path, QStringList(axisPaths.values()));
                add(Diagnostic::Error, ip, guess.isEmpty() ? QStringLiteral("\"%1\" is not a swept field (give it a list of values)").arg(path)
                                                           : QStringLiteral("\"%1\" is not a swept field; did you mean \"%2\"?").arg(path, guess));
                continue;
            }
            if (zipped.contains(path))
                error(ip, QStringLiteral("\"%1\" is already in another zip group").arg(path));
            zipped.insert(path);
            for (const SweepAxis &a : m_r.sweep.axes)
                if (a.path == path) {
                    if (len >= 0 && a.values.size() != len)
                        error(ip, QStringLiteral("\"%1\" has %2 values but the group's first field has %3: zipped lists must be equally long")
                                      .arg(path).arg(a.values.size()).arg(len));
                    else
                        len = a.values.size();
                }
        }
    }
    const qint64 trials = RecipeValidator::trialCount(m_r.sweep);
    if (trials > m_r.sweep.maxTrials) {
        QStringList factors;
        for (const SweepAxis &a : m_r.sweep.axes)
            if (!zipped.contains(a.path))
                factors << QStringLiteral("%1 × %2").arg(a.path).arg(a.values.size());
        if (m_r.sweep.repetitions > 1)
            factors << QStringLiteral("%1 repetitions").arg(m_r.sweep.repetitions);
        add(Diagnostic::Error, QStringLiteral("sweep.max_trials"),
            QStringLiteral("the sweep expands to %1 trials (%2), more than max_trials %3: shorten a list, zip lists together or raise sweep.max_trials (at most %4)")
                .arg(trials).arg(factors.join(QStringLiteral(", "))).arg(m_r.sweep.maxTrials).arg(detail::kMaxTrials),
            m_r.positions.contains(QStringLiteral("sweep.max_trials")) ? QStringLiteral("sweep.max_trials")
            : m_r.sweep.axes.isEmpty() ? QStringLiteral("sweep") : m_r.sweep.axes.first().path);
    }
    return m_out;
}

} // namespace

QList<Diagnostic> RecipeValidator::validate(const Recipe &recipe) const
{
    return Checker(recipe, *this).run();
}

} // namespace fb::recipe
