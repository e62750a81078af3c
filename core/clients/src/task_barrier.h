// The tasks of one multi-instance client (`srun --ntasks N`, possibly on
// several nodes): which task this fbload is, and the file barrier through
// which they agree on when the shared preparation is done.
//
// A client's preparation (tables, a collection, a bucket) exists once on the
// server, so only task 0 runs Workload::prepare; the other tasks wait for its
// marker. Then every task prepares what is its own (Workload::prepareTask:
// its files), says it is ready and waits for all others, so the load phases
// start together. After the run every task marks itself done and task 0
// waits for all of them before its cleanup drops what the others still use.
//
// Markers are files in one folder shared by all tasks (the trial folder on
// the cluster's shared filesystem), each written atomically (temporary file
// + rename) so a reader never sees half of one:
//   prepared-0        task 0's prepare succeeded
//   ready-<i>         task i is prepared and about to start its load
//   done-<i>          task i has finished its load
//   failed-<i>        task i failed; the file holds its error, which every
//                     task waiting on task i then fails with
// The folder must be new for each run of the client (the batch script names
// it after the Slurm job), otherwise old markers would be taken as current.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace fbload {

struct TaskSpec {
    int index = 0;             // --task-index (SLURM_PROCID in the batch script)
    int count = 1;             // --tasks (SLURM_NTASKS)
    std::string barrierDir;    // --barrier: required when count > 1
    double timeoutS = 1800;    // --barrier-timeout: the longest any one wait may take
    bool multi() const { return count > 1; }
    bool leader() const { return index == 0; }
};

// A wait that cannot end well: another task failed (its error is in the
// message), the timeout passed, or fbload was asked to stop.
class BarrierError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class TaskBarrier {
public:
    enum class Phase { Prepared, Ready, Done };

    // Creates the folder if needed (every task may: mkdir is idempotent).
    // `cancelled` is polled while waiting (SIGTERM). Throws BarrierError.
    TaskBarrier(TaskSpec spec, std::function<bool()> cancelled = {});

    const TaskSpec& spec() const { return spec_; }
    // Writes this task's marker for `phase`; throws BarrierError if it cannot.
    void mark(Phase phase) const;
    // Writes failed-<index> with `why`; never throws (it runs on error paths).
    void markFailed(const std::string& why) const noexcept;
    // Waits until every task in [first, last] has marked `phase` and returns
    // the seconds waited. Throws BarrierError when one of them marked
    // failed-<i> (with its error), after spec().timeoutS, or when cancelled.
    double waitFor(Phase phase, int first, int last) const;

    static const char* phaseName(Phase phase);
    std::string markerPath(const std::string& name) const;

private:
    bool exists(const std::string& name) const;
    std::string readFailure(int task) const;
    TaskSpec spec_;
    std::function<bool()> cancelled_;
};

}  // namespace fbload
