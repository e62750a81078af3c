// Shared by the SSH tests and benchmarks: the mini-cluster's profile, a
// prompter with canned answers that records what it was asked, a way to kill
// the sshd process serving one connection (a network failure as the client
// sees it), and a monitor of the test thread's event loop.
#pragma once

#include "ssh/ConnectionProfile.h"
#include "ssh/SshAuthPrompter.h"

#include <QElapsedTimer>
#include <QFile>
#include <QList>
#include <QProcess>
#include <QRegularExpression>
#include <QThread>
#include <QTimer>
#include <QtConcurrent>

#include <csignal>
#include <sys/types.h>

namespace fbtest {

inline QString clusterDir() { return qEnvironmentVariable("FB_CLUSTER_DIR"); }

inline bool clusterProfile(fb::ConnectionProfile *p, QString *error)
{
    if (clusterDir().isEmpty()) {
        *error = QStringLiteral("FB_CLUSTER_DIR is not set (run through ctest: label cluster)");
        return false;
    }
    return fb::ProfileStore::loadFile(clusterDir() + QStringLiteral("/profile.json"), p, error);
}

// Runs a local program to completion; returns its stdout (stderr goes to *err).
inline QByteArray runLocal(const QString &program, const QStringList &args, int *exitCode = nullptr,
                           QByteArray *err = nullptr, int timeoutMs = 30000)
{
    QProcess p;
    p.start(program, args);
    p.waitForFinished(timeoutMs);
    if (exitCode)
        *exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    if (err)
        *err = p.readAllStandardError();
    return p.readAllStandardOutput();
}

// OpenSSH's fingerprint of a public key file: "SHA256:…".
inline QString opensshFingerprint(const QString &pubFile)
{
    const QByteArray out = runLocal(QStringLiteral("ssh-keygen"), {QStringLiteral("-lf"), pubFile});
    return QString::fromLatin1(out).section(QLatin1Char(' '), 1, 1);
}

// Kills (SIGKILL) the sshd processes holding the TCP connection whose client
// end is 127.0.0.1:clientPort: the per-connection sshd, never the listener.
// Repeats until no process holds it (right after login, privilege separation
// may still be forking the session's child). Returns how many were killed.
inline int killSshdConnection(int sshPort, quint16 clientPort)
{
    const QString filter = QStringLiteral("( sport = :%1 and dport = :%2 )").arg(sshPort).arg(clientPort);
    static const QRegularExpression pidRe(QStringLiteral("pid=(\\d+)"));
    int killed = 0;
    for (int round = 0; round < 50; ++round) {
        const QString out = QString::fromLatin1(runLocal(
            QStringLiteral("ss"), {QStringLiteral("-Htnp"), QStringLiteral("state"), QStringLiteral("established"), filter}));
        QList<qint64> pids;
        for (auto it = pidRe.globalMatch(out); it.hasNext();) {
            const qint64 pid = it.next().captured(1).toLongLong();
            if (!pids.contains(pid))
                pids << pid;
        }
        if (pids.isEmpty())
            break;
        for (qint64 pid : pids)
            if (::kill(pid_t(pid), SIGKILL) == 0)
                ++killed;
        QThread::msleep(50);
    }
    return killed;
}

// Stops (SIGSTOP) the sshd processes of one connection: the link goes silent
// without closing, as when a network path dies. Returns their pids, to be
// killed (SIGKILL) by the caller afterwards.
inline QList<qint64> freezeSshdConnection(int sshPort, quint16 clientPort)
{
    const QString filter = QStringLiteral("( sport = :%1 and dport = :%2 )").arg(sshPort).arg(clientPort);
    static const QRegularExpression pidRe(QStringLiteral("pid=(\\d+)"));
    const QString out = QString::fromLatin1(runLocal(
        QStringLiteral("ss"), {QStringLiteral("-Htnp"), QStringLiteral("state"), QStringLiteral("established"), filter}));
    QList<qint64> pids;
    for (auto it = pidRe.globalMatch(out); it.hasNext();) {
        const qint64 pid = it.next().captured(1).toLongLong();
        if (!pids.contains(pid) && ::kill(pid_t(pid), SIGSTOP) == 0)
            pids << pid;
    }
    return pids;
}

// Canned answers; records every question.
class TestPrompter : public fb::SshAuthPrompter
{
public:
    QList<QByteArray> passphrases;       // answered in order; empty list: decline
    QList<QList<QByteArray>> kbdAnswers; // one list per round
    bool acceptHost = false;
    int passphraseAsked = 0;
    int kbdRounds = 0;
    QStringList kbdPrompts;
    int hostAsked = 0;
    QString hostFingerprint, hostKnownFile, hostName;

    QFuture<fb::SshSecret> passphrase(const QString &, int) override
    {
        ++passphraseAsked;
        if (passphrases.isEmpty())
            return {};
        return QtFuture::makeReadyFuture(fb::SshSecret(passphrases.takeFirst()));
    }
    QFuture<QList<fb::SshSecret>> keyboardInteractive(const QString &, const QString &,
                                                      const QList<fb::SshPrompt> &prompts) override
    {
        ++kbdRounds;
        for (const auto &p : prompts)
            kbdPrompts << p.text;
        if (kbdAnswers.isEmpty())
            return {};
        QList<fb::SshSecret> answers;
        for (const QByteArray &a : kbdAnswers.takeFirst())
            answers << fb::SshSecret(a);
        return QtFuture::makeReadyFuture(answers);
    }
    QFuture<fb::SshSecret> password(const QString &) override { return {}; }
    QFuture<bool> confirmHostKey(const QString &host, const QString &, const QString &fingerprint,
                                 const QString &knownHostsFile) override
    {
        ++hostAsked;
        hostName = host;
        hostFingerprint = fingerprint;
        hostKnownFile = knownHostsFile;
        return QtFuture::makeReadyFuture(acceptHost);
    }
};

// Measures the longest gap between ticks of a 5 ms timer on the current
// thread: how long the event loop was held by anything, including the calls
// made between ticks.
class StallMonitor : public QObject
{
public:
    StallMonitor()
    {
        m_timer.setInterval(5);
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            m_worst = qMax(m_worst, m_clock.restart());
        });
    }
    void start()
    {
        m_worst = 0;
        m_clock.start();
        m_timer.start();
    }
    qint64 worstMs() const { return qMax(m_worst, m_clock.elapsed()); }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_worst = 0;
};

} // namespace fbtest
