// BatchScriptGenerator: the only producer of batch-script text. From one
// trial's resolved Recipe it writes one bash script per Slurm job — one per
// service, one per client, one for the monitor — with #SBATCH lines from the
// resources, module loads, Apptainer or native start, config files, a bounded
// health loop, fbload invocations, and traps that stop every child on scancel,
// time limit or Ctrl-C (docs/recipe-format.md, "Batch scripts").
//
// Contract with the campaign engine (every path below is in the trial folder,
// ScriptContext::trialDir, and the scripts are submitted with that folder as
// the working directory, so `#SBATCH --output=logs/…` lands in <trial>/logs/):
//  - service job: once its health check passes it writes, atomically,
//    "service-<safeName(name)>.endpoint" holding one line "<host> <port>"
//    (the short host name and the service's first port), and removes it when
//    the job ends. The job then runs until cancelled.
//  - monitor job: the same for Prometheus in "monitor.endpoint".
//  - a service with `between_trials` runs that command (in its environment
//    and container) for each request file "between/<trial>-<service>.request"
//    that appears in its folder, its output in <run>/<trial>/logs/between-<service>.out,
//    then publishes "between/<trial>-<service>.done" holding the exit code.
//  - client job: waits (client.wait_timeout) for its service's endpoint file
//    (in ScriptContext::servicesDir, $FB_SERVICES_DIR: the service group's folder),
//    writes the fbload config to "clients/<client>.json" (fbloadConfig()),
//    runs `fbload run --config … --target host:port --out … --metrics-port …
//    --label trial=… --label client=…` and leaves the result JSON in
//    "result-<safeName(client)>.json" (several instances: parts/ merged with
//    `fbload merge`). The client job's exit code is fbload's.
//  - an external service (services[].external) has no job and no endpoint
//    file: a client job targeting it exports FB_EXTERNAL_HOST/_PORT/_ADDRESS,
//    runs the service's health probe against them (bounded by health.timeout;
//    on failure it logs "external service NAME at HOST:PORT: …" and exits 1)
//    and targets HOST:PORT.
//  - Prometheus file_sd targets are dropped in "monitor/targets/".
//
// Every recipe value that reaches the shell goes through ShellQuote; values
// in #SBATCH lines (read by Slurm, not a shell) must pass isSbatchSafe() or
// generation fails. The GUI preview shows exactly the text returned here and
// the campaign submits exactly that text.
#pragma once

#include "recipe/JobRequest.h"
#include "recipe/Recipe.h"

namespace fb::recipe {

// What the campaign engine knows about the run when it asks for scripts.
struct ScriptContext
{
    QString runId = QStringLiteral("preview");
    QString trialId = QStringLiteral("t001");
    QString runDir = QStringLiteral("$HOME/factorybench/runs/preview");        // may start with $VAR or ~
    QString trialDir = QStringLiteral("$HOME/factorybench/runs/preview/t001"); // may start with $VAR or ~
    QString fbloadPath = QStringLiteral("$HOME/.factorybench/bin/fbload");     // may start with $VAR or ~
    int metricsPortBase = 9500; // client i, task on node j: base + 10·i + j
    // The folder of the service group whose services the trial's clients use
    // (their endpoint files, and the services' Prometheus targets): the
    // group's folder when the trial shares running services (sweep.reuse_services);
    // empty: the trial's own folder. Scripts of a service group are generated
    // with the group's id and folder as trialId and trialDir.
    QString servicesDir;
};

struct BatchScript
{
    QString role;      // "service", "client", "monitor"
    QString name;      // service or client name ("monitor" for the monitor)
    QString jobName;   // #SBATCH --job-name
    QString fileName;  // "service-redis.sbatch": submitted from the trial folder
    QString text;
    JobRequest request; // what the job asks Slurm for: the script's #SBATCH header, as fields
};

struct PrometheusTarget
{
    QString job;       // "node", "fbload", "service"
    QString address;   // "mel2001:9100"
    QString metricsPath = QStringLiteral("/metrics");
    KeyValueList labels;
};

class BatchScriptGenerator
{
public:
    // Scripts for every job of the trial, in the order they should be submitted
    // (monitor, services, clients). False with `errors` on values that cannot
    // be written safely (an #SBATCH value outside the allowed characters, an
    // environment variable name that is not an identifier).
    bool generate(const Recipe &trial, const ScriptContext &context, QList<BatchScript> *scripts, QStringList *errors) const;

    // What each job of the trial asks Slurm for, in submission order, without
    // writing the scripts (cheap: the editor's node-hours, recipe::nodeHours).
    // The job names use the default ScriptContext's trial id.
    static QList<JobRequest> requests(const Recipe &trial);

    // The client's workload section as fbload reads it (fbload's config keys, docs/fbload.md).
    static QByteArray fbloadConfig(const Recipe &recipe, const Client &client);
    // A prometheus.yml scraping `targets` plus the file_sd folder the jobs fill
    // (`fileSdGlob` relative to the folder of prometheus.yml, as Prometheus
    // resolves it). Values are YAML-quoted (ConfigSyntax.h). The text is file
    // content for shellWord(): "{port}" is the job's port, a '{' in a value is "{{".
    static QString prometheusConfig(const QList<PrometheusTarget> &targets, double scrapeInterval,
                                    const QStringList &fileSdGlobs = {});
    // File-name-safe form of a name ([A-Za-z0-9_.-], no leading dot).
    static QString safeName(const QString &name);
};

} // namespace fb::recipe
