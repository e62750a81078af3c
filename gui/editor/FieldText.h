// FieldText: what the recipe loader says about text typed into one field of
// the property form. The form does not keep its own list of formats, ranges
// and messages: the text is read exactly as a YAML line `field: text` at the
// same place in a recipe would be, so the form refuses what `fbctl validate`
// refuses, with the same words ('expected a duration such as "30s", got
// "abc"', 'must be between 1 and 4096, got 0').
#pragma once

#include <QString>

namespace fb::recipe {
class Catalog;
}

namespace fb::editor {

// The loader's error for `text` at `path` ("clients[0].warmup",
// "services[1].resources.memory", "monitor.prometheus.port"), or empty when it
// reads. `ports` takes the form's "name=number, …" spelling.
QString fieldTextError(const recipe::Catalog &catalog, const QString &path, const QString &text);

} // namespace fb::editor
