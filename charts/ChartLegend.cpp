#include "ChartLegend.h"

#include <QFontMetricsF>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>

#include <cmath>

namespace fb::charts {

namespace {
constexpr double kSwatch = 22;  // the pen sample, wide enough to show a dash
constexpr double kGap = 5;      // between swatch and name
constexpr double kSpacing = 14; // between entries
constexpr double kPad = 3;      // around the whole legend

double rowHeight(const QFont &font)
{
    return std::ceil(QFontMetricsF(font).height()) + 2;
}

void paintEntries(QPainter *p, const QList<ChartLegend::Entry> &entries, const QList<QRectF> &rects, const QFont &font,
                  const QColor &text)
{
    p->save();
    p->setFont(font);
    p->setRenderHint(QPainter::Antialiasing);
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const ChartLegend::Entry &e = entries[i];
        const QRectF r = rects[i];
        QPen pen = e.pen;
        QColor c = pen.color();
        c.setAlphaF(e.visible ? 1.0 : 0.3);
        pen.setColor(c);
        pen.setWidthF(std::max<qreal>(2.0, pen.widthF()));
        pen.setCapStyle(Qt::FlatCap);
        p->setPen(pen);
        const double y = r.center().y();
        p->drawLine(QPointF(r.left(), y), QPointF(r.left() + kSwatch, y));
        QColor t = text;
        t.setAlphaF(e.visible ? 1.0 : 0.45);
        p->setPen(t);
        p->drawText(QRectF(r.left() + kSwatch + kGap, r.top(), r.width() - kSwatch - kGap, r.height()),
                    Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine, e.name);
    }
    p->restore();
}
} // namespace

// The scrolled content: entries painted at their layout positions.
class ChartLegendCanvas : public QWidget
{
public:
    explicit ChartLegendCanvas(ChartLegend *legend) : QWidget(legend), m_legend(legend) {}

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.fillRect(rect(), m_legend->m_background);
        paintEntries(&p, m_legend->m_entries, ChartLegend::layout(m_legend->m_entries, m_legend->m_font, width()),
                     m_legend->m_font, m_legend->m_text);
    }
    void mousePressEvent(QMouseEvent *e) override
    {
        const QList<QRectF> rects = ChartLegend::layout(m_legend->m_entries, m_legend->m_font, width());
        for (qsizetype i = 0; i < rects.size(); ++i)
            if (rects[i].contains(e->position())) {
                emit m_legend->entryClicked(int(i));
                e->accept();
                return;
            }
        QWidget::mousePressEvent(e);
    }

private:
    ChartLegend *m_legend;
};

ChartLegend::ChartLegend(QWidget *parent) : QScrollArea(parent)
{
    setFrameShape(QFrame::NoFrame);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setWidgetResizable(false);
    m_canvas = new ChartLegendCanvas(this);
    m_canvas->setCursor(Qt::PointingHandCursor);
    setWidget(m_canvas);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    relayout();
}

void ChartLegend::setEntries(const QList<Entry> &entries)
{
    m_entries = entries;
    relayout();
}

void ChartLegend::setEntryVisible(int index, bool visible)
{
    if (index < 0 || index >= m_entries.size())
        return;
    m_entries[index].visible = visible;
    m_canvas->update();
}

void ChartLegend::setColors(const QColor &text, const QColor &background)
{
    m_text = text;
    m_background = background;
    QPalette pal = palette();
    pal.setColor(QPalette::Window, background);
    setPalette(pal);
    viewport()->setAutoFillBackground(true);
    viewport()->setPalette(pal);
    m_canvas->update();
}

void ChartLegend::setLegendFont(const QFont &font)
{
    m_font = font;
    relayout();
}

void ChartLegend::setMaxRows(int rows)
{
    m_maxRows = std::max(1, rows);
    relayout();
}

QList<QRectF> ChartLegend::layout(const QList<Entry> &entries, const QFont &font, double width)
{
    // Left to right, wrapping to a new row when the next entry does not fit;
    // an entry wider than the legend gets a row of its own.
    const QFontMetricsF fm(font);
    const double h = rowHeight(font);
    QList<QRectF> rects;
    double x = kPad, y = kPad;
    for (const Entry &e : entries) {
        const double w = kSwatch + kGap + std::ceil(fm.horizontalAdvance(e.name)) + 1;
        if (x > kPad && x + w > width - kPad) {
            x = kPad;
            y += h;
        }
        rects.append(QRectF(x, y, w, h));
        x += w + kSpacing;
    }
    return rects;
}

double ChartLegend::heightFor(const QList<Entry> &entries, const QFont &font, double width)
{
    if (entries.isEmpty())
        return 0;
    return layout(entries, font, width).last().bottom() + kPad;
}

void ChartLegend::paint(QPainter *painter, const QRectF &target) const
{
    painter->save();
    painter->translate(target.topLeft());
    paintEntries(painter, m_entries, layout(m_entries, m_font, target.width()), m_font, m_text);
    painter->restore();
}

int ChartLegend::rowCount() const
{
    const QList<QRectF> rects = layout(m_entries, m_font, viewport()->width());
    return rects.isEmpty() ? 0 : int(std::lround((rects.last().top() - kPad) / rowHeight(m_font))) + 1;
}

void ChartLegend::resizeEvent(QResizeEvent *event)
{
    QScrollArea::resizeEvent(event);
    relayout();
}

void ChartLegend::relayout()
{
    // The canvas as tall as all rows at the viewport's width; the legend as
    // tall as the canvas, up to maxRows rows (then it scrolls).
    const int w = std::max(1, viewport()->width());
    const int content = int(std::ceil(heightFor(m_entries, m_font, w)));
    m_canvas->resize(w, content);
    const int cap = int(std::ceil(m_maxRows * rowHeight(m_font) + 2 * kPad));
    const int h = std::min(content, cap);
    if (height() != h)
        setFixedHeight(h);
    setVisible(!m_entries.isEmpty());
    m_canvas->update();
}

} // namespace fb::charts
