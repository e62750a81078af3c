// SHA-256 through OpenSSL (libssh's own crypto library): it uses the CPU's
// SHA extensions, several times faster than QCryptographicHash, which
// matters because transfers hash every byte they move. Internal to core/ssh.
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <openssl/evp.h>

namespace fb {

class Sha256
{
public:
    Sha256() : m_ctx(EVP_MD_CTX_new()) { reset(); }
    ~Sha256() { EVP_MD_CTX_free(m_ctx); }
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;
    void reset() { EVP_DigestInit_ex(m_ctx, EVP_sha256(), nullptr); }
    void addData(QByteArrayView data) { EVP_DigestUpdate(m_ctx, data.data(), size_t(data.size())); }
    QByteArray result()
    {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_DigestFinal_ex(m_ctx, digest, &len);
        reset();
        return QByteArray(reinterpret_cast<const char *>(digest), int(len));
    }

private:
    EVP_MD_CTX *m_ctx;
};

} // namespace fb
