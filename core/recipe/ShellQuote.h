// ShellQuote: the one way recipe values reach a shell. Every name, value,
// argument and path from a recipe goes through shellQuote() (POSIX single
// quotes, a quote inside written as '\''), so no recipe text is ever parsed by
// the shell as code. BatchScriptGenerator is the only user; the functions are
// public so tests can hammer them directly.
//
// Two controlled exceptions, both expanding nothing but a fixed variable name:
//  - shellWord() turns {placeholder}s in commands and config files into
//    "${FB_…}" references chosen by the generator (the recipe picks which
//    placeholder, never the variable's text);
//  - shellPath() lets a path start with $VAR, ${VAR} or ~ (e.g. $SCRATCH),
//    expanded in double quotes; the rest of the path is single-quoted.
#pragma once

#include <QHash>
#include <QString>

namespace fb::recipe {

// 'text' with every ' written as '\''. NUL characters, which no shell value
// can hold, are dropped.
QString shellQuote(const QString &text);

// Like shellQuote(), but "{name}" becomes "${VAR}" for name → VAR in
// `placeholders`; "{{" is a literal "{". Unknown placeholders stay literal.
QString shellWord(const QString &text, const QHash<QString, QString> &placeholders);

// A path that may start with $VAR/, ${VAR}/ or ~/ (expanded), rest quoted.
QString shellPath(const QString &path);

// Values in #SBATCH lines are read by Slurm, not by a shell, so they are not
// quoted but must consist of [A-Za-z0-9_.,:=+/@%-] only (no space, quote, $ or newline).
bool isSbatchSafe(const QString &value);

// A valid shell variable name: [A-Za-z_][A-Za-z0-9_]*.
bool isShellIdentifier(const QString &name);

} // namespace fb::recipe
