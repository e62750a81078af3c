// The OLTP transaction mix (see sqlmix.h). Statements are plain SQL that
// PostgreSQL and MariaDB both accept; every value is generated here (numbers
// and digit strings), never taken from user input, and the table prefix is
// restricted to [a-z_][a-z0-9_]*, so nothing needs escaping.
#include "sqlmix.h"

#include "../config.h"

#include <charconv>

namespace fbload {

void SqlMixParams::read(const Json& p)
{
    tables = static_cast<int>(param::integer(p, "tables", 1, 1, 10000));
    tableSize = param::integer(p, "table_size", 10000, 1, int64_t{1} << 31);
    const std::string mode = param::string(p, "mode", "read_write");
    if (mode == "read_write")
        readOnly = false;
    else if (mode == "read_only")
        readOnly = true;
    else
        throw ConfigError("params.mode: expected read_write or read_only, got \"" + mode + "\"");
    pointSelects = static_cast<int>(param::integer(p, "point_selects", 10, 0, 1000));
    simpleRanges = static_cast<int>(param::integer(p, "simple_ranges", 1, 0, 1000));
    sumRanges = static_cast<int>(param::integer(p, "sum_ranges", 1, 0, 1000));
    orderRanges = static_cast<int>(param::integer(p, "order_ranges", 1, 0, 1000));
    distinctRanges = static_cast<int>(param::integer(p, "distinct_ranges", 1, 0, 1000));
    rangeSize = static_cast<int>(param::integer(p, "range_size", 100, 1, 1000000));
    indexUpdates = static_cast<int>(param::integer(p, "index_updates", 1, 0, 1000));
    nonIndexUpdates = static_cast<int>(param::integer(p, "non_index_updates", 1, 0, 1000));
    deleteInserts = static_cast<int>(param::integer(p, "delete_inserts", 1, 0, 1000));
    prefix = param::string(p, "table_prefix", "sbtest");
    bool ok = !prefix.empty() && prefix.size() <= 48 && !(prefix[0] >= '0' && prefix[0] <= '9');
    for (char ch : prefix)
        ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_');
    if (!ok)
        throw ConfigError("params.table_prefix: expected 1-48 characters [a-z0-9_] not starting with a digit, got \"" +
                          prefix + "\"");
    if (statementsPerTransaction() <= 2)
        throw ConfigError("params: the transaction mix is empty (every statement count is 0)");
}

int SqlMixParams::statementsPerTransaction() const
{
    int n = 2 + pointSelects + simpleRanges + sumRanges + orderRanges + distinctRanges;
    if (!readOnly)
        n += indexUpdates + nonIndexUpdates + 2 * deleteInserts;
    return n;
}

void SqlMixParams::describe(Json& out) const
{
    out["tables"] = tables;
    out["table_size"] = static_cast<double>(tableSize);
    out["mode"] = readOnly ? "read_only" : "read_write";
    out["statements_per_transaction"] = statementsPerTransaction();
}

void appendSqlFiller(std::string& out, size_t len, std::mt19937_64& rng)
{
    for (size_t i = 0; i < len; ++i)
        out += (i % 12 == 11) ? '-' : static_cast<char>('0' + rng() % 10);
}

namespace {

void num(std::string& out, int64_t v)
{
    char b[24];
    auto r = std::to_chars(b, b + sizeof b, v);
    out.append(b, r.ptr);
}

void table(std::string& out, const SqlMixParams& p, std::mt19937_64& rng)
{
    out += p.prefix;
    num(out, 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(p.tables)));
}

int64_t rowId(const SqlMixParams& p, std::mt19937_64& rng)
{
    return 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(p.tableSize));
}

std::string range(const char* select, const char* tail, const SqlMixParams& p, std::mt19937_64& rng)
{
    std::string out = select;
    table(out, p, rng);
    const int64_t lo = rowId(p, rng);
    out += " WHERE id BETWEEN ";
    num(out, lo);
    out += " AND ";
    num(out, lo + p.rangeSize - 1);
    out += tail;
    return out;
}

const char* const kKindNames[SqlKindCount] = {"begin", "point_select", "simple_range", "sum_range",
                                              "order_range", "distinct_range", "index_update",
                                              "non_index_update", "delete", "insert", "commit", "rollback"};

}  // namespace

const char* sqlKindName(uint32_t kind)
{
    return kind < SqlKindCount ? kKindNames[kind] : "?";
}

void sqlTransactionStatements(std::vector<SqlStatement>& out, const SqlMixParams& p, std::mt19937_64& rng)
{
    out.clear();
    out.push_back({SqlBegin, "BEGIN"});
    for (int i = 0; i < p.pointSelects; ++i) {
        std::string q = "SELECT c FROM ";
        table(q, p, rng);
        q += " WHERE id=";
        num(q, rowId(p, rng));
        out.push_back({SqlPointSelect, std::move(q)});
    }
    for (int i = 0; i < p.simpleRanges; ++i)
        out.push_back({SqlSimpleRange, range("SELECT c FROM ", "", p, rng)});
    for (int i = 0; i < p.sumRanges; ++i)
        out.push_back({SqlSumRange, range("SELECT SUM(k) FROM ", "", p, rng)});
    for (int i = 0; i < p.orderRanges; ++i)
        out.push_back({SqlOrderRange, range("SELECT c FROM ", " ORDER BY c", p, rng)});
    for (int i = 0; i < p.distinctRanges; ++i)
        out.push_back({SqlDistinctRange, range("SELECT DISTINCT c FROM ", " ORDER BY c", p, rng)});
    if (!p.readOnly) {
        for (int i = 0; i < p.indexUpdates; ++i) {
            std::string q = "UPDATE ";
            table(q, p, rng);
            q += " SET k=k+1 WHERE id=";
            num(q, rowId(p, rng));
            out.push_back({SqlIndexUpdate, std::move(q)});
        }
        for (int i = 0; i < p.nonIndexUpdates; ++i) {
            std::string q = "UPDATE ";
            table(q, p, rng);
            q += " SET c='";
            appendSqlFiller(q, 119, rng);
            q += "' WHERE id=";
            num(q, rowId(p, rng));
            out.push_back({SqlNonIndexUpdate, std::move(q)});
        }
        for (int i = 0; i < p.deleteInserts; ++i) {
            // Delete a row and put it back (same id, new text): the table keeps
            // exactly table_size rows, which is what lets cleanup compare.
            std::string t;
            table(t, p, rng);
            const int64_t id = rowId(p, rng);
            std::string d = "DELETE FROM " + t + " WHERE id=";
            num(d, id);
            out.push_back({SqlDelete, std::move(d)});
            std::string q = "INSERT INTO " + t + " (id,k,c,pad) VALUES (";
            num(q, id);
            q += ",";
            num(q, rowId(p, rng));
            q += ",'";
            appendSqlFiller(q, 119, rng);
            q += "','";
            appendSqlFiller(q, 59, rng);
            q += "')";
            out.push_back({SqlInsert, std::move(q)});
        }
    }
    out.push_back({SqlCommit, "COMMIT"});
}

void appendSqlTransaction(std::string& out, const SqlMixParams& p, std::mt19937_64& rng)
{
    thread_local std::vector<SqlStatement> st;
    sqlTransactionStatements(st, p, rng);
    for (const SqlStatement& s : st) {
        out += s.sql;
        out += ';';
    }
}

}  // namespace fbload
