// fbctl profile list | show NAME | import FILE [--name NAME] | remove NAME
#include "Command.h"

#include "ssh/ConnectionProfile.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace fb::cli {
namespace {

int profileCommand(const QStringList &args)
{
    const QString usage = QStringLiteral(
        "usage: fbctl profile list\n"
        "       fbctl profile show NAME\n"
        "       fbctl profile import FILE [--name NAME]   (a profile JSON, e.g. the mini-cluster's)\n"
        "       fbctl profile remove NAME\n");
    if (args.isEmpty() || args.first() == QLatin1String("--help")) {
        (args.isEmpty() ? err() : out()) << usage;
        return args.isEmpty() ? Usage : Ok;
    }
    ProfileStore store;
    QString error;
    const QString sub = args.first();
    if (sub == QLatin1String("list") && args.size() == 1) {
        for (const QString &n : store.names()) {
            ConnectionProfile p;
            if (store.load(n, &p, &error))
                out() << n << '\t' << p.user << '@' << p.host << ':' << p.port << '\n';
            else
                out() << n << "\t(unreadable: " << error << ")\n";
        }
        return Ok;
    }
    if (sub == QLatin1String("show") && args.size() == 2) {
        ConnectionProfile p;
        if (!store.load(args[1], &p, &error)) {
            err() << "fbctl: " << error << '\n';
            return InvalidInput;
        }
        out() << QJsonDocument(p.toJson()).toJson(QJsonDocument::Indented);
        return Ok;
    }
    if (sub == QLatin1String("import") && (args.size() == 2 || (args.size() == 4 && args[2] == QLatin1String("--name")))) {
        ConnectionProfile p;
        if (!ProfileStore::loadFile(args[1], &p, &error)) {
            err() << "fbctl: " << error << '\n';
            return InvalidInput;
        }
        if (args.size() == 4)
            p.name = args[3];
        if (!store.save(p, &error)) {
            err() << "fbctl: " << error << '\n';
            return Failed;
        }
        out() << "saved profile \"" << p.name << "\" in " << store.dir() << '\n';
        return Ok;
    }
    if (sub == QLatin1String("remove") && args.size() == 2) {
        if (!store.remove(args[1], &error)) {
            err() << "fbctl: " << error << '\n';
            return InvalidInput;
        }
        return Ok;
    }
    err() << usage;
    return Usage;
}

} // namespace

FB_FBCTL_COMMAND(QStringLiteral("profile"), QStringLiteral("list, show, import or remove connection profiles"), profileCommand);

} // namespace fb::cli
