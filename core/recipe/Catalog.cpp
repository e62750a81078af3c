#include "recipe/Catalog.h"

#include "common/Paths.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace fb::recipe {

Catalog::Catalog(const QString &servicesDir)
{
    const QDir dir(servicesDir);
    for (const QFileInfo &fi : dir.entryInfoList({QStringLiteral("*.yaml")}, QDir::Files, QDir::Name)) {
        QFile f(fi.absoluteFilePath());
        if (!f.open(QIODevice::ReadOnly))
            continue;
        CatalogEntry e;
        e.name = fi.completeBaseName();
        e.filePath = fi.absoluteFilePath();
        e.text = QString::fromUtf8(f.readAll());
        try { // kind and description for listings; a broken file still loads and reports on use
            const YAML::Node doc = YAML::Load(e.text.toStdString());
            if (doc.IsMap()) {
                if (doc["description"] && doc["description"].IsScalar())
                    e.description = QString::fromStdString(doc["description"].Scalar());
                if (doc["service"] && doc["service"].IsMap() && doc["service"]["kind"] && doc["service"]["kind"].IsScalar())
                    e.kind = QString::fromStdString(doc["service"]["kind"].Scalar());
            }
        } catch (const YAML::Exception &) {
        }
        add(e);
    }
}

const Catalog &Catalog::standard()
{
    static const Catalog catalog(Paths::recipeCatalogDir() + QStringLiteral("/services"));
    return catalog;
}

void Catalog::add(const CatalogEntry &entry)
{
    for (CatalogEntry &e : m_entries)
        if (e.name == entry.name) {
            e = entry;
            return;
        }
    m_entries.append(entry);
}

std::optional<CatalogEntry> Catalog::find(const QString &name) const
{
    for (const CatalogEntry &e : m_entries)
        if (e.name == name)
            return e;
    return std::nullopt;
}

QStringList Catalog::names() const
{
    QStringList n;
    for (const CatalogEntry &e : m_entries)
        n << e.name;
    std::sort(n.begin(), n.end());
    return n;
}

} // namespace fb::recipe
