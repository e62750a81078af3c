// RunConfig: everything one `fbload run` needs, from CLIENT.json and the
// command line (flags override the file), validated up front.
//
// Every bad value raises ConfigError whose message names the field the way the
// recipe names it ("load.rate: expected a positive number, got \"abc\""); the
// CLI turns it into exit code 2. Built once by main(), read-only afterwards.
#pragma once

#include "arrival.h"
#include "json.h"
#include "task_barrier.h"

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fbload {

class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct RunConfig {
    std::string workload;
    int threads = 1;
    LoadModel model = LoadModel::Closed;
    int concurrency = 1;
    double rate = 0;        // req/s, open loop only
    double burstiness = 1;  // gamma shape
    double rampUpS = 0;
    double warmupS = 0;
    double durationS = 10;  // 0 when bounded by requests only
    int64_t requests = 0;   // 0 = unbounded
    double timeoutS = 30;
    uint64_t seed = 1;
    int busyPollUs = 20;    // poll this long before sleeping while requests are in flight (engine.cpp)
    std::optional<double> sloTtftMs, sloTpotMs, sloE2elMs;
    Json params = Json::object();

    std::string host;
    int port = 0;
    std::string outPath;
    int metricsPort = -1;
    int metricsPortTries = 1;         // --metrics-port-auto: step +1 on EADDRINUSE, this many ports in all
    std::string metricsTargetFile;    // Prometheus file_sd target written once /metrics is bound
    std::string metricsBind = "0.0.0.0";
    std::vector<std::pair<std::string, std::string>> labels;
    std::string configPath;
    std::vector<std::string> args;  // the command line, for the result metadata
    TaskSpec task;                  // --task-index/--tasks/--barrier: one of several srun tasks

    bool openLoop() const { return model != LoadModel::Closed; }
    // The effective config as a JSON object (stored in the result's run.config).
    Json toJson() const;
};

const char* loadModelName(LoadModel m);

// --metrics-port-auto: how many consecutive ports fbload tries from --metrics-port.
constexpr int kMetricsPortAutoTries = 100;

// True for parameter and header names that hold credentials (password,
// api_key, Authorization ...): their values never reach result files.
bool isSecretName(const std::string& name);
// The command line with the values of such --set assignments replaced by ***.
std::vector<std::string> redactArgs(const std::vector<std::string>& args);

// Parses `fbload run` arguments (argv after "run"). Throws ConfigError.
RunConfig parseRunArgs(const std::vector<std::string>& args);
// Applies a CLIENT.json document; exposed for tests. Throws ConfigError.
void applyConfigJson(RunConfig& cfg, const Json& doc);
// Checks cross-field rules (closed needs concurrency, open needs rate...).
void validate(RunConfig& cfg);

// Refuses a value that fbload sends inside a protocol line (HTTP request
// line or header, PostgreSQL startup message, C-string connection
// parameter) when it holds a control character (0x00-0x1f or 0x7f: CR and
// LF would end the line and start one of the config's choosing). Throws
// ConfigError naming `field`. The one check for every such field.
void requireLineSafe(const std::string& field, std::string_view value);

// Typed accessors for workload params; they throw ConfigError naming
// "params.<key>". `def` is returned when the key is absent or null.
namespace param {
double number(const Json& params, const char* key, double def, double min, double max);
int64_t integer(const Json& params, const char* key, int64_t def, int64_t min, int64_t max);
std::string string(const Json& params, const char* key, const std::string& def);
bool boolean(const Json& params, const char* key, bool def);
// A string sent inside a protocol line: as string(), then requireLineSafe.
std::string lineString(const Json& params, const char* key, const std::string& def);
// params.<key>: an object of HTTP header names (RFC 9110 tokens) to
// line-safe strings, in order; absent or null gives none.
std::vector<std::pair<std::string, std::string>> headers(const Json& params, const char* key);
// Rejects keys not in `known` so typos do not silently fall back to defaults.
void rejectUnknown(const Json& params, std::initializer_list<const char*> known);
}  // namespace param

}  // namespace fbload
