#include "SshAuthPrompter.h"

#include <cstring>

namespace fb {

void secureWipe(void *data, size_t size)
{
    // volatile stores: a plain memset before free may be optimised away.
    auto *p = static_cast<volatile unsigned char *>(data);
    while (size--)
        *p++ = 0;
}

void SshSecret::wipe()
{
    if (!m_bytes.isEmpty() && !m_bytes.isDetached()) {
        // Shared with another SshSecret: the last owner wipes.
        m_bytes = QByteArray();
        return;
    }
    if (!m_bytes.isEmpty())
        secureWipe(m_bytes.data(), size_t(m_bytes.size()));
    m_bytes = QByteArray();
}

} // namespace fb
