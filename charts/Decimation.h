// Decimation: what a series of a million points becomes on a plot a thousand
// pixels wide. For each pixel column of the visible x range it keeps the
// points with the smallest and the largest y, in x order, so every spike and
// dip stays visible (min/max-per-pixel, as oscilloscopes and PlotJuggler do)
// while the line series holds about 2 × width points instead of 1 M.
//
// Pure functions on value types: safe to run on a worker thread
// (TimeSeriesChart runs them with QtConcurrent and replaces the series once).
#pragma once

#include <QList>
#include <QPointF>

namespace fb::charts {

// `points` must be sorted by x. Returns the points of [x0, x1] (plus the
// nearest neighbour outside each end, so lines reach the plot edges),
// decimated to at most 2 points per pixel column (+2 for the neighbours).
// Points with NaN y are skipped. When the visible slice already has at most
// 2 × pixels points it is returned unchanged.
QList<QPointF> decimateMinMax(const QList<QPointF> &points, double x0, double x1, int pixels);

// The x step past which a line must not join two points: 3 × the median x
// step of `points` (sampled; the rows of a result, a Prometheus step), so a
// gap between two trials, a lost scrape or a restart breaks the line instead
// of drawing a straight segment over time without data. Infinity for fewer
// than 3 points.
double gapThreshold(const QList<QPointF> &points);

// `points` (sorted by x) cut into the runs a line may join: a point with NaN y
// or an x step above `maxGap` ends a run (NaN points are dropped).
QList<QList<QPointF>> splitAtGaps(const QList<QPointF> &points, double maxGap);

// What a line chart draws of `points`: split at gaps (gapThreshold), each run
// decimated to [x0, x1] and `pixels` (runs outside the range dropped).
QList<QList<QPointF>> decimateSegments(const QList<QPointF> &points, double x0, double x1, int pixels);

} // namespace fb::charts
