#include "recipe/RecipePatcher.h"

#include "recipe/Catalog.h"
#include "recipe/RecipeLoader.h"
#include "recipe/RecipeTree_p.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <string>
#include <vector>

namespace fb::recipe {
namespace {

using detail::Out;

struct Step
{
    QString key;   // mapping key, or
    int index = -1; // sequence index
};
using Path = QList<Step>;

Path operator+(Path p, const Step &s)
{
    p.append(s);
    return p;
}

// One replacement of the byte range [start, end) of the UTF-8 text.
struct Edit
{
    std::size_t start = 0;
    std::size_t end = 0;
    std::string text;
};

// A key (with its value) of a block mapping, or an item of a block sequence:
// what can be re-emitted, inserted or removed as whole lines.
struct Entry
{
    bool valid = false;
    std::size_t start = 0; // the key's first byte, or the item's dash
    int column = 0;
    bool item = false;
    QString key;
    YAML::Node value;
};

bool isFlow(const YAML::Node &n)
{
    return (n.IsMap() || n.IsSequence()) && n.Style() == YAML::EmitterStyle::Flow;
}

class Patcher
{
public:
    Patcher(const std::string &src, const Out &canonical) : m_src(src), m_canonical(canonical)
    {
        m_nl = src.find("\r\n") != std::string::npos ? "\r\n" : "\n";
    }

    bool walk(const YAML::Node &o, const Entry &e, const Out &a, const Out &b, bool inFlow, const Path &path,
              std::vector<Edit> &out)
    {
        if (a == b)
            return true;
        std::vector<Edit> local;
        // Back to a default that means "not set" (0 Slurm CPUs, an empty
        // account): the line goes, as the canonical layout would leave it out;
        // other defaults the author wrote stay written.
        const bool unset = (b.type == Out::Str && b.text.isEmpty()) || (b.type == Out::Plain && b.text == QLatin1String("0"));
        if (unset && !inFlow && !canonicalAt(path) && replaceEntry(e, path, b, local)) {
            out.insert(out.end(), local.begin(), local.end());
            return true;
        }
        local.clear();
        if (fine(o, a, b, inFlow, path, local)) {
            out.insert(out.end(), local.begin(), local.end());
            return true;
        }
        local.clear();
        if (!inFlow && replaceEntry(e, path, b, local)) {
            out.insert(out.end(), local.begin(), local.end());
            return true;
        }
        return false;
    }

private:
    const std::string &m_src;
    const Out &m_canonical;
    std::string m_nl;

    // --- lines ---------------------------------------------------------
    std::size_t lineStart(std::size_t pos) const
    {
        const std::size_t nl = pos == 0 ? std::string::npos : m_src.rfind('\n', pos - 1);
        return nl == std::string::npos ? 0 : nl + 1;
    }
    // Where the line's terminator starts (or the end of the text).
    std::size_t lineEnd(std::size_t pos) const
    {
        std::size_t nl = m_src.find('\n', pos);
        if (nl == std::string::npos)
            return m_src.size();
        if (nl > 0 && m_src[nl - 1] == '\r')
            --nl;
        return nl;
    }
    std::size_t nextLine(std::size_t pos) const
    {
        const std::size_t nl = m_src.find('\n', pos);
        return nl == std::string::npos ? std::string::npos : nl + 1;
    }
    int indentAt(std::size_t ls) const
    {
        int n = 0;
        while (ls + n < m_src.size() && m_src[ls + n] == ' ')
            ++n;
        return n;
    }
    bool blankOrComment(std::size_t ls) const
    {
        const std::size_t p = ls + indentAt(ls);
        return p >= m_src.size() || m_src[p] == '\n' || m_src[p] == '\r' || m_src[p] == '#';
    }

    // The end of an entry's last content line: later lines belong to it while
    // they are indented deeper (or, for a key whose value is a block list
    // written at the key's own indentation, while they are its items).
    std::size_t entryEnd(const Entry &e) const
    {
        std::size_t end = lineEnd(e.start);
        const bool seqAtSame = !e.item && e.value.IsSequence() && !isFlow(e.value);
        for (std::size_t ls = nextLine(e.start); ls != std::string::npos && ls < m_src.size(); ls = nextLine(ls)) {
            if (blankOrComment(ls))
                continue;
            const int ind = indentAt(ls);
            const std::size_t p = ls + ind;
            const bool itemHere = seqAtSame && ind == e.column && m_src[p] == '-'
                && (p + 1 >= m_src.size() || m_src[p + 1] == ' ' || m_src[p + 1] == '\n' || m_src[p + 1] == '\r');
            if (ind > e.column || itemHere)
                end = lineEnd(ls);
            else
                break;
        }
        return end;
    }

    std::optional<Entry> itemEntry(const YAML::Node &item) const
    {
        if (!item.IsDefined() || item.IsNull() || item.Mark().is_null())
            return std::nullopt;
        std::size_t p = std::size_t(item.Mark().pos);
        while (p > 0 && (m_src[p - 1] == ' ' || m_src[p - 1] == '\t' || m_src[p - 1] == '\n' || m_src[p - 1] == '\r'))
            --p;
        if (p == 0 || m_src[p - 1] != '-')
            return std::nullopt;
        --p;
        Entry e;
        e.valid = true;
        e.start = p;
        e.column = int(p - lineStart(p));
        e.item = true;
        e.value = item;
        return e;
    }

    // --- text ----------------------------------------------------------
    // Canonical text placed at `column`: later lines indented to it, the file's line ends.
    std::string placed(const QString &text, int column) const
    {
        const QStringList lines = text.split(QLatin1Char('\n'));
        std::string out;
        for (qsizetype i = 0; i < lines.size(); ++i) {
            if (i > 0) {
                out += m_nl;
                if (!lines[i].isEmpty())
                    out += std::string(std::size_t(column), ' ');
            }
            out += lines[i].toStdString();
        }
        return out;
    }

    const Out *canonicalAt(const Path &path) const
    {
        const Out *n = &m_canonical;
        for (const Step &s : path) {
            if (s.index >= 0) {
                if (n->type != Out::Seq || s.index >= n->children.size())
                    return nullptr;
                n = &n->children[s.index].second;
            } else {
                n = n->type == Out::Map ? n->child(s.key) : nullptr;
                if (!n)
                    return nullptr;
            }
        }
        return n;
    }

    // The span of the scalar or flow collection starting at `pos`; npos if unsure.
    std::size_t spanEnd(std::size_t pos, bool inFlow) const
    {
        const std::size_t n = m_src.size();
        if (pos >= n)
            return std::string::npos;
        const char c = m_src[pos];
        if (c == '"') {
            for (std::size_t i = pos + 1; i < n; ++i) {
                if (m_src[i] == '\\')
                    ++i;
                else if (m_src[i] == '"')
                    return i + 1;
            }
            return std::string::npos;
        }
        if (c == '\'') {
            for (std::size_t i = pos + 1; i < n; ++i) {
                if (m_src[i] == '\'') {
                    if (i + 1 < n && m_src[i + 1] == '\'')
                        ++i;
                    else
                        return i + 1;
                }
            }
            return std::string::npos;
        }
        if (c == '[' || c == '{') {
            int depth = 0;
            for (std::size_t i = pos; i < n; ++i) {
                const char d = m_src[i];
                if (d == '"' || d == '\'') {
                    const std::size_t e = spanEnd(i, true);
                    if (e == std::string::npos)
                        return e;
                    i = e - 1;
                } else if (d == '#' && i > pos && (m_src[i - 1] == ' ' || m_src[i - 1] == '\t')) {
                    i = lineEnd(i);
                } else if (d == '[' || d == '{') {
                    ++depth;
                } else if ((d == ']' || d == '}') && --depth == 0) {
                    return i + 1;
                }
            }
            return std::string::npos;
        }
        if (c == '|' || c == '>' || c == '&' || c == '*' || c == '!')
            return std::string::npos; // block scalars, anchors, aliases, tags: re-emit the entry
        std::size_t i = pos;
        for (; i < n && m_src[i] != '\n' && m_src[i] != '\r'; ++i) {
            const char d = m_src[i];
            if (d == '#' && i > pos && (m_src[i - 1] == ' ' || m_src[i - 1] == '\t'))
                break;
            if (inFlow && (d == ',' || d == ']' || d == '}'))
                break;
            if (inFlow && d == ':' && (i + 1 >= n || std::string(" ,]}\r\n").find(m_src[i + 1]) != std::string::npos))
                break;
        }
        while (i > pos && (m_src[i - 1] == ' ' || m_src[i - 1] == '\t'))
            --i;
        return i;
    }

    // The new scalar's text in the style the old one was written in, where the value allows it.
    std::optional<std::string> scalarText(const Out &b, char oldStyle, bool inFlow) const
    {
        if (b.type == Out::Plain) {
            if (b.text == QLatin1String("null") || detail::looksTyped(b.text) || detail::isSafePlain(b.text, inFlow))
                return b.text.toStdString();
            return detail::doubleQuoted(b.text).toStdString();
        }
        if (b.type != Out::Str)
            return std::nullopt;
        const QString &t = b.text;
        if (!inFlow && t.contains(QLatin1Char('\n')))
            return std::nullopt; // a literal block reads better: re-emit the entry
        if (oldStyle == '\'') {
            const bool simple = std::none_of(t.begin(), t.end(), [](QChar ch) {
                const ushort u = ch.unicode();
                return u < 0x20 || u == 0x7f || (u >= 0x80 && u <= 0xa0) || u == 0x2028 || u == 0x2029 || u == 0xfeff;
            });
            if (simple)
                return (QLatin1Char('\'') + QString(t).replace(QLatin1Char('\''), QStringLiteral("''")) + QLatin1Char('\'')).toStdString();
        } else if (oldStyle != '"' && detail::isSafePlain(t, inFlow)) {
            return t.toStdString();
        }
        return detail::doubleQuoted(t).toStdString();
    }

    static QString keyText(const QString &k)
    {
        return detail::isSafePlain(k, true) ? k : detail::doubleQuoted(k);
    }

    // --- operations ----------------------------------------------------
    bool replaceEntry(const Entry &e, const Path &path, const Out &full, std::vector<Edit> &out) const
    {
        if (!e.valid)
            return false;
        const Out *c = canonicalAt(path);
        if (!c && !e.item)
            return removeEntry(e, out); // the value is the default now
        const QString text = e.item ? detail::emitItem(c ? *c : full) : detail::emitEntry(e.key, *c);
        out.push_back({e.start, entryEnd(e), placed(text, e.column)});
        return true;
    }

    // New entries (canonical text, "\n"-separated) as whole lines after the
    // line that ends at `end`, at `column`.
    Edit insertAfter(std::size_t end, int column, const QString &text) const
    {
        const std::string indent(std::size_t(column), ' ');
        const std::size_t next = nextLine(end);
        if (next == std::string::npos || next > m_src.size())
            return {m_src.size(), m_src.size(), m_nl + indent + placed(text, column)};
        return {next, next, indent + placed(text, column) + m_nl};
    }

    bool removeEntry(const Entry &e, std::vector<Edit> &out) const
    {
        const std::size_t ls = lineStart(e.start);
        if (ls + std::size_t(indentAt(ls)) != e.start)
            return false; // shares its line (the first key after "- ")
        const std::size_t end = entryEnd(e);
        const std::size_t next = nextLine(end);
        out.push_back({ls, next == std::string::npos ? m_src.size() : next, {}});
        return true;
    }

    bool fine(const YAML::Node &o, const Out &a, const Out &b, bool inFlow, const Path &path, std::vector<Edit> &out)
    {
        if (o.Mark().is_null() || o.IsNull())
            return false;
        if (o.IsScalar())
            return inlineScalar(o, b, inFlow, out);
        if (isFlow(o)) {
            if (o.IsMap() && a.type == Out::Map && b.type == Out::Map)
                return flowMap(o, a, b, path, out);
            if (o.IsSequence() && a.type == Out::Seq && b.type == Out::Seq && a.children.size() == b.children.size()
                && std::size_t(a.children.size()) == o.size()) {
                for (qsizetype i = 0; i < b.children.size(); ++i)
                    if (!walk(o[std::size_t(i)], {}, a.children[i].second, b.children[i].second, true, path + Step{{}, int(i)}, out))
                        return false;
                return true;
            }
            // A list of another length (a sweep edited, a command changed): the whole flow span.
            const std::size_t start = std::size_t(o.Mark().pos);
            const std::size_t end = spanEnd(start, inFlow);
            const Out *c = canonicalAt(path);
            if (end == std::string::npos || (b.type != Out::Seq && b.type != Out::Map))
                return false;
            out.push_back({start, end, detail::emitInline(c ? *c : b).toStdString()});
            return true;
        }
        if (o.IsMap() && a.type == Out::Map && b.type == Out::Map)
            return blockMap(o, a, b, path, out);
        if (o.IsSequence() && a.type == Out::Seq && b.type == Out::Seq)
            return blockSeq(o, a, b, path, out);
        return false;
    }

    bool inlineScalar(const YAML::Node &o, const Out &b, bool inFlow, std::vector<Edit> &out)
    {
        const std::size_t start = std::size_t(o.Mark().pos);
        const std::size_t end = spanEnd(start, inFlow);
        if (end == std::string::npos || end <= start)
            return false;
        const char style = m_src[start];
        if (style != '"' && style != '\'' && m_src.compare(start, end - start, o.Scalar()) != 0)
            return false; // a plain scalar over several lines: re-emit the entry
        std::optional<std::string> text;
        if (b.type == Out::Seq && (b.flow || inFlow))
            text = detail::emitInline(b).toStdString(); // a value becomes a sweep list
        else
            text = scalarText(b, style, inFlow);
        if (!text)
            return false;
        out.push_back({start, end, *text});
        return true;
    }

    // Keys common to both trees must keep their relative order.
    static bool sameOrder(const Out &a, const Out &b)
    {
        QStringList ka, kb;
        for (const auto &c : a.children)
            if (b.child(c.first))
                ka << c.first;
        for (const auto &c : b.children)
            if (a.child(c.first))
                kb << c.first;
        return ka == kb;
    }

    struct KeyAt
    {
        YAML::Node key;
        YAML::Node value;
    };
    static std::optional<QList<std::pair<QString, KeyAt>>> keysOf(const YAML::Node &o)
    {
        QList<std::pair<QString, KeyAt>> keys;
        for (auto it = o.begin(); it != o.end(); ++it) {
            const YAML::Node k = it->first;
            if (!k.IsScalar() || k.Mark().is_null())
                return std::nullopt;
            keys.append({QString::fromStdString(k.Scalar()), KeyAt{k, it->second}});
        }
        return keys;
    }
    static const KeyAt *find(const QList<std::pair<QString, KeyAt>> &keys, const QString &k)
    {
        for (const auto &p : keys)
            if (p.first == k)
                return &p.second;
        return nullptr;
    }

    bool blockMap(const YAML::Node &o, const Out &a, const Out &b, const Path &path, std::vector<Edit> &out)
    {
        const auto keys = keysOf(o);
        if (!keys || keys->isEmpty() || b.children.isEmpty() || !sameOrder(a, b))
            return false;
        const int column = keys->first().second.key.Mark().column;
        const std::size_t firstEdit = out.size();
        QString inserted;
        for (const auto &[k, bv] : b.children) {
            const Out *av = a.child(k);
            if (av && *av == bv)
                continue;
            if (const KeyAt *at = find(*keys, k)) {
                Entry ce{true, std::size_t(at->key.Mark().pos), at->key.Mark().column, false, k, at->value};
                if (!walk(at->value, ce, av ? *av : Out{}, bv, false, path + Step{k}, out))
                    return false;
                continue;
            }
            const Out *c = canonicalAt(path + Step{k});
            if (!c)
                return false;
            inserted += (inserted.isEmpty() ? QString() : QStringLiteral("\n")) + detail::emitEntry(k, *c);
        }
        for (const auto &[k, av] : a.children) {
            if (b.child(k))
                continue;
            const KeyAt *at = find(*keys, k);
            if (!at) // the value came from a default or a template: no line says it
                return false;
            const Entry ce{true, std::size_t(at->key.Mark().pos), at->key.Mark().column, false, k, at->value};
            if (!removeEntry(ce, out))
                return false;
        }
        // Every line of the mapping removed and none added would leave the key
        // without a value (null, not an empty mapping): the parent entry goes instead.
        const bool emptied = inserted.isEmpty() && std::all_of(keys->begin(), keys->end(), [&](const auto &key) {
            const std::size_t ls = lineStart(std::size_t(key.second.key.Mark().pos));
            return std::any_of(out.begin() + qsizetype(firstEdit), out.end(),
                               [&](const Edit &ed) { return ed.start == ls && ed.text.empty(); });
        });
        if (emptied)
            return false;
        if (!inserted.isEmpty()) {
            const KeyAt &last = keys->last().second;
            const Entry le{true, std::size_t(last.key.Mark().pos), last.key.Mark().column, false, keys->last().first, last.value};
            out.push_back(insertAfter(entryEnd(le), column, inserted));
        }
        return true;
    }

    bool flowMap(const YAML::Node &o, const Out &a, const Out &b, const Path &path, std::vector<Edit> &out)
    {
        const auto keys = keysOf(o);
        const std::size_t start = std::size_t(o.Mark().pos);
        const std::size_t end = spanEnd(start, true);
        if (!keys || end == std::string::npos || m_src[end - 1] != '}' || !sameOrder(a, b))
            return false;
        std::string inserted;
        for (const auto &[k, bv] : b.children) {
            const Out *av = a.child(k);
            if (av && *av == bv)
                continue;
            if (const KeyAt *at = find(*keys, k)) {
                if (!walk(at->value, {}, av ? *av : Out{}, bv, true, path + Step{k}, out))
                    return false;
                continue;
            }
            const Out *c = canonicalAt(path + Step{k});
            if (!c)
                return false;
            inserted += ((keys->isEmpty() && inserted.empty()) ? "" : ", ") + (keyText(k) + QStringLiteral(": ") + detail::emitInline(*c)).toStdString();
        }
        for (const auto &[k, av] : a.children)
            if (!b.child(k))
                return false; // removing from a flow mapping: re-emit the entry
        if (!inserted.empty()) {
            std::size_t at = end - 1;
            while (at > start + 1 && (m_src[at - 1] == ' ' || m_src[at - 1] == '\t'))
                --at;
            out.push_back({at, at, inserted});
        }
        return true;
    }

    bool blockSeq(const YAML::Node &o, const Out &a, const Out &b, const Path &path, std::vector<Edit> &out)
    {
        const qsizetype n = a.children.size(), m = b.children.size();
        if (m == 0 || o.size() != std::size_t(n))
            return false;
        if (n == m) {
            for (qsizetype i = 0; i < n; ++i) {
                if (a.children[i] == b.children[i])
                    continue;
                const auto ie = itemEntry(o[std::size_t(i)]);
                if (!ie || !walk(o[std::size_t(i)], *ie, a.children[i].second, b.children[i].second, false, path + Step{{}, int(i)}, out))
                    return false;
            }
            return true;
        }
        if (n == 0)
            return false;
        if (m > n && std::equal(a.children.begin(), a.children.end(), b.children.begin())) {
            const auto last = itemEntry(o[std::size_t(n - 1)]);
            if (!last)
                return false;
            QString text;
            for (qsizetype i = n; i < m; ++i) {
                const Out *c = canonicalAt(path + Step{{}, int(i)});
                text += (text.isEmpty() ? QString() : QStringLiteral("\n")) + detail::emitItem(c ? *c : b.children[i].second);
            }
            out.push_back(insertAfter(entryEnd(*last), last->column, text));
            return true;
        }
        if (m == n - 1) {
            qsizetype j = 0;
            while (j < m && a.children[j] == b.children[j])
                ++j;
            if (!std::equal(a.children.begin() + j + 1, a.children.end(), b.children.begin() + j))
                return false;
            const auto ie = itemEntry(o[std::size_t(j)]);
            return ie && removeEntry(*ie, out);
        }
        return false;
    }
};

} // namespace

std::optional<QString> RecipePatcher::patch(const QString &base, const Recipe &target, QString *problem) const
{
    auto fail = [problem](const QString &why) -> std::optional<QString> {
        if (problem)
            *problem = why;
        return std::nullopt;
    };
    const RecipeLoader loader(&m_catalog);
    const LoadResult loaded = loader.loadText(base);
    if (!loaded.ok())
        return fail(QStringLiteral("the text it was loaded from has errors"));
    if (loaded.recipe == target)
        return base;
    const std::string src = base.toStdString();
    YAML::Node root;
    try {
        root = YAML::Load(src);
    } catch (const YAML::Exception &e) {
        return fail(QString::fromStdString(e.msg));
    }
    const Out a = detail::recipeTree(loaded.recipe, m_catalog, detail::TreeMode::Full);
    const Out b = detail::recipeTree(target, m_catalog, detail::TreeMode::Full);
    const Out canonical = detail::recipeTree(target, m_catalog, detail::TreeMode::Canonical);
    Patcher patcher(src, canonical);
    std::vector<Edit> edits;
    if (!patcher.walk(root, {}, a, b, false, {}, edits))
        return fail(QStringLiteral("a change could not be placed in the original text"));
    // Insertions before a removal that starts at the same place: applied from
    // the end, the removal then goes first and the inserted lines stay.
    std::stable_sort(edits.begin(), edits.end(),
                     [](const Edit &x, const Edit &y) { return x.start != y.start ? x.start < y.start : x.end < y.end; });
    for (std::size_t i = 1; i < edits.size(); ++i)
        if (edits[i].start < edits[i - 1].end)
            return fail(QStringLiteral("two changes overlap in the original text"));
    std::string text = src;
    for (auto it = edits.rbegin(); it != edits.rend(); ++it)
        text.replace(it->start, it->end - it->start, it->text);
    const QString result = QString::fromStdString(text);
    const LoadResult check = loader.loadText(result);
    if (!check.ok() || !(check.recipe == target))
        return fail(QStringLiteral("the patched text does not load as the recipe to save"));
    return result;
}

} // namespace fb::recipe
