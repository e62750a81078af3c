// --target NAME=HOST:PORT (repeatable), shared by `fbctl run` and `fbctl plan`:
// makes the named service external (recipe/ExternalTarget.h) before the
// recipe is validated. `fbctl run` hands the campaign a copy of the recipe
// with the targets written in (lossless: comments and layout kept), stored
// under <state>/targeted/, so the run's recipe, its manifest and `fbctl
// resume` all see the services as external.
#pragma once

#include "recipe/ExternalTarget.h"

#include <QStringList>

namespace fb::cli {

// Parses every --target value; false with *error naming the option.
bool parseTargets(const QStringList &values, QList<recipe::TargetOverride> *targets, QString *error);

// Writes the recipe at `path` with `targets` applied to
// <state>/targeted/<content hash>/<its file name> and returns that path in
// *targetedPath; false with *error (the recipe's diagnostics when it does not
// load, or the option naming a service the recipe lacks).
bool writeTargetedRecipe(const QString &path, const QList<recipe::TargetOverride> &targets, QString *targetedPath, QString *error);

// "  service cache: external at 127.0.0.1:6379 (no job, no node-hours)", one line per external service.
QStringList externalServiceLines(const recipe::Recipe &recipe);

} // namespace fb::cli
