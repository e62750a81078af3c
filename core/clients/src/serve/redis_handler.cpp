#include "redis_handler.h"

#include "../bounds.h"
#include "../workloads/resp.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace fbload::serve {

namespace {

void bulk(std::string& out, std::string_view v)
{
    out += '$';
    out += std::to_string(v.size());
    out += "\r\n";
    out.append(v.data(), v.size());
    out += "\r\n";
}

void integer(std::string& out, int64_t v)
{
    out += ':';
    out += std::to_string(v);
    out += "\r\n";
}

bool is(std::string_view a, const char* b)
{
    const size_t n = std::char_traits<char>::length(b);
    if (a.size() != n)
        return false;
    for (size_t i = 0; i < n; ++i)
        if (std::toupper(static_cast<unsigned char>(a[i])) != b[i])
            return false;
    return true;
}

// Splits a complete RESP array of bulk strings (resp::Scanner said so).
bool split(std::string_view cmd, std::vector<std::string_view>& argv)
{
    argv.clear();
    size_t pos = 1;
    auto number = [&](long long& v) {
        const size_t eol = cmd.find("\r\n", pos);
        if (eol == std::string_view::npos)
            return false;
        auto r = std::from_chars(cmd.data() + pos, cmd.data() + eol, v);
        pos = eol + 2;
        return r.ec == std::errc();
    };
    long long n = 0;
    if (!number(n) || n < 1)
        return false;
    for (long long i = 0; i < n; ++i) {
        if (pos >= cmd.size() || cmd[pos] != '$')
            return false;
        ++pos;
        long long len = 0;
        if (!number(len) || len < 0 || pos + static_cast<size_t>(len) + 2 > cmd.size())
            return false;
        argv.emplace_back(cmd.data() + pos, static_cast<size_t>(len));
        pos += static_cast<size_t>(len) + 2;
    }
    return true;
}

}  // namespace

RedisHandler::Outcome RedisHandler::handle(std::string_view in, std::string& out, size_t& used)
{
    if (in.empty())
        return Outcome::NeedMore;
    if (in[0] != '*') {
        out += "-ERR fbload serve speaks RESP arrays only (no inline commands)\r\n";
        return Outcome::Close;
    }
    resp::Reply r = resp::scan(in.data(), in.size());
    if (r.kind == resp::ReplyKind::Incomplete) {
        if (in.size() > kMaxBufferedBytes) {
            out += "-ERR command too long\r\n";
            return Outcome::Close;
        }
        return Outcome::NeedMore;
    }
    std::vector<std::string_view> argv;
    if (r.kind != resp::ReplyKind::Array || !split(in.substr(0, r.length), argv)) {
        out += "-ERR Protocol error: expected an array of bulk strings\r\n";
        return Outcome::Close;
    }
    used = r.length;
    ++commands_;
    bool quit = false;
    execute(argv, out, quit);
    return quit ? Outcome::Close : Outcome::Consumed;
}

void RedisHandler::execute(const std::vector<std::string_view>& a, std::string& out, bool& quit)
{
    const std::string_view c = a[0];
    auto arity = [&](size_t n) {
        if (a.size() >= n)
            return true;
        out += "-ERR wrong number of arguments for '" + std::string(c) + "' command\r\n";
        return false;
    };
    if (is(c, "PING")) {
        if (a.size() > 1)
            bulk(out, a[1]);
        else
            out += "+PONG\r\n";
    } else if (is(c, "ECHO")) {
        if (arity(2))
            bulk(out, a[1]);
    } else if (is(c, "AUTH") || is(c, "SELECT")) {
        if (arity(2))
            out += "+OK\r\n";
    } else if (is(c, "GET")) {
        if (!arity(2))
            return;
        auto it = strings_.find(std::string(a[1]));
        if (it == strings_.end())
            out += "$-1\r\n";
        else
            bulk(out, it->second);
    } else if (is(c, "SET")) {
        if (!arity(3))
            return;
        strings_[std::string(a[1])].assign(a[2]);
        out += "+OK\r\n";
    } else if (is(c, "INCR")) {
        if (!arity(2))
            return;
        std::string& v = strings_[std::string(a[1])];
        int64_t n = 0;
        if (!v.empty()) {
            auto r = std::from_chars(v.data(), v.data() + v.size(), n);
            if (r.ec != std::errc() || r.ptr != v.data() + v.size()) {
                out += "-ERR value is not an integer or out of range\r\n";
                return;
            }
        }
        v = std::to_string(++n);
        integer(out, n);
    } else if (is(c, "LPUSH")) {
        if (arity(3))
            integer(out, lengths_[std::string(a[1])] += static_cast<int64_t>(a.size() - 2));
    } else if (is(c, "HSET")) {
        // Field names are not kept: every HSET counts its fields as new.
        if (arity(4))
            integer(out, static_cast<int64_t>((a.size() - 2) / 2));
    } else if (is(c, "DEL") || is(c, "EXISTS")) {
        int64_t n = 0;
        for (size_t i = 1; i < a.size(); ++i) {
            const std::string k(a[i]);
            const bool there = strings_.count(k) || lengths_.count(k);
            n += there ? 1 : 0;
            if (is(c, "DEL")) {
                strings_.erase(k);
                lengths_.erase(k);
            }
        }
        integer(out, n);
    } else if (is(c, "DBSIZE")) {
        integer(out, static_cast<int64_t>(strings_.size() + lengths_.size()));
    } else if (is(c, "FLUSHDB") || is(c, "FLUSHALL")) {
        strings_.clear();
        lengths_.clear();
        out += "+OK\r\n";
    } else if (is(c, "COMMAND")) {
        out += "*0\r\n";
    } else if (is(c, "QUIT")) {
        out += "+OK\r\n";
        quit = true;
    } else {
        out += "-ERR unknown command '" + std::string(c) + "'\r\n";
    }
}

}  // namespace fbload::serve
