// PlaceholderPanel: what a panel shows before it has content — a title and a
// short hint of what will appear there. Panels replace it as they grow.
#pragma once

#include <QWidget>

namespace fb::gui {

class PlaceholderPanel : public QWidget
{
    Q_OBJECT
public:
    PlaceholderPanel(const QString &title, const QString &hint, QWidget *parent = nullptr);
};

} // namespace fb::gui
