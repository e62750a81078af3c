#include "Decimation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

namespace fb::charts {

QList<QPointF> decimateMinMax(const QList<QPointF> &points, double x0, double x1, int pixels)
{
    QList<QPointF> out;
    if (points.isEmpty() || !(x1 > x0) || pixels < 1)
        return out;
    auto byX = [](const QPointF &p, double x) { return p.x() < x; };
    qsizetype first = std::lower_bound(points.cbegin(), points.cend(), x0, byX) - points.cbegin();
    qsizetype last = std::lower_bound(points.cbegin(), points.cend(), x1, [](const QPointF &p, double x) {
                         return p.x() <= x;
                     }) - points.cbegin(); // one past the last point <= x1
    // Neighbours just outside the range keep the line running to the edges.
    if (first > 0)
        --first;
    if (last < points.size())
        ++last;
    const qsizetype n = last - first;
    if (n <= 2 * qsizetype(pixels)) {
        out.reserve(n);
        for (qsizetype i = first; i < last; ++i)
            if (!std::isnan(points[i].y()))
                out.append(points[i]);
        return out;
    }
    out.reserve(2 * pixels + 2);
    const double width = (x1 - x0) / pixels;
    qsizetype i = first;
    // The outside neighbours (if any) go through unchanged.
    if (points[i].x() < x0) {
        if (!std::isnan(points[i].y()))
            out.append(points[i]);
        ++i;
    }
    qsizetype end = last;
    const bool tail = end > i && points[end - 1].x() > x1;
    if (tail)
        --end;
    while (i < end) {
        const qsizetype column = std::min<qsizetype>(pixels - 1, qsizetype((points[i].x() - x0) / width));
        const double columnEnd = x0 + double(column + 1) * width;
        qsizetype lo = -1, hi = -1;
        for (; i < end && (points[i].x() < columnEnd || column == pixels - 1); ++i) {
            const double y = points[i].y();
            if (std::isnan(y))
                continue;
            if (lo < 0 || y < points[lo].y())
                lo = i;
            if (hi < 0 || y > points[hi].y())
                hi = i;
        }
        if (lo < 0)
            continue;
        if (lo == hi) {
            out.append(points[lo]);
        } else {
            out.append(points[std::min(lo, hi)]);
            out.append(points[std::max(lo, hi)]);
        }
    }
    if (tail && !std::isnan(points[end].y()))
        out.append(points[end]);
    return out;
}

double gapThreshold(const QList<QPointF> &points)
{
    if (points.size() < 3)
        return std::numeric_limits<double>::infinity();
    // At most ~4096 steps, evenly spread: a median of a million steps would
    // cost more than the decimation itself.
    const qsizetype n = points.size() - 1;
    const qsizetype stride = std::max<qsizetype>(1, n / 4096);
    std::vector<double> steps;
    steps.reserve(size_t(n / stride + 1));
    for (qsizetype i = 0; i < n; i += stride) {
        const double d = points[i + 1].x() - points[i].x();
        if (d > 0 && std::isfinite(d))
            steps.push_back(d);
    }
    if (steps.empty())
        return std::numeric_limits<double>::infinity();
    auto mid = steps.begin() + qsizetype(steps.size() / 2);
    std::nth_element(steps.begin(), mid, steps.end());
    return 3 * *mid;
}

QList<QList<QPointF>> splitAtGaps(const QList<QPointF> &points, double maxGap)
{
    QList<QList<QPointF>> runs;
    QList<QPointF> run;
    for (const QPointF &p : points) {
        if (std::isnan(p.y()) || (!run.isEmpty() && p.x() - run.last().x() > maxGap)) {
            if (!run.isEmpty())
                runs.append(std::exchange(run, {}));
            if (std::isnan(p.y()))
                continue;
        }
        run.append(p);
    }
    if (!run.isEmpty())
        runs.append(run);
    return runs;
}

QList<QList<QPointF>> decimateSegments(const QList<QPointF> &points, double x0, double x1, int pixels)
{
    QList<QList<QPointF>> out;
    for (const QList<QPointF> &run : splitAtGaps(points, gapThreshold(points))) {
        if (run.last().x() < x0 || run.first().x() > x1)
            continue;
        QList<QPointF> shown = decimateMinMax(run, x0, x1, pixels);
        if (!shown.isEmpty())
            out.append(shown);
    }
    return out;
}

} // namespace fb::charts
