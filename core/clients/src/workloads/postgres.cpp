// The postgres workload: sysbench-style OLTP transactions against PostgreSQL.
//
// Two halves, on purpose:
//  - prepare (create and fill the tables) and cleanup (drop what prepare
//    created) use libpq, blocking, before and after the load: they are not
//    measured, and libpq handles every authentication method and TLS.
//  - the load itself speaks the PostgreSQL v3 wire protocol from a Session,
//    because fbload's engine owns the sockets (one epoll loop per worker
//    thread, many connections each, open- and closed-loop models); libpq
//    would need its own socket and a thread per connection. The simple-query
//    protocol is small: a startup message, then one 'Q' message per
//    transaction and a stream of replies ending in ReadyForQuery.
//
// round_trips=transaction (default): one request = one whole transaction
// (BEGIN; ...; COMMIT;) in a single Query message: one round trip per
// transaction, like pgbench's pipeline mode, so the engine's request rate is
// TPS and its latency is transaction latency.
// round_trips=statement: one request = one statement, as sysbench and
// pgbench without pipelining do (20 round trips per default transaction);
// the request rate is then QPS and the ops are the statement kinds.
// Both modes record the `transaction` metric (latency of each committed
// transaction), whose count over the measured time is TPS.
// The load connections send no password (the engine cannot answer an
// authentication challenge mid-handshake yet), so the server must trust them
// (pg_hba.conf "trust", as the FactoryBench postgres recipe configures); the
// prepare step checks this first and says so.
#include "postgres.h"

#include "../config.h"
#include "../json.h"
#include "sqlmix.h"

#include <libpq-fe.h>

#include <cstring>
#include <iostream>
#include <random>
#include <stdexcept>

namespace fbload {

namespace {

enum : int { kMetricTransaction = kFirstWorkloadMetric, kMetricQueries, kMetricRetries };

// SQLSTATEs a retry can fix (sysbench ignores and retries the same ones):
// deadlock, serialization failure, and the unique violation two concurrent
// delete+insert of the same id can produce.
bool retryable(const std::string& state)
{
    return state == "40P01" || state == "40001" || state == "23505";
}

uint32_t be32(const char* p)
{
    return (static_cast<uint32_t>(static_cast<unsigned char>(p[0])) << 24) |
           (static_cast<uint32_t>(static_cast<unsigned char>(p[1])) << 16) |
           (static_cast<uint32_t>(static_cast<unsigned char>(p[2])) << 8) |
           static_cast<uint32_t>(static_cast<unsigned char>(p[3]));
}

void put32(std::string& out, uint32_t v)
{
    out += static_cast<char>(v >> 24);
    out += static_cast<char>(v >> 16);
    out += static_cast<char>(v >> 8);
    out += static_cast<char>(v);
}

// The fields of an ErrorResponse body: code byte, C string, ..., 0.
void errorFields(const char* body, size_t len, std::string& state, std::string& message)
{
    size_t i = 0;
    while (i < len && body[i] != 0) {
        char code = body[i++];
        size_t end = i;
        while (end < len && body[end] != 0)
            ++end;
        if (code == 'C')
            state.assign(body + i, end - i);
        else if (code == 'M')
            message.assign(body + i, end - i);
        i = end + 1;
    }
}

class PgConn {
public:
    explicit PgConn(PGconn* c) : c_(c) {}
    ~PgConn() { PQfinish(c_); }
    PgConn(const PgConn&) = delete;
    PgConn& operator=(const PgConn&) = delete;
    PGconn* get() const { return c_; }

private:
    PGconn* c_;
};

}  // namespace

class PostgresWorkload final : public Workload {
public:
    explicit PostgresWorkload(const RunConfig& cfg)
    {
        const Json& p = cfg.params;
        param::rejectUnknown(p, {FBLOAD_SQLMIX_KEYS, "user", "password", "database", "prepare", "cleanup",
                                 "connect_timeout", "round_trips"});
        mix.read(p);
        user = param::lineString(p, "user", "postgres");
        password = param::lineString(p, "password", "");
        database = param::lineString(p, "database", "postgres");
        doPrepare = param::boolean(p, "prepare", true);
        doCleanup = param::boolean(p, "cleanup", true);
        connectTimeout = static_cast<int>(param::integer(p, "connect_timeout", 10, 1, 3600));
        const std::string rt = param::string(p, "round_trips", "transaction");
        if (rt != "transaction" && rt != "statement")
            throw ConfigError("params.round_trips: expected transaction or statement, got \"" + rt + "\"");
        perStatement = rt == "statement";
        if (user.empty())
            throw ConfigError("params.user: must not be empty");
        if (database.empty())
            throw ConfigError("params.database: must not be empty");
        host = cfg.host;
        port = cfg.port;
    }

    ~PostgresWorkload() override
    {
        // Cleanup runs when fbload is done with the workload (after the
        // result is written): only the tables this run created are dropped.
        if (!doCleanup || created_ == 0)
            return;
        try {
            PgConn c(connect());
            for (int t = 1; t <= created_; ++t)
                exec(c, "DROP TABLE IF EXISTS " + tableName(t));
            std::cerr << "fbload: postgres: cleanup dropped " << created_ << " table(s) in " << where() << "\n";
        } catch (const std::exception& e) {
            std::cerr << "fbload: postgres: cleanup failed: " << e.what() << "\n";
        }
    }

    std::string name() const override { return "postgres"; }
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
    std::unique_ptr<Session> newSession(int connIndex, uint64_t seed) const override;

    void prepare(const RunConfig&) override
    {
        PgConn c(connect());
        if (PQconnectionUsedPassword(c.get()))
            throw std::runtime_error("postgres " + where() + " asks user \"" + user +
                                     "\" for a password; fbload's load connections support trust "
                                     "authentication only (allow this client with \"trust\" in pg_hba.conf)");
        serverVersion_ = PQparameterStatus(c.get(), "server_version") ? PQparameterStatus(c.get(), "server_version") : "";
        for (int t = 1; t <= mix.tables; ++t) {
            const bool exists = scalar(c, "SELECT to_regclass('public." + tableName(t) + "') IS NOT NULL") == "t";
            if (doPrepare && exists)
                throw std::runtime_error("postgres " + where() + ": table " + tableName(t) +
                                         " already exists; drop it or set params.prepare=false to use it");
            if (!doPrepare && !exists)
                throw std::runtime_error("postgres " + where() + ": table " + tableName(t) +
                                         " does not exist; set params.prepare=true to create it");
        }
        if (!doPrepare)
            return;
        for (int t = 1; t <= mix.tables; ++t) {
            const std::string n = tableName(t);
            exec(c, "CREATE TABLE " + n +
                        " (id INTEGER NOT NULL PRIMARY KEY, k INTEGER DEFAULT 0 NOT NULL,"
                        " c CHAR(120) DEFAULT '' NOT NULL, pad CHAR(60) DEFAULT '' NOT NULL)");
            created_ = t;
            // Generated by the server: one statement instead of table_size
            // round trips. k is uniform in 1..table_size as in sysbench.
            const std::string size = std::to_string(mix.tableSize);
            exec(c, "INSERT INTO " + n + " (id,k,c,pad) SELECT g, 1 + floor(random()*" + size +
                        ")::int, left(repeat(md5(g::text),4),119), left(repeat(md5((g+1)::text),2),59)"
                        " FROM generate_series(1," + size + ") AS g");
            exec(c, "CREATE INDEX k_" + n + " ON " + n + "(k)");
            exec(c, "ANALYZE " + n);
        }
        std::cerr << "fbload: postgres: prepared " << mix.tables << " table(s) x " << mix.tableSize << " rows in "
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
    std::string where() const
    {
        return host + ":" + std::to_string(port) + " database \"" + database + "\"";
    }

    SqlMixParams mix;
    std::string user, password, database, host;
    int port = 0;
    bool doPrepare = true, doCleanup = true;
    bool perStatement = false;
    int connectTimeout = 10;

private:
    PGconn* connect() const
    {
        const std::string portText = std::to_string(port);
        const std::string timeout = std::to_string(connectTimeout);
        // Parameters go to libpq as separate values: no connection string to quote.
        const char* keys[] = {"host", "port", "user", "dbname", "password", "connect_timeout", "application_name", nullptr};
        const char* vals[] = {host.c_str(), portText.c_str(), user.c_str(), database.c_str(),
                              password.empty() ? nullptr : password.c_str(), timeout.c_str(), "fbload", nullptr};
        PGconn* c = PQconnectdbParams(keys, vals, 0);
        if (PQstatus(c) != CONNECTION_OK) {
            std::string why = PQerrorMessage(c);
            PQfinish(c);
            while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
                why.pop_back();
            throw std::runtime_error("postgres " + where() + ": cannot connect as \"" + user + "\": " + why);
        }
        return c;
    }
    void exec(const PgConn& c, const std::string& sql) const
    {
        PGresult* r = PQexec(c.get(), sql.c_str());
        const auto st = PQresultStatus(r);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            std::string why = PQresultErrorMessage(r);
            PQclear(r);
            while (!why.empty() && why.back() == '\n')
                why.pop_back();
            throw std::runtime_error("postgres " + where() + ": " + why + " (in: " + sql.substr(0, 80) + ")");
        }
        PQclear(r);
    }
    std::string scalar(const PgConn& c, const std::string& sql) const
    {
        PGresult* r = PQexec(c.get(), sql.c_str());
        std::string v;
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
            v = PQgetvalue(r, 0, 0);
        PQclear(r);
        return v;
    }

    int created_ = 0;
    std::string serverVersion_;
};

namespace {

class PostgresSession final : public Session {
public:
    PostgresSession(const PostgresWorkload& w, uint64_t seed) : w_(w), rng_(seed) {}

    void onConnected(std::string& out) override
    {
        reset();
        // StartupMessage: length, protocol 3.0, then name/value pairs.
        std::string body;
        put32(body, 196608);
        for (const char* kv : {"user", w_.user.c_str(), "database", w_.database.c_str(), "application_name", "fbload"})
            body.append(kv).push_back('\0');
        body.push_back('\0');
        put32(out, static_cast<uint32_t>(body.size() + 4));
        out += body;
        handshaking_ = true;
    }
    bool handshaking() const override { return handshaking_; }
    void reset() override
    {
        handshaking_ = false;
        rollback_ = false;
        state_.clear();
        message_.clear();
        statements_ = 0;
        txn_.clear();
        next_ = 0;
    }

    // round_trips=statement: the next statement of the current transaction.
    uint32_t writeStatement(std::string& out)
    {
        state_.clear();
        message_.clear();
        uint32_t kind = SqlRollback;
        if (rollback_) {
            sql_ = "ROLLBACK";
            rollback_ = false;
        } else {
            if (next_ >= txn_.size()) {
                sqlTransactionStatements(txn_, w_.mix, rng_);
                next_ = 0;
            }
            kind = txn_[next_].kind;
            sql_ = txn_[next_++].sql;
        }
        out += 'Q';
        put32(out, static_cast<uint32_t>(sql_.size() + 5));
        out += sql_;
        out += '\0';
        return kind;
    }

    uint32_t writeRequest(std::string& out) override
    {
        if (w_.perStatement)
            return writeStatement(out);
        sql_.clear();
        // The previous transaction failed and left the session in an aborted
        // block: end it first, in the same message.
        state_.clear();
        message_.clear();
        statements_ = 0;
        if (rollback_) {
            sql_ += "ROLLBACK;";
            statements_ = -1;  // not one of the transaction's statements
        }
        rollback_ = false;
        appendSqlTransaction(sql_, w_.mix, rng_);
        out += 'Q';
        put32(out, static_cast<uint32_t>(sql_.size() + 5));
        out += sql_;
        out += '\0';
        return 0;
    }

    long onData(const char* data, size_t len, int64_t nowNs, ResponseSink& sink) override
    {
        size_t pos = 0;
        while (len - pos >= 5) {
            const char type = data[pos];
            const uint32_t mlen = be32(data + pos + 1);
            if (mlen < 4 || mlen > (1u << 30))
                return -1;
            if (len - pos < 1 + static_cast<size_t>(mlen))
                break;
            const char* body = data + pos + 5;
            const size_t blen = mlen - 4;
            pos += 1 + mlen;
            if (handshaking_) {
                if (type == 'R') {
                    const uint32_t code = blen >= 4 ? be32(body) : 99;
                    if (code != 0) {
                        sink.fatal("postgres " + w_.host + ":" + std::to_string(w_.port) + " asks user \"" + w_.user +
                                   "\" to authenticate (method " + std::to_string(code) +
                                   "); fbload's load connections support trust authentication only");
                        return -1;
                    }
                } else if (type == 'E') {
                    std::string st, msg;
                    errorFields(body, blen, st, msg);
                    sink.fatal("postgres " + w_.host + ":" + std::to_string(w_.port) + " refused the connection: " +
                               st + " " + msg);
                    return -1;
                } else if (type == 'Z') {
                    handshaking_ = false;
                }
                continue;  // ParameterStatus, BackendKeyData, notices
            }
            switch (type) {
            case 'C':  // CommandComplete: one statement done
                ++statements_;
                break;
            case 'E': {
                std::string st, msg;
                errorFields(body, blen, st, msg);
                if (state_.empty()) {
                    state_ = st;
                    message_ = msg;
                }
                break;
            }
            case 'Z': {
                if (!sink.hasCurrent())
                    return -1;
                rollback_ = blen >= 1 && body[0] == 'E';
                if (state_.empty()) {
                    const InFlight& cur = sink.current();
                    if (!w_.perStatement) {
                        sink.record(kMetricTransaction, (nowNs - cur.sentNs) / 1000);
                        sink.record(kMetricQueries, statements_);
                    } else if (cur.op == SqlBegin) {
                        txnStartNs_ = cur.sentNs;
                    } else if (cur.op == SqlCommit) {
                        sink.record(kMetricTransaction, (nowNs - txnStartNs_) / 1000);
                    }
                    sink.complete(ErrorClass::None);
                } else if (retryable(state_)) {
                    sink.record(kMetricRetries, 1);
                    sink.complete(ErrorClass::Server);
                } else if (state_.rfind("42", 0) == 0 || state_.rfind("3D", 0) == 0 || state_.rfind("28", 0) == 0) {
                    // Missing table, no permission, wrong database: every
                    // transaction would fail the same way.
                    sink.fatal("postgres " + w_.host + ":" + std::to_string(w_.port) + ": " + state_ + " " + message_);
                    return -1;
                } else {
                    sink.complete(ErrorClass::Server);
                }
                if (!state_.empty()) {
                    // A failed statement aborts the transaction: the rest of
                    // it is dropped (ROLLBACK first when the block is open).
                    txn_.clear();
                    next_ = 0;
                }
                state_.clear();
                statements_ = 0;
                break;
            }
            default:  // RowDescription, DataRow, notices, ParameterStatus
                break;
            }
        }
        return static_cast<long>(pos);
    }

private:
    const PostgresWorkload& w_;
    std::mt19937_64 rng_;
    std::string sql_;
    bool handshaking_ = false;
    bool rollback_ = false;
    std::string state_, message_;  // the first error of the current transaction
    int statements_ = 0;
    std::vector<SqlStatement> txn_;  // round_trips=statement: this transaction
    size_t next_ = 0;
    int64_t txnStartNs_ = 0;
};

}  // namespace

std::unique_ptr<Session> PostgresWorkload::newSession(int, uint64_t seed) const
{
    return std::make_unique<PostgresSession>(*this, seed);
}

std::unique_ptr<Workload> makePostgresWorkload(const RunConfig& cfg)
{
    return std::make_unique<PostgresWorkload>(cfg);
}

}  // namespace fbload
