#include "FileSink.h"

#include "Sha256.h"

#include <QFile>

namespace fb {

namespace {
constexpr size_t kMaxQueued = 32; // blocks waiting for the disk (8 MiB of 255 KiB blocks)
constexpr size_t kMaxFree = 8;    // recycled buffers kept
} // namespace

FileSink::~FileSink()
{
    finish(nullptr);
}

void FileSink::start(QFile *file, Sha256 *hash, bool threaded)
{
    finish(nullptr);
    m_file = file;
    m_hash = hash;
    m_error.clear();
    m_failed = false;
    m_stop = false;
    if (threaded)
        m_thread = std::thread([this] { run(); });
}

QByteArray FileSink::buffer()
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_free.empty()) {
            QByteArray b = std::move(m_free.back());
            m_free.pop_back();
            b.resize(m_blockSize); // within its capacity: no allocation
            return b;
        }
    }
    return QByteArray(m_blockSize, Qt::Uninitialized);
}

bool FileSink::put(QByteArray block)
{
    if (!m_thread.joinable()) {
        write(block);
        std::lock_guard lock(m_mutex);
        recycle(std::move(block));
        return !m_failed;
    }
    std::unique_lock lock(m_mutex);
    m_space.wait(lock, [this] { return m_queue.size() < kMaxQueued || m_failed; });
    if (m_failed)
        return false;
    m_queue.push_back(std::move(block));
    m_ready.notify_one();
    return true;
}

bool FileSink::finish(QString *error)
{
    if (m_thread.joinable()) {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_ready.notify_one();
        m_thread.join();
    }
    m_file = nullptr;
    m_hash = nullptr;
    if (m_failed && error)
        *error = m_error;
    return !m_failed;
}

void FileSink::run()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_ready.wait(lock, [this] { return !m_queue.empty() || m_stop; });
        if (m_queue.empty())
            return; // stopped, and everything queued is written
        QByteArray block = std::move(m_queue.front());
        m_queue.pop_front();
        lock.unlock();
        write(block);
        lock.lock();
        recycle(std::move(block));
        m_space.notify_one();
    }
}

void FileSink::write(const QByteArray &block)
{
    if (m_failed)
        return; // the file is broken: drop the rest, finish() reports the first error
    if (m_file->write(block) != block.size()) {
        m_error = QStringLiteral("%1: %2").arg(m_file->fileName(), m_file->errorString());
        m_failed = true;
        return;
    }
    m_hash->addData(block);
}

void FileSink::recycle(QByteArray block)
{
    if (m_free.size() < kMaxFree)
        m_free.push_back(std::move(block));
}

} // namespace fb
