// OutputFile: where fbload writes a result (--out), a merged result (merge -o)
// or its Prometheus target file, checked before any work starts.
//
// A regular file (or a path that does not exist yet) is written to a
// temporary file beside it, then renamed over it, so a reader never sees
// half a document; that temporary file is created (and removed) once at
// construction, so a folder that cannot be written fails before the run. Anything else that exists (a character
// device such as /dev/null, a FIFO, a socket) is opened and written in
// place, never replaced; "-" (and an empty path) is standard output.
#pragma once

#include <string>

namespace fbload {

class OutputFile {
public:
    // Throws ConfigError naming `flag` when the target cannot be written.
    OutputFile(std::string path, std::string flag);
    ~OutputFile();  // removes a temporary file a failed commit() left
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    // Writes `text` (complete, flushed, then renamed into place); false with
    // `error` (naming the path) on failure.
    bool commit(const std::string& text, std::string& error);
    bool toStdout() const { return kind_ == Kind::Stdout; }
    const std::string& path() const { return path_; }

private:
    enum class Kind { Stdout, InPlace, Replace };
    Kind kind_ = Kind::Stdout;
    std::string path_;    // as given
    std::string target_;  // Replace: the file renamed over (a symlink's target)
    std::string tmp_;
    int tmpFd_ = -1;
};

}  // namespace fbload
