#include "TargetOption.h"

#include "common/Paths.h"
#include "recipe/RecipeLoader.h"
#include "recipe/RecipeSaver.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace fb::cli {

bool parseTargets(const QStringList &values, QList<recipe::TargetOverride> *targets, QString *error)
{
    targets->clear();
    for (const QString &v : values) {
        const auto t = recipe::parseTargetOption(v, error);
        if (!t)
            return false;
        targets->append(*t);
    }
    return true;
}

bool writeTargetedRecipe(const QString &path, const QList<recipe::TargetOverride> &targets, QString *targetedPath, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, f.errorString());
        return false;
    }
    const QString text = QString::fromUtf8(f.readAll());
    const QString fileName = QFileInfo(path).fileName();
    recipe::LoadResult loaded = recipe::RecipeLoader().loadText(text, fileName);
    if (!loaded.ok()) {
        *error = recipe::formatDiagnostics(loaded.diagnostics).trimmed();
        return false;
    }
    if (!recipe::applyTargets(&loaded.recipe, targets, error))
        return false;
    // Lossless: the user's text with only the external fields changed, so
    // diagnostics and the run's recipe copy read like the original.
    const QByteArray targeted = recipe::RecipeSaver().toText(loaded.recipe, text).toUtf8();
    const QString dir = Paths::stateDir() + QStringLiteral("/targeted/")
        + QString::fromLatin1(QCryptographicHash::hash(targeted, QCryptographicHash::Sha256).toHex().left(16));
    QSaveFile out(dir + QLatin1Char('/') + fileName);
    if (!QDir().mkpath(dir) || !out.open(QIODevice::WriteOnly) || out.write(targeted) != targeted.size() || !out.commit()) {
        *error = QStringLiteral("cannot write the recipe with --target applied to %1: %2").arg(out.fileName(), out.errorString());
        return false;
    }
    *targetedPath = out.fileName();
    return true;
}

QStringList externalServiceLines(const recipe::Recipe &recipe)
{
    QStringList lines;
    for (int i = 0; i < recipe.services.size(); ++i) {
        const recipe::Service &s = recipe.services[i];
        if (!s.external.isSet())
            continue;
        QString line = QStringLiteral("  service %1: external at %2 (no job, no node-hours)").arg(s.name, recipe::externalAddress(s.external));
        // A swept address: the first trial's is shown, the axis says the rest.
        for (const recipe::SweepAxis &a : recipe.sweep.axes)
            if (a.path.startsWith(QStringLiteral("services[%1].external.").arg(i)))
                line += QStringLiteral("; %1 swept over %2").arg(a.path, a.values.join(QStringLiteral(", ")));
        lines << line;
    }
    return lines;
}

} // namespace fb::cli
