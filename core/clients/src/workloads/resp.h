// RESP (Redis serialization protocol) helpers: command encoding and a reply
// scanner that finds where one complete reply ends.
//
// The engine keeps unconsumed bytes and offers them again with more data, so
// a reply is always offered from its first byte. Scanner remembers how far
// it got (the element it stopped at, the open arrays, how far the current
// line was searched), so a reply arriving in many pieces is scanned once
// (linear time), and refuses a reply that cannot fit its limit as soon as a
// length says so. Used by the redis Session and its tests.
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

class Scanner {
public:
    // maxReply: the largest whole reply accepted (bytes); lines are also
    // bounded by kMaxLineBytes and nesting by 32 levels (bounds.h).
    explicit Scanner(size_t maxReply);
    // Scans the reply starting at data[0]; after Incomplete, call again with
    // the same first byte and more data. Any other result starts afresh.
    Reply next(const char* data, size_t len);
    void reset();

private:
    static constexpr int kMaxDepth = 32;
    size_t maxReply_;
    size_t off_ = 0;          // start of the next element header
    size_t lineScanned_ = 0;  // the header line at off_ was searched up to here
    size_t bulkEnd_ = 0;      // waiting for a bulk payload ending here (0: none)
    long long open_[kMaxDepth] = {};  // elements still missing per open array
    int depth_ = 0;
    // The top-level element, for the Reply.
    ReplyKind topKind_ = ReplyKind::Incomplete;
    size_t topTextOff_ = 0, topTextLen_ = 0;
    long long topInteger_ = 0;
};

// Scans one reply starting at data[0] (a fresh Scanner without memory).
Reply scan(const char* data, size_t len);

}  // namespace fbload::resp
