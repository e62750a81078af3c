// fbctl connect | exec | put | get | tunnel | ssh-import — the SSH layer (core/ssh) from
// the command line, over a saved profile (--profile NAME) or a profile JSON
// file (--profile-file PATH, e.g. the mini-cluster's). Secrets are asked on
// the terminal (/dev/tty, echo off); without a terminal nothing can be asked
// and the connection fails instead of hanging (like OpenSSH's BatchMode).
#include "Command.h"

#include "ssh/ConnectionProfile.h"
#include "ssh/SshAuthPrompter.h"
#include "ssh/SshConfigImport.h"
#include "ssh/SshConnection.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QSocketNotifier>
#include <QTimer>

#include <atomic>
#include <csignal>
#include <cstdio>
#ifdef _WIN32
#  include <windows.h>
#else
#  include <termios.h>
#  include <unistd.h>
#endif

namespace fb::cli {
namespace {

// Reads one line from the controlling terminal, echo off unless `echo`.
// Returns false when there is no terminal (batch use).
#ifdef _WIN32
bool readTerminal(const QString &prompt, bool echo, QByteArray *line)
{
    // The console itself, not stdin/stdout (which may be redirected).
    HANDLE in = CreateFileW(L"CONIN$", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                            OPEN_EXISTING, 0, nullptr);
    if (in == INVALID_HANDLE_VALUE)
        return false;
    FILE *out = std::fopen("CONOUT$", "w");
    DWORD saved = 0;
    const bool isConsole = GetConsoleMode(in, &saved) != 0;
    if (isConsole && !echo)
        SetConsoleMode(in, saved & ~DWORD(ENABLE_ECHO_INPUT));
    if (out) {
        std::fputs(prompt.toLocal8Bit().constData(), out);
        std::fflush(out);
    }
    char buf[1024];
    DWORD n = 0;
    const bool got = ReadFile(in, buf, sizeof buf - 1, &n, nullptr) != 0;
    if (isConsole && !echo) {
        SetConsoleMode(in, saved);
        if (out)
            std::fputs("\n", out);
    }
    if (out)
        std::fclose(out);
    CloseHandle(in);
    if (got) {
        QByteArray text(buf, int(n));
        while (text.endsWith('\n') || text.endsWith('\r'))
            text.chop(1);
        *line = text;
        secureWipe(buf, sizeof buf);
    }
    return got;
}

#else
bool readTerminal(const QString &prompt, bool echo, QByteArray *line)
{
    FILE *tty = std::fopen("/dev/tty", "r+");
    if (!tty)
        return false;
    const int fd = fileno(tty);
    termios saved{};
    const bool isTty = tcgetattr(fd, &saved) == 0;
    if (isTty && !echo) {
        termios quiet = saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    std::fputs(prompt.toLocal8Bit().constData(), tty);
    std::fflush(tty);
    char buf[1024];
    const bool got = std::fgets(buf, sizeof buf, tty) != nullptr;
    if (isTty && !echo) {
        tcsetattr(fd, TCSAFLUSH, &saved);
        std::fputs("\n", tty);
    }
    std::fclose(tty);
    if (got) {
        *line = QByteArray(buf).chopped(QByteArray(buf).endsWith('\n') ? 1 : 0);
        secureWipe(buf, sizeof buf);
    }
    return got;
}
#endif

class TerminalPrompter : public SshAuthPrompter
{
public:
    bool acceptNewHost = false;

    QFuture<SshSecret> passphrase(const QString &keyPath, int) override
    {
        return secret(QStringLiteral("Enter passphrase for key '%1': ").arg(keyPath));
    }
    QFuture<QList<SshSecret>> keyboardInteractive(const QString &name, const QString &instruction,
                                                  const QList<SshPrompt> &prompts) override
    {
        if (!name.isEmpty())
            err() << name << '\n';
        if (!instruction.isEmpty())
            err() << instruction << '\n';
        err().flush();
        QList<SshSecret> answers;
        for (const SshPrompt &p : prompts) {
            QByteArray line;
            if (!readTerminal(p.text, p.echo, &line))
                return {};
            answers << SshSecret(line);
        }
        return QtFuture::makeReadyFuture(answers);
    }
    QFuture<SshSecret> password(const QString &userAtHost) override
    {
        return secret(QStringLiteral("%1's password: ").arg(userAtHost));
    }
    QFuture<bool> confirmHostKey(const QString &host, const QString &keyType, const QString &fingerprint,
                                 const QString &knownHostsFile) override
    {
        err() << "The authenticity of host '" << host << "' can't be established.\n"
              << keyType << " key fingerprint is " << fingerprint << ".\n";
        err().flush();
        if (acceptNewHost) {
            err() << "Adding it to " << knownHostsFile << " (--accept-new-host).\n";
            return QtFuture::makeReadyFuture(true);
        }
        QByteArray answer;
        if (!readTerminal(QStringLiteral("Add it to %1 and continue connecting (yes/no)? ").arg(knownHostsFile), true,
                          &answer))
            return QtFuture::makeReadyFuture(false);
        return QtFuture::makeReadyFuture(answer.trimmed() == "yes");
    }

private:
    QFuture<SshSecret> secret(const QString &prompt)
    {
        QByteArray line;
        if (!readTerminal(prompt, false, &line))
            return {};
        return QtFuture::makeReadyFuture(SshSecret(line));
    }
};

struct Options
{
    ConnectionProfile profile;
    bool acceptNewHost = false;
    int timeoutSeconds = 0;
    quint16 localPort = 0;
    QStringList positional;
};

const char *const kProfileUsage = "(--profile NAME | --profile-file PATH) [--accept-new-host]";

// Parses the options shared by all SSH commands; on error prints it and returns the exit code.
int parseOptions(const QStringList &args, Options *o, bool takesTimeout, bool takesLocalPort)
{
    QString name, file;
    bool rest = false;
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        auto value = [&](QString *dst) {
            if (i + 1 >= args.size())
                return false;
            *dst = args[++i];
            return true;
        };
        QString v;
        if (rest) {
            o->positional << a;
        } else if (a == QLatin1String("--")) {
            rest = true;
        } else if (a == QLatin1String("--profile")) {
            if (!value(&name))
                return err() << "fbctl: --profile needs a NAME\n", Usage;
        } else if (a == QLatin1String("--profile-file")) {
            if (!value(&file))
                return err() << "fbctl: --profile-file needs a PATH\n", Usage;
        } else if (a == QLatin1String("--accept-new-host")) {
            o->acceptNewHost = true;
        } else if (takesTimeout && a == QLatin1String("--timeout")) {
            bool ok = false;
            if (!value(&v) || (o->timeoutSeconds = v.toInt(&ok), !ok) || o->timeoutSeconds < 0)
                return err() << "fbctl: --timeout needs a number of seconds\n", Usage;
        } else if (takesLocalPort && a == QLatin1String("--local-port")) {
            bool ok = false;
            const uint port = value(&v) ? v.toUInt(&ok) : 0;
            if (!ok || port > 65535)
                return err() << "fbctl: --local-port needs a port number (0: any free port)\n", Usage;
            o->localPort = quint16(port);
        } else if (a.startsWith(QLatin1String("--")) && a.size() > 2) {
            return err() << "fbctl: unknown option " << a << '\n', Usage;
        } else {
            o->positional << a;
        }
    }
    if (name.isEmpty() == file.isEmpty())
        return err() << "fbctl: give exactly one of --profile NAME or --profile-file PATH\n", Usage;
    QString error;
    const bool loaded = file.isEmpty() ? ProfileStore().load(name, &o->profile, &error)
                                       : ProfileStore::loadFile(file, &o->profile, &error);
    if (!loaded)
        return err() << "fbctl: " << error << '\n', InvalidInput;
    return Ok;
}

// Connects, reporting state changes on stderr; returns Ok or Connection.
int connectNow(SshConnection &c)
{
    QEventLoop loop;
    QObject::connect(&c, &SshConnection::stateChanged, &loop, [&](SshConnection::State s, const QString &) {
        if (s == SshConnection::State::Ready || s == SshConnection::State::Failed)
            loop.quit();
    });
    c.connectToHost();
    if (c.state() != SshConnection::State::Ready && c.state() != SshConnection::State::Failed)
        loop.exec();
    if (c.state() != SshConnection::State::Ready) {
        err() << "fbctl: " << c.errorString() << '\n';
        return Connection;
    }
    return Ok;
}

// Stops `loop` on SIGINT/SIGTERM (a self-pipe: signal handlers may only write()).
#ifdef _WIN32
// No self-pipe on Windows: the handler sets a flag that a timer polls.
std::atomic<bool> g_stopRequested{false};
void onSignal(int) { g_stopRequested = true; }
#else
int g_signalPipe[2] = {-1, -1};
void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_signalPipe[1], &c, 1);
}
#endif

int connectCommand(const QStringList &args)
{
    if (args.value(0) == QLatin1String("--help"))
        return out() << "usage: fbctl connect " << kProfileUsage << "\n"
                     << "Connects and authenticates (checking the host key), then disconnects.\n", Ok;
    Options o;
    if (const int rc = parseOptions(args, &o, false, false))
        return rc;
    if (!o.positional.isEmpty())
        return err() << "usage: fbctl connect " << kProfileUsage << '\n', Usage;
    TerminalPrompter prompter;
    prompter.acceptNewHost = o.acceptNewHost;
    SshConnection c(o.profile, &prompter);
    if (const int rc = connectNow(c))
        return rc;
    out() << "connected to " << c.target() << '\n';
    return Ok;
}

int execCommand(const QStringList &args)
{
    const QString usage = QStringLiteral("usage: fbctl exec %1 [--timeout SECONDS] [--] COMMAND [ARG…]\n"
                                         "Runs COMMAND through the remote shell (words joined by spaces, as ssh "
                                         "does); exits with its exit status.\n").arg(QLatin1String(kProfileUsage));
    if (args.value(0) == QLatin1String("--help"))
        return out() << usage, Ok;
    Options o;
    if (const int rc = parseOptions(args, &o, true, false))
        return rc;
    if (o.positional.isEmpty())
        return err() << usage, Usage;
    TerminalPrompter prompter;
    prompter.acceptNewHost = o.acceptNewHost;
    SshConnection c(o.profile, &prompter);
    if (const int rc = connectNow(c))
        return rc;
    SshProcess *p = c.start(o.positional.join(QLatin1Char(' ')), o.timeoutSeconds * 1000);
    QFile stdOut, stdErr;
    stdOut.open(stdout, QIODevice::WriteOnly | QIODevice::Unbuffered);
    stdErr.open(stderr, QIODevice::WriteOnly | QIODevice::Unbuffered);
    out().flush();
    QObject::connect(p, &SshProcess::standardOutputReady, p, [&](const QByteArray &b) { stdOut.write(b); });
    QObject::connect(p, &SshProcess::standardErrorReady, p, [&](const QByteArray &b) { stdErr.write(b); });
    QEventLoop loop;
    QObject::connect(p, &SshProcess::finished, &loop, &QEventLoop::quit);
    if (!p->isFinished())
        loop.exec();
    const SshCommandResult r = p->result();
    if (!r.error.isEmpty()) {
        err() << "fbctl: " << c.target() << ": " << r.error << '\n';
        return r.timedOut || r.cancelled ? Failed : Connection;
    }
    return r.exitStatus >= 0 ? r.exitStatus : Failed;
}

int transferCommand(const QStringList &args, bool upload)
{
    const QString usage = upload
        ? QStringLiteral("usage: fbctl put %1 LOCAL REMOTE\n").arg(QLatin1String(kProfileUsage))
        : QStringLiteral("usage: fbctl get %1 REMOTE LOCAL\n").arg(QLatin1String(kProfileUsage));
    if (args.value(0) == QLatin1String("--help"))
        return out() << usage
                     << "Copies a file or folder over SFTP: written to <target>.part, checked by SHA-256, then "
                        "renamed; an interrupted copy resumes.\n", Ok;
    Options o;
    if (const int rc = parseOptions(args, &o, false, false))
        return rc;
    if (o.positional.size() != 2)
        return err() << usage, Usage;
    TerminalPrompter prompter;
    prompter.acceptNewHost = o.acceptNewHost;
    SshConnection c(o.profile, &prompter);
    if (const int rc = connectNow(c))
        return rc;
    SshTransfer *t = upload ? c.upload(o.positional[0], o.positional[1]) : c.download(o.positional[0], o.positional[1]);
    QEventLoop loop;
    QObject::connect(t, &SshTransfer::finished, &loop, &QEventLoop::quit);
    if (!t->isFinished())
        loop.exec();
    const SshTransferResult r = t->result();
    if (!r.ok) {
        err() << "fbctl: " << r.error << '\n';
        return Failed;
    }
    out() << (upload ? "uploaded " : "downloaded ") << r.files << (r.files == 1 ? " file, " : " files, ") << r.bytes
          << " bytes; sha256 " << r.sha256 << '\n';
    return Ok;
}

int tunnelCommand(const QStringList &args)
{
    const QString usage = QStringLiteral("usage: fbctl tunnel %1 [--local-port PORT] HOST:PORT\n"
                                         "Forwards 127.0.0.1:PORT (any free port by default) through the login node "
                                         "to HOST:PORT until interrupted (Ctrl-C).\n")
                              .arg(QLatin1String(kProfileUsage));
    if (args.value(0) == QLatin1String("--help"))
        return out() << usage, Ok;
    Options o;
    if (const int rc = parseOptions(args, &o, false, true))
        return rc;
    const QString dest = o.positional.value(0);
    const int colon = dest.lastIndexOf(QLatin1Char(':'));
    bool portOk = false;
    const uint remotePort = colon > 0 ? dest.mid(colon + 1).toUInt(&portOk) : 0;
    if (o.positional.size() != 1 || !portOk || remotePort == 0 || remotePort > 65535)
        return err() << usage, Usage;
    TerminalPrompter prompter;
    prompter.acceptNewHost = o.acceptNewHost;
    SshConnection c(o.profile, &prompter);
    if (const int rc = connectNow(c))
        return rc;
    SshTunnel *t = c.openTunnel(dest.left(colon), quint16(remotePort), o.localPort);
    QEventLoop loop;
    int rc = Ok;
    QObject::connect(t, &SshTunnel::stateChanged, &loop, [&](SshTunnel::State s, const QString &reason) {
        switch (s) {
        case SshTunnel::State::Listening:
            out() << "listening on 127.0.0.1:" << t->localPort() << " -> " << dest << " via " << c.target() << '\n';
            out().flush();
            break;
        case SshTunnel::State::Suspended:
            err() << "fbctl: tunnel suspended: " << reason << '\n';
            err().flush();
            break;
        case SshTunnel::State::Failed:
            err() << "fbctl: tunnel failed: " << reason << '\n';
            rc = Failed;
            loop.quit();
            break;
        case SshTunnel::State::Opening:
        case SshTunnel::State::Closed:
            break;
        }
    });
#ifdef _WIN32
    QTimer stop;
    QObject::connect(&stop, &QTimer::timeout, &loop, [&loop] {
        if (g_stopRequested)
            loop.quit();
    });
    stop.start(100);
#else
    if (::pipe(g_signalPipe) != 0)
        return err() << "fbctl: cannot create a pipe\n", Failed;
    QSocketNotifier stop(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&stop, &QSocketNotifier::activated, &loop, &QEventLoop::quit);
#endif
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    loop.exec();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (rc == Ok) {
        err() << "fbctl: closing the tunnel (" << t->totalConnections() << " connections, " << t->bytesToRemote()
              << " bytes out, " << t->bytesFromRemote() << " bytes in)\n";
        t->close();
    }
    return rc;
}

int sshImportCommand(const QStringList &args)
{
    const QString usage = QStringLiteral("usage: fbctl ssh-import [--config FILE] [--save]\n"
                                         "Lists the profiles made from the Host entries of ~/.ssh/config (or FILE); "
                                         "--save stores them (existing profiles of the same name are replaced).\n");
    QString file;
    bool save = false;
    for (int i = 0; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--help"))
            return out() << usage, Ok;
        if (args[i] == QLatin1String("--save"))
            save = true;
        else if (args[i] == QLatin1String("--config") && i + 1 < args.size())
            file = args[++i];
        else
            return err() << usage, Usage;
    }
    const SshConfigImport r = importSshConfig(file);
    if (!r.error.isEmpty())
        return err() << "fbctl: " << r.error << '\n', InvalidInput;
    for (const QString &n : r.notes)
        err() << "note: " << n << '\n';
    ProfileStore store;
    for (const ConnectionProfile &p : r.profiles) {
        out() << p.name << '\t' << p.user << '@' << p.host << ':' << p.port;
        if (!p.identityFile.isEmpty())
            out() << "\tkey " << p.identityFile;
        out() << '\n';
        QString error;
        if (save && !store.save(p, &error))
            return err() << "fbctl: " << error << '\n', Failed;
    }
    if (save)
        out() << "saved " << r.profiles.size() << " profiles in " << store.dir() << '\n';
    return Ok;
}

} // namespace

FB_FBCTL_COMMAND(QStringLiteral("ssh-import"), QStringLiteral("make profiles from ~/.ssh/config Host entries"),
                 sshImportCommand);
FB_FBCTL_COMMAND(QStringLiteral("connect"), QStringLiteral("connect and authenticate over SSH (checks the host key)"),
                 connectCommand);
FB_FBCTL_COMMAND(QStringLiteral("exec"), QStringLiteral("run a command on the login node"), execCommand);
FB_FBCTL_COMMAND(QStringLiteral("put"), QStringLiteral("upload a file or folder (SFTP, SHA-256 checked)"),
                 [](const QStringList &a) { return transferCommand(a, true); });
FB_FBCTL_COMMAND(QStringLiteral("get"), QStringLiteral("download a file or folder (SFTP, SHA-256 checked, resumes)"),
                 [](const QStringList &a) { return transferCommand(a, false); });
FB_FBCTL_COMMAND(QStringLiteral("tunnel"), QStringLiteral("forward a local port to HOST:PORT through the login node"),
                 tunnelCommand);

} // namespace fb::cli
