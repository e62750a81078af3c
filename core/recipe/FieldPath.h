// FieldPath: reads and writes one field of a Recipe by its path —
// "clients[0].load.rate", "services[1].settings.maxmemory", "sweep.max_trials",
// "metadata.tags", "services[0].ports.redis", "cluster.environment.HOME".
//
// There is one place that turns text into a field value, the loader:
// writing a field runs RecipeLoader's own reader of that field (its patch
// mode) on the one value, so a value is typed, checked and refused exactly as
// the same text in the YAML at that place would be ("30s", "4G", "closed",
// 'expected a duration such as "30s", got "abc"'). Reading gives the text a
// saved recipe would hold there (RecipeSaver's full tree). Paths are the
// ones in diagnostics and sweep axes; the schema is the loader's (an unknown
// key is an error with its "did you mean").
//
// Used by SweepExpander (each trial's swept values set on the model), the
// editor's property form and undo commands, and FieldText.
#pragma once

#include "recipe/Recipe.h"

#include <optional>

namespace fb::recipe {

class Catalog;

// What went wrong, with where: the path as given, the 1-based character of
// the path where it stops making sense (0: the path is fine, the value is
// not), and the loader's message ('expected an integer, got "x"').
struct FieldError
{
    QString path;
    int position = 0;
    QString message;
    // "clients[0].nope: at position 12: unknown key …" / "clients[0].threads: must be between …"
    QString toString() const;
};

// A field's value as written in YAML: nothing (an optional field that is not
// set), one scalar, or a list of scalars (tags, modules, command, binds,
// a zip group, a list in params).
struct FieldValue
{
    enum class Kind { Unset, Scalar, List };
    Kind kind = Kind::Unset;
    QString text;        // Scalar
    QStringList items;   // List

    static FieldValue unset() { return {}; }
    static FieldValue scalar(const QString &text) { return {Kind::Scalar, text, {}}; }
    static FieldValue list(const QStringList &items) { return {Kind::List, {}, items}; }
    bool operator==(const FieldValue &) const = default;
};

// A parsed path. Keys are any characters but '.', '[', ']' and white space
// (settings keys such as "io-threads" included); indices are decimal.
class FieldPath
{
public:
    struct Segment
    {
        QString key;     // empty for an index
        int index = -1;  // -1 for a key
        int position = 0; // 1-based character where the segment starts
    };

    // nullopt with *error (path and position) when `text` is not a path.
    static std::optional<FieldPath> parse(const QString &text, FieldError *error = nullptr);

    const QString &text() const { return m_text; }
    const QList<Segment> &segments() const { return m_segments; }

private:
    QString m_text;
    QList<Segment> m_segments;
};

class RecipeFields
{
public:
    explicit RecipeFields(const Catalog *catalog = nullptr); // nullptr: Catalog::standard()

    // The value at `path`, or nullopt with *error: a malformed path, an index
    // past the end of a list, an unknown key, a path below a value, or a
    // section (clients[0].load) rather than a field.
    std::optional<FieldValue> read(const Recipe &recipe, const QString &path, FieldError *error = nullptr) const;
    // Sets the field at `path` (a scalar, a list, or Unset for an optional
    // field: Resources' counts go back to 0, "not set"). On error nothing
    // changes. A scalar is one YAML scalar's text, read as a plain scalar
    // (params/settings infer numbers and booleans as YAML does).
    bool write(Recipe *recipe, const QString &path, const FieldValue &value, FieldError *error = nullptr) const;
    bool write(Recipe *recipe, const FieldPath &path, const FieldValue &value, FieldError *error = nullptr) const;
    // Every field path that has a value in `recipe`, in document order (the
    // leaves of the saved recipe, defaults included; sweep axes excepted).
    QStringList paths(const Recipe &recipe) const;

private:
    const Catalog *m_catalog;
};

} // namespace fb::recipe
