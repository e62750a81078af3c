// TimeSeriesView: the QChartView of a TimeSeriesChart — turns mouse and
// wheel input into zoom (box, wheel), pan (middle button or Shift + left),
// reset (double-click, right-click) and the crosshair. Private to fbcharts
// (TimeSeriesChart.cpp); header-only.
#pragma once

#include "TimeSeriesChart.h"

#include <QMouseEvent>
#include <QWheelEvent>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>

#include <cmath>

namespace fb::charts {

class TimeSeriesView : public QChartView
{
public:
    TimeSeriesView(QChart *chart, TimeSeriesChart *owner) : QChartView(chart), m_owner(owner)
    {
        setRubberBand(QChartView::RectangleRubberBand);
        setMouseTracking(true);
        setDragMode(QGraphicsView::NoDrag);
    }

protected:
    void wheelEvent(QWheelEvent *e) override
    {
        const QPointF value = chart()->mapToValue(e->position());
        const double steps = e->angleDelta().y() / 120.0;
        if (steps == 0)
            return;
        m_owner->zoomBy(std::pow(0.8, steps), value.x());
        e->accept();
    }

    void mousePressEvent(QMouseEvent *e) override
    {
        if (e->button() == Qt::MiddleButton || (e->button() == Qt::LeftButton && (e->modifiers() & Qt::ShiftModifier))) {
            m_panning = true;
            m_last = e->position();
            setCursor(Qt::ClosedHandCursor);
            e->accept();
            return;
        }
        if (e->button() == Qt::RightButton) {
            e->accept(); // reset on release, instead of QChartView's zoom-out
            return;
        }
        QChartView::mousePressEvent(e);
    }

    void mouseMoveEvent(QMouseEvent *e) override
    {
        if (m_panning) {
            const QPointF d = e->position() - m_last;
            m_last = e->position();
            m_owner->panByPixels(-d.x(), d.y());
            e->accept();
            return;
        }
        m_owner->crosshairAt(e->position().toPoint());
        QChartView::mouseMoveEvent(e);
    }

    void mouseReleaseEvent(QMouseEvent *e) override
    {
        if (m_panning) {
            m_panning = false;
            unsetCursor();
            e->accept();
            return;
        }
        if (e->button() == Qt::RightButton) {
            m_owner->resetZoom();
            e->accept();
            return;
        }
        QChartView::mouseReleaseEvent(e);
    }

    void mouseDoubleClickEvent(QMouseEvent *e) override
    {
        m_owner->resetZoom();
        e->accept();
    }

    void leaveEvent(QEvent *e) override
    {
        m_owner->hideCrosshair();
        QChartView::leaveEvent(e);
    }

private:
    TimeSeriesChart *m_owner;
    bool m_panning = false;
    QPointF m_last;
};

} // namespace fb::charts
