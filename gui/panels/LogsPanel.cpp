#include "LogsPanel.h"

#include <QFontDatabase>
#include <QPlainTextEdit>
#include <QVBoxLayout>

namespace fb::gui {

LogsPanel::LogsPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    m_view = new QPlainTextEdit(this);
    m_view->setObjectName(QStringLiteral("logView"));
    m_view->setReadOnly(true);
    m_view->setMaximumBlockCount(20000);
    m_view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_view->setPlaceholderText(tr("Campaign events appear here while a run goes on; `fbctl logs RUN` shows the merged job logs."));
    layout->addWidget(m_view);
}

void LogsPanel::appendEvent(const fb::session::CampaignEvent &e)
{
    const QString colour = e.level == fb::session::CampaignEvent::Error ? QStringLiteral("#b00020")
        : e.level == fb::session::CampaignEvent::Warning               ? QStringLiteral("#b36b00")
                                                                        : QString();
    const QString text = e.toText().toHtmlEscaped();
    m_view->appendHtml(colour.isEmpty() ? QStringLiteral("<span>%1</span>").arg(text)
                                        : QStringLiteral("<span style=\"color:%1\">%2</span>").arg(colour, text));
}

QString LogsPanel::text() const
{
    return m_view->toPlainText();
}

} // namespace fb::gui
