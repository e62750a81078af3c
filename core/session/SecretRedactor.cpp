#include "SecretRedactor.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

#include <algorithm>

namespace fb::session {

bool SecretRedactor::isSecretName(const QString &fieldName)
{
    static const QRegularExpression re(QStringLiteral("pass(word|wd)?$|secret|token|api[_-]?key|access[_-]?key|authorization|credential"),
                                       QRegularExpression::CaseInsensitiveOption);
    return re.match(fieldName).hasMatch();
}

SecretRedactor::SecretRedactor(const recipe::Recipe &recipe)
{
    auto fromEnvironment = [this](const recipe::KeyValueList &env) {
        for (const recipe::KeyValue &kv : env)
            if (isSecretName(kv.key))
                add(kv.value);
    };
    for (const recipe::Service &s : recipe.services) {
        collect(s.settings, false);
        fromEnvironment(s.environment);
    }
    for (const recipe::Client &c : recipe.clients) {
        collect(c.params, false);
        fromEnvironment(c.environment);
    }
    std::sort(m_secrets.begin(), m_secrets.end(), [](const QString &a, const QString &b) { return a.size() > b.size(); });
}

void SecretRedactor::add(const QString &value)
{
    // Values of a character or two would blank out ordinary text; they are
    // not secrets worth the name, and the validator warns about them.
    if (value.size() >= 3 && !m_secrets.contains(value))
        m_secrets << value;
}

void SecretRedactor::collect(const QJsonValue &value, bool secret)
{
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            collect(it.value(), secret || isSecretName(it.key()));
    } else if (value.isArray()) {
        for (const QJsonValue &v : value.toArray())
            collect(v, secret);
    } else if (secret && value.isString()) {
        add(value.toString());
    } else if (secret && value.isDouble()) {
        add(QString::number(value.toDouble(), 'g', 17));
    }
}

QString SecretRedactor::redact(const QString &text) const
{
    QString out = text;
    for (const QString &s : m_secrets)
        out.replace(s, QLatin1String(kPlaceholder));
    return out;
}

QByteArray SecretRedactor::redact(const QByteArray &text) const
{
    return m_secrets.isEmpty() ? text : redact(QString::fromUtf8(text)).toUtf8();
}

} // namespace fb::session
