// FileDropHandler: lets a whole window take recipe files dropped from the
// desktop or a file manager. Drags carrying a local .yaml/.yml URL are
// accepted anywhere over the window — its docks, text fields, tables — and the
// drop emits recipeDropped(path); any other drag is left to the widget under
// the cursor (the canvas keeps its palette drops), and a window-level drag
// without a recipe file is refused. recipeDropped() comes from the event loop
// just after the drop, not inside it.
#pragma once

#include <QObject>
#include <QPointer>

class QWidget;

namespace fb::gui {

class FileDropHandler : public QObject
{
    Q_OBJECT
public:
    // Watches `window` and everything inside it, including its floating docks.
    explicit FileDropHandler(QWidget *window);
    ~FileDropHandler() override;

signals:
    void recipeDropped(const QString &path);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    bool inWindow(QObject *watched) const;

    QPointer<QWidget> m_window;
};

} // namespace fb::gui
