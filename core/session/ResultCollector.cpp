#include "ResultCollector.h"

#include "Await.h"
#include "LocalFiles.h"

#include "recipe/ShellQuote.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>

namespace fb::session {

namespace {
QByteArray sha256File(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return h.result().toHex();
}
} // namespace

ResultCollector::ResultCollector(CommandRunner *runner, RemoteFiles *files, RunJournal *journal, const std::atomic_bool *cancel)
    : m_runner(runner)
    , m_files(files)
    , m_journal(journal)
    , m_cancel(cancel)
{
}

// Downloads result files not downloaded before; the count, or -1 on
// cancel or when a local write failed (*diskError says which file).
int ResultCollector::downloadResults(const TrialRecord &t, const QString &trialDir, const QString &localTrialDir, QString *diskError)
{
    // Contract: each client job writes <trial>/result-<client>.json (merged across its tasks).
    // One line per file: "<size> <sha256sum's line>" (the size tells a
    // short local copy — a full disk — from a changed remote file).
    auto r = await(m_runner->run(QStringLiteral("cd %1 2>/dev/null && for f in result-*.json; do [ -f \"$f\" ] && printf '%s ' \"$(stat -c %s -- \"$f\")\" && sha256sum -- \"$f\"; done; true")
                                     .arg(recipe::shellQuote(trialDir)), 120000),
                   m_cancel);
    if (!r)
        return -1;
    int count = 0;
    for (const QString &line : QString::fromUtf8(r->stdOut).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        // sha256sum prints "<64 hex> <space or *><name>".
        const qint64 remoteSize = line.section(QLatin1Char(' '), 0, 0).toLongLong();
        const QString sum = line.section(QLatin1Char(' '), 1);
        const QString sha = sum.left(64);
        QString name = sum.mid(64).trimmed();
        if (name.startsWith(QLatin1Char('*')))
            name.remove(0, 1);
        if (sha.size() != 64 || name.isEmpty())
            continue;
        const QString remotePath = trialDir + QLatin1Char('/') + name;
        if (auto done = m_journal->store()->resultFile(m_journal->run().id, t.trialId, remotePath); done && done->sha256 == sha) {
            m_journal->info(t.trialId, QStringLiteral("results"), QStringLiteral("%1 already downloaded").arg(name));
            continue;
        }
        const QString local = localTrialDir + QStringLiteral("/results/") + name;
        const QString folder = QFileInfo(local).absolutePath();
        if (!QDir().mkpath(folder)) {
            *diskError = localWriteError(local, QStringLiteral("cannot create the folder %1").arg(folder));
            m_journal->error(t.trialId, QStringLiteral("results"), *diskError);
            return -1;
        }
        // The transfer writes <local>.part itself and renames it when
        // complete (a later attempt resumes it).
        auto e = await(m_files->downloadFile(remotePath, local), m_cancel);
        if (!e)
            return -1;
        if (!e->isEmpty()) {
            // A failure naming our file is this machine's (a full disk),
            // not the client's: the result stays on the cluster for resume.
            if (e->contains(local)) {
                *diskError = localWriteError(local, *e);
                m_journal->error(t.trialId, QStringLiteral("results"), *diskError + QStringLiteral("; the result stays on the cluster (%1): free space and resume the run").arg(remotePath));
                return -1;
            }
            m_journal->error(t.trialId, QStringLiteral("results"), *e);
            continue;
        }
        if (sha256File(local) != sha.toLatin1()) {
            const qint64 localSize = QFileInfo(local).size();
            QFile::remove(local);
            if (localSize < remoteSize) {
                // Fewer bytes arrived than were sent: this machine's disk.
                *diskError = localWriteError(local, QStringLiteral("%1 of %2 bytes reached the disk").arg(localSize).arg(remoteSize));
                m_journal->error(t.trialId, QStringLiteral("results"), *diskError + QStringLiteral("; the result stays on the cluster (%1): free space and resume the run").arg(remotePath));
                return -1;
            }
            m_journal->error(t.trialId, QStringLiteral("results"), QStringLiteral("checksum mismatch for %1 (expected %2)").arg(remotePath, sha));
            continue;
        }
        ResultFileRecord rec{m_journal->run().id, t.trialId, remotePath, local, sha, QFileInfo(local).size(), QDateTime::currentDateTimeUtc()};
        m_journal->save(rec);
        ++count;
        ++m_downloaded;
        m_journal->info(t.trialId, QStringLiteral("results"), QStringLiteral("downloaded %1 (%2 bytes, sha256 %3)").arg(name).arg(rec.size).arg(sha.left(12)));
    }
    return count;
}

void ResultCollector::collectLogs(const TrialRecord &t, const QString &trialDir, const QString &localTrialDir, const QStringList &moreDirs)
{
    for (const QString &dir : QStringList{trialDir} + moreDirs) {
        auto r = await(m_runner->run(QStringLiteral("cd %1/logs 2>/dev/null && ls -1; true").arg(recipe::shellQuote(dir)), 120000), m_cancel);
        if (!r || !r->ok())
            return;
        for (const QString &name : QString::fromUtf8(r->stdOut).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            auto e = await(m_files->downloadFile(dir + QStringLiteral("/logs/") + name,
                                                    localTrialDir + QStringLiteral("/logs/") + name), m_cancel);
            if (e && !e->isEmpty())
                m_journal->warn(t.trialId, QStringLiteral("logs"), *e);
        }
    }
    // Campaign events of this trial, then the merged log.
    const QStringList merged = mergeLogs(localTrialDir);
    QByteArray text, jsonl;
    for (const QString &line : merged) {
        text += line.toUtf8() + '\n';
        const QString time = line.section(QLatin1Char(' '), 0, 0);
        const QString source = line.section(QLatin1Char(' '), 1, 1);
        jsonl += QJsonDocument(QJsonObject{{QStringLiteral("time"), time},
                                           {QStringLiteral("source"), source},
                                           {QStringLiteral("trial"), t.trialId},
                                           {QStringLiteral("message"), line.section(QLatin1Char(' '), 2)}})
                     .toJson(QJsonDocument::Compact)
            + '\n';
    }
    QString err;
    if (!writeLocalFile(localTrialDir + QStringLiteral("/merged.log"), m_journal->secrets().redact(text), &err)
        || !writeLocalFile(localTrialDir + QStringLiteral("/merged.jsonl"), m_journal->secrets().redact(jsonl), &err))
        m_journal->warn(t.trialId, QStringLiteral("logs"), err);
}

QStringList ResultCollector::mergeLogs(const QString &trialDir)
{
    // Job logs carry no timestamps on most lines: a line takes the time of
    // the last timestamped line before it (else the file's start), so the
    // merge keeps each file's own order. Sources are named by file: the
    // component and job id ("service-redis-1234").
    struct Line
    {
        QDateTime time;
        int file;
        int seq;
        QString text;
    };
    QList<Line> lines;
    static const QRegularExpression stamp(QStringLiteral("^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?Z?)\\s"));
    const QDir logs(trialDir + QStringLiteral("/logs"));
    const QStringList files = logs.entryList(QDir::Files, QDir::Name);
    for (int fi = 0; fi < files.size(); ++fi) {
        QFile f(logs.filePath(files[fi]));
        if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
            continue;
        const QFileInfo info(f);
        QDateTime current = info.birthTime().isValid() ? info.birthTime().toUTC() : info.lastModified().toUTC();
        const QString source = QFileInfo(files[fi]).completeBaseName();
        int seq = 0;
        while (!f.atEnd()) {
            QString text = QString::fromUtf8(f.readLine()).trimmed();
            if (text.isEmpty())
                continue;
            const auto m = stamp.match(text);
            if (m.hasMatch()) {
                QDateTime t = QDateTime::fromString(m.captured(1), Qt::ISODateWithMs);
                if (t.isValid())
                    current = t.toUTC();
                text = text.mid(m.capturedLength());
            }
            lines.append({current, fi, seq++, source + QLatin1Char(' ') + text});
        }
    }
    std::stable_sort(lines.begin(), lines.end(), [](const Line &a, const Line &b) {
        return a.time < b.time || (a.time == b.time && (a.file < b.file || (a.file == b.file && a.seq < b.seq)));
    });
    QStringList out;
    for (const Line &l : lines)
        out << l.time.toString(Qt::ISODateWithMs) + QLatin1Char(' ') + l.text;
    return out;
}

} // namespace fb::session
