// MySQL/MariaDB protocol pieces (see mysql_protocol.h). Formats follow the
// MySQL client/server protocol documentation ("Connection Phase",
// "COM_QUERY Response", "OK_Packet", "ERR_Packet", "EOF_Packet").
#include "mysql_protocol.h"

#include <openssl/evp.h>

#include <cstring>

namespace fbload::mysql {

namespace {

uint32_t le(const char* p, int n)
{
    uint32_t v = 0;
    for (int i = n - 1; i >= 0; --i)
        v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

void putLe(std::string& out, uint32_t v, int n)
{
    for (int i = 0; i < n; ++i)
        out += static_cast<char>((v >> (8 * i)) & 0xff);
}

// Length-encoded integer at p (remaining len); false when truncated.
bool lenenc(std::string_view s, size_t& pos, uint64_t& v)
{
    if (pos >= s.size())
        return false;
    const auto b = static_cast<unsigned char>(s[pos++]);
    int n = 0;
    if (b < 0xfb) {
        v = b;
        return true;
    }
    if (b == 0xfc)
        n = 2;
    else if (b == 0xfd)
        n = 3;
    else if (b == 0xfe)
        n = 8;
    else
        return false;
    if (pos + static_cast<size_t>(n) > s.size())
        return false;
    v = 0;
    for (int i = n - 1; i >= 0; --i)
        v = (v << 8) | static_cast<unsigned char>(s[pos + static_cast<size_t>(i)]);
    pos += static_cast<size_t>(n);
    return true;
}

std::string sha1(std::string_view a, std::string_view b = {})
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr);
    EVP_DigestUpdate(ctx, a.data(), a.size());
    EVP_DigestUpdate(ctx, b.data(), b.size());
    EVP_DigestFinal_ex(ctx, md, &n);
    EVP_MD_CTX_free(ctx);
    return std::string(reinterpret_cast<const char*>(md), n);
}

void parseError(std::string_view p, uint16_t& code, std::string& state, std::string& message)
{
    code = p.size() >= 3 ? static_cast<uint16_t>(le(p.data() + 1, 2)) : 0;
    size_t pos = 3;
    if (p.size() >= 9 && p[3] == '#') {
        state.assign(p.substr(4, 5));
        pos = 9;
    }
    message.assign(p.substr(std::min(pos, p.size())));
}

}  // namespace

long scanPacket(const char* data, size_t len, Packet& out)
{
    if (len < 4)
        return 0;
    const uint32_t n = le(data, 3);
    if (n >= 0xffffff)
        return -1;
    if (len < 4 + static_cast<size_t>(n))
        return 0;
    out.seq = static_cast<uint8_t>(data[3]);
    out.payload = std::string_view(data + 4, n);
    return static_cast<long>(4 + n);
}

bool parseGreeting(std::string_view p, Greeting& g, std::string& error)
{
    if (!p.empty() && static_cast<unsigned char>(p[0]) == 0xff) {
        uint16_t code = 0;
        std::string state, msg;
        parseError(p, code, state, msg);
        error = "server refused the connection: " + std::to_string(code) + " " + msg;
        return false;
    }
    if (p.empty() || p[0] != 10) {
        error = "unsupported greeting (protocol " + std::to_string(p.empty() ? 0 : p[0]) + ", expected 10)";
        return false;
    }
    g.protocol = 10;
    size_t pos = 1;
    const size_t nul = p.find('\0', pos);
    if (nul == std::string_view::npos || nul + 1 + 4 + 8 + 1 + 2 > p.size()) {
        error = "truncated greeting";
        return false;
    }
    g.serverVersion.assign(p.substr(pos, nul - pos));
    pos = nul + 1;
    g.connectionId = le(p.data() + pos, 4);
    pos += 4;
    g.scramble.assign(p.substr(pos, 8));
    pos += 9;  // 8 bytes + filler
    g.capabilities = le(p.data() + pos, 2);
    pos += 2;
    if (pos + 1 + 2 + 2 + 1 + 10 <= p.size()) {
        pos += 1 + 2;  // character set, status flags
        g.capabilities |= le(p.data() + pos, 2) << 16;
        pos += 2;
        const auto authLen = static_cast<unsigned char>(p[pos]);
        pos += 1 + 10;  // length, reserved (MariaDB puts its extended caps here)
        if (g.capabilities & kClientSecureConnection) {
            const size_t part2 = std::max<size_t>(13, authLen > 8 ? authLen - 8u : 0u);
            if (pos + part2 > p.size()) {
                error = "truncated greeting (auth data)";
                return false;
            }
            // The second part is NUL-terminated: 12 bytes of scramble + '\0'.
            std::string_view s2 = p.substr(pos, part2);
            if (!s2.empty() && s2.back() == '\0')
                s2.remove_suffix(1);
            g.scramble.append(s2);
            pos += part2;
        }
        if (g.capabilities & kClientPluginAuth) {
            const size_t end = p.find('\0', pos);
            g.plugin.assign(p.substr(pos, end == std::string_view::npos ? p.size() - pos : end - pos));
        }
    }
    if (!(g.capabilities & kClientProtocol41)) {
        error = "server " + g.serverVersion + " does not speak protocol 4.1";
        return false;
    }
    return true;
}

std::string nativePasswordToken(const std::string& password, std::string_view scramble)
{
    if (password.empty())
        return {};
    const std::string h1 = sha1(password);
    const std::string h2 = sha1(h1);
    std::string t = sha1(scramble.substr(0, 20), h2);
    for (size_t i = 0; i < t.size(); ++i)
        t[i] = static_cast<char>(t[i] ^ h1[i]);
    return t;
}

void appendHandshakeResponse(std::string& out, const Greeting& g, const std::string& user,
                             const std::string& password, const std::string& database)
{
    uint32_t caps = kClientLongPassword | kClientProtocol41 | kClientTransactions | kClientSecureConnection |
                    kClientMultiStatements | kClientMultiResults | kClientPluginAuth;
    if (!database.empty())
        caps |= kClientConnectWithDb;
    caps &= g.capabilities | kClientMultiStatements | kClientMultiResults;
    std::string body;
    putLe(body, caps, 4);
    putLe(body, 16 * 1024 * 1024, 4);  // max packet
    body += static_cast<char>(45);     // utf8mb4_general_ci
    body.append(23, '\0');
    body += user;
    body += '\0';
    const std::string token = nativePasswordToken(password, g.scramble);
    body += static_cast<char>(token.size());
    body += token;
    if (!database.empty()) {
        body += database;
        body += '\0';
    }
    body += "mysql_native_password";
    body += '\0';
    putLe(out, static_cast<uint32_t>(body.size()), 3);
    out += static_cast<char>(1);
    out += body;
}

void appendQuery(std::string& out, std::string_view sql)
{
    putLe(out, static_cast<uint32_t>(sql.size() + 1), 3);
    out += '\0';
    out += static_cast<char>(0x03);  // COM_QUERY
    out.append(sql);
}

AuthReply classifyAuthReply(std::string_view p, uint16_t& errorCode, std::string& message)
{
    if (p.empty())
        return AuthReply::Other;
    const auto b = static_cast<unsigned char>(p[0]);
    if (b == 0x00)
        return AuthReply::Ok;
    if (b == 0xff) {
        std::string state;
        parseError(p, errorCode, state, message);
        return AuthReply::Error;
    }
    if (b == 0xfe)
        return AuthReply::SwitchRequest;
    return AuthReply::Other;
}

ReplyScanner::Step ReplyScanner::feed(std::string_view p)
{
    if (p.empty())
        return Step::Invalid;
    const auto b = static_cast<unsigned char>(p[0]);
    const bool eof = b == 0xfe && p.size() < 9;
    switch (state_) {
    case State::Header: {
        if (b == 0xff) {
            parseError(p, errorCode_, sqlState_, errorMessage_);
            return Step::Done;  // an error ends a multi-statement query
        }
        if (b == 0x00) {  // OK: affected rows, insert id, status, warnings
            size_t pos = 1;
            uint64_t skip = 0;
            if (!lenenc(p, pos, skip) || !lenenc(p, pos, skip) || pos + 2 > p.size())
                return Step::Invalid;
            ++results_;
            const auto status = static_cast<uint16_t>(le(p.data() + pos, 2));
            return (status & kServerMoreResultsExist) ? Step::More : Step::Done;
        }
        size_t pos = 0;
        if (!lenenc(p, pos, columnsLeft_) || columnsLeft_ == 0)
            return Step::Invalid;
        state_ = State::Columns;
        return Step::More;
    }
    case State::Columns:
        if (--columnsLeft_ == 0)
            state_ = State::ColumnsEof;
        return Step::More;
    case State::ColumnsEof:
        if (!eof)
            return Step::Invalid;
        state_ = State::Rows;
        return Step::More;
    case State::Rows:
        if (b == 0xff) {
            parseError(p, errorCode_, sqlState_, errorMessage_);
            return Step::Done;
        }
        if (!eof) {
            ++rows_;
            return Step::More;
        }
        ++results_;
        state_ = State::Header;
        if (p.size() >= 5 && (le(p.data() + 3, 2) & kServerMoreResultsExist))
            return Step::More;
        return Step::Done;
    }
    return Step::Invalid;
}

}  // namespace fbload::mysql
