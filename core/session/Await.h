// await(): waits for a QFuture inside a local event loop, so the thread that
// waits keeps delivering its own events (QProcess and socket notifications of
// the objects it owns). The campaign engine runs its steps as straight-line
// code with this, either on fbctl's main thread or on the GUI's campaign
// worker thread — never on the GUI thread itself.
//
// Returns std::nullopt when `cancel` became true (checked every 50 ms) or the
// timeout passed; the future is then cancelled (its producer may ignore that).
#pragma once

#include <QEventLoop>
#include <QFuture>
#include <QFutureWatcher>
#include <QTimer>

#include <atomic>
#include <optional>

namespace fb::session {

template<typename T>
std::optional<T> await(QFuture<T> future, const std::atomic_bool *cancel = nullptr, int timeoutMs = -1)
{
    if (!future.isFinished()) {
        QEventLoop loop;
        QFutureWatcher<T> watcher;
        QObject::connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
        QTimer tick;
        tick.setInterval(50);
        QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
            if (cancel && cancel->load())
                loop.quit();
        });
        QTimer deadline;
        deadline.setSingleShot(true);
        QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
        watcher.setFuture(future);
        tick.start();
        if (timeoutMs >= 0)
            deadline.start(timeoutMs);
        if (!future.isFinished())
            loop.exec();
    }
    if (!future.isFinished() || future.isCanceled() || future.resultCount() == 0) {
        future.cancel();
        return std::nullopt;
    }
    return future.result();
}

// Sleeps `ms` while delivering events; false if cancelled meanwhile.
inline bool pause(int ms, const std::atomic_bool *cancel = nullptr)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    QTimer tick;
    tick.setInterval(50);
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        if (cancel && cancel->load())
            loop.quit();
    });
    tick.start();
    loop.exec();
    return !(cancel && cancel->load());
}

} // namespace fb::session
