#include "metrics/Exposition.h"

#include <QHash>
#include <QSet>

#include <charconv>
#include <cstring>
#include <cmath>
#include <limits>

namespace fb::metrics {

QString metricTypeName(MetricType type)
{
    switch (type) {
    case MetricType::Untyped: return QStringLiteral("untyped");
    case MetricType::Counter: return QStringLiteral("counter");
    case MetricType::Gauge: return QStringLiteral("gauge");
    case MetricType::Histogram: return QStringLiteral("histogram");
    case MetricType::Summary: return QStringLiteral("summary");
    case MetricType::Info: return QStringLiteral("info");
    case MetricType::StateSet: return QStringLiteral("stateset");
    case MetricType::GaugeHistogram: return QStringLiteral("gaugehistogram");
    }
    return QStringLiteral("untyped");
}

QString Sample::label(const QString &labelName) const
{
    for (const auto &l : labels)
        if (l.first == labelName)
            return l.second;
    return {};
}

QString ParseError::toString() const
{
    if (column > 0)
        return QStringLiteral("line %1, column %2: %3").arg(line).arg(column).arg(message);
    return QStringLiteral("line %1: %2").arg(line).arg(message);
}

const MetricFamily *Exposition::family(const QString &name) const
{
    for (const auto &f : families)
        if (f.name == name)
            return &f;
    return nullptr;
}

int Exposition::sampleCount() const
{
    int n = 0;
    for (const auto &f : families)
        n += int(f.samples.size());
    return n;
}

namespace {

bool isNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'; }
bool isNameChar(char c) { return isNameStart(c) || (c >= '0' && c <= '9'); }
bool isLabelStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isLabelChar(char c) { return isLabelStart(c) || (c >= '0' && c <= '9'); }
bool isBlank(char c) { return c == ' ' || c == '\t'; }

// Go's strconv.ParseFloat (what Prometheus uses) accepts a leading '+',
// "Inf"/"+Inf"/"-Inf"/"NaN" in any case; std::from_chars accepts all of that
// except the '+'.
bool parseDouble(const char *b, const char *e, double *out)
{
    if (b == e)
        return false;
    if (*b == '+') {
        ++b;
        if (b == e || *b == '-')
            return false;
    }
    auto r = std::from_chars(b, e, *out, std::chars_format::general);
    return r.ec == std::errc() && r.ptr == e;
}

bool parseInt64(const char *b, const char *e, qint64 *out)
{
    if (b != e && *b == '+')
        ++b;
    long long v = 0;
    auto r = std::from_chars(b, e, v);
    if (r.ec != std::errc() || r.ptr != e)
        return false;
    *out = v;
    return true;
}

struct FamilyState
{
    QByteArray name;
    bool typed = false;
    bool helped = false;
    bool unitSet = false;
    bool closed = false; // its sample group ended (another family started)
};

class Parser
{
public:
    Parser(QByteArrayView text, const ExpositionOptions &options)
        : m_begin(text.data()), m_end(text.data() + text.size()), m_options(options)
    {
        m_om = options.format == ExpositionFormat::OpenMetrics;
        if (options.format == ExpositionFormat::Auto)
            m_om = endsWithEof(text);
        m_out.format = m_om ? ExpositionFormat::OpenMetrics : ExpositionFormat::PrometheusText;
    }

    Exposition run()
    {
        const char *p = m_begin;
        m_line = 0;
        while (p < m_end) {
            const char *nl = static_cast<const char *>(memchr(p, '\n', size_t(m_end - p)));
            const char *le = nl ? nl : m_end;
            ++m_line;
            m_lineStart = p;
            const char *lineEnd = le;
            if (lineEnd > p && lineEnd[-1] == '\r' && !m_om)
                --lineEnd; // tolerate CRLF in the lenient format
            if (m_out.errors.size() >= m_options.maxErrors)
                break;
            parseLine(p, lineEnd);
            p = nl ? nl + 1 : m_end;
            if (!nl)
                break;
        }
        finish();
        return std::move(m_out);
    }

private:
    static bool endsWithEof(QByteArrayView text)
    {
        QByteArrayView t = text;
        while (!t.isEmpty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' '))
            t.chop(1);
        return t.endsWith("# EOF") && (t.size() == 5 || t[t.size() - 6] == '\n');
    }

    void error(const char *at, const QString &message)
    {
        if (m_out.errors.size() >= m_options.maxErrors)
            return;
        ParseError e;
        e.line = m_line;
        e.column = at ? int(at - m_lineStart) + 1 : 0;
        e.message = message;
        m_out.errors.append(e);
    }
    void errorAtLine(int line, int column, const QString &message)
    {
        if (m_out.errors.size() >= m_options.maxErrors)
            return;
        m_out.errors.append(ParseError{line, column, message});
    }

    static QString str(const char *b, const char *e) { return QString::fromUtf8(b, e - b); }

    void parseLine(const char *p, const char *e)
    {
        if (m_out.sawEof) {
            error(p, QStringLiteral("content after # EOF"));
            return;
        }
        if (p == e) {
            if (m_om)
                error(nullptr, QStringLiteral("empty line (not allowed in OpenMetrics)"));
            return;
        }
        const char *q = p;
        if (!m_om)
            while (q < e && isBlank(*q))
                ++q;
        if (q == e)
            return; // whitespace-only line in the text format
        if (*q == '#')
            parseComment(q, e);
        else
            parseSample(q, e);
    }

    void parseComment(const char *p, const char *e)
    {
        const char *q = p + 1;
        if (q == e) {
            if (m_om)
                error(p, QStringLiteral("bare '#' is not a valid OpenMetrics line"));
            return;
        }
        if (*q != ' ' && *q != '\t') {
            if (m_om)
                error(p, QStringLiteral("expected '# HELP', '# TYPE', '# UNIT' or '# EOF'"));
            return; // a plain comment in the text format
        }
        while (q < e && isBlank(*q))
            ++q;
        const char *kw = q;
        while (q < e && !isBlank(*q))
            ++q;
        const QByteArrayView keyword(kw, q - kw);
        if (keyword == "EOF" && m_om) {
            if (q != e)
                error(q, QStringLiteral("unexpected text after # EOF"));
            m_out.sawEof = true;
            return;
        }
        enum { Help, Type, Unit } kind;
        if (keyword == "HELP")
            kind = Help;
        else if (keyword == "TYPE")
            kind = Type;
        else if (keyword == "UNIT" && m_om)
            kind = Unit;
        else {
            if (m_om)
                error(kw, QStringLiteral("unknown comment keyword '%1'").arg(str(kw, q)));
            return;
        }
        while (q < e && isBlank(*q))
            ++q;
        const char *nameBegin = q;
        if (q == e || !isNameStart(*q)) {
            error(q, QStringLiteral("%1 line needs a metric name").arg(QString::fromLatin1(keyword.data(), keyword.size())));
            return;
        }
        while (q < e && isNameChar(*q))
            ++q;
        const char *nameEnd = q;
        if (q < e && !isBlank(*q)) {
            error(q, QStringLiteral("invalid character '%1' in metric name").arg(QChar::fromLatin1(*q)));
            return;
        }
        // Exactly one separator blank in OpenMetrics; the rest is the value.
        if (q < e)
            ++q;
        if (!m_om)
            while (q < e && isBlank(*q))
                ++q;
        const char *rest = q;
        const int idx = familyFor(QByteArrayView(nameBegin, nameEnd - nameBegin), nameBegin, /*createOnly*/ true);
        if (idx < 0)
            return;
        FamilyState &st = m_state[idx];
        MetricFamily &fam = m_out.families[idx];
        const QString name = fam.name;
        switch (kind) {
        case Help: {
            if (st.helped) {
                error(kw, QStringLiteral("second HELP line for %1").arg(name));
                return;
            }
            QString help;
            if (!unescape(rest, e, /*quoteAllowed*/ m_om, &help))
                return;
            fam.help = help;
            st.helped = true;
            break;
        }
        case Type: {
            if (st.typed) {
                error(kw, QStringLiteral("second TYPE line for %1").arg(name));
                return;
            }
            if (!fam.samples.isEmpty()) {
                error(kw, QStringLiteral("TYPE line for %1 after its samples").arg(name));
                return;
            }
            const char *te = e;
            while (te > rest && isBlank(te[-1]))
                --te;
            const QByteArrayView t(rest, te - rest);
            MetricType type;
            if (t == "counter") type = MetricType::Counter;
            else if (t == "gauge") type = MetricType::Gauge;
            else if (t == "histogram") type = MetricType::Histogram;
            else if (t == "summary") type = MetricType::Summary;
            else if (t == "untyped" && !m_om) type = MetricType::Untyped;
            else if (t == "unknown" && m_om) type = MetricType::Untyped;
            else if (t == "info" && m_om) type = MetricType::Info;
            else if (t == "stateset" && m_om) type = MetricType::StateSet;
            else if (t == "gaugehistogram" && m_om) type = MetricType::GaugeHistogram;
            else {
                error(rest, QStringLiteral("unknown metric type '%1'").arg(str(rest, te)));
                return;
            }
            fam.type = type;
            st.typed = true;
            break;
        }
        case Unit: {
            if (st.unitSet) {
                error(kw, QStringLiteral("second UNIT line for %1").arg(name));
                return;
            }
            const QString unit = str(rest, e);
            if (!unit.isEmpty() && !name.endsWith(QLatin1Char('_') + unit)) {
                error(rest, QStringLiteral("metric name %1 must end with its unit _%2").arg(name, unit));
                return;
            }
            fam.unit = unit;
            st.unitSet = true;
            break;
        }
        }
    }

    // HELP text: \\ and \n escapes (and \" in OpenMetrics); anything else is kept
    // as it is in the text format, an error in OpenMetrics.
    bool unescape(const char *b, const char *e, bool quoteAllowed, QString *out)
    {
        if (!memchr(b, '\\', size_t(e - b))) {
            *out = str(b, e);
            return true;
        }
        QByteArray buf;
        buf.reserve(e - b);
        for (const char *q = b; q < e; ++q) {
            if (*q != '\\') {
                buf.append(*q);
                continue;
            }
            if (q + 1 == e) {
                if (m_om) {
                    error(q, QStringLiteral("dangling backslash"));
                    return false;
                }
                buf.append('\\');
                break;
            }
            const char c = q[1];
            if (c == '\\') buf.append('\\');
            else if (c == 'n') buf.append('\n');
            else if (c == '"' && quoteAllowed) buf.append('"');
            else if (m_om) {
                error(q, QStringLiteral("invalid escape sequence '\\%1'").arg(QChar::fromLatin1(c)));
                return false;
            } else {
                buf.append('\\').append(c);
            }
            ++q;
        }
        *out = QString::fromUtf8(buf);
        return true;
    }

    // The family a sample (or metadata line) named `name` belongs to: the
    // current one when the name fits its type's suffixes, a declared one, or a
    // new untyped family. Returns -1 after reporting an error.
    int familyFor(QByteArrayView name, const char *at, bool metadata)
    {
        if (metadata) {
            const int idx = m_index.value(name.toByteArray(), -1);
            if (idx >= 0) {
                if (idx != m_current && (m_state[idx].closed || !m_out.families[idx].samples.isEmpty())) {
                    error(at, QStringLiteral("metadata for %1 after its samples").arg(QString::fromLatin1(name.data(), name.size())));
                    return -1;
                }
                switchTo(idx);
                return idx;
            }
            return switchTo(createFamily(name));
        }
        if (m_current >= 0 && belongs(m_current, name))
            return m_current;
        int idx = m_index.value(name.toByteArray(), -1);
        if (idx >= 0 && !belongs(idx, name)) {
            const MetricFamily &f = m_out.families[idx];
            error(at, QStringLiteral("sample %1 does not fit %2 %1 (a %2 has samples named %3)")
                          .arg(f.name, metricTypeName(f.type), expectedNames(f.type, f.name)));
            return -1;
        }
        if (idx < 0) {
            static const char *const suffixes[] = {"_bucket", "_count", "_sum", "_total", "_created", "_info", "_gcount", "_gsum"};
            for (const char *s : suffixes) {
                const QByteArrayView sv(s);
                if (name.size() > sv.size() && name.endsWith(sv)) {
                    const int cand = m_index.value(name.first(name.size() - sv.size()).toByteArray(), -1);
                    if (cand >= 0 && belongs(cand, name)) {
                        idx = cand;
                        break;
                    }
                }
            }
        }
        if (idx < 0)
            return switchTo(createFamily(name));
        if (idx != m_current && m_state[idx].closed && !m_out.families[idx].samples.isEmpty()) {
            if (m_om) {
                error(at, QStringLiteral("samples of %1 are not grouped together").arg(m_out.families[idx].name));
                return -1;
            }
        }
        return switchTo(idx);
    }

    QString expectedNames(MetricType type, const QString &n) const
    {
        switch (type) {
        case MetricType::Counter: return m_om ? n + QStringLiteral("_total") : n + QStringLiteral(" or ") + n + QStringLiteral("_total");
        case MetricType::Histogram: return n + QStringLiteral("_bucket/_sum/_count");
        case MetricType::GaugeHistogram: return n + QStringLiteral("_bucket/_gsum/_gcount");
        case MetricType::Info: return n + QStringLiteral("_info");
        default: return n;
        }
    }

    int switchTo(int idx)
    {
        if (idx != m_current && m_current >= 0)
            m_state[m_current].closed = true;
        m_current = idx;
        return idx;
    }

    int createFamily(QByteArrayView name)
    {
        MetricFamily f;
        f.name = QString::fromLatin1(name.data(), name.size());
        m_out.families.append(std::move(f));
        FamilyState st;
        st.name = name.toByteArray();
        m_state.append(st);
        const int idx = int(m_out.families.size()) - 1;
        m_index.insert(m_state[idx].name, idx);
        return idx;
    }

    bool belongs(int idx, QByteArrayView name) const
    {
        const QByteArray &base = m_state[idx].name;
        const MetricType type = m_out.families[idx].type;
        if (name == base)
            return type != MetricType::Histogram && type != MetricType::GaugeHistogram
                   && !(m_om && (type == MetricType::Counter || type == MetricType::Info));
        if (!name.startsWith(base))
            return false;
        const QByteArrayView suffix = name.sliced(base.size());
        switch (type) {
        case MetricType::Counter: return suffix == "_total" || suffix == "_created";
        case MetricType::Histogram: return suffix == "_bucket" || suffix == "_count" || suffix == "_sum" || suffix == "_created";
        case MetricType::GaugeHistogram: return suffix == "_bucket" || suffix == "_gcount" || suffix == "_gsum";
        case MetricType::Summary: return suffix == "_count" || suffix == "_sum" || suffix == "_created";
        case MetricType::Info: return suffix == "_info";
        default: return false;
        }
    }

    // {name="value",...}; p points at '{'. Returns the position after '}' or nullptr.
    const char *parseLabels(const char *p, const char *e, LabelList *labels)
    {
        ++p;
        for (;;) {
            while (p < e && isBlank(*p))
                ++p;
            if (p == e) {
                error(p, QStringLiteral("unterminated label set, expected '}'"));
                return nullptr;
            }
            if (*p == '}')
                return p + 1;
            const char *nb = p;
            if (!isLabelStart(*p)) {
                error(p, QStringLiteral("invalid label name start '%1'").arg(QChar::fromLatin1(*p)));
                return nullptr;
            }
            while (p < e && isLabelChar(*p))
                ++p;
            const QString lname = QString::fromLatin1(nb, p - nb);
            while (p < e && isBlank(*p))
                ++p;
            if (p == e || *p != '=') {
                error(p, QStringLiteral("expected '=' after label name %1").arg(lname));
                return nullptr;
            }
            ++p;
            while (p < e && isBlank(*p))
                ++p;
            if (p == e || *p != '"') {
                error(p, QStringLiteral("expected '\"' to start the value of label %1").arg(lname));
                return nullptr;
            }
            ++p;
            const char *vb = p;
            bool escaped = false;
            while (p < e && *p != '"') {
                if (*p == '\\') {
                    if (p + 1 == e)
                        break;
                    const char c = p[1];
                    if (c != '\\' && c != '"' && c != 'n') {
                        error(p, QStringLiteral("invalid escape sequence '\\%1' in label %2").arg(QChar::fromLatin1(c), lname));
                        return nullptr;
                    }
                    escaped = true;
                    p += 2;
                    continue;
                }
                ++p;
            }
            if (p >= e) {
                error(vb - 1, QStringLiteral("unterminated value of label %1").arg(lname));
                return nullptr;
            }
            QString value;
            if (escaped) {
                QByteArray buf;
                buf.reserve(p - vb);
                for (const char *q = vb; q < p; ++q) {
                    if (*q == '\\') {
                        ++q;
                        buf.append(*q == 'n' ? '\n' : *q);
                    } else {
                        buf.append(*q);
                    }
                }
                value = QString::fromUtf8(buf);
            } else {
                value = str(vb, p);
            }
            for (const auto &l : std::as_const(*labels)) {
                if (l.first == lname) {
                    error(nb, QStringLiteral("duplicate label %1").arg(lname));
                    return nullptr;
                }
            }
            labels->append({lname, value});
            ++p; // closing quote
            while (p < e && isBlank(*p))
                ++p;
            if (p < e && *p == ',') {
                ++p;
                continue;
            }
            if (p < e && *p == '}')
                return p + 1;
            error(p, QStringLiteral("expected ',' or '}' after the value of label %1").arg(lname));
            return nullptr;
        }
    }

    void parseSample(const char *p, const char *e)
    {
        const char *nb = p;
        if (!isNameStart(*p)) {
            error(p, QStringLiteral("invalid metric name start '%1'").arg(QChar::fromLatin1(*p)));
            return;
        }
        while (p < e && isNameChar(*p))
            ++p;
        const QByteArrayView name(nb, p - nb);
        Sample s;
        s.line = m_line;
        if (!m_om) { // the text format allows blanks between the name and '{'
            const char *q = p;
            while (q < e && isBlank(*q))
                ++q;
            if (q < e && *q == '{')
                p = q;
        }
        if (p < e && *p == '{') {
            p = parseLabels(p, e, &s.labels);
            if (!p)
                return;
        } else if (p < e && !isBlank(*p)) {
            error(p, QStringLiteral("invalid character '%1' in metric name").arg(QChar::fromLatin1(*p)));
            return;
        }
        const char *keyEnd = p;
        if (p == e || !isBlank(*p)) {
            error(p, QStringLiteral("expected a blank and a value after %1").arg(QString::fromLatin1(name.data(), name.size())));
            return;
        }
        while (p < e && isBlank(*p))
            ++p;
        const char *vb = p;
        while (p < e && !isBlank(*p))
            ++p;
        if (vb == p) {
            error(vb, QStringLiteral("missing value"));
            return;
        }
        if (!parseDouble(vb, p, &s.value)) {
            error(vb, QStringLiteral("invalid value '%1'").arg(str(vb, p)));
            return;
        }
        while (p < e && isBlank(*p))
            ++p;
        if (p < e && *p != '#') {
            const char *tb = p;
            while (p < e && !isBlank(*p))
                ++p;
            if (m_om) {
                double secs = 0;
                if (!parseDouble(tb, p, &secs) || !std::isfinite(secs)) {
                    error(tb, QStringLiteral("invalid timestamp '%1'").arg(str(tb, p)));
                    return;
                }
                s.timestampMs = qint64(std::llround(secs * 1000.0));
            } else {
                qint64 ms = 0;
                if (!parseInt64(tb, p, &ms)) {
                    error(tb, QStringLiteral("invalid timestamp '%1' (integer milliseconds expected)").arg(str(tb, p)));
                    return;
                }
                s.timestampMs = ms;
            }
            while (p < e && isBlank(*p))
                ++p;
        }
        if (p < e && *p == '#') {
            if (!parseExemplar(p, e, &s))
                return;
            p = e;
        }
        if (p < e) {
            error(p, QStringLiteral("unexpected text after the sample"));
            return;
        }

        const int idx = familyFor(name, nb, false);
        if (idx < 0)
            return;
        MetricFamily &fam = m_out.families[idx];
        if (!checkSample(fam, name, s, nb, keyEnd))
            return;
        if (!s.timestampMs) {
            // Same series twice in one exposition: Prometheus rejects the scrape.
            const QByteArray key(nb, keyEnd - nb);
            if (m_seen.contains(key)) {
                error(nb, QStringLiteral("duplicate sample for %1").arg(str(nb, keyEnd)));
                return;
            }
            m_seen.insert(key);
        }
        s.name = (name == m_state[idx].name) ? fam.name : QString::fromLatin1(name.data(), name.size());
        fam.samples.append(std::move(s));
    }

    bool parseExemplar(const char *p, const char *e, Sample *s)
    {
        const char *hash = p;
        ++p;
        if (p == e || *p != ' ') {
            error(hash, QStringLiteral("expected ' # {' to start an exemplar"));
            return false;
        }
        ++p;
        if (p == e || *p != '{') {
            error(p, QStringLiteral("exemplar needs a label set"));
            return false;
        }
        Exemplar ex;
        p = parseLabels(p, e, &ex.labels);
        if (!p)
            return false;
        while (p < e && isBlank(*p))
            ++p;
        const char *vb = p;
        while (p < e && !isBlank(*p))
            ++p;
        if (!parseDouble(vb, p, &ex.value)) {
            error(vb, QStringLiteral("invalid exemplar value '%1'").arg(str(vb, p)));
            return false;
        }
        while (p < e && isBlank(*p))
            ++p;
        if (p < e) {
            const char *tb = p;
            while (p < e && !isBlank(*p))
                ++p;
            double ts = 0;
            if (!parseDouble(tb, p, &ts)) {
                error(tb, QStringLiteral("invalid exemplar timestamp '%1'").arg(str(tb, p)));
                return false;
            }
            ex.timestampSeconds = ts;
            while (p < e && isBlank(*p))
                ++p;
            if (p < e) {
                error(p, QStringLiteral("unexpected text after the exemplar"));
                return false;
            }
        }
        s->exemplar = std::move(ex);
        return true;
    }

    // Type-specific rules, each failing the one sample with a located error.
    bool checkSample(const MetricFamily &fam, QByteArrayView name, const Sample &s, const char *nb, const char *keyEnd)
    {
        const QString sampleName = QString::fromLatin1(name.data(), name.size());
        auto labelAt = [&](const char *label) -> const char * {
            const qsizetype at = QByteArrayView(nb, keyEnd - nb).indexOf(QByteArrayView(label));
            return at >= 0 ? nb + at : nb;
        };
        const bool isBucket = name.endsWith("_bucket")
                              && (fam.type == MetricType::Histogram || fam.type == MetricType::GaugeHistogram);
        if (isBucket) {
            const QString le = s.label(QStringLiteral("le"));
            double v = 0;
            const QByteArray leUtf8 = le.toUtf8();
            if (le.isEmpty()) {
                error(nb, QStringLiteral("histogram bucket %1 has no 'le' label").arg(sampleName));
                return false;
            }
            if (!parseDouble(leUtf8.constData(), leUtf8.constData() + leUtf8.size(), &v) || std::isnan(v)) {
                error(labelAt("le="), QStringLiteral("'le' label of %1 is not a number: '%2'").arg(sampleName, le));
                return false;
            }
        }
        if (fam.type == MetricType::Summary && name == QByteArrayView(m_state[m_current].name)) {
            const QString q = s.label(QStringLiteral("quantile"));
            const QByteArray qUtf8 = q.toUtf8();
            double v = 0;
            if (q.isEmpty()) {
                error(nb, QStringLiteral("summary sample %1 has no 'quantile' label").arg(sampleName));
                return false;
            }
            if (!parseDouble(qUtf8.constData(), qUtf8.constData() + qUtf8.size(), &v) || !(v >= 0 && v <= 1)) {
                error(labelAt("quantile="), QStringLiteral("'quantile' label of %1 must be a number in [0, 1], got '%2'").arg(sampleName, q));
                return false;
            }
        }
        if (m_om) {
            const bool countLike = fam.type == MetricType::Counter || name.endsWith("_count") || name.endsWith("_bucket")
                                   || name.endsWith("_gcount");
            if (countLike && fam.type != MetricType::Untyped && fam.type != MetricType::Gauge && s.value < 0) {
                error(nb, QStringLiteral("%1 must not be negative").arg(sampleName));
                return false;
            }
            if (fam.type == MetricType::StateSet && s.value != 0 && s.value != 1) {
                error(nb, QStringLiteral("stateset %1 must be 0 or 1").arg(sampleName));
                return false;
            }
            if (fam.type == MetricType::Info && s.value != 1) {
                error(nb, QStringLiteral("info %1 must have the value 1").arg(sampleName));
                return false;
            }
        }
        return true;
    }

    // Checks that need a whole family: every histogram series has a +Inf
    // bucket and its cumulative counts never decrease.
    void finish()
    {
        if (m_om && !m_out.sawEof && m_out.errors.size() < m_options.maxErrors)
            errorAtLine(m_line + (m_end > m_begin && m_end[-1] == '\n' ? 1 : 0), 0, QStringLiteral("missing # EOF at the end"));
        for (const MetricFamily &fam : std::as_const(m_out.families)) {
            if (fam.type != MetricType::Histogram && fam.type != MetricType::GaugeHistogram)
                continue;
            struct Series { int firstLine = 0; bool hasInf = false; double lastLe = -std::numeric_limits<double>::infinity(); double lastCount = 0; };
            QHash<QString, Series> series;
            for (const Sample &s : fam.samples) {
                if (!s.name.endsWith(QLatin1String("_bucket")))
                    continue;
                QString key;
                double le = 0;
                for (const auto &l : s.labels) {
                    if (l.first == QLatin1String("le")) {
                        const QByteArray u = l.second.toUtf8();
                        parseDouble(u.constData(), u.constData() + u.size(), &le);
                    } else {
                        key += l.first + QLatin1Char('=') + l.second + QLatin1Char('\x1f');
                    }
                }
                Series &st = series[key];
                if (!st.firstLine)
                    st.firstLine = s.line;
                if (std::isinf(le) && le > 0)
                    st.hasInf = true;
                if (le >= st.lastLe && s.value < st.lastCount)
                    errorAtLine(s.line, 0, QStringLiteral("histogram %1: bucket le=%2 has a smaller count than a lower bucket").arg(fam.name).arg(le));
                st.lastLe = le;
                st.lastCount = s.value;
            }
            for (auto it = series.cbegin(); it != series.cend(); ++it)
                if (!it->hasInf)
                    errorAtLine(it->firstLine, 0, QStringLiteral("histogram %1 has no le=\"+Inf\" bucket").arg(fam.name));
        }
    }

    const char *m_begin;
    const char *m_end;
    ExpositionOptions m_options;
    Exposition m_out;
    bool m_om = false;
    int m_line = 0;
    const char *m_lineStart = nullptr;
    int m_current = -1;
    QList<FamilyState> m_state;
    QHash<QByteArray, int> m_index;
    QSet<QByteArray> m_seen;
};

} // namespace

Exposition parseExposition(QByteArrayView text, const ExpositionOptions &options)
{
    return Parser(text, options).run();
}

} // namespace fb::metrics
