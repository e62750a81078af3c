// YamlPrescan: a cheap, linear pass over recipe text before yaml-cpp parses
// it, and the limits every recipe document is held to (docs/recipe-format.md,
// "Limits"). Private to the loader.
//
// Why hand-written: yaml-cpp 0.7 recurses while parsing nested collections and
// stops at ~500 levels with the bare message "bad file"; it also accepts a
// quoted scalar whose closing quote is missing (it runs to the end of the
// file and swallows every later line). The pre-scan follows just enough of
// YAML's lexical structure (indentation, `- ` and `key:` openers, flow
// brackets, quoted and block scalars, comments) to report, with line:column,
//  - nesting deeper than kMaxNesting collections,
//  - a quote that is never closed,
//  - text larger than kMaxRecipeBytes or holding more than kMaxDocumentValues values,
// and it records where quoted scalars span several lines, so that the loader
// can refuse those in one-line fields (names), and which `{` or `[` is never
// closed (yaml-cpp marks such an error where it gave up, often the next line). What it cannot see — depth and
// size built from aliases — the loader checks on the parsed tree.
#pragma once

#include <QByteArray>
#include <QSet>
#include <QString>

#include <optional>

namespace fb::recipe::detail {

// Collections inside collections in one document (a recipe needs about 10).
inline constexpr int kMaxNesting = 64;
// Recipe text (a recipe is written by hand; data sets are files).
inline constexpr qsizetype kMaxRecipeBytes = 4 << 20;
// Keys, list items and scalars written in one document: yaml-cpp holds each
// in about 500 bytes, so this keeps parsing near 25 MB (a recipe with a
// 10,000-value sweep list needs about 10,500).
inline constexpr qint64 kMaxDocumentValues = 50000;
// Free-form fields (params, settings) once aliases are expanded: levels below
// the field, values in the whole document, and bytes of scalar text.
inline constexpr int kMaxFreeFormDepth = 32;
// Well under the document limits: the app saves a recipe with its aliases
// expanded, and what it saves must load again.
inline constexpr qint64 kMaxFreeFormValues = 20000;
inline constexpr qint64 kMaxFreeFormBytes = 1 << 20;
// sweep.max_trials: a campaign of more trials than this is not one a Slurm
// cluster runs (its default MaxJobCount is 10000 jobs); expanding it takes
// about 0.5 s and 60 MB.
inline constexpr int kMaxTrials = 10000;

struct PrescanError
{
    int line = 0;   // 1-based
    int column = 0; // 1-based
    QString path;   // the field, as far as the scan can tell ("clients[0].params")
    QString message;
};

// A flow collection's opening bracket.
struct OpenBracket
{
    char bracket = 0; // '{' or '['
    int line = 0;     // 1-based
    int column = 0;   // 1-based, in bytes
};

struct Prescan
{
    std::optional<PrescanError> error;
    // The innermost `{` / `[` still open at the end of the text (not an error
    // by itself: the loader uses it when yaml-cpp fails on an unclosed flow).
    std::optional<OpenBracket> unclosedFlow;
    // 1-based (line << 32 | column) of every quoted scalar that spans lines.
    QSet<quint64> multiLineQuoted;
    static quint64 key(int line, int column) { return (quint64(line) << 32) | quint32(column); }
};

// `text` is exactly what yaml-cpp will parse (UTF-8); columns count bytes, as
// yaml-cpp's marks do.
Prescan prescanYaml(const QByteArray &text);

} // namespace fb::recipe::detail
