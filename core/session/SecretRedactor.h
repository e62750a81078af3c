// SecretRedactor: keeps a recipe's secrets (a Redis requirepass, database and
// S3 passwords, API keys and tokens) out of what FactoryBench stores on this
// machine: the run store's copy of the recipe, the local copies of the batch
// scripts, campaign events and logs. The cluster still gets the real values
// (the jobs need them) in owner-only files (see docs/ssh.md).
//
// A secret is the value of a field whose name says so (password, passwd,
// secret, token, api_key, access_key, authorization — any case, any depth) in
// a service's `settings` or `environment`, or a client's `params` or
// `environment`. Every occurrence of such a value in a text is replaced by
// kPlaceholder. A resumed run gets the secrets back from its recipe file
// (Campaign checks that the file, redacted, still matches the stored copy).
#pragma once

#include "recipe/Recipe.h"

#include <QStringList>

namespace fb::session {

class SecretRedactor
{
public:
    static constexpr const char *kPlaceholder = "<redacted>";

    SecretRedactor() = default;
    explicit SecretRedactor(const recipe::Recipe &recipe);

    bool isEmpty() const { return m_secrets.isEmpty(); }
    // `text` with every secret value replaced by kPlaceholder.
    QString redact(const QString &text) const;
    QByteArray redact(const QByteArray &text) const;
    static bool isSecretName(const QString &fieldName);

private:
    void add(const QString &value);
    void collect(const QJsonValue &value, bool secret);
    QStringList m_secrets; // longest first, so a secret that contains another is replaced whole
};

} // namespace fb::session
