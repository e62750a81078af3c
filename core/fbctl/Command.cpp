#include "Command.h"

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

} // namespace fb::cli
