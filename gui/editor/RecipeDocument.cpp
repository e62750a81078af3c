#include "RecipeDocument.h"

#include "FieldText.h"
#include "common/Paths.h"
#include "recipe/Catalog.h"
#include "recipe/Quantities.h"
#include "recipe/RecipeLoader.h"
#include "recipe/RecipeSaver.h"
#include "recipe/RecipeValidator.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QSaveFile>
#include <QUndoCommand>
#include <QUndoStack>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace fb::editor {

using namespace fb::recipe;

// Every edit is a whole-recipe snapshot pair: a Recipe is a small value with
// operator==, so storing before/after is simpler and safer than one inverse
// per edit kind, and undo restores exactly what was there.
class RecipeCommand : public QUndoCommand
{
public:
    RecipeCommand(RecipeDocument *doc, Recipe before, Recipe after, const QString &text, int id, QString key)
        : QUndoCommand(text), m_doc(doc), m_before(std::move(before)), m_after(std::move(after)), m_id(id), m_key(std::move(key))
    {
    }
    // Undo and redo leave text that does not load behind: the recipe's YAML replaces it.
    void undo() override { m_doc->clearBroken(); m_doc->applyRecipe(m_before); }
    void redo() override { m_doc->clearBroken(); m_doc->applyRecipe(m_after); }
    int id() const override { return m_id; }
    // Typing into one form field is one command, not one per keystroke.
    bool mergeWith(const QUndoCommand *other) override
    {
        const auto *o = static_cast<const RecipeCommand *>(other);
        if (o->m_key != m_key)
            return false;
        m_after = o->m_after;
        return true;
    }

private:
    RecipeDocument *m_doc;
    Recipe m_before;
    Recipe m_after;
    int m_id;
    QString m_key;
};

namespace {

QList<Diagnostic> validated(const Recipe &r, const ClusterTools &tools)
{
    RecipeValidator v;
    v.tools = tools;
    return v.validate(r);
}

struct NodeRef
{
    enum Type { None, ServiceNode, ClientNode, MonitorNode } type = None;
    int index = -1;
    QString field; // rest of the path after the node
};

NodeRef parsePath(const QString &path)
{
    static const QRegularExpression re(QStringLiteral("^(services|clients)\\[(\\d+)\\](?:\\.(.+))?$"));
    NodeRef ref;
    if (const auto m = re.match(path); m.hasMatch()) {
        ref.type = m.captured(1) == QLatin1String("services") ? NodeRef::ServiceNode : NodeRef::ClientNode;
        ref.index = m.captured(2).toInt();
        ref.field = m.captured(3);
    } else if (path == QLatin1String("monitor") || path.startsWith(QLatin1String("monitor."))) {
        ref.type = NodeRef::MonitorNode;
        ref.field = path.mid(8);
    }
    return ref;
}

QString workloadFor(const QString &kind)
{
    static const QHash<QString, QString> map{
        {QStringLiteral("redis"), QStringLiteral("redis")},     {QStringLiteral("postgres"), QStringLiteral("postgres")},
        {QStringLiteral("mysql"), QStringLiteral("mysql")},     {QStringLiteral("minio"), QStringLiteral("s3")},
        {QStringLiteral("ollama"), QStringLiteral("llm")},      {QStringLiteral("vllm"), QStringLiteral("llm")},
        {QStringLiteral("vllm-ray"), QStringLiteral("llm")},    {QStringLiteral("triton"), QStringLiteral("llm")},
        {QStringLiteral("chroma"), QStringLiteral("vector")},   {QStringLiteral("weaviate"), QStringLiteral("vector")}};
    return map.value(kind, QStringLiteral("http"));
}

std::optional<int> toInt(const QString &v, int min)
{
    bool ok = false;
    const int n = v.trimmed().toInt(&ok);
    if (!ok || n < min)
        return std::nullopt;
    return n;
}

QString optDuration(const std::optional<double> &d) { return d ? formatDuration(*d) : QString(); }

QString resourcesValue(const Resources &r, const QString &f)
{
    if (f == QLatin1String("partition")) return r.partition;
    if (f == QLatin1String("nodes")) return r.nodes ? QString::number(r.nodes) : QString();
    if (f == QLatin1String("cpus_per_task")) return r.cpusPerTask ? QString::number(r.cpusPerTask) : QString();
    if (f == QLatin1String("gpus_per_node")) return r.gpusPerNode ? QString::number(r.gpusPerNode) : QString();
    if (f == QLatin1String("memory")) return r.memory ? formatSize(*r.memory) : QString();
    if (f == QLatin1String("time")) return optDuration(r.time);
    return {};
}

// Empty text unsets a resource (inherit from cluster.resources).
bool setResources(Resources &r, const QString &f, const QString &v)
{
    const QString t = v.trimmed();
    auto count = [&](int &field) {
        if (t.isEmpty()) { field = 0; return true; }
        const auto n = toInt(t, 0);
        if (!n) return false;
        field = *n;
        return true;
    };
    if (f == QLatin1String("partition")) { r.partition = t; return true; }
    if (f == QLatin1String("nodes")) return count(r.nodes);
    if (f == QLatin1String("cpus_per_task")) return count(r.cpusPerTask);
    if (f == QLatin1String("gpus_per_node")) return count(r.gpusPerNode);
    if (f == QLatin1String("memory")) {
        if (t.isEmpty()) { r.memory.reset(); return true; }
        const auto b = parseSize(t);
        if (!b) return false;
        r.memory = *b;
        return true;
    }
    if (f == QLatin1String("time")) {
        if (t.isEmpty()) { r.time.reset(); return true; }
        const auto s = parseDuration(t);
        if (!s) return false;
        r.time = *s;
        return true;
    }
    return false;
}

QString portsText(const QList<Port> &ports)
{
    QStringList parts;
    for (const Port &p : ports)
        parts << QStringLiteral("%1=%2").arg(p.name).arg(p.number);
    return parts.join(QStringLiteral(", "));
}

// Renumbers (or drops, when `removed`) sweep paths below "<list>[index]".
void shiftSweepPaths(Sweep &sweep, const QString &list, int removed)
{
    static const QRegularExpression re(QStringLiteral("^(services|clients)\\[(\\d+)\\](.*)$"));
    auto remap = [&](const QString &path) -> std::optional<QString> {
        const auto m = re.match(path);
        if (!m.hasMatch() || m.captured(1) != list)
            return path;
        const int i = m.captured(2).toInt();
        if (i == removed)
            return std::nullopt;
        if (i < removed)
            return path;
        return QStringLiteral("%1[%2]%3").arg(list).arg(i - 1).arg(m.captured(3));
    };
    QList<SweepAxis> axes;
    for (SweepAxis a : sweep.axes) {
        if (const auto p = remap(a.path)) {
            a.path = *p;
            axes << a;
        }
    }
    sweep.axes = axes;
    QList<QStringList> zip;
    for (const QStringList &g : sweep.zip) {
        QStringList kept;
        for (const QString &p : g)
            if (const auto q = remap(p))
                kept << *q;
        if (kept.size() > 1)
            zip << kept;
    }
    sweep.zip = zip;
}

} // namespace

RecipeDocument::RecipeDocument(const Catalog *catalog, QObject *parent)
    : QObject(parent), m_catalog(catalog ? catalog : &Catalog::standard()), m_undo(new QUndoStack(this))
{
    m_recipe.metadata.name = QStringLiteral("untitled");
    m_diagnostics = validated(m_recipe, m_tools);
    connect(m_undo, &QUndoStack::cleanChanged, this, [this](bool clean) { emit dirtyChanged(!clean || m_brokenModified); });
    m_autosaveTimer.setSingleShot(true);
    m_autosaveTimer.setInterval(300);
    connect(&m_autosaveTimer, &QTimer::timeout, this, &RecipeDocument::writeAutosave);
    connect(&m_autosaveWatcher, &QFutureWatcher<bool>::finished, this, [this] {
        if (m_autosaveWatcher.result())
            emit autosaved(autosavePath());
        if (m_autosaveAgain) {
            m_autosaveAgain = false;
            writeAutosave();
        }
    });
}

RecipeDocument::~RecipeDocument()
{
    m_autosaveWatcher.waitForFinished();
}

void RecipeDocument::applyRecipe(const Recipe &r)
{
    m_recipe = r;
    m_diagnostics = validated(m_recipe, m_tools);
    emit changed();
    scheduleAutosave();
}

bool RecipeDocument::pushRecipe(const Recipe &after, const QString &text, int mergeId, const QString &mergeKey)
{
    if (after == m_recipe)
        return false;
    m_yamlDiagnostics.clear();
    clearBroken();
    m_undo->push(new RecipeCommand(this, m_recipe, after, text, mergeId, mergeKey));
    return true;
}

QString RecipeDocument::uniqueServiceName(const QString &base) const
{
    auto taken = [this](const QString &n) {
        return std::any_of(m_recipe.services.begin(), m_recipe.services.end(), [&](const Service &s) { return s.name == n; })
            || std::any_of(m_recipe.clients.begin(), m_recipe.clients.end(), [&](const Client &c) { return c.name == n; });
    };
    if (!taken(base))
        return base;
    for (int i = 2;; ++i)
        if (const QString n = QStringLiteral("%1-%2").arg(base).arg(i); !taken(n))
            return n;
}

QString RecipeDocument::addServiceFromTemplate(const QString &templateName)
{
    if (!m_catalog->find(templateName))
        return {};
    // The loader resolves the template exactly as it would for a hand-written
    // `template:` line, so a dropped service equals a typed one.
    const QString name = uniqueServiceName(templateName);
    const QString text = QStringLiteral("version: 1\nservices:\n  - name: %1\n    template: %2\n").arg(name, templateName);
    const LoadResult loaded = RecipeLoader(m_catalog).loadText(text, QStringLiteral("template:%1").arg(templateName));
    if (!loaded.ok() || loaded.recipe.services.size() != 1) {
        qWarning("fbeditor: template %s: %s", qPrintable(templateName), qPrintable(formatDiagnostics(loaded.diagnostics)));
        return {};
    }
    Recipe r = m_recipe;
    r.services << loaded.recipe.services.first();
    // A cluster known to lack Apptainer runs the service natively (container: none).
    if (m_tools.lacksApptainer())
        r.services.last().container = Container{};
    return pushRecipe(r, tr("Add service %1").arg(name)) ? name : QString();
}

QString RecipeDocument::addClient(const QString &service)
{
    const Service *target = service.isEmpty() ? nullptr : m_recipe.findService(service);
    if (!service.isEmpty() && !target)
        return {};
    Client c;
    c.name = uniqueServiceName(QStringLiteral("load"));
    c.workload = target ? workloadFor(target->kind) : QStringLiteral("http");
    c.service = service;
    Recipe r = m_recipe;
    r.clients << c;
    return pushRecipe(r, tr("Add client %1").arg(c.name)) ? c.name : QString();
}

bool RecipeDocument::connectClient(const QString &client, const QString &service)
{
    const Service *target = m_recipe.findService(service);
    if (!target)
        return false;
    Recipe r = m_recipe;
    for (Client &c : r.clients) {
        if (c.name != client)
            continue;
        // A fresh client takes the workload that fits its new target.
        if (c.service.isEmpty() && c.workload == QLatin1String("http"))
            c.workload = workloadFor(target->kind);
        c.service = service;
        c.port.clear();
        return pushRecipe(r, tr("Connect %1 → %2").arg(client, service));
    }
    return false;
}

bool RecipeDocument::setMonitorEnabled(bool enabled)
{
    Recipe r = m_recipe;
    r.monitor.enabled = enabled;
    return pushRecipe(r, enabled ? tr("Add monitor") : tr("Remove monitor"));
}

QStringList RecipeDocument::editableFields(const QString &nodePath)
{
    const NodeRef ref = parsePath(nodePath);
    switch (ref.type) {
    case NodeRef::ServiceNode:
        return {QStringLiteral("name"), QStringLiteral("kind"), QStringLiteral("command"), QStringLiteral("ports"),
                QStringLiteral("container"), QStringLiteral("container.source"), QStringLiteral("container.sif"),
                QStringLiteral("container.nv"), QStringLiteral("container.binds"), QStringLiteral("resources.partition"),
                QStringLiteral("resources.nodes"), QStringLiteral("resources.cpus_per_task"), QStringLiteral("resources.gpus_per_node"),
                QStringLiteral("resources.memory"), QStringLiteral("resources.time")};
    case NodeRef::ClientNode:
        return {QStringLiteral("name"), QStringLiteral("service"), QStringLiteral("port"), QStringLiteral("workload"),
                QStringLiteral("threads"), QStringLiteral("load.model"), QStringLiteral("load.concurrency"), QStringLiteral("load.rate"),
                QStringLiteral("warmup"), QStringLiteral("duration"), QStringLiteral("requests"), QStringLiteral("instances"),
                QStringLiteral("nodes"), QStringLiteral("resources.partition"), QStringLiteral("resources.cpus_per_task"),
                QStringLiteral("resources.memory"), QStringLiteral("resources.time")};
    case NodeRef::MonitorNode:
        return {QStringLiteral("enabled"), QStringLiteral("scrape_interval"), QStringLiteral("prometheus.port"),
                QStringLiteral("node_exporter.enabled"), QStringLiteral("gpu_exporter.enabled")};
    case NodeRef::None:
        break;
    }
    return {};
}

QString RecipeDocument::fieldValue(const QString &path) const
{
    const NodeRef ref = parsePath(path);
    const QString &f = ref.field;
    if (ref.type == NodeRef::ServiceNode && ref.index < m_recipe.services.size()) {
        const Service &s = m_recipe.services[ref.index];
        if (f == QLatin1String("name")) return s.name;
        if (f == QLatin1String("kind")) return s.kind;
        if (f == QLatin1String("command")) return QStringList(s.command).join(QLatin1Char(' '));
        if (f == QLatin1String("ports")) return portsText(s.ports);
        if (f == QLatin1String("container")) return s.container.isSet() ? QStringLiteral("apptainer") : QStringLiteral("none");
        if (f == QLatin1String("container.source")) return s.container.source;
        if (f == QLatin1String("container.sif")) return s.container.sif;
        if (f == QLatin1String("container.nv")) return s.container.nv ? QStringLiteral("true") : QStringLiteral("false");
        if (f == QLatin1String("container.binds")) return s.container.binds.join(QStringLiteral(", "));
        if (f.startsWith(QLatin1String("resources."))) return resourcesValue(s.resources, f.mid(10));
    } else if (ref.type == NodeRef::ClientNode && ref.index < m_recipe.clients.size()) {
        const Client &c = m_recipe.clients[ref.index];
        if (f == QLatin1String("name")) return c.name;
        if (f == QLatin1String("service")) return c.service;
        if (f == QLatin1String("port")) return c.port;
        if (f == QLatin1String("workload")) return c.workload;
        if (f == QLatin1String("threads")) return QString::number(c.threads);
        if (f == QLatin1String("load.model")) return c.load.model;
        if (f == QLatin1String("load.concurrency")) return QString::number(c.load.concurrency);
        if (f == QLatin1String("load.rate")) return c.load.rate ? formatNumber(*c.load.rate) : QString();
        if (f == QLatin1String("warmup")) return formatDuration(c.warmup);
        if (f == QLatin1String("duration")) return optDuration(c.duration);
        if (f == QLatin1String("requests")) return c.requests ? QString::number(*c.requests) : QString();
        if (f == QLatin1String("instances")) return QString::number(c.instances);
        if (f == QLatin1String("nodes")) return QString::number(c.nodes);
        if (f.startsWith(QLatin1String("resources."))) return resourcesValue(c.resources, f.mid(10));
    } else if (ref.type == NodeRef::MonitorNode) {
        const Monitor &m = m_recipe.monitor;
        auto b = [](bool v) { return v ? QStringLiteral("true") : QStringLiteral("false"); };
        if (f == QLatin1String("enabled")) return b(m.enabled);
        if (f == QLatin1String("scrape_interval")) return formatDuration(m.scrapeInterval);
        if (f == QLatin1String("prometheus.port")) return QString::number(m.prometheus.port);
        if (f == QLatin1String("node_exporter.enabled")) return b(m.nodeExporter.enabled);
        if (f == QLatin1String("gpu_exporter.enabled")) return b(m.gpuExporter.enabled);
    }
    return {};
}

namespace {

// Parses the form's text for the field at `path` into `r`; false when the text does not fit the field.
bool applyField(Recipe &r, const QString &path, const QString &value)
{
    const NodeRef ref = parsePath(path);
    const QString &f = ref.field;
    const QString v = value.trimmed();
    bool ok = false;
    auto duration = [&](double &out) {
        const auto s = parseDuration(v);
        if (s) out = *s;
        return s.has_value();
    };
    auto optDur = [&](std::optional<double> &out) {
        if (v.isEmpty()) { out.reset(); return true; }
        const auto s = parseDuration(v);
        if (s) out = *s;
        return s.has_value();
    };
    auto integer = [&](int &out, int min) {
        const auto n = toInt(v, min);
        if (n) out = *n;
        return n.has_value();
    };
    auto boolean = [&](bool &out) {
        if (v != QLatin1String("true") && v != QLatin1String("false")) return false;
        out = v == QLatin1String("true");
        return true;
    };
    if (ref.type == NodeRef::ServiceNode && ref.index < r.services.size()) {
        Service &s = r.services[ref.index];
        if (f == QLatin1String("name")) {
            // Renaming a service keeps its clients pointed at it.
            for (Client &c : r.clients)
                if (c.service == s.name)
                    c.service = v;
            s.name = v;
            ok = true;
        } else if (f == QLatin1String("kind")) { s.kind = v; ok = true; }
        else if (f == QLatin1String("command")) { s.command = QProcess::splitCommand(v); ok = true; }
        else if (f == QLatin1String("ports")) {
            QList<Port> ports;
            ok = true;
            for (const QString &part : v.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
                const QStringList kv = part.split(QLatin1Char('='));
                const auto n = kv.size() == 2 ? toInt(kv[1], 1) : std::nullopt;
                if (!n || *n > 65535) { ok = false; break; }
                ports << Port{kv[0].trimmed(), *n};
            }
            if (ok) s.ports = ports;
        } else if (f == QLatin1String("container")) {
            // "none" runs natively; "apptainer" is filled in by setField (the template's image).
            ok = v == QLatin1String("none") || v == QLatin1String("apptainer");
            if (v == QLatin1String("none"))
                s.container = Container{};
        } else if (f == QLatin1String("container.source")) { s.container.source = v; ok = true; }
        else if (f == QLatin1String("container.sif")) { s.container.sif = v; ok = true; }
        else if (f == QLatin1String("container.nv")) ok = boolean(s.container.nv);
        else if (f == QLatin1String("container.binds")) {
            s.container.binds.clear();
            for (const QString &b : v.split(QLatin1Char(','), Qt::SkipEmptyParts))
                if (!b.trimmed().isEmpty())
                    s.container.binds << b.trimmed();
            ok = true;
        }
        else if (f.startsWith(QLatin1String("resources."))) ok = setResources(s.resources, f.mid(10), v);
    } else if (ref.type == NodeRef::ClientNode && ref.index < r.clients.size()) {
        Client &c = r.clients[ref.index];
        if (f == QLatin1String("name")) { c.name = v; ok = true; }
        else if (f == QLatin1String("service")) { c.service = v; ok = true; }
        else if (f == QLatin1String("port")) { c.port = v; ok = true; }
        else if (f == QLatin1String("workload")) { c.workload = v; ok = true; }
        else if (f == QLatin1String("threads")) ok = integer(c.threads, 1);
        else if (f == QLatin1String("load.model")) { c.load.model = v; ok = true; }
        else if (f == QLatin1String("load.concurrency")) ok = integer(c.load.concurrency, 1);
        else if (f == QLatin1String("load.rate")) {
            bool good = false;
            const double d = v.toDouble(&good);
            if (v.isEmpty()) { c.load.rate.reset(); ok = true; }
            else if (good && d > 0) { c.load.rate = d; ok = true; }
        } else if (f == QLatin1String("warmup")) ok = duration(c.warmup);
        else if (f == QLatin1String("duration")) ok = optDur(c.duration);
        else if (f == QLatin1String("requests")) {
            bool good = false;
            const qint64 n = v.toLongLong(&good);
            if (v.isEmpty()) { c.requests.reset(); ok = true; }
            else if (good && n > 0) { c.requests = n; ok = true; }
        } else if (f == QLatin1String("instances")) ok = integer(c.instances, 1);
        else if (f == QLatin1String("nodes")) ok = integer(c.nodes, 1);
        else if (f.startsWith(QLatin1String("resources."))) ok = setResources(c.resources, f.mid(10), v);
    } else if (ref.type == NodeRef::MonitorNode) {
        Monitor &m = r.monitor;
        if (f == QLatin1String("enabled")) ok = boolean(m.enabled);
        else if (f == QLatin1String("scrape_interval")) ok = duration(m.scrapeInterval);
        else if (f == QLatin1String("prometheus.port")) ok = integer(m.prometheus.port, 1);
        else if (f == QLatin1String("node_exporter.enabled")) ok = boolean(m.nodeExporter.enabled);
        else if (f == QLatin1String("gpu_exporter.enabled")) ok = boolean(m.gpuExporter.enabled);
    }
    return ok;
}

} // namespace

bool RecipeDocument::setField(const QString &path, const QString &value, QString *error)
{
    Recipe r = m_recipe;
    const bool parsed = applyField(r, path, value);
    // The loader decides what the text means (empty text unsets an optional field instead).
    QString why = (parsed && value.trimmed().isEmpty()) || path.endsWith(QLatin1String(".container"))
        ? QString() : fieldTextError(*m_catalog, path, value);
    if (why.isEmpty() && !parsed)
        why = tr("\"%1\" is not a valid value here").arg(value.trimmed());
    if (!why.isEmpty()) {
        if (error)
            *error = why;
        return false;
    }
    // Choosing Apptainer for a native service brings back its template's image.
    static const QRegularExpression container(QStringLiteral("^services\\[(\\d+)\\]\\.container$"));
    if (const auto m = container.match(path); m.hasMatch() && value.trimmed() == QLatin1String("apptainer")) {
        Service &s = r.services[m.captured(1).toInt()];
        if (!s.container.isSet() && m_catalog->find(s.templateName)) {
            const LoadResult t = RecipeLoader(m_catalog).loadText(
                QStringLiteral("version: 1\nservices:\n  - name: x\n    template: %1\n").arg(s.templateName));
            if (t.ok() && t.recipe.services.size() == 1)
                s.container = t.recipe.services.first().container;
        }
    }
    // One id for all field edits; the key makes consecutive edits of the same field merge.
    pushRecipe(r, tr("Set %1").arg(path), 1, path);
    return true;
}

QStringList RecipeDocument::sweepValues(const QString &path) const
{
    for (const SweepAxis &a : m_recipe.sweep.axes)
        if (a.path == path)
            return a.values;
    return {};
}

bool RecipeDocument::setSweep(const QString &path, const QStringList &values)
{
    QStringList vals;
    for (const QString &v : values)
        if (!v.trimmed().isEmpty())
            vals << v.trimmed();
    Recipe r = m_recipe;
    auto it = std::find_if(r.sweep.axes.begin(), r.sweep.axes.end(), [&](const SweepAxis &a) { return a.path == path; });
    if (vals.isEmpty()) {
        if (it == r.sweep.axes.end())
            return false;
        r.sweep.axes.erase(it);
        return pushRecipe(r, tr("Remove sweep of %1").arg(path));
    }
    // The model holds the first value in the field itself (as the loader does);
    // setting it through the same parser refuses values the field cannot take.
    for (const QString &v : vals) {
        Recipe probe = r;
        if (!applyField(probe, path, v))
            return false;
    }
    applyField(r, path, vals.first());
    if (it == r.sweep.axes.end())
        r.sweep.axes << SweepAxis{path, vals};
    else
        std::find_if(r.sweep.axes.begin(), r.sweep.axes.end(), [&](const SweepAxis &a) { return a.path == path; })->values = vals;
    return pushRecipe(r, tr("Sweep %1 over %2").arg(path, vals.join(QStringLiteral(", "))));
}

bool RecipeDocument::removeNode(const QString &nodePath)
{
    const NodeRef ref = parsePath(nodePath);
    Recipe r = m_recipe;
    QString name;
    if (ref.type == NodeRef::ServiceNode && ref.index >= 0 && ref.index < r.services.size()) {
        name = r.services.takeAt(ref.index).name;
        shiftSweepPaths(r.sweep, QStringLiteral("services"), ref.index);
    } else if (ref.type == NodeRef::ClientNode && ref.index >= 0 && ref.index < r.clients.size()) {
        name = r.clients.takeAt(ref.index).name;
        shiftSweepPaths(r.sweep, QStringLiteral("clients"), ref.index);
    } else if (ref.type == NodeRef::MonitorNode) {
        return setMonitorEnabled(false);
    } else {
        return false;
    }
    return pushRecipe(r, tr("Remove %1").arg(name));
}

bool RecipeDocument::setYaml(const QString &text)
{
    const LoadResult loaded = RecipeLoader(m_catalog).loadText(text, m_fileName.isEmpty() ? QStringLiteral("recipe.yaml") : QFileInfo(m_fileName).fileName());
    if (!loaded.ok()) {
        m_yamlDiagnostics = loaded.diagnostics;
        // Kept, so that save() and the autosave write what the user typed.
        const bool wasDirty = isDirty();
        if (!m_broken || m_brokenText != text) {
            m_broken = true;
            m_brokenText = text;
            m_brokenModified = true;
            scheduleAutosave();
        }
        if (isDirty() != wasDirty)
            emit dirtyChanged(isDirty());
        return false;
    }
    pushRecipe(loaded.recipe, tr("Edit YAML")); // each parsed pause in typing (or paste) is one step
    m_baseText = text; // what the user typed (comments included) is what later saves edit
    m_yamlDiagnostics.clear();
    clearBroken();
    return true;
}

void RecipeDocument::clearBroken()
{
    if (!m_broken)
        return;
    const bool wasDirty = isDirty();
    m_broken = false;
    m_brokenText.clear();
    m_brokenModified = false;
    if (isDirty() != wasDirty)
        emit dirtyChanged(isDirty());
}

void RecipeDocument::setClusterTools(const ClusterTools &tools)
{
    if (tools == m_tools)
        return;
    m_tools = tools;
    m_diagnostics = validated(m_recipe, m_tools);
    emit changed();
}

QString RecipeDocument::yaml() const
{
    return RecipeSaver(m_catalog).toText(m_recipe, m_baseText);
}

qint64 RecipeDocument::trialCount() const
{
    return RecipeValidator::trialCount(m_recipe.sweep);
}

double RecipeDocument::estimatedNodeHours() const
{
    const qint64 trials = trialCount();
    if (trials <= 0)
        return 0;
    auto nodesOf = [&](const Resources &own) { return std::max(1, m_recipe.cluster.resources.mergedWith(own).nodes); };
    double nodes = 0;
    double seconds = 0;
    for (const Service &s : m_recipe.services)
        nodes += nodesOf(s.resources);
    for (const Client &c : m_recipe.clients) {
        nodes += std::max(1, c.nodes);
        seconds = std::max(seconds, c.warmup + c.duration.value_or(c.requests ? 0.0 : 30.0));
    }
    if (m_recipe.monitor.enabled)
        nodes += 1;
    return double(trials) * nodes * seconds / 3600.0;
}

bool RecipeDocument::load(const QString &path, QString *error)
{
    const LoadResult loaded = RecipeLoader(m_catalog).loadFile(path);
    if (!loaded.ok()) {
        m_yamlDiagnostics = loaded.diagnostics;
        if (error)
            *error = formatDiagnostics(loaded.diagnostics);
        if (QFile f(path); f.open(QIODevice::ReadOnly))
            openBroken(path, QString::fromUtf8(f.readAll()));
        return false;
    }
    m_undo->clear();
    m_yamlDiagnostics.clear();
    clearBroken();
    m_fileName = QFileInfo(path).absoluteFilePath();
    m_baseText = readText(path);
    applyRecipe(loaded.recipe);
    m_undo->setClean();
    emit fileNameChanged(m_fileName);
    emit dirtyChanged(false);
    emit replaced();
    return true;
}

void RecipeDocument::openBroken(const QString &path, const QString &text)
{
    const QList<Diagnostic> diagnostics = m_yamlDiagnostics;
    m_undo->clear();
    m_fileName = QFileInfo(path).absoluteFilePath();
    m_baseText.clear(); // the canonical layout until the repaired text loads
    m_broken = true;
    m_brokenText = text;
    m_brokenModified = false;
    Recipe empty; // nothing valid to show yet: an empty canvas until the text loads
    empty.metadata.name = QFileInfo(path).completeBaseName();
    applyRecipe(empty);
    m_yamlDiagnostics = diagnostics;
    m_undo->setClean();
    emit fileNameChanged(m_fileName);
    emit dirtyChanged(false);
    emit replaced();
}

// A broken document saves its text as it is: the repair in progress, not a recipe.
bool RecipeDocument::saveBrokenText(const QString &path, QString *error)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(m_brokenText.toUtf8()) < 0 || !f.commit()) {
        if (error)
            *error = f.errorString();
        return false;
    }
    const QString abs = QFileInfo(path).absoluteFilePath();
    if (abs != m_fileName) {
        m_fileName = abs;
        emit fileNameChanged(m_fileName);
    }
    m_brokenModified = false;
    m_undo->setClean();
    emit dirtyChanged(isDirty());
    return true;
}

bool RecipeDocument::save(const QString &path, QString *error)
{
    if (m_broken)
        return saveBrokenText(path, error);
    nameAfterFile(path);
    QString fallback;
    if (!RecipeSaver(m_catalog).saveFile(m_recipe, path, error, m_baseText, &fallback))
        return false;
    if (!fallback.isEmpty())
        qWarning("fbeditor: %s: saved in the canonical layout, comments and formatting were not kept: %s",
                 qPrintable(path), qPrintable(fallback));
    m_baseText = readText(path); // the next save edits what is on disk now
    const QString abs = QFileInfo(path).absoluteFilePath();
    if (abs != m_fileName) {
        m_fileName = abs;
        emit fileNameChanged(m_fileName);
    }
    m_undo->setClean();
    return true;
}

// metadata.name follows the file (Save As "my-postgres.yaml" names the runs
// "my-postgres") unless the user chose a name: one that is empty, still
// "untitled" or the old file's base name was derived, not chosen.
void RecipeDocument::nameAfterFile(const QString &path)
{
    const QString base = QFileInfo(path).completeBaseName();
    const QString name = m_recipe.metadata.name;
    const bool derived = name.isEmpty() || name == QLatin1String("untitled")
        || (!m_fileName.isEmpty() && name == QFileInfo(m_fileName).completeBaseName());
    if (!derived || name == base || base.isEmpty())
        return;
    Recipe r = m_recipe;
    r.metadata.name = base;
    pushRecipe(r, tr("Name the recipe %1").arg(base));
}

QString RecipeDocument::readText(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

void RecipeDocument::newDocument()
{
    m_undo->clear();
    m_fileName.clear();
    m_baseText.clear();
    m_yamlDiagnostics.clear();
    clearBroken();
    Recipe r;
    r.metadata.name = QStringLiteral("untitled");
    applyRecipe(r);
    m_undo->setClean();
    emit fileNameChanged(m_fileName);
    emit dirtyChanged(false);
    emit replaced();
}

bool RecipeDocument::isDirty() const
{
    return !m_undo->isClean() || m_brokenModified;
}

QString RecipeDocument::autosavePath() const
{
    // One side file per document: a hash of the file it edits, or "untitled".
    const QString key = m_fileName.isEmpty()
        ? QStringLiteral("untitled")
        : QFileInfo(m_fileName).completeBaseName() + QLatin1Char('-')
            + QString::fromLatin1(QCryptographicHash::hash(m_fileName.toUtf8(), QCryptographicHash::Sha1).toHex().left(8));
    return QDir(Paths::stateDir()).filePath(QStringLiteral("autosave/%1.yaml").arg(key));
}

void RecipeDocument::scheduleAutosave()
{
    m_autosaveTimer.start();
}

void RecipeDocument::writeAutosave()
{
    if (m_autosaveWatcher.isRunning()) {
        m_autosaveAgain = true; // writes stay in order: the next one starts when this one ends
        return;
    }
    const QString path = autosavePath();
    const QString text = m_broken ? m_brokenText : yaml();
    m_autosaveWatcher.setFuture(QtConcurrent::run([path, text] {
        QDir().mkpath(QFileInfo(path).absolutePath());
        QSaveFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return false;
        f.write(text.toUtf8());
        return f.commit();
    }));
}

void RecipeDocument::flushAutosave()
{
    if (m_autosaveTimer.isActive()) {
        m_autosaveTimer.stop();
        writeAutosave();
    }
    while (m_autosaveWatcher.isRunning() || m_autosaveAgain) {
        m_autosaveWatcher.waitForFinished();
        // Delivers finished(), which may start the follow-up write. Only the
        // watcher's events: this runs from destructors, where any other posted
        // event (a polish request, say) can reach a half-destroyed widget.
        QCoreApplication::sendPostedEvents(&m_autosaveWatcher);
    }
}

} // namespace fb::editor
