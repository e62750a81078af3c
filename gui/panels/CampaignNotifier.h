// CampaignNotifier: tells the user a campaign ended or failed while they were
// looking elsewhere — a desktop notification through the system tray when
// there is one that shows messages, else the taskbar alert (QApplication::
// alert) and a status bar message. The choice is a pure function so it can be
// tested without a tray (offscreen has none).
#pragma once

#include "session/Campaign.h"

#include <QObject>
#include <QPointer>

class QSystemTrayIcon;
class QWidget;

namespace fb::gui {

class CampaignNotifier : public QObject
{
    Q_OBJECT
public:
    enum class Channel { None, Tray, AlertAndStatusBar };
    struct Notice
    {
        Channel channel = Channel::None;
        QString title;
        QString body;
        bool failed = false;
    };

    explicit CampaignNotifier(QWidget *window, QObject *parent = nullptr);

    // "detached" (the app is closing) is not news; the rest is.
    static Channel choose(fb::session::RunState state, bool trayAvailable, bool trayShowsMessages);
    static Notice describe(const fb::session::CampaignResult &result);

    // Picks the channel from the real platform and delivers the notice.
    Notice notify(const fb::session::CampaignResult &result);

signals:
    void notified(const fb::gui::CampaignNotifier::Notice &notice);

private:
    QPointer<QWidget> m_window;
    QSystemTrayIcon *m_tray = nullptr; // created on first use
};

} // namespace fb::gui
