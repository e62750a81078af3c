#include "metrics/Statistics.h"

#include <cmath>
#include <limits>

namespace fb::metrics::stats {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Continued fraction of the incomplete beta function (modified Lentz),
// Numerical Recipes in C, 2nd ed., §6.4 (betacf).
double betaContinuedFraction(double a, double b, double x)
{
    constexpr int kMaxIterations = 300;
    constexpr double kEpsilon = 1e-15;
    constexpr double kTiny = 1e-300;
    const double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1;
    double d = 1 - qab * x / qap;
    if (std::fabs(d) < kTiny)
        d = kTiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= kMaxIterations; ++m) {
        const int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (std::fabs(d) < kTiny)
            d = kTiny;
        c = 1 + aa / c;
        if (std::fabs(c) < kTiny)
            c = kTiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (std::fabs(d) < kTiny)
            d = kTiny;
        c = 1 + aa / c;
        if (std::fabs(c) < kTiny)
            c = kTiny;
        d = 1 / d;
        const double delta = d * c;
        h *= delta;
        if (std::fabs(delta - 1) < kEpsilon)
            break;
    }
    return h;
}

// Regularized incomplete beta function I_x(a, b), 0 <= x <= 1.
double incompleteBeta(double a, double b, double x)
{
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x)
                                  + b * std::log1p(-x));
    if (x < (a + 1) / (a + b + 2))
        return front * betaContinuedFraction(a, b, x) / a;
    return 1 - front * betaContinuedFraction(b, a, 1 - x) / b;
}

double normalCdf(double z)
{
    return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

// Past this many degrees of freedom t and the normal differ by < 1e-7.
constexpr double kNormalDf = 1e8;

} // namespace

double mean(const QList<double> &samples)
{
    if (samples.isEmpty())
        return kNaN;
    double sum = 0;
    for (double v : samples)
        sum += v;
    return sum / samples.size();
}

double sampleStdev(const QList<double> &samples)
{
    if (samples.size() < 2)
        return kNaN;
    const double m = mean(samples);
    double squares = 0;
    for (double v : samples)
        squares += (v - m) * (v - m);
    return std::sqrt(squares / (samples.size() - 1));
}

double studentTCdf(double t, double df)
{
    if (!(df > 0) || std::isnan(t))
        return kNaN;
    if (df >= kNormalDf)
        return normalCdf(t);
    // P(|T| > |t|) = I_{df/(df+t²)}(df/2, 1/2); each tail is half of it.
    const double tail = 0.5 * incompleteBeta(df / 2, 0.5, df / (df + t * t));
    return t > 0 ? 1 - tail : tail;
}

double studentTQuantile(double p, double df)
{
    if (!(p > 0 && p < 1) || !(df > 0))
        return kNaN;
    if (p == 0.5)
        return 0;
    if (p < 0.5)
        return -studentTQuantile(1 - p, df);
    // The CDF is increasing: bracket the quantile, then bisect. df = 1 at
    // p = 0.9995 is ~637, so doubling finds the bracket in a few steps.
    double lo = 0, hi = 1;
    while (studentTCdf(hi, df) < p) {
        lo = hi;
        hi *= 2;
        if (hi > 1e300)
            return std::numeric_limits<double>::infinity();
    }
    for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; ++i) {
        const double mid = 0.5 * (lo + hi);
        (studentTCdf(mid, df) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

double tCritical(double df, double confidence)
{
    return studentTQuantile(1 - (1 - confidence) / 2, df);
}

double halfWidth(double stdev, int n, double confidence)
{
    if (n < 2 || std::isnan(stdev))
        return kNaN;
    return tCritical(n - 1, confidence) * stdev / std::sqrt(double(n));
}

bool ConfidenceInterval::hasInterval() const
{
    return n >= 2 && std::isfinite(halfWidth);
}

ConfidenceInterval meanInterval(const QList<double> &samples, double confidence)
{
    ConfidenceInterval ci;
    ci.n = int(samples.size());
    ci.mean = mean(samples);
    ci.stdev = sampleStdev(samples);
    ci.halfWidth = halfWidth(ci.stdev, ci.n, confidence);
    return ci;
}

bool WelchComparison::hasInterval() const
{
    return nA >= 2 && nB >= 2 && std::isfinite(halfWidth);
}

double WelchComparison::relative() const
{
    return meanA == 0 ? kNaN : difference / std::fabs(meanA);
}

double WelchComparison::relativeLower() const
{
    return meanA == 0 ? kNaN : (difference - halfWidth) / std::fabs(meanA);
}

double WelchComparison::relativeUpper() const
{
    return meanA == 0 ? kNaN : (difference + halfWidth) / std::fabs(meanA);
}

WelchComparison welch(const QList<double> &baseline, const QList<double> &candidate, double confidence)
{
    WelchComparison w;
    w.nA = int(baseline.size());
    w.nB = int(candidate.size());
    w.meanA = mean(baseline);
    w.meanB = mean(candidate);
    w.difference = w.meanB - w.meanA;
    if (w.nA < 2 || w.nB < 2) {
        w.halfWidth = kNaN;
        w.df = kNaN;
        return w;
    }
    const double sA = sampleStdev(baseline), sB = sampleStdev(candidate);
    const double vA = sA * sA / w.nA, vB = sB * sB / w.nB; // squared standard errors
    const double se2 = vA + vB;
    if (se2 == 0) {
        // Identical repetitions on both sides: no noise seen, the difference is exact.
        w.df = w.nA + w.nB - 2;
        w.halfWidth = 0;
        return w;
    }
    w.df = se2 * se2 / (vA * vA / (w.nA - 1) + vB * vB / (w.nB - 1));
    w.halfWidth = tCritical(w.df, confidence) * std::sqrt(se2);
    return w;
}

} // namespace fb::metrics::stats
