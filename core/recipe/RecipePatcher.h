// RecipePatcher: the lossless half of RecipeSaver. Given the YAML text a
// recipe was loaded from (the file, or the editor's YAML tab) and the recipe
// to save, it edits that text in place so comments, key order, quoting and
// explicit default values survive:
//  - a changed scalar has its text span replaced (same quoting style where
//    the new value allows it, else double-quoted with escapes);
//  - a key or list item that appears is inserted after its siblings, one that
//    disappears has its lines removed;
//  - anything else (a list reordered, a block scalar, a value whose span
//    cannot be found) re-emits the smallest enclosing entry in the canonical
//    layout at its indentation.
// Differences are found by comparing the two recipes as full trees (every
// field that has a value), so defaults the author wrote are changed like any
// other value. The result is re-loaded and compared with the recipe to save;
// on any difference the patch is refused and the caller writes the canonical
// layout instead.
#pragma once

#include "recipe/Recipe.h"

#include <optional>

namespace fb::recipe {

class Catalog;

class RecipePatcher
{
public:
    explicit RecipePatcher(const Catalog &catalog) : m_catalog(catalog) {}

    // `base` edited to say `target`, or std::nullopt and why in *problem.
    std::optional<QString> patch(const QString &base, const Recipe &target, QString *problem) const;

private:
    const Catalog &m_catalog;
};

} // namespace fb::recipe
