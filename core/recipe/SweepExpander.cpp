#include "recipe/SweepExpander.h"

#include "recipe/Catalog.h"
#include "recipe/RecipeSaver.h"
#include "recipe/RecipeValidator.h"
#include "recipe/RecipeYaml_p.h"

#include <QCryptographicHash>
#include <QSet>

namespace fb::recipe {

SweepExpander::SweepExpander(const Catalog *catalog)
    : m_catalog(catalog ? catalog : &Catalog::standard())
{}

namespace {

// Replaces the node at `path` (a swept list) with one scalar.
bool setAt(YAML::Node root, const QString &path, const QString &value)
{
    QList<detail::PathSegment> segs;
    if (!detail::splitPath(path, &segs))
        return false;
    YAML::Node n = root;
    for (qsizetype i = 0; i + 1 < segs.size(); ++i) {
        const auto &s = segs[i];
        if (s.index >= 0) {
            if (!n.IsSequence() || s.index >= int(n.size()))
                return false;
            n.reset(n[s.index]);
        } else {
            if (!n.IsMap() || !n[s.key.toStdString()])
                return false;
            n.reset(n[s.key.toStdString()]);
        }
    }
    const auto &last = segs.last();
    if (last.index >= 0 || !n.IsMap())
        return false;
    n[last.key.toStdString()] = value.toStdString();
    return true;
}

} // namespace

bool SweepExpander::expand(const Recipe &recipe, QList<Trial> *trials, QList<Diagnostic> *diagnostics) const
{
    trials->clear();
    const Sweep &sweep = recipe.sweep;
    const qint64 count = RecipeValidator::trialCount(sweep);
    const SourcePosition pos = recipe.positionOf(QStringLiteral("sweep"));
    if (count < 0) {
        diagnostics->append({Diagnostic::Error, QStringLiteral("sweep.zip"), pos.file, pos.line, pos.column,
                             QStringLiteral("zipped lists must be equally long")});
        return false;
    }
    if (count > sweep.maxTrials) {
        diagnostics->append({Diagnostic::Error, QStringLiteral("sweep.max_trials"), pos.file, pos.line, pos.column,
                             QStringLiteral("the sweep expands to %1 trials, more than max_trials %2: shorten a list, zip lists together or raise sweep.max_trials")
                                 .arg(count).arg(sweep.maxTrials)});
        return false;
    }

    // Units that vary independently: each zip group, then each lone axis, in
    // the order their first field appears in the document.
    struct Unit { QList<int> axes; qsizetype length = 0; };
    QList<Unit> units;
    QSet<int> taken;
    for (int a = 0; a < sweep.axes.size(); ++a) {
        if (taken.contains(a))
            continue;
        Unit u;
        for (const QStringList &group : sweep.zip)
            if (group.contains(sweep.axes[a].path)) {
                for (int b = 0; b < sweep.axes.size(); ++b)
                    if (group.contains(sweep.axes[b].path)) {
                        u.axes << b;
                        taken.insert(b);
                    }
            }
        if (u.axes.isEmpty()) {
            u.axes << a;
            taken.insert(a);
        }
        u.length = sweep.axes[u.axes.first()].values.size();
        units << u;
    }

    const QString text = RecipeSaver(m_catalog).toText(recipe);
    YAML::Node base;
    try {
        base = YAML::Load(text.toStdString());
    } catch (const YAML::Exception &e) {
        diagnostics->append({Diagnostic::Error, QString(), pos.file, 0, 0,
                             QStringLiteral("internal: the saved recipe does not parse: %1").arg(QString::fromStdString(e.msg))});
        return false;
    }

    // The swept lists leave the base tree once, here: every trial then clones
    // a tree the size of the recipe without its lists (cloning them for each
    // trial made expansion quadratic: trials x values).
    for (const SweepAxis &axis : sweep.axes)
        if (!axis.values.isEmpty() && !setAt(base, axis.path, axis.values.first())) {
            diagnostics->append({Diagnostic::Error, QStringLiteral("sweep"), pos.file, pos.line, pos.column,
                                 QStringLiteral("internal: the swept field %1 could not be set").arg(axis.path)});
            return false;
        }

    base.remove("sweep"); // a trial has no sweep (and its limits were checked above)

    const qint64 combinations = count / sweep.repetitions;
    const int width = std::max(3, int(QString::number(combinations).size()));
    for (qint64 c = 0; c < combinations; ++c) {
        // Mixed-radix digits of c, first unit most significant (slowest).
        QList<qsizetype> choice(units.size());
        qint64 rest = c;
        for (qsizetype u = units.size() - 1; u >= 0; --u) {
            choice[u] = rest % units[u].length;
            rest /= units[u].length;
        }
        KeyValueList params;
        YAML::Node node = YAML::Clone(base);
        bool ok = true;
        for (qsizetype a = 0; a < sweep.axes.size(); ++a) {
            for (qsizetype u = 0; u < units.size(); ++u)
                if (units[u].axes.contains(int(a))) {
                    const QString v = sweep.axes[a].values.value(choice[u]);
                    params.append({sweep.axes[a].path, v});
                    ok = setAt(node, sweep.axes[a].path, v) && ok;
                }
        }
        if (!ok) {
            diagnostics->append({Diagnostic::Error, QStringLiteral("sweep"), pos.file, pos.line, pos.column,
                                 QStringLiteral("internal: a swept field could not be set in trial %1").arg(c + 1)});
            return false;
        }
        Trial t;
        QList<Diagnostic> diags;
        detail::readRecipe(node, pos.file, *m_catalog, false, &t.recipe, &diags);
        if (hasErrors(diags)) {
            for (Diagnostic &d : diags)
                d.message = QStringLiteral("trial %1: %2").arg(c + 1).arg(d.message);
            *diagnostics += diags;
            return false;
        }
        t.recipe.sweep = Sweep{};
        t.recipe.positions = recipe.positions;
        QByteArray canon;
        for (const KeyValue &kv : params)
            canon += kv.key.toUtf8() + '=' + kv.value.toUtf8() + '\n';
        t.key = QString::fromLatin1(QCryptographicHash::hash(canon, QCryptographicHash::Sha1).toHex().left(8));
        t.parameters = params;
        t.index = int(c + 1);
        for (int r = 1; r <= sweep.repetitions; ++r) {
            Trial tr = t;
            tr.repetition = r;
            tr.id = QStringLiteral("t%1").arg(c + 1, width, 10, QLatin1Char('0'));
            if (sweep.repetitions > 1)
                tr.id += QStringLiteral("-r%1").arg(r);
            trials->append(tr);
        }
    }
    return true;
}

} // namespace fb::recipe
