// The file workload's I/O layer (see file_io.h). Plain POSIX calls: there is
// no Debian library that does "pwrite a block, time it" better than pwrite.
#include "file_io.h"

#include "../config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <vector>

namespace fbload::fileio {

namespace {

constexpr size_t kAlign = 4096;

std::string errnoText(const std::string& what, const std::string& path, int err)
{
    return what + " " + path + ": " + std::strerror(err);
}

// Expands $NAME and ${NAME} from the job's environment, so recipes can say
// dir: $SCRATCH/fb (the value reaches fbload single-quoted, unexpanded).
// Hand-written because wordexp(3) would also split fields and glob.
std::string expandEnv(const std::string& in)
{
    std::string out;
    for (size_t i = 0; i < in.size();) {
        if (in[i] != '$') {
            out += in[i++];
            continue;
        }
        const bool braced = i + 1 < in.size() && in[i + 1] == '{';
        size_t b = i + (braced ? 2 : 1), e = b;
        while (e < in.size() && (std::isalnum(static_cast<unsigned char>(in[e])) || in[e] == '_'))
            ++e;
        if (e == b || (braced && (e >= in.size() || in[e] != '}'))) {
            out += in[i++]; // a lone '$' stays as it is
            continue;
        }
        const std::string name = in.substr(b, e - b);
        const char* v = std::getenv(name.c_str());
        if (!v || !*v)
            throw ConfigError("params.dir: $" + name + " is not set in the job's environment (in \"" + in + "\")");
        out += v;
        i = braced ? e + 1 : e;
    }
    return out;
}

}  // namespace

void FileParams::read(const Json& p)
{
    dir = expandEnv(param::string(p, "dir", ""));
    if (dir.empty())
        throw ConfigError("params.dir: required (the directory to test, e.g. a scratch or project path)");
    blockSize = static_cast<size_t>(param::integer(p, "block_size", 4096, 512, int64_t{64} << 20));
    fileSize = static_cast<uint64_t>(param::integer(p, "file_size", int64_t{16} << 20, 512, int64_t{1} << 44));
    filesPerThread = static_cast<int>(param::integer(p, "files_per_thread", 1, 1, 100000));
    direct = param::boolean(p, "direct", false);
    fsync = param::boolean(p, "fsync", false);
    const std::string pattern = param::string(p, "pattern", "seq");
    if (pattern != "seq" && pattern != "rand")
        throw ConfigError("params.pattern: expected seq or rand, got \"" + pattern + "\"");
    random = pattern == "rand";
    if (fileSize < blockSize)
        throw ConfigError("params.file_size: must be at least params.block_size (" + std::to_string(blockSize) + ")");
    if (direct && blockSize % kAlign != 0)
        throw ConfigError("params.block_size: must be a multiple of 4096 with params.direct=true, got " +
                          std::to_string(blockSize));
}

namespace {

// Block content, per 512-byte sector of the file: the file id and the
// sector's byte offset (16 bytes, so a misplaced or foreign sector is caught),
// then 496 bytes of a fixed random table starting at a place that depends on
// the sector's position in its 32 KiB period (kPeriodSectors). Because the
// bodies repeat every 32 KiB, a block whose size and offset are multiples of
// 32 KiB differs from any other such block only in its headers: FileSet keeps
// one buffer and re-stamps 16 bytes per sector (stampBlock), as fio's
// scramble_buffers stamps its one reused buffer, instead of generating every
// byte of every block (a 1 MiB fill per write took ~60 us of CPU, a tenth of
// the write itself, and on 2 shared cores made fbload's rounds swing with the
// other processes' load: 1.7-4.4 GiB/s next to fio's 2.9-3.5).
constexpr size_t kSector = 512;
constexpr size_t kHeader = 16;
constexpr size_t kTableBytes = 64 * 1024;
constexpr uint64_t kPeriodSectors = 64;
constexpr uint64_t kPeriodBytes = kPeriodSectors * kSector;

const unsigned char* randomTable()
{
    static const std::vector<unsigned char> table = [] {
        std::vector<unsigned char> t(kTableBytes + kSector);
        uint64_t x = 0x243F6A8885A308D3ull;
        for (size_t i = 0; i < t.size(); i += 8) {
            uint64_t z = (x += 0x9E3779B97F4A7C15ull);  // splitmix64
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            z ^= z >> 31;
            std::memcpy(t.data() + i, &z, 8);
        }
        return t;
    }();
    return table.data();
}

void fillSector(unsigned char* out, uint64_t fileId, uint64_t sector)
{
    const uint64_t off = sector * kSector;
    std::memcpy(out, &fileId, 8);
    std::memcpy(out + 8, &off, 8);
    // Odd multiplier: neighbouring sectors start far apart in the table.
    const size_t start = static_cast<size_t>(((sector % kPeriodSectors) * 0x9E3779B1ull) % (kTableBytes / 8)) * 8;
    std::memcpy(out + kHeader, randomTable() + start, kSector - kHeader);
}

}  // namespace

void fillBlock(char* buf, size_t len, uint64_t fileId, uint64_t offset)
{
    auto* out = reinterpret_cast<unsigned char*>(buf);
    unsigned char tmp[kSector];
    size_t done = 0;
    while (done < len) {
        const uint64_t pos = offset + done;
        const uint64_t sector = pos / kSector;
        const size_t within = static_cast<size_t>(pos % kSector);
        const size_t n = std::min(kSector - within, len - done);
        if (within == 0 && n == kSector) {
            fillSector(out + done, fileId, sector);
        } else {  // a partial sector at an unaligned block edge
            fillSector(tmp, fileId, sector);
            std::memcpy(out + done, tmp + within, n);
        }
        done += n;
    }
}

void FileSet::stampBlock(uint64_t fileId, uint64_t offset)
{
    const bool periodic = p_.blockSize % kPeriodBytes == 0 && offset % kPeriodBytes == 0;
    if (!periodic || !contentReady_) {
        fillBlock(content_, p_.blockSize, fileId, offset);
        contentReady_ = periodic;
        return;
    }
    // Same bodies as the last block: only each sector's header changes.
    for (size_t at = 0; at < p_.blockSize; at += kSector) {
        const uint64_t off = offset + at;
        std::memcpy(content_ + at, &fileId, 8);
        std::memcpy(content_ + at + 8, &off, 8);
    }
}

FileSet::FileSet(const FileParams& p, int thread) : p_(p), thread_(thread)
{
    const size_t n = (p_.blockSize + kAlign - 1) / kAlign * kAlign;
    buf_ = static_cast<char*>(std::aligned_alloc(kAlign, n));
    content_ = static_cast<char*>(std::aligned_alloc(kAlign, n));
}

FileSet::~FileSet()
{
    for (int fd : fds_)
        if (fd >= 0)
            ::close(fd);
    std::free(buf_);
    std::free(content_);
}

std::string FileSet::path(int file) const
{
    return p_.dir + "/" + p_.namePrefix + std::to_string(thread_) + "." + std::to_string(file);
}

bool FileSet::open(std::string& error)
{
    directActive_ = p_.direct;
    for (int i = 0; i < p_.filesPerThread; ++i) {
        const std::string f = path(i);
        int flags = O_RDWR | O_CREAT | O_CLOEXEC;
        int fd = ::open(f.c_str(), flags | (directActive_ ? O_DIRECT : 0), 0600);
        if (fd < 0 && directActive_ && errno == EINVAL) {
            // The filesystem refuses O_DIRECT (older tmpfs, some FUSE and
            // network mounts): carry on buffered and say so once.
            struct statfs sf {};
            ::statfs(p_.dir.c_str(), &sf);
            char magic[32];
            std::snprintf(magic, sizeof magic, "0x%lx", static_cast<unsigned long>(sf.f_type));
            notice_ = "params.direct: " + p_.dir + " (filesystem type " + magic +
                      ") refuses O_DIRECT; using buffered I/O (the page cache is not bypassed)";
            directActive_ = false;
            fd = ::open(f.c_str(), flags, 0600);
        }
        if (fd < 0) {
            error = errnoText("cannot open", f, errno);
            return false;
        }
        fds_.push_back(fd);
        if (::ftruncate(fd, static_cast<off_t>(p_.fileSize)) != 0) {
            error = errnoText("cannot size", f, errno);
            return false;
        }
    }
    return true;
}

bool FileSet::writeBlock(int file, uint64_t block, std::string& error)
{
    const uint64_t off = block * p_.blockSize;
    stampBlock(fileId(file), off);
    size_t done = 0;
    while (done < p_.blockSize) {
        ssize_t n = ::pwrite(fds_[static_cast<size_t>(file)], content_ + done, p_.blockSize - done,
                             static_cast<off_t>(off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            error = errnoText("write failed on", path(file), n < 0 ? errno : EIO);
            return false;
        }
        done += static_cast<size_t>(n);
    }
    if (p_.fsync && ::fsync(fds_[static_cast<size_t>(file)]) != 0) {
        error = errnoText("fsync failed on", path(file), errno);
        return false;
    }
    return true;
}

bool FileSet::readBlock(int file, uint64_t block, bool verify, std::string& error)
{
    const uint64_t off = block * p_.blockSize;
    size_t done = 0;
    while (done < p_.blockSize) {
        ssize_t n = ::pread(fds_[static_cast<size_t>(file)], buf_ + done, p_.blockSize - done,
                            static_cast<off_t>(off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            error = errnoText("read failed on", path(file), errno);
            return false;
        }
        if (n == 0) {
            error = "short read on " + path(file) + " at offset " + std::to_string(off + done);
            return false;
        }
        done += static_cast<size_t>(n);
    }
    if (verify) {
        stampBlock(fileId(file), off);
        if (std::memcmp(buf_, content_, p_.blockSize) != 0) {
            error = "data mismatch in " + path(file) + " at offset " + std::to_string(off) +
                    " (block of " + std::to_string(p_.blockSize) + " bytes differs from what was written)";
            return false;
        }
    }
    return true;
}

bool FileSet::statFile(int file, std::string& error) const
{
    struct stat st {};
    if (::stat(path(file).c_str(), &st) != 0) {
        error = errnoText("cannot stat", path(file), errno);
        return false;
    }
    return true;
}

bool FileSet::syncAll(std::string& error)
{
    for (size_t i = 0; i < fds_.size(); ++i)
        if (::fsync(fds_[i]) != 0) {
            error = errnoText("fsync failed on", path(static_cast<int>(i)), errno);
            return false;
        }
    return true;
}

bool FileSet::removeAll(std::string& error)
{
    bool ok = true;
    for (size_t i = 0; i < fds_.size(); ++i) {
        if (fds_[i] >= 0)
            ::close(fds_[i]);
        fds_[i] = -1;
        if (::unlink(path(static_cast<int>(i)).c_str()) != 0 && errno != ENOENT) {
            error = errnoText("cannot delete", path(static_cast<int>(i)), errno);
            ok = false;
        }
    }
    fds_.clear();
    return ok;
}

}  // namespace fbload::fileio
