// ClusterTools: which of the tools some recipes need a cluster offers, when
// that is known. A connection profile may declare it (profile.json:
// "tools": {"apptainer": false, "modules": false}); RecipeValidator warns when
// a recipe needs a tool the selected cluster says it lacks, and the editor
// drops service templates as native services there. Unset: not declared, so
// nothing is assumed either way.
#pragma once

#include <QString>

#include <optional>

namespace fb {

struct ClusterTools
{
    std::optional<bool> apptainer; // `apptainer` on the compute nodes (service containers)
    std::optional<bool> modules;   // an environment-module system (`module load`, cluster.modules)
    QString source;                // who declared it, for messages: the profile's name

    bool lacksApptainer() const { return apptainer.has_value() && !*apptainer; }
    bool lacksModules() const { return modules.has_value() && !*modules; }
    bool operator==(const ClusterTools &) const = default;
};

} // namespace fb
