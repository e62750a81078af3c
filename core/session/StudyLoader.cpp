#include "session/StudyLoader.h"

#include "recipe/RecipeLoader.h"
#include "session/RunStore.h"

#include <QJsonObject>

namespace fb::session {

namespace {

// The swept parameters in the recipe's axis order (the store keeps a trial's
// values as a JSON object, which sorts its keys); alphabetical when the
// stored recipe no longer loads.
QStringList axisOrder(const RunRecord &run)
{
    QStringList order;
    if (run.recipeText.isEmpty())
        return order;
    const recipe::LoadResult loaded = recipe::RecipeLoader().loadText(run.recipeText);
    for (const recipe::SweepAxis &axis : loaded.recipe.sweep.axes)
        order << axis.path;
    return order;
}

} // namespace

std::optional<metrics::Study> loadStudy(const QString &storePath, const QString &runId, QString *error)
{
    RunStore store;
    if (!store.open(storePath, error))
        return std::nullopt;
    return loadStudy(store, runId, error);
}

std::optional<metrics::Study> loadStudy(const RunStore &store, const QString &runId, QString *error)
{
    const std::optional<RunRecord> run = store.run(runId);
    if (!run) {
        if (error)
            *error = QStringLiteral("%1: no run %2 in the run store").arg(store.path(), runId);
        return std::nullopt;
    }
    const QStringList order = axisOrder(*run);
    QList<metrics::StudyTrial> trials;
    for (const TrialRecord &rec : store.trials(runId)) {
        metrics::StudyTrial t;
        t.id = rec.trialId;
        t.index = rec.index;
        t.state = stateName(rec.state);
        QStringList keys = rec.params.keys();
        std::stable_sort(keys.begin(), keys.end(), [&](const QString &a, const QString &b) {
            const qsizetype ia = order.indexOf(a), ib = order.indexOf(b);
            return (ia < 0 ? order.size() : ia) < (ib < 0 ? order.size() : ib);
        });
        for (const QString &k : std::as_const(keys)) {
            const QJsonValue v = rec.params.value(k);
            t.parameters.append({k, v.isString() ? v.toString() : v.toVariant().toString()});
        }
        QList<metrics::ResultDocument> docs;
        QStringList errors;
        for (const ResultFileRecord &f : store.resultFiles(runId, rec.trialId)) {
            QString e;
            if (auto doc = metrics::ResultDocument::load(f.localPath, &e))
                docs << *doc;
            else
                errors << e;
        }
        if (!docs.isEmpty()) {
            QString e;
            t.result = metrics::ResultDocument::merge(docs, &e);
            if (!t.result)
                errors << e;
        }
        t.error = errors.join(QStringLiteral("; "));
        trials << t;
    }
    return metrics::Study(run->id, run->name, trials);
}

} // namespace fb::session
