// ChartLegend: the legend under a time-series chart. Qt Charts' own legend
// lays its entries out in one row and elides what does not fit ("t…"), so a
// sweep of 12 trials became unreadable; this one wraps its entries into as
// many rows as they need (whole names, never elided) and scrolls past
// maxRows. Each entry shows its series' pen (colour and dash) and toggles the
// series when clicked; hidden series stay listed, dimmed.
//
// The same layout paints the legend into exported figures (paint()), so the
// screen and the figure show the same entries.
#pragma once

#include <QFont>
#include <QList>
#include <QPen>
#include <QScrollArea>

namespace fb::charts {

class ChartLegend : public QScrollArea
{
    Q_OBJECT
public:
    struct Entry
    {
        QString name;
        QPen pen;
        bool visible = true;
    };

    explicit ChartLegend(QWidget *parent = nullptr);

    void setEntries(const QList<Entry> &entries);
    const QList<Entry> &entries() const { return m_entries; }
    void setEntryVisible(int index, bool visible);
    void setColors(const QColor &text, const QColor &background);
    void setLegendFont(const QFont &font);
    void setMaxRows(int rows);

    // Where each entry goes when the legend is `width` wide, from (0, 0).
    static QList<QRectF> layout(const QList<Entry> &entries, const QFont &font, double width);
    static double heightFor(const QList<Entry> &entries, const QFont &font, double width);
    // All entries (no scrolling) laid out in `target`.
    void paint(QPainter *painter, const QRectF &target) const;
    int rowCount() const; // rows at the current width

signals:
    void entryClicked(int index);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    friend class ChartLegendCanvas;
    void relayout();

    QList<Entry> m_entries;
    QFont m_font;
    QColor m_text = Qt::black;
    QColor m_background = Qt::white;
    int m_maxRows = 3;
    QWidget *m_canvas = nullptr;
};

} // namespace fb::charts
