#include "Command.h"

#include "ssh/ConnectionProfile.h"

#include <cstdio>

namespace fb::cli {

std::vector<Command> &registry()
{
    static std::vector<Command> commands;
    return commands;
}

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

bool loadProfile(const QString &name, const QString &file, ConnectionProfile *p)
{
    QString error;
    const bool ok = !file.isEmpty() ? ProfileStore::loadFile(file, p, &error) : ProfileStore().load(name, p, &error);
    if (!ok)
        err() << "fbctl: " << error << '\n';
    return ok;
}

} // namespace fb::cli
