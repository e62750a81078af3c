// RecipeSaver: writes a Recipe as YAML in a stable key order (the order of
// docs/recipe-format.md), leaving out fields at their defaults — or, for a
// service built from a catalog template, at the template's values — so a saved
// recipe reads like a hand-written one. Swept fields are written back as flow
// lists at their place. load → save → load gives an equal Recipe, whatever
// the strings hold (control characters, CR/LF, quotes, braces). Saving a
// recipe that came from a text edits that text instead (lossless save).
#pragma once

#include "recipe/Recipe.h"

namespace fb::recipe {

class Catalog;

class RecipeSaver
{
public:
    explicit RecipeSaver(const Catalog *catalog = nullptr); // nullptr: Catalog::standard()

    // The canonical layout: what a new recipe is saved as.
    QString toText(const Recipe &recipe) const;
    // Lossless: `base` (the text the recipe was loaded from, or last saved
    // as) edited so that it says `recipe`, keeping its comments, key order,
    // quoting and explicit defaults (RecipePatcher). An empty `base`, or one
    // that cannot be patched safely, gives the canonical layout; then
    // *fallbackReason says why (empty when the text was patched or new).
    QString toText(const Recipe &recipe, const QString &base, QString *fallbackReason = nullptr) const;
    // Atomic (QSaveFile): a crash never leaves half a recipe. Lossless from `base` as toText().
    bool saveFile(const Recipe &recipe, const QString &path, QString *error, const QString &base = {},
                  QString *fallbackReason = nullptr) const;

private:
    const Catalog *m_catalog;
};

} // namespace fb::recipe
