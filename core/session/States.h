// States of a campaign's run, trials and jobs as types. They become text only
// at the run store's boundary (RunStore reads and writes the names below) and
// in what a user reads (fbctl, the panels, notifications, the manifest).
// A job's state is Slurm's (slurm::JobState; "UNKNOWN" for a job Slurm no
// longer knows).
#pragma once

#include "slurm/SlurmJob.h"

#include <QMetaType>
#include <QString>

namespace fb::slurm {
inline QString stateName(JobState s) { return jobStateName(s); }
} // namespace fb::slurm

namespace fb::session {

enum class RunState {
    Planned,     // recorded, not started
    Running,     // in progress (or its process ended without finishing: resume)
    Completed,   // every trial completed
    Failed,      // ended, some trial failed (or the run could not start)
    Cancelled,   // the user cancelled it; its jobs are gone
    Interrupted, // stopped (cluster unreachable, a local write failed, a cancel that did not reach
                 // the cluster): jobs may be left; resume or cancel later
    Detached,    // the app closed while it ran: jobs keep running, the store says Running (never stored)
};

enum class TrialState {
    Pending,     // not started (or back to it after a local write failed)
    Running,
    Completed,
    Failed,
    Cancelled,
};

using JobState = slurm::JobState;

// "planned", "running", "completed", "failed", "cancelled", "interrupted", "detached".
QString stateName(RunState s);
// "pending", "running", "completed", "failed", "cancelled".
QString stateName(TrialState s);
// Slurm's name: "RUNNING", "CANCELLED", "UNKNOWN" (declared in fb::slurm so that an unqualified
// stateName(job.state) finds it from any namespace).
using slurm::stateName;

// The state named `name` (as stored); Failed / Pending for an unknown name.
RunState runStateFromName(const QString &name);
TrialState trialStateFromName(const QString &name);
inline JobState jobStateFromName(const QString &name) { return slurm::parseJobState(name); }

// The trial will not run again in this run (resume skips it).
inline bool isFinished(TrialState s) { return s == TrialState::Completed || s == TrialState::Failed || s == TrialState::Cancelled; }

} // namespace fb::session

Q_DECLARE_METATYPE(fb::session::RunState)
Q_DECLARE_METATYPE(fb::session::TrialState)
