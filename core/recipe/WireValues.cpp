#include "recipe/WireValues.h"

#include "recipe/ConfigSyntax.h"

namespace fb::recipe {

namespace {

// Params of each workload that fbload writes into a request line or a header
// line (core/clients/src/workloads/*.cpp); `headers` (name → value) is
// checked separately.
QStringList lineBoundParams(const QString &workload)
{
    if (workload == QLatin1String("http"))
        return {QStringLiteral("method"), QStringLiteral("path"), QStringLiteral("host_header")};
    if (workload == QLatin1String("llm"))
        return {QStringLiteral("path"), QStringLiteral("api_key")};
    if (workload == QLatin1String("vector"))
        return {QStringLiteral("host_header"), QStringLiteral("api_key"), QStringLiteral("collection")};
    if (workload == QLatin1String("s3"))
        return {QStringLiteral("host_header"), QStringLiteral("access_key"), QStringLiteral("region"),
                QStringLiteral("key_prefix"), QStringLiteral("bucket")};
    return {};
}

bool hasHeaders(const QString &workload)
{
    return workload == QLatin1String("http") || workload == QLatin1String("llm");
}

// The first character that cannot stand in a header line: any C0 control
// (TAB only where `allowTab`), DEL, and the Unicode line and paragraph separators.
qsizetype badCharacter(const QString &s, bool allowTab)
{
    for (qsizetype i = 0; i < s.size(); ++i) {
        const char16_t c = s.at(i).unicode();
        if ((c < 0x20 && !(allowTab && c == u'\t')) || c == 0x7f || c == 0x2028 || c == 0x2029)
            return i;
    }
    return -1;
}

QString describeCharacter(QChar c)
{
    switch (c.unicode()) {
    case u'\r': return QStringLiteral("a carriage return (CR)");
    case u'\n': return QStringLiteral("a line feed (LF)");
    case 0: return QStringLiteral("a NUL character");
    default: return QStringLiteral("the control character U+%1").arg(QString::number(c.unicode(), 16).toUpper().rightJustified(4, QLatin1Char('0')));
    }
}

// An HTTP token (RFC 9110 5.6.2): header names and methods.
bool isToken(const QString &s)
{
    static const QString extra = QStringLiteral("!#$%&'*+-.^_`|~");
    if (s.isEmpty())
        return false;
    for (const QChar c : s)
        if (!(c.unicode() < 128 && (c.isLetterOrNumber() || extra.contains(c))))
            return false;
    return true;
}

class Checker
{
public:
    explicit Checker(const Recipe &r) : m_r(r) {}
    QList<ValueProblem> run();

private:
    const Recipe &m_r;
    QList<ValueProblem> m_out;

    // The field's value as text and, when it is swept, every value of the sweep.
    QStringList valuesOf(const QString &path, const QJsonValue &v) const
    {
        for (const SweepAxis &a : m_r.sweep.axes)
            if (a.path == path)
                return a.values;
        if (v.isString())
            return {v.toString()};
        if (v.isDouble())
            return {QString::number(v.toDouble(), 'g', 17)};
        if (v.isBool())
            return {v.toBool() ? QStringLiteral("true") : QStringLiteral("false")};
        return {};
    }

    void lineValue(const QString &path, const QJsonValue &v, bool allowTab, const QString &what)
    {
        for (const QString &s : valuesOf(path, v)) {
            const qsizetype i = badCharacter(s, allowTab);
            if (i >= 0) {
                m_out.append({path, QStringLiteral("contains %1 at character %2: %3 is sent on one protocol line, which it would end or corrupt")
                                        .arg(describeCharacter(s.at(i))).arg(i + 1).arg(what)});
                return;
            }
        }
    }

    void client(int index, const Client &c)
    {
        const QString p = QStringLiteral("clients[%1].params.").arg(index);
        for (const QString &key : lineBoundParams(c.workload))
            if (c.params.contains(key))
                lineValue(p + key, c.params.value(key), false, QStringLiteral("the value"));
        if (c.workload == QLatin1String("http"))
            for (const QString &m : valuesOf(p + QStringLiteral("method"), c.params.value(QStringLiteral("method"))))
                if (!m.isEmpty() && badCharacter(m, false) < 0 && !isToken(m))
                    m_out.append({p + QStringLiteral("method"), QStringLiteral("\"%1\" is not an HTTP method (letters such as GET or POST)").arg(m)});
        // Database wire protocols end their startup strings at a NUL.
        if (c.workload == QLatin1String("postgres") || c.workload == QLatin1String("mysql"))
            for (const QString &key : {QStringLiteral("user"), QStringLiteral("password"), QStringLiteral("database")})
                for (const QString &v : valuesOf(p + key, c.params.value(key)))
                    if (v.contains(QChar(0))) {
                        m_out.append({p + key, QStringLiteral("contains a NUL character, which ends the string in the %1 protocol").arg(c.workload)});
                        break;
                    }
        if (!hasHeaders(c.workload))
            return;
        const QJsonObject headers = c.params.value(QStringLiteral("headers")).toObject();
        for (auto it = headers.begin(); it != headers.end(); ++it) {
            const QString hp = p + QStringLiteral("headers.") + it.key();
            if (!isToken(it.key()))
                m_out.append({hp, QStringLiteral("\"%1\" is not an HTTP header name (letters, digits and !#$%&'*+-.^_`|~, no space, colon or line break)").arg(it.key())});
            lineValue(hp, it.value(), true, QStringLiteral("a header value"));
        }
    }

    void service(int index, const Service &s)
    {
        if (s.kind != QLatin1String("redis"))
            return;
        const QString p = QStringLiteral("services[%1].settings.").arg(index);
        const QJsonObject &st = s.settings;
        if (st.contains(QStringLiteral("persistence")))
            for (const QString &v : valuesOf(p + QStringLiteral("persistence"), st.value(QStringLiteral("persistence"))))
                if (v != QLatin1String("none") && v != QLatin1String("rdb") && v != QLatin1String("aof"))
                    m_out.append({p + QStringLiteral("persistence"), QStringLiteral("expected one of none, rdb, aof, got \"%1\"").arg(v)});
        if (st.contains(QStringLiteral("maxmemory")))
            for (const QString &v : valuesOf(p + QStringLiteral("maxmemory"), st.value(QStringLiteral("maxmemory"))))
                if (!isRedisMemorySize(v))
                    m_out.append({p + QStringLiteral("maxmemory"), QStringLiteral("expected a Redis memory size such as 8gb, 512mb or 1000000 (digits, then b, k, kb, m, mb, g or gb), got \"%1\"").arg(v)});
        if (st.contains(QStringLiteral("password")) && !st.value(QStringLiteral("password")).isString())
            m_out.append({p + QStringLiteral("password"), QStringLiteral("expected a string: write the password in quotes (a number would lose leading zeros)")});
        if (st.contains(QStringLiteral("password")))
            for (const QString &v : valuesOf(p + QStringLiteral("password"), st.value(QStringLiteral("password"))))
                if (v.contains(QChar(0)))
                    m_out.append({p + QStringLiteral("password"), QStringLiteral("contains a NUL character, which no environment variable (REDISCLI_AUTH, the health probe's) can carry")});
    }
};

QList<ValueProblem> Checker::run()
{
    for (int i = 0; i < m_r.services.size(); ++i)
        service(i, m_r.services[i]);
    for (int i = 0; i < m_r.clients.size(); ++i)
        client(i, m_r.clients[i]);
    if (m_r.monitor.enabled && m_r.monitor.scrapeInterval <= 0)
        m_out.append({QStringLiteral("monitor.scrape_interval"), QStringLiteral("must be more than 0s (prometheus.yml's scrape_interval)")});
    return m_out;
}

} // namespace

QList<ValueProblem> wireValueProblems(const Recipe &recipe)
{
    return Checker(recipe).run();
}

} // namespace fb::recipe
