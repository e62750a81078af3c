// RESP (Redis serialization protocol) helpers: command encoding and a reply
// scanner that finds where one complete reply ends.
//
// Stateless on purpose: the engine re-offers unconsumed bytes, so a reply is
// scanned only when complete. Used by the redis Session and its tests.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fbload::resp {

// Appends "*N\r\n$len\r\narg\r\n..." for the given arguments.
void appendCommand(std::string& out, std::initializer_list<std::string_view> args);

enum class ReplyKind { Incomplete, Invalid, Simple, Error, Integer, Bulk, Null, Array };

struct Reply {
    ReplyKind kind = ReplyKind::Incomplete;
    size_t length = 0;       // bytes the whole reply occupies
    std::string_view text;   // simple string, error text or bulk payload (top level)
    long long integer = 0;
};

// Scans one reply starting at data[0].
Reply scan(const char* data, size_t len);

}  // namespace fbload::resp
