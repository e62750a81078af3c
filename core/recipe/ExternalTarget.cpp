#include "recipe/ExternalTarget.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QRegularExpression>

#include <algorithm>

namespace fb::recipe {

bool isValidExternalHost(const QString &host)
{
    if (host.isEmpty() || host.size() > 253)
        return false;
    // IPv6 literal: QHostAddress parses it; the character check keeps out a
    // scope id ("fe80::1%eth0"), which is not safe in every place the host goes.
    static const QRegularExpression v6(QStringLiteral("^[0-9A-Fa-f:.]+$"));
    if (host.contains(QLatin1Char(':')))
        return v6.match(host).hasMatch() && QHostAddress(host).protocol() == QAbstractSocket::IPv6Protocol;
    // Host names and IPv4 addresses: dot-separated labels of letters, digits
    // and '-', neither starting nor ending with '-' (so never an option).
    static const QRegularExpression name(
        QStringLiteral("^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"));
    return name.match(host).hasMatch();
}

QString externalAddress(const ServiceExternal &external)
{
    const QString host = external.host.contains(QLatin1Char(':')) ? QLatin1Char('[') + external.host + QLatin1Char(']') : external.host;
    return host + QLatin1Char(':') + QString::number(external.port);
}

bool externalHealthIsReplaced(const Service &service)
{
    const HealthCheck &h = service.health;
    return h.type == QLatin1String("command")
        && std::none_of(h.command.begin(), h.command.end(), [](const QString &a) { return a.contains(QLatin1String("{host}")); });
}

HealthCheck externalHealth(const Service &service)
{
    HealthCheck h = service.health;
    if (externalHealthIsReplaced(service)) {
        h.type = QStringLiteral("tcp");
        h.command.clear();
    }
    return h;
}

std::optional<TargetOverride> parseTargetOption(const QString &text, QString *error)
{
    auto fail = [&](const QString &why) -> std::optional<TargetOverride> {
        if (error)
            *error = QStringLiteral("--target \"%1\": %2").arg(text, why);
        return std::nullopt;
    };
    const qsizetype eq = text.indexOf(QLatin1Char('='));
    if (eq <= 0)
        return fail(QStringLiteral("expected NAME=HOST:PORT (a service name, '=', then where it runs)"));
    TargetOverride t;
    t.service = text.left(eq);
    const QString address = text.mid(eq + 1);
    const qsizetype colon = address.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return fail(QStringLiteral("expected HOST:PORT after '=', got \"%1\"").arg(address));
    QString host = address.left(colon);
    if (host.size() > 2 && host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    else if (host.contains(QLatin1Char(':')))
        return fail(QStringLiteral("write an IPv6 address in brackets: NAME=[%1]:PORT").arg(host));
    if (!isValidExternalHost(host))
        return fail(QStringLiteral("\"%1\" is not a host name or IP address").arg(host));
    bool ok = false;
    const QString portText = address.mid(colon + 1);
    const int port = portText.toInt(&ok);
    if (!ok || port < 1 || port > 65535 || portText.startsWith(QLatin1Char('+')))
        return fail(QStringLiteral("the port must be a number from 1 to 65535, got \"%1\"").arg(portText));
    t.external = ServiceExternal{host, port};
    return t;
}

bool applyTargets(Recipe *recipe, const QList<TargetOverride> &targets, QString *error)
{
    for (const TargetOverride &t : targets) {
        auto it = std::find_if(recipe->services.begin(), recipe->services.end(), [&](const Service &s) { return s.name == t.service; });
        if (it == recipe->services.end()) {
            QStringList names;
            for (const Service &s : std::as_const(recipe->services))
                names << s.name;
            if (error)
                *error = names.isEmpty()
                    ? QStringLiteral("--target %1=%2: the recipe has no services").arg(t.service, externalAddress(t.external))
                    : QStringLiteral("--target %1=%2: the recipe has no service named \"%1\" (services: %3)")
                          .arg(t.service, externalAddress(t.external), names.join(QStringLiteral(", ")));
            return false;
        }
        it->external = t.external;
        // The option replaces a swept external address too.
        const QString path = QStringLiteral("services[%1].external.").arg(it - recipe->services.begin());
        recipe->sweep.axes.removeIf([&](const SweepAxis &a) { return a.path.startsWith(path); });
    }
    return true;
}

QJsonArray servicesManifest(const Recipe &recipe)
{
    QJsonArray out;
    for (const Service &s : recipe.services) {
        QJsonObject o{{QStringLiteral("name"), s.name}, {QStringLiteral("kind"), s.kind},
                      {QStringLiteral("external"), s.external.isSet()}};
        if (s.external.isSet()) {
            o.insert(QStringLiteral("host"), s.external.host);
            o.insert(QStringLiteral("port"), s.external.port);
        }
        out.append(o);
    }
    return out;
}

} // namespace fb::recipe
