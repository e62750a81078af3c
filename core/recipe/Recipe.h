// Recipe: the plain value model of one FactoryBench recipe — what to deploy on
// the cluster (services), how to load it (clients), what to measure (monitor),
// which parameters to vary (sweep) and who wrote it (metadata).
//
// Owned by whoever holds it: RecipeLoader produces one, RecipeSaver writes one,
// RecipeValidator checks one, SweepExpander turns one into trials and
// BatchScriptGenerator turns a trial into Slurm batch scripts. The GUI recipe
// editor keeps one inside its undoable document, so everything here is a
// copyable, comparable value (operator==) with no pointers and no YAML types.
//
// Conventions: durations are seconds (double), optional ones are std::optional;
// 0 or an empty string in Resources means "not set, inherit / let Slurm decide".
// The schema is documented field by field in docs/recipe-format.md.
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace fb::recipe {

inline constexpr int kSchemaVersion = 1;

// An ordered name → value pair (environment variables keep the order written).
struct KeyValue
{
    QString key;
    QString value;
    bool operator==(const KeyValue &) const = default;
};
using KeyValueList = QList<KeyValue>;

// Slurm resources of a job. Cluster defaults, overridden per service, client or monitor.
struct Resources
{
    QString account;
    QString partition;
    QString qos;
    std::optional<double> time;   // time limit, seconds
    int nodes = 0;
    int ntasks = 0;
    int cpusPerTask = 0;
    std::optional<qint64> memory; // bytes per node
    QString gres;                 // e.g. "gpu:4"
    int gpusPerNode = 0;          // shorthand for gres gpu:N
    std::optional<bool> exclusive;
    QString reservation;
    QString constraint;

    // Fields of `over` that are set replace ours.
    Resources mergedWith(const Resources &over) const;
    int gpuCount() const;         // from gpusPerNode or a gres "gpu[:type]:N"
    bool operator==(const Resources &) const = default;
};

struct Cluster
{
    Resources resources;
    QStringList modules;          // `module load` lines, in order
    KeyValueList environment;
    QString workdir;              // e.g. "$SCRATCH/factorybench"; may start with $VAR or ~
    bool operator==(const Cluster &) const = default;
};

// An Apptainer image. Empty sif and source: the service runs natively.
struct Container
{
    QString sif;                  // local image path (may start with $VAR or ~)
    QString source;               // "docker://ollama/ollama:0.5.7", pulled to sif if that is missing
    bool nv = false;              // --nv (NVIDIA GPUs)
    QStringList binds;            // "host:container[:ro]"
    QString mode = QStringLiteral("exec"); // "exec" (run command) or "run" (image runscript + args)
    bool isSet() const { return !sif.isEmpty() || !source.isEmpty(); }
    bool operator==(const Container &) const = default;
};

struct Port
{
    QString name;                 // "http", "redis", …
    int number = 0;
    bool operator==(const Port &) const = default;
};

struct HealthCheck
{
    QString type = QStringLiteral("tcp"); // "http", "tcp", "command", "none"
    QString path = QStringLiteral("/");   // http only
    QString port;                 // port name; empty: the service's first port
    QStringList command;          // command only (argv, placeholders allowed)
    double interval = 2;          // seconds between probes
    double timeout = 300;         // seconds the service may take to become healthy
    bool operator==(const HealthCheck &) const = default;
};

// A file the service job writes before starting (config, init SQL).
struct ConfigFile
{
    QString path;                 // relative to the service folder, or absolute
    QString content;              // placeholders allowed ({service_dir}, {port}, …)
    bool operator==(const ConfigFile &) const = default;
};

struct ModelSpec
{
    QString name;                 // "llama3.2:1b", "meta-llama/Llama-3.1-8B-Instruct"
    bool pull = false;            // Ollama: `ollama pull` before the endpoint is published
    bool operator==(const ModelSpec &) const = default;
};

// vllm-ray: a head node plus workers (resources.nodes - 1) forming a Ray cluster.
struct RaySpec
{
    int headPort = 6379;
    int dashboardPort = 8265;
    int tensorParallel = 1;
    int pipelineParallel = 1;
    bool operator==(const RaySpec &) const = default;
};

// A service that already runs outside the campaign (services[].external,
// fbctl run --target NAME=HOST:PORT): no job is submitted for it; each client
// job that targets it runs its health probe against host:port first.
struct ServiceExternal
{
    QString host;                 // host name, IPv4 or IPv6 literal (ExternalTarget.h)
    int port = 0;                 // 1–65535; 0: not set
    bool isSet() const { return !host.isEmpty() || port != 0; }
    bool operator==(const ServiceExternal &) const = default;
};

struct Service
{
    QString name;
    QString kind;                 // see serviceKinds()
    QString templateName;         // catalog template this service started from
    ServiceExternal external;     // set: already running, not started by FactoryBench
    Container container;
    QStringList command;          // argv; native command, or command inside the container
    QList<Port> ports;
    KeyValueList environment;
    HealthCheck health;
    Resources resources;
    QList<ConfigFile> files;
    QJsonObject settings;         // kind-specific: redis persistence/password, init_sql, …
    ModelSpec model;
    RaySpec ray;
    // A shell command run on the service's node, in its environment and
    // container, before each trial of a service group (`redis-cli FLUSHALL`).
    QString betweenTrials;

    int portNumber(const QString &portName = {}) const; // 0 if unknown
    bool operator==(const Service &) const = default;
};

struct LoadModel
{
    QString model = QStringLiteral("closed"); // closed, constant, poisson, gamma
    int concurrency = 1;          // closed loop
    std::optional<double> rate;   // requests/s for open loops
    std::optional<double> burstiness; // gamma shape
    double rampUp = 0;            // seconds
    bool operator==(const LoadModel &) const = default;
};

struct Slo
{
    std::optional<double> ttft;   // seconds (written "500ms")
    std::optional<double> tpot;
    std::optional<double> e2el;
    bool operator==(const Slo &) const = default;
};

struct Client
{
    QString name;
    QString service;              // target service name
    QString port;                 // target port name; empty: the service's first port
    QString workload;             // llm, redis, http, postgres, mysql, s3, file, vector
    int threads = 1;
    LoadModel load;
    double warmup = 0;
    std::optional<double> duration; // seconds; default 30 when requests is not set either
    std::optional<qint64> requests;
    double timeout = 30;
    std::optional<qint64> seed;   // default: metadata.seed
    Slo slo;
    int instances = 1;            // fbload processes (srun tasks)
    int nodes = 1;
    double waitTimeout = 1800;    // seconds to wait for the service endpoint
    Resources resources;
    KeyValueList environment;
    QJsonObject params;           // workload-specific, passed to fbload as is

    bool operator==(const Client &) const = default;
};

struct Exporter
{
    bool enabled = false;
    int port = 0;
    QStringList command;          // native command (placeholders allowed)
    Container container;
    bool operator==(const Exporter &) const = default;
};

struct Monitor
{
    bool enabled = false;
    double scrapeInterval = 5;
    Exporter prometheus{true, 9090, {QStringLiteral("prometheus")}, {}};
    Exporter nodeExporter{true, 9100, {QStringLiteral("prometheus-node-exporter")}, {}};
    Exporter gpuExporter{false, 9400, {QStringLiteral("dcgm-exporter")}, {}};
    double retention = 0;         // seconds of TSDB retention; 0: Prometheus default
    Resources resources;
    bool operator==(const Monitor &) const = default;
};

// One swept scalar: the field at `path` takes each of `values` in turn.
struct SweepAxis
{
    QString path;                 // "clients[0].load.concurrency"
    QStringList values;           // scalars as written in YAML
    bool operator==(const SweepAxis &) const = default;
};

struct Sweep
{
    QList<SweepAxis> axes;        // in document order
    QList<QStringList> zip;       // groups of axis paths that vary together
    int repetitions = 1;
    int maxTrials = 1000;
    int maxParallelTrials = 1;    // trials a campaign runs at once (>= 1)
    bool reuseServices = true;    // trials with the same services share one service job (a service group)
    bool operator==(const Sweep &) const = default;
};

struct Metadata
{
    QString name;
    QString description;
    QStringList tags;
    QString notes;
    qint64 seed = 1;
    bool operator==(const Metadata &) const = default;
};

// Where a field was written: for diagnostics. Not part of the value.
struct SourcePosition
{
    QString file;
    int line = 0;                 // 1-based; 0 = unknown
    int column = 0;               // 1-based
};

struct Recipe
{
    int version = kSchemaVersion;
    Metadata metadata;
    Cluster cluster;
    QList<Service> services;
    QList<Client> clients;
    Monitor monitor;
    Sweep sweep;

    // Field path → position, filled by the loader. Ignored by operator==.
    QHash<QString, SourcePosition> positions;

    const Service *findService(const QString &name) const;
    // Position of `path`, or of its nearest ancestor that has one.
    SourcePosition positionOf(const QString &path) const;

    bool operator==(const Recipe &o) const
    {
        return version == o.version && metadata == o.metadata && cluster == o.cluster && services == o.services
            && clients == o.clients && monitor == o.monitor && sweep == o.sweep;
    }
};

QStringList serviceKinds();
QStringList workloadKinds();
QStringList loadModels();

} // namespace fb::recipe
