// The sysbench-style OLTP transaction mix, shared by the SQL workloads
// (postgres now, mysql later): which statements one transaction runs, and
// the table layout the prepare phase creates.
//
// Tables <prefix>1..<prefix>N each hold rows id = 1..table_size with columns
// k (indexed integer), c (CHAR(120)) and pad (CHAR(60)), as sysbench's
// oltp_* scripts use, so results compare with sysbench on the same data.
#pragma once

#include "../json.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace fbload {

struct SqlMixParams {
    int tables = 1;
    int64_t tableSize = 10000;
    bool readOnly = false;
    int pointSelects = 10;
    int simpleRanges = 1, sumRanges = 1, orderRanges = 1, distinctRanges = 1;
    int rangeSize = 100;
    int indexUpdates = 1, nonIndexUpdates = 1, deleteInserts = 1;
    std::string prefix = "sbtest";

    // Reads the mix keys from params (errors name params.<key>).
    void read(const Json& params);
    // Statements per transaction, BEGIN and COMMIT included (sysbench counts them too).
    int statementsPerTransaction() const;
    void describe(Json& out) const;
};

// The keys SqlMixParams::read understands, for rejectUnknown lists.
#define FBLOAD_SQLMIX_KEYS                                                                              \
    "tables", "table_size", "mode", "point_selects", "simple_ranges", "sum_ranges", "order_ranges",    \
        "distinct_ranges", "range_size", "index_updates", "non_index_updates", "delete_inserts",       \
        "table_prefix"

// Statement kinds, in transaction order; also the op names of the
// statement-per-round-trip mode.
enum SqlKind : uint32_t {
    SqlBegin, SqlPointSelect, SqlSimpleRange, SqlSumRange, SqlOrderRange, SqlDistinctRange,
    SqlIndexUpdate, SqlNonIndexUpdate, SqlDelete, SqlInsert, SqlCommit, SqlRollback, SqlKindCount
};
const char* sqlKindName(uint32_t kind);

struct SqlStatement {
    uint32_t kind;
    std::string sql;  // without the trailing ';'
};

// One transaction's statements, BEGIN to COMMIT, replacing `out`'s content.
void sqlTransactionStatements(std::vector<SqlStatement>& out, const SqlMixParams& p, std::mt19937_64& rng);

// Appends one whole transaction ("BEGIN;...;COMMIT;") to out: one round trip
// per transaction (see postgres.cpp for why).
void appendSqlTransaction(std::string& out, const SqlMixParams& p, std::mt19937_64& rng);

// The c / pad column text: groups of 11 digits joined by '-' (sysbench's
// pattern), `len` characters, digits from rng.
void appendSqlFiller(std::string& out, size_t len, std::mt19937_64& rng);

}  // namespace fbload
