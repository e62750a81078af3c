#include "metrics/RunComparison.h"

#include <QHash>
#include <QRegularExpression>

#include <cmath>

namespace fb::metrics {

namespace {

constexpr QChar kSeparator(0x1f);

// One combination of swept values of a side: its repetitions are the samples.
struct Group
{
    QString key;   // the swept values, sorted by path: matches across runs
    QString label; // "concurrency=4, pipeline=16", or the trial id ("t001") when unswept
    QList<const StudyTrial *> trials;
};

QList<Group> groupsOf(const Study &study)
{
    static const QRegularExpression repetition(QStringLiteral("-r\\d+$"));
    QList<Group> out;
    for (const QList<const StudyTrial *> &trials : study.repetitionGroups()) {
        Group g;
        g.trials = trials;
        ParameterValues params = trials.first()->parameters;
        std::sort(params.begin(), params.end());
        for (const auto &[path, value] : std::as_const(params))
            g.key += path + QLatin1Char('=') + value + kSeparator;
        g.label = params.isEmpty() ? QString(trials.first()->id).remove(repetition) : study.trialLabel(*trials.first());
        out << g;
    }
    return out;
}

QList<double> samplesOf(const Group *g, const QString &metric)
{
    QList<double> out;
    if (!g)
        return out;
    for (const StudyTrial *t : g->trials) {
        const double v = t->value(metric);
        if (std::isfinite(v))
            out << v;
    }
    return out;
}

bool isPattern(const QString &s)
{
    return s.contains(QLatin1Char('*')) || s.contains(QLatin1Char('?')) || s.contains(QLatin1Char('['));
}

QString signedText(double v, const QString &magnitude)
{
    return (v > 0 ? QStringLiteral("+") : v < 0 ? QStringLiteral("-") : QString()) + magnitude;
}

} // namespace

MetricKind metricKind(const QString &metric, const units::MetricUnit &unit)
{
    const QString m = metric.toLower();
    if (m.contains(QLatin1String("error")))
        return MetricKind::Errors; // errors.*, requests.errors, error_rate, ops.get.errors
    switch (unit.unit) {
    case units::Unit::Count:
    case units::Unit::Tokens:
        return MetricKind::Count;
    case units::Unit::PerSecond:
    case units::Unit::BytesPerSecond:
    case units::Unit::OpsPerSecond:
    case units::Unit::TokensPerSecond:
        return MetricKind::Throughput;
    case units::Unit::Seconds:
        // A trial's duration is a setting, not a performance figure.
        return m.contains(QLatin1String("duration")) || m.contains(QLatin1String("measured")) ? MetricKind::Other
                                                                                               : MetricKind::Latency;
    default:
        return MetricKind::Other;
    }
}

QString verdictName(Verdict v)
{
    switch (v) {
    case Verdict::WithinNoise: return QStringLiteral("within noise");
    case Verdict::Regression: return QStringLiteral("regression");
    case Verdict::Improvement: return QStringLiteral("improvement");
    case Verdict::SingleSample: return QStringLiteral("single sample");
    case Verdict::Count: return QStringLiteral("count");
    case Verdict::NotJudged: return QStringLiteral("not judged");
    case Verdict::Missing: return QStringLiteral("missing");
    }
    return {};
}

std::optional<Study> selectTrials(const Study &study, const QStringList &selectors, QString *error)
{
    QList<StudyTrial> picked;
    QStringList unknown;
    for (const QString &sel : selectors) {
        bool found = false;
        for (const StudyTrial &t : study.trials())
            if (t.id == sel || t.id.startsWith(sel + QStringLiteral("-r"))) {
                found = true;
                if (std::none_of(picked.begin(), picked.end(), [&](const StudyTrial &p) { return p.id == t.id; }))
                    picked << t;
            }
        if (!found)
            unknown << sel;
    }
    if (!unknown.isEmpty()) {
        if (error)
            *error = QStringLiteral("run %1 has no trial %2").arg(study.runId(), unknown.join(QStringLiteral(", ")));
        return std::nullopt;
    }
    return Study(study.runId(), study.name(), picked);
}

// ---- RunComparison

RunComparison::RunComparison(ComparisonSide baseline, QList<ComparisonSide> candidates, const QStringList &metrics,
                             double tolerance)
    : m_baseline(std::move(baseline)), m_candidates(std::move(candidates)), m_tolerance(tolerance)
{
    if (metrics.isEmpty()) {
        m_metrics = m_baseline.study.mainMetrics();
    } else {
        QStringList known;
        for (const StudyMetric &m : m_baseline.study.metrics())
            known << m.key;
        for (const ComparisonSide &c : std::as_const(m_candidates))
            for (const StudyMetric &m : c.study.metrics())
                if (!known.contains(m.key))
                    known << m.key;
        for (const QString &wanted : metrics) {
            const QRegularExpression re(isPattern(wanted) ? QRegularExpression::wildcardToRegularExpression(wanted)
                                                          : QRegularExpression::anchoredPattern(QRegularExpression::escape(wanted)));
            const qsizetype before = m_metrics.size();
            for (const QString &k : std::as_const(known))
                if (re.match(k).hasMatch() && !m_metrics.contains(k))
                    m_metrics << k;
            if (m_metrics.size() == before)
                m_unknownMetrics << wanted;
        }
    }
    compute();
}

void RunComparison::setTolerance(double fraction)
{
    m_tolerance = fraction;
    compute();
}

QStringList RunComparison::candidateLabels() const
{
    QStringList out;
    for (const ComparisonSide &c : m_candidates)
        out << c.label;
    return out;
}

Verdict RunComparison::judge(MetricKind kind, const stats::WelchComparison &d) const
{
    if (kind == MetricKind::Count)
        return Verdict::Count;
    if (kind == MetricKind::Other)
        return Verdict::NotJudged;
    if (d.nA == 0 || d.nB == 0)
        return Verdict::Missing;
    if (!d.hasInterval())
        return Verdict::SingleSample;
    double lo = d.difference - d.halfWidth, hi = d.difference + d.halfWidth, tol = 0;
    if (d.meanA != 0) {
        lo = d.relativeLower();
        hi = d.relativeUpper();
        tol = m_tolerance;
    }
    const bool larger = lo > tol, smaller = hi < -tol;
    if (!larger && !smaller)
        return Verdict::WithinNoise;
    return larger == (kind == MetricKind::Throughput) ? Verdict::Improvement : Verdict::Regression;
}

void RunComparison::compute()
{
    m_rows.clear();
    m_unmatched.clear();
    const QList<Group> base = groupsOf(m_baseline.study);
    // matched[c][b]: candidate c's group for baseline group b (nullptr: none).
    QList<QList<Group>> candGroups;
    QList<QList<const Group *>> matched;
    for (const ComparisonSide &c : std::as_const(m_candidates))
        candGroups << groupsOf(c.study);
    for (qsizetype c = 0; c < m_candidates.size(); ++c) {
        const QList<Group> &groups = candGroups[c];
        QList<const Group *> m(base.size(), nullptr);
        if (base.size() == 1 && groups.size() == 1) {
            m[0] = &groups[0]; // one combination each: compared whatever their values
        } else {
            for (const Group &g : groups) {
                const auto it = std::find_if(base.begin(), base.end(), [&](const Group &b) { return b.key == g.key; });
                if (it == base.end())
                    m_unmatched << QStringLiteral("%1: %2 (not in the baseline %3)").arg(m_candidates[c].label, g.label, m_baseline.label);
                else
                    m[it - base.begin()] = &g;
            }
            for (qsizetype b = 0; b < base.size(); ++b)
                if (!m[b])
                    m_unmatched << QStringLiteral("%1: %2 (not in %3)").arg(m_baseline.label, base[b].label, m_candidates[c].label);
        }
        matched << m;
    }

    for (qsizetype b = 0; b < base.size(); ++b) {
        for (const QString &metric : std::as_const(m_metrics)) {
            ComparisonRow row;
            row.trials = base[b].label;
            for (const StudyTrial *t : base[b].trials)
                row.baselineTrialIds << t->id;
            row.metric = metric;
            const StudyMetric *info = m_baseline.study.metric(metric);
            for (qsizetype c = 0; !info && c < m_candidates.size(); ++c)
                info = m_candidates[c].study.metric(metric);
            if (info)
                row.unit = info->unit;
            row.kind = metricKind(metric, row.unit);
            const QList<double> a = samplesOf(&base[b], metric);
            row.baseline = stats::meanInterval(a, kConfidence);
            bool any = !a.isEmpty();
            for (qsizetype c = 0; c < m_candidates.size(); ++c) {
                ComparisonCell cell;
                const Group *g = matched[c][b];
                cell.trials = g ? g->label : QString();
                const QList<double> s = samplesOf(g, metric);
                any = any || !s.isEmpty();
                cell.value = stats::meanInterval(s, kConfidence);
                cell.diff = stats::welch(a, s, kConfidence);
                cell.verdict = judge(row.kind, cell.diff);
                if ((a.isEmpty() || s.isEmpty()) && (row.kind == MetricKind::Count || row.kind == MetricKind::Other))
                    cell.verdict = Verdict::Missing;
                row.cells << cell;
            }
            if (any)
                m_rows << row;
        }
    }
}

int RunComparison::count(Verdict v) const
{
    int n = 0;
    for (const ComparisonRow &row : m_rows)
        for (const ComparisonCell &cell : row.cells)
            n += cell.verdict == v;
    return n;
}

QStringList RunComparison::regressions() const
{
    QStringList out;
    for (const ComparisonRow &row : m_rows)
        for (qsizetype c = 0; c < row.cells.size(); ++c)
            if (row.cells[c].verdict == Verdict::Regression)
                out << QStringLiteral("%1 · %2 (%3): %4 %5")
                           .arg(row.trials, row.metric, m_candidates.value(c).label, formatDifference(row.cells[c].diff, row.unit),
                                formatInterval(row.cells[c].diff, row.unit));
    return out;
}

QString RunComparison::formatValue(const stats::ConfidenceInterval &ci, const units::MetricUnit &unit)
{
    if (ci.n == 0 || !std::isfinite(ci.mean))
        return QStringLiteral("—");
    QString s = units::format(ci.mean * unit.toBase, unit.unit);
    if (ci.hasInterval() && ci.halfWidth > 0) // no "± 0" for identical samples
        s += QStringLiteral(" ± ") + units::format(ci.halfWidth * unit.toBase, unit.unit);
    return s;
}

QString RunComparison::formatRelative(double fraction)
{
    if (!std::isfinite(fraction))
        return QStringLiteral("—");
    return signedText(fraction, units::format(std::fabs(fraction), units::Unit::Ratio));
}

QString RunComparison::formatDifference(const stats::WelchComparison &d, const units::MetricUnit &unit)
{
    if (d.nA == 0 || d.nB == 0)
        return QStringLiteral("—");
    if (d.meanA == 0) // no relative difference from zero: the absolute one
        return signedText(d.difference, units::format(std::fabs(d.difference) * unit.toBase, unit.unit));
    return formatRelative(d.relative());
}

QString RunComparison::formatInterval(const stats::WelchComparison &d, const units::MetricUnit &unit)
{
    if (!d.hasInterval())
        return QStringLiteral("—");
    if (d.meanA == 0) {
        const double lo = d.difference - d.halfWidth, hi = d.difference + d.halfWidth;
        return QStringLiteral("[%1, %2]").arg(signedText(lo, units::format(std::fabs(lo) * unit.toBase, unit.unit)),
                                              signedText(hi, units::format(std::fabs(hi) * unit.toBase, unit.unit)));
    }
    return QStringLiteral("[%1, %2]").arg(formatRelative(d.relativeLower()), formatRelative(d.relativeUpper()));
}

// ---- RunComparisonModel

RunComparisonModel::RunComparisonModel(QObject *parent) : QAbstractTableModel(parent) {}

void RunComparisonModel::setComparison(const RunComparison &comparison)
{
    beginResetModel();
    m_comparison = std::make_unique<RunComparison>(comparison);
    endResetModel();
}

int RunComparisonModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_comparison ? 0 : int(m_comparison->rows().size());
}

int RunComparisonModel::columnCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !m_comparison)
        return 0;
    return kFixedColumns + kPerCandidate * int(m_comparison->candidateLabels().size());
}

namespace {
QString kindText(MetricKind k)
{
    switch (k) {
    case MetricKind::Latency: return QStringLiteral("a latency: lower is better");
    case MetricKind::Throughput: return QStringLiteral("a throughput: higher is better");
    case MetricKind::Errors: return QStringLiteral("errors: lower is better");
    case MetricKind::Count: return QStringLiteral("a count: shown, not judged");
    case MetricKind::Other: return QStringLiteral("not judged");
    }
    return {};
}
} // namespace

QVariant RunComparisonModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !m_comparison || index.row() >= m_comparison->rows().size())
        return {};
    const ComparisonRow &row = m_comparison->rows()[index.row()];
    const int col = index.column();
    const auto right = QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
    if (role == KindRole)
        return int(row.kind);
    if (col < kFixedColumns) {
        switch (role) {
        case Qt::DisplayRole:
            if (col == 0) {
                const QString other = row.cells.size() == 1 ? row.cells[0].trials : QString();
                return other.isEmpty() || other == row.trials ? row.trials : row.trials + QStringLiteral(" vs ") + other;
            }
            return col == 1 ? row.metric : RunComparison::formatValue(row.baseline, row.unit);
        case Qt::ToolTipRole:
            if (col == 0)
                return QStringLiteral("baseline trials: %1").arg(row.baselineTrialIds.join(QStringLiteral(", ")));
            if (col == 1)
                return QStringLiteral("%1 is %2").arg(row.metric, kindText(row.kind));
            return QStringLiteral("mean of %1 sample(s) ± half-width of the 95 % t-interval").arg(row.baseline.n);
        case Qt::TextAlignmentRole:
            return col == 2 ? right : QVariant();
        case MeanRole: return col == 2 ? QVariant(row.baseline.mean) : QVariant();
        case HalfWidthRole: return col == 2 ? QVariant(row.baseline.halfWidth) : QVariant();
        default: return {};
        }
    }
    const int cand = (col - kFixedColumns) / kPerCandidate;
    const auto part = Part((col - kFixedColumns) % kPerCandidate);
    if (cand >= row.cells.size())
        return {};
    const ComparisonCell &cell = row.cells[cand];
    switch (role) {
    case Qt::DisplayRole:
        switch (part) {
        case ValuePart: return RunComparison::formatValue(cell.value, row.unit);
        case DeltaPart: return RunComparison::formatDifference(cell.diff, row.unit);
        case IntervalPart: return RunComparison::formatInterval(cell.diff, row.unit);
        case VerdictPart: return verdictName(cell.verdict);
        }
        return {};
    case Qt::TextAlignmentRole:
        return part == VerdictPart ? QVariant() : right;
    case Qt::ToolTipRole:
        return QStringLiteral("%1 vs %2 sample(s); %3; tolerance ±%4")
            .arg(cell.diff.nA)
            .arg(cell.diff.nB)
            .arg(kindText(row.kind), units::format(m_comparison->tolerance(), units::Unit::Ratio));
    case VerdictRole: return int(cell.verdict);
    case RelativeRole: return cell.diff.relative();
    case MeanRole: return cell.value.mean;
    case HalfWidthRole: return cell.value.halfWidth;
    default: return {};
    }
}

QVariant RunComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || !m_comparison)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case 0: return QStringLiteral("Trial");
    case 1: return QStringLiteral("Metric");
    case 2: return QStringLiteral("Baseline: %1").arg(m_comparison->baselineLabel());
    default: break;
    }
    const int cand = (section - kFixedColumns) / kPerCandidate;
    switch (Part((section - kFixedColumns) % kPerCandidate)) {
    case ValuePart: return m_comparison->candidateLabels().value(cand);
    case DeltaPart: return QStringLiteral("Δ");
    case IntervalPart: return QStringLiteral("95 % CI of Δ");
    case VerdictPart: return QStringLiteral("Verdict");
    }
    return {};
}

} // namespace fb::metrics
