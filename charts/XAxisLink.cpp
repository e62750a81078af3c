// XAxisLink (declared in TimeSeriesChart.h): zooming or panning one chart
// moves the others; a chart that follows its data resets the others to theirs.
#include "TimeSeriesChart.h"

namespace fb::charts {

void XAxisLink::add(TimeSeriesChart *chart)
{
    m_charts.append(chart);
    connect(chart, &TimeSeriesChart::xRangeChanged, this, [this, chart](double x0, double x1) {
        if (m_propagating)
            return;
        m_propagating = true;
        for (const QPointer<TimeSeriesChart> &other : std::as_const(m_charts))
            if (other && other != chart) {
                if (chart->isFollowing() && other->hasData())
                    other->resetZoom();
                else if (chart->isFollowing())
                    other->followEmpty(x0, x1); // nothing of its own: share the time axis
                else
                    other->zoomToX(x0, x1);
            }
        m_propagating = false;
    });
}

void XAxisLink::remove(TimeSeriesChart *chart)
{
    m_charts.removeAll(chart);
    disconnect(chart, nullptr, this, nullptr);
}

} // namespace fb::charts
