#include "recipe/RecipeSaver.h"

#include "recipe/Catalog.h"
#include "recipe/Quantities.h"
#include "recipe/RecipePatcher.h"
#include "recipe/RecipeTree_p.h"
#include "recipe/RecipeYaml_p.h"

#include <QJsonArray>
#include <QLocale>
#include <QRegularExpression>
#include <QSaveFile>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>

namespace fb::recipe {
namespace detail {

bool looksTyped(const QString &s)
{
    static const QRegularExpression re(QStringLiteral(
        "^(?:[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)|0x[0-9a-fA-F]+|0o[0-7]+"
        "|true|false|True|False|TRUE|FALSE|yes|no|on|off|Yes|No|On|Off|YES|NO|ON|OFF|y|n|Y|N|null|Null|NULL|~|)$"));
    return re.match(s).hasMatch();
}

bool isSafePlain(const QString &s, bool inFlow)
{
    // Hand-written because yaml-cpp's own plain-scalar test lets through
    // strings it then reads back differently ("a\r", "a}:"). Conservative: a
    // string that is not certainly plain is double-quoted.
    if (s.isEmpty() || looksTyped(s))
        return false;
    static const QString badFirst = QStringLiteral("-?:,[]{}#&*!|>'\"%@`");
    if (badFirst.contains(s.front()) || s.front().isSpace() || s.back().isSpace() || s.back() == QLatin1Char(':'))
        return false;
    if (s.contains(QStringLiteral(": ")) || s.contains(QStringLiteral(" #")) || s.startsWith(QStringLiteral("---")))
        return false;
    for (const QChar c : s) {
        const ushort u = c.unicode();
        if (u < 0x20 || u == 0x7f || (u >= 0x80 && u <= 0xa0) || u == 0x2028 || u == 0x2029 || u == 0xfeff)
            return false;
        if (u > 0x7f && (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format
                         || c.category() == QChar::Separator_Space || c.isSurrogate()))
            return false;
        if (inFlow && (u == ',' || u == '[' || u == ']' || u == '{' || u == '}' || u == ':' || u == '#'))
            return false;
    }
    return true;
}

QString doubleQuoted(const QString &s)
{
    YAML::Emitter e;
    e << YAML::DoubleQuoted << s.toStdString();
    return QString::fromUtf8(e.c_str());
}

namespace {

// Literal blocks for file contents: readable, and exact when the text ends in
// one newline (YAML's default "clip" chomping).
bool suitsLiteral(const QString &t)
{
    return t.contains(QLatin1Char('\n')) && t.endsWith(QLatin1Char('\n')) && !t.endsWith(QStringLiteral("\n\n"))
        && !t.startsWith(QLatin1Char(' ')) && !t.startsWith(QLatin1Char('\n')) && !t.contains(QStringLiteral(" \n"))
        // yaml-cpp stops emitting at a control character in a literal block,
        // and folds other line breaks: such text goes double-quoted.
        && std::none_of(t.begin(), t.end(), [](QChar c) {
               const ushort u = c.unicode();
               return (u < 0x20 && u != '\n') || u == 0x7f || (u >= 0x80 && u <= 0xa0) || u == 0x2028 || u == 0x2029
                   || u == 0xfeff || c.category() == QChar::Other_Control;
           });
}

void emitString(YAML::Emitter &e, const QString &text, bool inFlow, bool allowLiteral)
{
    const std::string s = text.toStdString();
    if (!inFlow && allowLiteral && suitsLiteral(text))
        e << YAML::Literal << s;
    else if (isSafePlain(text, inFlow))
        e << s;
    else
        e << YAML::DoubleQuoted << s;
}

void emitNode(YAML::Emitter &e, const Out &o, bool inFlow)
{
    switch (o.type) {
    case Out::Plain:
        // yaml-cpp quotes the string "null" (it would read back as null), so
        // a JSON null is emitted as YAML's null itself.
        if (o.text == QLatin1String("null"))
            e << YAML::Null;
        else if (looksTyped(o.text) || isSafePlain(o.text, inFlow))
            e << o.text.toStdString();
        else
            e << YAML::DoubleQuoted << o.text.toStdString();
        break;
    case Out::Str:
        emitString(e, o.text, inFlow, true);
        break;
    case Out::Seq:
        e << (o.flow || inFlow ? YAML::Flow : YAML::Block) << YAML::BeginSeq;
        for (const auto &c : o.children)
            emitNode(e, c.second, inFlow || o.flow);
        e << YAML::EndSeq;
        break;
    case Out::Map:
        e << (o.flow || inFlow ? YAML::Flow : YAML::Block) << YAML::BeginMap;
        for (const auto &c : o.children) {
            e << YAML::Key;
            emitString(e, c.first, inFlow || o.flow, false);
            e << YAML::Value;
            emitNode(e, c.second, inFlow || o.flow);
        }
        e << YAML::EndMap;
        break;
    }
}

} // namespace

QString emitTree(const Out &tree)
{
    YAML::Emitter e;
    e.SetIndent(2);
    emitNode(e, tree, false);
    return QString::fromUtf8(e.c_str());
}

QString emitEntry(const QString &key, const Out &value)
{
    Out map;
    map.children.append({key, value});
    return emitTree(map);
}

QString emitItem(const Out &value)
{
    Out seq{Out::Seq, {}, false, {}};
    seq.children.append({QString(), value});
    return emitTree(seq);
}

QString emitInline(const Out &tree)
{
    YAML::Emitter e;
    emitNode(e, tree, tree.type == Out::Seq || tree.type == Out::Map);
    return QString::fromUtf8(e.c_str());
}

namespace {

class Writer
{
public:
    Writer(const Recipe &r, const Catalog &catalog, TreeMode mode) : m_recipe(r), m_catalog(catalog), m_full(mode == TreeMode::Full)
    {
        for (const SweepAxis &a : r.sweep.axes)
            m_axes.insert(a.path, a.values);
    }

    Out document();

private:
    const Recipe &m_recipe;
    const Catalog &m_catalog;
    QHash<QString, QStringList> m_axes;
    bool m_full;

    // Canonical trees say what differs from the default; full trees say everything.
    bool keep(bool differs) const { return differs || m_full; }

    static QString join(const QString &p, const QString &k) { return p.isEmpty() ? k : p + QLatin1Char('.') + k; }

    // Writes `value` under `key` if it differs from the default or is swept
    // (full trees: if it is `present`, i.e. an optional that is set).
    void field(Out &map, const QString &path, const QString &key, const Out &value, bool differs, bool present = true)
    {
        const QString p = join(path, key);
        const auto axis = m_axes.constFind(p);
        if (axis != m_axes.constEnd()) {
            Out seq{Out::Seq, {}, true, {}};
            for (const QString &v : *axis)
                seq.children.append({QString(), value.type == Out::Plain ? Out::plain(v) : Out::str(v)});
            map.set(key, seq);
        } else if (m_full ? present : differs) {
            map.set(key, value);
        }
    }
    void s(Out &m, const QString &p, const QString &k, const QString &v, const QString &def)
    { field(m, p, k, Out::str(v), v != def); }
    void i(Out &m, const QString &p, const QString &k, qint64 v, qint64 def)
    { field(m, p, k, Out::plain(QString::number(v)), v != def); }
    void b(Out &m, const QString &p, const QString &k, bool v, bool def)
    { field(m, p, k, Out::plain(v ? QStringLiteral("true") : QStringLiteral("false")), v != def); }
    void d(Out &m, const QString &p, const QString &k, double v, double def)
    { field(m, p, k, Out::plain(formatDuration(v)), v != def); }
    void n(Out &m, const QString &p, const QString &k, double v, double def)
    { field(m, p, k, Out::plain(formatNumber(v)), v != def); }
    void od(Out &m, const QString &p, const QString &k, const std::optional<double> &v, const std::optional<double> &def)
    { field(m, p, k, Out::plain(v ? formatDuration(*v) : QString()), v && v != def, v.has_value()); }
    static Out list(const QStringList &l)
    {
        Out o{Out::Seq, {}, false, {}};
        for (const QString &x : l)
            o.children.append({QString(), Out::str(x)});
        return o;
    }
    static Out flowList(const QStringList &l) { Out o = list(l); o.flow = true; return o; }
    void kv(Out &m, const QString &p, const QString &k, const KeyValueList &v, const KeyValueList &def)
    {
        if (!keep(v != def) && !hasAxisBelow(join(p, k)))
            return;
        Out o;
        for (const KeyValue &x : v)
            field(o, join(p, k), x.key, Out::str(x.value), true);
        m.set(k, o);
    }
    bool hasAxisBelow(const QString &p) const
    {
        for (auto it = m_axes.constBegin(); it != m_axes.constEnd(); ++it)
            if (it.key().startsWith(p + QLatin1Char('.')) || it.key().startsWith(p + QLatin1Char('[')))
                return true;
        return false;
    }

    Out json(const QString &path, const QJsonValue &v)
    {
        switch (v.type()) {
        case QJsonValue::Object: {
            Out o;
            const QJsonObject obj = v.toObject();
            for (auto it = obj.begin(); it != obj.end(); ++it) {
                const Out child = json(join(path, it.key()), *it);
                field(o, path, it.key(), child, true);
                if (child.type == Out::Map && child.children.isEmpty())
                    o.children.append({it.key(), Out{Out::Map, {}, true, {}}}); // keep {} values
            }
            return o;
        }
        case QJsonValue::Array: {
            Out o{Out::Seq, {}, false, {}};
            const QJsonArray a = v.toArray();
            for (qsizetype idx = 0; idx < a.size(); ++idx)
                o.children.append({QString(), json(path + QStringLiteral("[%1]").arg(idx), a.at(idx))});
            return o;
        }
        case QJsonValue::Bool: return Out::plain(v.toBool() ? QStringLiteral("true") : QStringLiteral("false"));
        case QJsonValue::Double: {
            const double x = v.toDouble();
            return Out::plain(x == std::floor(x) && std::fabs(x) < 9e15 ? QString::number(qint64(x))
                                                                       : QString::number(x, 'g', QLocale::FloatingPointShortest));
        }
        case QJsonValue::String: return Out::str(v.toString());
        default: return Out::plain(QStringLiteral("null"));
        }
    }

    Out resources(const QString &p, const Resources &r, const Resources &def)
    {
        Out o;
        s(o, p, QStringLiteral("account"), r.account, def.account);
        s(o, p, QStringLiteral("partition"), r.partition, def.partition);
        s(o, p, QStringLiteral("qos"), r.qos, def.qos);
        od(o, p, QStringLiteral("time"), r.time, def.time);
        // A count of 0 is "not set" (the loader refuses 0): full trees leave it out too.
        const auto count = [&](const QString &k, int v, int d) { field(o, p, k, Out::plain(QString::number(v)), v != d, v != 0); };
        count(QStringLiteral("nodes"), r.nodes, def.nodes);
        count(QStringLiteral("ntasks"), r.ntasks, def.ntasks);
        count(QStringLiteral("cpus_per_task"), r.cpusPerTask, def.cpusPerTask);
        field(o, p, QStringLiteral("memory"), Out::plain(r.memory ? formatSize(*r.memory) : QString()), r.memory && r.memory != def.memory, r.memory.has_value());
        s(o, p, QStringLiteral("gres"), r.gres, def.gres);
        i(o, p, QStringLiteral("gpus_per_node"), r.gpusPerNode, def.gpusPerNode);
        field(o, p, QStringLiteral("exclusive"), Out::plain(r.exclusive.value_or(false) ? QStringLiteral("true") : QStringLiteral("false")),
              r.exclusive && r.exclusive != def.exclusive, r.exclusive.has_value());
        s(o, p, QStringLiteral("reservation"), r.reservation, def.reservation);
        s(o, p, QStringLiteral("constraint"), r.constraint, def.constraint);
        return o;
    }

    Out container(const QString &p, const Container &c, const Container &def)
    {
        Out o;
        s(o, p, QStringLiteral("sif"), c.sif, def.sif);
        s(o, p, QStringLiteral("source"), c.source, def.source);
        b(o, p, QStringLiteral("nv"), c.nv, def.nv);
        if (keep(c.binds != def.binds))
            o.set(QStringLiteral("binds"), list(c.binds));
        s(o, p, QStringLiteral("mode"), c.mode, def.mode);
        return o;
    }

    Service templateBase(const QString &name)
    {
        Recipe scratch;
        QList<Diagnostic> ignored;
        YAML::Node root = YAML::Load("version: 1\nservices: [{template: x}]");
        root["services"][0]["template"] = name.toStdString();
        detail::readRecipe(root, QString(), m_catalog, false, &scratch, &ignored);
        return scratch.services.value(0);
    }

    Out service(const QString &p, const Service &sv)
    {
        Service def;
        if (!sv.templateName.isEmpty()) {
            def = templateBase(sv.templateName);
            def.name.clear();
        }
        Out o;
        o.set(QStringLiteral("name"), Out::str(sv.name));
        if (!sv.templateName.isEmpty())
            o.set(QStringLiteral("template"), Out::str(sv.templateName));
        s(o, p, QStringLiteral("kind"), sv.kind, def.kind);
        {
            // Only when set (full trees too): an unset external reads as unset (FieldPath).
            const QString ep = join(p, QStringLiteral("external"));
            Out e;
            field(e, ep, QStringLiteral("host"), Out::str(sv.external.host), sv.external.host != def.external.host, !sv.external.host.isEmpty());
            field(e, ep, QStringLiteral("port"), Out::plain(QString::number(sv.external.port)), sv.external.port != def.external.port,
                  sv.external.port != 0);
            o.set(QStringLiteral("external"), e);
        }
        if (!sv.container.isSet() && def.container.isSet())
            o.set(QStringLiteral("container"), Out::plain(QStringLiteral("none")));
        else
            o.set(QStringLiteral("container"), container(join(p, QStringLiteral("container")), sv.container, def.container));
        if (keep(sv.command != def.command))
            o.set(QStringLiteral("command"), flowList(sv.command));
        s(o, p, QStringLiteral("between_trials"), sv.betweenTrials, def.betweenTrials);
        if (keep(sv.ports != def.ports) || hasAxisBelow(join(p, QStringLiteral("ports")))) {
            Out ports;
            for (const Port &port : sv.ports)
                i(ports, join(p, QStringLiteral("ports")), port.name, port.number, -1);
            o.set(QStringLiteral("ports"), ports);
        }
        kv(o, p, QStringLiteral("environment"), sv.environment, def.environment);
        {
            const QString hp = join(p, QStringLiteral("health"));
            Out h;
            s(h, hp, QStringLiteral("type"), sv.health.type, def.health.type);
            s(h, hp, QStringLiteral("path"), sv.health.path, def.health.path);
            s(h, hp, QStringLiteral("port"), sv.health.port, def.health.port);
            if (keep(sv.health.command != def.health.command))
                h.set(QStringLiteral("command"), flowList(sv.health.command));
            d(h, hp, QStringLiteral("interval"), sv.health.interval, def.health.interval);
            d(h, hp, QStringLiteral("timeout"), sv.health.timeout, def.health.timeout);
            o.set(QStringLiteral("health"), h);
        }
        o.set(QStringLiteral("resources"), resources(join(p, QStringLiteral("resources")), sv.resources, def.resources));
        if (keep(sv.files != def.files)) {
            Out files{Out::Seq, {}, false, {}};
            for (const ConfigFile &f : sv.files) {
                Out fo;
                fo.set(QStringLiteral("path"), Out::str(f.path));
                fo.set(QStringLiteral("content"), Out::str(f.content));
                files.children.append({QString(), fo});
            }
            o.set(QStringLiteral("files"), files);
        }
        if (keep(sv.settings != def.settings) || hasAxisBelow(join(p, QStringLiteral("settings"))))
            o.set(QStringLiteral("settings"), json(join(p, QStringLiteral("settings")), sv.settings));
        {
            const QString mp = join(p, QStringLiteral("model"));
            Out m;
            s(m, mp, QStringLiteral("name"), sv.model.name, def.model.name);
            b(m, mp, QStringLiteral("pull"), sv.model.pull, def.model.pull);
            o.set(QStringLiteral("model"), m);
        }
        {
            const QString rp = join(p, QStringLiteral("ray"));
            Out r;
            i(r, rp, QStringLiteral("head_port"), sv.ray.headPort, def.ray.headPort);
            i(r, rp, QStringLiteral("dashboard_port"), sv.ray.dashboardPort, def.ray.dashboardPort);
            i(r, rp, QStringLiteral("tensor_parallel"), sv.ray.tensorParallel, def.ray.tensorParallel);
            i(r, rp, QStringLiteral("pipeline_parallel"), sv.ray.pipelineParallel, def.ray.pipelineParallel);
            o.set(QStringLiteral("ray"), r);
        }
        return o;
    }

    Out client(const QString &p, const Client &c)
    {
        const Client def;
        Out o;
        o.set(QStringLiteral("name"), Out::str(c.name));
        s(o, p, QStringLiteral("service"), c.service, def.service);
        s(o, p, QStringLiteral("port"), c.port, def.port);
        s(o, p, QStringLiteral("workload"), c.workload, def.workload);
        i(o, p, QStringLiteral("threads"), c.threads, def.threads);
        {
            const QString lp = join(p, QStringLiteral("load"));
            Out l;
            s(l, lp, QStringLiteral("model"), c.load.model, def.load.model);
            i(l, lp, QStringLiteral("concurrency"), c.load.concurrency, def.load.concurrency);
            field(l, lp, QStringLiteral("rate"), Out::plain(formatNumber(c.load.rate.value_or(0))), c.load.rate.has_value(), c.load.rate.has_value());
            field(l, lp, QStringLiteral("burstiness"), Out::plain(formatNumber(c.load.burstiness.value_or(0))), c.load.burstiness.has_value(), c.load.burstiness.has_value());
            d(l, lp, QStringLiteral("ramp_up"), c.load.rampUp, def.load.rampUp);
            o.set(QStringLiteral("load"), l);
        }
        d(o, p, QStringLiteral("warmup"), c.warmup, def.warmup);
        od(o, p, QStringLiteral("duration"), c.duration, def.duration);
        field(o, p, QStringLiteral("requests"), Out::plain(QString::number(c.requests.value_or(0))), c.requests.has_value(), c.requests.has_value());
        d(o, p, QStringLiteral("timeout"), c.timeout, def.timeout);
        field(o, p, QStringLiteral("seed"), Out::plain(QString::number(c.seed.value_or(0))), c.seed.has_value(), c.seed.has_value());
        {
            const QString sp = join(p, QStringLiteral("slo"));
            Out slo;
            od(slo, sp, QStringLiteral("ttft"), c.slo.ttft, {});
            od(slo, sp, QStringLiteral("tpot"), c.slo.tpot, {});
            od(slo, sp, QStringLiteral("e2el"), c.slo.e2el, {});
            o.set(QStringLiteral("slo"), slo);
        }
        i(o, p, QStringLiteral("instances"), c.instances, def.instances);
        i(o, p, QStringLiteral("nodes"), c.nodes, def.nodes);
        d(o, p, QStringLiteral("wait_timeout"), c.waitTimeout, def.waitTimeout);
        o.set(QStringLiteral("resources"), resources(join(p, QStringLiteral("resources")), c.resources, def.resources));
        kv(o, p, QStringLiteral("environment"), c.environment, def.environment);
        if (keep(!c.params.isEmpty()))
            o.set(QStringLiteral("params"), json(join(p, QStringLiteral("params")), c.params));
        return o;
    }

    Out exporter(const QString &p, const Exporter &x, const Exporter &def)
    {
        Out o;
        b(o, p, QStringLiteral("enabled"), x.enabled, def.enabled);
        i(o, p, QStringLiteral("port"), x.port, def.port);
        if (keep(x.command != def.command))
            o.set(QStringLiteral("command"), flowList(x.command));
        o.set(QStringLiteral("container"), container(join(p, QStringLiteral("container")), x.container, def.container));
        return o;
    }
};

Out Writer::document()
{
    const Recipe &r = m_recipe;
    Out doc;
    doc.set(QStringLiteral("version"), Out::plain(QString::number(r.version)));
    {
        const Metadata def;
        Out m;
        s(m, QStringLiteral("metadata"), QStringLiteral("name"), r.metadata.name, def.name);
        s(m, QStringLiteral("metadata"), QStringLiteral("description"), r.metadata.description, def.description);
        if (keep(!r.metadata.tags.isEmpty()))
            m.set(QStringLiteral("tags"), flowList(r.metadata.tags));
        s(m, QStringLiteral("metadata"), QStringLiteral("notes"), r.metadata.notes, def.notes);
        i(m, QStringLiteral("metadata"), QStringLiteral("seed"), r.metadata.seed, def.seed);
        doc.set(QStringLiteral("metadata"), m);
    }
    {
        Out c;
        c.set(QStringLiteral("resources"), resources(QStringLiteral("cluster.resources"), r.cluster.resources, {}));
        if (keep(!r.cluster.modules.isEmpty()))
            c.set(QStringLiteral("modules"), list(r.cluster.modules));
        kv(c, QStringLiteral("cluster"), QStringLiteral("environment"), r.cluster.environment, {});
        s(c, QStringLiteral("cluster"), QStringLiteral("workdir"), r.cluster.workdir, {});
        doc.set(QStringLiteral("cluster"), c);
    }
    if (keep(!r.services.isEmpty())) {
        Out list{Out::Seq, {}, false, {}};
        for (qsizetype idx = 0; idx < r.services.size(); ++idx)
            list.children.append({QString(), service(QStringLiteral("services[%1]").arg(idx), r.services[idx])});
        doc.children.append({QStringLiteral("services"), list});
    }
    if (keep(!r.clients.isEmpty())) {
        Out list{Out::Seq, {}, false, {}};
        for (qsizetype idx = 0; idx < r.clients.size(); ++idx)
            list.children.append({QString(), client(QStringLiteral("clients[%1]").arg(idx), r.clients[idx])});
        doc.children.append({QStringLiteral("clients"), list});
    }
    if (keep(r.monitor.enabled || r.monitor != Monitor{})) {
        const Monitor def;
        const QString p = QStringLiteral("monitor");
        Out m;
        m.set(QStringLiteral("enabled"), Out::plain(r.monitor.enabled ? QStringLiteral("true") : QStringLiteral("false")));
        d(m, p, QStringLiteral("scrape_interval"), r.monitor.scrapeInterval, def.scrapeInterval);
        m.set(QStringLiteral("prometheus"), exporter(QStringLiteral("monitor.prometheus"), r.monitor.prometheus, def.prometheus));
        m.set(QStringLiteral("node_exporter"), exporter(QStringLiteral("monitor.node_exporter"), r.monitor.nodeExporter, def.nodeExporter));
        m.set(QStringLiteral("gpu_exporter"), exporter(QStringLiteral("monitor.gpu_exporter"), r.monitor.gpuExporter, def.gpuExporter));
        d(m, p, QStringLiteral("retention"), r.monitor.retention, def.retention);
        m.set(QStringLiteral("resources"), resources(QStringLiteral("monitor.resources"), r.monitor.resources, {}));
        doc.set(QStringLiteral("monitor"), m);
    }
    {
        const Sweep def;
        Out sw;
        i(sw, QStringLiteral("sweep"), QStringLiteral("repetitions"), r.sweep.repetitions, def.repetitions);
        i(sw, QStringLiteral("sweep"), QStringLiteral("max_trials"), r.sweep.maxTrials, def.maxTrials);
        i(sw, QStringLiteral("sweep"), QStringLiteral("max_parallel_trials"), r.sweep.maxParallelTrials, def.maxParallelTrials);
        b(sw, QStringLiteral("sweep"), QStringLiteral("reuse_services"), r.sweep.reuseServices, def.reuseServices);
        if (keep(!r.sweep.zip.isEmpty())) {
            Out z{Out::Seq, {}, false, {}};
            for (const QStringList &g : r.sweep.zip)
                z.children.append({QString(), flowList(g)});
            sw.set(QStringLiteral("zip"), z);
        }
        doc.set(QStringLiteral("sweep"), sw);
    }
    return doc;
}

} // namespace

Out recipeTree(const Recipe &recipe, const Catalog &catalog, TreeMode mode)
{
    return Writer(recipe, catalog, mode).document();
}

} // namespace detail

RecipeSaver::RecipeSaver(const Catalog *catalog)
    : m_catalog(catalog ? catalog : &Catalog::standard())
{}

QString RecipeSaver::toText(const Recipe &recipe) const
{
    return detail::emitTree(detail::recipeTree(recipe, *m_catalog, detail::TreeMode::Canonical)) + QLatin1Char('\n');
}

QString RecipeSaver::toText(const Recipe &recipe, const QString &base, QString *fallbackReason) const
{
    if (fallbackReason)
        fallbackReason->clear();
    if (base.trimmed().isEmpty())
        return toText(recipe);
    QString problem;
    if (const auto patched = RecipePatcher(*m_catalog).patch(base, recipe, &problem))
        return *patched;
    if (fallbackReason)
        *fallbackReason = problem;
    return toText(recipe);
}

bool RecipeSaver::saveFile(const Recipe &recipe, const QString &path, QString *error, const QString &base,
                           QString *fallbackReason) const
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(toText(recipe, base, fallbackReason).toUtf8()) < 0 || !f.commit()) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

} // namespace fb::recipe
