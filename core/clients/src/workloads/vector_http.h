// A blocking HTTP/1.1 exchange for the preparation steps of the s3 and vector
// workloads (bucket, collection and class creation), never for measurements.
// (llm.cpp keeps a private copy of the same; sharing it would mean editing a
// file outside these workloads.)
#pragma once

#include <string>
#include <utility>

namespace fbload {

struct RunConfig;

// Sends `request` to cfg.host:cfg.port and returns the status and body.
// `head`: the request is HEAD (no body follows). Throws std::runtime_error
// naming host:port on connection or protocol failure.
std::pair<int, std::string> blockingHttp(const RunConfig& cfg, const std::string& request, double timeoutS,
                                         bool head = false);

}  // namespace fbload
