// The fbload command line (run, merge, workloads, --version, --help), kept in
// the engine library so tests can drive it in-process.
#pragma once

#include <string>
#include <vector>

namespace fbload {

// Exit codes: 0 success, 1 run failure, 2 bad arguments or config.
int runCli(const std::vector<std::string>& args);
std::string versionString();

}  // namespace fbload
