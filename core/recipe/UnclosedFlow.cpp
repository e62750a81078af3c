#include "recipe/UnclosedFlow.h"

#include <QList>
#include <QStringList>

namespace fb::recipe {

namespace {

struct Open
{
    QChar c;
    int line = -1; // -1: none
    int column = 0;
    explicit operator bool() const { return line >= 0; }
    void reset() { line = -1; }
};

bool isBlank(QChar c) { return c == QLatin1Char(' ') || c == QLatin1Char('\t'); }

int indentOf(const QString &line)
{
    int i = 0;
    while (i < line.size() && isBlank(line[i]))
        ++i;
    return i;
}

} // namespace

std::optional<UnclosedFlow> findUnclosedFlow(const QString &text)
{
    QList<Open> flows;               // open `{` / `[`, innermost last
    Open quote;                      // an open quoted scalar, when set
    bool atNode = true;              // block context: the next non-blank character starts a node
    int nodeColumn = 0;              // block context: column of the current node (key or `-`)
    int blockScalarAbove = -1;       // inside a `|` / `>` scalar: lines indented more than this
    QChar previous;                  // flow context: last significant character

    const QStringList lines = text.split(QLatin1Char('\n'));
    for (int li = 0; li < lines.size(); ++li) {
        QString line = lines[li];
        if (line.endsWith(QLatin1Char('\r')))
            line.chop(1);
        int i = 0;
        if (!quote && flows.isEmpty()) {
            const int indent = indentOf(line);
            if (blockScalarAbove >= 0) {
                if (indent == line.size() || indent > blockScalarAbove)
                    continue; // scalar text: brackets there are content
                blockScalarAbove = -1;
            }
            atNode = true;
            nodeColumn = indent;
            i = indent;
        }
        for (; i < line.size(); ++i) {
            const QChar c = line[i];
            const QChar next = i + 1 < line.size() ? line[i + 1] : QChar();
            if (quote) {
                if (quote.c == QLatin1Char('"')) {
                    if (c == QLatin1Char('\\'))
                        ++i; // an escape: the next character is text
                    else if (c == QLatin1Char('"'))
                        quote.reset();
                } else if (c == QLatin1Char('\'')) {
                    if (next == QLatin1Char('\''))
                        ++i; // '' is a quote inside single quotes
                    else
                        quote.reset();
                }
                if (!quote)
                    previous = c;
                continue;
            }
            if (isBlank(c))
                continue;
            if (c == QLatin1Char('#') && (i == 0 || isBlank(line[i - 1])))
                break; // a comment runs to the end of the line
            if (!flows.isEmpty()) { // flow context: brackets nest; a plain scalar cannot hold them
                if (c == QLatin1Char('{') || c == QLatin1Char('[')) {
                    flows.append({c, li, i});
                } else if (c == QLatin1Char('}') || c == QLatin1Char(']')) {
                    flows.removeLast();
                    if (flows.isEmpty())
                        atNode = false; // back in block context, after the collection
                } else if ((c == QLatin1Char('"') || c == QLatin1Char('\''))
                           && (previous.isNull() || QStringLiteral("[{,:?").contains(previous))) {
                    quote = Open{c, li, i};
                }
                previous = c;
                continue;
            }
            // Block context.
            if (atNode) {
                if (c == QLatin1Char('-') && (next.isNull() || isBlank(next))) {
                    nodeColumn = i; // a sequence entry; its node follows
                    continue;
                }
                if (c == QLatin1Char('{') || c == QLatin1Char('[')) {
                    flows.append({c, li, i});
                    previous = c;
                    continue;
                }
                if (c == QLatin1Char('|') || c == QLatin1Char('>')) {
                    blockScalarAbove = nodeColumn;
                    break; // the rest of the line is the header (indicators, comment)
                }
                if (c == QLatin1Char('&') || c == QLatin1Char('!')) { // anchor or tag: the node follows it
                    while (i + 1 < line.size() && !isBlank(line[i + 1]))
                        ++i;
                    continue;
                }
                atNode = false;
                if (c == QLatin1Char('"') || c == QLatin1Char('\'')) {
                    quote = Open{c, li, i};
                    continue;
                }
                nodeColumn = i; // a plain scalar, or the key of a mapping entry
            }
            if (c == QLatin1Char(':') && (next.isNull() || isBlank(next)))
                atNode = true; // the value of "key: value" starts after the colon
        }
    }
    if (quote && !flows.isEmpty())
        return UnclosedFlow{quote.c, quote.line + 1, quote.column + 1};
    if (!flows.isEmpty())
        return UnclosedFlow{flows.last().c, flows.last().line + 1, flows.last().column + 1};
    return std::nullopt;
}

} // namespace fb::recipe
