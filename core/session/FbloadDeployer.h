// FbloadDeployer: makes sure the cluster has an fbload built from exactly the
// source this app carries. The source tree's hash names the build
// (~/.factorybench/bin/<hash>/fbload); an existing build is reused, otherwise
// the sources are uploaded to ~/.factorybench/src/<hash>/ and built on the
// login node after the profile's build prelude (e.g. `module load CMake GCC
// OpenSSL`), under a lock so two campaigns never build at once. Reports the
// workloads the build compiled in (`fbload workloads`).
//
// Used by the campaign engine before the first trial; asynchronous.
#pragma once

#include "common/CommandRunner.h"
#include "common/RemoteFiles.h"

#include <QFuture>
#include <QObject>
#include <QStringList>

namespace fb::session {

struct Deployment
{
    QString sourceHash;     // 16 hex digits of SHA-256 over the source tree
    QString binaryPath;     // remote, "$HOME/.factorybench/bin/<hash>/fbload"
    QStringList workloads;  // compiled in: "redis", "http", "llm", …
    bool reused = false;    // an earlier build was found
    QString error;          // empty on success; names the host and holds the build log's tail
};

class FbloadDeployer : public QObject
{
    Q_OBJECT
public:
    FbloadDeployer(CommandRunner *runner, RemoteFiles *files, QObject *parent = nullptr);

    void setSourceDir(const QString &dir) { m_sourceDir = dir; } // default: Paths::fbloadSourceDir()
    void setBuildPrelude(const QString &prelude) { m_prelude = prelude; }
    void setRemoteRoot(const QString &root) { m_root = root; }   // default "$HOME/.factorybench"

    QFuture<Deployment> deploy();

    // Files of the source tree that make up a build, relative, sorted (no
    // build folders, no hidden files). Public for tests.
    static QStringList sourceFiles(const QString &dir);
    static QString sourceHash(const QString &dir);

signals:
    void progress(const QString &message);

private:
    CommandRunner *m_runner;
    RemoteFiles *m_files;
    QString m_sourceDir;
    QString m_prelude;
    QString m_root = QStringLiteral("$HOME/.factorybench");
};

} // namespace fb::session
