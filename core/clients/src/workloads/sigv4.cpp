// AWS Signature Version 4; see sigv4.h. Hashing is OpenSSL's (EVP, HMAC).
#include "sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <stdexcept>

namespace fbload::sigv4 {

std::string toHex(std::string_view bytes)
{
    static const char* const kHex = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) {
        out += kHex[b >> 4];
        out += kHex[b & 15];
    }
    return out;
}

std::string sha256Hex(std::string_view data)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("sigv4: OpenSSL SHA-256 failed");
    return toHex(std::string_view(reinterpret_cast<const char*>(md), len));
}

std::string hmacSha256(std::string_view key, std::string_view data)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
              data.size(), md, &len))
        throw std::runtime_error("sigv4: OpenSSL HMAC-SHA256 failed");
    return std::string(reinterpret_cast<const char*>(md), len);
}

std::string uriEncode(std::string_view s, bool encodeSlash)
{
    static const char* const kHex = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash)) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

std::string canonicalQuery(const std::vector<std::pair<std::string, std::string>>& query)
{
    std::vector<std::pair<std::string, std::string>> enc;
    enc.reserve(query.size());
    for (const auto& [k, v] : query)
        enc.emplace_back(uriEncode(k, true), uriEncode(v, true));
    std::sort(enc.begin(), enc.end());
    std::string out;
    for (const auto& [k, v] : enc) {
        if (!out.empty())
            out += '&';
        out += k + '=' + v;
    }
    return out;
}

namespace {

std::string lower(std::string s)
{
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Header values are trimmed and inner runs of spaces collapsed (SigV4 rule).
std::string trimValue(const std::string& v)
{
    std::string out;
    bool space = false;
    for (char c : v) {
        if (c == ' ' || c == '\t') {
            space = !out.empty();
            continue;
        }
        if (space)
            out += ' ';
        space = false;
        out += c;
    }
    return out;
}

// Sorted lower-case headers, and the "a;b;c" list of their names.
std::pair<std::vector<std::pair<std::string, std::string>>, std::string> sortedHeaders(const Request& r)
{
    std::vector<std::pair<std::string, std::string>> h;
    for (const auto& [k, v] : r.headers)
        h.emplace_back(lower(k), trimValue(v));
    std::sort(h.begin(), h.end());
    std::string names;
    for (const auto& kv : h)
        names += (names.empty() ? "" : ";") + kv.first;
    return {h, names};
}

}  // namespace

std::string canonicalRequest(const Request& r)
{
    auto [headers, names] = sortedHeaders(r);
    std::string out = r.method + '\n' + r.canonicalUri + '\n' + canonicalQuery(r.query) + '\n';
    for (const auto& [k, v] : headers)
        out += k + ':' + v + '\n';
    out += '\n' + names + '\n' + r.payloadHash;
    return out;
}

std::string stringToSign(const Request& r, const Credentials& c, const std::string& amzDate)
{
    const std::string scope = amzDate.substr(0, 8) + '/' + c.region + '/' + c.service + "/aws4_request";
    return "AWS4-HMAC-SHA256\n" + amzDate + '\n' + scope + '\n' + sha256Hex(canonicalRequest(r));
}

std::string signingKey(const Credentials& c, std::string_view date8)
{
    std::string k = hmacSha256("AWS4" + c.secretKey, date8);
    k = hmacSha256(k, c.region);
    k = hmacSha256(k, c.service);
    return hmacSha256(k, "aws4_request");
}

std::string authorization(const Request& r, const Credentials& c, const std::string& amzDate)
{
    const std::string date8 = amzDate.substr(0, 8);
    const std::string signature = toHex(hmacSha256(signingKey(c, date8), stringToSign(r, c, amzDate)));
    return "AWS4-HMAC-SHA256 Credential=" + c.accessKey + '/' + date8 + '/' + c.region + '/' + c.service +
           "/aws4_request, SignedHeaders=" + sortedHeaders(r).second + ", Signature=" + signature;
}

std::string amzDateNow()
{
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[20];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

}  // namespace fbload::sigv4
