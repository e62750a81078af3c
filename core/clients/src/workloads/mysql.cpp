// The mysql workload: sysbench-style OLTP transactions against MySQL or
// MariaDB through libmariadb (Debian libmariadb-dev).
//
// libmariadb is a blocking client, and it handles every authentication
// plugin (mysql_native_password, caching_sha2_password, ed25519) and TLS, so
// this workload is a BlockingSession: the engine gives each connection its own
// thread (engine.cpp, runBlocking) instead of its epoll loop. That is also
// how sysbench drives MySQL, which keeps the comparison fair.
//
// round_trips=transaction (default): one request = one transaction sent as
// one multi-statement query (CLIENT_MULTI_STATEMENTS), one round trip.
// round_trips=statement: one request = one statement, as sysbench does
// (20 round trips per default transaction); ops are then the statement kinds.
// Both record the `transaction` metric per committed transaction (TPS).
//
// Errors a retry can fix (deadlock 1213, lock wait timeout 1205, duplicate
// key 1062 from two concurrent delete+insert of one id) roll the transaction
// back and count as `retries`; sysbench ignores the same ones.
#include "mysql.h"

#include "../clock.h"
#include "../config.h"
#include "../json.h"
#include "sqlmix.h"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <algorithm>
#include <iostream>
#include <mutex>
#include <random>
#include <stdexcept>

namespace fbload {

namespace {

enum : int { kMetricTransaction = kFirstWorkloadMetric, kMetricQueries, kMetricRetries };

bool retryable(unsigned code)
{
    return code == ER_LOCK_DEADLOCK || code == ER_LOCK_WAIT_TIMEOUT || code == ER_DUP_ENTRY;
}

// Errors every later transaction would hit too: stop the run instead of
// counting thousands of identical failures.
bool hopeless(unsigned code)
{
    return code == ER_NO_SUCH_TABLE || code == ER_BAD_DB_ERROR || code == ER_TABLEACCESS_DENIED_ERROR ||
           code == ER_DBACCESS_DENIED_ERROR || code == ER_ACCESS_DENIED_ERROR || code == ER_PARSE_ERROR;
}

// Owns one MYSQL handle (closed on destruction or reset).
class MysqlConn {
public:
    explicit MysqlConn(MYSQL* m = nullptr) : m_(m) {}
    ~MysqlConn() { reset(); }
    MysqlConn(const MysqlConn&) = delete;
    MysqlConn& operator=(const MysqlConn&) = delete;
    MYSQL* get() const { return m_; }
    void release() { m_ = nullptr; }
    void reset(MYSQL* m = nullptr)
    {
        if (m_)
            mysql_close(m_);
        m_ = m;
    }

private:
    MYSQL* m_;
};

}  // namespace

class MysqlWorkload final : public Workload {
public:
    explicit MysqlWorkload(const RunConfig& cfg)
    {
        const Json& p = cfg.params;
        param::rejectUnknown(p, {FBLOAD_SQLMIX_KEYS, "user", "password", "database", "prepare", "cleanup",
                                 "connect_timeout", "round_trips", "engine"});
        mix.read(p);
        user = param::lineString(p, "user", "root");
        password = param::lineString(p, "password", "");
        database = param::lineString(p, "database", "sbtest");
        doPrepare = param::boolean(p, "prepare", true);
        doCleanup = param::boolean(p, "cleanup", true);
        connectTimeout = static_cast<unsigned>(param::integer(p, "connect_timeout", 10, 1, 3600));
        const std::string rt = param::string(p, "round_trips", "transaction");
        if (rt != "transaction" && rt != "statement")
            throw ConfigError("params.round_trips: expected transaction or statement, got \"" + rt + "\"");
        perStatement = rt == "statement";
        engine = param::string(p, "engine", "InnoDB");
        bool engineOk = !engine.empty() && engine.size() <= 32;
        for (char ch : engine)
            engineOk = engineOk && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_');
        if (!engineOk)
            throw ConfigError("params.engine: expected a storage engine name [A-Za-z0-9_], got \"" + engine + "\"");
        if (user.empty())
            throw ConfigError("params.user: must not be empty");
        if (database.empty())
            throw ConfigError("params.database: must not be empty");
        host = cfg.host;
        port = cfg.port;
        readTimeout = static_cast<unsigned>(std::max(1.0, cfg.timeoutS));
        // Not thread-safe: once here, before any load thread calls mysql_init.
        static std::once_flag once;
        std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
    }

    ~MysqlWorkload() override
    {
        // As postgres: after the result is written, drop only what prepare created.
        if (!doCleanup || created_ == 0)
            return;
        try {
            MysqlConn c(connect(false));
            for (int t = 1; t <= created_; ++t)
                exec(c, "DROP TABLE IF EXISTS " + tableName(t));
            std::cerr << "fbload: mysql: cleanup dropped " << created_ << " table(s) in " << where() << "\n";
        } catch (const std::exception& e) {
            std::cerr << "fbload: mysql: cleanup failed: " << e.what() << "\n";
        }
    }

    std::string name() const override { return "mysql"; }
    std::vector<std::string> opNames() const override
    {
        if (!perStatement)
            return {mix.readOnly ? "read_only" : "read_write"};
        std::vector<std::string> n;
        for (uint32_t k = 0; k < SqlKindCount; ++k)
            n.emplace_back(sqlKindName(k));
        return n;
    }
    std::vector<MetricSpec> extraMetrics() const override
    {
        return {{"transaction", "us"}, {"queries", "queries"}, {"retries", "count"}};
    }
    bool blocking() const override { return true; }
    std::unique_ptr<Session> newSession(int, uint64_t) const override { return nullptr; }
    std::unique_ptr<BlockingSession> newBlockingSession(int connIndex, uint64_t seed) const override;

    void prepare(const RunConfig&) override
    {
        MysqlConn c(connect(false));
        serverVersion_ = mysql_get_server_info(c.get());
        for (int t = 1; t <= mix.tables; ++t) {
            const bool exists = !scalar(c, "SELECT 1 FROM information_schema.tables WHERE table_schema=DATABASE() "
                                           "AND table_name='" + tableName(t) + "'").empty();
            if (doPrepare && exists)
                throw std::runtime_error("mysql " + where() + ": table " + tableName(t) +
                                         " already exists; drop it or set params.prepare=false to use it");
            if (!doPrepare && !exists)
                throw std::runtime_error("mysql " + where() + ": table " + tableName(t) +
                                         " does not exist; set params.prepare=true to create it");
        }
        if (!doPrepare)
            return;
        std::mt19937_64 rng(12345);
        for (int t = 1; t <= mix.tables; ++t) {
            const std::string n = tableName(t);
            // sysbench's oltp_common.lua table, so both tools run on the same layout.
            exec(c, "CREATE TABLE " + n +
                        " (id INTEGER NOT NULL AUTO_INCREMENT, k INTEGER DEFAULT '0' NOT NULL,"
                        " c CHAR(120) DEFAULT '' NOT NULL, pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id))"
                        " ENGINE=" + engine);
            created_ = t;
            // Client-side batches of 1000 rows (MySQL has no generate_series;
            // MariaDB's seq_ tables are an optional engine).
            std::string q;
            for (int64_t id = 1; id <= mix.tableSize; ++id) {
                if (q.empty())
                    q = "INSERT INTO " + n + " (id,k,c,pad) VALUES ";
                else
                    q += ',';
                q += '(' + std::to_string(id) + ',' + std::to_string(1 + rng() % static_cast<uint64_t>(mix.tableSize)) + ",'";
                appendSqlFiller(q, 119, rng);
                q += "','";
                appendSqlFiller(q, 59, rng);
                q += "')";
                if (id % 1000 == 0 || id == mix.tableSize) {
                    exec(c, q);
                    q.clear();
                }
            }
            exec(c, "CREATE INDEX k_" + n + " ON " + n + "(k)");
        }
        std::cerr << "fbload: mysql: prepared " << mix.tables << " table(s) x " << mix.tableSize << " rows in "
                  << where() << "\n";
    }

    void describe(Json& info) const override
    {
        mix.describe(info);
        info["database"] = database;
        info["server_version"] = serverVersion_;
        info["round_trips_per_transaction"] = perStatement ? mix.statementsPerTransaction() : 1;
    }

    std::string tableName(int t) const { return mix.prefix + std::to_string(t); }
    std::string where() const { return host + ":" + std::to_string(port) + " database \"" + database + "\""; }

    // A new connection (throws naming host, port and user). Load
    // connections allow several statements per query (round_trips=transaction).
    MYSQL* connect(bool multiStatements) const
    {
        MysqlConn c(mysql_init(nullptr));
        if (!c.get())
            throw std::runtime_error("mysql: out of memory in mysql_init");
        unsigned proto = MYSQL_PROTOCOL_TCP;  // "localhost" would otherwise mean the Unix socket
        mysql_optionsv(c.get(), MYSQL_OPT_PROTOCOL, &proto);
        mysql_optionsv(c.get(), MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout);
        mysql_optionsv(c.get(), MYSQL_OPT_READ_TIMEOUT, &readTimeout);
        mysql_optionsv(c.get(), MYSQL_OPT_WRITE_TIMEOUT, &readTimeout);
        if (!mysql_real_connect(c.get(), host.c_str(), user.c_str(), password.empty() ? nullptr : password.c_str(),
                                database.c_str(), static_cast<unsigned>(port), nullptr,
                                multiStatements ? CLIENT_MULTI_STATEMENTS : 0))
            throw std::runtime_error("mysql " + where() + ": cannot connect as \"" + user + "\": " +
                                     mysql_error(c.get()));
        MYSQL* m = c.get();
        c.release();
        return m;
    }

    SqlMixParams mix;
    std::string user, password, database, host, engine;
    int port = 0;
    bool doPrepare = true, doCleanup = true;
    bool perStatement = false;
    unsigned connectTimeout = 10, readTimeout = 30;

private:
    void exec(const MysqlConn& c, const std::string& sql) const
    {
        if (mysql_real_query(c.get(), sql.data(), sql.size()) != 0)
            throw std::runtime_error("mysql " + where() + ": " + mysql_error(c.get()) + " (in: " + sql.substr(0, 80) + ")");
        if (MYSQL_RES* r = mysql_store_result(c.get()))
            mysql_free_result(r);
    }
    std::string scalar(const MysqlConn& c, const std::string& sql) const
    {
        std::string v;
        if (mysql_real_query(c.get(), sql.data(), sql.size()) != 0)
            throw std::runtime_error("mysql " + where() + ": " + mysql_error(c.get()) + " (in: " + sql.substr(0, 80) + ")");
        if (MYSQL_RES* r = mysql_store_result(c.get())) {
            if (MYSQL_ROW row = mysql_fetch_row(r); row && row[0])
                v = row[0];
            mysql_free_result(r);
        }
        return v;
    }

    int created_ = 0;
    std::string serverVersion_;
};

namespace {

class MysqlSession final : public BlockingSession {
public:
    MysqlSession(const MysqlWorkload& w, uint64_t seed) : w_(w), rng_(seed) {}

    bool open(std::string& error) override
    {
        try {
            conn_.reset(w_.connect(!w_.perStatement));
        } catch (const std::exception& e) {
            error = e.what();
            return false;
        }
        return true;
    }
    void close() override { conn_.reset(); }

    ErrorClass call(uint32_t& op, CallSink& sink) override
    {
        if (!conn_.get() && !reconnect(sink))
            return ErrorClass::Connect;
        return w_.perStatement ? statement(op, sink) : transaction(op, sink);
    }

private:
    // Reconnects after a lost connection; false (and fatal) when refused.
    bool reconnect(CallSink& sink)
    {
        conn_.reset();
        std::string error;
        if (!open(error)) {
            sink.fatal(error);
            return false;
        }
        return true;
    }

    // Reads every result of the query just sent; returns the number of
    // statements that succeeded, and the error code (0 if none).
    int drain(unsigned& code)
    {
        MYSQL* m = conn_.get();
        int ok = 0;
        code = 0;
        for (;;) {
            if (MYSQL_RES* r = mysql_store_result(m))
                mysql_free_result(r);
            else if (mysql_field_count(m) != 0) {
                code = mysql_errno(m);
                return ok;
            }
            ++ok;
            const int next = mysql_next_result(m);
            if (next < 0)
                return ok;
            if (next > 0) {
                code = mysql_errno(m);
                return ok;
            }
        }
    }

    ErrorClass failed(unsigned code, CallSink& sink)
    {
        const std::string msg = mysql_error(conn_.get());
        const bool lost = code == CR_SERVER_LOST || code == CR_SERVER_GONE_ERROR || code == CR_CONNECTION_ERROR;
        if (lost) {
            // The next call reconnects.
            conn_.reset();
            return ErrorClass::Closed;
        }
        // A failed statement leaves the transaction open (a deadlock has
        // already rolled it back): end it before the next one.
        static const char kRollback[] = "ROLLBACK";
        if (mysql_real_query(conn_.get(), kRollback, sizeof kRollback - 1) == 0) {
            unsigned ignored;
            drain(ignored);
        }
        txn_.clear();
        next_ = 0;
        if (retryable(code)) {
            sink.record(kMetricRetries, 1);
            return ErrorClass::Server;
        }
        if (hopeless(code)) {
            sink.fatal("mysql " + w_.where() + ": error " + std::to_string(code) + ": " + msg);
            return ErrorClass::Server;
        }
        return ErrorClass::Server;
    }

    ErrorClass transaction(uint32_t& op, CallSink& sink)
    {
        op = 0;
        sql_.clear();
        appendSqlTransaction(sql_, w_.mix, rng_);
        sql_.pop_back();  // the last ';' would be an empty statement
        const int64_t start = monoNs();
        if (mysql_real_query(conn_.get(), sql_.data(), sql_.size()) != 0)
            return failed(mysql_errno(conn_.get()), sink);
        unsigned code = 0;
        const int ok = drain(code);
        if (code != 0)
            return failed(code, sink);
        sink.record(kMetricTransaction, (monoNs() - start) / 1000);
        sink.record(kMetricQueries, ok);
        return ErrorClass::None;
    }

    ErrorClass statement(uint32_t& op, CallSink& sink)
    {
        if (next_ >= txn_.size()) {
            sqlTransactionStatements(txn_, w_.mix, rng_);
            next_ = 0;
        }
        const SqlStatement& s = txn_[next_++];
        op = s.kind;
        const int64_t start = monoNs();
        if (op == SqlBegin)
            txnStartNs_ = start;
        if (mysql_real_query(conn_.get(), s.sql.data(), s.sql.size()) != 0)
            return failed(mysql_errno(conn_.get()), sink);
        unsigned code = 0;
        drain(code);
        if (code != 0)
            return failed(code, sink);
        if (op == SqlCommit)
            sink.record(kMetricTransaction, (monoNs() - txnStartNs_) / 1000);
        return ErrorClass::None;
    }

    const MysqlWorkload& w_;
    std::mt19937_64 rng_;
    MysqlConn conn_;
    std::string sql_;
    std::vector<SqlStatement> txn_;
    size_t next_ = 0;
    int64_t txnStartNs_ = 0;
};

}  // namespace

std::unique_ptr<BlockingSession> MysqlWorkload::newBlockingSession(int, uint64_t seed) const
{
    return std::make_unique<MysqlSession>(*this, seed);
}

std::unique_ptr<Workload> makeMysqlWorkload(const RunConfig& cfg)
{
    return std::make_unique<MysqlWorkload>(cfg);
}

}  // namespace fbload
