// FileSink: writes a download's data to its local file and hashes it on a
// thread of its own, so that the SSH worker thread only runs libssh
// (receiving, decrypting, SFTP bookkeeping) — the same split as OpenSSH's
// `ssh` and `sftp` processes. Blocks are handed over in order and written
// in order; a bounded queue slows the worker down when the disk is slower.
// Internal to core/ssh.
#pragma once

#include <QByteArray>
#include <QString>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

class QFile;

namespace fb {

class Sha256;

class FileSink
{
public:
    explicit FileSink(qsizetype blockSize) : m_blockSize(blockSize) {}
    ~FileSink();
    FileSink(const FileSink &) = delete;
    FileSink &operator=(const FileSink &) = delete;

    // Hands `file` (open, positioned) and `hash` to the sink until finish().
    // threaded: on a thread of its own; else put() writes inline (small files,
    // where starting a thread would cost more than it saves).
    void start(QFile *file, Sha256 *hash, bool threaded);
    // A buffer of blockSize bytes to read the next block into (recycled).
    QByteArray buffer();
    // Queues a block (sized to its data); waits while the queue is full.
    // False once a write has failed (finish() tells why).
    bool put(QByteArray block);
    // Waits until everything queued is written and hashed; the file and the
    // hash are the caller's again. False (and *error) if a write failed.
    bool finish(QString *error);
    bool active() const { return m_file != nullptr; }

private:
    void run();
    void write(const QByteArray &block);
    void recycle(QByteArray block); // m_mutex held

    const qsizetype m_blockSize;
    QFile *m_file = nullptr;
    Sha256 *m_hash = nullptr;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_ready; // a block was queued, or stop
    std::condition_variable m_space; // a block was written
    std::deque<QByteArray> m_queue;
    std::vector<QByteArray> m_free;
    bool m_stop = false;
    std::atomic_bool m_failed{false};
    QString m_error; // written by the sink thread, read after it has joined
};

} // namespace fb
