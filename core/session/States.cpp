#include "States.h"

#include <array>
#include <utility>

namespace fb::session {

namespace {
constexpr std::array<std::pair<RunState, const char *>, 7> kRunNames{{
    {RunState::Planned, "planned"},
    {RunState::Running, "running"},
    {RunState::Completed, "completed"},
    {RunState::Failed, "failed"},
    {RunState::Cancelled, "cancelled"},
    {RunState::Interrupted, "interrupted"},
    {RunState::Detached, "detached"},
}};
constexpr std::array<std::pair<TrialState, const char *>, 5> kTrialNames{{
    {TrialState::Pending, "pending"},
    {TrialState::Running, "running"},
    {TrialState::Completed, "completed"},
    {TrialState::Failed, "failed"},
    {TrialState::Cancelled, "cancelled"},
}};
} // namespace

QString stateName(RunState s)
{
    for (const auto &[state, name] : kRunNames)
        if (state == s)
            return QLatin1String(name);
    return {};
}

QString stateName(TrialState s)
{
    for (const auto &[state, name] : kTrialNames)
        if (state == s)
            return QLatin1String(name);
    return {};
}

RunState runStateFromName(const QString &n)
{
    for (const auto &[state, name] : kRunNames)
        if (n == QLatin1String(name))
            return state;
    return RunState::Failed;
}

TrialState trialStateFromName(const QString &n)
{
    for (const auto &[state, name] : kTrialNames)
        if (n == QLatin1String(name))
            return state;
    return TrialState::Pending;
}

} // namespace fb::session
