// How every peer comparison in tests/bench is summarised (issue 20 item 5):
// the tools run in interleaved rounds (fbload, peer, fbload, peer, ...), each
// round's figure is kept, and the comparison is the MEDIAN of the rounds with
// their spread (min-max), never the best of N. The best of N rewards the one
// lucky round of a noisy tool: 1.7-4.4 GiB/s against 2.9-3.5 GiB/s read 1.24x
// as a best of 3 and 0.53x as medians.
#pragma once

#include <QString>
#include <QStringList>

#include <algorithm>
#include <vector>

namespace fbbench {

class Rounds {
public:
    explicit Rounds(QString name) : name_(std::move(name)) {}

    void add(double v) { values_.push_back(v); }
    const QString& name() const { return name_; }
    int count() const { return static_cast<int>(values_.size()); }
    const std::vector<double>& values() const { return values_; }

    // The median of the rounds (mean of the middle two for an even count);
    // 0 without rounds.
    double median() const
    {
        if (values_.empty())
            return 0;
        std::vector<double> s = values_;
        std::sort(s.begin(), s.end());
        const size_t n = s.size();
        return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
    double min() const { return values_.empty() ? 0 : *std::min_element(values_.begin(), values_.end()); }
    double max() const { return values_.empty() ? 0 : *std::max_element(values_.begin(), values_.end()); }
    // Every round produced a positive figure.
    bool allPositive() const
    {
        return !values_.empty() && std::all_of(values_.begin(), values_.end(), [](double v) { return v > 0; });
    }

    // "name: median M (min A - max B, spread S %; rounds r1 r2 ...)", the
    // figures divided by `scale` (e.g. 1048576 for MiB/s) with `unit` after them.
    QString summary(double scale = 1, const QString& unit = {}, int decimals = 1) const
    {
        auto f = [&](double v) { return QString::number(v / scale, 'f', decimals); };
        QStringList each;
        for (double v : values_)
            each << f(v);
        const double m = median();
        const double spread = m > 0 ? (max() - min()) / m * 100 : 0;
        return QString("%1: median %2%3 (min %4 - max %5, spread %6 % of the median; rounds %7)")
            .arg(name_, f(m), unit.isEmpty() ? QString() : " " + unit, f(min()), f(max()),
                 QString::number(spread, 'f', 0), each.join(' '));
    }

private:
    QString name_;
    std::vector<double> values_;
};

// "ratio of medians R (goal >= G: met|NOT met)" for ours / theirs.
inline QString ratioLine(const Rounds& ours, const Rounds& theirs, double goal)
{
    const double r = theirs.median() > 0 ? ours.median() / theirs.median() : 0;
    return QString("%1 / %2, ratio of medians %3 (goal >= %4: %5)")
        .arg(ours.name(), theirs.name(), QString::number(r, 'f', 3), QString::number(goal, 'f', 2),
             r >= goal ? "met" : "NOT met");
}

}  // namespace fbbench
