// AWS Signature Version 4 (the request signing S3, MinIO and s3rver check),
// built on OpenSSL's SHA-256 and HMAC rather than hand-written hashing.
//
// The signer takes the request already split into its canonical parts; the
// caller (the s3 workload) builds paths and queries, so the signer is the
// pure function the AWS documentation's example vectors test.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fbload::sigv4 {

// Hex-encoded SHA-256 of data (lower case), as in x-amz-content-sha256.
std::string sha256Hex(std::string_view data);
// Raw HMAC-SHA256(key, data), 32 bytes.
std::string hmacSha256(std::string_view key, std::string_view data);
std::string toHex(std::string_view bytes);
// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters kept,
// '/' kept when encodeSlash is false (object key paths).
std::string uriEncode(std::string_view s, bool encodeSlash);

struct Request {
    std::string method;                                        // "GET"
    std::string canonicalUri;                                  // already encoded, "/bucket/key"
    std::vector<std::pair<std::string, std::string>> query;    // raw (unencoded) name, value
    std::vector<std::pair<std::string, std::string>> headers;  // signed headers (any case)
    std::string payloadHash;                                   // hex SHA-256 or "UNSIGNED-PAYLOAD"
};

struct Credentials {
    std::string accessKey, secretKey, region, service;
};

// "a=1&b=2": names and values encoded, sorted by encoded name then value.
std::string canonicalQuery(const std::vector<std::pair<std::string, std::string>>& query);
std::string canonicalRequest(const Request& r);
// amzDate is "YYYYMMDDTHHMMSSZ".
std::string stringToSign(const Request& r, const Credentials& c, const std::string& amzDate);
std::string signingKey(const Credentials& c, std::string_view date8);
// The Authorization header value: "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
std::string authorization(const Request& r, const Credentials& c, const std::string& amzDate);
// Current UTC time as "YYYYMMDDTHHMMSSZ".
std::string amzDateNow();

}  // namespace fbload::sigv4
