// The result document (schema "factorybench.result", version 1; documented in
// docs/result-format.md): building it from RunStats, reading it back, and
// merging several nodes' documents into one.
//
// The summary is always derived from the mergeable parts (histograms,
// counters, per-second rows) by one function, so a merged file has exactly
// the numbers a single run over the union of samples would have had.
#pragma once

#include "json.h"
#include "stats.h"

#include <string>
#include <vector>

namespace fbload {

inline constexpr const char* kResultSchema = "factorybench.result";
inline constexpr int kResultSchemaVersion = 1;

// The measured window and run metadata that travel with the statistics.
struct ResultMeta {
    Json run = Json::object();  // tool, version, hosts, labels, config, args ...
    double measureStartUnix = 0;
    double measureEndUnix = 0;
    double startUnix = 0;
    double endUnix = 0;
};

Json buildResult(const RunStats& stats, const ResultMeta& meta);
// Reads the mergeable parts back; throws std::runtime_error naming the problem.
void readResult(const Json& doc, RunStats& stats, ResultMeta& meta);
// Merges documents (from files, for error messages: names parallel to docs).
Json mergeResults(const std::vector<Json>& docs, const std::vector<std::string>& names);

std::string isoTime(double unixSeconds);

}  // namespace fbload
