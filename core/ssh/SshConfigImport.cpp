#include "SshConfigImport.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QRegularExpression>

namespace fb {
namespace {

struct Block
{
    QStringList patterns; // empty: the lines before the first Host (apply to all)
    int line = 0;
    QList<QPair<QString, QPair<QString, int>>> options; // lower-case keyword → (value, line)
};

// OpenSSH's host pattern: '*' and '?' wildcards, case-insensitive; a list
// matches when a positive pattern matches and no negated one ("!pat") does.
bool matches(const QStringList &patterns, const QString &host)
{
    if (patterns.isEmpty())
        return true;
    bool positive = false;
    for (const QString &p : patterns) {
        const bool negated = p.startsWith(QLatin1Char('!'));
        const QString glob = negated ? p.mid(1) : p;
        // wildcardToRegularExpression() is anchored; host names hold no '/' (its only special case).
        const QRegularExpression re(QRegularExpression::wildcardToRegularExpression(glob),
                                    QRegularExpression::CaseInsensitiveOption);
        if (re.match(host).hasMatch()) {
            if (negated)
                return false;
            positive = true;
        }
    }
    return positive;
}

bool isConcrete(const QString &alias)
{
    return !alias.contains(QLatin1Char('*')) && !alias.contains(QLatin1Char('?')) && !alias.startsWith(QLatin1Char('!'));
}

// "a b", a=b, quoted values: OpenSSH allows "Keyword value", "Keyword=value".
bool splitLine(const QString &line, QString *keyword, QString *value)
{
    static const QRegularExpression re(QStringLiteral("^\\s*([A-Za-z]+)\\s*(?:=\\s*|\\s+)(.*?)\\s*$"));
    const auto m = re.match(line);
    if (!m.hasMatch())
        return false;
    *keyword = m.captured(1).toLower();
    *value = m.captured(2);
    if (value->size() >= 2 && value->startsWith(QLatin1Char('"')) && value->endsWith(QLatin1Char('"')))
        *value = value->mid(1, value->size() - 2);
    return true;
}

} // namespace

SshConfigImport importSshConfig(const QString &pathIn)
{
    SshConfigImport result;
    const QString path = pathIn.isEmpty() ? QDir::homePath() + QStringLiteral("/.ssh/config") : pathIn;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text)) {
        result.error = QStringLiteral("%1: %2").arg(path, f.errorString());
        return result;
    }
    QList<Block> blocks{Block{}};
    QStringList aliases;
    bool inMatch = false;
    int lineNo = 0;
    while (!f.atEnd()) {
        ++lineNo;
        const QString line = QString::fromUtf8(f.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        QString keyword, value;
        if (!splitLine(line, &keyword, &value)) {
            result.notes << QStringLiteral("%1:%2: cannot read this line; ignored").arg(path).arg(lineNo);
            continue;
        }
        if (keyword == QLatin1String("host")) {
            inMatch = false;
            Block b;
            b.patterns = value.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
            b.line = lineNo;
            for (const QString &a : b.patterns)
                if (isConcrete(a) && !aliases.contains(a))
                    aliases << a;
            blocks << b;
        } else if (keyword == QLatin1String("match")) {
            inMatch = true;
            result.notes << QStringLiteral("%1:%2: Match blocks are not imported").arg(path).arg(lineNo);
        } else if (keyword == QLatin1String("include")) {
            result.notes << QStringLiteral("%1:%2: Include %3 is not followed").arg(path).arg(lineNo).arg(value);
        } else if (!inMatch) {
            blocks.last().options.append({keyword, {value, lineNo}});
        }
    }

    static const QStringList known{QStringLiteral("hostname"), QStringLiteral("port"), QStringLiteral("user"),
                                   QStringLiteral("identityfile"), QStringLiteral("identitiesonly"),
                                   QStringLiteral("proxyjump")};
    for (const QString &alias : aliases) {
        QHash<QString, QPair<QString, int>> chosen; // first value wins
        for (const Block &b : blocks)
            if (matches(b.patterns, alias))
                for (const auto &o : b.options)
                    if (known.contains(o.first) && !chosen.contains(o.first))
                        chosen.insert(o.first, o.second);
        ConnectionProfile p;
        p.name = alias;
        p.name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("-"));
        p.host = alias;
        if (chosen.contains(QStringLiteral("hostname"))) {
            p.host = chosen.value(QStringLiteral("hostname")).first;
            p.host.replace(QLatin1String("%h"), alias);
        }
        p.user = qEnvironmentVariable("USER");
        if (chosen.contains(QStringLiteral("user")))
            p.user = chosen.value(QStringLiteral("user")).first;
        if (chosen.contains(QStringLiteral("port"))) {
            const auto [value, line] = chosen.value(QStringLiteral("port"));
            bool ok = false;
            const int port = value.toInt(&ok);
            if (ok && port > 0 && port < 65536)
                p.port = port;
            else
                result.notes << QStringLiteral("%1:%2: Port %3 is not a port number; using 22").arg(path).arg(line).arg(value);
        }
        if (chosen.contains(QStringLiteral("identityfile")))
            p.identityFile = chosen.value(QStringLiteral("identityfile")).first;
        if (chosen.contains(QStringLiteral("identitiesonly")))
            p.identitiesOnly = chosen.value(QStringLiteral("identitiesonly")).first.compare(QLatin1String("yes"), Qt::CaseInsensitive) == 0;
        if (chosen.contains(QStringLiteral("proxyjump"))) {
            const auto [value, line] = chosen.value(QStringLiteral("proxyjump"));
            if (value.compare(QLatin1String("none"), Qt::CaseInsensitive) != 0) {
                p.proxyJump = value;
                result.notes << QStringLiteral("%1:%2: %3: ProxyJump %4 is recorded but not followed by FactoryBench's "
                                               "own connection (the OpenSSH runner follows it)")
                                    .arg(path).arg(line).arg(alias, value);
            }
        }
        p.description = QStringLiteral("imported from %1 (Host %2)").arg(path, alias);
        result.profiles << p;
    }
    return result;
}

} // namespace fb
