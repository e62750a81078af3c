// RecipeSaver: writes a Recipe as YAML in a stable key order (the order of
// docs/recipe-format.md), leaving out fields at their defaults — or, for a
// service built from a catalog template, at the template's values — so a saved
// recipe reads like a hand-written one. Swept fields are written back as flow
// lists at their place. load → save → load gives an equal Recipe.
#pragma once

#include "recipe/Recipe.h"

namespace fb::recipe {

class Catalog;

class RecipeSaver
{
public:
    explicit RecipeSaver(const Catalog *catalog = nullptr); // nullptr: Catalog::standard()

    QString toText(const Recipe &recipe) const;
    // Atomic (QSaveFile): a crash never leaves half a recipe.
    bool saveFile(const Recipe &recipe, const QString &path, QString *error) const;

private:
    const Catalog *m_catalog;
};

} // namespace fb::recipe
