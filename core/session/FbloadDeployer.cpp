#include "FbloadDeployer.h"

#include "common/Paths.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QPromise>
#include <QtConcurrent>

#include <memory>

namespace fb::session {

FbloadDeployer::FbloadDeployer(CommandRunner *runner, RemoteFiles *files, QObject *parent)
    : QObject(parent)
    , m_runner(runner)
    , m_files(files)
{
}

QStringList FbloadDeployer::sourceFiles(const QString &dir)
{
    QStringList files;
    const QDir root(dir);
    QDirIterator it(dir, QDir::Files | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString rel = root.relativeFilePath(it.next());
        const QStringList parts = rel.split(QLatin1Char('/'));
        const bool skip = std::any_of(parts.begin(), parts.end(), [](const QString &p) {
            return p.startsWith(QLatin1Char('.')) || p.startsWith(QLatin1String("build"));
        });
        if (!skip)
            files << rel;
    }
    files.sort();
    return files;
}

QString FbloadDeployer::sourceHash(const QString &dir)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    for (const QString &rel : sourceFiles(dir)) {
        QFile f(dir + QLatin1Char('/') + rel);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        h.addData(rel.toUtf8());
        h.addData(QByteArrayView("\0", 1));
        h.addData(QByteArray::number(f.size()));
        h.addData(QByteArrayView("\0", 1));
        h.addData(&f);
    }
    return QString::fromLatin1(h.result().toHex().left(16));
}

QFuture<Deployment> FbloadDeployer::deploy()
{
    auto promise = std::make_shared<QPromise<Deployment>>();
    promise->start();
    const QString dir = m_sourceDir.isEmpty() ? Paths::fbloadSourceDir() : m_sourceDir;
    const auto fail = [promise](Deployment d, const QString &error) {
        d.error = error;
        promise->addResult(d);
        promise->finish();
    };
    if (dir.isEmpty() || !QFile::exists(dir + QStringLiteral("/CMakeLists.txt"))) {
        fail({}, QStringLiteral("fbload sources not found (looked in %1)").arg(Paths::dataDirCandidates().join(QStringLiteral(", "))));
        return promise->future();
    }
    emit progress(tr("Hashing fbload sources"));
    // Hashing reads every file: off this (possibly GUI) thread.
    QtConcurrent::run([dir] { return std::make_pair(sourceHash(dir), sourceFiles(dir)); })
        .then(this, [this, dir, promise, fail](const std::pair<QString, QStringList> &src) {
            Deployment d;
            d.sourceHash = src.first;
            const QString bin = m_root + QStringLiteral("/bin/") + d.sourceHash;
            d.binaryPath = bin + QStringLiteral("/fbload");
            emit progress(tr("Looking for fbload %1 on %2").arg(d.sourceHash, m_runner->destination()));
            m_runner->run(QStringLiteral("test -x \"%1/fbload\" && \"%1/fbload\" workloads").arg(bin), 60000)
                .then(this, [this, d, dir, src, bin, promise, fail](const CommandResult &probe) mutable {
                    if (probe.ok()) {
                        d.reused = true;
                        d.workloads = QString::fromUtf8(probe.stdOut).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
                        for (QString &w : d.workloads)
                            w = w.trimmed();
                        promise->addResult(d);
                        promise->finish();
                        return;
                    }
                    if (!probe.error.isEmpty())
                        return fail(d, probe.error);
                    // Upload: make the folders, then every file.
                    const QString srcDir = m_root + QStringLiteral("/src/") + d.sourceHash;
                    QStringList dirs{QStringLiteral("\"%1\"").arg(srcDir)};
                    for (const QString &rel : src.second)
                        if (rel.contains(QLatin1Char('/')))
                            dirs << QStringLiteral("\"%1\"/%2").arg(srcDir, shellQuote(rel.section(QLatin1Char('/'), 0, -2)));
                    dirs.removeDuplicates();
                    emit progress(tr("Uploading fbload sources (%n files)", nullptr, int(src.second.size())));
                    m_runner->run(QStringLiteral("mkdir -p ") + dirs.join(QLatin1Char(' ')), 60000)
                        .then(this, [this, d, dir, src, srcDir, bin, promise, fail](const CommandResult &mk) mutable {
                            if (!mk.ok())
                                return fail(d, QStringLiteral("cannot create %1 on %2: %3")
                                                   .arg(srcDir, m_runner->destination(), mk.describe()));
                            // scp and SFTP do not expand $HOME: resolve it through the shell once.
                            m_runner->run(QStringLiteral("cd \"%1\" && pwd").arg(srcDir), 60000)
                                .then(this, [this, d, dir, src, bin, promise, fail](const CommandResult &pwd) mutable {
                                    if (!pwd.ok())
                                        return fail(d, pwd.describe());
                                    const QString absSrc = QString::fromUtf8(pwd.stdOut).trimmed();
                                    auto remaining = std::make_shared<int>(int(src.second.size()));
                                    auto firstError = std::make_shared<QString>();
                                    auto build = [this, d, absSrc, bin, promise, fail, firstError]() mutable {
                                        if (!firstError->isEmpty())
                                            return fail(d, *firstError);
                                        emit progress(tr("Building fbload on %1").arg(m_runner->destination()));
                                        const QString root = m_root;
                                        const QString script = QStringLiteral(
                                            "set -e\n"
                                            "mkdir -p \"%1/bin\" \"%1/build\"\n"
                                            "exec 9>\"%1/bin/.lock\"\n"
                                            "flock 9 2>/dev/null || true\n"
                                            "if [ ! -x \"%2/fbload\" ]; then\n"
                                            "  log=\"%1/build/%3.log\"\n"
                                            "  {\n%4\n"
                                            "  cmake -S %5 -B \"%1/build/%3\" -DCMAKE_BUILD_TYPE=Release\n"
                                            "  cmake --build \"%1/build/%3\" --parallel 4\n"
                                            "  } >\"$log\" 2>&1 || { tail -n 40 \"$log\" >&2; exit 1; }\n"
                                            "  rm -rf \"%2.tmp\" && mkdir -p \"%2.tmp\"\n"
                                            "  cp \"%1/build/%3/fbload\" \"%2.tmp/fbload\"\n"
                                            "  mv -T \"%2.tmp\" \"%2\"\n"
                                            "fi\n"
                                            "\"%2/fbload\" workloads\n")
                                                                   .arg(root, bin, d.sourceHash, m_prelude, shellQuote(absSrc));
                                        m_runner->run(script, 1800000)
                                            .then(this, [this, d, promise, fail](const CommandResult &b) mutable {
                                                if (!b.ok())
                                                    return fail(d, QStringLiteral("building fbload on %1 failed:\n%2")
                                                                       .arg(m_runner->destination(),
                                                                            QString::fromUtf8(b.stdErr.trimmed()).isEmpty()
                                                                                ? b.describe()
                                                                                : QString::fromUtf8(b.stdErr.trimmed())));
                                                d.workloads = QString::fromUtf8(b.stdOut).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
                                                for (QString &w : d.workloads)
                                                    w = w.trimmed();
                                                promise->addResult(d);
                                                promise->finish();
                                            });
                                    };
                                    for (const QString &rel : src.second) {
                                        m_files->uploadFile(dir + QLatin1Char('/') + rel, absSrc + QLatin1Char('/') + rel)
                                            .then(this, [remaining, firstError, build](const QString &err) mutable {
                                                if (!err.isEmpty() && firstError->isEmpty())
                                                    *firstError = err;
                                                if (--*remaining == 0)
                                                    build();
                                            });
                                    }
                                    if (src.second.isEmpty())
                                        build();
                                });
                        });
                });
        });
    return promise->future();
}

} // namespace fb::session
