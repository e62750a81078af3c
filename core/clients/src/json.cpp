#include "json.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace fbload {

double Json::asDouble() const
{
    if (type() == Type::Int)
        return static_cast<double>(std::get<int64_t>(v_));
    return std::get<double>(v_);
}

int64_t Json::asInt() const
{
    if (type() == Type::Double)
        return static_cast<int64_t>(std::get<double>(v_));
    return std::get<int64_t>(v_);
}

const Json* Json::find(std::string_view key) const
{
    if (!isObject())
        return nullptr;
    for (const auto& [k, v] : asObject())
        if (k == key)
            return &v;
    return nullptr;
}

Json* Json::find(std::string_view key)
{
    return const_cast<Json*>(static_cast<const Json*>(this)->find(key));
}

Json& Json::operator[](std::string_view key)
{
    if (isNull())
        v_ = JsonObject{};
    if (Json* j = find(key))
        return *j;
    auto& o = asObject();
    o.emplace_back(std::string(key), Json());
    return o.back().second;
}

void Json::push(Json v)
{
    if (isNull())
        v_ = JsonArray{};
    asArray().push_back(std::move(v));
}

std::string Json::typeName() const
{
    switch (type()) {
    case Type::Null: return "null";
    case Type::Bool: return "a boolean";
    case Type::Int:
    case Type::Double: return "a number";
    case Type::String: return "a string";
    case Type::Array: return "an array";
    case Type::Object: return "an object";
    }
    return "?";
}

void appendJsonString(std::string& out, std::string_view s)
{
    out.push_back('"');
    for (char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out.push_back(c);
            }
        }
    }
    out.push_back('"');
}

std::string formatDouble(double d)
{
    if (!std::isfinite(d))
        return "null";  // JSON has no NaN/Inf; readers treat null as "not available"
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    return std::string(buf, r.ptr);
}

static void newline(std::string& out, int indent, int level)
{
    if (indent < 0)
        return;
    out.push_back('\n');
    out.append(static_cast<size_t>(indent * level), ' ');
}

void Json::dumpTo(std::string& out, int indent, int level) const
{
    switch (type()) {
    case Type::Null: out += "null"; break;
    case Type::Bool: out += asBool() ? "true" : "false"; break;
    case Type::Int: out += std::to_string(std::get<int64_t>(v_)); break;
    case Type::Double: out += formatDouble(std::get<double>(v_)); break;
    case Type::String: appendJsonString(out, asString()); break;
    case Type::Array: {
        const auto& a = asArray();
        out.push_back('[');
        // Arrays of scalars (bucket pairs, rows of numbers) stay on one line.
        bool flat = true;
        for (const auto& e : a)
            if (e.isObject() || (e.isArray() && !e.asArray().empty() && (e.asArray()[0].isArray() || e.asArray()[0].isObject())))
                flat = false;
        for (size_t i = 0; i < a.size(); ++i) {
            if (i)
                out.push_back(',');
            if (!flat)
                newline(out, indent, level + 1);
            a[i].dumpTo(out, flat ? -1 : indent, level + 1);
        }
        if (!flat && !a.empty())
            newline(out, indent, level);
        out.push_back(']');
        break;
    }
    case Type::Object: {
        const auto& o = asObject();
        out.push_back('{');
        for (size_t i = 0; i < o.size(); ++i) {
            if (i)
                out.push_back(',');
            newline(out, indent, level + 1);
            appendJsonString(out, o[i].first);
            out += indent < 0 ? ":" : ": ";
            o[i].second.dumpTo(out, indent, level + 1);
        }
        if (!o.empty())
            newline(out, indent, level);
        out.push_back('}');
        break;
    }
    }
}

std::string Json::dump(int indent) const
{
    std::string s;
    dumpTo(s, indent, 0);
    return s;
}

namespace {

class Parser {
public:
    explicit Parser(std::string_view t) : t_(t) {}

    Json parseDocument()
    {
        Json v = value(0);
        ws();
        if (p_ != t_.size())
            fail("trailing characters after the JSON value");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& why) const
    {
        // Line and column make config errors findable in a hand-edited file.
        size_t line = 1, col = 1;
        for (size_t i = 0; i < p_ && i < t_.size(); ++i) {
            if (t_[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        throw JsonError("JSON parse error at line " + std::to_string(line) + ", column " + std::to_string(col) + ": " + why);
    }
    void ws()
    {
        while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\n' || t_[p_] == '\r' || t_[p_] == '\t'))
            ++p_;
    }
    bool lit(std::string_view w)
    {
        if (t_.substr(p_, w.size()) == w) {
            p_ += w.size();
            return true;
        }
        return false;
    }
    Json value(int depth)
    {
        if (depth > 200)
            fail("nesting too deep");
        ws();
        if (p_ >= t_.size())
            fail("unexpected end of input");
        char c = t_[p_];
        if (c == '{') {
            ++p_;
            Json o = Json::object();
            ws();
            if (p_ < t_.size() && t_[p_] == '}') {
                ++p_;
                return o;
            }
            for (;;) {
                ws();
                if (p_ >= t_.size() || t_[p_] != '"')
                    fail("expected a string key");
                std::string k = str();
                ws();
                if (p_ >= t_.size() || t_[p_] != ':')
                    fail("expected ':'");
                ++p_;
                o.asObject().emplace_back(std::move(k), value(depth + 1));
                ws();
                if (p_ < t_.size() && t_[p_] == ',') {
                    ++p_;
                    continue;
                }
                if (p_ < t_.size() && t_[p_] == '}') {
                    ++p_;
                    return o;
                }
                fail("expected ',' or '}'");
            }
        }
        if (c == '[') {
            ++p_;
            Json a = Json::array();
            ws();
            if (p_ < t_.size() && t_[p_] == ']') {
                ++p_;
                return a;
            }
            for (;;) {
                a.asArray().push_back(value(depth + 1));
                ws();
                if (p_ < t_.size() && t_[p_] == ',') {
                    ++p_;
                    continue;
                }
                if (p_ < t_.size() && t_[p_] == ']') {
                    ++p_;
                    return a;
                }
                fail("expected ',' or ']'");
            }
        }
        if (c == '"')
            return Json(str());
        if (lit("true"))
            return Json(true);
        if (lit("false"))
            return Json(false);
        if (lit("null"))
            return Json();
        if (c == '-' || (c >= '0' && c <= '9'))
            return number();
        fail(std::string("unexpected character '") + c + "'");
    }
    Json number()
    {
        size_t s = p_;
        bool isInt = true;
        if (t_[p_] == '-')
            ++p_;
        while (p_ < t_.size()) {
            char c = t_[p_];
            if (c >= '0' && c <= '9') {
                ++p_;
            } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                isInt = false;
                ++p_;
            } else {
                break;
            }
        }
        const char* b = t_.data() + s;
        const char* e = t_.data() + p_;
        if (isInt) {
            int64_t i = 0;
            auto r = std::from_chars(b, e, i);
            if (r.ec == std::errc() && r.ptr == e)
                return Json(i);
        }
        double d = 0;
        auto r = std::from_chars(b, e, d);
        if (r.ec != std::errc() || r.ptr != e)
            fail("bad number");
        return Json(d);
    }
    static void utf8(std::string& out, uint32_t cp)
    {
        if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
    }
    uint32_t hex4()
    {
        if (p_ + 4 > t_.size())
            fail("bad \\u escape");
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            char c = t_[p_++];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= static_cast<uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= static_cast<uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= static_cast<uint32_t>(c - 'A' + 10);
            else
                fail("bad \\u escape");
        }
        return v;
    }
    std::string str()
    {
        ++p_;  // opening quote
        std::string out;
        for (;;) {
            if (p_ >= t_.size())
                fail("unterminated string");
            // Copy runs of plain characters at once: LLM chunks are mostly plain text.
            size_t run = p_;
            while (run < t_.size() && t_[run] != '"' && t_[run] != '\\')
                ++run;
            out.append(t_.data() + p_, run - p_);
            p_ = run;
            if (p_ >= t_.size())
                fail("unterminated string");
            char c = t_[p_++];
            if (c == '"')
                return out;
            if (p_ >= t_.size())
                fail("unterminated escape");
            char e = t_[p_++];
            switch (e) {
            case '"': out.push_back('"'); break;
            case '\\': out.push_back('\\'); break;
            case '/': out.push_back('/'); break;
            case 'b': out.push_back('\b'); break;
            case 'f': out.push_back('\f'); break;
            case 'n': out.push_back('\n'); break;
            case 'r': out.push_back('\r'); break;
            case 't': out.push_back('\t'); break;
            case 'u': {
                uint32_t cp = hex4();
                if (cp >= 0xD800 && cp < 0xDC00 && p_ + 6 <= t_.size() && t_[p_] == '\\' && t_[p_ + 1] == 'u') {
                    p_ += 2;
                    uint32_t lo = hex4();
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                utf8(out, cp);
                break;
            }
            default: fail("bad escape");
            }
        }
    }

    std::string_view t_;
    size_t p_ = 0;
};

}  // namespace

Json Json::parse(std::string_view text)
{
    return Parser(text).parseDocument();
}

}  // namespace fbload
