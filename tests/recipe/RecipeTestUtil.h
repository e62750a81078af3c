// Helpers shared by the recipe tests: the checked-in catalog and examples,
// and the one way a test turns a trial into scripts (the same ScriptContext
// `fbctl plan` uses, so golden files match what the user previews).
#pragma once

#include "recipe/BatchScriptGenerator.h"
#include "recipe/Catalog.h"
#include "recipe/RecipeLoader.h"
#include "recipe/SweepExpander.h"

#include <QDir>
#include <QFileInfo>
#include <QStringList>

namespace fb::recipe::test {

inline QString sourceDir() { return QStringLiteral(FB_SOURCE_DIR); }

inline const Catalog &catalog()
{
    static const Catalog c(sourceDir() + QStringLiteral("/recipes/services"));
    return c;
}

inline QStringList examplePaths()
{
    QStringList out;
    const QDir d(sourceDir() + QStringLiteral("/recipes/examples"));
    for (const QFileInfo &fi : d.entryInfoList({QStringLiteral("*.yaml")}, QDir::Files, QDir::Name))
        out << fi.absoluteFilePath();
    return out;
}

inline ScriptContext contextFor(const QString &runId, const QString &trialId)
{
    ScriptContext ctx;
    ctx.runId = BatchScriptGenerator::safeName(runId);
    ctx.trialId = trialId;
    ctx.runDir = QStringLiteral("$HOME/factorybench/runs/") + ctx.runId;
    ctx.trialDir = ctx.runDir + QLatin1Char('/') + trialId;
    return ctx;
}

} // namespace fb::recipe::test
