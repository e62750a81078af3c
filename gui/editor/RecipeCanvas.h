// RecipeCanvas: the graph view of a RecipeDocument — one node per service,
// client and (when enabled) the monitor; edges client → service and
// monitor → each service. Templates dragged from the palette are dropped here
// (MIME type kNodeMimeType), and dragging from a client node onto a service
// node connects them. The canvas only asks the document for edits; it
// redraws itself from the document's changed() signal. Nodes are laid out
// automatically (clients left, services right) because a recipe stores no
// positions, so a drop position only matters when it lands on a node.
#pragma once

#include <QGraphicsView>
#include <QPointer>

class QGraphicsLineItem;
class QLabel;
class QMimeData;

namespace fb::editor {

class RecipeDocument;

// Payload of a palette drag: "service:<template>", "client" or "monitor".
inline constexpr char kNodeMimeType[] = "application/x-factorybench-recipe-node";

// The first local .yaml/.yml file among a drag's URLs, or empty. Shared by the
// canvas and the main window's FileDropHandler so both accept the same drops.
QString droppedRecipeFile(const QMimeData *mime);

class RecipeCanvas : public QGraphicsView
{
    Q_OBJECT
public:
    explicit RecipeCanvas(RecipeDocument *document, QWidget *parent = nullptr);
    ~RecipeCanvas() override;

    // What a drop does; `scenePos` picks the target when a client lands on a service.
    // Returns the node path of what was added ("services[2]"), or empty.
    QString dropPayload(const QString &payload, QPointF scenePos);
    QString selectedNode() const { return m_selected; }
    void selectNode(const QString &nodePath);
    int nodeCount() const;
    int edgeCount() const;
    // Scene centre of a node, for tests that drive drags with the mouse.
    QPointF nodeCenter(const QString &nodePath) const;
    // A notice over the graph (the YAML does not load: what the canvas shows
    // and where to fix it); empty hides it.
    void setMessage(const QString &text);
    QString message() const;

signals:
    void selectedNodeChanged(const QString &nodePath);
    void openFileRequested(const QString &path); // a .yaml file dropped from the desktop

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void rebuild();
    QString nodeAt(const QPoint &viewPos) const;
    void fitContents();

    RecipeDocument *m_document;
    QString m_selected;
    QString m_linkFrom;                 // client name while dragging a connection
    QGraphicsLineItem *m_linkLine = nullptr;
    bool m_rebuilding = false;
    QLabel *m_message = nullptr;
};

} // namespace fb::editor
