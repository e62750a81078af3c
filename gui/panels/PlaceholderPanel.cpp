#include "PlaceholderPanel.h"

#include <QLabel>
#include <QVBoxLayout>

namespace fb::gui {

PlaceholderPanel::PlaceholderPanel(const QString &title, const QString &hint, QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->addStretch();
    auto *heading = new QLabel(title, this);
    QFont f = heading->font();
    f.setPointSizeF(f.pointSizeF() * 1.25);
    f.setBold(true);
    heading->setFont(f);
    heading->setAlignment(Qt::AlignCenter);
    auto *text = new QLabel(hint, this);
    text->setWordWrap(true);
    text->setAlignment(Qt::AlignCenter);
    text->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(heading);
    layout->addWidget(text);
    layout->addStretch();
    setMinimumSize(160, 80);
}

} // namespace fb::gui
