// RecipeLoader: reads a recipe from a YAML file or from in-memory text (the
// editor's YAML tab) into a Recipe, collecting every structural problem —
// YAML syntax, wrong types, out-of-range numbers, unknown keys with a "did you
// mean" — as Diagnostics with field path and 1-based line:column. Semantic
// checks (references, partitions, port clashes, sweep size) are
// RecipeValidator's. Service templates (`template: redis`) are resolved from a
// Catalog: the template is read first, the recipe's fields override it.
// A list where a scalar is expected is a sweep axis (Recipe::sweep); the model
// keeps the first value.
#pragma once

#include "common/ClusterTools.h"
#include "recipe/Diagnostic.h"
#include "recipe/Recipe.h"

namespace fb::recipe {

class Catalog;

struct LoadResult
{
    Recipe recipe;
    QList<Diagnostic> diagnostics;
    bool ok() const { return !hasErrors(diagnostics); }
};

class RecipeLoader
{
public:
    // Templates come from `catalog`; nullptr: Catalog::standard().
    explicit RecipeLoader(const Catalog *catalog = nullptr);

    LoadResult loadFile(const QString &path) const;
    // `fileName` only names the text in diagnostics.
    LoadResult loadText(const QString &text, const QString &fileName = QStringLiteral("recipe.yaml")) const;

    // Loads, then runs RecipeValidator: what `fbctl validate` and the editor show.
    LoadResult loadAndValidateFile(const QString &path) const;
    LoadResult loadAndValidateText(const QString &text, const QString &fileName = QStringLiteral("recipe.yaml")) const;
    // What the target cluster offers (its profile's "tools"): the validator
    // warns about a container or module the cluster lacks. Default: unknown.
    void setClusterTools(const ClusterTools &tools) { m_tools = tools; }

private:
    const Catalog *m_catalog;
    ClusterTools m_tools;
};

// Levenshtein distance; the "did you mean" of unknown keys and values.
int editDistance(const QString &a, const QString &b);
// The closest of `candidates` within a distance that still reads as a typo, or empty.
QString closestMatch(const QString &word, const QStringList &candidates);

} // namespace fb::recipe
