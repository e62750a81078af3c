#include "TrialPhase.h"

#include <array>
#include <utility>

namespace fb::session {

namespace {
constexpr std::array<std::pair<TrialPhase, const char *>, 9> kNames{{
    {TrialPhase::Pending, "pending"},
    {TrialPhase::Prepare, "prepare"},
    {TrialPhase::Services, "services"},
    {TrialPhase::Health, "health"},
    {TrialPhase::Clients, "clients"},
    {TrialPhase::Results, "results"},
    {TrialPhase::Teardown, "teardown"},
    {TrialPhase::Logs, "logs"},
    {TrialPhase::Done, "done"},
}};
} // namespace

QString phaseName(TrialPhase p)
{
    for (const auto &[phase, name] : kNames)
        if (phase == p)
            return QString::fromLatin1(name);
    return QStringLiteral("pending");
}

TrialPhase phaseFromName(const QString &name)
{
    for (const auto &[phase, n] : kNames)
        if (name == QLatin1String(n))
            return phase;
    return TrialPhase::Pending;
}

} // namespace fb::session
