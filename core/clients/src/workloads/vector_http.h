// A blocking HTTP/1.1 exchange for the preparation steps of the s3, vector and
// llm workloads (bucket, collection and class creation, model pull, warm-up
// request), never for measurements. The answer is bounded in time (timeoutS
// for the whole exchange) and size (kMaxBufferedBytes, bounds.h).
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
