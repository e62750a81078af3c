#include "FileDropHandler.h"

#include "RecipeCanvas.h"

#include <QApplication>
#include <QDropEvent>
#include <QWidget>

namespace fb::gui {

FileDropHandler::FileDropHandler(QWidget *window)
    : QObject(window), m_window(window)
{
    window->setAcceptDrops(true);
    // An application filter rather than one on the window alone: Qt delivers a
    // drag to the innermost widget that accepts drops, so text fields (the YAML
    // tab, the property form) would otherwise paste the file's path as text.
    qApp->installEventFilter(this);
}

FileDropHandler::~FileDropHandler()
{
    if (qApp)
        qApp->removeEventFilter(this);
}

bool FileDropHandler::inWindow(QObject *watched) const
{
    // Walk parents rather than QWidget::window(): a floating dock is its own
    // window but still part of this one.
    for (auto *w = qobject_cast<QWidget *>(watched); w; w = w->parentWidget())
        if (w == m_window)
            return true;
    return false;
}

bool FileDropHandler::eventFilter(QObject *watched, QEvent *event)
{
    const QEvent::Type type = event->type();
    if (type != QEvent::DragEnter && type != QEvent::DragMove && type != QEvent::Drop)
        return false;
    if (!m_window || !inWindow(watched))
        return false;
    auto *drop = static_cast<QDropEvent *>(event); // QDragEnterEvent and QDragMoveEvent derive from it
    const QString path = editor::droppedRecipeFile(drop->mimeData());
    if (path.isEmpty()) {
        if (watched == m_window) { // nothing inside took it: say no, so the cursor shows it
            drop->ignore();
            return true;
        }
        return false; // e.g. a palette template on its way to the canvas
    }
    // Copy: the file stays where it is. Some sources offer only Link or Move; take what they propose then.
    if (drop->possibleActions() & Qt::CopyAction) {
        drop->setDropAction(Qt::CopyAction);
        drop->accept();
    } else {
        drop->acceptProposedAction();
    }
    // Queued: the open may ask about unsaved changes in a modal dialog, and the
    // source application (a file manager) waits for the drop to finish first.
    if (type == QEvent::Drop)
        QMetaObject::invokeMethod(this, [this, path] { emit recipeDropped(path); }, Qt::QueuedConnection);
    return true;
}

} // namespace fb::gui
