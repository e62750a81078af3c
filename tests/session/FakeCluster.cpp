#include "FakeCluster.h"

#include "recipe/BatchScriptGenerator.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QPromise>
#include <QRegularExpression>
#include <QTimer>

#include <memory>

namespace fb::test {

namespace {

// One word of a POSIX shell command line from `pos`: '…' quoting, \x, plain
// characters, up to an unquoted blank. The engine quotes with shellQuote only.
QString shellWord(const QString &s, int pos)
{
    QString out;
    while (pos < s.size() && s[pos] == QLatin1Char(' '))
        ++pos;
    while (pos < s.size() && s[pos] != QLatin1Char(' ')) {
        const QChar c = s[pos];
        if (c == QLatin1Char('\'')) {
            const int close = s.indexOf(QLatin1Char('\''), pos + 1);
            out += s.mid(pos + 1, close - pos - 1);
            pos = close + 1;
        } else if (c == QLatin1Char('\\') && pos + 1 < s.size()) {
            out += s[pos + 1];
            pos += 2;
        } else {
            out += c;
            ++pos;
        }
    }
    return out;
}

QString wordAfter(const QString &s, const QString &marker)
{
    const int i = s.indexOf(marker);
    return i < 0 ? QString() : shellWord(s, i + marker.size());
}

QStringList words(const QString &s, int from)
{
    QStringList out;
    int pos = from;
    while (pos < s.size()) {
        while (pos < s.size() && s[pos] == QLatin1Char(' '))
            ++pos;
        if (pos >= s.size())
            break;
        out << shellWord(s, pos);
        // skip the word just read
        bool quoted = false;
        while (pos < s.size() && (quoted || s[pos] != QLatin1Char(' '))) {
            if (s[pos] == QLatin1Char('\''))
                quoted = !quoted;
            ++pos;
        }
    }
    return out;
}

template<typename T>
QFuture<T> lateAnswer(const T &value)
{
    auto p = std::make_shared<QPromise<T>>();
    p->start();
    QTimer::singleShot(100, [p, value] {
        p->addResult(value);
        p->finish();
    });
    return p->future();
}

CommandResult ok(const QByteArray &out = {})
{
    CommandResult r;
    r.exitCode = 0;
    r.stdOut = out;
    return r;
}

} // namespace

int FakeCluster::submissions(const QString &trialId, const QString &component) const
{
    return int(std::count_if(jobs.begin(), jobs.end(), [&](const FakeJob &j) { return j.trialId == trialId && j.component == component; }));
}

FakeJob *FakeCluster::job(const QString &id)
{
    for (FakeJob &j : jobs)
        if (j.id == id)
            return &j;
    return nullptr;
}

QByteArray FakeCluster::resultText(const FakeJob &j) const
{
    return QStringLiteral("{\"trial\":\"%1\",\"client\":\"%2\",\"requests\":%3}\n").arg(j.trialId, j.name(), j.id).toUtf8();
}

void FakeCluster::tick(const QStringList &ids)
{
    for (const QString &id : ids) {
        FakeJob *j = job(id);
        if (!j || j->terminal())
            continue;
        ++j->polls;
        if (j->state == QLatin1String("PENDING") && j->polls > pendingPolls) {
            if (j->role() == QLatin1String("service") && failingServiceTrials.contains(j->trialId)) {
                j->state = QStringLiteral("FAILED");
                j->exitCode = 3;
                continue;
            }
            j->state = QStringLiteral("RUNNING");
            if (j->role() == QLatin1String("client"))
                clientStartOrder << j->trialId;
        } else if (j->state == QLatin1String("RUNNING") && j->role() == QLatin1String("service") && serviceLifePolls > 0
                   && servicesKilled == 0 && j->polls > pendingPolls + serviceLifePolls) {
            j->state = QStringLiteral("FAILED");
            j->exitCode = 137;
            ++servicesKilled;
        } else if (j->state == QLatin1String("RUNNING") && j->role() == QLatin1String("client") && j->polls > pendingPolls + clientPolls) {
            if (failingTrials.contains(j->trialId)) {
                j->state = QStringLiteral("FAILED");
                j->exitCode = 1;
            } else {
                j->state = QStringLiteral("COMPLETED");
                j->exitCode = 0;
                remoteFiles.insert(j->trialDir + QStringLiteral("/result-") + recipe::BatchScriptGenerator::safeName(j->name()) + QStringLiteral(".json"),
                                   resultText(*j));
            }
        }
    }
    QSet<QString> running;
    for (const FakeJob &j : std::as_const(jobs))
        if (j.role() == QLatin1String("client") && j.state == QLatin1String("RUNNING"))
            running.insert(j.runId + QLatin1Char('/') + j.trialId);
    maxTrialsRunning = std::max(maxTrialsRunning, int(running.size()));
}

CommandResult FakeCluster::answer(const QString &c)
{
    if (c.contains(QLatin1String("&& pwd -P")))
        return ok(wordAfter(c, QStringLiteral("cd ")).toUtf8() + '\n');
    if (c.startsWith(QLatin1String("chmod 600 ")) || c.startsWith(QLatin1String("umask 077 && mkdir -p ")))
        return ok();
    if (c.contains(QLatin1String("sbatch --parsable"))) {
        FakeJob j;
        const QStringList w = words(c, c.indexOf(QLatin1String("sbatch")));
        for (const QString &a : w) {
            if (a.startsWith(QLatin1String("--chdir=")))
                j.trialDir = a.mid(8);
            if (a.startsWith(QLatin1String("--comment=factorybench:"))) {
                const QString rest = a.mid(QStringLiteral("--comment=factorybench:").size());
                j.runId = rest.section(QLatin1Char(':'), 0, 0);
                j.trialId = rest.section(QLatin1Char(':'), 1, 1);
                j.component = rest.section(QLatin1Char(':'), 2);
            }
        }
        j.id = QString::number(m_nextId++);
        jobs << j;
        return ok(j.id.toUtf8() + '\n');
    }
    if (c.startsWith(QLatin1String("squeue --me"))) {
        QByteArray out;
        const bool all = c.contains(QLatin1String("--states=all"));
        for (const FakeJob &j : std::as_const(jobs))
            if ((all || !j.terminal()))
                out += QStringLiteral("%1|factorybench:%2:%3:%4|%5\n").arg(j.id, j.runId, j.trialId, j.component, j.state).toUtf8();
        return ok(out);
    }
    if (c.startsWith(QLatin1String("squeue --noheader --states=all --jobs="))) {
        static const QRegularExpression ids(QStringLiteral("--jobs=([0-9_,]+)"));
        const QStringList list = ids.match(c).captured(1).split(QLatin1Char(','), Qt::SkipEmptyParts);
        tick(list);
        QByteArray out;
        for (const QString &id : list)
            if (const FakeJob *j = job(id); j && !j->terminal())
                out += QStringLiteral("%1|fb-%2|%3|%4|%5|0:01|5:00|cpu|/o|/e|N/A|N/A|\n")
                           .arg(j->id, j->name(), j->state, j->state == QLatin1String("PENDING") ? QStringLiteral("Priority") : QStringLiteral("None"),
                                j->state == QLatin1String("PENDING") ? QString() : QStringLiteral("node1"))
                           .toUtf8();
        return ok(out);
    }
    if (c.startsWith(QLatin1String("if sacct"))) {
        static const QRegularExpression ids(QStringLiteral("-j ([0-9_,]+)"));
        QByteArray out;
        for (const QString &id : ids.match(c).captured(1).split(QLatin1Char(','), Qt::SkipEmptyParts))
            if (const FakeJob *j = job(id); j && j->terminal())
                out += QStringLiteral("%1|fb-%2|%3|%4|node1|00:00:01|N/A|N/A|cpu\n")
                           .arg(j->id, j->name(), j->cancelled ? QStringLiteral("CANCELLED by 1000") : j->state,
                                j->cancelled ? QStringLiteral("0:15") : QStringLiteral("%1:0").arg(std::max(0, j->exitCode)))
                           .toUtf8();
        return ok(out);
    }
    if (c.startsWith(QLatin1String("scancel "))) {
        for (const QString &id : c.mid(8).split(QLatin1Char(' '), Qt::SkipEmptyParts))
            if (FakeJob *j = job(id); j && !j->terminal()) {
                j->state = QStringLiteral("CANCELLED");
                j->cancelled = true;
            }
        return ok();
    }
    if (c.contains(QLatin1String("service-*.endpoint"))) {
        const QString dir = wordAfter(c, QStringLiteral("cd "));
        QByteArray out;
        for (const FakeJob &j : std::as_const(jobs))
            if (j.trialDir == dir && j.role() == QLatin1String("service") && j.state == QLatin1String("RUNNING"))
                out += QStringLiteral("service-%1.endpoint node1 6379\n").arg(recipe::BatchScriptGenerator::safeName(j.name())).toUtf8();
        return ok(out);
    }
    if (c.contains(QLatin1String("monitor.endpoint")))
        return ok("node1 9090\n");
    if (c.contains(QLatin1String("result-*.json"))) {
        const QString dir = wordAfter(c, QStringLiteral("cd "));
        QByteArray out;
        for (auto it = remoteFiles.cbegin(); it != remoteFiles.cend(); ++it)
            if (it.key().startsWith(dir + QStringLiteral("/result-")))
                out += QByteArray::number(it.value().size()) + ' ' + QCryptographicHash::hash(it.value(), QCryptographicHash::Sha256).toHex()
                    + "  " + it.key().mid(dir.size() + 1).toUtf8() + '\n';
        return ok(out);
    }
    if (c.contains(QLatin1String("&& ls -1"))) {
        const QString dir = wordAfter(c, QStringLiteral("cd ")).chopped(5); // "<trial>/logs"
        QByteArray out;
        for (const FakeJob &j : std::as_const(jobs))
            if (j.trialDir == dir && j.state != QLatin1String("PENDING")) {
                const QString name = QStringLiteral("%1-%2-%3.out").arg(j.role(), recipe::BatchScriptGenerator::safeName(j.name()), j.id);
                out += name.toUtf8() + '\n';
                remoteFiles.insert(dir + QStringLiteral("/logs/") + name, QStringLiteral("2026-01-01T00:00:00Z %1 started\n").arg(j.component).toUtf8());
            }
        return ok(out);
    }
    if (c.startsWith(QLatin1String("tail -n 20 ")))
        return ok("fake log tail: boom\n");
    unknownCommands << c;
    return ok();
}

QFuture<CommandResult> FakeCluster::run(const QString &command, int)
{
    const int step = ++m_step;
    commands << command;
    if (m_dead) {
        CommandResult gone;
        gone.error = QStringLiteral("fake: the cluster crashed at step %1").arg(crashAtStep);
        return lateAnswer(gone);
    }
    const CommandResult r = answer(command);
    if (step == crashAtStep) {
        m_dead = true;
        if (onCrash)
            onCrash();
        CommandResult lost;
        lost.error = QStringLiteral("fake: crashed");
        return lateAnswer(lost);
    }
    return QtFuture::makeReadyFuture(r);
}

QFuture<QString> FakeCluster::uploadFile(const QString &localPath, const QString &remotePath)
{
    const int step = ++m_step;
    commands << QStringLiteral("upload ") + remotePath;
    if (m_dead)
        return lateAnswer(QStringLiteral("fake: the cluster crashed"));
    QFile f(localPath);
    const QString error = f.open(QIODevice::ReadOnly) ? QString() : QStringLiteral("fake: cannot read %1").arg(localPath);
    if (error.isEmpty()) {
        remoteFiles.insert(remotePath, f.readAll());
        uploads[remotePath] << remoteFiles.value(remotePath);
    }
    if (step == crashAtStep) {
        m_dead = true;
        if (onCrash)
            onCrash();
        return lateAnswer(QStringLiteral("fake: crashed"));
    }
    return QtFuture::makeReadyFuture(error);
}

QFuture<QString> FakeCluster::downloadFile(const QString &remotePath, const QString &localPath)
{
    const int step = ++m_step;
    commands << QStringLiteral("download ") + remotePath;
    if (m_dead)
        return lateAnswer(QStringLiteral("fake: the cluster crashed"));
    QString error;
    if (!remoteFiles.contains(remotePath)) {
        error = QStringLiteral("fake: no file %1").arg(remotePath);
    } else {
        QDir().mkpath(QFileInfo(localPath).absolutePath());
        QFile f(localPath);
        if (!f.open(QIODevice::WriteOnly) || f.write(remotePath.isEmpty() ? QByteArray() : remoteFiles.value(remotePath)) < 0)
            error = QStringLiteral("fake: cannot write %1").arg(localPath);
    }
    if (step == crashAtStep) {
        m_dead = true;
        if (onCrash)
            onCrash();
        return lateAnswer(QStringLiteral("fake: crashed"));
    }
    ++answeredDownloads[remotePath];
    return QtFuture::makeReadyFuture(error);
}

} // namespace fb::test
