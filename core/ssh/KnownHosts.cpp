#include "KnownHosts.h"

#include <QFile>
#include <QMessageAuthenticationCode>

namespace fb::KnownHosts {

QString hostPattern(const QString &host, int port)
{
    return port == 22 ? host : QStringLiteral("[%1]:%2").arg(host).arg(port);
}

namespace {
bool hashedMatch(const QByteArray &field, const QByteArray &name)
{
    // |1|base64(salt)|base64(HMAC-SHA1(salt, name))
    const QList<QByteArray> parts = field.split('|');
    if (parts.size() != 4 || parts[1] != "1")
        return false;
    const QByteArray salt = QByteArray::fromBase64(parts[2]);
    const QByteArray mac = QMessageAuthenticationCode::hash(name, salt, QCryptographicHash::Sha1);
    return mac == QByteArray::fromBase64(parts[3]);
}

// OpenSSH host patterns: '*' and '?' wildcards, '!' negation.
bool wildcardMatch(const QByteArray &pattern, const QByteArray &name)
{
    if (pattern.isEmpty())
        return name.isEmpty();
    if (pattern[0] == '*')
        return wildcardMatch(pattern.mid(1), name) || (!name.isEmpty() && wildcardMatch(pattern, name.mid(1)));
    if (name.isEmpty())
        return false;
    if (pattern[0] == '?' || pattern[0] == name[0])
        return wildcardMatch(pattern.mid(1), name.mid(1));
    return false;
}
} // namespace

QList<Entry> findEntries(const QString &file, const QString &host, int port)
{
    QList<Entry> out;
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    const QByteArray name = hostPattern(host, port).toUtf8();
    int lineNo = 0;
    while (!f.atEnd()) {
        ++lineNo;
        const QByteArray line = f.readLine().trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        QList<QByteArray> fields = line.simplified().split(' ');
        Entry e;
        e.line = lineNo;
        if (fields.first().startsWith('@')) {
            e.revoked = fields.first() == "@revoked";
            fields.removeFirst();
        }
        if (fields.size() < 3)
            continue;
        bool match = false, negated = false;
        if (fields[0].startsWith("|1|")) {
            match = hashedMatch(fields[0], name);
            e.hashed = true;
        } else {
            for (const QByteArray &p : fields[0].split(',')) {
                if (p.startsWith('!')) {
                    if (wildcardMatch(p.mid(1), name))
                        negated = true;
                } else if (wildcardMatch(p, name)) {
                    match = true;
                }
            }
        }
        if (match && !negated) {
            e.keyType = QString::fromLatin1(fields[1]);
            out.append(e);
        }
    }
    return out;
}

} // namespace fb::KnownHosts
