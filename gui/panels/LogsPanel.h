// LogsPanel: the campaign's events as they happen (time, trial, step,
// message), errors highlighted, bounded so hours of logs stay responsive.
#pragma once

#include "session/Campaign.h"

#include <QWidget>

class QPlainTextEdit;

namespace fb::gui {

class LogsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit LogsPanel(QWidget *parent = nullptr);
    void appendEvent(const fb::session::CampaignEvent &event);
    QString text() const;

private:
    QPlainTextEdit *m_view = nullptr;
};

} // namespace fb::gui
