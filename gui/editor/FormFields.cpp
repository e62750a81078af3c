#include "FormFields.h"

#include <QRegularExpression>

namespace fb::editor {

using namespace fb::recipe;

QStringList FormFields::editable(const QString &nodePath)
{
    static const QRegularExpression item(QStringLiteral("^(services|clients)\\[\\d+\\]$"));
    const auto m = item.match(nodePath);
    if (m.hasMatch() && m.captured(1) == QLatin1String("services"))
        return {QStringLiteral("name"), QStringLiteral("kind"), QStringLiteral("external.host"), QStringLiteral("external.port"),
                QStringLiteral("command"), QStringLiteral("ports"),
                QStringLiteral("container"), QStringLiteral("container.source"), QStringLiteral("container.sif"),
                QStringLiteral("container.nv"), QStringLiteral("container.binds"), QStringLiteral("resources.partition"),
                QStringLiteral("resources.nodes"), QStringLiteral("resources.cpus_per_task"), QStringLiteral("resources.gpus_per_node"),
                QStringLiteral("resources.memory"), QStringLiteral("resources.time")};
    if (m.hasMatch())
        return {QStringLiteral("name"), QStringLiteral("service"), QStringLiteral("port"), QStringLiteral("workload"),
                QStringLiteral("threads"), QStringLiteral("load.model"), QStringLiteral("load.concurrency"), QStringLiteral("load.rate"),
                QStringLiteral("warmup"), QStringLiteral("duration"), QStringLiteral("requests"), QStringLiteral("instances"),
                QStringLiteral("nodes"), QStringLiteral("resources.partition"), QStringLiteral("resources.cpus_per_task"),
                QStringLiteral("resources.memory"), QStringLiteral("resources.time")};
    if (nodePath == QLatin1String("monitor"))
        return {QStringLiteral("enabled"), QStringLiteral("scrape_interval"), QStringLiteral("prometheus.port"),
                QStringLiteral("node_exporter.enabled"), QStringLiteral("gpu_exporter.enabled")};
    return {};
}

namespace {

bool isField(const QString &path, const char *field)
{
    return path.endsWith(QLatin1Char('.') + QLatin1String(field));
}

} // namespace

QString FormFields::text(const Recipe &recipe, const QString &path) const
{
    if (isField(path, "container")) { // a service runs in Apptainer when it has an image
        const auto sif = m_fields.read(recipe, path + QStringLiteral(".sif"));
        const auto source = m_fields.read(recipe, path + QStringLiteral(".source"));
        if (!sif || !source)
            return {};
        return sif->text.isEmpty() && source->text.isEmpty() ? QStringLiteral("none") : QStringLiteral("apptainer");
    }
    if (isField(path, "ports")) {
        // The model's ports, one line; each number is the API's "ports.<name>".
        static const QRegularExpression service(QStringLiteral("^services\\[(\\d+)\\]\\.ports$"));
        const auto m = service.match(path);
        if (!m.hasMatch() || m.captured(1).toInt() >= recipe.services.size())
            return {};
        QStringList parts;
        for (const Port &p : recipe.services[m.captured(1).toInt()].ports)
            parts << QStringLiteral("%1=%2").arg(p.name).arg(p.number);
        return parts.join(QStringLiteral(", "));
    }
    const auto v = m_fields.read(recipe, path);
    if (!v)
        return {};
    if (v->kind == FieldValue::Kind::List)
        return v->items.join(isField(path, "binds") ? QStringLiteral(", ") : QStringLiteral(" "));
    return v->text;
}

bool FormFields::setText(Recipe *recipe, const QString &path, const QString &text, QString *error) const
{
    const QString t = text.trimmed();
    Recipe r = *recipe;
    FieldError why;
    bool ok = false;
    if (isField(path, "container")) {
        // "none" runs natively (the loader's `container: none`); "apptainer" keeps the image, if any.
        if (t == QLatin1String("apptainer"))
            return true;
        ok = t == QLatin1String("none") && m_fields.write(&r, path, FieldValue::scalar(t), &why);
        if (!ok && why.message.isEmpty())
            why.message = QStringLiteral("expected none or apptainer, got \"%1\"").arg(t);
    } else if (isField(path, "ports")) {
        // "redis=6379, admin=8080": the list replaced, each number read as `ports: {name: number}`.
        static const QRegularExpression service(QStringLiteral("^services\\[(\\d+)\\]\\.ports$"));
        static const QRegularExpression key(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
        const auto m = service.match(path);
        ok = m.hasMatch() && m.captured(1).toInt() < r.services.size();
        if (ok)
            r.services[m.captured(1).toInt()].ports.clear();
        for (const QString &part : t.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QStringList kv = part.split(QLatin1Char('='));
            if (kv.size() != 2 || kv[0].trimmed().isEmpty())
                why.message = QStringLiteral("expected name=number pairs such as \"redis=6379\", got \"%1\"").arg(part.trimmed());
            else if (!key.match(kv[0].trimmed()).hasMatch())
                why.message = QStringLiteral("port names are letters, digits and '_', got \"%1\"").arg(kv[0].trimmed());
            else
                ok = ok && m_fields.write(&r, path + QLatin1Char('.') + kv[0].trimmed(), FieldValue::scalar(kv[1].trimmed()), &why);
            if (!why.message.isEmpty()) {
                ok = false;
                break;
            }
        }
    } else if (isField(path, "binds")) {
        QStringList binds;
        for (const QString &b : t.split(QLatin1Char(','), Qt::SkipEmptyParts))
            if (!b.trimmed().isEmpty())
                binds << b.trimmed();
        ok = m_fields.write(&r, path, FieldValue::list(binds), &why);
    } else if (t.isEmpty()) {
        // Empty text unsets an optional field; a string field takes "".
        ok = m_fields.write(&r, path, FieldValue::unset(), &why) || m_fields.write(&r, path, FieldValue::scalar(t), &why);
    } else {
        ok = m_fields.write(&r, path, FieldValue::scalar(t), &why); // command: split like a shell, as the loader does
    }
    if (!ok) {
        if (error)
            *error = why.message.isEmpty() ? QStringLiteral("\"%1\" is not a valid value here").arg(t) : why.message;
        return false;
    }
    *recipe = std::move(r);
    return true;
}

} // namespace fb::editor
