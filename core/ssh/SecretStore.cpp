#include "SecretStore.h"

#include <qt6keychain/keychain.h>

#include <QPromise>

#include <functional>
#include <memory>

namespace fb {

namespace {

// Maps a finished QtKeychain job to a SecretResult. A missing backend shows
// up as NoBackendAvailable, or on Linux as OtherError/AccessDenied from
// D-Bus ("The name org.freedesktop.secrets was not provided…"): anything but
// success or "not found" means nothing can be remembered right now.
SecretResult resultOf(const QKeychain::Job *job, const QString &what)
{
    SecretResult r;
    switch (job->error()) {
    case QKeychain::NoError:
        r.ok = true;
        break;
    case QKeychain::EntryNotFound:
        r.notFound = true;
        r.error = SecretStore::tr("no %1 stored in the keychain").arg(what);
        break;
    case QKeychain::AccessDeniedByUser:
        r.error = SecretStore::tr("access to the keychain was denied");
        break;
    default: {
        r.unavailable = true;
        // QtKeychain often says only "Unknown error" here; name the likely cause.
        QString why = job->errorString();
        if (why.isEmpty() || why == QLatin1String("Unknown error"))
            why = SecretStore::tr("QtKeychain error %1").arg(int(job->error()));
#ifdef Q_OS_LINUX
        if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
            why = SecretStore::tr("no D-Bus session bus, so no Secret Service or KWallet; %1").arg(why);
#endif
        r.error = SecretStore::tr("no OS keychain is available (%1); the secret is not remembered").arg(why);
        break;
    }
    }
    return r;
}

template<typename Job>
QFuture<SecretResult> runJob(SecretStore *store, Job *job, const QString &what,
                             std::function<void(Job *, SecretResult &)> onOk, std::function<void(const SecretResult &)> note)
{
    auto promise = std::make_shared<QPromise<SecretResult>>();
    promise->start();
    QFuture<SecretResult> future = promise->future();
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never plain text on disk
    QObject::connect(job, &QKeychain::Job::finished, store, [job, what, promise, onOk, note] {
        SecretResult r = resultOf(job, what);
        if (r.ok && onOk)
            onOk(job, r);
        note(r);
        promise->addResult(r);
        promise->finish();
    });
    job->start();
    return future;
}

} // namespace

SecretStore::SecretStore(QString service, QObject *parent)
    : QObject(parent)
    , m_service(std::move(service))
{
}

void SecretStore::noteResult(const SecretResult &r)
{
    if (r.unavailable) {
        m_unavailable = true;
        m_unavailableReason = r.error;
    } else if (r.ok || r.notFound) {
        m_unavailable = false; // a backend answered
        m_unavailableReason.clear();
    }
}

QFuture<SecretResult> SecretStore::read(const QString &key)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service, this);
    job->setKey(key);
    return runJob<QKeychain::ReadPasswordJob>(
        this, job, key,
        [](QKeychain::ReadPasswordJob *j, SecretResult &r) {
            QByteArray data = j->binaryData();
            r.secret = SshSecret(data);
            data = QByteArray(); // the job's own copy goes with the job
        },
        [this](const SecretResult &r) { noteResult(r); });
}

QFuture<SecretResult> SecretStore::write(const QString &key, const SshSecret &secret)
{
    auto *job = new QKeychain::WritePasswordJob(m_service, this);
    job->setKey(key);
    job->setBinaryData(secret.bytes());
    return runJob<QKeychain::WritePasswordJob>(this, job, key, {}, [this](const SecretResult &r) { noteResult(r); });
}

QFuture<SecretResult> SecretStore::remove(const QString &key)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service, this);
    job->setKey(key);
    return runJob<QKeychain::DeletePasswordJob>(this, job, key, {}, [this](const SecretResult &r) { noteResult(r); });
}

} // namespace fb
