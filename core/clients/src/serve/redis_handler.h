// RedisHandler: the Redis subset `fbload serve --api redis` answers, enough
// for fbload's redis workload (workloads/redis.cpp) and redis-cli pings:
// PING, ECHO, AUTH (any password), SELECT, GET, SET, INCR, LPUSH, HSET, DEL,
// EXISTS, DBSIZE, FLUSHDB, FLUSHALL, COMMAND, QUIT. Values live in memory
// (strings; list and hash lengths only), shared by all connections.
// Commands come as RESP arrays of bulk strings (what every client sends);
// resp::Scanner finds where each ends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fbload::serve {

class RedisHandler {
public:
    enum class Outcome { NeedMore, Consumed, Close };
    // Answers the command at the front of `in` into `out`; `used` is its
    // length. Close: QUIT or a protocol error (answered, then close).
    Outcome handle(std::string_view in, std::string& out, size_t& used);
    uint64_t commands() const { return commands_; }

private:
    void execute(const std::vector<std::string_view>& argv, std::string& out, bool& quit);
    std::unordered_map<std::string, std::string> strings_;
    std::unordered_map<std::string, int64_t> lengths_;  // lists and hashes: element counts
    uint64_t commands_ = 0;
};

}  // namespace fbload::serve
