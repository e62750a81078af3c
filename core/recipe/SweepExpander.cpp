#include "recipe/SweepExpander.h"

#include "recipe/Catalog.h"
#include "recipe/FieldPath.h"
#include "recipe/RecipeValidator.h"

#include <QCryptographicHash>
#include <QSet>

namespace fb::recipe {

SweepExpander::SweepExpander(const Catalog *catalog)
    : m_catalog(catalog ? catalog : &Catalog::standard())
{}


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

    // Each trial is the recipe with its swept fields set on the model, through
    // the loader's reader of each field (RecipeFields): no YAML text per trial.
    const RecipeFields fields(m_catalog);
    QList<FieldPath> paths;
    for (const SweepAxis &axis : sweep.axes) {
        FieldError why;
        const auto path = FieldPath::parse(axis.path, &why);
        if (!path) {
            const SourcePosition at = recipe.positionOf(axis.path);
            diagnostics->append({Diagnostic::Error, axis.path, at.file, at.line, at.column, why.toString()});
            return false;
        }
        paths << *path;
    }
    Recipe base = recipe;
    base.sweep = Sweep{}; // a trial has no sweep (and its limits were checked above)

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
        Trial t;
        t.recipe = base;
        for (qsizetype a = 0; a < sweep.axes.size(); ++a) {
            for (qsizetype u = 0; u < units.size(); ++u)
                if (units[u].axes.contains(int(a))) {
                    const QString v = sweep.axes[a].values.value(choice[u]);
                    params.append({sweep.axes[a].path, v});
                    FieldError why;
                    if (!fields.write(&t.recipe, paths[a], FieldValue::scalar(v), &why)) {
                        const SourcePosition at = recipe.positionOf(sweep.axes[a].path);
                        diagnostics->append({Diagnostic::Error, sweep.axes[a].path, at.file, at.line, at.column,
                                             QStringLiteral("trial %1: %2").arg(c + 1).arg(why.message)});
                        return false;
                    }
                }
        }
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
