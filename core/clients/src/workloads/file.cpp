// The file workload: POSIX write, read, stat and delete on a chosen directory
// (scratch, project, local /tmp), through the I/O layer of file_io.h.
//
// No socket: a BlockingSession per connection, each on its own thread with
// its own files (<dir>/fbload.<connection>.<i>), as fio's jobs each have
// theirs; task I of a multi-instance client uses <dir>/fbload.t<I>.<connection>.<i>,
// so tasks may share a folder (a shared $SCRATCH). prepareTask() creates every file at full size before the clock starts
// and, for reads, fills it with the checkable content (fillBlock), then
// fsyncs them, so the load phase measures I/O only; the files are deleted afterwards unless
// params.keep_files. One request = one block (write, read), one stat(), or
// one create+unlink of an empty file (delete): IOPS is the request rate and
// the `bytes` metric gives MB/s (summary.throughput.bytes_per_s).
#include "file.h"

#include "../config.h"
#include "../json.h"
#include "file_io.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <iostream>
#include <optional>
#include <random>
#include <unistd.h>

namespace fbload {

namespace {

enum FileOp : uint32_t { OpWrite, OpRead, OpStat, OpDelete };
enum : int { kMetricBytes = kFirstWorkloadMetric };

}  // namespace

class FileWorkload final : public Workload {
public:
    explicit FileWorkload(const RunConfig& cfg)
    {
        const Json& p = cfg.params;
        param::rejectUnknown(p, {"dir", "block_size", "file_size", "files_per_thread", "direct", "fsync", "pattern",
                                 "op", "read_percent", "verify", "prefill", "keep_files"});
        io.read(p);
        const std::string o = param::string(p, "op", "write");
        if (o == "write")
            op = Op::Write;
        else if (o == "read")
            op = Op::Read;
        else if (o == "readwrite")
            op = Op::ReadWrite;
        else if (o == "stat")
            op = Op::Stat;
        else if (o == "delete")
            op = Op::Delete;
        else
            throw ConfigError("params.op: expected write, read, readwrite, stat or delete, got \"" + o + "\"");
        readPercent = static_cast<int>(param::integer(p, "read_percent", 50, 0, 100));
        verify = param::boolean(p, "verify", true);
        prefill = param::boolean(p, "prefill", op == Op::Read || op == Op::ReadWrite);
        keepFiles = param::boolean(p, "keep_files", false);
        connections = std::max(1, cfg.concurrency);
        if (cfg.task.multi()) {
            io.namePrefix = "fbload.t" + std::to_string(cfg.task.index) + ".";
            io.task = static_cast<uint32_t>(cfg.task.index);
        }
    }

    ~FileWorkload() override
    {
        if (keepFiles || !prepared_)
            return;
        int removed = 0;
        for (int c = 0; c < connections; ++c) {
            fileio::FileSet set(io, c);
            for (int i = 0; i < io.filesPerThread; ++i)
                if (::unlink(set.path(i).c_str()) == 0)
                    ++removed;
                else if (errno != ENOENT)
                    std::cerr << "fbload: file: cannot delete " << set.path(i) << ": " << std::strerror(errno) << "\n";
        }
        std::cerr << "fbload: file: cleanup deleted " << removed << " file(s) in " << io.dir << "\n";
    }

    std::string name() const override { return "file"; }
    std::vector<std::string> opNames() const override { return {"write", "read", "stat", "delete"}; }
    std::vector<MetricSpec> extraMetrics() const override { return {{"bytes", "bytes"}}; }
    bool blocking() const override { return true; }
    int fdsPerConnection() const override { return io.filesPerThread; }  // its files stay open for the run
    std::unique_ptr<Session> newSession(int, uint64_t) const override { return nullptr; }
    std::unique_ptr<BlockingSession> newBlockingSession(int connIndex, uint64_t seed) const override;

    // Shared by all tasks of a client, so done once (by task 0): the folder,
    // created when missing (mkdir -p) so a recipe can name a new one on scratch.
    void prepare(const RunConfig&) override
    {
        std::error_code ec;
        if (std::filesystem::create_directories(io.dir, ec))
            std::cerr << "fbload: file: created " << io.dir << "\n";
        else if (ec)
            throw std::runtime_error("file: params.dir: cannot create " + io.dir + ": " + ec.message());
    }

    // Every task creates its own files, in the folder prepare() made sure of.
    void prepareTask(const RunConfig&) override
    {
        // Every connection's files exist at full size before the clock
        // starts; opening them here also finds out whether O_DIRECT works.
        for (int c = 0; c < connections; ++c) {
            fileio::FileSet set(io, c);
            std::string error;
            if (!set.open(error))
                throw std::runtime_error("file: " + error);
            prepared_ = true;
            if (c == 0) {
                directActive_ = set.directActive();
                if (!set.notice().empty()) {
                    notice_ = set.notice();
                    std::cerr << "fbload: file: " << notice_ << "\n";
                }
            }
            if (!prefill)
                for (int f = 0; f < set.files(); ++f)
                    allocate(set.path(f));
            if (prefill)
                for (int f = 0; f < set.files(); ++f)
                    for (uint64_t b = 0; b < io.blocksPerFile(); ++b)
                        if (!set.writeBlock(f, b, error))
                            throw std::runtime_error("file: prefill: " + error);
            // The layout (allocation, prefilled blocks, their metadata) reaches
            // the device now, as fio's create_fsync does, not as journal
            // commits and writeback inside the measured phase.
            if (!set.syncAll(error))
                throw std::runtime_error("file: " + error);
        }
        std::cerr << "fbload: file: " << connections * io.filesPerThread << " file(s) of " << io.fileSize
                  << " bytes in " << io.dir << (prefill ? " (filled)" : "") << "\n";
    }

    void describe(Json& info) const override
    {
        info["dir"] = io.dir;
        info["block_size"] = static_cast<double>(io.blockSize);
        info["file_size"] = static_cast<double>(io.fileSize);
        info["files_per_thread"] = io.filesPerThread;
        info["pattern"] = io.random ? "rand" : "seq";
        info["direct_requested"] = io.direct;
        info["direct_active"] = directActive_;
        info["fsync"] = io.fsync;
        info["verify"] = verify;
        info["notice"] = notice_.empty() ? Json() : Json(notice_);
    }

    enum class Op { Write, Read, ReadWrite, Stat, Delete };
    fileio::FileParams io;
    Op op = Op::Write;
    int readPercent = 50;
    bool verify = true, prefill = false, keepFiles = false;
    int connections = 1;

private:
    // Reserves the file's blocks (as fio's default fallocate=native does), so
    // that writes measure I/O rather than block allocation. Best effort:
    // filesystems without fallocate simply allocate on first write.
    void allocate(const std::string& path) const
    {
        const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
        if (fd < 0)
            return;
        (void)::posix_fallocate(fd, 0, static_cast<off_t>(io.fileSize));
        ::close(fd);
    }

    bool prepared_ = false;
    bool directActive_ = false;
    std::string notice_;
};

namespace {

class FileSession final : public BlockingSession {
public:
    FileSession(const FileWorkload& w, int conn, uint64_t seed) : w_(w), conn_(conn), rng_(seed) {}

    bool open(std::string& error) override
    {
        set_.emplace(w_.io, conn_);
        return set_->open(error);
    }
    void close() override { set_.reset(); }  // closes the descriptors

    ErrorClass call(uint32_t& op, CallSink& sink) override
    {
        std::string error;
        switch (w_.op) {
        case FileWorkload::Op::Write: op = OpWrite; break;
        case FileWorkload::Op::Read: op = OpRead; break;
        case FileWorkload::Op::ReadWrite:
            op = static_cast<int>(rng_() % 100) < w_.readPercent ? OpRead : OpWrite;
            break;
        case FileWorkload::Op::Stat: op = OpStat; break;
        case FileWorkload::Op::Delete: op = OpDelete; break;
        }
        bool ok = true;
        if (op == OpWrite || op == OpRead) {
            int file = 0;
            uint64_t block = 0;
            nextBlock(file, block);
            ok = op == OpWrite ? set_->writeBlock(file, block, error) : set_->readBlock(file, block, w_.verify, error);
            if (ok) {
                sink.record(kMetricBytes, static_cast<int64_t>(w_.io.blockSize));
                return ErrorClass::None;
            }
            // Different bytes than were written: the storage is wrong, and
            // no later number would mean anything.
            if (error.rfind("data mismatch", 0) == 0)
                sink.fatal("file: " + error);
        } else if (op == OpStat) {
            ok = set_->statFile(static_cast<int>(statNext_++ % static_cast<uint64_t>(w_.io.filesPerThread)), error);
        } else {
            ok = createDelete(error);
        }
        if (ok)
            return ErrorClass::None;
        if (reported_++ == 0)
            std::cerr << "fbload: file: " << error << "\n";
        return ErrorClass::Server;
    }

private:
    // seq: every block of file 0, then file 1 ... and around again;
    // rand: a uniformly random block of a random file.
    void nextBlock(int& file, uint64_t& block)
    {
        const uint64_t perFile = w_.io.blocksPerFile();
        const uint64_t total = perFile * static_cast<uint64_t>(w_.io.filesPerThread);
        const uint64_t i = w_.io.random ? rng_() % total : cursor_++ % total;
        file = static_cast<int>(i / perFile);
        block = i % perFile;
    }

    // One metadata round: create an empty file and remove it.
    bool createDelete(std::string& error)
    {
        const std::string path = w_.io.dir + "/" + w_.io.namePrefix + std::to_string(conn_) + ".tmp";
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) {
            error = "cannot create " + path + ": " + std::strerror(errno);
            return false;
        }
        ::close(fd);
        if (::unlink(path.c_str()) != 0) {
            error = "cannot delete " + path + ": " + std::strerror(errno);
            return false;
        }
        return true;
    }

    const FileWorkload& w_;
    int conn_;
    std::optional<fileio::FileSet> set_;
    std::mt19937_64 rng_;
    uint64_t cursor_ = 0, statNext_ = 0;
    int reported_ = 0;
};

}  // namespace

std::unique_ptr<BlockingSession> FileWorkload::newBlockingSession(int connIndex, uint64_t seed) const
{
    return std::make_unique<FileSession>(*this, connIndex, seed);
}

std::unique_ptr<Workload> makeFileWorkload(const RunConfig& cfg)
{
    return std::make_unique<FileWorkload>(cfg);
}

}  // namespace fbload
