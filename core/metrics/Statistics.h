// Statistics: the few sample statistics FactoryBench's studies and
// comparisons need — mean, sample standard deviation, Student-t quantiles,
// the confidence interval of a mean (error bars of repetitions) and Welch's
// comparison of two samples (is run B different from baseline A beyond the
// noise?).
//
// Hand-written on purpose: Debian's Qt stack has no statistics library and
// scripts/setup-debian.sh does not install Boost.Math (a large dependency for
// one distribution). The Student-t distribution is computed from the
// regularized incomplete beta function (continued fraction, as in Numerical
// Recipes §6.4) and inverted by bisection, so it is exact to ~1e-10 for any
// real degrees of freedom, including Welch–Satterthwaite's fractional ones;
// tst_statistics checks it against the published table.
#pragma once

#include <QList>

namespace fb::metrics::stats {

double mean(const QList<double> &samples);        // NaN when empty
double sampleStdev(const QList<double> &samples); // n-1 denominator; NaN when n < 2

// P(T <= t) for Student's t with `df` > 0 degrees of freedom.
double studentTCdf(double t, double df);
// The p-quantile of Student's t (0 < p < 1), e.g. p = 0.975, df = 4 -> 2.776.
// NaN for p outside (0, 1) or df <= 0; df = +inf gives the normal quantile.
double studentTQuantile(double p, double df);
// The two-sided critical value at `confidence` (0.95 -> quantile(0.975, df)).
double tCritical(double df, double confidence = 0.95);

// Mean with its confidence interval mean ± halfWidth (t·s/√n). With fewer than
// 2 samples halfWidth is NaN (no estimate of the noise).
struct ConfidenceInterval
{
    int n = 0;
    double mean = 0;
    double stdev = 0;     // sample stdev; NaN when n < 2
    double halfWidth = 0; // NaN when n < 2
    double lower() const { return mean - halfWidth; }
    double upper() const { return mean + halfWidth; }
    bool hasInterval() const; // n >= 2 and halfWidth finite
};
ConfidenceInterval meanInterval(const QList<double> &samples, double confidence = 0.95);
// t·s/√n for n samples of sample stdev s; NaN when n < 2.
double halfWidth(double stdev, int n, double confidence = 0.95);

// Welch's two-sample comparison of candidate B against baseline A: the
// difference of means mean(B) - mean(A) with its confidence interval, using
// the Welch–Satterthwaite degrees of freedom (no equal-variance assumption).
// Relative figures divide by |mean(A)|; the baseline mean's own uncertainty is
// not propagated into that ratio (the usual first-order reading, adequate when
// the noise is a few % of the mean — Fieller's interval would be exact).
struct WelchComparison
{
    int nA = 0, nB = 0;
    double meanA = 0, meanB = 0;
    double difference = 0; // meanB - meanA
    double halfWidth = 0;  // of the difference; NaN when nA < 2 or nB < 2
    double df = 0;         // Welch–Satterthwaite; NaN when nA < 2 or nB < 2

    bool hasInterval() const;      // both sides have >= 2 samples
    double relative() const;       // difference / |meanA|; NaN when meanA == 0
    double relativeLower() const;  // (difference - halfWidth) / |meanA|
    double relativeUpper() const;  // (difference + halfWidth) / |meanA|
};
WelchComparison welch(const QList<double> &baseline, const QList<double> &candidate, double confidence = 0.95);

} // namespace fb::metrics::stats
