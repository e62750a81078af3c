#include "recipe/FieldPath.h"

#include "recipe/Catalog.h"
#include "recipe/RecipeTree_p.h"
#include "recipe/RecipeYaml_p.h"

namespace fb::recipe {

QString FieldError::toString() const
{
    return position > 0 ? QStringLiteral("%1: at position %2: %3").arg(path).arg(position).arg(message)
                        : QStringLiteral("%1: %2").arg(path, message);
}

namespace {

// An index this large names no item of a recipe (the loader caps lists far
// lower); refusing it keeps a typo from building a huge patch.
constexpr int kMaxIndex = 100000;

bool isKeyChar(QChar c)
{
    return c != QLatin1Char('.') && c != QLatin1Char('[') && c != QLatin1Char(']') && !c.isSpace();
}

} // namespace

std::optional<FieldPath> FieldPath::parse(const QString &text, FieldError *error)
{
    auto fail = [&](qsizetype at, const QString &message) -> std::optional<FieldPath> {
        if (error)
            *error = FieldError{text, int(at) + 1, message};
        return std::nullopt;
    };
    if (text.isEmpty())
        return fail(0, QStringLiteral("the path is empty; a field path looks like clients[0].load.rate"));
    FieldPath path;
    path.m_text = text;
    qsizetype i = 0;
    bool expectKey = true;
    while (i < text.size()) {
        if (expectKey) {
            const qsizetype start = i;
            while (i < text.size() && isKeyChar(text.at(i)))
                ++i;
            if (i == start)
                return fail(i, i < text.size() ? QStringLiteral("expected a field name, got \"%1\"").arg(text.at(i))
                                               : QStringLiteral("expected a field name after \".\""));
            path.m_segments.append({text.mid(start, i - start), -1, int(start) + 1});
            expectKey = false;
            continue;
        }
        const QChar c = text.at(i);
        if (c == QLatin1Char('.')) {
            ++i;
            expectKey = true;
        } else if (c == QLatin1Char('[')) {
            const qsizetype start = i++;
            const qsizetype digits = i;
            while (i < text.size() && text.at(i).isDigit() && text.at(i).unicode() < 128)
                ++i;
            if (i == digits || i >= text.size() || text.at(i) != QLatin1Char(']'))
                return fail(i, QStringLiteral("expected an index such as [0]: digits, then \"]\""));
            bool ok = false;
            const int index = text.mid(digits, i - digits).toInt(&ok);
            if (!ok || index > kMaxIndex)
                return fail(digits, QStringLiteral("index %1 is too large").arg(text.mid(digits, i - digits)));
            ++i;
            path.m_segments.append({QString(), index, int(start) + 1});
        } else {
            return fail(i, QStringLiteral("expected \".\" or \"[\" after \"%1\", got \"%2\"").arg(text.left(i), c));
        }
    }
    if (expectKey)
        return fail(i, QStringLiteral("expected a field name after \".\""));
    return path;
}

namespace {

using detail::Out;

// "clients[0].load" for segments [0, k]: the text up to where segment k+1 starts.
QString prefix(const FieldPath &path, qsizetype k)
{
    const auto &segs = path.segments();
    if (k + 1 >= segs.size())
        return path.text();
    const auto &next = segs[k + 1];
    return path.text().left(next.position - 1 - (next.index < 0 ? 1 : 0));
}

YAML::Node valueNode(const FieldValue &value)
{
    switch (value.kind) {
    case FieldValue::Kind::Unset: return YAML::Node(YAML::NodeType::Null);
    case FieldValue::Kind::Scalar: return YAML::Node(value.text.toStdString());
    case FieldValue::Kind::List: {
        YAML::Node seq(YAML::NodeType::Sequence);
        for (const QString &item : value.items)
            seq.push_back(YAML::Node(item.toStdString()));
        return seq;
    }
    }
    return {};
}

// `value` at `path` in an otherwise empty document: "clients[1].load.rate" →
// {clients: [~, {load: {rate: value}}]} (null items are left alone).
YAML::Node patchFor(const FieldPath &path, const FieldValue &value)
{
    YAML::Node inner = valueNode(value);
    const auto &segs = path.segments();
    for (qsizetype i = segs.size() - 1; i >= 0; --i) {
        if (segs[i].index >= 0) {
            YAML::Node seq(YAML::NodeType::Sequence);
            for (int j = 0; j < segs[i].index; ++j)
                seq.push_back(YAML::Node(YAML::NodeType::Null));
            seq.push_back(inner);
            inner.reset(seq);
        } else {
            YAML::Node map(YAML::NodeType::Map);
            map[segs[i].key.toStdString()] = inner;
            inner.reset(map);
        }
    }
    return inner;
}

// The loader's first error, said about `path`: where in the path it stops
// making sense when the error is about a part of it.
FieldError explain(const FieldPath &path, const QList<Diagnostic> &diags)
{
    const auto first = std::find_if(diags.begin(), diags.end(), [](const Diagnostic &d) { return d.severity == Diagnostic::Error; });
    FieldError e{path.text(), 0, first->message};
    const auto &segs = path.segments();
    const bool unknownKey = first->message.startsWith(QLatin1String("unknown key"));
    const bool noItem = first->message.startsWith(QLatin1String("no such item"));
    for (qsizetype k = 0; k < segs.size(); ++k) {
        if (prefix(path, k) != first->path)
            continue;
        if (unknownKey || noItem) {
            e.position = segs[k].position;
            return e;
        }
        if (k + 1 == segs.size())
            return e; // the value itself
        // The path goes on below something that is not a section or a list.
        const FieldPath::Segment &next = segs[k + 1];
        const QString here = first->path;
        const QString expected = first->message.section(QStringLiteral(", got"), 0, 0);
        e.position = next.position;
        if (next.index < 0 && expected.startsWith(QLatin1String("expected a list")))
            e.message = QStringLiteral("%1 is a list: name an item, such as %1[0]").arg(here);
        else if (next.index >= 0 && expected.startsWith(QLatin1String("expected a mapping")))
            e.message = QStringLiteral("%1 is not a list: it has no item [%2]").arg(here).arg(next.index);
        else if (next.index >= 0)
            e.message = QStringLiteral("%1 is a value (%2), it has no item [%3]").arg(here, expected).arg(next.index);
        else
            e.message = QStringLiteral("%1 is a value (%2), it has no field \"%3\"").arg(here, expected, next.key);
        return e;
    }
    if (!first->path.isEmpty())
        e.message = first->path + QStringLiteral(": ") + first->message;
    return e;
}

bool isScalar(const Out &o) { return o.type == Out::Plain || o.type == Out::Str; }

Recipe withoutAxes(const Recipe &recipe)
{
    Recipe r = recipe;
    r.sweep.axes.clear(); // swept fields read as their value, not as the list
    return r;
}

void collectPaths(const Out &node, const QString &path, QStringList *out)
{
    if (isScalar(node)) {
        out->append(path);
        return;
    }
    if (node.type == Out::Seq) {
        if (std::all_of(node.children.begin(), node.children.end(), [](const auto &c) { return isScalar(c.second); })) {
            out->append(path);
            return;
        }
        for (qsizetype i = 0; i < node.children.size(); ++i)
            collectPaths(node.children[i].second, path + QStringLiteral("[%1]").arg(i), out);
        return;
    }
    for (const auto &[key, child] : node.children)
        collectPaths(child, path.isEmpty() ? key : path + QLatin1Char('.') + key, out);
}

} // namespace

RecipeFields::RecipeFields(const Catalog *catalog)
    : m_catalog(catalog ? catalog : &Catalog::standard())
{}

std::optional<FieldValue> RecipeFields::read(const Recipe &recipe, const QString &text, FieldError *error) const
{
    const auto path = FieldPath::parse(text, error);
    if (!path)
        return std::nullopt;
    const Out tree = detail::recipeTree(withoutAxes(recipe), *m_catalog, detail::TreeMode::Full);
    const Out *node = &tree;
    for (const FieldPath::Segment &s : path->segments()) {
        if (s.index >= 0)
            node = node->type == Out::Seq && s.index < node->children.size() ? &node->children[s.index].second : nullptr;
        else
            node = node->type == Out::Map ? node->child(s.key) : nullptr;
        if (!node)
            break;
    }
    if (node && isScalar(*node))
        return FieldValue::scalar(node->text);
    if (node && node->type == Out::Seq && std::all_of(node->children.begin(), node->children.end(), [](const auto &c) { return isScalar(c.second); })) {
        QStringList items;
        for (const auto &c : node->children)
            items << c.second.text;
        return FieldValue::list(items);
    }
    if (node) {
        QStringList keys;
        for (const auto &c : node->children)
            keys << c.first;
        QString example; // "name" of "clients[0].name"
        if (node->type == Out::Seq && !node->children.isEmpty() && !node->children.first().second.children.isEmpty())
            example = node->children.first().second.children.first().first;
        if (error)
            *error = FieldError{text, 0, node->type == Out::Seq
                ? QStringLiteral("is a list of sections, not a field: name an item's field, such as %1[0].%2").arg(text, example)
                : QStringLiteral("is a section, not a field: name one of its fields (%1)").arg(keys.join(QStringLiteral(", ")))};
        return std::nullopt;
    }
    // Not in the saved recipe: an optional field that is not set, or no field
    // at all. The loader tells which, unsetting it on a scratch copy.
    Recipe probe = recipe;
    QList<Diagnostic> diags;
    detail::patchRecipe(patchFor(*path, FieldValue::unset()), *m_catalog, &probe, &diags);
    const bool fieldExists = std::none_of(diags.begin(), diags.end(), [&](const Diagnostic &d) {
        return d.severity == Diagnostic::Error && (d.path != text || d.message.startsWith(QLatin1String("unknown key"))
                                                   || d.message.startsWith(QLatin1String("no such item")));
    });
    if (fieldExists)
        return FieldValue::unset();
    if (error)
        *error = explain(*path, diags);
    return std::nullopt;
}

bool RecipeFields::write(Recipe *recipe, const QString &text, const FieldValue &value, FieldError *error) const
{
    const auto path = FieldPath::parse(text, error);
    return path && write(recipe, *path, value, error);
}

bool RecipeFields::write(Recipe *recipe, const FieldPath &path, const FieldValue &value, FieldError *error) const
{
    const auto &segs = path.segments();
    // One item of a list of scalars (metadata.tags[1]): the loader reads such
    // lists whole, so the item is changed in the list and the list written.
    if (segs.size() > 1 && segs.last().index >= 0) {
        const QString parentText = prefix(path, segs.size() - 2);
        FieldError ignored;
        if (const auto parent = read(*recipe, parentText, &ignored); parent && parent->kind == FieldValue::Kind::List) {
            const int index = segs.last().index;
            if (index >= parent->items.size()) {
                if (error)
                    *error = FieldError{path.text(), segs.last().position,
                                        QStringLiteral("no such item: %1 has %2").arg(parentText).arg(parent->items.size())};
                return false;
            }
            if (value.kind != FieldValue::Kind::Scalar) {
                if (error)
                    *error = FieldError{path.text(), 0, QStringLiteral("an item of %1 takes one value").arg(parentText)};
                return false;
            }
            QStringList items = parent->items;
            items[index] = value.text;
            return write(recipe, *FieldPath::parse(parentText), FieldValue::list(items), error);
        }
    }
    Recipe patched = *recipe;
    QList<Diagnostic> diags;
    try {
        detail::patchRecipe(patchFor(path, value), *m_catalog, &patched, &diags);
    } catch (const YAML::Exception &e) { // defensive, as RecipeLoader::loadText
        diags.append({Diagnostic::Error, path.text(), QString(), 0, 0, QString::fromStdString(e.msg)});
    }
    if (hasErrors(diags)) {
        if (error)
            *error = explain(path, diags);
        return false;
    }
    patched.positions = recipe->positions;
    *recipe = std::move(patched);
    return true;
}

QStringList RecipeFields::paths(const Recipe &recipe) const
{
    QStringList out;
    collectPaths(detail::recipeTree(withoutAxes(recipe), *m_catalog, detail::TreeMode::Full), QString(), &out);
    return out;
}

} // namespace fb::recipe
