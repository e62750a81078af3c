#include "recipe/RecipeLoader.h"

#include "recipe/Catalog.h"
#include "recipe/Quantities.h"
#include "recipe/RecipeValidator.h"
#include "recipe/RecipeYaml_p.h"
#include "recipe/CharacterColumns.h"
#include "recipe/YamlPrescan.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>

#include <yaml-cpp/depthguard.h>

#include <functional>
#include <limits>
#include <map>
#include <set>

namespace fb::recipe {

int editDistance(const QString &a, const QString &b)
{
    QList<int> prev(b.size() + 1), cur(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        prev[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        cur[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int cost = a.at(i - 1).toLower() == b.at(j - 1).toLower() ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

QString closestMatch(const QString &word, const QStringList &candidates)
{
    QString best;
    int bestDistance = std::numeric_limits<int>::max();
    for (const QString &c : candidates) {
        const int d = editDistance(word, c);
        if (d < bestDistance) {
            bestDistance = d;
            best = c;
        }
    }
    // A typo, not a different word: at most a third of the word, at least 1, at most 3.
    const int limit = std::clamp(int(word.size()) / 3, 1, 3);
    return bestDistance <= limit ? best : QString();
}

namespace detail {

bool splitPath(const QString &path, QList<PathSegment> *segments)
{
    segments->clear();
    static const QRegularExpression seg(QStringLiteral("^([^.\\[\\]]+)((?:\\[\\d+\\])*)$"));
    static const QRegularExpression idx(QStringLiteral("\\[(\\d+)\\]"));
    for (const QString &part : path.split(QLatin1Char('.'))) {
        const auto m = seg.match(part);
        if (!m.hasMatch())
            return false;
        segments->append({m.captured(1), -1});
        auto it = idx.globalMatch(m.captured(2));
        while (it.hasNext())
            segments->append({QString(), it.next().captured(1).toInt()});
    }
    return !segments->isEmpty();
}

YAML::Node nodeAt(YAML::Node root, const QString &path)
{
    QList<PathSegment> segs;
    if (!splitPath(path, &segs))
        return YAML::Node(YAML::NodeType::Undefined);
    YAML::Node n = root;
    for (const PathSegment &s : segs) {
        if (s.index >= 0) {
            if (!n.IsSequence() || s.index >= int(n.size()))
                return YAML::Node(YAML::NodeType::Undefined);
            n.reset(n[s.index]);
        } else {
            if (!n.IsMap() || !n[s.key.toStdString()])
                return YAML::Node(YAML::NodeType::Undefined);
            n.reset(n[s.key.toStdString()]);
        }
    }
    return n;
}

namespace {

QString qs(const std::string &s) { return QString::fromStdString(s); }

QString describe(const YAML::Node &n)
{
    switch (n.Type()) {
    case YAML::NodeType::Map: return QStringLiteral("a mapping");
    case YAML::NodeType::Sequence: return QStringLiteral("a list");
    case YAML::NodeType::Null: return QStringLiteral("nothing");
    case YAML::NodeType::Scalar: return QLatin1Char('"') + qs(n.Scalar()) + QLatin1Char('"');
    default: return QStringLiteral("nothing");
    }
}

QString join(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + QLatin1Char('.') + key;
}

QString indexed(const QString &path, qsizetype i)
{
    return path + QStringLiteral("[%1]").arg(i);
}

// Infers a JSON value from a YAML scalar the way YAML 1.2's core schema does;
// quoted scalars (tag "!") are always strings.
QJsonValue scalarToJson(const YAML::Node &n)
{
    if (n.IsNull())
        return QJsonValue(QJsonValue::Null);
    const QString text = qs(n.Scalar());
    if (n.Tag() == "!")
        return text;
    if (text == QLatin1String("true") || text == QLatin1String("True") || text == QLatin1String("TRUE"))
        return true;
    if (text == QLatin1String("false") || text == QLatin1String("False") || text == QLatin1String("FALSE"))
        return false;
    if (text == QLatin1String("~") || text == QLatin1String("null") || text == QLatin1String("Null"))
        return QJsonValue(QJsonValue::Null);
    static const QRegularExpression intRe(QStringLiteral("^[-+]?\\d+$"));
    static const QRegularExpression floatRe(QStringLiteral("^[-+]?(?:\\d+\\.\\d*|\\.\\d+|\\d+)(?:[eE][-+]?\\d+)?$"));
    bool ok = false;
    if (intRe.match(text).hasMatch()) {
        const qint64 v = text.toLongLong(&ok);
        if (ok)
            return v;
    }
    if (floatRe.match(text).hasMatch()) {
        const double v = text.toDouble(&ok);
        if (ok && std::isfinite(v))
            return v;
    }
    return text;
}

class Reader
{
public:
    Reader(QString file, const Catalog &catalog, bool allowSweep, Recipe *recipe, QList<Diagnostic> *diags,
           const QSet<quint64> *multiLineQuoted = nullptr)
        : m_file(std::move(file)), m_catalog(catalog), m_allowSweep(allowSweep), m_recipe(recipe), m_diags(diags),
          m_multiLineQuoted(multiLineQuoted)
    {}

    void readRoot(const YAML::Node &root);
    // Patch mode (FieldPath): `root` names only the fields to change, and the
    // recipe already holds everything else. A null list item leaves that item
    // alone, an index past the end is an error, a null value unsets an
    // optional field, unknown keys are errors, nothing is positioned.
    void setPatch(bool patch) { m_patch = patch; }

private:
    QString m_file;
    const Catalog &m_catalog;
    bool m_allowSweep;
    Recipe *m_recipe;
    QList<Diagnostic> *m_diags;
    const QSet<quint64> *m_multiLineQuoted; // YamlPrescan's quoted scalars that span lines
    // Free-form values (params, settings) read so far in this document, after
    // aliases are expanded: the alias-bomb budget (YamlPrescan.h limits).
    qint64 m_freeFormValues = 0;
    qint64 m_freeFormBytes = 0;
    bool m_patch = false;

    void report(Diagnostic::Severity sev, const QString &path, const YAML::Mark &mark, const QString &message)
    {
        Diagnostic d;
        d.severity = sev;
        d.path = path;
        d.file = m_file;
        if (!mark.is_null() && !m_patch) {
            d.line = mark.line + 1;   // yaml-cpp marks are 0-based
            d.column = mark.column + 1;
        }
        d.message = message;
        m_diags->append(d);
    }
    void error(const QString &path, const YAML::Node &n, const QString &message)
    {
        report(Diagnostic::Error, path, n.Mark(), message);
    }
    void mark(const QString &path, const YAML::Node &n)
    {
        const YAML::Mark m = n.Mark();
        if (!m.is_null() && !m_patch)
            m_recipe->positions.insert(path, SourcePosition{m_file, m.line + 1, m.column + 1});
    }

    // Iterates a mapping: reports unknown and duplicate keys, hands known ones to `onKey`.
    bool forEachKey(const YAML::Node &map, const QString &path, const QStringList &known,
                    const std::function<void(const QString &key, const YAML::Node &value, const QString &keyPath)> &onKey)
    {
        if (!map.IsMap()) {
            error(path, map, QStringLiteral("expected a mapping, got %1").arg(describe(map)));
            return false;
        }
        mark(path, map);
        std::set<QString> seen;
        for (auto it = map.begin(); it != map.end(); ++it) {
            // A copy: it-> yields a temporary proxy; a reference into it dangles.
            const YAML::Node keyNode = it->first;
            if (!keyNode.IsScalar()) {
                error(path, keyNode, QStringLiteral("keys must be plain names, got %1").arg(describe(keyNode)));
                continue;
            }
            const QString key = qs(keyNode.Scalar());
            const QString keyPath = join(path, key);
            if (!seen.insert(key).second) {
                error(keyPath, keyNode, QStringLiteral("duplicate key \"%1\"").arg(key));
                continue;
            }
            if (!known.isEmpty() && !known.contains(key)) {
                const QString guess = closestMatch(key, known);
                if (m_patch)
                    report(Diagnostic::Error, keyPath, keyNode.Mark(),
                           QStringLiteral("unknown key \"%1\"%2 (known here: %3)")
                               .arg(key, guess.isEmpty() ? QString() : QStringLiteral("; did you mean \"%1\"?").arg(guess),
                                    known.join(QStringLiteral(", "))));
                else
                    report(Diagnostic::Warning, keyPath, keyNode.Mark(),
                           guess.isEmpty() ? QStringLiteral("unknown key \"%1\" is ignored").arg(key)
                                           : QStringLiteral("unknown key \"%1\" is ignored; did you mean \"%2\"?").arg(key, guess));
                continue;
            }
            mark(keyPath, it->second);
            onKey(key, it->second, keyPath);
        }
        return true;
    }

    // A scalar field, or a list of scalars (a sweep axis when `sweepable`).
    // `convert` returns an empty string on success, else the "expected …" text.
    template<typename T>
    bool scalar(const YAML::Node &n, const QString &path, T *out,
                const std::function<QString(const YAML::Node &, T *)> &convert, bool sweepable = true)
    {
        if (n.IsScalar()) {
            T value{};
            const QString expected = convert(n, &value);
            if (!expected.isEmpty()) {
                error(path, n, expected);
                return false;
            }
            *out = value;
            return true;
        }
        if (n.IsSequence() && sweepable && m_allowSweep) {
            if (n.size() == 0) {
                error(path, n, QStringLiteral("an empty list sweeps nothing: give at least one value"));
                return false;
            }
            QStringList texts;
            bool ok = true;
            T first{};
            for (std::size_t i = 0; i < n.size(); ++i) {
                const YAML::Node item = n[i];
                if (!item.IsScalar()) {
                    error(indexed(path, qsizetype(i)), item,
                          QStringLiteral("sweep values must be scalars, got %1").arg(describe(item)));
                    ok = false;
                    continue;
                }
                T value{};
                const QString expected = convert(item, &value);
                if (!expected.isEmpty()) {
                    error(indexed(path, qsizetype(i)), item, expected);
                    ok = false;
                    continue;
                }
                if (i == 0)
                    first = value;
                texts << qs(item.Scalar());
            }
            if (!ok)
                return false;
            *out = first;
            m_recipe->sweep.axes.append(SweepAxis{path, texts});
            return true;
        }
        if (n.IsSequence() && m_patch)
            error(path, n, QStringLiteral("expected one value, got a list (a sweep is a list of values in sweep.axes)"));
        else if (n.IsSequence() && sweepable)
            error(path, n, QStringLiteral("a list sweeps a value only in a recipe, not in a template"));
        else {
            T probe{};
            YAML::Node empty(std::string{});
            QString expected = convert(empty, &probe);
            if (expected.isEmpty())
                expected = QStringLiteral("expected a string");
            expected = expected.section(QStringLiteral(", got"), 0, 0);
            error(path, n, QStringLiteral("%1, got %2").arg(expected, describe(n)));
        }
        return false;
    }

    // --- typed scalar helpers ---------------------------------------------
    // `multiLine`: the field is free text (description, notes, file content,
    // environment values); other strings are one line, and a quoted scalar
    // that spans lines there is most likely a missing closing quote.
    bool str(const YAML::Node &n, const QString &path, QString *out, bool sweepable = true, bool multiLine = false)
    {
        const QSet<quint64> *spans = multiLine ? nullptr : m_multiLineQuoted;
        return scalar<QString>(n, path, out, [spans](const YAML::Node &s, QString *v) {
            *v = qs(s.Scalar());
            const YAML::Mark m = s.Mark();
            if (spans && s.Tag() == "!" && !m.is_null() && spans->contains(Prescan::key(m.line + 1, m.column + 1)))
                return QStringLiteral("expected one line, but this quoted string runs over several lines (is its closing quote missing?)");
            return QString();
        }, sweepable);
    }
    bool integer(const YAML::Node &n, const QString &path, qint64 *out, qint64 min, qint64 max, bool sweepable = true)
    {
        return scalar<qint64>(n, path, out, [min, max](const YAML::Node &s, qint64 *v) {
            bool ok = false;
            const QString t = qs(s.Scalar()).trimmed();
            *v = t.toLongLong(&ok);
            if (!ok || t.isEmpty())
                return QStringLiteral("expected an integer, got \"%1\"").arg(qs(s.Scalar()));
            if (*v < min || *v > max)
                return QStringLiteral("must be between %1 and %2, got %3").arg(min).arg(max).arg(*v);
            return QString();
        }, sweepable);
    }
    bool integer(const YAML::Node &n, const QString &path, int *out, int min, int max, bool sweepable = true)
    {
        qint64 v = *out;
        if (!integer(n, path, &v, qint64(min), qint64(max), sweepable))
            return false;
        *out = int(v);
        return true;
    }
    bool number(const YAML::Node &n, const QString &path, double *out, double min, double max)
    {
        return scalar<double>(n, path, out, [min, max](const YAML::Node &s, double *v) {
            bool ok = false;
            *v = qs(s.Scalar()).trimmed().toDouble(&ok);
            if (!ok || !std::isfinite(*v))
                return QStringLiteral("expected a number, got \"%1\"").arg(qs(s.Scalar()));
            if (*v < min || *v > max)
                return QStringLiteral("must be between %1 and %2, got %3").arg(formatNumber(min), formatNumber(max), formatNumber(*v));
            return QString();
        });
    }
    bool boolean(const YAML::Node &n, const QString &path, bool *out)
    {
        return scalar<bool>(n, path, out, [](const YAML::Node &s, bool *v) {
            const QString t = qs(s.Scalar());
            if (t == QLatin1String("true") || t == QLatin1String("yes") || t == QLatin1String("on")) { *v = true; return QString(); }
            if (t == QLatin1String("false") || t == QLatin1String("no") || t == QLatin1String("off")) { *v = false; return QString(); }
            return QStringLiteral("expected true or false, got \"%1\"").arg(t);
        });
    }
    bool duration(const YAML::Node &n, const QString &path, double *out, double maxSeconds = 365.0 * 86400)
    {
        return scalar<double>(n, path, out, [maxSeconds](const YAML::Node &s, double *v) {
            const auto d = parseDuration(qs(s.Scalar()));
            if (!d)
                return QStringLiteral("expected a duration such as \"30s\", got \"%1\"").arg(qs(s.Scalar()));
            if (*d > maxSeconds)
                return QStringLiteral("must be at most %1, got \"%2\"").arg(formatDuration(maxSeconds), qs(s.Scalar()));
            *v = *d;
            return QString();
        });
    }
    bool size(const YAML::Node &n, const QString &path, qint64 *out)
    {
        return scalar<qint64>(n, path, out, [](const YAML::Node &s, qint64 *v) {
            const auto d = parseSize(qs(s.Scalar()));
            if (!d)
                return QStringLiteral("expected a size such as \"4G\", got \"%1\"").arg(qs(s.Scalar()));
            *v = *d;
            return QString();
        });
    }
    bool oneOf(const YAML::Node &n, const QString &path, QString *out, const QStringList &allowed, bool sweepable = true)
    {
        return scalar<QString>(n, path, out, [allowed](const YAML::Node &s, QString *v) {
            *v = qs(s.Scalar());
            if (allowed.contains(*v))
                return QString();
            const QString guess = closestMatch(*v, allowed);
            QString msg = QStringLiteral("expected one of %1, got \"%2\"").arg(allowed.join(QStringLiteral(", ")), *v);
            if (!guess.isEmpty())
                msg += QStringLiteral("; did you mean \"%1\"?").arg(guess);
            return msg;
        }, sweepable);
    }
    // A patch's null unsets an optional field (a count of Resources: 0, "not set").
    template<typename T>
    bool unsets(const YAML::Node &n, T *out)
    {
        if (!m_patch || !n.IsNull())
            return false;
        *out = T{};
        return true;
    }
    template<typename T>
    void optDuration(const YAML::Node &n, const QString &path, std::optional<T> *out)
    {
        double v = 0;
        if (!unsets(n, out) && duration(n, path, &v))
            *out = v;
    }
    void optNumber(const YAML::Node &n, const QString &path, std::optional<double> *out, double min, double max)
    {
        double v = 0;
        if (!unsets(n, out) && number(n, path, &v, min, max))
            *out = v;
    }
    void optInteger(const YAML::Node &n, const QString &path, std::optional<qint64> *out, qint64 min, qint64 max)
    {
        qint64 v = 0;
        if (!unsets(n, out) && integer(n, path, &v, min, max))
            *out = v;
    }
    void count(const YAML::Node &n, const QString &path, int *out, int min, int max)
    {
        if (!unsets(n, out))
            integer(n, path, out, min, max);
    }

    bool stringList(const YAML::Node &n, const QString &path, QStringList *out)
    {
        if (n.IsScalar()) { // one item may be written without brackets
            *out = {qs(n.Scalar())};
            return true;
        }
        if (!n.IsSequence()) {
            error(path, n, QStringLiteral("expected a list of strings, got %1").arg(describe(n)));
            return false;
        }
        QStringList list;
        bool ok = true;
        for (std::size_t i = 0; i < n.size(); ++i) {
            if (!n[i].IsScalar()) {
                error(indexed(path, qsizetype(i)), n[i], QStringLiteral("expected a string, got %1").arg(describe(n[i])));
                ok = false;
                continue;
            }
            mark(indexed(path, qsizetype(i)), n[i]);
            list << qs(n[i].Scalar());
        }
        if (ok)
            *out = list;
        return ok;
    }

    // argv: a list, or one string split like a shell would (quotes, no expansion).
    bool argv(const YAML::Node &n, const QString &path, QStringList *out)
    {
        if (n.IsScalar()) {
            *out = QProcess::splitCommand(qs(n.Scalar()));
            return true;
        }
        return stringList(n, path, out);
    }

    void keyValues(const YAML::Node &n, const QString &path, KeyValueList *out)
    {
        forEachKey(n, path, {}, [&](const QString &key, const YAML::Node &v, const QString &keyPath) {
            QString value;
            if (v.IsNull())
                value.clear();
            else if (!str(v, keyPath, &value, true, true))
                return;
            for (KeyValue &kv : *out)
                if (kv.key == key) {
                    kv.value = value;
                    return;
                }
            out->append({key, value});
        });
    }

    // YAML → JSON for a free-form field. yaml-cpp resolves an alias to the
    // very node it names, so the tree may be a graph: `&x [*x]` is a cycle,
    // and ten aliases per level ("billion laughs") make 10^9 values out of a
    // few lines. Each call checks, with the field path and position of the
    // value: that the value is not one of its own ancestors (a cycle), the
    // depth below the field, and the document's budget of values and bytes.
    // `ancestors` are the nodes from the field down to n's parent. Returns
    // nullopt after reporting; the caller then stops reading the field.
    std::optional<QJsonValue> toJson(const YAML::Node &n, const QString &path, bool sweepable, QList<YAML::Node> *ancestors)
    {
        for (const YAML::Node &a : std::as_const(*ancestors))
            if (a.is(n)) {
                error(path, n, QStringLiteral("alias cycle: this value contains itself through an alias (*name inside the value anchored &name)"));
                return std::nullopt;
            }
        if (ancestors->size() >= kMaxFreeFormDepth) {
            error(path, n, QStringLiteral("nested more than %1 levels deep (aliases included); a free-form field may nest at most %1").arg(kMaxFreeFormDepth));
            return std::nullopt;
        }
        if (++m_freeFormValues > kMaxFreeFormValues) {
            error(path, n, QStringLiteral("params and settings hold more than %1 values once aliases are expanded (an alias bomb?); a recipe may hold at most %1")
                               .arg(kMaxFreeFormValues));
            return std::nullopt;
        }
        if (n.IsScalar() && (m_freeFormBytes += qint64(n.Scalar().size())) > kMaxFreeFormBytes) {
            error(path, n, QStringLiteral("params and settings hold more than %1 MiB of text once aliases are expanded; a recipe may hold at most %1 MiB")
                               .arg(kMaxFreeFormBytes >> 20));
            return std::nullopt;
        }
        if (n.IsMap()) {
            // Keys in sorted order, the order QJsonObject keeps and the saver
            // writes: sweep axes inside params are then registered in the
            // same order after load → save → load, so trial ids stay stable.
            std::map<QString, std::pair<YAML::Node, QString>> sorted;
            forEachKey(n, path, {}, [&](const QString &key, const YAML::Node &v, const QString &keyPath) {
                sorted.emplace(key, std::make_pair(v, keyPath));
            });
            ancestors->append(n);
            QJsonObject o;
            for (const auto &[key, value] : sorted) {
                const auto v = toJson(value.first, value.second, sweepable, ancestors);
                if (!v) {
                    ancestors->removeLast();
                    return std::nullopt;
                }
                o.insert(key, *v);
            }
            ancestors->removeLast();
            return o;
        }
        if (n.IsSequence()) {
            bool allScalars = n.size() > 0;
            for (std::size_t i = 0; i < n.size(); ++i)
                allScalars = allScalars && n[i].IsScalar();
            if (allScalars && sweepable && m_allowSweep) {
                QStringList texts;
                for (std::size_t i = 0; i < n.size(); ++i) {
                    if ((m_freeFormBytes += qint64(n[i].Scalar().size())) > kMaxFreeFormBytes || ++m_freeFormValues > kMaxFreeFormValues) {
                        error(indexed(path, qsizetype(i)), n[i],
                              QStringLiteral("params and settings hold more than %1 values or %2 MiB of text once aliases are expanded (an alias bomb?)")
                                  .arg(kMaxFreeFormValues).arg(kMaxFreeFormBytes >> 20));
                        return std::nullopt;
                    }
                    texts << qs(n[i].Scalar());
                }
                m_recipe->sweep.axes.append(SweepAxis{path, texts});
                return scalarToJson(n[0]);
            }
            ancestors->append(n);
            QJsonArray a;
            for (std::size_t i = 0; i < n.size(); ++i) {
                const auto v = toJson(n[i], indexed(path, qsizetype(i)), false, ancestors);
                if (!v) {
                    ancestors->removeLast();
                    return std::nullopt;
                }
                a.append(*v);
            }
            ancestors->removeLast();
            return a;
        }
        return scalarToJson(n);
    }

    static void mergeJson(QJsonObject *base, const QJsonObject &over)
    {
        for (auto it = over.begin(); it != over.end(); ++it) {
            if (it->isObject() && base->value(it.key()).isObject()) {
                QJsonObject inner = base->value(it.key()).toObject();
                mergeJson(&inner, it->toObject());
                base->insert(it.key(), inner);
            } else {
                base->insert(it.key(), *it);
            }
        }
    }

    void jsonObject(const YAML::Node &n, const QString &path, QJsonObject *out)
    {
        if (!n.IsMap()) {
            if (!n.IsNull())
                error(path, n, QStringLiteral("expected a mapping, got %1").arg(describe(n)));
            return;
        }
        QList<YAML::Node> ancestors;
        if (const auto v = toJson(n, path, true, &ancestors))
            mergeJson(out, v->toObject());
    }

    // --- sections -------------------------------------------------------
    void readResources(const YAML::Node &n, const QString &path, Resources *r)
    {
        static const QStringList keys{QStringLiteral("account"), QStringLiteral("partition"), QStringLiteral("qos"),
            QStringLiteral("time"), QStringLiteral("nodes"), QStringLiteral("ntasks"), QStringLiteral("cpus_per_task"),
            QStringLiteral("memory"), QStringLiteral("gres"), QStringLiteral("gpus_per_node"), QStringLiteral("exclusive"),
            QStringLiteral("reservation"), QStringLiteral("constraint")};
        forEachKey(n, path, keys, [&](const QString &k, const YAML::Node &v, const QString &p) {
            if (k == QLatin1String("account")) str(v, p, &r->account);
            else if (k == QLatin1String("partition")) str(v, p, &r->partition);
            else if (k == QLatin1String("qos")) str(v, p, &r->qos);
            else if (k == QLatin1String("time")) optDuration(v, p, &r->time);
            else if (k == QLatin1String("nodes")) count(v, p, &r->nodes, 1, 10000);
            else if (k == QLatin1String("ntasks")) count(v, p, &r->ntasks, 1, 1000000);
            else if (k == QLatin1String("cpus_per_task")) count(v, p, &r->cpusPerTask, 1, 4096);
            else if (k == QLatin1String("memory")) { qint64 m = 0; if (!unsets(v, &r->memory) && size(v, p, &m)) r->memory = m; }
            else if (k == QLatin1String("gres")) str(v, p, &r->gres);
            else if (k == QLatin1String("gpus_per_node")) count(v, p, &r->gpusPerNode, 0, 64);
            else if (k == QLatin1String("exclusive")) { bool b = false; if (!unsets(v, &r->exclusive) && boolean(v, p, &b)) r->exclusive = b; }
            else if (k == QLatin1String("reservation")) str(v, p, &r->reservation);
            else if (k == QLatin1String("constraint")) str(v, p, &r->constraint);
        });
    }

    void readContainer(const YAML::Node &n, const QString &path, Container *c)
    {
        static const QStringList keys{QStringLiteral("sif"), QStringLiteral("source"), QStringLiteral("nv"),
                                      QStringLiteral("binds"), QStringLiteral("mode")};
        forEachKey(n, path, keys, [&](const QString &k, const YAML::Node &v, const QString &p) {
            if (k == QLatin1String("sif")) str(v, p, &c->sif);
            else if (k == QLatin1String("source")) str(v, p, &c->source);
            else if (k == QLatin1String("nv")) boolean(v, p, &c->nv);
            else if (k == QLatin1String("binds")) stringList(v, p, &c->binds);
            else if (k == QLatin1String("mode")) oneOf(v, p, &c->mode, {QStringLiteral("exec"), QStringLiteral("run")});
        });
    }

    void readPorts(const YAML::Node &n, const QString &path, QList<Port> *ports)
    {
        forEachKey(n, path, {}, [&](const QString &key, const YAML::Node &v, const QString &p) {
            int number = 0;
            if (!integer(v, p, &number, 1, 65535))
                return;
            for (Port &port : *ports)
                if (port.name == key) {
                    port.number = number;
                    return;
                }
            ports->append({key, number});
        });
    }

    void readHealth(const YAML::Node &n, const QString &path, HealthCheck *h)
    {
        static const QStringList keys{QStringLiteral("type"), QStringLiteral("path"), QStringLiteral("port"),
            QStringLiteral("command"), QStringLiteral("interval"), QStringLiteral("timeout")};
        forEachKey(n, path, keys, [&](const QString &k, const YAML::Node &v, const QString &p) {
            if (k == QLatin1String("type"))
                oneOf(v, p, &h->type, {QStringLiteral("http"), QStringLiteral("tcp"), QStringLiteral("command"), QStringLiteral("none")});
            else if (k == QLatin1String("path")) str(v, p, &h->path);
            else if (k == QLatin1String("port")) str(v, p, &h->port);
            else if (k == QLatin1String("command")) argv(v, p, &h->command);
            else if (k == QLatin1String("interval")) duration(v, p, &h->interval, 3600);
            else if (k == QLatin1String("timeout")) duration(v, p, &h->timeout, 7 * 86400);
        });
    }

    void readFiles(const YAML::Node &n, const QString &path, QList<ConfigFile> *files)
    {
        if (!n.IsSequence()) {
            error(path, n, QStringLiteral("expected a list of {path, content}, got %1").arg(describe(n)));
            return;
        }
        if (!m_patch)
            files->clear();
        else if (n.size() > std::size_t(files->size())) {
            error(indexed(path, qsizetype(n.size() - 1)), n, noItem(path, files->size()));
            return;
        }
        for (std::size_t i = 0; i < n.size(); ++i) {
            const QString ip = indexed(path, qsizetype(i));
            if (m_patch && n[i].IsNull())
                continue;
            ConfigFile &f = m_patch ? (*files)[qsizetype(i)] : files->emplace_back();
            forEachKey(n[i], ip, {QStringLiteral("path"), QStringLiteral("content")},
                       [&](const QString &k, const YAML::Node &v, const QString &p) {
                if (k == QLatin1String("path")) str(v, p, &f.path, false);
                else str(v, p, &f.content, false, true);
            });
        }
    }

    // services[].external: {host, port}. Host syntax is the validator's
    // (ExternalTarget.h); a patch's null unsets a part (FieldPath).
    void readExternal(const YAML::Node &n, const QString &path, ServiceExternal *e)
    {
        if (unsets(n, e))
            return;
        forEachKey(n, path, {QStringLiteral("host"), QStringLiteral("port")}, [&](const QString &k, const YAML::Node &v, const QString &p) {
            if (k == QLatin1String("host")) { if (!unsets(v, &e->host)) str(v, p, &e->host); }
            else if (!unsets(v, &e->port)) integer(v, p, &e->port, 1, 65535);
        });
    }

    void readService(const YAML::Node &n, const QString &path, Service *s, bool isTemplate)
    {
        static const QStringList keys{QStringLiteral("name"), QStringLiteral("kind"), QStringLiteral("template"),
            QStringLiteral("container"), QStringLiteral("command"), QStringLiteral("ports"), QStringLiteral("environment"),
            QStringLiteral("health"), QStringLiteral("resources"), QStringLiteral("files"), QStringLiteral("settings"),
            QStringLiteral("model"), QStringLiteral("ray"), QStringLiteral("between_trials"),
            QStringLiteral("external")};
        if (!n.IsMap()) {
            error(path, n, QStringLiteral("expected a mapping, got %1").arg(describe(n)));
            return;
        }
        // The template first, so the recipe's own fields override it.
        if (!isTemplate && n["template"]) {
            const YAML::Node t = n["template"];
            const QString tp = join(path, QStringLiteral("template"));
            QString name;
            if (str(t, tp, &name, false) && !(m_patch && name == s->templateName)) {
                if (m_patch) { // a new template in a patch: the template's service, under the same name
                    Service fresh;
                    fresh.name = s->name;
                    *s = fresh;
                }
                applyTemplate(name, t, tp, s);
            }
        }
        forEachKey(n, path, keys, [&](const QString &k, const YAML::Node &v, const QString &p) {
            if (k == QLatin1String("name")) str(v, p, &s->name, false);
            else if (k == QLatin1String("kind")) oneOf(v, p, &s->kind, serviceKinds(), false);
            else if (k == QLatin1String("template")) { if (isTemplate) error(p, v, QStringLiteral("a template cannot use another template")); }
            else if (k == QLatin1String("container")) {
                // `container: none` runs a template's service natively.
                if (v.IsNull() || (v.IsScalar() && v.Scalar() == "none")) s->container = Container{};
                else readContainer(v, p, &s->container);
            }
            else if (k == QLatin1String("command")) argv(v, p, &s->command);
            else if (k == QLatin1String("between_trials")) str(v, p, &s->betweenTrials);
            else if (k == QLatin1String("ports")) readPorts(v, p, &s->ports);
            else if (k == QLatin1String("environment")) keyValues(v, p, &s->environment);
            else if (k == QLatin1String("health")) readHealth(v, p, &s->health);
            else if (k == QLatin1String("resources")) readResources(v, p, &s->resources);
            else if (k == QLatin1String("files")) readFiles(v, p, &s->files);
            else if (k == QLatin1String("settings")) jsonObject(v, p, &s->settings);
            else if (k == QLatin1String("model")) {
                if (v.IsScalar()) str(v, p, &s->model.name);
                else forEachKey(v, p, {QStringLiteral("name"), QStringLiteral("pull")},
                                [&](const QString &mk, const YAML::Node &mv, const QString &mp) {
                    if (mk == QLatin1String("name")) str(mv, mp, &s->model.name);
                    else boolean(mv, mp, &s->model.pull);
                });
            } else if (k == QLatin1String("external")) {
                readExternal(v, p, &s->external);
            } else if (k == QLatin1String("ray")) {
                forEachKey(v, p, {QStringLiteral("head_port"), QStringLiteral("dashboard_port"),
                                  QStringLiteral("tensor_parallel"), QStringLiteral("pipeline_parallel")},
                           [&](const QString &rk, const YAML::Node &rv, const QString &rp) {
                    if (rk == QLatin1String("head_port")) integer(rv, rp, &s->ray.headPort, 1, 65535);
                    else if (rk == QLatin1String("dashboard_port")) integer(rv, rp, &s->ray.dashboardPort, 1, 65535);
                    else if (rk == QLatin1String("tensor_parallel")) integer(rv, rp, &s->ray.tensorParallel, 1, 1024);
                    else integer(rv, rp, &s->ray.pipelineParallel, 1, 1024);
                });
            }
        });
    }

    // A template's text parsed once per thread: a sweep reads every trial's
    // recipe again (SweepExpander), and parsing the template for each trial
    // was most of the time of expanding a large sweep. The tree is only read.
    static YAML::Node parsedTemplate(const QString &text)
    {
        thread_local QHash<QString, YAML::Node> cache;
        if (const auto it = cache.constFind(text); it != cache.constEnd())
            return *it;
        if (cache.size() >= 64) // templates edited in the app: keep the cache small
            cache.clear();
        // A template of one's own is held to a recipe's limits too.
        const QByteArray utf8 = text.toUtf8();
        const Prescan scan = prescanYaml(utf8);
        if (scan.error) {
            YAML::Mark at;
            at.line = scan.error->line - 1;
            at.column = scan.error->column - 1;
            throw YAML::ParserException(at, (scan.error->path.isEmpty() ? QString() : scan.error->path + QStringLiteral(": ")).toStdString()
                                                + scan.error->message.toStdString());
        }
        const YAML::Node doc = YAML::Load(utf8.toStdString());
        cache.insert(text, doc);
        return doc;
    }

    void applyTemplate(const QString &name, const YAML::Node &at, const QString &path, Service *s)
    {
        const auto entry = m_catalog.find(name);
        if (!entry) {
            const QString guess = closestMatch(name, m_catalog.names());
            error(path, at, guess.isEmpty() ? QStringLiteral("no service template \"%1\" in the catalog").arg(name)
                                            : QStringLiteral("no service template \"%1\" in the catalog; did you mean \"%2\"?").arg(name, guess));
            return;
        }
        s->templateName = name;
        YAML::Node doc;
        try {
            doc = parsedTemplate(entry->text);
        } catch (const YAML::Exception &e) {
            const QString where = e.mark.is_null() ? entry->filePath
                                                   : QStringLiteral("%1:%2:%3").arg(entry->filePath).arg(e.mark.line + 1).arg(e.mark.column + 1);
            error(path, at, QStringLiteral("template \"%1\" (%2) is not valid YAML: %3").arg(name, where, qs(e.msg)));
            return;
        }
        if (!doc.IsMap() || !doc["service"]) {
            error(path, at, QStringLiteral("template \"%1\" (%2) has no \"service\" mapping").arg(name, entry->filePath));
            return;
        }
        // Template diagnostics name the template file; its positions are not
        // the recipe's, so they are read into a scratch recipe.
        Recipe scratch;
        Reader inner(entry->filePath, m_catalog, false, &scratch, m_diags);
        inner.readService(doc["service"], QStringLiteral("service"), s, true);
    }

    void readLoad(const YAML::Node &n, const QString &path, LoadModel *l)
    {
        forEachKey(n, path, {QStringLiteral("model"), QStringLiteral("concurrency"), QStringLiteral("rate"),
                             QStringLiteral("burstiness"), QStringLiteral("ramp_up")},
                   [&](const QString &k, const YAML::Node &v, const QString &p) {
            if (k == QLatin1String("model")) oneOf(v, p, &l->model, loadModels());
            else if (k == QLatin1String("concurrency")) integer(v, p, &l->concurrency, 1, 100000); // fbload's kMaxConnections
            else if (k == QLatin1String("rate")) optNumber(v, p, &l->rate, 0.000001, 1e9);
            else if (k == QLatin1String("burstiness")) optNumber(v, p, &l->burstiness, 0.000001, 1e6);
            else duration(v, p, &l->rampUp);
        });
    }

    void readClient(const YAML::Node &n, const QString &path, Client *c)
    {
        static const QStringList keys{QStringLiteral("name"), QStringLiteral("service"), QStringLiteral("port"),
            QStringLiteral("workload"), QStringLiteral("threads"), QStringLiteral("load"), QStringLiteral("warmup"),
            QStringLiteral("duration"), QStringLiteral("requests"), QStringLiteral("timeout"), QStringLiteral("seed"),
            QStringLiteral("slo"), QStringLiteral("instances"), QStringLiteral("nodes"), QStringLiteral("wait_timeout"),
            QStringLiteral("resources"), QStringLiteral("environment"), QStringLiteral("params")};
        forEachKey(n, path, keys, [&](const QString &k, const YAML::Node &v, const QString &p) {
            if (k == QLatin1String("name")) str(v, p, &c->name, false);
            else if (k == QLatin1String("service")) str(v, p, &c->service, false);
            else if (k == QLatin1String("port")) str(v, p, &c->port, false);
            else if (k == QLatin1String("workload")) oneOf(v, p, &c->workload, workloadKinds(), false);
            else if (k == QLatin1String("threads")) integer(v, p, &c->threads, 1, 4096);
            else if (k == QLatin1String("load")) readLoad(v, p, &c->load);
            else if (k == QLatin1String("warmup")) duration(v, p, &c->warmup);
            else if (k == QLatin1String("duration")) optDuration(v, p, &c->duration);
            else if (k == QLatin1String("requests")) optInteger(v, p, &c->requests, 1, qint64(1) << 50);
            else if (k == QLatin1String("timeout")) duration(v, p, &c->timeout, 86400);
            else if (k == QLatin1String("seed")) optInteger(v, p, &c->seed, 0, std::numeric_limits<qint64>::max());
            else if (k == QLatin1String("slo")) {
                forEachKey(v, p, {QStringLiteral("ttft"), QStringLiteral("tpot"), QStringLiteral("e2el")},
                           [&](const QString &sk, const YAML::Node &sv, const QString &sp) {
                    if (sk == QLatin1String("ttft")) optDuration(sv, sp, &c->slo.ttft);
                    else if (sk == QLatin1String("tpot")) optDuration(sv, sp, &c->slo.tpot);
                    else optDuration(sv, sp, &c->slo.e2el);
                });
            }
            else if (k == QLatin1String("instances")) integer(v, p, &c->instances, 1, 100000);
            else if (k == QLatin1String("nodes")) integer(v, p, &c->nodes, 1, 10000);
            else if (k == QLatin1String("wait_timeout")) duration(v, p, &c->waitTimeout, 7 * 86400);
            else if (k == QLatin1String("resources")) readResources(v, p, &c->resources);
            else if (k == QLatin1String("environment")) keyValues(v, p, &c->environment);
            else if (k == QLatin1String("params")) jsonObject(v, p, &c->params);
        });
    }

    void readExporter(const YAML::Node &n, const QString &path, Exporter *e)
    {
        if (n.IsScalar()) { // `node_exporter: false`
            boolean(n, path, &e->enabled);
            return;
        }
        forEachKey(n, path, {QStringLiteral("enabled"), QStringLiteral("port"), QStringLiteral("command"), QStringLiteral("container")},
                   [&](const QString &k, const YAML::Node &v, const QString &p) {
            if (k == QLatin1String("enabled")) boolean(v, p, &e->enabled);
            else if (k == QLatin1String("port")) integer(v, p, &e->port, 1, 65535);
            else if (k == QLatin1String("command")) argv(v, p, &e->command);
            else readContainer(v, p, &e->container);
        });
    }

    void readMonitor(const YAML::Node &n, const QString &path, Monitor *m)
    {
        if (!m_patch)
            m->enabled = true; // writing a monitor section turns monitoring on
        forEachKey(n, path, {QStringLiteral("enabled"), QStringLiteral("scrape_interval"), QStringLiteral("prometheus"),
                             QStringLiteral("node_exporter"), QStringLiteral("gpu_exporter"), QStringLiteral("retention"),
                             QStringLiteral("resources")},
                   [&](const QString &k, const YAML::Node &v, const QString &p) {
            if (k == QLatin1String("enabled")) boolean(v, p, &m->enabled);
            else if (k == QLatin1String("scrape_interval")) duration(v, p, &m->scrapeInterval, 3600);
            else if (k == QLatin1String("prometheus")) readExporter(v, p, &m->prometheus);
            else if (k == QLatin1String("node_exporter")) readExporter(v, p, &m->nodeExporter);
            else if (k == QLatin1String("gpu_exporter")) readExporter(v, p, &m->gpuExporter);
            else if (k == QLatin1String("retention")) duration(v, p, &m->retention);
            else readResources(v, p, &m->resources);
        });
    }

    void readSweep(const YAML::Node &n, const QString &path, Sweep *s)
    {
        forEachKey(n, path, {QStringLiteral("repetitions"), QStringLiteral("max_trials"), QStringLiteral("max_parallel_trials"),
                             QStringLiteral("reuse_services"), QStringLiteral("zip")},
                   [&](const QString &k, const YAML::Node &v, const QString &p) {
            if (k == QLatin1String("repetitions")) integer(v, p, &s->repetitions, 1, 10000, false);
            else if (k == QLatin1String("reuse_services")) boolean(v, p, &s->reuseServices);
            else if (k == QLatin1String("max_trials")) integer(v, p, &s->maxTrials, 1, kMaxTrials, false);
            else if (k == QLatin1String("max_parallel_trials")) integer(v, p, &s->maxParallelTrials, 1, 1000, false);
            else {
                if (!v.IsSequence()) {
                    error(p, v, QStringLiteral("expected a list of groups (lists of field paths), got %1").arg(describe(v)));
                    return;
                }
                if (m_patch && v.size() > std::size_t(s->zip.size())) {
                    error(indexed(p, qsizetype(v.size() - 1)), v, noItem(p, s->zip.size()));
                    return;
                }
                for (std::size_t i = 0; i < v.size(); ++i) {
                    QStringList group;
                    if (m_patch && v[i].IsNull())
                        continue;
                    if (stringList(v[i], indexed(p, qsizetype(i)), &group)) {
                        if (m_patch)
                            s->zip[qsizetype(i)] = group;
                        else
                            s->zip.append(group);
                    }
                }
            }
        });
    }

    void readMetadata(const YAML::Node &n, const QString &path, Metadata *m)
    {
        forEachKey(n, path, {QStringLiteral("name"), QStringLiteral("description"), QStringLiteral("tags"),
                             QStringLiteral("notes"), QStringLiteral("seed")},
                   [&](const QString &k, const YAML::Node &v, const QString &p) {
            if (k == QLatin1String("name")) str(v, p, &m->name, false);
            else if (k == QLatin1String("description")) str(v, p, &m->description, false, true);
            else if (k == QLatin1String("tags")) stringList(v, p, &m->tags);
            else if (k == QLatin1String("notes")) str(v, p, &m->notes, false, true);
            else integer(v, p, &m->seed, 0, std::numeric_limits<qint64>::max(), false);
        });
    }

    template<typename T>
    void readList(const YAML::Node &n, const QString &path, QList<T> *out, void (Reader::*item)(const YAML::Node &, const QString &, T *))
    {
        if (!n.IsSequence()) {
            error(path, n, QStringLiteral("expected a list, got %1").arg(describe(n)));
            return;
        }
        if (m_patch) { // item i is changed in place; null items are left alone
            if (n.size() > std::size_t(out->size())) {
                error(indexed(path, qsizetype(n.size() - 1)), n, noItem(path, out->size()));
                return;
            }
            for (std::size_t i = 0; i < n.size(); ++i)
                if (!n[i].IsNull())
                    (this->*item)(n[i], indexed(path, qsizetype(i)), &(*out)[qsizetype(i)]);
            return;
        }
        mark(path, n);
        for (std::size_t i = 0; i < n.size(); ++i) {
            T value;
            const QString ip = indexed(path, qsizetype(i));
            mark(ip, n[i]);
            (this->*item)(n[i], ip, &value);
            out->append(value);
        }
    }
    static QString noItem(const QString &path, qsizetype size)
    {
        return size == 0 ? QStringLiteral("no such item: %1 is empty").arg(path)
                         : QStringLiteral("no such item: %1 has %2 (%1[0] to %1[%3])").arg(path).arg(size).arg(size - 1);
    }
    void readServiceItem(const YAML::Node &n, const QString &path, Service *s) { readService(n, path, s, false); }
};

void Reader::readRoot(const YAML::Node &root)
{
    if (!root.IsDefined() || root.IsNull()) {
        report(Diagnostic::Error, QString(), YAML::Mark(), QStringLiteral("the recipe is empty"));
        return;
    }
    if (!root.IsMap()) {
        error(QString(), root, QStringLiteral("a recipe is a mapping (version, metadata, cluster, services, …), got %1").arg(describe(root)));
        return;
    }
    if (!root["version"] && !m_patch)
        report(Diagnostic::Error, QStringLiteral("version"), root.Mark(),
               QStringLiteral("missing: every recipe starts with \"version: %1\"").arg(kSchemaVersion));
    static const QStringList keys{QStringLiteral("version"), QStringLiteral("metadata"), QStringLiteral("cluster"),
                                  QStringLiteral("services"), QStringLiteral("clients"), QStringLiteral("monitor"),
                                  QStringLiteral("sweep")};
    forEachKey(root, QString(), keys, [&](const QString &k, const YAML::Node &v, const QString &p) {
        if (k == QLatin1String("version")) {
            int version = 0;
            if (integer(v, p, &version, 1, 1000000, false)) {
                if (version > kSchemaVersion)
                    error(p, v, QStringLiteral("schema version %1 is newer than this FactoryBench understands (%2)").arg(version).arg(kSchemaVersion));
                else
                    m_recipe->version = version;
            }
        } else if (k == QLatin1String("metadata")) readMetadata(v, p, &m_recipe->metadata);
        else if (k == QLatin1String("cluster")) {
            forEachKey(v, p, {QStringLiteral("resources"), QStringLiteral("modules"), QStringLiteral("environment"), QStringLiteral("workdir")},
                       [&](const QString &ck, const YAML::Node &cv, const QString &cp) {
                if (ck == QLatin1String("resources")) readResources(cv, cp, &m_recipe->cluster.resources);
                else if (ck == QLatin1String("modules")) stringList(cv, cp, &m_recipe->cluster.modules);
                else if (ck == QLatin1String("environment")) keyValues(cv, cp, &m_recipe->cluster.environment);
                else str(cv, cp, &m_recipe->cluster.workdir, false);
            });
        } else if (k == QLatin1String("services")) readList<Service>(v, p, &m_recipe->services, &Reader::readServiceItem);
        else if (k == QLatin1String("clients")) readList<Client>(v, p, &m_recipe->clients, &Reader::readClient);
        else if (k == QLatin1String("monitor")) readMonitor(v, p, &m_recipe->monitor);
        else if (k == QLatin1String("sweep")) readSweep(v, p, &m_recipe->sweep);
    });
}

} // namespace

void readRecipe(const YAML::Node &root, const QString &file, const Catalog &catalog, bool allowSweep,
                Recipe *out, QList<Diagnostic> *diagnostics, const QSet<quint64> *multiLineQuoted)
{
    Reader reader(file, catalog, allowSweep, out, diagnostics, multiLineQuoted);
    reader.readRoot(root);
}

void patchRecipe(const YAML::Node &patch, const Catalog &catalog, Recipe *recipe, QList<Diagnostic> *diagnostics)
{
    Reader reader(QString(), catalog, false, recipe, diagnostics);
    reader.setPatch(true);
    reader.readRoot(patch);
}

} // namespace detail

RecipeLoader::RecipeLoader(const Catalog *catalog)
    : m_catalog(catalog ? catalog : &Catalog::standard())
{}

LoadResult RecipeLoader::loadFile(const QString &path) const
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        LoadResult r;
        r.diagnostics.append({Diagnostic::Error, QString(), path, 0, 0,
                              QStringLiteral("cannot read the file: %1").arg(f.errorString())});
        return r;
    }
    return loadText(QString::fromUtf8(f.readAll()), QFileInfo(path).fileName());
}

LoadResult RecipeLoader::loadText(const QString &text, const QString &fileName) const
{
    LoadResult r;
    const QByteArray utf8 = text.toUtf8();
    // Every place this returns is counted in characters, not bytes.
    const detail::CharacterColumns columns(utf8);
    const auto inCharacters = [&](LoadResult &res) {
        for (Diagnostic &d : res.diagnostics)
            if (d.file == fileName)
                d.column = columns.column(d.line, d.column);
        for (SourcePosition &p : res.recipe.positions)
            if (p.file == fileName)
                p.column = columns.column(p.line, p.column);
        return std::move(res);
    };
    // Nesting, unclosed quotes and size first: yaml-cpp recurses on nesting
    // and says only "bad file", and lets an unclosed quote run to the end.
    const detail::Prescan scan = detail::prescanYaml(utf8);
    if (scan.error) {
        r.diagnostics.append({Diagnostic::Error, scan.error->path, fileName, scan.error->line, scan.error->column, scan.error->message});
        return inCharacters(r);
    }
    YAML::Node root;
    try {
        root = YAML::Load(utf8.toStdString());
    } catch (const YAML::Exception &e) {
        Diagnostic d;
        d.file = fileName;
        if (!e.mark.is_null()) {
            d.line = e.mark.line + 1;
            d.column = e.mark.column + 1;
        }
        // DeepRecursion is yaml-cpp's own nesting limit ("bad file"); the
        // pre-scan normally reports nesting first.
        d.message = dynamic_cast<const YAML::DeepRecursion *>(&e)
            ? QStringLiteral("collections are nested too deeply here for the YAML parser; a recipe may nest at most %1 levels").arg(detail::kMaxNesting)
            : QStringLiteral("YAML syntax error: %1").arg(QString::fromStdString(e.msg));
        // A quoted string running over lines before the error is the likely cause.
        quint64 first = 0;
        for (const quint64 start : scan.multiLineQuoted)
            if (int(start >> 32) < d.line && (first == 0 || start < first))
                first = start;
        if (first)
            d.message += QStringLiteral(" (the quoted string at line %1, column %2 runs over several lines: is its closing quote missing?)")
                             .arg(int(first >> 32)).arg(int(first & 0xffffffffu));
        // yaml-cpp marks an unclosed `{`/`[` where it gave up (often the next
        // line): point at the bracket that is never closed instead.
        if ((e.msg == YAML::ErrorMsg::END_OF_MAP_FLOW || e.msg == YAML::ErrorMsg::END_OF_SEQ_FLOW) && scan.unclosedFlow) {
            d.line = scan.unclosedFlow->line;
            d.column = scan.unclosedFlow->column;
            d.message = QStringLiteral("YAML syntax error: this \"%1\" is never closed (%2)")
                            .arg(QLatin1Char(scan.unclosedFlow->bracket)).arg(QString::fromStdString(e.msg));
        }
        r.diagnostics.append(d);
        return inCharacters(r);
    }
    try {
        detail::readRecipe(root, fileName, *m_catalog, true, &r.recipe, &r.diagnostics, &scan.multiLineQuoted);
    } catch (const YAML::Exception &e) { // defensive: a yaml-cpp corner we did not foresee
        r.diagnostics.append({Diagnostic::Error, QString(), fileName, 0, 0,
                              QStringLiteral("cannot read the recipe: %1").arg(QString::fromStdString(e.msg))});
    }
    return inCharacters(r);
}

LoadResult RecipeLoader::loadAndValidateFile(const QString &path) const
{
    LoadResult r = loadFile(path);
    if (r.ok()) {
        RecipeValidator v;
        v.tools = m_tools;
        r.diagnostics += v.validate(r.recipe);
    }
    return r;
}

LoadResult RecipeLoader::loadAndValidateText(const QString &text, const QString &fileName) const
{
    LoadResult r = loadText(text, fileName);
    if (r.ok()) {
        RecipeValidator v;
        v.tools = m_tools;
        r.diagnostics += v.validate(r.recipe);
    }
    return r;
}

} // namespace fb::recipe
