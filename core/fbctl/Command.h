// Command: one fbctl subcommand ("fbctl profile list", "fbctl run …"). Each
// area registers its commands in its own file through FB_FBCTL_COMMAND so that
// main.cpp only dispatches. Exit codes are shared by all commands (see
// docs/fbctl.md) so scripts can tell bad input from a failed campaign.
#pragma once

#include <QString>
#include <QStringList>
#include <QTextStream>

#include <functional>
#include <vector>

namespace fb {
struct ConnectionProfile;
}

namespace fb::cli {

enum ExitCode : int {
    Ok = 0,
    Failed = 1,        // the operation ran and failed (job failed, checks failed)
    Usage = 2,         // bad command line
    InvalidInput = 3,  // a recipe or profile that does not validate
    Connection = 4,    // SSH: cannot connect, authenticate or verify the host
    Cancelled = 5,     // interrupted by the user (Ctrl-C) or a cancel
};

struct Command
{
    QString name;      // "profile", "run", …
    QString summary;   // one line for `fbctl --help`
    std::function<int(const QStringList &args)> run; // args after the command name
};

std::vector<Command> &registry();

struct Registrar
{
    explicit Registrar(Command c) { registry().push_back(std::move(c)); }
};

QTextStream &out();
QTextStream &err();

// The profile named `name` from the profile store, or the JSON file `file`
// when given; on failure prints why and returns false.
bool loadProfile(const QString &name, const QString &file, ConnectionProfile *p);

} // namespace fb::cli

#define FB_FBCTL_CONCAT2(a, b) a##b
#define FB_FBCTL_CONCAT(a, b) FB_FBCTL_CONCAT2(a, b)
#define FB_FBCTL_COMMAND(...) \
    static const fb::cli::Registrar FB_FBCTL_CONCAT(fbctl_registrar_, __LINE__){fb::cli::Command{__VA_ARGS__}}
