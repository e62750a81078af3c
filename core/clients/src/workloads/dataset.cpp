#include "dataset.h"

#include "../config.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sys/stat.h>

namespace fbload {

namespace {

// Common English words that BPE tokenizers (Llama, GPT, Qwen) encode as one
// token each when preceded by a space, so N words is close to N tokens.
const char* const kWords[] = {
    "the", "of", "and", "to", "in", "is", "was", "for", "on", "that", "with", "as", "by", "at", "from",
    "his", "it", "an", "were", "are", "which", "this", "be", "or", "has", "had", "first", "one", "their",
    "its", "new", "after", "but", "who", "not", "they", "have", "her", "she", "two", "been", "other", "when",
    "there", "all", "during", "into", "school", "time", "may", "years", "more", "most", "only", "over",
    "city", "some", "world", "would", "where", "later", "up", "such", "used", "many", "can", "state", "about",
    "national", "out", "known", "university", "united", "then", "made", "three", "while", "between", "will",
    "team", "war", "him", "also", "film", "season", "these", "under", "part", "each", "could", "well", "both"};

constexpr int64_t kMaxTokensPerRequest = 10'000'000;

// One record of the file: a JSONL line or an element of a JSON array.
struct Record {
    Json value;
    int line;
};

class Reader {
public:
    explicit Reader(const DatasetOptions& opt) : opt_(opt) {}

    [[noreturn]] void fail(int line, const std::string& why) const
    {
        throw ConfigError("params.dataset: " + opt_.path + ":" + std::to_string(line) + ": " + why);
    }
    [[noreturn]] void failFile(const std::string& why) const
    {
        throw ConfigError("params.dataset: " + opt_.path + ": " + why);
    }

    std::string readAll() const
    {
        struct stat st{};
        if (::stat(opt_.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
            failFile("cannot read it (no such file; the path is one on the node fbload runs on)");
        if (st.st_size > kMaxDatasetBytes)
            failFile("is " + std::to_string(st.st_size) + " bytes, over the limit of " +
                     std::to_string(kMaxDatasetBytes) + " (1 GiB); cut it, e.g. with head -n");
        std::ifstream in(opt_.path, std::ios::binary);
        if (!in)
            failFile("cannot read it");
        std::string text(static_cast<size_t>(st.st_size), '\0');
        in.read(text.data(), st.st_size);
        text.resize(static_cast<size_t>(in.gcount()));
        return text;
    }

    std::vector<Record> records(const std::string& text, bool& jsonArray) const
    {
        size_t first = text.find_first_not_of(" \t\r\n");
        jsonArray = !isCsv() && first != std::string::npos && text[first] == '[';
        if (isCsv())
            return csvRecords(text);
        return jsonArray ? arrayRecords(text) : lineRecords(text);
    }

    bool isCsv() const { return opt_.path.size() > 4 && opt_.path.compare(opt_.path.size() - 4, 4, ".csv") == 0; }

private:
    // A .csv file (BurstGPT is published as CSV): a header row names the
    // columns, each row becomes a record of those keys; numbers become JSON
    // numbers. Plain comma-separated fields only: a quoted field is refused.
    std::vector<Record> csvRecords(const std::string& text) const
    {
        std::vector<Record> out;
        std::vector<std::string> header;
        int lineNo = 0;
        size_t pos = 0;
        while (pos < text.size()) {
            size_t nl = text.find('\n', pos);
            if (nl == std::string::npos)
                nl = text.size();
            std::string line = text.substr(pos, nl - pos);
            pos = nl + 1;
            ++lineNo;
            if (!line.empty() && line.back() == '\r')
                line.pop_back();
            if (line.find_first_not_of(" \t") == std::string::npos)
                continue;
            if (line.find('"') != std::string::npos)
                fail(lineNo, "a quoted CSV field; only plain comma-separated values are read (convert the file to JSONL)");
            std::vector<std::string> fields;
            for (size_t a = 0;;) {
                size_t c = line.find(',', a);
                fields.push_back(line.substr(a, c == std::string::npos ? std::string::npos : c - a));
                if (c == std::string::npos)
                    break;
                a = c + 1;
            }
            if (header.empty()) {
                header = std::move(fields);
                continue;
            }
            if (fields.size() != header.size())
                fail(lineNo, std::to_string(fields.size()) + " fields, the header has " + std::to_string(header.size()));
            Json o = Json::object();
            for (size_t i = 0; i < fields.size(); ++i) {
                const std::string& f = fields[i];
                char* end = nullptr;
                double d = f.empty() ? 0 : std::strtod(f.c_str(), &end);
                if (f.empty() || end != f.c_str() + f.size() || !std::isfinite(d))
                    o[header[i]] = f;
                else if (d == std::floor(d) && std::abs(d) < 9e15)
                    o[header[i]] = static_cast<int64_t>(d);
                else
                    o[header[i]] = d;
            }
            out.push_back({std::move(o), lineNo});
        }
        return out;
    }

    std::vector<Record> lineRecords(const std::string& text) const
    {
        std::vector<Record> out;
        int lineNo = 0;
        size_t pos = 0;
        while (pos < text.size()) {
            size_t nl = text.find('\n', pos);
            if (nl == std::string::npos)
                nl = text.size();
            std::string_view l(text.data() + pos, nl - pos);
            pos = nl + 1;
            ++lineNo;
            if (l.find_first_not_of(" \t\r") == std::string_view::npos)
                continue;
            try {
                out.push_back({Json::parse(l), lineNo});
            } catch (const JsonError& e) {
                // "JSON parse error at line 1, column C: why" -> "FILE:LINE:C: JSON parse error: why"
                std::string what = e.what();
                const std::string head = "JSON parse error at line 1, column ";
                if (what.rfind(head, 0) == 0) {
                    size_t colon = what.find(':', head.size());
                    std::string col = what.substr(head.size(), colon - head.size());
                    throw ConfigError("params.dataset: " + opt_.path + ":" + std::to_string(lineNo) + ":" + col +
                                      ": JSON parse error" + (colon == std::string::npos ? "" : what.substr(colon)));
                }
                fail(lineNo, what);
            }
            if (!out.back().value.isObject())
                fail(lineNo, "expected a JSON object per line, got " + out.back().value.typeName());
        }
        return out;
    }

    // A JSON array (ShareGPT's published files): parsed whole, and scanned
    // once for the line each element starts on so errors can name it.
    std::vector<Record> arrayRecords(const std::string& text) const
    {
        Json doc;
        try {
            doc = Json::parse(text);
        } catch (const JsonError& e) {
            failFile(e.what());
        }
        std::vector<int> lines;
        int line = 1, depth = 0;
        bool inString = false, escaped = false, expectElement = false;
        for (char c : text) {
            if (c == '\n')
                ++line;
            if (inString) {
                if (escaped)
                    escaped = false;
                else if (c == '\\')
                    escaped = true;
                else if (c == '"')
                    inString = false;
                continue;
            }
            if (expectElement && c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != ']') {
                lines.push_back(line);
                expectElement = false;
            }
            if (c == '"')
                inString = true;
            else if (c == '[' || c == '{')
                expectElement = ++depth == 1;
            else if (c == ']' || c == '}')
                --depth;
            else if (c == ',' && depth == 1)
                expectElement = true;
        }
        std::vector<Record> out;
        const JsonArray& a = doc.asArray();
        for (size_t i = 0; i < a.size(); ++i) {
            int l = i < lines.size() ? lines[i] : 1;
            if (!a[i].isObject())
                fail(l, "expected an object per array element, got " + a[i].typeName());
            out.push_back({a[i], l});
        }
        return out;
    }

    const DatasetOptions& opt_;
};

// The format a record's keys say, Auto when they say none.
DatasetFormat formatOf(const Record& rec)
{
    const Json& j = rec.value;
    if (j.find("conversations"))
        return DatasetFormat::ShareGpt;
    if (j.find("prompt") || j.find("messages"))
        return DatasetFormat::Prompts;
    if (j.find("timestamp") || j.find("Timestamp"))
        return DatasetFormat::Trace;
    return DatasetFormat::Auto;
}

DatasetFormat detect(const Reader& r, const Record& rec)
{
    if (DatasetFormat f = formatOf(rec); f != DatasetFormat::Auto)
        return f;
    r.fail(rec.line, "cannot tell the format: expected \"conversations\" (sharegpt), \"prompt\" or \"messages\" "
                     "(prompts) or \"timestamp\" (trace); params.dataset_format names it");
}

int64_t tokenField(const Reader& r, const Record& rec, const char* key, int64_t min)
{
    const Json* v = rec.value.find(key);
    if (!v || !v->isNumber() || v->asDouble() != std::floor(v->asDouble()) || v->asDouble() < static_cast<double>(min) ||
        v->asDouble() > static_cast<double>(kMaxTokensPerRequest))
        r.fail(rec.line, std::string("\"") + key + "\": expected a whole number from " + std::to_string(min) + " to " +
                             std::to_string(kMaxTokensPerRequest) + (v ? ", got " + v->dump() : ", missing"));
    return v->asInt();
}

const char* firstKey(const Json& j, std::initializer_list<const char*> keys)
{
    for (const char* k : keys)
        if (j.find(k))
            return k;
    return nullptr;
}

// ---- prompts ---------------------------------------------------------------

std::vector<DatasetRequest> promptRecord(const Reader& r, const Record& rec, int64_t defMax)
{
    const Json* prompt = rec.value.find("prompt");
    const Json* messages = rec.value.find("messages");
    if (!(prompt && prompt->isString()) && !(messages && messages->isArray()))
        r.fail(rec.line, "expected {\"prompt\": \"...\"} or {\"messages\": [...]}");
    DatasetRequest q;
    q.line = rec.line;
    q.maxTokens = defMax;
    if (const char* k = firstKey(rec.value, {"max_tokens", "output_tokens"}))
        q.maxTokens = tokenField(r, rec, k, 1);
    if (prompt && prompt->isString()) {
        q.text = prompt->asString();
    } else {
        for (const Json& m : messages->asArray()) {
            const Json* c = m.find("content");
            if (!m.isObject() || !m.find("role") || !c || !c->isString())
                r.fail(rec.line, "\"messages\": expected objects with \"role\" and a string \"content\"");
            q.text += c->asString() + " ";
        }
        q.messages = *messages;
    }
    q.inputTokens = countWords(q.text);
    return {std::move(q)};
}

// ---- sharegpt ----------------------------------------------------------------

std::string roleOf(const Reader& r, const Record& rec, const Json& turn)
{
    const Json* from = turn.find("from");
    const Json* value = turn.find("value");
    if (!turn.isObject() || !from || !from->isString() || !value || !value->isString())
        r.fail(rec.line, "\"conversations\": expected turns {\"from\": \"human\"|\"gpt\", \"value\": \"...\"}");
    const std::string& f = from->asString();
    if (f == "human" || f == "user")
        return "user";
    if (f == "gpt" || f == "chatgpt" || f == "assistant" || f == "bard" || f == "bing" || f == "model")
        return "assistant";
    if (f == "system")
        return "system";
    r.fail(rec.line, "\"from\": expected human, user, gpt, assistant or system, got \"" + f + "\"");
}

// The requests of one conversation: its first prompt/answer pair, or (multi
// turn) one per human turn that has a recorded answer, each carrying the
// conversation so far (a shared, growing prefix).
std::vector<DatasetRequest> shareGptRecord(const Reader& r, const Record& rec, bool multiTurn)
{
    const Json* conv = rec.value.find("conversations");
    if (!conv || !conv->isArray())
        r.fail(rec.line, "\"conversations\": expected an array of turns");
    const JsonArray& turns = conv->asArray();
    std::vector<std::string> roles;
    for (const Json& t : turns)
        roles.push_back(roleOf(r, rec, t));
    std::vector<DatasetRequest> out;
    Json history = Json::array();
    std::string text;
    for (size_t i = 0; i < turns.size(); ++i) {
        const std::string& value = turns[i].find("value")->asString();
        Json m = Json::object();
        m["role"] = roles[i];
        m["content"] = value;
        bool prompt = roles[i] == "user" && i + 1 < turns.size() && roles[i + 1] == "assistant";
        if (prompt) {
            DatasetRequest q;
            q.line = rec.line;
            q.maxTokens = std::max<int64_t>(1, countWords(turns[i + 1].find("value")->asString()));
            if (multiTurn) {
                q.messages = history;
                q.messages.push(m);
                q.text = text + value;
            } else {
                q.text = value;
            }
            q.inputTokens = countWords(q.text);
            out.push_back(std::move(q));
            if (!multiTurn)
                break;
        }
        history.push(std::move(m));
        text += value + "\n";
    }
    return out;
}

// ---- trace -------------------------------------------------------------------

struct TraceRow {
    double timestamp;
    int64_t input, output;
    std::vector<int64_t> hashIds;
    int line;
};

TraceRow traceRecord(const Reader& r, const Record& rec)
{
    TraceRow row{};
    row.line = rec.line;
    const char* tk = firstKey(rec.value, {"timestamp", "Timestamp"});
    const Json* ts = tk ? rec.value.find(tk) : nullptr;
    if (!ts || !ts->isNumber() || !std::isfinite(ts->asDouble()) || ts->asDouble() < 0)
        r.fail(rec.line, "\"timestamp\": expected a number >= 0" + (ts ? ", got " + ts->dump() : std::string(", missing")));
    row.timestamp = ts->asDouble();
    const char* ik = firstKey(rec.value, {"input_tokens", "input_length", "Request tokens"});
    const char* ok = firstKey(rec.value, {"output_tokens", "output_length", "Response tokens"});
    if (!ik)
        r.fail(rec.line, "expected \"input_tokens\" (or input_length, \"Request tokens\")");
    if (!ok)
        r.fail(rec.line, "expected \"output_tokens\" (or output_length, \"Response tokens\")");
    row.input = tokenField(r, rec, ik, 1);
    row.output = tokenField(r, rec, ok, 1);
    if (const Json* h = rec.value.find("hash_ids"); h && !h->isNull()) {
        if (!h->isArray())
            r.fail(rec.line, "\"hash_ids\": expected an array of integers");
        for (const Json& id : h->asArray()) {
            if (!id.isInt())
                r.fail(rec.line, "\"hash_ids\": expected an array of integers, got " + id.dump());
            row.hashIds.push_back(id.asInt());
        }
    }
    return row;
}

// Mixes two numbers into a seed (splitmix64's finaliser), so neighbouring
// lines or hash ids give unrelated word sequences.
uint64_t mix(uint64_t a, uint64_t b)
{
    uint64_t z = a * 0x9E3779B97F4A7C15ull + b + 0x632BE59BD9B4E019ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// A prompt of exactly row.input words: block k of hash_ids is the same words
// wherever that id appears (so requests sharing ids share a prefix, as in the
// Mooncake trace), the rest is this request's own.
std::string traceText(const TraceRow& row, const DatasetOptions& opt)
{
    std::string text;
    int64_t words = 0;
    for (int64_t id : row.hashIds) {
        if (words >= row.input)
            break;
        std::mt19937_64 rng(mix(opt.seed, static_cast<uint64_t>(id)));
        if (words)
            text.push_back(' ');
        int64_t n = std::min(opt.blockTokens, row.input - words);
        appendSyntheticWords(text, n, rng);
        words += n;
    }
    if (words < row.input) {
        std::mt19937_64 rng(mix(opt.seed ^ 0x5A5A5A5A5A5A5A5Aull, static_cast<uint64_t>(row.line)));
        if (words)
            text.push_back(' ');
        appendSyntheticWords(text, row.input - words, rng);
    }
    return text;
}

// Fisher-Yates with the run's seed, written out because std::shuffle's
// algorithm is implementation-defined: every node must get the same order.
template <typename T>
void seededShuffle(std::vector<T>& v, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    for (size_t i = v.size(); i > 1; --i)
        std::swap(v[i - 1], v[static_cast<size_t>(rng() % i)]);
}

void failEmptyTask(const DatasetOptions& opt, size_t records)
{
    throw ConfigError("params.dataset: " + opt.path + ": task " + std::to_string(opt.taskIndex) + " of " +
                      std::to_string(opt.tasks) + " gets no requests (" + std::to_string(records) +
                      " records to share; tasks take records i, i+tasks, ...)");
}

}  // namespace

const char* datasetFormatName(DatasetFormat f)
{
    switch (f) {
    case DatasetFormat::Auto: return "auto";
    case DatasetFormat::Prompts: return "prompts";
    case DatasetFormat::ShareGpt: return "sharegpt";
    case DatasetFormat::Trace: return "trace";
    }
    return "?";
}

int64_t countWords(std::string_view text)
{
    int64_t words = 0;
    bool inWord = false;
    for (char c : text) {
        bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
        words += (!space && !inWord) ? 1 : 0;
        inWord = !space;
    }
    return words;
}

void appendSyntheticWords(std::string& out, int64_t words, std::mt19937_64& rng)
{
    constexpr size_t nWords = sizeof kWords / sizeof kWords[0];
    for (int64_t t = 0; t < words; ++t) {
        if (t)
            out.push_back(' ');
        out += kWords[rng() % nWords];
    }
}

Dataset loadDataset(const DatasetOptions& opt)
{
    Reader reader(opt);
    bool jsonArray = false;
    std::vector<Record> records;
    {
        std::string text = reader.readAll();
        records = reader.records(text, jsonArray);
    }
    if (records.empty())
        reader.failFile("has no records");
    Dataset ds;
    ds.format = opt.format == DatasetFormat::Auto ? detect(reader, records.front()) : opt.format;
    if (jsonArray && ds.format != DatasetFormat::ShareGpt)
        reader.failFile(std::string("is a JSON array; a ") + datasetFormatName(ds.format) +
                        " dataset is JSONL (one object per line)");

    if (ds.format == DatasetFormat::Trace) {
        std::vector<TraceRow> rows;
        for (const Record& rec : records) {
            rows.push_back(traceRecord(reader, rec));
            if (rows.size() > 1 && rows.back().timestamp < rows[rows.size() - 2].timestamp)
                reader.fail(rec.line, "timestamp " + Json(rows.back().timestamp).dump() + " is before the previous record's " +
                                          Json(rows[rows.size() - 2].timestamp).dump() + " (a trace is in time order)");
        }
        if (opt.sample > 0 && static_cast<size_t>(opt.sample) < rows.size())
            rows.resize(static_cast<size_t>(opt.sample));  // a trace is cut, never shuffled: its times matter
        double unitS = opt.timestampUnitS > 0 ? opt.timestampUnitS
                       : records.front().value.find("Timestamp") ? 1.0  // BurstGPT: seconds
                                                                 : 1e-3;  // Mooncake: milliseconds
        const double t0 = rows.front().timestamp;
        int64_t bytes = 0;
        for (size_t i = static_cast<size_t>(opt.taskIndex); i < rows.size(); i += static_cast<size_t>(opt.tasks)) {
            const TraceRow& row = rows[i];
            bytes += row.input * 8;
            if (bytes > kMaxDatasetTextBytes)
                reader.fail(row.line, "the prompts up to here take over " + std::to_string(kMaxDatasetTextBytes) +
                                          " bytes (prompts are built before the run); sample fewer with params.num_prompts");
            DatasetRequest q;
            q.line = row.line;
            q.text = traceText(row, opt);
            q.inputTokens = row.input;
            q.maxTokens = row.output;
            q.atNs = std::llround((row.timestamp - t0) * unitS * opt.timeScale * 1e9);
            ds.sessionStart.push_back(ds.requests.size());
            ds.requests.push_back(std::move(q));
        }
        if (ds.requests.empty())
            failEmptyTask(opt, rows.size());
        return ds;
    }

    std::vector<std::vector<DatasetRequest>> sessions;
    for (const Record& rec : records) {
        // A record of another format is named as such; one of none gets the
        // dataset format's own error below.
        if (DatasetFormat f = formatOf(rec); opt.format == DatasetFormat::Auto && f != DatasetFormat::Auto && f != ds.format)
            reader.fail(rec.line, std::string("a ") + datasetFormatName(f) + " record in a " +
                                      datasetFormatName(ds.format) + " dataset (format taken from line " +
                                      std::to_string(records.front().line) + ")");
        auto reqs = ds.format == DatasetFormat::ShareGpt ? shareGptRecord(reader, rec, opt.multiTurn)
                                                         : promptRecord(reader, rec, opt.defaultMaxTokens);
        if (reqs.empty())
            ++ds.skipped;
        else
            sessions.push_back(std::move(reqs));
    }
    if (sessions.empty())
        reader.failFile("has no usable records (a sharegpt conversation needs a human turn followed by a gpt answer)");
    if (opt.shuffle)
        seededShuffle(sessions, opt.seed);
    if (opt.sample > 0 && static_cast<size_t>(opt.sample) < sessions.size())
        sessions.resize(static_cast<size_t>(opt.sample));
    int64_t bytes = 0;
    for (size_t i = static_cast<size_t>(opt.taskIndex); i < sessions.size(); i += static_cast<size_t>(opt.tasks)) {
        ds.sessionStart.push_back(ds.requests.size());
        for (DatasetRequest& q : sessions[i]) {
            bytes += static_cast<int64_t>(q.text.size());
            if (bytes > kMaxDatasetTextBytes)
                reader.fail(q.line, "the prompts up to here take over " + std::to_string(kMaxDatasetTextBytes) +
                                        " bytes; sample fewer with params.num_prompts");
            ds.requests.push_back(std::move(q));
        }
    }
    if (ds.requests.empty())
        failEmptyTask(opt, sessions.size());
    return ds;
}

}  // namespace fbload
