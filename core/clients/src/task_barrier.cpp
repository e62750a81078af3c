#include "task_barrier.h"

#include "config.h"
#include "output_file.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <thread>

namespace fbload {

namespace {

// Markers are polled: a shared filesystem (NFS, Lustre, GPFS) has no
// notification that reaches other nodes. 50 ms keeps the start skew of the
// tasks small and costs one stat() per task and poll.
constexpr auto kPoll = std::chrono::milliseconds(50);

std::string taskList(const std::vector<int>& tasks)
{
    std::string s;
    for (size_t i = 0; i < tasks.size() && i < 8; ++i)
        s += (i ? ", " : "") + std::to_string(tasks[i]);
    if (tasks.size() > 8)
        s += " and " + std::to_string(tasks.size() - 8) + " more";
    return s;
}

}  // namespace

TaskBarrier::TaskBarrier(TaskSpec spec, std::function<bool()> cancelled)
    : spec_(std::move(spec)), cancelled_(std::move(cancelled))
{
    std::error_code ec;
    std::filesystem::create_directories(spec_.barrierDir, ec);
    if (ec && !std::filesystem::is_directory(spec_.barrierDir))
        throw BarrierError("--barrier: cannot create " + spec_.barrierDir + ": " + ec.message());
}

const char* TaskBarrier::phaseName(Phase phase)
{
    switch (phase) {
    case Phase::Prepared: return "prepared";
    case Phase::Ready: return "ready";
    case Phase::Done: return "done";
    }
    return "?";
}

std::string TaskBarrier::markerPath(const std::string& name) const
{
    return spec_.barrierDir + "/" + name;
}

void TaskBarrier::mark(Phase phase) const
{
    const std::string path = markerPath(std::string(phaseName(phase)) + "-" + std::to_string(spec_.index));
    try {
        OutputFile f(path, "--barrier");
        if (std::string error; !f.commit("task " + std::to_string(spec_.index) + "\n", error))
            throw BarrierError("--barrier: " + error);
    } catch (const ConfigError& e) {
        throw BarrierError(e.what());
    }
}

void TaskBarrier::markFailed(const std::string& why) const noexcept
{
    try {
        OutputFile f(markerPath("failed-" + std::to_string(spec_.index)), "--barrier");
        std::string error;
        (void)f.commit(why + "\n", error);  // best effort: the task fails either way
    } catch (...) {
    }
}

bool TaskBarrier::exists(const std::string& name) const
{
    struct stat st {};
    return ::stat(markerPath(name).c_str(), &st) == 0;
}

std::string TaskBarrier::readFailure(int task) const
{
    std::ifstream f(markerPath("failed-" + std::to_string(task)));
    std::stringstream ss;
    ss << f.rdbuf();
    std::string why = ss.str();
    while (!why.empty() && (why.back() == '\n' || why.back() == '\r'))
        why.pop_back();
    return why.empty() ? "(no error text)" : why;
}

double TaskBarrier::waitFor(Phase phase, int first, int last) const
{
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::duration<double>(spec_.timeoutS);
    std::vector<int> missing;
    for (int t = first; t <= last; ++t)
        missing.push_back(t);
    for (;;) {
        for (auto it = missing.begin(); it != missing.end();) {
            if (exists(std::string(phaseName(phase)) + "-" + std::to_string(*it))) {
                it = missing.erase(it);
                continue;
            }
            if (exists("failed-" + std::to_string(*it)))
                throw BarrierError("task " + std::to_string(*it) + " failed: " + readFailure(*it));
            ++it;
        }
        const auto now = std::chrono::steady_clock::now();
        if (missing.empty())
            return std::chrono::duration<double>(now - start).count();
        if (cancelled_ && cancelled_())
            throw BarrierError("interrupted while waiting for task(s) " + taskList(missing) + " to be " + phaseName(phase));
        if (now >= deadline) {
            std::ostringstream msg;
            msg << "task(s) " << taskList(missing) << " did not mark \"" << phaseName(phase) << "\" in "
                << spec_.barrierDir << " within " << spec_.timeoutS << " s (--barrier-timeout)";
            throw BarrierError(msg.str());
        }
        std::this_thread::sleep_for(kPoll);
    }
}

}  // namespace fbload
