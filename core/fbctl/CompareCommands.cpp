// fbctl compare BASE RUN [--tolerance PERCENT] [--metric M]... [--trials ID,...]
//
// Compares RUN with the baseline BASE trial by trial (matched by their swept
// values; repetitions are the samples), with Welch's 95 % confidence interval
// against a tolerance band (core/metrics/RunComparison.h). BASE and RUN are
// run ids, or RUN/TRIAL[,TRIAL…] for some trials of a run — two trials of one
// run compare as `fbctl compare R/t001 R/t002`.
//
// Exit codes (a CI gate): 0 no regression, 3 a regression was found, 1 the
// store or the results cannot be read, 2 a bad command line, an unknown run,
// trial or metric. 3 is "invalid input" for the other commands; compare reads
// no recipe or profile, so here it only ever means a regression.
#include "Command.h"

#include "common/Paths.h"
#include "metrics/RunComparison.h"
#include "session/RunStore.h"
#include "session/StudyLoader.h"

#include <QCommandLineParser>

#include <cmath>

namespace fb::cli {
namespace {

using metrics::ComparisonRow;
using metrics::RunComparison;
using metrics::Verdict;

constexpr int kRegressionFound = 3;

const char kUsage[] = "usage: fbctl compare BASE RUN [--tolerance PERCENT] [--metric M]... [--trials ID,...]\n";

// "5%", "5" or "2.5 %" -> 0.05, 0.05, 0.025.
bool parseTolerance(QString text, double *out)
{
    text = text.trimmed();
    if (text.endsWith(QLatin1Char('%')))
        text.chop(1);
    bool ok = false;
    const double v = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(v) || v < 0 || v > 1000)
        return false;
    *out = v / 100;
    return true;
}

// A side: "RUN" or "RUN/TRIAL[,TRIAL…]", optionally narrowed by --trials.
// Returns 0 or the exit code after printing why.
int loadSide(const session::RunStore &store, const QString &spec, const QStringList &trials, metrics::ComparisonSide *side)
{
    const QString runId = spec.section(QLatin1Char('/'), 0, 0);
    QStringList picked = spec.section(QLatin1Char('/'), 1).split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (picked.isEmpty())
        picked = trials;
    if (!store.run(runId)) {
        err() << "fbctl: no run " << runId << " in " << store.path() << " (`fbctl status` lists the runs)\n";
        return Usage;
    }
    QString error;
    std::optional<metrics::Study> study = session::loadStudy(store, runId, &error);
    if (study && !picked.isEmpty())
        study = metrics::selectTrials(*study, picked, &error);
    if (!study) {
        err() << "fbctl: " << error << '\n';
        return picked.isEmpty() ? Failed : Usage;
    }
    for (const metrics::StudyTrial &t : study->trials())
        if (!t.error.isEmpty())
            err() << "fbctl: warning: " << runId << '/' << t.id << ": " << t.error << '\n';
    if (study->resultCount() == 0) {
        err() << "fbctl: " << spec << ": no downloaded results (`fbctl results " << runId << "` lists them)\n";
        return Failed;
    }
    side->study = *study;
    side->label = spec;
    return 0;
}

void printTable(const RunComparison &cmp)
{
    QList<QStringList> lines{{QStringLiteral("TRIAL"), QStringLiteral("METRIC"), QStringLiteral("BASELINE"), QStringLiteral("CANDIDATE"),
                              QStringLiteral("Δ"), QStringLiteral("95 % CI OF Δ"), QStringLiteral("N"), QStringLiteral("VERDICT")}};
    for (const ComparisonRow &row : cmp.rows()) {
        const metrics::ComparisonCell &c = row.cells.first();
        QString trial = row.trials;
        if (!c.trials.isEmpty() && c.trials != row.trials)
            trial += QStringLiteral(" vs ") + c.trials;
        lines << QStringList{trial,
                             row.metric,
                             RunComparison::formatValue(row.baseline, row.unit),
                             RunComparison::formatValue(c.value, row.unit),
                             RunComparison::formatDifference(c.diff, row.unit),
                             RunComparison::formatInterval(c.diff, row.unit),
                             QStringLiteral("%1/%2").arg(c.diff.nA).arg(c.diff.nB),
                             metrics::verdictName(c.verdict)};
    }
    QList<qsizetype> widths(lines.first().size(), 0);
    for (const QStringList &l : std::as_const(lines))
        for (qsizetype i = 0; i < l.size(); ++i)
            widths[i] = std::max(widths[i], l[i].size());
    // Text columns to the left, numbers to the right.
    const auto rightAligned = [](qsizetype column) { return column >= 2 && column <= 6; };
    for (const QStringList &l : std::as_const(lines)) {
        QString text;
        for (qsizetype i = 0; i < l.size(); ++i) {
            if (i)
                text += QStringLiteral("  ");
            const bool last = i == l.size() - 1;
            text += rightAligned(i) ? l[i].rightJustified(widths[i]) : last ? l[i] : l[i].leftJustified(widths[i]);
        }
        out() << text << '\n';
    }
}

int compareCommand(const QStringList &args)
{
    const QCommandLineOption tolerance(QStringLiteral("tolerance"),
                                       QStringLiteral("The band a difference must leave to count, in percent (default 5%)."),
                                       QStringLiteral("percent"), QStringLiteral("5%"));
    const QCommandLineOption metric(QStringLiteral("metric"),
                                    QStringLiteral("A metric to compare (repeatable; wildcards: latency.*.p99). Default: the main ones."),
                                    QStringLiteral("name"));
    const QCommandLineOption trials(QStringLiteral("trials"),
                                    QStringLiteral("Only these trials (comma-separated ids; t002 takes its repetitions) of both runs."),
                                    QStringLiteral("ids"));
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "fbctl compare BASE RUN — RUN against the baseline BASE, trial by trial (docs/compare.md).\n"
        "Exit codes: 0 no regression, 3 a regression, 1 results unreadable, 2 bad arguments or unknown run/trial/metric."));
    p.addPositionalArgument(QStringLiteral("BASE"), QStringLiteral("The baseline: a run id, or RUN/TRIAL[,TRIAL...]."));
    p.addPositionalArgument(QStringLiteral("RUN"), QStringLiteral("The run compared with it (same forms)."));
    p.addOptions({tolerance, metric, trials});
    p.addHelpOption();
    if (!p.parse(QStringList{QStringLiteral("fbctl compare")} + args) || p.positionalArguments().size() != 2) {
        if (p.isSet(QStringLiteral("help")))
            return out() << p.helpText(), Ok;
        if (!p.errorText().isEmpty())
            err() << "fbctl: " << p.errorText() << '\n';
        err() << kUsage;
        return Usage;
    }
    double tol = RunComparison::kDefaultTolerance;
    if (!parseTolerance(p.value(tolerance), &tol)) {
        err() << "fbctl: --tolerance: expected a percentage from 0 to 1000 such as 5%, got \"" << p.value(tolerance) << "\"\n";
        return Usage;
    }
    session::RunStore store;
    QString error;
    if (!store.open(Paths::runStorePath(), &error)) {
        err() << "fbctl: " << error << '\n';
        return Failed;
    }
    const QStringList trialIds = p.value(trials).split(QLatin1Char(','), Qt::SkipEmptyParts);
    metrics::ComparisonSide base, run;
    if (const int rc = loadSide(store, p.positionalArguments().at(0), trialIds, &base))
        return rc;
    if (const int rc = loadSide(store, p.positionalArguments().at(1), trialIds, &run))
        return rc;

    const RunComparison cmp(base, {run}, p.values(metric), tol);
    for (const QString &m : cmp.unknownMetrics())
        err() << "fbctl: warning: no metric matches \"" << m << "\"\n";
    if (cmp.metrics().isEmpty()) {
        err() << "fbctl: no metric to compare (the results of " << base.label << " hold none of those asked for)\n";
        return Usage;
    }
    if (cmp.rows().isEmpty()) {
        err() << "fbctl: " << base.label << " and " << run.label << " have no trials with the same swept values\n";
        for (const QString &u : cmp.unmatched())
            err() << "  " << u << '\n';
        return Failed;
    }
    out() << "baseline  " << base.label << " (" << base.study.name() << ", " << base.study.resultCount() << " trials with results)\n"
          << "candidate " << run.label << " (" << run.study.name() << ", " << run.study.resultCount() << " trials with results)\n"
          << "tolerance ±" << units::format(tol, units::Unit::Ratio)
          << "; a difference counts when its 95 % confidence interval (Welch) lies outside it\n\n";
    printTable(cmp);
    out() << '\n';
    for (const QString &u : cmp.unmatched())
        out() << "unmatched: " << u << '\n';
    const int single = cmp.count(Verdict::SingleSample);
    out() << cmp.count(Verdict::Regression) << " regression(s), " << cmp.count(Verdict::Improvement) << " improvement(s), "
          << cmp.count(Verdict::WithinNoise) << " within noise, " << single << " single sample\n";
    if (single > 0)
        out() << "note: single samples are shown, not judged; sweep.repetitions: 2 or more gives each trial a confidence interval\n";
    out().flush();
    return cmp.hasRegression() ? kRegressionFound : Ok;
}

} // namespace

FB_FBCTL_COMMAND(QStringLiteral("compare"), QStringLiteral("compare a run with a baseline run, trial by trial (exit 3: regression)"),
                 compareCommand);

} // namespace fb::cli
