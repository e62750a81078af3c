#include "RecipeCanvas.h"

#include "RecipeDocument.h"
#include "recipe/Quantities.h"

#include <QDragEnterEvent>
#include <QGraphicsLineItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QLabel>
#include <QMimeData>
#include <QPainter>
#include <QStyleOptionGraphicsItem>
#include <QUrl>

#include <algorithm>
#include <cmath>

namespace fb::editor {

using namespace fb::recipe;

namespace {

constexpr qreal kNodeW = 260;
constexpr qreal kNodeH = 72;
constexpr int kPathRole = 0; // QGraphicsItem::data key holding the node path

// A rounded card: coloured stripe for the node type, title and a detail line.
class NodeItem : public QGraphicsItem
{
public:
    NodeItem(QString path, QString title, QString detail, QColor accent)
        : m_title(std::move(title)), m_detail(std::move(detail)), m_accent(accent)
    {
        setData(kPathRole, path);
        setFlag(ItemIsSelectable);
        setToolTip(m_title + QLatin1Char('\n') + m_detail);
    }
    QRectF boundingRect() const override { return {-2, -2, kNodeW + 4, kNodeH + 4}; }
    void paint(QPainter *p, const QStyleOptionGraphicsItem *, QWidget *) override
    {
        p->setRenderHint(QPainter::Antialiasing);
        const QRectF r(0, 0, kNodeW, kNodeH);
        p->setPen(QPen(isSelected() ? m_accent.darker(140) : QColor(0xc8, 0xcc, 0xd4), isSelected() ? 2.5 : 1));
        p->setBrush(Qt::white);
        p->drawRoundedRect(r, 8, 8);
        QPainterPath stripe;
        stripe.addRoundedRect(QRectF(0, 0, 10, kNodeH), 4, 4);
        p->fillPath(stripe, m_accent);
        QFont f = p->font();
        f.setPointSizeF(11);
        f.setBold(true);
        p->setFont(f);
        p->setPen(QColor(0x20, 0x24, 0x2c));
        p->drawText(QRectF(22, 8, kNodeW - 30, 26), Qt::AlignVCenter | Qt::AlignLeft,
                    p->fontMetrics().elidedText(m_title, Qt::ElideRight, int(kNodeW - 30)));
        f.setBold(false);
        f.setPointSizeF(9);
        p->setFont(f);
        p->setPen(QColor(0x5a, 0x60, 0x6c));
        p->drawText(QRectF(22, 36, kNodeW - 30, 26), Qt::AlignVCenter | Qt::AlignLeft,
                    p->fontMetrics().elidedText(m_detail, Qt::ElideRight, int(kNodeW - 30)));
    }

private:
    QString m_title;
    QString m_detail;
    QColor m_accent;
};

const QColor kServiceColor(0x2f, 0x6f, 0xd0);
const QColor kClientColor(0x2e, 0x9d, 0x5b);
const QColor kMonitorColor(0xe0, 0x8a, 0x1e);

QGraphicsItem *edge(QGraphicsScene *scene, QPointF from, QPointF to, QColor color, bool dashed)
{
    QPainterPath path(from);
    if (dashed) { // monitor: leaves downwards, enters the target's right edge
        path.cubicTo(from + QPointF(0, 60), to + QPointF(80, 0), to);
    } else {
        const qreal dx = std::max<qreal>(40, std::abs(to.x() - from.x()) / 2);
        path.cubicTo(from + QPointF(dx, 0), to - QPointF(dx, 0), to);
    }
    QPen pen(color, 2);
    if (dashed)
        pen.setStyle(Qt::DashLine);
    auto *line = scene->addPath(path, pen);
    // Arrow head at the target, along the curve's last direction.
    QTransform rot;
    rot.rotate(-path.angleAtPercent(1));
    QPolygonF head;
    head << to << to + rot.map(QPointF(-11, -5.5)) << to + rot.map(QPointF(-11, 5.5));
    auto *arrow = scene->addPolygon(head, QPen(color), QBrush(color));
    arrow->setParentItem(line);
    line->setZValue(-1);
    line->setData(kPathRole, QStringLiteral("edge"));
    return line;
}

} // namespace

RecipeCanvas::RecipeCanvas(RecipeDocument *document, QWidget *parent)
    : QGraphicsView(parent), m_document(document)
{
    setScene(new QGraphicsScene(this));
    setAcceptDrops(true);
    setRenderHint(QPainter::Antialiasing);
    setBackgroundBrush(QColor(0xf4, 0xf6, 0xf9));
    setAlignment(Qt::AlignLeft | Qt::AlignTop);
    setDragMode(QGraphicsView::NoDrag);
    connect(m_document, &RecipeDocument::changed, this, &RecipeCanvas::rebuild);
    m_message = new QLabel(viewport());
    m_message->setObjectName(QStringLiteral("canvasMessage"));
    m_message->setWordWrap(true);
    m_message->setStyleSheet(QStringLiteral("QLabel { background: #fde2e0; color: #8e1c12; border: 1px solid #c0392b;"
                                            " border-radius: 4px; padding: 8px; }"));
    m_message->hide();
    connect(scene(), &QGraphicsScene::selectionChanged, this, [this] {
        if (m_rebuilding)
            return;
        const auto items = scene()->selectedItems();
        const QString path = items.isEmpty() ? QString() : items.first()->data(kPathRole).toString();
        if (path != m_selected) {
            m_selected = path;
            emit selectedNodeChanged(m_selected);
        }
    });
    rebuild();
}

RecipeCanvas::~RecipeCanvas()
{
    // The scene dies with us and deselects its items on the way: no signals by then.
    scene()->blockSignals(true);
}

void RecipeCanvas::rebuild()
{
    m_rebuilding = true;
    m_linkLine = nullptr;
    scene()->clear();
    const Recipe &r = m_document->recipe();
    const qreal clientX = 40;
    const qreal serviceX = 440;
    const qreal rowH = kNodeH + 36;
    const qreal top = r.monitor.enabled ? 40 + rowH : 40;

    QHash<QString, QPointF> serviceIn; // service name → left-edge midpoint
    QHash<QString, QGraphicsItem *> byPath;
    for (int i = 0; i < r.services.size(); ++i) {
        const Service &s = r.services[i];
        QStringList detail{s.kind.isEmpty() ? tr("no kind") : s.kind};
        if (!s.templateName.isEmpty() && s.templateName != s.kind)
            detail << tr("template %1").arg(s.templateName);
        for (const Port &p : s.ports)
            detail << QStringLiteral("%1:%2").arg(p.name).arg(p.number);
        detail << (s.container.isSet() ? tr("container") : tr("native"));
        const QString path = QStringLiteral("services[%1]").arg(i);
        auto *item = new NodeItem(path, s.name, detail.join(QStringLiteral(" · ")), kServiceColor);
        item->setPos(serviceX, top + i * rowH);
        scene()->addItem(item);
        byPath.insert(path, item);
        serviceIn.insert(s.name, QPointF(serviceX, top + i * rowH + kNodeH / 2));
    }
    for (int i = 0; i < r.clients.size(); ++i) {
        const Client &c = r.clients[i];
        const QString path = QStringLiteral("clients[%1]").arg(i);
        QStringList detail{QStringLiteral("fbload %1").arg(c.workload)};
        const QStringList conc = m_document->sweepValues(path + QStringLiteral(".load.concurrency"));
        detail << (conc.isEmpty() ? tr("concurrency %1").arg(c.load.concurrency) : tr("concurrency %1").arg(conc.join(QLatin1Char('/'))));
        if (c.duration)
            detail << formatDuration(*c.duration);
        auto *item = new NodeItem(path, c.name, detail.join(QStringLiteral(" · ")), kClientColor);
        const QPointF pos(clientX, top + i * rowH);
        item->setPos(pos);
        scene()->addItem(item);
        byPath.insert(path, item);
        if (serviceIn.contains(c.service))
            edge(scene(), pos + QPointF(kNodeW, kNodeH / 2), serviceIn.value(c.service), kClientColor.darker(110), false);
    }
    if (r.monitor.enabled) {
        QStringList detail{QStringLiteral("prometheus :%1").arg(r.monitor.prometheus.port)};
        if (r.monitor.nodeExporter.enabled)
            detail << QStringLiteral("node_exporter");
        if (r.monitor.gpuExporter.enabled)
            detail << QStringLiteral("dcgm");
        detail << tr("every %1").arg(formatDuration(r.monitor.scrapeInterval));
        auto *item = new NodeItem(QStringLiteral("monitor"), tr("monitor"), detail.join(QStringLiteral(" · ")), kMonitorColor);
        const QPointF pos(serviceX + kNodeW + 140, 40);
        item->setPos(pos);
        scene()->addItem(item);
        byPath.insert(QStringLiteral("monitor"), item);
        // Monitor → target: it scrapes the nodes every service runs on.
        for (auto it = serviceIn.cbegin(); it != serviceIn.cend(); ++it) {
            const QPointF target = it.value() + QPointF(kNodeW, 0);
            edge(scene(), pos + QPointF(kNodeW / 2, kNodeH), target, kMonitorColor, true);
        }
    }
    if (byPath.isEmpty()) {
        auto *hint = scene()->addSimpleText(tr("Drag a service template or an fbload client from the palette here,\n"
                                               "then drag from a client to a service to connect them."));
        QFont f = font();
        f.setPointSizeF(12);
        hint->setFont(f);
        hint->setBrush(QColor(0x80, 0x86, 0x90));
        hint->setPos(40, 40);
    }
    if (QGraphicsItem *sel = byPath.value(m_selected))
        sel->setSelected(true);
    else if (!m_selected.isEmpty())
        m_selected.clear();
    m_rebuilding = false;
    fitContents();
    // The selection may have vanished (undo of an add): tell the form.
    emit selectedNodeChanged(m_selected);
}

void RecipeCanvas::fitContents()
{
    QRectF rect = scene()->itemsBoundingRect().adjusted(-40, -40, 40, 40);
    rect.setTopLeft(QPointF(0, 0));
    // Shrink (never enlarge, never below a third) so a small window still shows the whole graph.
    const QSizeF vp = viewport()->size();
    const qreal s = std::clamp(std::min(vp.width() / rect.width(), vp.height() / rect.height()), 0.35, 1.0);
    setTransform(QTransform::fromScale(s, s));
    scene()->setSceneRect(rect.united(QRectF(QPointF(0, 0), vp / s)));
}

void RecipeCanvas::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    fitContents();
    if (m_message->isVisibleTo(this))
        setMessage(m_message->text());
}

void RecipeCanvas::setMessage(const QString &text)
{
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
    if (text.isEmpty())
        return;
    const int w = std::max(120, viewport()->width() - 24);
    m_message->setFixedWidth(w);
    m_message->setFixedHeight(m_message->heightForWidth(w));
    m_message->move(12, 12);
}

QString RecipeCanvas::message() const
{
    return m_message->isVisibleTo(this) ? m_message->text() : QString();
}

void RecipeCanvas::selectNode(const QString &nodePath)
{
    for (QGraphicsItem *item : scene()->items())
        item->setSelected(!nodePath.isEmpty() && item->data(kPathRole).toString() == nodePath);
}

int RecipeCanvas::nodeCount() const
{
    int n = 0;
    for (QGraphicsItem *item : scene()->items())
        if (item->flags() & QGraphicsItem::ItemIsSelectable)
            ++n;
    return n;
}

int RecipeCanvas::edgeCount() const
{
    int n = 0;
    for (QGraphicsItem *item : scene()->items())
        if (item->data(kPathRole).toString() == QLatin1String("edge"))
            ++n;
    return n;
}

QPointF RecipeCanvas::nodeCenter(const QString &nodePath) const
{
    for (QGraphicsItem *item : scene()->items())
        if (item->data(kPathRole).toString() == nodePath)
            return item->pos() + QPointF(kNodeW / 2, kNodeH / 2);
    return {};
}

QString RecipeCanvas::nodeAt(const QPoint &viewPos) const
{
    for (QGraphicsItem *item : items(viewPos))
        if (item->flags() & QGraphicsItem::ItemIsSelectable)
            return item->data(kPathRole).toString();
    return {};
}

QString droppedRecipeFile(const QMimeData *mime)
{
    if (!mime || !mime->hasUrls())
        return {};
    for (const QUrl &url : mime->urls()) {
        const QString path = url.toLocalFile(); // empty for http:// and other remote URLs
        if (path.endsWith(QLatin1String(".yaml"), Qt::CaseInsensitive) || path.endsWith(QLatin1String(".yml"), Qt::CaseInsensitive))
            return path;
    }
    return {};
}

QString RecipeCanvas::dropPayload(const QString &payload, QPointF scenePos)
{
    const Recipe &r = m_document->recipe();
    QString target; // a service under the drop point
    for (QGraphicsItem *item : scene()->items(scenePos))
        if (const QString p = item->data(kPathRole).toString(); p.startsWith(QLatin1String("services[")))
            target = p;
    QString added;
    if (payload.startsWith(QLatin1String("service:"))) {
        if (!m_document->addServiceFromTemplate(payload.mid(8)).isEmpty())
            added = QStringLiteral("services[%1]").arg(m_document->recipe().services.size() - 1);
    } else if (payload == QLatin1String("client")) {
        QString service;
        if (!target.isEmpty()) // dropped onto a service: connected at once
            service = r.services.value(target.mid(9).chopped(1).toInt()).name;
        if (!m_document->addClient(service).isEmpty())
            added = QStringLiteral("clients[%1]").arg(m_document->recipe().clients.size() - 1);
    } else if (payload == QLatin1String("monitor")) {
        if (r.monitor.enabled || m_document->setMonitorEnabled(true))
            added = QStringLiteral("monitor");
    }
    if (!added.isEmpty())
        selectNode(added);
    return added;
}

void RecipeCanvas::dragEnterEvent(QDragEnterEvent *event)
{
    const QMimeData *mime = event->mimeData();
    if (mime->hasFormat(QLatin1String(kNodeMimeType)) || !droppedRecipeFile(mime).isEmpty())
        event->acceptProposedAction();
    else
        event->ignore();
}

void RecipeCanvas::dragMoveEvent(QDragMoveEvent *event)
{
    event->acceptProposedAction();
}

void RecipeCanvas::dropEvent(QDropEvent *event)
{
    const QMimeData *mime = event->mimeData();
    if (mime->hasFormat(QLatin1String(kNodeMimeType))) {
        dropPayload(QString::fromUtf8(mime->data(QLatin1String(kNodeMimeType))), mapToScene(event->position().toPoint()));
        event->acceptProposedAction();
        return;
    }
    const QString file = droppedRecipeFile(mime);
    if (file.isEmpty()) {
        event->ignore();
        return;
    }
    emit openFileRequested(file);
    event->acceptProposedAction();
}

void RecipeCanvas::mousePressEvent(QMouseEvent *event)
{
    QGraphicsView::mousePressEvent(event); // selects
    const QString path = nodeAt(event->position().toPoint());
    if (event->button() == Qt::LeftButton && path.startsWith(QLatin1String("clients["))) {
        const int i = path.mid(8).chopped(1).toInt();
        m_linkFrom = m_document->recipe().clients.value(i).name;
        const QPointF start = nodeCenter(path) + QPointF(kNodeW / 2, 0);
        m_linkLine = scene()->addLine(QLineF(start, start), QPen(kClientColor, 2, Qt::DashLine));
    }
}

void RecipeCanvas::mouseMoveEvent(QMouseEvent *event)
{
    if (m_linkLine) {
        QLineF l = m_linkLine->line();
        l.setP2(mapToScene(event->position().toPoint()));
        m_linkLine->setLine(l);
        return;
    }
    QGraphicsView::mouseMoveEvent(event);
}

void RecipeCanvas::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_linkLine) {
        const QString target = nodeAt(event->position().toPoint());
        const QString client = m_linkFrom;
        delete m_linkLine;
        m_linkLine = nullptr;
        m_linkFrom.clear();
        if (target.startsWith(QLatin1String("services["))) {
            const int i = target.mid(9).chopped(1).toInt();
            m_document->connectClient(client, m_document->recipe().services.value(i).name);
        }
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

void RecipeCanvas::keyPressEvent(QKeyEvent *event)
{
    if ((event->key() == Qt::Key_Delete || event->key() == Qt::Key_Backspace) && !m_selected.isEmpty()) {
        m_document->removeNode(m_selected);
        return;
    }
    QGraphicsView::keyPressEvent(event);
}

} // namespace fb::editor
