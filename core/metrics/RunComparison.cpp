#include "metrics/RunComparison.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace fb::metrics {

QString comparisonStatusName(ComparisonStatus s)
{
    switch (s) {
    case ComparisonStatus::Ok: return QStringLiteral("ok");
    case ComparisonStatus::Regression: return QStringLiteral("regression");
    case ComparisonStatus::Improvement: return QStringLiteral("improvement");
    case ComparisonStatus::OutOfRange: return QStringLiteral("out of range");
    case ComparisonStatus::Missing: return QStringLiteral("missing");
    }
    return {};
}

RunComparison::RunComparison(const ResultDocument &baseline, const QList<ResultDocument> &candidates,
                             const QStringList &metrics)
    : m_baseline(baseline.flatValues()), m_baselineLabel(baseline.label()), m_metrics(metrics)
{
    for (const ResultDocument &c : candidates) {
        m_candidates.append(c.flatValues());
        m_labels.append(c.label());
    }
    if (m_metrics.isEmpty()) {
        // What a reader compares first leads: throughputs, then latencies,
        // then everything else; error counters (mostly zero) come last.
        m_metrics = m_baseline.keys();
        const auto rank = [](const QString &metric) {
            if (metric.startsWith(QLatin1String("errors")))
                return 3;
            switch (betterFor(metric)) {
            case Better::Higher: return 0;
            case Better::Lower: return 1;
            default: return 2;
            }
        };
        std::stable_sort(m_metrics.begin(), m_metrics.end(),
                         [&](const QString &a, const QString &b) { return rank(a) < rank(b); });
    }
}

void RunComparison::setDefaultTolerance(double lower, double upper)
{
    m_defaultLower = lower;
    m_defaultUpper = upper;
}

void RunComparison::setReference(const QString &metric, const PerformanceReference &ref)
{
    m_refs.insert(metric, ref);
}

Better RunComparison::betterFor(const QString &metric)
{
    static const QRegularExpression higher(
        QStringLiteral("throughput|per_s|qps|tps|iops|ops_s|mb_s|mbps|recall|goodput|tokens_s"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression lower(
        QStringLiteral("latency|ttft|tpot|itl|e2el|duration|time|errors|\\.(mean|p\\d+|max|min|stdev)$"),
        QRegularExpression::CaseInsensitiveOption);
    if (higher.match(metric).hasMatch())
        return Better::Higher;
    if (lower.match(metric).hasMatch())
        return Better::Lower;
    return Better::Neither;
}

PerformanceReference RunComparison::referenceFor(const QString &metric) const
{
    const auto it = m_refs.constFind(metric);
    if (it != m_refs.cend())
        return *it;
    PerformanceReference r;
    r.lower = m_defaultLower;
    r.upper = m_defaultUpper;
    r.better = betterFor(metric);
    return r;
}

QList<ComparisonRow> RunComparison::rows() const
{
    QList<ComparisonRow> out;
    for (const QString &metric : m_metrics) {
        ComparisonRow row;
        row.metric = metric;
        const auto bt = m_baseline.constFind(metric);
        row.hasBaseline = bt != m_baseline.cend() && !std::isnan(*bt);
        row.baseline = row.hasBaseline ? *bt : std::nan("");
        const PerformanceReference ref = referenceFor(metric);
        for (const auto &cand : m_candidates) {
            ComparisonCell cell;
            const auto ct = cand.constFind(metric);
            if (!row.hasBaseline || ct == cand.cend() || std::isnan(*ct)) {
                cell.value = ct == cand.cend() ? std::nan("") : *ct;
                cell.percentDiff = std::nan("");
                cell.status = ComparisonStatus::Missing;
                row.cells.append(cell);
                continue;
            }
            cell.value = *ct;
            const double b = row.baseline;
            cell.percentDiff = b != 0 ? (cell.value - b) / std::abs(b) * 100.0 : std::nan("");
            // ReFrame's band: [ref*(1+lower), ref*(1+upper)], on |ref| so a
            // negative baseline keeps its meaning; a zero baseline only passes 0.
            const double lo = b + std::abs(b) * ref.lower;
            const double hi = b + std::abs(b) * ref.upper;
            if (cell.value >= lo && cell.value <= hi)
                cell.status = ComparisonStatus::Ok;
            else if (ref.better == Better::Neither)
                cell.status = ComparisonStatus::OutOfRange;
            else if ((cell.value > hi) == (ref.better == Better::Higher))
                cell.status = ComparisonStatus::Improvement;
            else
                cell.status = ComparisonStatus::Regression;
            row.cells.append(cell);
        }
        out.append(row);
    }
    return out;
}

QStringList RunComparison::regressions() const
{
    QStringList out;
    for (const ComparisonRow &row : rows())
        for (qsizetype i = 0; i < row.cells.size(); ++i)
            if (row.cells[i].status == ComparisonStatus::Regression)
                out << QStringLiteral("%1 (%2): %3%4 %")
                           .arg(row.metric, m_labels.value(i), row.cells[i].percentDiff >= 0 ? QStringLiteral("+") : QString())
                           .arg(row.cells[i].percentDiff, 0, 'f', 1);
    return out;
}

RunComparisonModel::RunComparisonModel(QObject *parent) : QAbstractTableModel(parent) {}

void RunComparisonModel::setComparison(const RunComparison &comparison)
{
    beginResetModel();
    m_comparison = std::make_unique<RunComparison>(comparison);
    m_rows = m_comparison->rows();
    endResetModel();
}

int RunComparisonModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RunComparisonModel::columnCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !m_comparison)
        return 0;
    return 2 + kPerCandidate * int(m_comparison->candidateLabels().size());
}

namespace {
QString formatValue(double v)
{
    if (std::isnan(v))
        return QStringLiteral("—");
    const double a = std::abs(v);
    if (a != 0 && (a >= 1e6 || a < 1e-3))
        return QString::number(v, 'g', 4);
    return QString::number(v, 'f', a >= 100 ? 1 : 3);
}
} // namespace

QVariant RunComparisonModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || !m_comparison)
        return {};
    const ComparisonRow &row = m_rows[index.row()];
    const int col = index.column();
    if (col == 0)
        return role == Qt::DisplayRole ? QVariant(row.metric) : QVariant();
    if (col == 1) {
        if (role == Qt::DisplayRole)
            return formatValue(row.baseline);
        if (role == ValueRole)
            return row.baseline;
        if (role == Qt::TextAlignmentRole)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    }
    const int cand = (col - 2) / kPerCandidate;
    const int part = (col - 2) % kPerCandidate;
    if (cand >= row.cells.size())
        return {};
    const ComparisonCell &cell = row.cells[cand];
    switch (role) {
    case Qt::DisplayRole:
        if (part == 0)
            return formatValue(cell.value);
        if (part == 1)
            return std::isnan(cell.percentDiff) ? QStringLiteral("—")
                                                : QStringLiteral("%1%2 %").arg(cell.percentDiff >= 0 ? QStringLiteral("+") : QString())
                                                      .arg(cell.percentDiff, 0, 'f', 1);
        return comparisonStatusName(cell.status);
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(Qt::Alignment((part == 2 ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter));
    case StatusRole:
        return int(cell.status);
    case PercentRole:
        return cell.percentDiff;
    case ValueRole:
        return cell.value;
    case Qt::ToolTipRole: {
        const PerformanceReference ref = m_comparison->referenceFor(row.metric);
        return QStringLiteral("accepted band: %1 % … +%2 % of the baseline; %3 is better")
            .arg(ref.lower * 100, 0, 'f', 1)
            .arg(ref.upper * 100, 0, 'f', 1)
            .arg(ref.better == Better::Higher ? QStringLiteral("higher")
                 : ref.better == Better::Lower ? QStringLiteral("lower")
                                               : QStringLiteral("neither"));
    }
    default:
        return {};
    }
}

QVariant RunComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || !m_comparison)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (section == 0)
        return QStringLiteral("Metric");
    if (section == 1)
        return QStringLiteral("Baseline (%1)").arg(m_comparison->baselineLabel());
    const int cand = (section - 2) / kPerCandidate;
    const QString label = m_comparison->candidateLabels().value(cand);
    switch ((section - 2) % kPerCandidate) {
    case 0: return label;
    case 1: return QStringLiteral("Δ %");
    default: return QStringLiteral("Verdict");
    }
}

} // namespace fb::metrics
