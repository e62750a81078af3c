#include "recipe/CharacterColumns.h"

#include <QString>

#include <algorithm>

namespace fb::recipe::detail {

CharacterColumns::CharacterColumns(const QByteArray &utf8)
    : m_text(utf8)
{
    m_ascii = std::none_of(utf8.cbegin(), utf8.cend(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    if (m_ascii)
        return;
    m_lineStarts.append(0);
    for (qsizetype i = 0; i < utf8.size(); ++i)
        if (utf8[i] == '\n')
            m_lineStarts.append(i + 1);
}

int CharacterColumns::column(int line, int byteColumn) const
{
    if (m_ascii || line <= 0 || byteColumn <= 0 || line > m_lineStarts.size())
        return byteColumn;
    const qsizetype start = m_lineStarts[line - 1];
    const qsizetype end = line < m_lineStarts.size() ? m_lineStarts[line] : m_text.size();
    const qsizetype bytes = std::min<qsizetype>(byteColumn - 1, end - start);
    return int(QString::fromUtf8(m_text.constData() + start, bytes).size()) + 1;
}

} // namespace fb::recipe::detail
