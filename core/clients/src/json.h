// Json: a small JSON value, parser and serialiser for fbload.
//
// fbload must build with only a compiler, CMake and OpenSSL, so it carries its
// own JSON support instead of a third-party library. It is used for the
// client config, the result document, `fbload merge` and the LLM responses.
// Objects keep insertion order so result files read the way they were written.
// Owned by whoever holds the value; no shared state.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace fbload {

class Json;
using JsonArray = std::vector<Json>;
using JsonObject = std::vector<std::pair<std::string, Json>>;

// Thrown by Json::parse with a byte offset and a reason.
class JsonError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Json {
public:
    enum class Type { Null, Bool, Int, Double, String, Array, Object };

    Json() = default;
    Json(std::nullptr_t) {}
    Json(bool b) : v_(b) {}
    Json(int i) : v_(static_cast<int64_t>(i)) {}
    Json(unsigned i) : v_(static_cast<int64_t>(i)) {}
    Json(long i) : v_(static_cast<int64_t>(i)) {}
    Json(long long i) : v_(static_cast<int64_t>(i)) {}
    Json(unsigned long i) : v_(static_cast<int64_t>(i)) {}
    Json(unsigned long long i) : v_(static_cast<int64_t>(i)) {}
    Json(double d) : v_(d) {}
    Json(const char* s) : v_(std::string(s)) {}
    Json(std::string s) : v_(std::move(s)) {}
    Json(std::string_view s) : v_(std::string(s)) {}
    Json(JsonArray a) : v_(std::move(a)) {}
    Json(JsonObject o) : v_(std::move(o)) {}

    static Json object() { return Json(JsonObject{}); }
    static Json array() { return Json(JsonArray{}); }

    Type type() const { return static_cast<Type>(v_.index()); }
    bool isNull() const { return type() == Type::Null; }
    bool isBool() const { return type() == Type::Bool; }
    bool isNumber() const { return type() == Type::Int || type() == Type::Double; }
    bool isInt() const { return type() == Type::Int; }
    bool isString() const { return type() == Type::String; }
    bool isArray() const { return type() == Type::Array; }
    bool isObject() const { return type() == Type::Object; }

    bool asBool() const { return std::get<bool>(v_); }
    double asDouble() const;
    int64_t asInt() const;
    const std::string& asString() const { return std::get<std::string>(v_); }
    const JsonArray& asArray() const { return std::get<JsonArray>(v_); }
    JsonArray& asArray() { return std::get<JsonArray>(v_); }
    const JsonObject& asObject() const { return std::get<JsonObject>(v_); }
    JsonObject& asObject() { return std::get<JsonObject>(v_); }

    // Object access: find returns nullptr when absent (or when not an object).
    const Json* find(std::string_view key) const;
    Json* find(std::string_view key);
    // Inserts or replaces; turns a null value into an object first.
    Json& operator[](std::string_view key);
    void push(Json v);

    // Human-readable type name for error messages ("a string", "a number").
    std::string typeName() const;

    std::string dump(int indent = -1) const;
    void dumpTo(std::string& out, int indent = -1, int level = 0) const;
    static Json parse(std::string_view text);

private:
    std::variant<std::nullptr_t, bool, int64_t, double, std::string, JsonArray, JsonObject> v_;
};

// Appends s as a JSON string literal (with quotes) to out.
void appendJsonString(std::string& out, std::string_view s);
// Formats a double the way the result files want it: shortest round-trip form.
std::string formatDouble(double d);

}  // namespace fbload
