#include "StudyCharts.h"

#include "LatencyDistributionChart.h"
#include "LatencyHeatmapChart.h"
#include "ThroughputLatencyChart.h"
#include "metrics/ThroughputLatency.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QTabWidget>
#include <QVBoxLayout>

namespace fb::gui {

namespace {

// A tab page: a row of controls over the chart.
QWidget *page(QTabWidget *tabs, QWidget *chart, const QList<QWidget *> &controls)
{
    auto *w = new QWidget(tabs);
    auto *layout = new QVBoxLayout(w);
    layout->setContentsMargins(0, 4, 0, 0);
    auto *row = new QHBoxLayout;
    for (QWidget *c : controls)
        row->addWidget(c);
    row->addStretch();
    layout->addLayout(row);
    chart->setParent(w);
    layout->addWidget(chart, 1);
    return w;
}

QLabel *label(const QString &text, QWidget *parent) { return new QLabel(text, parent); }

} // namespace

StudyCharts::StudyCharts(QTabWidget *tabs) : QObject(tabs)
{
    m_curve = new charts::ThroughputLatencyChart;
    m_curve->setObjectName(QStringLiteral("studyThroughputLatency"));
    m_curveMode = new QComboBox;
    m_curveMode->setObjectName(QStringLiteral("studyCurveMode"));
    m_curveMode->addItem(tr("Throughput–latency"));
    m_curveMode->addItem(tr("Tokens/s per user vs total (Pareto)"));
    m_curveLatency = new QComboBox;
    m_curveLatency->setObjectName(QStringLiteral("studyCurveLatency"));
    m_curveLogY = new QCheckBox(tr("Log latency"));
    m_curveLogY->setObjectName(QStringLiteral("studyCurveLogY"));
    tabs->addTab(page(tabs, m_curve, {m_curveMode, label(tr("Latency"), tabs), m_curveLatency, m_curveLogY}),
                 tr("Throughput–latency"));

    m_distribution = new charts::LatencyDistributionChart;
    m_distribution->setObjectName(QStringLiteral("studyDistribution"));
    m_distributionMode = new QComboBox;
    m_distributionMode->setObjectName(QStringLiteral("studyDistributionMode"));
    m_distributionMode->addItem(tr("Percentile spectrum"), int(charts::LatencyDistributionChart::Mode::PercentileSpectrum));
    m_distributionMode->addItem(tr("CDF"), int(charts::LatencyDistributionChart::Mode::Cdf));
    tabs->addTab(page(tabs, m_distribution,
                      {m_distributionMode, label(tr("Select trials in the table to overlay them (none: all)."), tabs)}),
                 tr("Latency distribution"));

    m_heatmap = new charts::LatencyHeatmapChart;
    m_heatmap->setObjectName(QStringLiteral("studyHeatmap"));
    tabs->addTab(page(tabs, m_heatmap, {label(tr("The first selected trial (none: the first with per-second data)."), tabs)}),
                 tr("Latency heatmap"));

    connect(m_curveMode, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_curve->setMode(i == 1 ? charts::ThroughputLatencyChart::Mode::TokenPareto : charts::ThroughputLatencyChart::Mode::Curve);
        m_curveLatency->setEnabled(i == 0);
        m_curveLogY->setEnabled(i == 0);
    });
    connect(m_curveLatency, &QComboBox::currentIndexChanged, this, [this] { updateCurve(); });
    connect(m_curveLogY, &QCheckBox::toggled, m_curve, &charts::ThroughputLatencyChart::setLogLatency);
    connect(m_distributionMode, &QComboBox::currentIndexChanged, this, [this] {
        m_distribution->setMode(charts::LatencyDistributionChart::Mode(m_distributionMode->currentData().toInt()));
    });
}

void StudyCharts::setStudy(const metrics::Study &study)
{
    const bool sameRun = study.runId() == m_study.runId();
    m_study = study;
    if (!sameRun)
        m_selection.clear();
    const QList<metrics::TrialResult> trials = metrics::trialResults(m_study);
    const QString latency = m_curveLatency->currentText();
    {
        const QSignalBlocker block(m_curveLatency);
        m_curveLatency->clear();
        m_curveLatency->addItems(metrics::latencyMetrics(trials));
        if (const int i = m_curveLatency->findText(latency); i >= 0)
            m_curveLatency->setCurrentIndex(i);
    }
    m_curve->setData(trials);
    m_curve->setTitle(tr("Throughput–latency — %1").arg(m_study.name()));
    const bool tokens = metrics::hasTokenThroughput(trials);
    m_curveMode->setVisible(tokens);
    if (!tokens)
        m_curveMode->setCurrentIndex(0);
    updateCurve();
    updateDistribution();
    updateHeatmap();
}

void StudyCharts::setSelection(const QStringList &trialIds)
{
    m_selection = trialIds;
    updateDistribution();
    updateHeatmap();
}

void StudyCharts::updateCurve()
{
    metrics::CurveSpec spec;
    if (!m_curveLatency->currentText().isEmpty())
        spec.latencyMetric = m_curveLatency->currentText();
    m_curve->setSpec(spec);
}

void StudyCharts::updateDistribution()
{
    QList<charts::LatencyRun> runs;
    m_distributionTrials.clear();
    for (const metrics::StudyTrial &t : m_study.trials()) {
        if (!t.result || (!m_selection.isEmpty() && !m_selection.contains(t.id)))
            continue;
        const auto h = t.result->histograms.constFind(QStringLiteral("latency"));
        if (h == t.result->histograms.cend() || h->count() == 0)
            continue;
        // Repetitions share their swept values: the id tells them apart.
        runs.append({m_study.trialLabel(t) + QStringLiteral(" (") + t.id + QLatin1Char(')'), *h});
        m_distributionTrials << t.id;
    }
    m_distribution->setData(runs);
    m_distribution->setTitle(tr("Latency distribution — %1").arg(m_study.name()));
}

void StudyCharts::updateHeatmap()
{
    const metrics::StudyTrial *chosen = nullptr;
    const QString wanted = m_selection.value(0);
    for (const metrics::StudyTrial &t : m_study.trials())
        if (t.result && !t.result->timeseries.isEmpty() && (wanted.isEmpty() || t.id == wanted)) {
            chosen = &t;
            break;
        }
    m_heatmapTrial = chosen ? chosen->id : QString();
    if (chosen)
        m_heatmap->setData(chosen->result->timeseries, m_study.trialLabel(*chosen) + QStringLiteral(" (") + chosen->id + QLatin1Char(')'));
    else
        m_heatmap->setData(metrics::TimeSeriesTable{}, QString());
    m_heatmap->setTitle(chosen ? tr("Latency over time — %1").arg(chosen->id) : tr("Latency over time: no per-second data"));
}

} // namespace fb::gui
