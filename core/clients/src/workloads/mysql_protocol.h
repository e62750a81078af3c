// The MySQL/MariaDB client/server protocol pieces a non-blocking workload
// needs: packet framing, the server greeting, the handshake response with
// mysql_native_password, COM_QUERY, and a scanner for the replies to a
// multi-statement query.
//
// Hand-written, not libmariadb, for the same reason as the postgres load
// path: fbload's engine owns the sockets and feeds a Session bytes, while
// libmariadb insists on its own socket. The mysql workload itself waits for
// an engine hook (see docs/fbload-data.md, "mysql"); this layer is tested
// against a real MariaDB in tst_mysql_protocol.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fbload::mysql {

// Capability flags used here (MySQL protocol docs, "Capabilities Flags").
enum : uint32_t {
    kClientLongPassword = 0x1,
    kClientConnectWithDb = 0x8,
    kClientProtocol41 = 0x200,
    kClientTransactions = 0x2000,
    kClientSecureConnection = 0x8000,
    kClientMultiStatements = 0x10000,
    kClientMultiResults = 0x20000,
    kClientPluginAuth = 0x80000,
};
constexpr uint16_t kServerMoreResultsExist = 0x0008;

struct Packet {
    uint8_t seq = 0;
    std::string_view payload;
};

// One packet from data: returns bytes consumed (header included), 0 when
// incomplete. Payloads of 16 MiB - 1 or more (split packets) are rejected
// with -1: nothing this workload receives is that large.
long scanPacket(const char* data, size_t len, Packet& out);

struct Greeting {
    uint8_t protocol = 0;
    std::string serverVersion;
    uint32_t connectionId = 0;
    uint32_t capabilities = 0;
    std::string scramble;  // 20 bytes of auth-plugin data
    std::string plugin;    // e.g. mysql_native_password
};
// Parses the Initial Handshake Packet (v10); false with `error` set otherwise.
bool parseGreeting(std::string_view payload, Greeting& g, std::string& error);

// SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))); empty for an empty password.
std::string nativePasswordToken(const std::string& password, std::string_view scramble);

// HandshakeResponse41 (sequence 1): user, mysql_native_password token,
// database, multi-statements enabled.
void appendHandshakeResponse(std::string& out, const Greeting& g, const std::string& user,
                             const std::string& password, const std::string& database);

// COM_QUERY (sequence 0).
void appendQuery(std::string& out, std::string_view sql);

// What an OK / ERR packet after the handshake response means.
enum class AuthReply { Ok, Error, SwitchRequest, Other };
AuthReply classifyAuthReply(std::string_view payload, uint16_t& errorCode, std::string& message);

// Follows the replies to one (multi-statement) COM_QUERY packet by packet.
class ReplyScanner {
public:
    enum class Step { More, Done, Invalid };
    // Feeds one packet; Done after the last result (or the first error,
    // which ends a multi-statement query).
    Step feed(std::string_view payload);
    int results() const { return results_; }  // statements that returned OK or a result set
    uint16_t errorCode() const { return errorCode_; }
    const std::string& errorMessage() const { return errorMessage_; }
    std::string sqlState() const { return sqlState_; }
    uint64_t rows() const { return rows_; }
    void reset() { *this = ReplyScanner(); }

private:
    enum class State { Header, Columns, ColumnsEof, Rows } state_ = State::Header;
    uint64_t columnsLeft_ = 0;
    int results_ = 0;
    uint64_t rows_ = 0;
    uint16_t errorCode_ = 0;
    std::string errorMessage_, sqlState_;
};

}  // namespace fbload::mysql
