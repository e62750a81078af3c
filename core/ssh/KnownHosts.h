// KnownHosts: reads OpenSSH known_hosts files to say WHERE a host's key is
// recorded (file and line), which libssh does not tell. libssh itself decides
// whether a key matches; this only serves error messages ("remove line 3 of
// ~/.ssh/known_hosts") and the tests. Hashed entries (HashKnownHosts yes,
// "|1|salt|hmac") are matched too.
#pragma once

#include <QList>
#include <QString>

namespace fb::KnownHosts {

struct Entry
{
    int line = 0;       // 1-based
    QString keyType;    // "ssh-ed25519"
    bool hashed = false;
    bool revoked = false; // "@revoked" marker
};

// "host" for port 22, "[host]:port" otherwise, as OpenSSH writes it.
QString hostPattern(const QString &host, int port);
// Lines of `file` that name host:port (plainly, by pattern list or hashed).
QList<Entry> findEntries(const QString &file, const QString &host, int port);

} // namespace fb::KnownHosts
