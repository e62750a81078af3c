// StudyCharts: the Study panel's charts beside the sweep chart, each a tab
// with its own few controls —
//  - Throughput–latency: achieved throughput against the chosen latency
//    percentiles, one point per trial (repetitions averaged), one curve per
//    combination of the non-load parameters; for LLM runs also the tokens/s
//    per user vs tokens/s total Pareto plot (charts::ThroughputLatencyChart);
//  - Latency distribution: percentile spectrum or CDF of the selected trials
//    (all when none is selected), overlaid, from the result histograms
//    (charts::LatencyDistributionChart);
//  - Latency heatmap: the first selected trial's latency over time from its
//    per-second buckets (charts::LatencyHeatmapChart).
// setStudy() fills them; setSelection() follows the trial table's selection.
#pragma once

#include "metrics/Study.h"

#include <QObject>
#include <QStringList>

class QCheckBox;
class QComboBox;
class QTabWidget;

namespace fb::charts {
class LatencyDistributionChart;
class LatencyHeatmapChart;
class ThroughputLatencyChart;
}

namespace fb::gui {

class StudyCharts : public QObject
{
    Q_OBJECT
public:
    // Adds the three tabs to `tabs` (which owns them).
    explicit StudyCharts(QTabWidget *tabs);

    void setStudy(const metrics::Study &study);
    // Trial ids selected in the trial table (empty: none).
    void setSelection(const QStringList &trialIds);

    charts::ThroughputLatencyChart *throughputLatency() const { return m_curve; }
    charts::LatencyDistributionChart *distribution() const { return m_distribution; }
    charts::LatencyHeatmapChart *heatmap() const { return m_heatmap; }
    QStringList distributionTrials() const { return m_distributionTrials; } // the trials overlaid
    QString heatmapTrial() const { return m_heatmapTrial; }

private:
    void updateCurve();
    void updateDistribution();
    void updateHeatmap();

    metrics::Study m_study;
    QStringList m_selection;
    QStringList m_distributionTrials;
    QString m_heatmapTrial;
    charts::ThroughputLatencyChart *m_curve = nullptr;
    charts::LatencyDistributionChart *m_distribution = nullptr;
    charts::LatencyHeatmapChart *m_heatmap = nullptr;
    QComboBox *m_curveMode = nullptr, *m_curveLatency = nullptr, *m_distributionMode = nullptr;
    QCheckBox *m_curveLogY = nullptr;
};

} // namespace fb::gui
