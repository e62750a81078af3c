#include "RunStore.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <optional>

namespace fb::session {

namespace {
// Each entry migrates from version i to i+1. Never edit a shipped entry: add one.
const QList<QStringList> &migrations()
{
    static const QList<QStringList> m{
        {
            QStringLiteral("CREATE TABLE runs (id TEXT PRIMARY KEY, name TEXT NOT NULL, recipe_path TEXT, "
                           "recipe_text TEXT, profile TEXT, remote_dir TEXT, state TEXT NOT NULL, error TEXT, "
                           "created_at TEXT NOT NULL, finished_at TEXT, manifest TEXT)"),
            QStringLiteral("CREATE TABLE trials (run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, "
                           "trial_id TEXT NOT NULL, idx INTEGER NOT NULL, params TEXT, state TEXT NOT NULL, step TEXT, "
                           "error TEXT, started_at TEXT, finished_at TEXT, PRIMARY KEY (run_id, trial_id))"),
            QStringLiteral("CREATE TABLE jobs (run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, "
                           "trial_id TEXT NOT NULL, job_id TEXT NOT NULL, component TEXT NOT NULL, state TEXT, "
                           "reason TEXT, exit_code INTEGER, nodes TEXT, submitted_at TEXT, updated_at TEXT, "
                           "PRIMARY KEY (run_id, job_id))"),
            QStringLiteral("CREATE TABLE result_files (run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, "
                           "trial_id TEXT NOT NULL, remote_path TEXT NOT NULL, local_path TEXT NOT NULL, "
                           "sha256 TEXT NOT NULL, size INTEGER NOT NULL, downloaded_at TEXT, "
                           "PRIMARY KEY (run_id, trial_id, remote_path))"),
            QStringLiteral("CREATE INDEX jobs_by_trial ON jobs (run_id, trial_id)"),
        },
        {
            // The trial's typed phase (TrialPhase), which resume acts on, and
            // whether FactoryBench itself asked Slurm to cancel a job.
            QStringLiteral("ALTER TABLE trials ADD COLUMN phase TEXT"),
            QStringLiteral("ALTER TABLE jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0"),
        },
    };
    return m;
}

QString toText(const QDateTime &t) { return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs) : QString(); }
QDateTime fromText(const QVariant &v)
{
    const QString s = v.toString();
    return s.isEmpty() ? QDateTime() : QDateTime::fromString(s, Qt::ISODateWithMs);
}
QString jsonText(const QJsonObject &o) { return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)); }
QJsonObject jsonObject(const QVariant &v) { return QJsonDocument::fromJson(v.toString().toUtf8()).object(); }
} // namespace

RunStore::RunStore()
    : m_connection(QStringLiteral("fb-runstore-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
}

RunStore::~RunStore() { close(); }

bool RunStore::isOpen() const
{
    return QSqlDatabase::contains(m_connection) && QSqlDatabase::database(m_connection, false).isOpen();
}

void RunStore::close()
{
    if (QSqlDatabase::contains(m_connection)) {
        {
            QSqlDatabase db = QSqlDatabase::database(m_connection, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_connection);
    }
}

bool RunStore::exec(const QString &sql, const QVariantList &binds, QString *error) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!q.prepare(sql)) {
        *error = QStringLiteral("%1: %2").arg(m_path, q.lastError().text());
        return false;
    }
    for (const QVariant &b : binds)
        q.addBindValue(b);
    if (!q.exec()) {
        *error = QStringLiteral("%1: %2").arg(m_path, q.lastError().text());
        return false;
    }
    return true;
}

bool RunStore::open(const QString &path, QString *error)
{
    close();
    m_path = path;
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        *error = QStringLiteral("%1: cannot create its folder").arg(path);
        return false;
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    db.setDatabaseName(path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) {
        *error = QStringLiteral("%1: %2").arg(path, db.lastError().text());
        return false;
    }
    // WAL: readers (the GUI's run list) never block the campaign's writes, and
    // a crash mid-write loses at most the open transaction.
    if (!exec(QStringLiteral("PRAGMA journal_mode=WAL"), {}, error)
        || !exec(QStringLiteral("PRAGMA foreign_keys=ON"), {}, error)
        || !exec(QStringLiteral("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)"), {}, error))
        return false;
    const int current = schemaVersion();
    if (current > kSchemaVersion) {
        *error = QStringLiteral("%1: written by a newer FactoryBench (schema %2, this version reads up to %3)")
                     .arg(path).arg(current).arg(kSchemaVersion);
        close();
        return false;
    }
    return current == kSchemaVersion || migrate(current, error);
}

int RunStore::schemaVersion() const
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (q.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'")) && q.next())
        return q.value(0).toInt();
    return 0;
}

bool RunStore::migrate(int from, QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    if (!db.transaction()) {
        *error = QStringLiteral("%1: %2").arg(m_path, db.lastError().text());
        return false;
    }
    for (int v = from; v < kSchemaVersion; ++v) {
        for (const QString &sql : migrations().at(v)) {
            if (!exec(sql, {}, error)) {
                db.rollback();
                *error = QStringLiteral("migrating to schema %1: %2").arg(v + 1).arg(*error);
                return false;
            }
        }
    }
    if (!exec(QStringLiteral("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)"),
              {kSchemaVersion}, error)) {
        db.rollback();
        return false;
    }
    if (!db.commit()) {
        *error = QStringLiteral("%1: %2").arg(m_path, db.lastError().text());
        return false;
    }
    return true;
}

bool RunStore::saveRun(const RunRecord &r, QString *error)
{
    return exec(QStringLiteral("INSERT INTO runs (id, name, recipe_path, recipe_text, profile, remote_dir, state, error, "
                               "created_at, finished_at, manifest) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
                               "ON CONFLICT(id) DO UPDATE SET name=excluded.name, recipe_path=excluded.recipe_path, "
                               "recipe_text=excluded.recipe_text, profile=excluded.profile, remote_dir=excluded.remote_dir, "
                               "state=excluded.state, error=excluded.error, finished_at=excluded.finished_at, "
                               "manifest=excluded.manifest"),
                {r.id, r.name, r.recipePath, r.recipeText, r.profile, r.remoteDir, stateName(r.state), r.error,
                 toText(r.createdAt.isValid() ? r.createdAt : QDateTime::currentDateTimeUtc()), toText(r.finishedAt),
                 jsonText(r.manifest)},
                error);
}

bool RunStore::saveTrial(const TrialRecord &t, QString *error)
{
    return exec(QStringLiteral("INSERT INTO trials (run_id, trial_id, idx, params, state, step, error, started_at, finished_at, phase) "
                               "VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(run_id, trial_id) DO UPDATE SET idx=excluded.idx, "
                               "params=excluded.params, state=excluded.state, step=excluded.step, error=excluded.error, "
                               "started_at=excluded.started_at, finished_at=excluded.finished_at, phase=excluded.phase"),
                {t.runId, t.trialId, t.index, jsonText(t.params), stateName(t.state), t.step, t.error, toText(t.startedAt),
                 toText(t.finishedAt), phaseName(t.phase)},
                error);
}

bool RunStore::saveJob(const JobRecord &j, QString *error)
{
    return exec(QStringLiteral("INSERT INTO jobs (run_id, trial_id, job_id, component, state, reason, exit_code, nodes, "
                               "submitted_at, updated_at, cancel_requested) VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(run_id, job_id) DO UPDATE "
                               "SET state=excluded.state, reason=excluded.reason, exit_code=excluded.exit_code, "
                               "nodes=excluded.nodes, updated_at=excluded.updated_at, "
                               "cancel_requested=MAX(cancel_requested, excluded.cancel_requested)"),
                {j.runId, j.trialId, j.jobId, j.component, stateName(j.state), j.reason, j.exitCode, j.nodes,
                 toText(j.submittedAt.isValid() ? j.submittedAt : QDateTime::currentDateTimeUtc()),
                 toText(QDateTime::currentDateTimeUtc()), j.cancelRequested ? 1 : 0},
                error);
}

bool RunStore::saveResultFile(const ResultFileRecord &f, QString *error)
{
    return exec(QStringLiteral("INSERT OR REPLACE INTO result_files (run_id, trial_id, remote_path, local_path, sha256, "
                               "size, downloaded_at) VALUES (?,?,?,?,?,?,?)"),
                {f.runId, f.trialId, f.remotePath, f.localPath, f.sha256, f.size,
                 toText(f.downloadedAt.isValid() ? f.downloadedAt : QDateTime::currentDateTimeUtc())},
                error);
}

bool RunStore::deleteRun(const QString &runId, QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    db.transaction();
    // Cascades remove trials, jobs and result records with the run.
    if (!exec(QStringLiteral("DELETE FROM runs WHERE id = ?"), {runId}, error)) {
        db.rollback();
        return false;
    }
    return db.commit();
}

QList<RunRecord> RunStore::runs() const
{
    QList<RunRecord> out;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.exec(QStringLiteral("SELECT id, name, recipe_path, recipe_text, profile, remote_dir, state, error, created_at, "
                          "finished_at, manifest FROM runs ORDER BY created_at DESC, id DESC"));
    while (q.next()) {
        RunRecord r;
        r.id = q.value(0).toString();
        r.name = q.value(1).toString();
        r.recipePath = q.value(2).toString();
        r.recipeText = q.value(3).toString();
        r.profile = q.value(4).toString();
        r.remoteDir = q.value(5).toString();
        r.state = runStateFromName(q.value(6).toString());
        r.error = q.value(7).toString();
        r.createdAt = fromText(q.value(8));
        r.finishedAt = fromText(q.value(9));
        r.manifest = jsonObject(q.value(10));
        out << r;
    }
    return out;
}

std::optional<RunRecord> RunStore::run(const QString &runId) const
{
    for (const RunRecord &r : runs())
        if (r.id == runId)
            return r;
    return std::nullopt;
}

QList<TrialRecord> RunStore::trials(const QString &runId) const
{
    QList<TrialRecord> out;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT trial_id, idx, params, state, step, error, started_at, finished_at, phase FROM trials "
                             "WHERE run_id = ? ORDER BY idx"));
    q.addBindValue(runId);
    q.exec();
    while (q.next()) {
        TrialRecord t;
        t.runId = runId;
        t.trialId = q.value(0).toString();
        t.index = q.value(1).toInt();
        t.params = jsonObject(q.value(2));
        t.state = trialStateFromName(q.value(3).toString());
        t.step = q.value(4).toString();
        t.error = q.value(5).toString();
        t.startedAt = fromText(q.value(6));
        t.finishedAt = fromText(q.value(7));
        t.phase = phaseFromName(q.value(8).toString());
        out << t;
    }
    return out;
}

QList<JobRecord> RunStore::jobs(const QString &runId, const QString &trialId) const
{
    QList<JobRecord> out;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT trial_id, job_id, component, state, reason, exit_code, nodes, submitted_at, updated_at, "
                             "cancel_requested "
                             "FROM jobs WHERE run_id = ? AND (? = '' OR trial_id = ?) ORDER BY submitted_at, job_id"));
    q.addBindValue(runId);
    // A null QString binds as SQL NULL, for which "? = ''" is not true.
    const QString trial = trialId.isEmpty() ? QStringLiteral("") : trialId;
    q.addBindValue(trial);
    q.addBindValue(trial);
    q.exec();
    while (q.next()) {
        JobRecord j;
        j.runId = runId;
        j.trialId = q.value(0).toString();
        j.jobId = q.value(1).toString();
        j.component = q.value(2).toString();
        j.state = jobStateFromName(q.value(3).toString());
        j.reason = q.value(4).toString();
        j.exitCode = q.value(5).toInt();
        j.nodes = q.value(6).toString();
        j.submittedAt = fromText(q.value(7));
        j.updatedAt = fromText(q.value(8));
        j.cancelRequested = q.value(9).toInt() != 0;
        out << j;
    }
    return out;
}

QList<ResultFileRecord> RunStore::resultFiles(const QString &runId, const QString &trialId) const
{
    QList<ResultFileRecord> out;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT trial_id, remote_path, local_path, sha256, size, downloaded_at FROM result_files "
                             "WHERE run_id = ? AND (? = '' OR trial_id = ?) ORDER BY trial_id, remote_path"));
    q.addBindValue(runId);
    // A null QString binds as SQL NULL, for which "? = ''" is not true.
    const QString trial = trialId.isEmpty() ? QStringLiteral("") : trialId;
    q.addBindValue(trial);
    q.addBindValue(trial);
    q.exec();
    while (q.next()) {
        ResultFileRecord f;
        f.runId = runId;
        f.trialId = q.value(0).toString();
        f.remotePath = q.value(1).toString();
        f.localPath = q.value(2).toString();
        f.sha256 = q.value(3).toString();
        f.size = q.value(4).toLongLong();
        f.downloadedAt = fromText(q.value(5));
        out << f;
    }
    return out;
}

std::optional<ResultFileRecord> RunStore::resultFile(const QString &runId, const QString &trialId,
                                                     const QString &remotePath) const
{
    for (const ResultFileRecord &f : resultFiles(runId, trialId))
        if (f.remotePath == remotePath)
            return f;
    return std::nullopt;
}

} // namespace fb::session
