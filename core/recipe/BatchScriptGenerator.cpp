#include "recipe/BatchScriptGenerator.h"

#include "recipe/ConfigSyntax.h"
#include "recipe/ExternalTarget.h"
#include "recipe/JobRequest.h"
#include "recipe/Quantities.h"
#include "recipe/ShellQuote.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace fb::recipe {

QString BatchScriptGenerator::safeName(const QString &name)
{
    QString s;
    for (const QChar c : name)
        s += (c.isLetterOrNumber() && c.unicode() < 128) || c == QLatin1Char('_') || c == QLatin1Char('-') || c == QLatin1Char('.')
                 ? c : QLatin1Char('_');
    if (s.isEmpty() || s.startsWith(QLatin1Char('.')))
        s.prepend(QLatin1Char('_'));
    return s.left(63);
}

namespace {

QString q(const QString &s) { return shellQuote(s); }
QString safeName(const QString &n) { return BatchScriptGenerator::safeName(n); }

QString portVar(const QString &portName) { return QStringLiteral("FB_PORT_") + portName.toUpper(); }

// A recipe value placed into generated file content, which is written with
// shellWord(): "{{" keeps a '{' literal, so a value never names a placeholder.
QString noPlaceholders(const QString &value) { return QString(value).replace(QLatin1Char('{'), QStringLiteral("{{")); }

// A kind-specific setting as text: `maxmemory: 1000000` is a JSON number.
QString settingText(const QJsonObject &settings, const QString &key)
{
    const QJsonValue v = settings.value(key);
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 17);
    return v.toString();
}

// Collects script lines; `ok` turns false on a value that cannot be written.
struct Script
{
    QString text;
    QStringList *errors = nullptr;
    bool ok = true;
    JobRequest request; // its #SBATCH header (Writer::header)

    Script &operator<<(const QString &line)
    {
        text += line + QLatin1Char('\n');
        return *this;
    }
    void exportVar(const QString &name, const QString &quotedValue, const QString &what)
    {
        if (!isShellIdentifier(name)) {
            errors->append(QStringLiteral("%1: \"%2\" is not a valid environment variable name").arg(what, name));
            ok = false;
            return;
        }
        *this << QStringLiteral("export %1=%2").arg(name, quotedValue);
    }
};

class Writer
{
public:
    Writer(const Recipe &r, const ScriptContext &ctx, QStringList *errors) : m_r(r), m_ctx(ctx), m_errors(errors) {}

    BatchScript service(const Service &s);
    BatchScript client(int index, const Client &c);
    BatchScript monitor();

    // What each job asks Slurm for (its #SBATCH header), without the script.
    JobRequest serviceRequest(const Service &s) const { return request(QStringLiteral("service"), s.name, s.resources, true); }
    JobRequest clientRequest(const Client &c) const { return request(QStringLiteral("client"), c.name, clientResources(c)); }
    JobRequest monitorRequest() const
    {
        Resources own = m_r.monitor.resources;
        if (own.nodes == 0)
            own.nodes = 1;
        return request(QStringLiteral("monitor"), QStringLiteral("prometheus"), own);
    }

private:
    const Recipe &m_r;
    const ScriptContext &m_ctx;
    QStringList *m_errors;

    QString jobName(const QString &role, const QString &name) const
    {
        return safeName(QStringLiteral("fb-%1-%2-%3").arg(m_ctx.trialId, role, name));
    }

    // A client's own resources: its nodes, instances (tasks) and threads
    // (CPUs per task, unless the resources say otherwise).
    Resources clientResources(const Client &c) const
    {
        Resources own = c.resources;
        if (own.nodes == 0)
            own.nodes = c.nodes;
        if (own.ntasks == 0)
            own.ntasks = c.instances;
        if (own.cpusPerTask == 0 && m_r.cluster.resources.mergedWith(own).cpusPerTask == 0)
            own.cpusPerTask = c.threads;
        return own;
    }

    // The monitor's file_sd globs, relative to its prometheus.yml
    // (<trial>/monitor/): the trial's own targets, and those of the
    // services of its group when they live in the group's folder.
    QStringList monitorTargetGlobs() const
    {
        QStringList globs{QStringLiteral("targets/*.json")};
        const QString prefix = m_ctx.runDir + QLatin1Char('/');
        if (!m_ctx.servicesDir.isEmpty() && m_ctx.servicesDir != m_ctx.trialDir && m_ctx.servicesDir.startsWith(prefix)
            && m_ctx.trialDir.startsWith(prefix))
            globs << QStringLiteral("../../%1/monitor/targets/*.json").arg(m_ctx.servicesDir.mid(prefix.size()));
        return globs;
    }

    JobRequest request(const QString &role, const QString &name, const Resources &own, bool ownDefaults = false) const
    {
        Resources r = m_r.cluster.resources.mergedWith(own);
        if (ownDefaults && r.nodes == 0)
            r.nodes = 1;
        const QString where = role == QLatin1String("monitor") ? QStringLiteral("monitor.resources")
                                                                : QStringLiteral("%1 %2 resources").arg(role, safeName(name));
        return JobRequest::fromResources(r, role, name, jobName(role, name), QStringLiteral("logs/%1-%2-%j.out").arg(role, safeName(name)), where);
    }

    void header(Script &sc, const JobRequest &request)
    {
        const QString role = request.role;
        sc << QStringLiteral("#!/bin/bash");
        sc << QStringLiteral("# FactoryBench %1 job, generated from the recipe: do not edit (docs/recipe-format.md).").arg(role);
        // SC2016 flags '$…' in single quotes; recipe values are single-quoted
        // precisely so that a $ in them stays literal.
        sc << QStringLiteral("# shellcheck disable=SC2016 # recipe values are single-quoted on purpose: their $ is literal");
        // The #SBATCH header comes from the typed request (JobRequest), which
        // the plan reads too.
        sc.request = request;
        QStringList lines;
        if (!sc.request.sbatchLines(&lines, m_errors))
            sc.ok = false;
        for (const QString &line : std::as_const(lines))
            sc << line;
        sc << QStringLiteral("set -euo pipefail");
        sc << QString();
        sc << QStringLiteral("export FB_RUN_ID=%1").arg(q(m_ctx.runId));
        sc << QStringLiteral("export FB_TRIAL_ID=%1").arg(q(m_ctx.trialId));
        sc << QStringLiteral("export FB_RUN_DIR=%1").arg(shellPath(m_ctx.runDir));
        sc << QStringLiteral("export FB_TRIAL_DIR=%1").arg(shellPath(m_ctx.trialDir));
        sc << QStringLiteral("export FB_SERVICES_DIR=%1").arg(shellPath(m_ctx.servicesDir.isEmpty() ? m_ctx.trialDir : m_ctx.servicesDir));
        sc << QStringLiteral("FB_HOSTNAME=$(hostname -s)");
        sc << QStringLiteral("export FB_HOSTNAME");
        // {workdir} must always expand (set -u): the run folder when the recipe names none.
        sc << QStringLiteral("export FB_WORKDIR=%1").arg(m_r.cluster.workdir.isEmpty() ? QStringLiteral("\"${FB_RUN_DIR}\"")
                                                                                          : shellPath(m_r.cluster.workdir));
        for (const KeyValue &kv : m_r.cluster.environment)
            sc.exportVar(kv.key, q(kv.value), QStringLiteral("cluster.environment"));
        if (!m_r.cluster.modules.isEmpty()) {
            sc << QString();
            sc << QStringLiteral("# Environment modules (Lmod scripts are not written for `set -u`).");
            sc << QStringLiteral("set +u");
            for (const QString &m : m_r.cluster.modules)
                sc << QStringLiteral("module load %1").arg(q(m));
            sc << QStringLiteral("set -u");
        }
        sc << QString();
        sc << QStringLiteral("# Children are stopped on scancel (TERM), the time limit (TERM, then KILL) and Ctrl-C.");
        sc << QStringLiteral("fb_pids=()");
        sc << QStringLiteral("fb_cleanup_files=()");
        sc << QStringLiteral("fb_cleanup() {");
        sc << QStringLiteral("  local rc=$?");
        sc << QStringLiteral("  trap - EXIT TERM INT");
        sc << QStringLiteral("  if [ \"${#fb_cleanup_files[@]}\" -gt 0 ]; then rm -f \"${fb_cleanup_files[@]}\"; fi");
        sc << QStringLiteral("  if [ \"${#fb_pids[@]}\" -gt 0 ]; then");
        sc << QStringLiteral("    kill -TERM \"${fb_pids[@]}\" 2>/dev/null || true");
        sc << QStringLiteral("    wait \"${fb_pids[@]}\" 2>/dev/null || true");
        sc << QStringLiteral("  fi");
        sc << QStringLiteral("  exit \"$rc\"");
        sc << QStringLiteral("}");
        sc << QStringLiteral("trap fb_cleanup EXIT");
        sc << QStringLiteral("trap 'exit 143' TERM");
        sc << QStringLiteral("trap 'exit 130' INT");
        sc << QStringLiteral("fb_start() { \"$@\" & fb_pids+=(\"$!\"); }");
        sc << QStringLiteral("fb_log() { printf '%s factorybench: %s\\n' \"$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)\" \"$*\" >&2; }"); // timestamps order the merged log
        // Writes a file atomically: content to a temporary name, then rename.
        sc << QStringLiteral("fb_publish() { printf '%s\\n' \"$2\" > \"$1.tmp.$$\" && mv -f \"$1.tmp.$$\" \"$1\"; }");
        sc << QStringLiteral("fb_port_open() { (exec 3<>\"/dev/tcp/127.0.0.1/$1\") 2>/dev/null; }");
        sc << QStringLiteral("mkdir -p \"${FB_TRIAL_DIR}/logs\" \"${FB_TRIAL_DIR}/monitor/targets\"");
    }

    // Argv of a command run natively or in the container, as shell words.
    QString runtime(const Container &c, const QStringList &argv, const QHash<QString, QString> &ph, bool forceExec = false) const
    {
        QStringList words;
        if (c.isSet()) {
            words << QStringLiteral("apptainer") << (c.mode == QLatin1String("run") && !forceExec ? QStringLiteral("run") : QStringLiteral("exec"));
            if (c.nv)
                words << QStringLiteral("--nv");
            for (const QString &b : c.binds)
                words << QStringLiteral("--bind") << shellWord(b, ph);
            words << QStringLiteral("\"${FB_IMAGE}\"");
        }
        for (const QString &a : argv)
            words << shellWord(a, ph);
        return words.join(QLatin1Char(' '));
    }

    void image(Script &sc, const Container &c)
    {
        if (!c.isSet())
            return;
        sc << QString();
        if (!c.sif.isEmpty()) {
            sc << QStringLiteral("export FB_IMAGE=%1").arg(shellPath(c.sif));
            if (!c.source.isEmpty()) {
                sc << QStringLiteral("if [ ! -f \"${FB_IMAGE}\" ]; then");
                sc << QStringLiteral("  fb_log \"pulling the image to ${FB_IMAGE}\"");
                sc << QStringLiteral("  mkdir -p \"$(dirname \"${FB_IMAGE}\")\"");
                sc << QStringLiteral("  apptainer pull \"${FB_IMAGE}.tmp.$$\" %1").arg(q(c.source));
                sc << QStringLiteral("  mv -f \"${FB_IMAGE}.tmp.$$\" \"${FB_IMAGE}\"");
                sc << QStringLiteral("fi");
            }
        } else {
            sc << QStringLiteral("export FB_IMAGE=%1").arg(q(c.source));
        }
    }

    // Node (and GPU) exporters on this job's node, unless one already listens
    // there (another job of the trial on the same node started it).
    void exporters(Script &sc, const QString &role, const QString &name, bool gpus)
    {
        if (!m_r.monitor.enabled)
            return;
        const QList<std::pair<QString, const Exporter *>> list{
            {QStringLiteral("node"), &m_r.monitor.nodeExporter}, {QStringLiteral("gpu"), &m_r.monitor.gpuExporter}};
        for (const auto &[job, x] : list) {
            if (!x->enabled || (job == QLatin1String("gpu") && !gpus))
                continue;
            const QString port = QString::number(x->port);
            sc << QString();
            sc << QStringLiteral("if ! fb_port_open %1; then").arg(port);
            Script inner;
            image(inner, x->container);
            for (const QString &line : inner.text.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
                sc << QStringLiteral("  ") + line;
            QStringList argv = x->command;
            if (job == QLatin1String("node"))
                argv << QStringLiteral("--web.listen-address=:") + port;
            else
                argv << QStringLiteral("--address=:") + port;
            sc << QStringLiteral("  fb_start %1").arg(runtime(x->container, argv, {}));
            sc << QStringLiteral("  fb_target=\"${FB_TRIAL_DIR}/monitor/targets/%1-%2-%3-${FB_HOSTNAME}.json\"").arg(job, role, safeName(name));
            sc << QStringLiteral("  fb_cleanup_files+=(\"$fb_target\")");
            sc << QStringLiteral("  fb_publish \"$fb_target\" \"[{\\\"targets\\\":[\\\"${FB_HOSTNAME}:%1\\\"],\\\"labels\\\":{\\\"job\\\":\\\"%2\\\",\\\"trial\\\":\\\"${FB_TRIAL_ID}\\\"}}]\"").arg(port, job);
            sc << QStringLiteral("fi");
        }
    }

    // `external`: probe the external service at ${FB_EXTERNAL_HOST} /
    // ${FB_EXTERNAL_PORT} (set by externalTarget) from the client job, its
    // command natively (an external service has no container here).
    QString healthProbe(const Service &s, const QHash<QString, QString> &ph, bool external = false)
    {
        const HealthCheck h = external ? externalHealth(s) : s.health;
        const QString port = h.port.isEmpty() ? QStringLiteral("${FB_PORT}") : QStringLiteral("${%1}").arg(portVar(h.port));
        if (h.type == QLatin1String("http"))
            return QStringLiteral("curl -fsS -o /dev/null --max-time 5 \"http://%1\"%2")
                .arg(external ? QStringLiteral("${FB_EXTERNAL_ADDRESS}") : QStringLiteral("127.0.0.1:") + port, q(h.path));
        if (h.type == QLatin1String("tcp"))
            return external ? QStringLiteral("(exec 3<>\"/dev/tcp/${FB_EXTERNAL_HOST}/${FB_EXTERNAL_PORT}\") 2>/dev/null")
                            : QStringLiteral("fb_port_open \"%1\"").arg(port);
        if (h.type == QLatin1String("command"))
            return runtime(external ? Container{} : s.container, h.command, ph, true) + QStringLiteral(" >/dev/null 2>&1");
        return QStringLiteral("true");
    }

    // A client of an external service: its health probe from this job,
    // bounded by health.timeout, instead of waiting for an endpoint file.
    // Returns the fbload target.
    QString externalTarget(Script &sc, const Service &s)
    {
        const ServiceExternal &e = s.external;
        const HealthCheck h = externalHealth(s);
        const QString where = QStringLiteral("external service %1 at %2").arg(safeName(s.name), externalAddress(e));
        sc << QStringLiteral("# Service %1 is external (already running, no job): its %2 health check runs from here first (bounded).")
                  .arg(safeName(s.name), safeName(h.type));
        sc << QStringLiteral("export FB_EXTERNAL_HOST=%1").arg(q(e.host));
        sc << QStringLiteral("export FB_EXTERNAL_PORT=%1").arg(q(QString::number(e.port)));
        sc << QStringLiteral("export FB_EXTERNAL_ADDRESS=%1").arg(q(externalAddress(e)));
        const QHash<QString, QString> ph{{QStringLiteral("host"), QStringLiteral("FB_EXTERNAL_HOST")},
                                         {QStringLiteral("port"), QStringLiteral("FB_EXTERNAL_PORT")},
                                         {QStringLiteral("trial_dir"), QStringLiteral("FB_TRIAL_DIR")},
                                         {QStringLiteral("run_dir"), QStringLiteral("FB_RUN_DIR")},
                                         {QStringLiteral("workdir"), QStringLiteral("FB_WORKDIR")}};
        sc << QStringLiteral("fb_healthy() { %1; }").arg(healthProbe(s, ph, true));
        sc << QStringLiteral("fb_deadline=$((SECONDS + %1))").arg(qint64(std::ceil(h.timeout)));
        sc << QStringLiteral("until fb_healthy; do");
        sc << QStringLiteral("  if [ \"$SECONDS\" -ge \"$fb_deadline\" ]; then fb_log %1; exit 1; fi")
                  .arg(q(QStringLiteral("%1: the %2 health check did not pass within %3").arg(where, h.type, formatDuration(h.timeout))));
        sc << QStringLiteral("  sleep %1").arg(formatNumber(h.interval));
        sc << QStringLiteral("done");
        sc << QStringLiteral("fb_log %1").arg(q(where + QStringLiteral(" is healthy")));
        return QStringLiteral("${FB_EXTERNAL_ADDRESS}");
    }
};

BatchScript Writer::service(const Service &s)
{
    Script sc;
    sc.errors = m_errors;
    const QString sn = safeName(s.name);
    header(sc, serviceRequest(s));
    sc << QString();
    sc << QStringLiteral("# --- service %1 (%2) ---").arg(sn, safeName(s.kind));
    sc << QStringLiteral("export FB_SERVICE_NAME=%1").arg(q(s.name));
    sc << QStringLiteral("export FB_SERVICE_DIR=\"${FB_TRIAL_DIR}\"/services/%1").arg(q(sn));
    // Placeholders the job defines; any other {name} stays literal text, so a
    // script never refers to a variable it does not set (set -u).
    QHash<QString, QString> ph{{QStringLiteral("service_dir"), QStringLiteral("FB_SERVICE_DIR")},
                               {QStringLiteral("trial_dir"), QStringLiteral("FB_TRIAL_DIR")},
                               {QStringLiteral("run_dir"), QStringLiteral("FB_RUN_DIR")},
                               {QStringLiteral("workdir"), QStringLiteral("FB_WORKDIR")},
                               {QStringLiteral("host"), QStringLiteral("FB_HOSTNAME")},
                               {QStringLiteral("nodes"), QStringLiteral("SLURM_JOB_NUM_NODES")}};
    if (!s.ports.isEmpty())
        ph.insert(QStringLiteral("port"), QStringLiteral("FB_PORT"));
    if (!s.model.name.isEmpty())
        ph.insert(QStringLiteral("model"), QStringLiteral("FB_MODEL"));
    if (s.container.isSet())
        ph.insert(QStringLiteral("image"), QStringLiteral("FB_IMAGE"));
    const bool ray = s.kind == QLatin1String("vllm-ray");
    if (ray) {
        ph.insert(QStringLiteral("ray_address"), QStringLiteral("FB_RAY_ADDRESS"));
        ph.insert(QStringLiteral("tensor_parallel"), QStringLiteral("FB_TENSOR_PARALLEL"));
        ph.insert(QStringLiteral("pipeline_parallel"), QStringLiteral("FB_PIPELINE_PARALLEL"));
    }
    if (!s.ports.isEmpty())
        sc << QStringLiteral("export FB_PORT=%1").arg(q(QString::number(s.ports.first().number)));
    for (const Port &p : s.ports) {
        if (!isShellIdentifier(p.name)) {
            m_errors->append(QStringLiteral("service %1: port name \"%2\" is not letters, digits and '_'").arg(sn, p.name));
            sc.ok = false;
            continue;
        }
        sc << QStringLiteral("export %1=%2").arg(portVar(p.name), q(QString::number(p.number)));
        ph.insert(QStringLiteral("port:") + p.name, portVar(p.name));
    }
    if (!s.model.name.isEmpty())
        sc << QStringLiteral("export FB_MODEL=%1").arg(q(s.model.name));
    if (ray) { // before the environment, which may refer to them
        sc << QStringLiteral("export FB_TENSOR_PARALLEL=%1").arg(q(QString::number(s.ray.tensorParallel)));
        sc << QStringLiteral("export FB_PIPELINE_PARALLEL=%1").arg(q(QString::number(s.ray.pipelineParallel)));
        sc << QStringLiteral("export FB_RAY_PORT=%1").arg(q(QString::number(s.ray.headPort)));
        sc << QStringLiteral("export FB_RAY_ADDRESS=\"${FB_HOSTNAME}:${FB_RAY_PORT}\"");
    }
    for (const KeyValue &kv : s.environment)
        sc.exportVar(kv.key, shellWord(kv.value, ph), QStringLiteral("service %1 environment").arg(sn));
    sc << QStringLiteral("mkdir -p \"${FB_SERVICE_DIR}\"");
    sc << QStringLiteral("cd \"${FB_SERVICE_DIR}\"");
    image(sc, s.container);

    // Configuration files: the recipe's, plus the ones the kind implies.
    QList<ConfigFile> files = s.files;
    auto hasFile = [&files](const QString &path) {
        return std::any_of(files.begin(), files.end(), [&](const ConfigFile &f) { return f.path == path; });
    };
    if (s.kind == QLatin1String("redis") && !hasFile(QStringLiteral("redis.conf"))) {
        const QString persistence = s.settings.value(QStringLiteral("persistence")).toString(QStringLiteral("none"));
        // Every recipe value is one redis.conf argument (redisConfigArgument);
        // `dir ./` is the service folder, the job's working directory.
        QString conf = QStringLiteral("port {port}\nbind 0.0.0.0\nprotected-mode no\ndir ./\n");
        if (persistence == QLatin1String("aof"))
            conf += QStringLiteral("appendonly yes\nappendfsync everysec\n");
        else if (persistence == QLatin1String("rdb"))
            conf += QStringLiteral("save 60 1000\nappendonly no\n");
        else
            conf += QStringLiteral("save \"\"\nappendonly no\n");
        const QString password = settingText(s.settings, QStringLiteral("password"));
        if (!password.isEmpty())
            conf += QStringLiteral("requirepass ") + noPlaceholders(redisConfigArgument(password)) + QLatin1Char('\n');
        const QString maxmemory = settingText(s.settings, QStringLiteral("maxmemory"));
        if (!maxmemory.isEmpty())
            conf += QStringLiteral("maxmemory ") + noPlaceholders(redisConfigArgument(maxmemory)) + QLatin1Char('\n');
        files.prepend({QStringLiteral("redis.conf"), conf});
    }
    const QString initSql = s.settings.value(QStringLiteral("init_sql")).toString();
    if ((s.kind == QLatin1String("postgres") || s.kind == QLatin1String("mysql")) && !initSql.isEmpty() && !hasFile(QStringLiteral("init/init.sql")))
        files.append({QStringLiteral("init/init.sql"), noPlaceholders(initSql)}); // the user's SQL, byte for byte
    if (s.kind == QLatin1String("prometheus") && !hasFile(QStringLiteral("prometheus.yml")))
        files.append({QStringLiteral("prometheus.yml"),
                      BatchScriptGenerator::prometheusConfig({}, m_r.monitor.scrapeInterval, {QStringLiteral("../../monitor/targets/*.json")})});
    for (const ConfigFile &f : files) {
        const QString path = f.path.startsWith(QLatin1Char('/')) ? shellWord(f.path, ph)
                                                                  : QStringLiteral("\"${FB_SERVICE_DIR}\"/") + shellWord(f.path, ph);
        if (f.path.contains(QLatin1Char('/')) && !f.path.startsWith(QLatin1Char('/')))
            sc << QStringLiteral("mkdir -p \"$(dirname %1)\"").arg(path);
        sc << QStringLiteral("printf '%s' %1 > %2").arg(shellWord(f.content, ph), path);
    }
    if (s.kind == QLatin1String("redis") && !settingText(s.settings, QStringLiteral("password")).isEmpty())
        sc << QStringLiteral("export REDISCLI_AUTH=%1").arg(q(settingText(s.settings, QStringLiteral("password"))));

    const Resources eff = m_r.cluster.resources.mergedWith(s.resources);
    exporters(sc, QStringLiteral("service"), s.name, eff.gpuCount() > 0);

    sc << QString();
    if (ray) {
        sc << QStringLiteral("# Ray cluster: the head on this (the first) node, one worker on each other node.");
        QHash<QString, QString> withRayPort = ph;
        withRayPort.insert(QStringLiteral("ray_port"), QStringLiteral("FB_RAY_PORT"));
        sc << QStringLiteral("fb_start %1").arg(runtime(s.container, {QStringLiteral("ray"), QStringLiteral("start"), QStringLiteral("--head"),
            QStringLiteral("--port={ray_port}"), QStringLiteral("--dashboard-port=") + QString::number(s.ray.dashboardPort),
            QStringLiteral("--block")}, withRayPort, true));
        sc << QStringLiteral("fb_deadline=$((SECONDS + 120))");
        sc << QStringLiteral("until fb_port_open \"${FB_RAY_PORT}\"; do");
        sc << QStringLiteral("  if [ \"$SECONDS\" -ge \"$fb_deadline\" ]; then fb_log 'the Ray head did not start within 2m'; exit 1; fi");
        sc << QStringLiteral("  sleep 1");
        sc << QStringLiteral("done");
        sc << QStringLiteral("if [ \"${SLURM_JOB_NUM_NODES:-1}\" -gt 1 ]; then");
        sc << QStringLiteral("  fb_workers=$((SLURM_JOB_NUM_NODES - 1))");
        sc << QStringLiteral("  fb_start srun --relative=1 --nodes=\"$fb_workers\" --ntasks=\"$fb_workers\" --ntasks-per-node=1 %1")
                  .arg(runtime(s.container, {QStringLiteral("ray"), QStringLiteral("start"), QStringLiteral("--address={ray_address}"),
                                             QStringLiteral("--block")}, ph, true));
        sc << QStringLiteral("fi");
    }
    sc << QStringLiteral("fb_log \"starting service ${FB_SERVICE_NAME} on ${FB_HOSTNAME}\"");
    sc << QStringLiteral("fb_start %1").arg(runtime(s.container, s.command, ph));
    sc << QStringLiteral("fb_service_pid=$!");
    sc << QString();
    sc << QStringLiteral("# Health: probe every %1 until it passes, the service exits, or %2 pass.")
              .arg(formatDuration(s.health.interval), formatDuration(s.health.timeout));
    sc << QStringLiteral("fb_healthy() { %1; }").arg(healthProbe(s, ph));
    sc << QStringLiteral("fb_deadline=$((SECONDS + %1))").arg(qint64(std::ceil(s.health.timeout)));
    sc << QStringLiteral("until fb_healthy; do");
    sc << QStringLiteral("  if ! kill -0 \"$fb_service_pid\" 2>/dev/null; then fb_log 'the service exited before its health check passed'; exit 1; fi");
    sc << QStringLiteral("  if [ \"$SECONDS\" -ge \"$fb_deadline\" ]; then fb_log %1; exit 1; fi")
              .arg(q(QStringLiteral("the health check did not pass within ") + formatDuration(s.health.timeout)));
    sc << QStringLiteral("  sleep %1").arg(formatNumber(s.health.interval));
    sc << QStringLiteral("done");
    if (s.kind == QLatin1String("ollama") && s.model.pull && !s.model.name.isEmpty()) {
        sc << QStringLiteral("fb_log \"pulling model ${FB_MODEL}\"");
        sc << QStringLiteral("%1").arg(runtime(s.container, {QStringLiteral("ollama"), QStringLiteral("pull"), QStringLiteral("{model}")}, ph, true));
    }
    sc << QString();
    sc << QStringLiteral("# Endpoint for the clients and the campaign: \"<host> <port>\", published atomically once healthy.");
    sc << QStringLiteral("fb_endpoint=\"${FB_TRIAL_DIR}\"/%1").arg(q(QStringLiteral("service-") + sn + QStringLiteral(".endpoint")));
    sc << QStringLiteral("fb_cleanup_files+=(\"$fb_endpoint\")");
    sc << QStringLiteral("fb_publish \"$fb_endpoint\" \"${FB_HOSTNAME} ${FB_PORT:-0}\"");
    // Metrics of servers that export them: a port named "metrics", or vLLM's HTTP port.
    QString metricsPort;
    for (const Port &p : s.ports)
        if (p.name == QLatin1String("metrics"))
            metricsPort = QStringLiteral("${FB_PORT_METRICS}");
    if (metricsPort.isEmpty() && s.kind.startsWith(QLatin1String("vllm")) && !s.ports.isEmpty())
        metricsPort = QStringLiteral("${FB_PORT}");
    if (m_r.monitor.enabled && !metricsPort.isEmpty()) {
        sc << QStringLiteral("fb_target=\"${FB_TRIAL_DIR}/monitor/targets\"/%1").arg(q(QStringLiteral("service-") + sn + QStringLiteral(".json")));
        sc << QStringLiteral("fb_cleanup_files+=(\"$fb_target\")");
        sc << QStringLiteral("fb_publish \"$fb_target\" \"[{\\\"targets\\\":[\\\"${FB_HOSTNAME}:%1\\\"],\\\"labels\\\":{\\\"job\\\":\\\"service\\\",\\\"service\\\":\\\"%2\\\",\\\"trial\\\":\\\"${FB_TRIAL_ID}\\\"}}]\"")
                  .arg(metricsPort, sn);
    }
    sc << QStringLiteral("fb_log \"service ${FB_SERVICE_NAME} is ready on ${FB_HOSTNAME}\"");
    if (!s.betweenTrials.isEmpty()) {
        // The campaign asks for between_trials before each trial of the
        // service's group with a request file; the output goes to the
        // trial's logs, the exit code to a .done file the campaign reads.
        sc << QStringLiteral("# between_trials: run for each request file the campaign drops in between/, until the service exits.");
        sc << QStringLiteral("fb_between_dir=\"${FB_TRIAL_DIR}/between\"");
        sc << QStringLiteral("mkdir -p \"$fb_between_dir\"");
        sc << QStringLiteral("fb_between() { %1; }").arg(runtime(s.container, {QStringLiteral("sh"), QStringLiteral("-c"), s.betweenTrials}, ph, true));
        sc << QStringLiteral("while kill -0 \"$fb_service_pid\" 2>/dev/null; do");
        sc << QStringLiteral("  for fb_req in \"$fb_between_dir\"/*-%1.request; do").arg(q(sn)); // sn: [A-Za-z0-9_.-], no glob characters
        sc << QStringLiteral("    [ -e \"$fb_req\" ] || continue");
        sc << QStringLiteral("    fb_name=$(basename \"$fb_req\" .request)");
        sc << QStringLiteral("    fb_trial=${fb_name%-%1}").arg(q(sn));
        sc << QStringLiteral("    rm -f \"$fb_req\"");
        sc << QStringLiteral("    mkdir -p \"${FB_RUN_DIR}/${fb_trial}/logs\"");
        sc << QStringLiteral("    fb_out=\"${FB_RUN_DIR}/${fb_trial}/logs\"/%1").arg(q(QStringLiteral("between-") + sn + QStringLiteral(".out")));
        sc << QStringLiteral("    fb_log \"between_trials of ${FB_SERVICE_NAME} before trial ${fb_trial}\" 2>> \"$fb_out\"");
        sc << QStringLiteral("    fb_rc=0");
        sc << QStringLiteral("    fb_between >> \"$fb_out\" 2>&1 || fb_rc=$?");
        sc << QStringLiteral("    fb_log \"between_trials of ${FB_SERVICE_NAME} exited with ${fb_rc}\" 2>> \"$fb_out\"");
        sc << QStringLiteral("    fb_publish \"$fb_between_dir/${fb_name}.done\" \"$fb_rc\"");
        sc << QStringLiteral("  done");
        sc << QStringLiteral("  sleep 0.5");
        sc << QStringLiteral("done");
    }
    sc << QStringLiteral("wait \"$fb_service_pid\"");

    return {QStringLiteral("service"), s.name, jobName(QStringLiteral("service"), s.name),
            QStringLiteral("service-%1.sbatch").arg(sn), sc.ok ? sc.text : QString(), sc.request};
}

BatchScript Writer::client(int index, const Client &c)
{
    Script sc;
    sc.errors = m_errors;
    const QString cn = safeName(c.name);
    const Resources own = clientResources(c);
    header(sc, clientRequest(c));
    sc << QString();
    sc << QStringLiteral("# --- client %1 (%2 workload) ---").arg(cn, safeName(c.workload));
    sc << QStringLiteral("export FB_CLIENT_NAME=%1").arg(q(c.name));
    sc << QStringLiteral("FBLOAD=%1").arg(shellPath(m_ctx.fbloadPath));
    sc << QStringLiteral("FB_METRICS_PORT=%1").arg(m_ctx.metricsPortBase + 10 * index);
    for (const KeyValue &kv : c.environment)
        sc.exportVar(kv.key, q(kv.value), QStringLiteral("client %1 environment").arg(cn));
    const Resources eff = m_r.cluster.resources.mergedWith(own);
    exporters(sc, QStringLiteral("client"), c.name, eff.gpuCount() > 0);
    sc << QString();
    QString target = QStringLiteral("127.0.0.1:0");
    if (const Service *ext = m_r.findService(c.service); ext && ext->external.isSet()) {
        target = externalTarget(sc, *ext);
    } else if (const Service *s = m_r.findService(c.service)) {
        const QString port = c.port.isEmpty() ? QStringLiteral("FB_PORT") : portVar(c.port);
        const int portNumber = s->portNumber(c.port);
        sc << QStringLiteral("# Wait for the service's endpoint file \"<host> <port>\" (bounded); it is read, never sourced.");
        sc << QStringLiteral("fb_endpoint=\"${FB_SERVICES_DIR}\"/%1").arg(q(QStringLiteral("service-") + safeName(s->name) + QStringLiteral(".endpoint")));
        sc << QStringLiteral("fb_deadline=$((SECONDS + %1))").arg(qint64(std::ceil(c.waitTimeout)));
        sc << QStringLiteral("until [ -s \"$fb_endpoint\" ]; do");
        sc << QStringLiteral("  if [ \"$SECONDS\" -ge \"$fb_deadline\" ]; then fb_log %1; exit 1; fi")
                  .arg(q(QStringLiteral("service %1 published no endpoint within %2").arg(safeName(s->name), formatDuration(c.waitTimeout))));
        sc << QStringLiteral("  sleep 1");
        sc << QStringLiteral("done");
        sc << QStringLiteral("read -r fb_target_host fb_target_port < \"$fb_endpoint\"");
        if (!c.port.isEmpty())
            sc << QStringLiteral("fb_target_port=%1 # the service's port named in the recipe").arg(portNumber);
        target = QStringLiteral("${fb_target_host}:${fb_target_port}");
    }
    const bool multi = c.instances > 1 || c.nodes > 1;
    sc << QStringLiteral("mkdir -p \"${FB_TRIAL_DIR}/clients\" \"${FB_TRIAL_DIR}/parts\"");
    sc << QStringLiteral("fb_config=\"${FB_TRIAL_DIR}/clients\"/%1").arg(q(cn + QStringLiteral(".json")));
    sc << QStringLiteral("fb_result=\"${FB_TRIAL_DIR}\"/%1").arg(q(QStringLiteral("result-") + cn + QStringLiteral(".json")));
    sc << QStringLiteral("printf '%s\\n' %1 > \"$fb_config\"").arg(q(QString::fromUtf8(BatchScriptGenerator::fbloadConfig(m_r, c))));
    sc << QString();
    sc << QStringLiteral("# One fbload per task; the task script is fixed text, every value is an argument.");
    sc << QStringLiteral("# A single task writes the result itself; several write parts that are merged below.");
    sc << QStringLiteral("fb_task='set -euo pipefail");
    sc << QStringLiteral("fbload=$1 config=$2 target=$3 name=$4 port=$(($5 + ${SLURM_LOCALID:-0})) trial=$6 dir=$7 out=$8 tasks=$9 barrier=${10}");
    sc << QStringLiteral("id=${SLURM_PROCID:-0}");
    // Several instances: task 0 alone prepares (tables, collection, bucket),
    // the others wait on marker files in the barrier folder (docs/fbload.md).
    sc << QStringLiteral("task=()");
    sc << QStringLiteral("if [ \"$tasks\" -gt 1 ]; then task=(--task-index \"$id\" --tasks \"$tasks\" --barrier \"$barrier\"); fi");
    // Nodes are shared (other jobs, other trials, other users): fbload binds
    // the first free /metrics port from $port itself (+1 on EADDRINUSE, so two
    // clients starting at once cannot collide) and only then publishes the
    // port it got as a Prometheus file_sd target, written atomically.
    sc << QStringLiteral("if [ -z \"$out\" ]; then out=\"$dir/parts/result-$name-$id.json\"; fi");
    sc << QStringLiteral("metrics=(--metrics-port \"$port\" --metrics-port-auto)");
    sc << QStringLiteral("if [ -d \"$dir/monitor/targets\" ]; then metrics+=(--metrics-target-file \"$dir/monitor/targets/client-$name-$id.json\"); fi");
    sc << QStringLiteral("exec \"$fbload\" run --config \"$config\" --target \"$target\" --out \"$out\" \"${metrics[@]}\" --label \"trial=$trial\" --label \"client=$name\" ${task[@]+\"${task[@]}\"}'");
    // The barrier folder is new for every client job (a resumed trial must not see old markers).
    // A client without a service (file, faiss) gets an empty --target, which fbload ignores.
    const QString args = QStringLiteral("fbload-task \"$FBLOAD\" \"$fb_config\" \"%1\" %2 \"$FB_METRICS_PORT\" \"$FB_TRIAL_ID\" \"$FB_TRIAL_DIR\" %3 %4 \"${FB_TRIAL_DIR}/parts\"/%5\"${SLURM_JOB_ID:-0}\"")
                             .arg(m_r.findService(c.service) ? target : QString(), q(cn), multi ? QStringLiteral("''") : QStringLiteral("\"$fb_result\""),
                                  q(QString::number(c.instances)), q(QStringLiteral("barrier-") + cn + QLatin1Char('-')));
    // A client without a service (file, faiss) has no target to name.
    const QString against = m_r.findService(c.service) ? QStringLiteral("against ") + target : QStringLiteral("(no service)");
    sc << QStringLiteral("fb_log \"client ${FB_CLIENT_NAME}: %1 fbload instance(s) %2\"").arg(c.instances).arg(against);
    if (multi) {
        sc << QStringLiteral("fb_start srun --nodes=%1 --ntasks=%2 --kill-on-bad-exit=1 bash -c \"$fb_task\" %3").arg(c.nodes).arg(c.instances).arg(args);
        sc << QStringLiteral("wait \"$!\"");
        sc << QStringLiteral("\"$FBLOAD\" merge -o \"$fb_result\" \"${FB_TRIAL_DIR}/parts\"/%1*.json").arg(q(QStringLiteral("result-") + cn + QLatin1Char('-')));
    } else {
        sc << QStringLiteral("fb_start bash -c \"$fb_task\" %1").arg(args);
        sc << QStringLiteral("wait \"$!\"");
    }
    sc << QStringLiteral("fb_log \"client ${FB_CLIENT_NAME} finished\"");
    return {QStringLiteral("client"), c.name, jobName(QStringLiteral("client"), c.name),
            QStringLiteral("client-%1.sbatch").arg(cn), sc.ok ? sc.text : QString(), sc.request};
}

BatchScript Writer::monitor()
{
    Script sc;
    sc.errors = m_errors;
    const Monitor &m = m_r.monitor;
    Resources own = m.resources;
    if (own.nodes == 0)
        own.nodes = 1;
    header(sc, monitorRequest());
    sc << QString();
    sc << QStringLiteral("# --- monitor: Prometheus scraping the targets the trial's jobs publish ---");
    sc << QStringLiteral("export FB_MONITOR_DIR=\"${FB_TRIAL_DIR}/monitor\"");
    sc << QStringLiteral("export FB_PORT=%1").arg(q(QString::number(m.prometheus.port)));
    sc << QStringLiteral("mkdir -p \"${FB_MONITOR_DIR}/data\"");
    const QHash<QString, QString> ph{{QStringLiteral("monitor_dir"), QStringLiteral("FB_MONITOR_DIR")},
                                     {QStringLiteral("trial_dir"), QStringLiteral("FB_TRIAL_DIR")},
                                     {QStringLiteral("port"), QStringLiteral("FB_PORT")}};
    sc << QStringLiteral("# The campaign may place its own prometheus.yml before submitting.");
    sc << QStringLiteral("if [ ! -f \"${FB_MONITOR_DIR}/prometheus.yml\" ]; then");
    sc << QStringLiteral("  printf '%s' %1 > \"${FB_MONITOR_DIR}/prometheus.yml\"")
              .arg(shellWord(BatchScriptGenerator::prometheusConfig({}, m.scrapeInterval, monitorTargetGlobs()), ph));
    sc << QStringLiteral("fi");
    exporters(sc, QStringLiteral("monitor"), QStringLiteral("prometheus"), m_r.cluster.resources.mergedWith(own).gpuCount() > 0);
    sc << QString();
    image(sc, m.prometheus.container);
    QStringList argv = m.prometheus.command;
    argv << QStringLiteral("--config.file={monitor_dir}/prometheus.yml") << QStringLiteral("--storage.tsdb.path={monitor_dir}/data")
         << QStringLiteral("--web.listen-address=:{port}");
    if (m.retention > 0)
        argv << QStringLiteral("--storage.tsdb.retention.time=%1s").arg(qint64(m.retention));
    sc << QStringLiteral("fb_start %1").arg(runtime(m.prometheus.container, argv, ph));
    sc << QStringLiteral("fb_service_pid=$!");
    sc << QStringLiteral("fb_healthy() { curl -fsS -o /dev/null --max-time 5 \"http://127.0.0.1:${FB_PORT}/-/ready\"; }");
    sc << QStringLiteral("fb_deadline=$((SECONDS + 120))");
    sc << QStringLiteral("until fb_healthy; do");
    sc << QStringLiteral("  if ! kill -0 \"$fb_service_pid\" 2>/dev/null; then fb_log 'Prometheus exited before it was ready'; exit 1; fi");
    sc << QStringLiteral("  if [ \"$SECONDS\" -ge \"$fb_deadline\" ]; then fb_log 'Prometheus was not ready within 2m'; exit 1; fi");
    sc << QStringLiteral("  sleep 1");
    sc << QStringLiteral("done");
    sc << QStringLiteral("fb_endpoint=\"${FB_TRIAL_DIR}/monitor.endpoint\"");
    sc << QStringLiteral("fb_cleanup_files+=(\"$fb_endpoint\")");
    sc << QStringLiteral("fb_publish \"$fb_endpoint\" \"${FB_HOSTNAME} ${FB_PORT}\"");
    sc << QStringLiteral("fb_log \"Prometheus is ready on ${FB_HOSTNAME}:${FB_PORT}\"");
    sc << QStringLiteral("wait \"$fb_service_pid\"");
    return {QStringLiteral("monitor"), QStringLiteral("monitor"), jobName(QStringLiteral("monitor"), QStringLiteral("prometheus")),
            QStringLiteral("monitor.sbatch"), sc.ok ? sc.text : QString(), sc.request};
}

} // namespace

QByteArray BatchScriptGenerator::fbloadConfig(const Recipe &recipe, const Client &c)
{
    // Keys and units exactly as fbload's config.cpp reads them (docs/fbload.md);
    // unset optionals are JSON null, which fbload treats as "not given".
    auto num = [](bool set, double v) { return set ? QJsonValue(v) : QJsonValue(QJsonValue::Null); };
    const bool open = c.load.model != QLatin1String("closed");
    QJsonObject load{{QStringLiteral("model"), c.load.model},
                     {QStringLiteral("concurrency"), c.load.concurrency},
                     {QStringLiteral("rate"), num(open && c.load.rate.has_value(), c.load.rate.value_or(0))},
                     {QStringLiteral("burstiness"), num(c.load.burstiness.has_value(), c.load.burstiness.value_or(0))},
                     {QStringLiteral("ramp_up_s"), c.load.rampUp}};
    // Default bound: 30 s when neither a duration nor a request count is given.
    const bool hasDuration = c.duration.has_value() || !c.requests.has_value();
    const double duration = c.duration.value_or(30);
    QJsonObject o{{QStringLiteral("workload"), c.workload},
                  {QStringLiteral("threads"), c.threads},
                  {QStringLiteral("load"), load},
                  {QStringLiteral("warmup_s"), c.warmup},
                  {QStringLiteral("duration_s"), num(hasDuration, duration)},
                  {QStringLiteral("requests"), num(c.requests.has_value(), double(c.requests.value_or(0)))},
                  {QStringLiteral("timeout_s"), c.timeout},
                  {QStringLiteral("seed"), double(c.seed.value_or(recipe.metadata.seed))},
                  {QStringLiteral("slo"), QJsonObject{{QStringLiteral("ttft_ms"), num(c.slo.ttft.has_value(), c.slo.ttft.value_or(0) * 1000)},
                                                      {QStringLiteral("tpot_ms"), num(c.slo.tpot.has_value(), c.slo.tpot.value_or(0) * 1000)},
                                                      {QStringLiteral("e2el_ms"), num(c.slo.e2el.has_value(), c.slo.e2el.value_or(0) * 1000)}}},
                  {QStringLiteral("params"), c.params}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString BatchScriptGenerator::prometheusConfig(const QList<PrometheusTarget> &targets, double scrapeInterval, const QStringList &fileSdGlobs)
{
    // A fixed shape whose variable parts are each one YAML double-quoted
    // scalar (yamlDoubleQuoted) and whose durations Prometheus can parse.
    // The text is written with shellWord(): "{port}" is the job's port, and
    // a '{' in a value stays literal (noPlaceholders).
    const auto yq = [](const QString &s) { return noPlaceholders(yamlDoubleQuoted(s)); };
    QString y;
    y += QStringLiteral("# Generated by FactoryBench (BatchScriptGenerator::prometheusConfig).\n");
    y += QStringLiteral("global:\n  scrape_interval: %1\n  evaluation_interval: %1\n").arg(prometheusDuration(scrapeInterval));
    y += QStringLiteral("scrape_configs:\n");
    y += QStringLiteral("  - job_name: prometheus\n    static_configs:\n      - targets: [\"localhost:{port}\"]\n");
    QStringList jobs;
    for (const PrometheusTarget &t : targets)
        if (!jobs.contains(t.job + QLatin1Char('\x1f') + t.metricsPath))
            jobs << t.job + QLatin1Char('\x1f') + t.metricsPath;
    for (const QString &j : jobs) {
        const QString job = j.section(QLatin1Char('\x1f'), 0, 0), path = j.section(QLatin1Char('\x1f'), 1);
        y += QStringLiteral("  - job_name: %1\n    metrics_path: %2\n    static_configs:\n").arg(yq(job), yq(path));
        for (const PrometheusTarget &t : targets) {
            if (t.job != job || t.metricsPath != path)
                continue;
            y += QStringLiteral("      - targets: [%1]\n").arg(yq(t.address));
            if (!t.labels.isEmpty()) {
                y += QStringLiteral("        labels:\n");
                for (const KeyValue &kv : t.labels) {
                    // A Prometheus label name: [A-Za-z_][A-Za-z0-9_]*.
                    QString name = safeName(kv.key).replace(QLatin1Char('.'), QLatin1Char('_')).replace(QLatin1Char('-'), QLatin1Char('_'));
                    if (name.front().isDigit())
                        name.prepend(QLatin1Char('_'));
                    y += QStringLiteral("          %1: %2\n").arg(name, yq(kv.value));
                }
            }
        }
    }
    if (!fileSdGlobs.isEmpty()) {
        QStringList globs;
        for (const QString &g : fileSdGlobs)
            globs << yq(g);
        y += QStringLiteral("  - job_name: factorybench\n    file_sd_configs:\n      - files: [%1]\n        refresh_interval: 5s\n").arg(globs.join(QStringLiteral(", ")));
    }
    return y;
}

QList<JobRequest> BatchScriptGenerator::requests(const Recipe &trial)
{
    QStringList errors;
    const ScriptContext context;
    const Writer w(trial, context, &errors);
    QList<JobRequest> out;
    if (trial.monitor.enabled)
        out << w.monitorRequest();
    for (const Service &s : trial.services)
        if (!s.external.isSet()) // already running: no job
            out << w.serviceRequest(s);
    for (const Client &c : trial.clients)
        out << w.clientRequest(c);
    return out;
}

bool BatchScriptGenerator::generate(const Recipe &trial, const ScriptContext &context, QList<BatchScript> *scripts, QStringList *errors) const
{
    scripts->clear();
    const qsizetype errorsBefore = errors->size();
    Writer w(trial, context, errors);
    if (trial.monitor.enabled)
        scripts->append(w.monitor());
    for (const Service &s : trial.services)
        if (!s.external.isSet()) // already running: no job
            scripts->append(w.service(s));
    for (int i = 0; i < trial.clients.size(); ++i)
        scripts->append(w.client(i, trial.clients[i]));
    if (errors->size() > errorsBefore) {
        scripts->clear();
        return false;
    }
    return true;
}

} // namespace fb::recipe
