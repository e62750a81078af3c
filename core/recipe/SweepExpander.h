// SweepExpander: turns a recipe with swept fields into its trials — the
// Cartesian product of the swept lists, zip groups varying together, each
// combination repeated sweep.repetitions times. Trial ids are stable for a
// given recipe ("t001", or "t001-r2" with repetitions), and each trial records
// its parameter values and carries the fully resolved Recipe (no lists left)
// that BatchScriptGenerator turns into scripts. Refuses, with a clear
// message, to expand more trials than sweep.max_trials.
#pragma once

#include "recipe/Diagnostic.h"
#include "recipe/Recipe.h"

namespace fb::recipe {

class Catalog;

struct Trial
{
    int index = 0;          // 1-based parameter combination
    int repetition = 1;     // 1-based
    QString id;             // "t007" or "t007-r2"
    QString key;            // short hash of the parameter values: same values, same key
    KeyValueList parameters; // swept field path → value, in axis order
    Recipe recipe;          // resolved: every swept field set to this trial's value
};

class SweepExpander
{
public:
    explicit SweepExpander(const Catalog *catalog = nullptr); // nullptr: Catalog::standard()

    // All trials, or false with diagnostics (cap exceeded, inconsistent zip).
    bool expand(const Recipe &recipe, QList<Trial> *trials, QList<Diagnostic> *diagnostics) const;

private:
    const Catalog *m_catalog;
};

} // namespace fb::recipe
