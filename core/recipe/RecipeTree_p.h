// Private to RecipeSaver and RecipePatcher: the ordered document tree the
// saver builds from a Recipe, and the one function that writes a tree (or a
// part of it) as YAML text. Not installed; yaml-cpp never appears here.
#pragma once

#include "recipe/Recipe.h"

#include <QList>
#include <QString>

#include <utility>

namespace fb::recipe {
class Catalog;
namespace detail {

// A tiny ordered document tree: built field by field, then emitted.
// yaml-cpp's own Node cannot force quotes on strings such as "123" that
// would read back as numbers.
struct Out
{
    enum Type { Map, Seq, Str, Plain } type = Map;
    QString text;
    bool flow = false;
    QList<std::pair<QString, Out>> children; // keys are empty in sequences

    static Out str(const QString &s) { return Out{Str, s, false, {}}; }
    static Out plain(const QString &s) { return Out{Plain, s, false, {}}; }
    void set(const QString &key, Out value)
    {
        if (value.type == Map && value.children.isEmpty())
            return; // nothing to say
        children.append({key, std::move(value)});
    }
    const Out *child(const QString &key) const
    {
        for (const auto &c : children)
            if (c.first == key)
                return &c.second;
        return nullptr;
    }
    bool operator==(const Out &) const = default;
};

// The recipe as a tree. `Canonical` leaves out fields at their defaults (or a
// template's values): what a saved recipe says. `Full` writes every field
// that has a value: two Full trees differ exactly where the recipes differ.
enum class TreeMode { Canonical, Full };
Out recipeTree(const Recipe &recipe, const Catalog &catalog, TreeMode mode);

// YAML text of `tree` in the canonical layout (2-space indent, "\n" line ends,
// no final newline); as the value of `key` ("key: <tree>"); as a list item ("- <tree>").
QString emitTree(const Out &tree);
QString emitEntry(const QString &key, const Out &value);
QString emitItem(const Out &value);
// One line: the tree in flow style (a scalar, [a, b], {k: v}).
QString emitInline(const Out &tree);

// Scalar styles. A plain scalar only when it certainly reads back as the same
// string (yaml-cpp's own choice does not: it writes "a\r" and "a}:" plain);
// everything else double-quoted with escapes, which yaml-cpp reads back exactly.
bool isSafePlain(const QString &s, bool inFlow);
bool looksTyped(const QString &s); // would read back as a number, bool or null
QString doubleQuoted(const QString &s);

} // namespace detail
} // namespace fb::recipe
