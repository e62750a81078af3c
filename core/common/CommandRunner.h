// CommandRunner: runs one shell command on the cluster's login node and
// delivers its result asynchronously. The Slurm client, the fbload deployer
// and the campaign engine talk to the cluster only through this interface, so
// they work over the libssh connection (core/ssh) and, in tests or as a
// fallback, over the system's OpenSSH client (OpenSshRunner).
#pragma once

#include <QByteArray>
#include <QFuture>
#include <QString>

namespace fb {

struct CommandResult
{
    int exitCode = -1;     // the remote command's exit status; -1 if it did not run to completion
    QByteArray stdOut;
    QByteArray stdErr;
    QString error;         // transport failure (connection lost, timeout, cancelled); empty otherwise

    bool ok() const { return error.isEmpty() && exitCode == 0; }
    // One line for error messages: the transport error, else stderr's last line, else the exit code.
    QString describe() const;
};

class CommandRunner
{
public:
    virtual ~CommandRunner() = default;
    // Runs `command` through the remote user's shell. Never blocks the caller.
    virtual QFuture<CommandResult> run(const QString &command, int timeoutMs = 60000) = 0;
    // Where the commands go, for messages ("fbuser@127.0.0.1:2222").
    virtual QString destination() const = 0;
};

// Quotes one value for a POSIX shell: 'it'\''s' — the only safe way for recipe
// values, names and paths to reach a command line.
QString shellQuote(const QString &value);

} // namespace fb
