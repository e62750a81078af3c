// FormFields: the property form's text of a recipe field, on top of the one
// field-path API (fb::recipe::RecipeFields, core/recipe/FieldPath.h). Text is
// read and written exactly as the same value in the YAML would be — the
// loader types it, checks it and words the refusal ('expected a duration such
// as "30s", got "abc"', 'must be between 1 and 4096, got 0'), so the form
// refuses what `fbctl validate` refuses. What is the form's own:
//   - empty text unsets an optional field (duration, load.rate, resources.*);
//   - a list field is one line: command split like a shell, binds by ",";
//   - ports are "name=number, …"; container is "none" or "apptainer".
#pragma once

#include "recipe/FieldPath.h"

namespace fb::editor {

class FormFields
{
public:
    explicit FormFields(const recipe::Catalog &catalog) : m_fields(&catalog) {}

    // Field suffixes the form edits below "services[i]", "clients[i]" or "monitor".
    static QStringList editable(const QString &nodePath);

    // The form's text of the field at `path` (empty when not set or no such field).
    QString text(const recipe::Recipe &recipe, const QString &path) const;
    // Sets the field from the form's text; false and *error (the loader's
    // message) when the text does not fit it, and then nothing changes.
    bool setText(recipe::Recipe *recipe, const QString &path, const QString &text, QString *error = nullptr) const;

    const recipe::RecipeFields &fields() const { return m_fields; }

private:
    recipe::RecipeFields m_fields;
};

} // namespace fb::editor
