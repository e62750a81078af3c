#include "SlurmClient.h"

#include "HostList.h"

#include <QPromise>
#include <QRegularExpression>

#include <memory>

namespace fb::slurm {

namespace {
constexpr int kSqueueFields = 12;

QDateTime parseSlurmTime(const QString &s)
{
    if (s.isEmpty() || s == QLatin1String("Unknown") || s == QLatin1String("N/A") || s == QLatin1String("None"))
        return {};
    QDateTime t = QDateTime::fromString(s, Qt::ISODate);
    return t.isValid() ? t : QDateTime();
}

void setExitCode(JobInfo *job, const QString &text) // "3:0" → code 3, signal 0
{
    const QStringList parts = text.split(QLatin1Char(':'));
    bool ok = false;
    const int code = parts.value(0).toInt(&ok);
    if (ok) {
        job->exitCode = code;
        job->exitSignal = parts.value(1).toInt();
    }
}

void setNodes(JobInfo *job, const QString &list)
{
    job->nodeList = (list == QLatin1String("(null)") || list == QLatin1String("None assigned")) ? QString() : list;
    job->nodes = expandHostList(job->nodeList);
}
} // namespace

SlurmClient::SlurmClient(CommandRunner *runner, QObject *parent)
    : QObject(parent)
    , m_runner(runner)
{
}

bool SlurmClient::validJobId(const QString &id)
{
    static const QRegularExpression re(QStringLiteral("^\\d+(_\\d+)?$"));
    return re.match(id).hasMatch();
}

QString SlurmClient::sbatchCommand(const QString &remoteScript, const SubmitOptions &o)
{
    QStringList cmd{QStringLiteral("sbatch"), QStringLiteral("--parsable")};
    if (!o.jobName.isEmpty())
        cmd << QStringLiteral("--job-name=") + shellQuote(o.jobName);
    if (!o.workDir.isEmpty())
        cmd << QStringLiteral("--chdir=") + shellQuote(o.workDir);
    QStringList deps;
    if (!o.afterOk.isEmpty())
        deps << QStringLiteral("afterok:") + o.afterOk.join(QLatin1Char(':'));
    if (!o.afterAny.isEmpty())
        deps << QStringLiteral("afterany:") + o.afterAny.join(QLatin1Char(':'));
    if (!deps.isEmpty())
        cmd << QStringLiteral("--dependency=") + shellQuote(deps.join(QLatin1Char(',')));
    for (const QString &a : o.extraArgs)
        cmd << shellQuote(a);
    if (!remoteScript.isEmpty()) // empty with --wrap in extraArgs
        cmd << shellQuote(remoteScript);
    return (o.ownerOnlyFiles ? QStringLiteral("umask 077 && ") : QString()) + cmd.join(QLatin1Char(' '));
}

QString SlurmClient::squeueCommand(const QStringList &ids)
{
    // -O with a '|' suffix per field: fixed field count, names cannot contain
    // '|' (the batch-script generator restricts job names).
    return QStringLiteral("squeue --noheader --states=all --jobs=%1 "
                          "-O 'JobID:|,Name:|,State:|,Reason:|,NodeList:|,TimeUsed:|,TimeLimit:|,"
                          "Partition:|,StdOut:|,StdErr:|,StartTime:|,EndTime:|'")
        .arg(ids.join(QLatin1Char(',')));
}

QString SlurmClient::endStateCommand(const QStringList &ids)
{
    // sacct where accounting exists; otherwise scontrol, one job per call
    // (scontrol takes a single id), all within this one SSH round trip.
    return QStringLiteral("if sacct -n -P -X -j %1 -o JobID,JobName,State,ExitCode,NodeList,Elapsed,Start,End,Partition 2>/dev/null; "
                          "then :; else echo '#scontrol'; for j in %2; do scontrol -o show job \"$j\" 2>/dev/null; done; fi")
        .arg(ids.join(QLatin1Char(',')), ids.join(QLatin1Char(' ')));
}

QString SlurmClient::cancelCommand(const QStringList &ids, const QString &signal)
{
    QString cmd = QStringLiteral("scancel");
    if (!signal.isEmpty())
        cmd += QStringLiteral(" --signal=") + shellQuote(signal);
    return cmd + QLatin1Char(' ') + ids.join(QLatin1Char(' '));
}

SubmitResult SlurmClient::parseSbatch(const CommandResult &r, const QString &host)
{
    SubmitResult s;
    if (!r.ok()) {
        s.error = QStringLiteral("sbatch on %1 failed: %2").arg(host, r.describe());
        return s;
    }
    // --parsable prints "jobid" or "jobid;cluster"; warnings may precede it.
    const QList<QByteArray> lines = r.stdOut.trimmed().split('\n');
    const QString last = QString::fromUtf8(lines.isEmpty() ? QByteArray() : lines.last().trimmed());
    const QString id = last.section(QLatin1Char(';'), 0, 0);
    if (!validJobId(id)) {
        s.error = QStringLiteral("sbatch on %1 printed no job id: \"%2\"").arg(host, last);
        return s;
    }
    s.jobId = id;
    return s;
}

QList<JobInfo> SlurmClient::parseSqueue(const QByteArray &out)
{
    QList<JobInfo> jobs;
    for (const QByteArray &rawLine : out.split('\n')) {
        const QString line = QString::fromUtf8(rawLine).trimmed();
        if (line.isEmpty())
            continue;
        QStringList f = line.split(QLatin1Char('|'));
        if (!f.isEmpty() && f.last().isEmpty())
            f.removeLast();
        if (f.size() != kSqueueFields || !validJobId(f[0].trimmed()))
            continue;
        for (QString &x : f)
            x = x.trimmed();
        JobInfo j;
        j.id = f[0];
        j.name = f[1];
        j.state = parseJobState(f[2]);
        j.reason = f[3];
        setNodes(&j, f[4]);
        j.elapsed = f[5];
        j.timeLimit = f[6];
        j.partition = f[7];
        j.stdOutPath = f[8];
        j.stdErrPath = f[9];
        j.startTime = parseSlurmTime(f[10]);
        j.endTime = parseSlurmTime(f[11]);
        jobs << j;
    }
    return jobs;
}

QList<JobInfo> SlurmClient::parseSacct(const QByteArray &out)
{
    QList<JobInfo> jobs;
    for (const QByteArray &rawLine : out.split('\n')) {
        const QStringList f = QString::fromUtf8(rawLine).trimmed().split(QLatin1Char('|'));
        if (f.size() < 9 || !validJobId(f[0]))
            continue;
        JobInfo j;
        j.id = f[0];
        j.name = f[1];
        j.state = parseJobState(f[2]);
        setExitCode(&j, f[3]);
        setNodes(&j, f[4]);
        j.elapsed = f[5];
        j.startTime = parseSlurmTime(f[6]);
        j.endTime = parseSlurmTime(f[7]);
        j.partition = f[8];
        jobs << j;
    }
    return jobs;
}

QList<JobInfo> SlurmClient::parseScontrol(const QByteArray &out)
{
    QList<JobInfo> jobs;
    static const QRegularExpression field(QStringLiteral("(?:^|\\s)([A-Za-z:/]+)=(\\S*)"));
    for (const QByteArray &rawLine : out.split('\n')) {
        const QString line = QString::fromUtf8(rawLine).trimmed();
        if (!line.startsWith(QLatin1String("JobId=")))
            continue;
        QHash<QString, QString> kv;
        for (auto it = field.globalMatch(line); it.hasNext();) {
            const auto m = it.next();
            if (!kv.contains(m.captured(1)))
                kv.insert(m.captured(1), m.captured(2));
        }
        JobInfo j;
        j.id = kv.value(QStringLiteral("JobId"));
        if (kv.contains(QStringLiteral("ArrayJobId")) && kv.contains(QStringLiteral("ArrayTaskId")))
            j.id = kv.value(QStringLiteral("ArrayJobId")) + QLatin1Char('_') + kv.value(QStringLiteral("ArrayTaskId"));
        j.name = kv.value(QStringLiteral("JobName"));
        j.state = parseJobState(kv.value(QStringLiteral("JobState")));
        j.reason = kv.value(QStringLiteral("Reason"));
        setExitCode(&j, kv.value(QStringLiteral("ExitCode")));
        setNodes(&j, kv.value(QStringLiteral("NodeList")));
        j.elapsed = kv.value(QStringLiteral("RunTime"));
        j.timeLimit = kv.value(QStringLiteral("TimeLimit"));
        j.partition = kv.value(QStringLiteral("Partition"));
        j.stdOutPath = kv.value(QStringLiteral("StdOut"));
        j.stdErrPath = kv.value(QStringLiteral("StdErr"));
        j.startTime = parseSlurmTime(kv.value(QStringLiteral("StartTime")));
        j.endTime = parseSlurmTime(kv.value(QStringLiteral("EndTime")));
        if (validJobId(j.id))
            jobs << j;
    }
    return jobs;
}

QFuture<SubmitResult> SlurmClient::submit(const QString &remoteScript, const SubmitOptions &options)
{
    const QString host = m_runner->destination();
    return m_runner->run(sbatchCommand(remoteScript, options))
        .then(this, [host](const CommandResult &r) { return parseSbatch(r, host); });
}

QFuture<QueryResult> SlurmClient::query(const QStringList &idsIn)
{
    auto promise = std::make_shared<QPromise<QueryResult>>();
    promise->start();
    QStringList ids;
    for (const QString &id : idsIn)
        if (validJobId(id) && !ids.contains(id))
            ids << id;
    if (ids.isEmpty()) {
        promise->addResult(QueryResult{});
        promise->finish();
        return promise->future();
    }
    m_runner->run(squeueCommand(ids)).then(this, [this, ids, promise](const CommandResult &r) {
        QueryResult result;
        const bool unknownOnly = r.exitCode != 0 && r.error.isEmpty()
                                 && r.stdErr.contains("Invalid job id");
        if (!r.ok() && !unknownOnly) {
            result.error = QStringLiteral("squeue on %1 failed: %2").arg(m_runner->destination(), r.describe());
            promise->addResult(result);
            promise->finish();
            return;
        }
        result.jobs = parseSqueue(r.stdOut);
        QStringList needEnd; // ended (need exit code) or no longer in squeue
        for (const QString &id : ids) {
            auto it = std::find_if(result.jobs.begin(), result.jobs.end(), [&](const JobInfo &j) { return j.id == id; });
            if (it == result.jobs.end() || isTerminal(it->state))
                needEnd << id;
        }
        if (needEnd.isEmpty()) {
            promise->addResult(result);
            promise->finish();
            return;
        }
        m_runner->run(endStateCommand(needEnd)).then(this, [this, result, needEnd, promise](const CommandResult &e) mutable {
            if (e.error.isEmpty()) {
                const bool viaScontrol = e.stdOut.startsWith("#scontrol");
                if (viaScontrol)
                    m_haveSacct = false;
                const QList<JobInfo> ended = viaScontrol ? parseScontrol(e.stdOut) : parseSacct(e.stdOut);
                for (const QString &id : needEnd) {
                    auto src = std::find_if(ended.begin(), ended.end(), [&](const JobInfo &j) { return j.id == id; });
                    auto dst = std::find_if(result.jobs.begin(), result.jobs.end(), [&](const JobInfo &j) { return j.id == id; });
                    if (src == ended.end()) {
                        if (dst == result.jobs.end())
                            result.missing << id;
                        continue;
                    }
                    if (dst == result.jobs.end()) {
                        result.jobs << *src;
                    } else {
                        // squeue has the richer record; take the end state and exit code.
                        if (isTerminal(src->state))
                            dst->state = src->state;
                        dst->exitCode = src->exitCode;
                        dst->exitSignal = src->exitSignal;
                        if (dst->reason.isEmpty())
                            dst->reason = src->reason;
                    }
                }
            } else {
                for (const QString &id : needEnd)
                    if (std::none_of(result.jobs.begin(), result.jobs.end(), [&](const JobInfo &j) { return j.id == id; }))
                        result.missing << id;
            }
            promise->addResult(result);
            promise->finish();
        });
    });
    return promise->future();
}

QFuture<CommandResult> SlurmClient::cancel(const QStringList &ids, const QString &signal)
{
    QStringList valid;
    for (const QString &id : ids)
        if (validJobId(id))
            valid << id;
    if (valid.isEmpty()) {
        CommandResult r;
        r.exitCode = 0;
        return QtFuture::makeReadyFuture(r);
    }
    return m_runner->run(cancelCommand(valid, signal));
}

QFuture<CommandResult> SlurmClient::tail(const QString &remotePath, int lines)
{
    return m_runner->run(QStringLiteral("tail -n %1 -- %2").arg(qMax(1, lines)).arg(shellQuote(remotePath)));
}

} // namespace fb::slurm
