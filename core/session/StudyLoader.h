// StudyLoader: the Study (core/metrics/Study.h) of one run, read from the run
// store — its trials in run order with their swept values and states, each
// trial's downloaded result files loaded and merged into one document (the
// clients of a trial), and the swept parameters in the recipe's axis order.
// Works for a finished run and for a running one (trials without results yet
// are listed without values). Any thread: it opens a RunStore of its own.
#pragma once

#include "metrics/Study.h"

#include <optional>

namespace fb::session {

class RunStore;

// The study of `runId` from the store at `storePath`; nullopt with *error
// naming the store or the run when it cannot be read. A result file that
// cannot be read does not fail the study: its trial carries the error.
std::optional<metrics::Study> loadStudy(const QString &storePath, const QString &runId, QString *error);
std::optional<metrics::Study> loadStudy(const RunStore &store, const QString &runId, QString *error);

} // namespace fb::session
