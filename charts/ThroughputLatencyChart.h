// ThroughputLatencyChart: the throughput–latency curve of a study (the
// "hockey stick"): achieved throughput on x, the chosen latency percentiles
// on y, one point per trial (repetitions averaged), points of one group
// joined in order of the swept load parameter or of throughput — and, for
// LLM results, the Pareto plot of output tokens/s per user against output
// tokens/s of all users, with the Pareto frontier drawn as a line.
//
// Data comes from fb::metrics::throughputLatencyCurves / tokenPareto
// (core/metrics/ThroughputLatency.h); the chart only draws it. Axes are
// scaled and titled through fb::units (fbload's ms become seconds, then µs /
// ms / s on the axis; req/s, tok/s, IOPS, B/s with k/M or KiB/MiB prefixes).
// Colour tells groups apart, the line style tells percentiles apart (one
// group: colour per percentile). Hovering a point shows its trial and values.
#pragma once

#include "ChartWidget.h"

#include "common/Units.h"
#include "metrics/ThroughputLatency.h"

#include <QList>
#include <QPointF>

class QValueAxis;
class QLogValueAxis;
class QXYSeries;
class QGraphicsSimpleTextItem;

namespace fb::charts {

class ThroughputLatencyChart : public ChartWidget
{
    Q_OBJECT
public:
    enum class Mode { Curve, TokenPareto };

    explicit ThroughputLatencyChart(QWidget *parent = nullptr);

    // The trials to plot (see fb::metrics::trialResults for a Study).
    void setData(const QList<fb::metrics::TrialResult> &trials);
    // Throughput measure (empty key: the workload's usual one), latency metric
    // and summary stats ("p50", "p90", "p95", "p99", "p999", "mean", "max").
    void setSpec(const fb::metrics::CurveSpec &spec);
    fb::metrics::CurveSpec spec() const { return m_spec; } // with the measure filled in
    void setMode(Mode mode);
    Mode mode() const { return m_mode; }
    void setLogLatency(bool log); // log y axis (Curve mode)
    void setLogThroughput(bool log);

    const QList<fb::metrics::Curve> &curves() const { return m_curves; }
    const QList<fb::metrics::ParetoPoint> &pareto() const { return m_pareto; }
    QStringList pointLabels() const; // Pareto: the names drawn next to the points
    // The hover text of a point: its trial and values with units ("23.4 k req/s",
    // "1.2 ms"); Pareto: `point` indexes pareto(), curve and stat are ignored.
    QString pointTip(int curve, int stat, int point) const;
    fb::units::Scale xScale() const { return m_xScale; }
    fb::units::Scale yScale() const { return m_yScale; }
    QString xTitle() const;
    QString yTitle() const;

    // Curve: group,trial,load,repetitions,<throughput key>,<metric>_<stat>_ms...
    // Pareto: trial,repetitions,output_tokens_per_s_per_user,output_tokens_per_s,pareto_frontier.
    // Values in the result files' units (req/s, tokens/s, ms).
    QString toCsv() const override;
    void setTitle(const QString &title) override; // and lays the chart out

    static QString metricLabel(const QString &metric); // "ttft" -> "TTFT", "service_time" -> "service time"
    static QString statLabel(const QString &stat);     // "p999" -> "p99.9", "p9999" -> "p99.99"

protected:
    void applyTheme() override;

private:
    void rebuild();
    void settleLayout();
    void buildCurves();
    void buildPareto();
    void addAxes(double xLo, double xHi, double yLo, double yHi, bool logX, bool logY);
    void placePointLabels();
    void showTip(const QString &text);

    QList<fb::metrics::TrialResult> m_trials;
    fb::metrics::CurveSpec m_requested; // as set; an empty measure is filled per data
    fb::metrics::CurveSpec m_spec;      // in effect
    QList<fb::metrics::Curve> m_curves;
    QList<fb::metrics::ParetoPoint> m_pareto;
    Mode m_mode = Mode::Curve;
    bool m_logY = false, m_logX = false;
    fb::units::Unit m_xUnit = fb::units::Unit::PerSecond, m_yUnit = fb::units::Unit::Seconds;
    fb::units::Scale m_xScale, m_yScale;
    QString m_xName, m_yName;
    struct Style
    {
        int colour;
        Qt::PenStyle style;
        bool markersOnly;
    };
    QList<Style> m_styles; // per series, in the chart's series order
    // Pareto: each trial's name next to its point (QGraphicsSimpleTextItem
    // children of the chart, placed again when the plot area moves).
    QList<QGraphicsSimpleTextItem *> m_pointLabels;
};

} // namespace fb::charts
