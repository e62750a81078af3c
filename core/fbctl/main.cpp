// fbctl — FactoryBench's headless command line. `fbctl --help` lists commands.
#include "AppFactory.h"
#include "Command.h"

#include "common/AppInfo.h"

#include <QCoreApplication>

#include <algorithm>

using namespace fb::cli;

namespace {
void printHelp()
{
    auto &cmds = registry();
    std::sort(cmds.begin(), cmds.end(), [](const Command &a, const Command &b) { return a.name < b.name; });
    out() << "usage: fbctl [--version] [--help] <command> [<args>]\n\ncommands:\n";
    for (const Command &c : cmds)
        out() << "  " << c.name.leftJustified(12) << c.summary << '\n';
    out() << "\n`fbctl <command> --help` describes a command. Exit codes: 0 ok, 1 failed, 2 usage,\n"
             "3 invalid recipe or profile, 4 SSH connection, 5 cancelled.\n";
    out().flush();
}
} // namespace

int main(int argc, char **argv)
{
    // A QCoreApplication, or what a drawing command registered (AppFactory.h).
    const std::unique_ptr<QCoreApplication> app = createApplication(argc, argv);
    fb::initApplication(*app);
    QStringList args = app->arguments().mid(1);
    if (args.isEmpty() || args.first() == QLatin1String("--help") || args.first() == QLatin1String("-h")) {
        printHelp();
        return args.isEmpty() ? Usage : Ok;
    }
    if (args.first() == QLatin1String("--version")) {
        out() << fb::versionLine(QStringLiteral("fbctl")) << '\n';
        return Ok;
    }
    const QString name = args.takeFirst();
    // `--help` anywhere before a `--` asks for the command's usage (never a
    // file or run named "--help"): every command answers {"--help"} with its
    // usage on stdout and exit 0. After `--` it belongs to the remote command (exec).
    const auto dashes = args.indexOf(QStringLiteral("--"));
    const bool help = args.mid(0, dashes < 0 ? args.size() : dashes).contains(QStringLiteral("--help"));
    for (const Command &c : registry())
        if (c.name == name)
            return c.run(help ? QStringList{QStringLiteral("--help")} : args);
    err() << "fbctl: unknown command \"" << name << "\"; `fbctl --help` lists the commands\n";
    return Usage;
}
