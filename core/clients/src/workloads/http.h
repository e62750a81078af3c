// Factories for the HTTP-based workloads (generic http, llm) and a helper that
// builds one HTTP/1.1 request, shared by both.
#pragma once

#include "../workload.h"

#include <string>
#include <utility>
#include <vector>

namespace fbload {

std::unique_ptr<Workload> makeHttpWorkload(const RunConfig& cfg);
std::unique_ptr<Workload> makeLlmWorkload(const RunConfig& cfg);

// "METHOD path HTTP/1.1\r\nHost: ...\r\n<headers>Content-Length: n\r\n\r\n<body>"
std::string buildHttpRequest(const std::string& method, const std::string& path, const std::string& hostHeader,
                             const std::vector<std::pair<std::string, std::string>>& headers,
                             const std::string& body);

}  // namespace fbload
