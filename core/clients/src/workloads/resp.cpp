#include "resp.h"

#include <charconv>
#include <cstring>

namespace fbload::resp {

void appendCommand(std::string& out, std::initializer_list<std::string_view> args)
{
    char num[24];
    out.push_back('*');
    auto r = std::to_chars(num, num + sizeof num, args.size());
    out.append(num, r.ptr);
    out.append("\r\n", 2);
    for (std::string_view a : args) {
        out.push_back('$');
        r = std::to_chars(num, num + sizeof num, a.size());
        out.append(num, r.ptr);
        out.append("\r\n", 2);
        out.append(a.data(), a.size());
        out.append("\r\n", 2);
    }
}

namespace {

// Returns the index just past "\r\n" of the line starting at pos, or 0.
size_t lineEnd(const char* data, size_t len, size_t pos)
{
    const void* p = std::memchr(data + pos, '\r', len - pos);
    if (!p)
        return 0;
    size_t i = static_cast<size_t>(static_cast<const char*>(p) - data);
    if (i + 1 >= len)
        return 0;
    return data[i + 1] == '\n' ? i + 2 : SIZE_MAX;
}

Reply scanAt(const char* data, size_t len, size_t pos, int depth)
{
    Reply r;
    if (pos >= len)
        return r;
    if (depth > 32) {
        r.kind = ReplyKind::Invalid;
        return r;
    }
    size_t e = lineEnd(data, len, pos + 1);
    if (e == 0)
        return r;
    if (e == SIZE_MAX) {
        r.kind = ReplyKind::Invalid;
        return r;
    }
    std::string_view line(data + pos + 1, e - 2 - pos - 1);
    char type = data[pos];
    switch (type) {
    case '+':
    case '-':
        r.kind = type == '+' ? ReplyKind::Simple : ReplyKind::Error;
        r.text = line;
        r.length = e - pos;
        return r;
    case ':': {
        auto c = std::from_chars(line.data(), line.data() + line.size(), r.integer);
        r.kind = c.ec == std::errc() ? ReplyKind::Integer : ReplyKind::Invalid;
        r.length = e - pos;
        return r;
    }
    case '$': {
        long long n = 0;
        auto c = std::from_chars(line.data(), line.data() + line.size(), n);
        if (c.ec != std::errc() || n < -1) {
            r.kind = ReplyKind::Invalid;
            return r;
        }
        if (n == -1) {
            r.kind = ReplyKind::Null;
            r.length = e - pos;
            return r;
        }
        size_t need = e + static_cast<size_t>(n) + 2;
        if (need > len)
            return r;
        if (data[need - 2] != '\r' || data[need - 1] != '\n') {
            r.kind = ReplyKind::Invalid;
            return r;
        }
        r.kind = ReplyKind::Bulk;
        r.text = std::string_view(data + e, static_cast<size_t>(n));
        r.length = need - pos;
        return r;
    }
    case '*': {
        long long n = 0;
        auto c = std::from_chars(line.data(), line.data() + line.size(), n);
        if (c.ec != std::errc() || n < -1) {
            r.kind = ReplyKind::Invalid;
            return r;
        }
        size_t p = e;
        for (long long i = 0; i < n; ++i) {
            Reply sub = scanAt(data, len, p, depth + 1);
            if (sub.kind == ReplyKind::Incomplete || sub.kind == ReplyKind::Invalid) {
                r.kind = sub.kind;
                return r;
            }
            p += sub.length;
        }
        r.kind = n == -1 ? ReplyKind::Null : ReplyKind::Array;
        r.length = p - pos;
        return r;
    }
    default:
        r.kind = ReplyKind::Invalid;
        return r;
    }
}

}  // namespace

Reply scan(const char* data, size_t len)
{
    return scanAt(data, len, 0, 0);
}

}  // namespace fbload::resp
