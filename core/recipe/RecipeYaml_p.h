// Private bridge between the recipe model and yaml-cpp nodes, shared by the
// loader, the saver and the sweep expander (which substitutes one value per
// swept field in the saved tree and reads it back). Not installed; yaml-cpp
// never appears in a public header.
#pragma once

#include "recipe/Diagnostic.h"
#include "recipe/Recipe.h"

#include <QSet>

#include <yaml-cpp/yaml.h>

namespace fb::recipe {
class Catalog;
namespace detail {

// Reads `root` into *out; `allowSweep` false turns lists-for-scalars into errors.
// `multiLineQuoted`: YamlPrescan's positions of quoted scalars spanning lines
// (refused in one-line fields); nullptr when the text was not pre-scanned.
void readRecipe(const YAML::Node &root, const QString &file, const Catalog &catalog, bool allowSweep,
                Recipe *out, QList<Diagnostic> *diagnostics, const QSet<quint64> *multiLineQuoted = nullptr);

// Reads the fields `patch` names into *recipe, which keeps all others (the
// loader's patch mode, for FieldPath): list items by index, null items left
// alone, a null value unsets an optional field, unknown keys are errors.
void patchRecipe(const YAML::Node &patch, const Catalog &catalog, Recipe *recipe, QList<Diagnostic> *diagnostics);

// Splits "services[1].health.timeout" into {"services", 1, "health", "timeout"}
// (indices as numbers in `indices`, -1 for keys). Returns false if malformed.
struct PathSegment { QString key; int index = -1; };
bool splitPath(const QString &path, QList<PathSegment> *segments);

// The node at `path` below `root`, or an invalid node.
YAML::Node nodeAt(YAML::Node root, const QString &path);

} // namespace detail
} // namespace fb::recipe
