#include "ConnectionProfile.h"

#include "common/Paths.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSaveFile>

namespace fb {

QJsonObject ConnectionProfile::toJson() const
{
    QJsonObject o;
    o[QStringLiteral("name")] = name;
    o[QStringLiteral("host")] = host;
    o[QStringLiteral("port")] = port;
    o[QStringLiteral("user")] = user;
    if (!identityFile.isEmpty())
        o[QStringLiteral("identityFile")] = identityFile;
    o[QStringLiteral("identitiesOnly")] = identitiesOnly;
    o[QStringLiteral("useAgent")] = useAgent;
    o[QStringLiteral("keepaliveSeconds")] = keepaliveSeconds;
    if (!knownHostsFile.isEmpty())
        o[QStringLiteral("knownHostsFile")] = knownHostsFile;
    if (!proxyJump.isEmpty())
        o[QStringLiteral("proxyJump")] = proxyJump;
    if (!buildPrelude.isEmpty())
        o[QStringLiteral("buildPrelude")] = buildPrelude;
    if (!remoteWorkDir.isEmpty())
        o[QStringLiteral("remoteWorkDir")] = remoteWorkDir;
    if (!description.isEmpty())
        o[QStringLiteral("description")] = description;
    QJsonObject t;
    if (tools.apptainer)
        t[QStringLiteral("apptainer")] = *tools.apptainer;
    if (tools.modules)
        t[QStringLiteral("modules")] = *tools.modules;
    if (!t.isEmpty())
        o[QStringLiteral("tools")] = t;
    return o;
}

bool ConnectionProfile::fromJson(const QJsonObject &json, ConnectionProfile *out, QString *error)
{
    ConnectionProfile p;
    const auto str = [&](const char *key, QString *field, bool required) {
        const QJsonValue v = json.value(QLatin1String(key));
        if (v.isUndefined()) {
            if (required) {
                *error = QStringLiteral("%1: required field is missing").arg(QLatin1String(key));
                return false;
            }
            return true;
        }
        if (!v.isString()) {
            *error = QStringLiteral("%1: expected a string").arg(QLatin1String(key));
            return false;
        }
        *field = v.toString();
        return true;
    };
    const auto integer = [&](const char *key, int *field, int lo, int hi) {
        const QJsonValue v = json.value(QLatin1String(key));
        if (v.isUndefined())
            return true;
        const double d = v.toDouble(-1);
        if (!v.isDouble() || d != static_cast<int>(d) || d < lo || d > hi) {
            *error = QStringLiteral("%1: expected a whole number from %2 to %3")
                         .arg(QLatin1String(key)).arg(lo).arg(hi);
            return false;
        }
        *field = static_cast<int>(d);
        return true;
    };
    const auto boolean = [&](const char *key, bool *field) {
        const QJsonValue v = json.value(QLatin1String(key));
        if (v.isUndefined())
            return true;
        if (!v.isBool()) {
            *error = QStringLiteral("%1: expected true or false").arg(QLatin1String(key));
            return false;
        }
        *field = v.toBool();
        return true;
    };
    if (!str("name", &p.name, true) || !str("host", &p.host, true) || !str("user", &p.user, true)
        || !integer("port", &p.port, 1, 65535) || !str("identityFile", &p.identityFile, false)
        || !boolean("identitiesOnly", &p.identitiesOnly) || !boolean("useAgent", &p.useAgent)
        || !integer("keepaliveSeconds", &p.keepaliveSeconds, 0, 3600)
        || !str("knownHostsFile", &p.knownHostsFile, false) || !str("proxyJump", &p.proxyJump, false)
        || !str("buildPrelude", &p.buildPrelude, false)
        || !str("remoteWorkDir", &p.remoteWorkDir, false)
        || !str("description", &p.description, false))
        return false;
    // "tools": only the keys a profile declares; the others stay unknown.
    if (const QJsonValue t = json.value(QLatin1String("tools")); !t.isUndefined()) {
        if (!t.isObject()) {
            *error = QStringLiteral("tools: expected an object such as {\"apptainer\": false, \"modules\": false}");
            return false;
        }
        const QJsonObject to = t.toObject();
        for (auto it = to.begin(); it != to.end(); ++it) {
            std::optional<bool> *field = it.key() == QLatin1String("apptainer") ? &p.tools.apptainer
                                       : it.key() == QLatin1String("modules")   ? &p.tools.modules
                                                                                 : nullptr;
            if (!field) {
                *error = QStringLiteral("tools.%1: unknown tool (known: apptainer, modules)").arg(it.key());
                return false;
            }
            if (!it->isBool()) {
                *error = QStringLiteral("tools.%1: expected true or false").arg(it.key());
                return false;
            }
            *field = it->toBool();
        }
    }
    if (!ProfileStore::isValidName(p.name)) {
        *error = QStringLiteral("name: \"%1\" may hold only letters, digits, '.', '_' and '-'").arg(p.name);
        return false;
    }
    if (p.host.isEmpty()) {
        *error = QStringLiteral("host: must not be empty");
        return false;
    }
    *out = p;
    return true;
}

ProfileStore::ProfileStore(QString dir)
    : m_dir(dir.isEmpty() ? Paths::profilesDir() : std::move(dir))
{
}

bool ProfileStore::isValidName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
    return re.match(name).hasMatch();
}

QString ProfileStore::pathFor(const QString &name) const
{
    return m_dir + QLatin1Char('/') + name + QStringLiteral(".json");
}

QStringList ProfileStore::names() const
{
    QStringList out;
    const auto files = QDir(m_dir).entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    for (const QString &f : files)
        out << f.chopped(5);
    return out;
}

bool ProfileStore::loadFile(const QString &path, ConnectionProfile *out, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: cannot read: %2").arg(path, f.errorString());
        return false;
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        *error = QStringLiteral("%1: offset %2: %3").arg(path).arg(pe.offset)
                     .arg(doc.isNull() ? pe.errorString() : QStringLiteral("expected a JSON object"));
        return false;
    }
    QString why;
    if (!ConnectionProfile::fromJson(doc.object(), out, &why)) {
        *error = QStringLiteral("%1: %2").arg(path, why);
        return false;
    }
    return true;
}

bool ProfileStore::load(const QString &name, ConnectionProfile *out, QString *error) const
{
    if (!isValidName(name)) {
        *error = QStringLiteral("no profile named \"%1\"").arg(name);
        return false;
    }
    if (!QFile::exists(pathFor(name))) {
        *error = QStringLiteral("no profile named \"%1\" in %2").arg(name, m_dir);
        return false;
    }
    return loadFile(pathFor(name), out, error);
}

bool ProfileStore::save(const ConnectionProfile &profile, QString *error) const
{
    if (!isValidName(profile.name)) {
        *error = QStringLiteral("name: \"%1\" may hold only letters, digits, '.', '_' and '-'").arg(profile.name);
        return false;
    }
    if (!QDir().mkpath(m_dir)) {
        *error = QStringLiteral("%1: cannot create folder").arg(m_dir);
        return false;
    }
    QSaveFile f(pathFor(profile.name));
    if (!f.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("%1: %2").arg(f.fileName(), f.errorString());
        return false;
    }
    f.write(QJsonDocument(profile.toJson()).toJson(QJsonDocument::Indented));
    if (!f.commit()) {
        *error = QStringLiteral("%1: %2").arg(f.fileName(), f.errorString());
        return false;
    }
    return true;
}

bool ProfileStore::remove(const QString &name, QString *error) const
{
    if (!isValidName(name) || !QFile::remove(pathFor(name))) {
        *error = QStringLiteral("no profile named \"%1\" in %2").arg(name, m_dir);
        return false;
    }
    return true;
}

} // namespace fb
