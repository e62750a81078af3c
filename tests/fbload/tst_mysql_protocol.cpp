// The MySQL protocol layer (workloads/mysql_protocol.cpp) against a real
// MariaDB (fixture fbload_mariadb, tests/services/mariadb.sh): handshake with
// mysql_native_password, a wrong password refused, the replies to the OLTP
// multi-statement transaction counted statement by statement, an error in
// the middle of a transaction reported with its code and SQLSTATE.
#include "fbload_test_util.h"

#include "workloads/mysql_protocol.h"
#include "workloads/sqlmix.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace fbtest;
using namespace fbload;

namespace {

// A blocking connection that hands out whole packets.
class Conn {
public:
    explicit Conn(int port)
    {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        timeval tv{10, 0};
        setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ok_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    }
    ~Conn() { ::close(fd_); }
    bool ok() const { return ok_; }
    void send(const std::string& s) { QCOMPARE(::send(fd_, s.data(), s.size(), 0), static_cast<ssize_t>(s.size())); }
    // The next packet's payload (copied); empty optional on EOF/timeout.
    bool next(std::string& payload, uint8_t& seq)
    {
        for (;;) {
            mysql::Packet p;
            long n = mysql::scanPacket(buf_.data(), buf_.size(), p);
            if (n < 0)
                return false;
            if (n > 0) {
                payload.assign(p.payload);
                seq = p.seq;
                buf_.erase(0, static_cast<size_t>(n));
                return true;
            }
            char tmp[65536];
            ssize_t r = ::recv(fd_, tmp, sizeof tmp, 0);
            if (r <= 0)
                return false;
            buf_.append(tmp, static_cast<size_t>(r));
        }
    }

private:
    int fd_ = -1;
    bool ok_ = false;
    std::string buf_;
};

mysql::AuthReply login(Conn& c, const std::string& password, mysql::Greeting& g, QString& why)
{
    std::string payload, err;
    uint8_t seq = 0;
    if (!c.next(payload, seq) || !mysql::parseGreeting(payload, g, err)) {
        why = QString::fromStdString(err);
        return mysql::AuthReply::Other;
    }
    std::string out;
    mysql::appendHandshakeResponse(out, g, "fbuser", password, "fbtest");
    c.send(out);
    if (!c.next(payload, seq))
        return mysql::AuthReply::Other;
    uint16_t code = 0;
    std::string msg;
    auto r = mysql::classifyAuthReply(payload, code, msg);
    why = QString("%1 %2").arg(code).arg(QString::fromStdString(msg));
    return r;
}

// Sends sql and scans the replies to the end.
mysql::ReplyScanner query(Conn& c, const std::string& sql)
{
    std::string out;
    mysql::appendQuery(out, sql);
    c.send(out);
    mysql::ReplyScanner s;
    std::string payload;
    uint8_t seq = 0;
    for (int guard = 0; guard < 100000; ++guard) {
        if (!c.next(payload, seq))
            break;
        auto step = s.feed(payload);
        if (step != mysql::ReplyScanner::Step::More)
            break;
    }
    return s;
}

}  // namespace

class TestMysqlProtocol : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void greetingAndNativePassword();
    void wrongPasswordIsRefused();
    void oltpTransactionRepliesAreCounted();
    void errorMidTransactionEndsTheReplies();
    void tokenMatchesKnownVector();

private:
    int port_ = 0;
};

void TestMysqlProtocol::initTestCase()
{
    port_ = servicePort("mariadb");
    QVERIFY2(port_ > 0, "fixture fbload_mariadb did not write its port");
}

void TestMysqlProtocol::greetingAndNativePassword()
{
    Conn c(port_);
    QVERIFY(c.ok());
    mysql::Greeting g;
    QString why;
    QCOMPARE(login(c, "fbpw", g, why), mysql::AuthReply::Ok);
    QVERIFY2(QString::fromStdString(g.serverVersion).contains("MariaDB"), g.serverVersion.c_str());
    QCOMPARE(g.scramble.size(), size_t{20});
    QCOMPARE(QString::fromStdString(g.plugin), QString("mysql_native_password"));
    auto s = query(c, "SELECT 1, 'two'; SELECT DATABASE()");
    QCOMPARE(s.errorCode(), uint16_t{0});
    QCOMPARE(s.results(), 2);
    QCOMPARE(s.rows(), uint64_t{2});
}

void TestMysqlProtocol::wrongPasswordIsRefused()
{
    Conn c(port_);
    QVERIFY(c.ok());
    mysql::Greeting g;
    QString why;
    QCOMPARE(login(c, "nope", g, why), mysql::AuthReply::Error);
    QVERIFY2(why.startsWith("1045 ") && why.contains("fbuser"), qPrintable(why));
}

void TestMysqlProtocol::oltpTransactionRepliesAreCounted()
{
    Conn c(port_);
    mysql::Greeting g;
    QString why;
    QCOMPARE(login(c, "fbpw", g, why), mysql::AuthReply::Ok);
    auto setup = query(c, "DROP TABLE IF EXISTS sbtest1; CREATE TABLE sbtest1 (id INT NOT NULL PRIMARY KEY, "
                          "k INT NOT NULL DEFAULT 0, c CHAR(120) NOT NULL DEFAULT '', pad CHAR(60) NOT NULL "
                          "DEFAULT '', KEY k_1 (k)) ENGINE=InnoDB; INSERT INTO sbtest1 (id,k) SELECT seq, seq "
                          "FROM seq_1_to_1000");
    QVERIFY2(setup.errorCode() == 0, setup.errorMessage().c_str());
    QCOMPARE(setup.results(), 3);
    SqlMixParams p;
    p.read(Json::parse(R"({"table_size":1000})"));
    std::mt19937_64 rng(5);
    for (int i = 0; i < 20; ++i) {
        std::string sql;
        appendSqlTransaction(sql, p, rng);
        sql.pop_back();  // no empty statement after the last ';'
        auto s = query(c, sql);
        QVERIFY2(s.errorCode() == 0, s.errorMessage().c_str());
        QCOMPARE(s.results(), p.statementsPerTransaction());
        // 10 point selects: 1 row each; 4 ranges of 100 ids (fewer near the end).
        QVERIFY(s.rows() >= 10 + 4);
    }
    auto count = query(c, "SELECT COUNT(*), MIN(id), MAX(id) FROM sbtest1");
    QCOMPARE(count.rows(), uint64_t{1});
    query(c, "DROP TABLE sbtest1");
}

void TestMysqlProtocol::errorMidTransactionEndsTheReplies()
{
    Conn c(port_);
    mysql::Greeting g;
    QString why;
    QCOMPARE(login(c, "fbpw", g, why), mysql::AuthReply::Ok);
    auto s = query(c, "BEGIN; SELECT 1; SELECT c FROM nosuch WHERE id=1; SELECT 2; COMMIT");
    QCOMPARE(s.results(), 2);  // BEGIN and SELECT 1; the rest never ran
    QCOMPARE(s.errorCode(), uint16_t{1146});
    QCOMPARE(QString::fromStdString(s.sqlState()), QString("42S02"));
    QVERIFY(QString::fromStdString(s.errorMessage()).contains("nosuch"));
    // The connection is still usable afterwards.
    auto r = query(c, "ROLLBACK; SELECT 3");
    QCOMPARE(r.errorCode(), uint16_t{0});
    QCOMPARE(r.results(), 2);
}

void TestMysqlProtocol::tokenMatchesKnownVector()
{
    // An empty password sends no token; a non-empty one is 20 bytes and
    // depends on the scramble.
    QVERIFY(mysql::nativePasswordToken("", "01234567890123456789").empty());
    const std::string a = mysql::nativePasswordToken("pw", "01234567890123456789");
    const std::string b = mysql::nativePasswordToken("pw", "01234567890123456780");
    QCOMPARE(a.size(), size_t{20});
    QVERIFY(a != b);
}

QTEST_GUILESS_MAIN(TestMysqlProtocol)
#include "tst_mysql_protocol.moc"
