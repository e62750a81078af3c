// RecipeValidator: the semantic checks on a loaded Recipe — required fields,
// names usable as file and job names, unique names, references (a client
// targets an existing service and port), partition vs GPU requests, port
// clashes between services that may share a node, monitor ports, sweep paths,
// zip groups and sweep size against max_trials. Reports every finding with
// the field path and the position the loader recorded. Stateless; owned by
// whoever validates (RecipeLoader::loadAndValidate*, the editor, fbctl).
#pragma once

#include "common/ClusterTools.h"
#include "recipe/Diagnostic.h"
#include "recipe/Recipe.h"

namespace fb::recipe {

class RecipeValidator
{
public:
    // Partitions known to have GPUs; a GPU request elsewhere is an error, and
    // a GPU partition without a GPU request a warning.
    QStringList gpuPartitions{QStringLiteral("gpu"), QStringLiteral("fpga-gpu")};
    // What the selected cluster offers, when its profile says: a recipe that
    // needs a tool the cluster lacks (Apptainer for a container, the module
    // system for cluster.modules) gets a warning. Unknown tools: no check.
    ClusterTools tools;

    QList<Diagnostic> validate(const Recipe &recipe) const;

    // Trials the sweep expands to (axes × repetitions, zip groups once), or -1
    // when the zip groups are inconsistent.
    static qint64 trialCount(const Sweep &sweep);
};

// Names used as file, job and endpoint names: [A-Za-z0-9][A-Za-z0-9_.-]{0,62}.
bool isValidName(const QString &name);

} // namespace fb::recipe
