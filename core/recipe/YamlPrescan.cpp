#include "recipe/YamlPrescan.h"

#include <QList>

namespace fb::recipe::detail {

namespace {

// One open block collection: a mapping (its current key) or a sequence (its
// current index), opened at a column.
struct Block
{
    int column = 0;
    bool sequence = false;
    QByteArray key;
    int index = 0;
};

class Scanner
{
public:
    explicit Scanner(const QByteArray &text) : m_text(text) {}

    Prescan run()
    {
        if (m_text.size() > kMaxRecipeBytes) {
            m_out.error = PrescanError{1, 1, QString(), QStringLiteral("the recipe is %1 bytes; a recipe may be at most %2 MiB")
                                                 .arg(m_text.size()).arg(kMaxRecipeBytes >> 20)};
            return m_out;
        }
        qsizetype start = 0;
        while (start <= m_text.size() && !m_out.error) {
            qsizetype end = m_text.indexOf('\n', start);
            if (end < 0)
                end = m_text.size();
            ++m_line;
            qsizetype len = end - start;
            if (len > 0 && m_text[start + len - 1] == '\r')
                --len;
            line(m_text.constData() + start, int(len));
            start = end + 1;
        }
        if (!m_out.error && !m_quote && !m_flows.isEmpty())
            m_out.unclosedFlow = m_flows.last();
        if (!m_out.error && m_quote)
            m_out.error = PrescanError{m_quoteLine, m_quoteColumn + 1, m_quotePath,
                                       QStringLiteral("this %1-quoted string is never closed: it runs to the end of the file and swallows every line after it (add the closing %2)")
                                           .arg(m_quote == '"' ? QStringLiteral("double") : QStringLiteral("single"))
                                           .arg(QLatin1Char(m_quote))};
        return m_out;
    }

private:
    const QByteArray &m_text;
    Prescan m_out;
    QList<Block> m_blocks;
    int m_line = 0;
    qint64 m_values = 0;
    QList<OpenBracket> m_flows;  // open [ and { brackets, innermost last
    bool m_tokenStart = true;    // in flow context: the next character starts a value
    char m_quote = 0;            // an open quoted scalar: its quote character
    int m_quoteLine = 0, m_quoteColumn = 0;
    QString m_quotePath;
    int m_blockScalarParent = kNoBlockScalar; // lines indented more than this belong to a | or > scalar
    int m_plainParent = kNoBlockScalar;       // ... or continue a plain scalar ("it's" there is text, not a quote)
    static constexpr int kNoBlockScalar = -2;

    static bool isSpace(char c) { return c == ' ' || c == '\t'; }
    static int skipSpaces(const char *s, int n, int i)
    {
        while (i < n && isSpace(s[i]))
            ++i;
        return i;
    }

    QString path() const
    {
        QString p;
        for (const Block &b : m_blocks) {
            if (b.sequence)
                p += QStringLiteral("[%1]").arg(b.index);
            else
                p += (p.isEmpty() ? QString() : QStringLiteral(".")) + QString::fromUtf8(b.key);
        }
        return p;
    }

    // One more key, item or scalar: yaml-cpp needs about 500 bytes for each.
    bool countValue(int column)
    {
        if (++m_values <= kMaxDocumentValues)
            return true;
        m_out.error = PrescanError{m_line, column + 1, path(),
                                   QStringLiteral("the recipe holds more than %1 values (keys, list items and scalars); a recipe may hold at most %1").arg(kMaxDocumentValues)};
        return false;
    }

    bool depthOk(int column)
    {
        if (m_blocks.size() + m_flows.size() <= kMaxNesting)
            return true;
        m_out.error = PrescanError{m_line, column + 1, path(),
                                   QStringLiteral("collections are nested more than %1 levels deep; a recipe may nest at most %1").arg(kMaxNesting)};
        return false;
    }

    // A `key:` at `column`: a sibling of the key at that column, or a new mapping.
    bool mapKey(int column, const QByteArray &key)
    {
        if (!countValue(column))
            return false;
        while (!m_blocks.isEmpty() && (m_blocks.last().column > column || (m_blocks.last().column == column && m_blocks.last().sequence)))
            m_blocks.removeLast();
        if (!m_blocks.isEmpty() && m_blocks.last().column == column) {
            m_blocks.last().key = key;
            return true;
        }
        m_blocks.append({column, false, key, 0});
        return depthOk(column);
    }

    // A `- ` at `column`: the next item of the sequence there, or a new one
    // (a sequence may sit at the column of its parent key).
    bool sequenceItem(int column)
    {
        if (!countValue(column))
            return false;
        while (!m_blocks.isEmpty() && m_blocks.last().column > column)
            m_blocks.removeLast();
        if (!m_blocks.isEmpty() && m_blocks.last().column == column && m_blocks.last().sequence) {
            ++m_blocks.last().index;
            return true;
        }
        m_blocks.append({column, true, {}, 0});
        return depthOk(column);
    }

    // Scans an open quoted scalar from `i`; returns the index after its
    // closing quote, or n when it goes on to the next line.
    int quoted(const char *s, int n, int i)
    {
        while (i < n) {
            const char c = s[i];
            if (m_quote == '"' && c == '\\') {
                i += 2;
                continue;
            }
            if (c == m_quote) {
                if (m_quote == '\'' && i + 1 < n && s[i + 1] == '\'') {
                    i += 2;
                    continue;
                }
                if (m_quoteLine != m_line)
                    m_out.multiLineQuoted.insert(Prescan::key(m_quoteLine, m_quoteColumn + 1));
                m_quote = 0;
                return i + 1;
            }
            ++i;
        }
        return n;
    }

    // A quoted scalar opening at column i; returns the index after it (n if it goes on).
    int openQuote(const char *s, int n, int i)
    {
        m_quote = s[i];
        m_quoteLine = m_line;
        m_quoteColumn = i;
        const int end = quoted(s, n, i + 1);
        if (m_quote)
            m_quotePath = path(); // where an unclosed quote is reported
        return end;
    }

    // Flow context ([…], {…}) from `i` to the end of the line or of the outermost bracket.
    bool flow(const char *s, int n, int i)
    {
        while (i < n && !m_flows.isEmpty()) {
            const char c = s[i];
            if (isSpace(c)) {
                ++i;
            } else if (c == '#' && (i == 0 || isSpace(s[i - 1]))) {
                return true;
            } else if (c == '[' || c == '{') {
                m_flows.append({c, m_line, i + 1});
                if (!depthOk(i) || !countValue(i))
                    return false;
                m_tokenStart = true;
                ++i;
            } else if (c == ']' || c == '}') {
                m_flows.removeLast();
                m_tokenStart = false;
                ++i;
            } else if (c == ',') {
                m_tokenStart = true;
                ++i;
            } else if (c == ':' && (i + 1 == n || isSpace(s[i + 1]) || s[i + 1] == ',' || s[i + 1] == ']' || s[i + 1] == '}')) {
                m_tokenStart = true;
                ++i;
            } else if ((c == '"' || c == '\'') && m_tokenStart) {
                if (!countValue(i))
                    return false;
                i = openQuote(s, n, i);
                m_tokenStart = false;
            } else if ((c == '&' || c == '!') && m_tokenStart) {
                while (i < n && !isSpace(s[i]) && s[i] != ',' && s[i] != ']' && s[i] != '}')
                    ++i;
            } else {
                if (m_tokenStart && !countValue(i))
                    return false;
                m_tokenStart = false;
                ++i;
            }
        }
        return true;
    }

    // A block value from `i`: anchors and tags, then a flow collection, a
    // quoted scalar, a block scalar or plain text.
    bool value(const char *s, int n, int i, int parentColumn)
    {
        while (i < n && (s[i] == '&' || s[i] == '!')) {
            while (i < n && !isSpace(s[i]))
                ++i;
            i = skipSpaces(s, n, i);
        }
        if (i >= n || s[i] == '#')
            return true;
        if (!countValue(i))
            return false;
        const char c = s[i];
        if (c == '[' || c == '{') {
            m_flows.append({c, m_line, i + 1});
            if (!depthOk(i))
                return false;
            m_tokenStart = true;
            return flow(s, n, i + 1);
        }
        if (c == '"' || c == '\'') {
            openQuote(s, n, i);
            return true;
        }
        if (c == '|' || c == '>') {
            int j = i + 1;
            while (j < n && (s[j] == '+' || s[j] == '-' || (s[j] >= '0' && s[j] <= '9')))
                ++j;
            j = skipSpaces(s, n, j);
            if (j >= n || s[j] == '#')
                m_blockScalarParent = parentColumn;
            return true;
        }
        if (c != '*')
            m_plainParent = parentColumn;
        return true;
    }

    // The column of the ':' ending a key that starts at `i`, or -1.
    static int keyColon(const char *s, int n, int i)
    {
        int j = i;
        if (s[i] == '"' || s[i] == '\'') {
            const char q = s[i];
            for (j = i + 1; j < n; ++j) {
                if (q == '"' && s[j] == '\\') { ++j; continue; }
                if (s[j] == q) {
                    if (q == '\'' && j + 1 < n && s[j + 1] == '\'') { ++j; continue; }
                    break;
                }
            }
            if (j >= n)
                return -1;
            j = skipSpaces(s, n, j + 1);
            return j < n && s[j] == ':' && (j + 1 == n || isSpace(s[j + 1])) ? j : -1;
        }
        if (QByteArrayView("[{&!*|>%@`").contains(s[i]))
            return -1;
        for (; j < n; ++j) {
            if (s[j] == ':' && (j + 1 == n || isSpace(s[j + 1])))
                return j;
            if (s[j] == '#' && j > i && isSpace(s[j - 1]))
                return -1;
        }
        return -1;
    }

    bool line(const char *s, int n)
    {
        int i = 0;
        if (m_quote) {
            i = quoted(s, n, 0);
            if (m_quote || m_flows.isEmpty())
                return true;
            return flow(s, n, i);
        }
        if (!m_flows.isEmpty())
            return flow(s, n, 0);
        const int indent = skipSpaces(s, n, 0);
        if (m_blockScalarParent != kNoBlockScalar) {
            if (indent >= n || indent > m_blockScalarParent)
                return true;
            m_blockScalarParent = kNoBlockScalar;
        }
        if (m_plainParent != kNoBlockScalar) {
            if (indent >= n || (indent > m_plainParent && s[indent] != '#'))
                return true;
            m_plainParent = kNoBlockScalar;
        }
        if (indent >= n || s[indent] == '#')
            return true;
        if (indent == 0 && n >= 3 && (qstrncmp(s, "---", 3) == 0 || qstrncmp(s, "...", 3) == 0) && (n == 3 || isSpace(s[3]))) {
            m_blocks.clear(); // a new document
            return true;
        }
        if (indent == 0 && s[0] == '%')
            return true; // a directive
        i = indent;
        int parent = indent - 1;
        while (i < n && (s[i] == '-' || s[i] == '?') && (i + 1 == n || isSpace(s[i + 1]))) {
            if (!(s[i] == '-' ? sequenceItem(i) : mapKey(i, QByteArray("?"))))
                return false;
            parent = i;
            i = skipSpaces(s, n, i + 1);
        }
        if (i >= n || s[i] == '#')
            return true;
        const int colon = keyColon(s, n, i);
        if (colon >= 0) {
            QByteArray key(s + i, colon - i);
            key = key.trimmed();
            if (key.size() >= 2 && (key.startsWith('"') || key.startsWith('\'')))
                key = key.mid(1, key.size() - 2);
            if (!mapKey(i, key))
                return false;
            parent = i;
            i = skipSpaces(s, n, colon + 1);
        }
        return value(s, n, i, parent);
    }
};

} // namespace

Prescan prescanYaml(const QByteArray &text)
{
    return Scanner(text).run();
}

} // namespace fb::recipe::detail
