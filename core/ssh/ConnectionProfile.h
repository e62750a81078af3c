// ConnectionProfile: how to reach one cluster's login node over SSH, plus the
// cluster-side settings FactoryBench needs there. ProfileStore keeps profiles
// as one JSON file each in Paths::profilesDir(). Profiles never hold secrets:
// passphrases and passwords are asked for, or kept in the OS keychain.
#pragma once

#include "common/ClusterTools.h"

#include <QList>
#include <QString>
#include <QStringList>

class QJsonObject;

namespace fb {

struct ConnectionProfile
{
    QString name;                 // "meluxina", "mini-cluster"
    QString host;                 // "login.lxp.lu"
    int port = 22;                // MeluXina: 8822
    QString user;
    QString identityFile;         // empty: default keys (~/.ssh/id_ed25519, …)
    bool identitiesOnly = false;  // like OpenSSH IdentitiesOnly: skip other keys
    bool useAgent = true;         // try ssh-agent keys first
    int keepaliveSeconds = 10;    // a dead link is noticed within 3 intervals
    QString knownHostsFile;       // empty: the user's ~/.ssh/known_hosts
    QString proxyJump;            // recorded from ~/.ssh/config
    QString buildPrelude;         // shell lines run before building fbload, e.g. "module load CMake GCC"
    QString remoteWorkDir;        // where runs go, e.g. "$SCRATCH/factorybench"
    QString description;
    // What the cluster offers recipes, when the profile declares it
    // ("tools": {"apptainer": false, "modules": false}). Not in tools.source:
    // whoever hands the tools to a validator names the profile there.
    ClusterTools tools;

    QJsonObject toJson() const;
    // Fills *out from JSON; on error returns false and names the field in *error.
    static bool fromJson(const QJsonObject &json, ConnectionProfile *out, QString *error);
    bool operator==(const ConnectionProfile &) const = default;
};

// Reads and writes profiles in a folder, one <name>.json per profile.
class ProfileStore
{
public:
    explicit ProfileStore(QString dir = {}); // default: Paths::profilesDir()

    QString dir() const { return m_dir; }
    QStringList names() const;
    bool load(const QString &name, ConnectionProfile *out, QString *error) const;
    bool save(const ConnectionProfile &profile, QString *error) const; // atomic write
    bool remove(const QString &name, QString *error) const;

    // Reads a profile from any JSON file (e.g. the one the mini-cluster writes).
    static bool loadFile(const QString &path, ConnectionProfile *out, QString *error);
    static bool isValidName(const QString &name);

private:
    QString pathFor(const QString &name) const;
    QString m_dir;
};

} // namespace fb
