// TrialPhase: where a trial of a campaign is, as recorded in the RunStore
// (trials.phase). Resume decides from it what to do with a trial that was in
// flight when fbctl or the app stopped: before Results the trial's jobs are
// re-attached and watched; from Results on its clients have ended, so resume
// only downloads what is still missing, tears down and collects the logs —
// jobs that ended CANCELLED because FactoryBench cancelled them then are not
// a failure.
#pragma once

#include <QString>

namespace fb::session {

enum class TrialPhase {
    Pending,   // not started
    Prepare,   // writing scripts, uploading
    Services,  // submitting (or re-attaching) the service jobs
    Health,    // waiting for every service's endpoint file
    Clients,   // monitor and clients submitted; waiting for the clients
    Results,   // the clients have ended: downloading result files
    Teardown,  // cancelling what is left of the trial's jobs
    Logs,      // collecting job logs
    Done,      // the trial ended (its state says how)
};

// "pending", "prepare", … — the text stored in the run store and shown as the trial's step.
QString phaseName(TrialPhase p);
// The phase named `name`; Pending for an unknown or empty name.
TrialPhase phaseFromName(const QString &name);
// True once the trial's client jobs have ended (resume must not wait for them again).
inline bool clientsEnded(TrialPhase p) { return p >= TrialPhase::Results; }

} // namespace fb::session
