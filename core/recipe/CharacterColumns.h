// CharacterColumns: yaml-cpp's marks and the pre-scan count columns in bytes
// of UTF-8; people and editors count characters (after "µs" a byte column is
// one more than the character column). The loader turns every position it
// reports into characters with this. Columns are 1-based UTF-16 positions,
// what QTextCursor and Qt's editors use.
#pragma once

#include <QByteArray>
#include <QList>

namespace fb::recipe::detail {

class CharacterColumns
{
public:
    explicit CharacterColumns(const QByteArray &utf8); // kept by reference
    // `line` and `byteColumn` 1-based; an unknown place (0) stays 0.
    int column(int line, int byteColumn) const;

private:
    const QByteArray &m_text;
    bool m_ascii = true;          // then byte and character columns agree
    QList<qsizetype> m_lineStarts;
};

} // namespace fb::recipe::detail
