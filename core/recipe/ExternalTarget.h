// ExternalTarget: what an external service is (services[].external, a
// service that already runs outside the campaign) — which host names are
// accepted, how host:port is written for fbload and URLs, and the
// `fbctl run|plan --target NAME=HOST:PORT` override that makes a service
// external. The validator, the batch-script generator and fbctl use these;
// docs/recipe-format.md ("External services") describes the behaviour.
#pragma once

#include "recipe/Recipe.h"

#include <QJsonArray>

#include <optional>

namespace fb::recipe {

// A host name (RFC 1123 labels: letters, digits, '-', dot-separated, at most
// 253 characters), an IPv4 address or an IPv6 literal (hex digits, ':' and
// '.', without brackets). Such a host is safe in a shell word, in fbload's
// --target and in a URL, and holds no option-like leading '-'.
bool isValidExternalHost(const QString &host);

// "host:port", or "[v6]:port" for an IPv6 literal: fbload's --target form,
// and the authority of an http:// URL.
QString externalAddress(const ServiceExternal &external);

// The health check an external service gets, run from its clients' jobs
// against host:port: the service's own, except that a command check whose
// argv never names {host} cannot reach another host (a template's
// `redis-cli -p {port} ping` would ask the client's own node) and becomes a
// tcp check. The validator warns when that happens.
HealthCheck externalHealth(const Service &service);
bool externalHealthIsReplaced(const Service &service);

// One `--target NAME=HOST:PORT`.
struct TargetOverride
{
    QString service;
    ServiceExternal external;
    bool operator==(const TargetOverride &) const = default;
};

// Parses "NAME=HOST:PORT" (HOST may be "[v6]"); nullopt with *error (which
// names the option and the text) when it is not that.
std::optional<TargetOverride> parseTargetOption(const QString &text, QString *error);

// Sets external on each named service of `recipe`; false with *error naming
// the option and the services there are, for a name the recipe lacks.
bool applyTargets(Recipe *recipe, const QList<TargetOverride> &targets, QString *error);

// The recipe's services for a run's manifest: [{name, kind, external,
// host, port}] — host and port for external services only.
QJsonArray servicesManifest(const Recipe &recipe);

} // namespace fb::recipe
