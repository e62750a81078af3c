// Catalog: the service templates a recipe can start from (`template: redis`),
// one YAML file per template in recipes/services/ (see docs/recipe-format.md,
// "Templates"). Holds the files' text; RecipeLoader parses a template when a
// recipe uses it, so template errors name the template file. The standard
// catalog is read once from Paths::recipeCatalogDir(); tests and the editor
// can build their own or add in-memory templates.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace fb::recipe {

struct CatalogEntry
{
    QString name;        // file base name: "redis", "vllm-ray"
    QString kind;        // service kind the template sets
    QString description;
    QString filePath;    // for diagnostics
    QString text;        // the YAML document
};

class Catalog
{
public:
    Catalog() = default;
    explicit Catalog(const QString &servicesDir); // reads every *.yaml there

    // <data dir>/recipes/services, read on first use.
    static const Catalog &standard();

    void add(const CatalogEntry &entry);          // replaces one of the same name
    std::optional<CatalogEntry> find(const QString &name) const;
    QStringList names() const;                    // sorted
    QList<CatalogEntry> entries() const { return m_entries; }

private:
    QList<CatalogEntry> m_entries;
};

} // namespace fb::recipe
