#include "ServiceGroups.h"

#include "recipe/Quantities.h"

#include <cmath>

namespace fb::session {

std::optional<double> trialClientTime(const recipe::Recipe &trial)
{
    double longest = 0;
    for (const recipe::Client &c : trial.clients) {
        double t = 0;
        if (c.resources.time && *c.resources.time > 0)
            t = *c.resources.time; // the client's own limit
        else if (c.duration || !c.requests)
            t = c.warmup + c.load.rampUp + c.duration.value_or(30) + kClientStartAllowance; // fbload's default bound: 30 s
        else if (const auto limit = trial.cluster.resources.time; limit && *limit > 0)
            t = *limit; // a request count: as long as its job may run
        else
            return std::nullopt;
        longest = std::max(longest, t);
    }
    return longest;
}

namespace {

// Same services, same service jobs: every service field and the cluster
// section (partition, account, modules, environment of the jobs).
bool sameServices(const recipe::Recipe &a, const recipe::Recipe &b)
{
    return a.services == b.services && a.cluster == b.cluster;
}

} // namespace

bool groupTrials(const recipe::Recipe &recipe, const QList<recipe::Trial> &trials, QList<ServiceGroup> *groups,
                 QList<recipe::Diagnostic> *diagnostics)
{
    groups->clear();
    const bool reuse = recipe.sweep.reuseServices;
    for (int i = 0; i < trials.size(); ++i) {
        ServiceGroup *into = nullptr;
        if (reuse)
            for (ServiceGroup &g : *groups)
                if (sameServices(trials[g.trials.first()].recipe, trials[i].recipe)) {
                    into = &g;
                    break;
                }
        if (!into) {
            ServiceGroup g;
            g.services = trials[i].recipe;
            groups->append(g);
            into = &groups->last();
        }
        into->trials << i;
    }
    // Ids: a group of several trials shares its services (g01, g02, … in
    // order); a trial alone keeps its services in its own folder.
    int shared = 0;
    for (ServiceGroup &g : *groups) {
        g.shared = g.trials.size() > 1;
        g.id = g.shared ? QStringLiteral("g%1").arg(++shared, 2, 10, QLatin1Char('0')) : trials[g.trials.first()].id;
    }
    if (!reuse)
        return true;

    // Time limits of shared services.
    const int parallel = std::max(1, recipe.sweep.maxParallelTrials);
    bool ok = true;
    for (ServiceGroup &g : *groups) {
        double clientTime = 0;
        bool known = true;
        for (int i : std::as_const(g.trials)) {
            const auto t = trialClientTime(trials[i].recipe);
            known = known && t.has_value();
            clientTime += t.value_or(0);
        }
        if (!g.shared || !known || g.services.services.isEmpty())
            continue;
        clientTime = std::ceil(clientTime / parallel);
        for (int si = 0; si < g.services.services.size(); ++si) {
            recipe::Service &s = g.services.services[si];
            if (s.resources.time) {
                if (*s.resources.time < clientTime) {
                    const QString field = QStringLiteral("services[%1].resources.time").arg(si);
                    recipe::Diagnostic d;
                    d.severity = recipe::Diagnostic::Error;
                    d.path = field;
                    const recipe::SourcePosition at = recipe.positions.value(field);
                    d.file = at.file;
                    d.line = at.line;
                    d.column = at.column;
                    d.message = QStringLiteral("service %1 is shared by the %2 trial(s) of service group %3 (sweep.reuse_services), "
                                               "but its time limit %4 is shorter than their client time together, %5 "
                                               "(each trial's longest client: its clients[].resources.time, else warmup + "
                                               "duration + 1m to start; over sweep.max_parallel_trials %6): raise %7 or set "
                                               "sweep.reuse_services: false")
                                    .arg(s.name).arg(g.trials.size()).arg(g.id, recipe::formatDuration(*s.resources.time),
                                                                          recipe::formatDuration(clientTime))
                                    .arg(parallel).arg(field);
                    diagnostics->append(d);
                    ok = false;
                }
            } else if (const auto inherited = g.services.cluster.resources.time) {
                // The cluster's limit covered one trial (start-up and
                // clients); the shared job gets it plus the group's client time.
                s.resources.time = *inherited + clientTime;
            }
        }
    }
    return ok;
}

} // namespace fb::session
