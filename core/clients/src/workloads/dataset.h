// Dataset: the requests of an llm run read from params.dataset, in the order
// they are sent (docs/fbload.md, "Datasets and trace replay").
//
// Four kinds of file, told apart by their first record (or params.dataset_format):
//   prompts   JSONL, {"prompt": "..."} or {"messages": [...]}, optional max_tokens
//   sharegpt  JSON array or JSONL of {"conversations": [{"from", "value"}...]}:
//             the first human turn is the prompt, the recorded answer's length
//             sets max_tokens; with multi_turn every human turn is a request
//             whose prompt is the conversation so far (one session per conversation)
//   trace     JSONL of {timestamp, input_tokens, output_tokens} (Mooncake's
//             input_length/output_length/hash_ids and BurstGPT's column names
//             too; BurstGPT's .csv as published): synthetic prompts of exactly input_tokens words, sent at the
//             trace's own times scaled by time_scale
// Sampling (a seeded shuffle, num_prompts) and the split over the tasks of a
// multi-instance client depend only on the file, the seed and the task
// numbers, so every node computes the same requests. Loaded once by the llm
// workload at start-up; read-only afterwards. Errors are ConfigError naming
// "params.dataset: FILE:LINE: ...".
#pragma once

#include "../json.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace fbload {

enum class DatasetFormat { Auto, Prompts, ShareGpt, Trace };

struct DatasetOptions {
    std::string path;
    DatasetFormat format = DatasetFormat::Auto;
    bool multiTurn = false;       // sharegpt: one request per human turn
    bool shuffle = true;          // prompts and sharegpt: seeded shuffle before sampling
    int64_t sample = 0;           // num_prompts: this many records (sessions), 0 = all
    double timeScale = 1.0;       // trace: send time = (timestamp - first) * timeScale
    double timestampUnitS = 0;    // trace: seconds per timestamp unit, 0 = by column name
    int64_t blockTokens = 512;    // trace: tokens per hash_ids block (Mooncake: 512)
    int64_t defaultMaxTokens = 128;
    uint64_t seed = 1;
    int taskIndex = 0, tasks = 1;
};

// One request as read (not yet rendered into an API body).
struct DatasetRequest {
    std::string text;       // the prompt (completions APIs); for chat, the messages' contents
    Json messages;          // chat history (array of {role, content}), null for one user message
    int64_t inputTokens;    // fbload's estimate: the number of whitespace-separated words
    int64_t maxTokens;
    int64_t atNs = -1;      // trace: send time from the run start, scaled; -1 untimed
    int line = 0;           // where it came from (1-based), for the request log
};

struct Dataset {
    DatasetFormat format = DatasetFormat::Prompts;
    std::vector<DatasetRequest> requests;  // this task's share, in send order
    // Index of each session's first request; a session's requests are
    // consecutive. Single-turn records are sessions of one request.
    std::vector<size_t> sessionStart;
    size_t skipped = 0;                    // sharegpt records with no prompt/answer pair
    bool timed() const { return format == DatasetFormat::Trace; }
};

// The largest dataset file read (a bigger one is refused, naming the limit).
constexpr int64_t kMaxDatasetBytes = int64_t{1} << 30;
// The most text all requests of one task may hold once synthesised (bodies are rendered up front).
constexpr int64_t kMaxDatasetTextBytes = int64_t{2} << 30;

const char* datasetFormatName(DatasetFormat f);
// Throws ConfigError naming params.dataset (and FILE:LINE where a record is at fault).
Dataset loadDataset(const DatasetOptions& opt);

// fbload's input-token estimate: whitespace-separated words.
int64_t countWords(std::string_view text);
// Appends `words` common English words that BPE tokenizers encode as one token
// each (space-separated, no leading space): a prompt of `words` tokens.
void appendSyntheticWords(std::string& out, int64_t words, std::mt19937_64& rng);

}  // namespace fbload
