// ServiceGroups: which trials of a campaign share running services. Trials
// whose services are configured alike (every services[] field and the
// cluster section, after sweep expansion) form one service group when
// sweep.reuse_services is true (the default): the group's services are
// submitted once, in the group's folder (<run>/g01), and its trials run one
// after another (or up to max_parallel_trials at once) against the same
// endpoints. With reuse off every trial is a group of its own, its services
// in the trial's folder as before — and so is a trial whose services no
// other trial shares. Shared groups are numbered (g01, g02, …) in the order
// of their first trial; the run order keeps each group's trials together.
//
// A shared service must outlive its group's trials. A trial's client time
// is its longest client's: the client's own time limit
// (clients[].resources.time), else its run (warmup + ramp-up + duration,
// fbload's 30 s when neither duration nor requests is given) plus a minute
// to start, else (a request count) the cluster's time limit. The group's
// client time is the sum over its trials, over max_parallel_trials. A
// service whose time limit comes from cluster.resources gets, in a group,
// that limit plus the group's client time; a time limit the service sets
// itself (services[i].resources.time) shorter than the group's client time
// is an error naming the fields.
#pragma once

#include "recipe/Diagnostic.h"
#include "recipe/SweepExpander.h"

#include <QList>
#include <QString>

namespace fb::session {

struct ServiceGroup
{
    QString id;              // "g01"; the trial's id for a trial alone (not reused, or no other trial alike)
    bool shared = false;     // several trials: the services live in the group's own folder
    QList<int> trials;       // indexes into the trial list, in run order
    recipe::Recipe services; // the recipe the group's service jobs are generated from
};

// The groups of `trials` (expanded from `recipe`); `diagnostics` get the
// time-limit errors (then false).
bool groupTrials(const recipe::Recipe &recipe, const QList<recipe::Trial> &trials, QList<ServiceGroup> *groups,
                 QList<recipe::Diagnostic> *diagnostics);

// Seconds a client job is allowed to start (queue, fbload start-up) on top of its run.
constexpr double kClientStartAllowance = 60;

// The client time of one trial (see above); nullopt when a client's is unknown.
std::optional<double> trialClientTime(const recipe::Recipe &trial);

} // namespace fb::session
