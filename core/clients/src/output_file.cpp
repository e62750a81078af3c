#include "output_file.h"

#include "config.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>

namespace fbload {

namespace {

bool writeAll(int fd, const std::string& text)
{
    for (size_t off = 0; off < text.size();) {
        ssize_t n = ::write(fd, text.data() + off, text.size() - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        off += static_cast<size_t>(n);
    }
    return true;
}

}  // namespace

OutputFile::OutputFile(std::string path, std::string flag) : path_(std::move(path))
{
    if (path_.empty() || path_ == "-")
        return;
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode))
            throw ConfigError(flag + ": " + path_ + " is a directory");
        // A device, FIFO or socket: written in place at the end. Opening a
        // FIFO now would wait for its reader, so only the permission is checked.
        if (::access(path_.c_str(), W_OK) != 0)
            throw ConfigError(flag + ": cannot write " + path_ + ": " + std::strerror(errno));
        kind_ = Kind::InPlace;
        return;
    }
    kind_ = Kind::Replace;
    // A symlink to a regular file: replace the file it names, not the link.
    char real[PATH_MAX];
    target_ = ::realpath(path_.c_str(), real) ? std::string(real) : path_;
    tmp_ = target_ + ".tmp." + std::to_string(::getpid());
    // Create the temporary file once now, so a folder that cannot be written
    // fails before the run; removed again at once, so a run killed with
    // SIGKILL leaves nothing behind for a download to pick up.
    tmpFd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (tmpFd_ < 0) {
        const int err = errno;
        tmp_.clear();
        throw ConfigError(flag + ": cannot write " + path_ + " (creating a file beside it failed: " +
                          std::strerror(err) + ")");
    }
    ::close(tmpFd_);
    tmpFd_ = -1;
    ::unlink(tmp_.c_str());
}

OutputFile::~OutputFile()
{
    if (tmpFd_ >= 0)
        ::close(tmpFd_);
    if (!tmp_.empty())
        ::unlink(tmp_.c_str());
}

bool OutputFile::commit(const std::string& text, std::string& error)
{
    switch (kind_) {
    case Kind::Stdout:
        std::cout << text;
        std::cout.flush();
        if (!std::cout) {
            error = "cannot write the standard output";
            return false;
        }
        return true;
    case Kind::InPlace: {
        int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
        bool ok = fd >= 0 && writeAll(fd, text);
        const int err = errno;
        if (fd >= 0 && ::close(fd) != 0)
            ok = false;
        if (!ok)
            error = "cannot write " + path_ + ": " + std::strerror(err);
        return ok;
    }
    case Kind::Replace:
        break;
    }
    // Every step is checked: a full disk must not leave a short file behind.
    tmpFd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (tmpFd_ < 0) {
        error = "cannot write " + path_ + ": " + std::strerror(errno);
        return false;
    }
    bool ok = writeAll(tmpFd_, text) && (::fsync(tmpFd_) == 0 || errno == EINVAL);
    int err = errno;
    if (::close(tmpFd_) != 0 && ok) {
        ok = false;
        err = errno;
    }
    tmpFd_ = -1;
    if (ok && std::rename(tmp_.c_str(), target_.c_str()) != 0) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        error = "cannot write " + path_ + ": " + std::strerror(err);
        return false;
    }
    tmp_.clear();
    return true;
}

}  // namespace fbload
