// The I/O layer of the file workload: a thread's set of files in a chosen
// directory, block reads and writes at given offsets (sequential or random
// order is the caller's), stat and delete, O_DIRECT with a fallback, fsync.
//
// Every block's content is a function of (file, offset), so a read can be
// checked against what was written without keeping a copy. The file
// workload itself waits for an engine mode without a socket target (see
// docs/fbload-data.md, "file"); this layer is tested in tst_file_io.
#pragma once

#include "../json.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fbload::fileio {

struct FileParams {
    std::string dir;          // required: scratch, project, /tmp ...
    size_t blockSize = 4096;  // bytes per read/write
    uint64_t fileSize = 16u << 20;
    int filesPerThread = 1;
    bool direct = false;      // O_DIRECT (page cache bypassed)
    bool fsync = false;       // fsync after every write
    bool random = false;      // pattern: seq or rand (for the caller)
    // Not params: set by the workload. Files are <dir>/<namePrefix><thread>.<i>;
    // a task of a multi-instance client has its own prefix (fbload.t<task>.)
    // and its task number in every block's file id, so tasks sharing a
    // folder never touch, nor write the same bytes as, each other's files.
    std::string namePrefix = "fbload.";
    uint32_t task = 0;
    void read(const Json& params);  // errors name params.<key>
    uint64_t blocksPerFile() const { return fileSize / blockSize; }
};

// Fills `len` bytes with the file's content at `offset`: per 512-byte sector
// the file id, the sector's offset and 496 bytes of a fixed random table
// chosen by the sector's place in a 32 KiB period (see file_io.cpp), so any
// byte is a function of (file, position).
void fillBlock(char* buf, size_t len, uint64_t fileId, uint64_t offset);

class FileSet {
public:
    // Files <dir>/<namePrefix><thread>.<i>; nothing is touched until open().
    FileSet(const FileParams& p, int thread);
    ~FileSet();
    FileSet(const FileSet&) = delete;
    FileSet& operator=(const FileSet&) = delete;

    // Creates (or opens) the files at full size. Returns false with `error`
    // naming the path and errno. When the filesystem refuses O_DIRECT the
    // files are opened buffered instead and notice() says so.
    bool open(std::string& error);
    const std::string& notice() const { return notice_; }
    bool directActive() const { return directActive_; }

    // One block at block index `block` of file `file`: true on success.
    bool writeBlock(int file, uint64_t block, std::string& error);
    // Reads and, when verify, compares with fillBlock (mismatch = error).
    bool readBlock(int file, uint64_t block, bool verify, std::string& error);
    bool statFile(int file, std::string& error) const;
    // fsync of every file: a laid-out set is on the device before the clock starts.
    bool syncAll(std::string& error);
    // Deletes every file (closing them first).
    bool removeAll(std::string& error);
    std::string path(int file) const;
    int files() const { return static_cast<int>(fds_.size()); }

private:
    uint64_t fileId(int file) const
    {
        return (static_cast<uint64_t>(p_.task) << 48) ^ (static_cast<uint64_t>(thread_) << 32) ^ static_cast<uint32_t>(file);
    }
    // content_ = fillBlock(fileId, offset) for one block, re-stamping only
    // the sector headers when the bodies are those of the previous block.
    void stampBlock(uint64_t fileId, uint64_t offset);
    FileParams p_;
    int thread_;
    std::vector<int> fds_;
    char* buf_ = nullptr;      // aligned for O_DIRECT: what reads land in
    char* content_ = nullptr;  // aligned: what writes send and reads are checked against
    bool contentReady_ = false;
    bool directActive_ = false;
    std::string notice_;
};

}  // namespace fbload::fileio
