// ConnectionsPanel: the saved connection profiles (one per cluster) with
// their host, user and port. Owned by MainWindow; reads the ProfileStore.
#pragma once

#include "ssh/ConnectionProfile.h"

#include <QWidget>

class QTreeWidget;
class QLabel;

namespace fb::gui {

class ConnectionsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ConnectionsPanel(QWidget *parent = nullptr);

    void reload();                           // re-reads the profile folder
    QStringList profileNames() const;
    QString currentProfile() const;
    bool selectProfile(const QString &name);

signals:
    void currentProfileChanged(const QString &name);

private:
    QTreeWidget *m_list = nullptr;
    QLabel *m_details = nullptr;
    QList<ConnectionProfile> m_profiles;
};

} // namespace fb::gui
