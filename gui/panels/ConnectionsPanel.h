// ConnectionsPanel: the saved connection profiles (one per cluster) and their
// live SSH connections. New/Edit/Duplicate/Delete/Import manage the
// ProfileStore; Connect opens an SshConnection (its libssh session lives on
// the connection's own worker thread, so nothing here waits on the network)
// and the State column follows it: Disconnected, Connecting…, Connected
// (round-trip latency), Failed: reason. Host-key, passphrase and one-time-code
// questions go through the prompter (GuiPrompter in the app). Other panels
// (Tunnels) use the live connection of a profile through connection().
#pragma once

#include "ssh/ConnectionProfile.h"
#include "ssh/SshConnection.h"

#include <QHash>
#include <QPointer>
#include <QWidget>

class QAction;
class QLabel;
class QTreeWidget;
class QTreeWidgetItem;

namespace fb {
class SshAuthPrompter;
}

namespace fb::gui {

class ProfileDialog;
class ImportDialog;

class ConnectionsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ConnectionsPanel(QWidget *parent = nullptr);
    ~ConnectionsPanel() override;

    // Asks host-key, passphrase and one-time-code questions. Not owned; set
    // before connecting (without one, unknown hosts are refused).
    void setPrompter(SshAuthPrompter *prompter) { m_prompter = prompter; }

    void reload();                           // re-reads the profile folder
    QStringList profileNames() const;
    QString currentProfile() const;
    bool selectProfile(const QString &name);
    ConnectionProfile profile(const QString &name) const;

    // The live connection of a profile, or null when it was never connected.
    SshConnection *connection(const QString &profile) const;
    SshConnection::State connectionState(const QString &profile) const;
    QString stateText(const QString &profile) const; // as shown in the State column
    int latencyMs(const QString &profile) const;     // -1 until measured

    // The dialogs open window-modal with open() and return at once; tests
    // fill them in. Accepting saves.
    ProfileDialog *newProfile();
    ProfileDialog *editProfile(const QString &name);
    ProfileDialog *duplicateProfile(const QString &name);
    ImportDialog *importFromSshConfig(const QString &path = {});
    // Removes the profile after a confirmation (skipped when confirm is false).
    void deleteProfile(const QString &name, bool confirm = true);

public slots:
    void connectProfile(const QString &name);
    void disconnectProfile(const QString &name);

signals:
    void currentProfileChanged(const QString &name);
    void connectionStateChanged(const QString &profile, fb::SshConnection::State state);
    void profilesChanged();

private:
    ProfileDialog *openDialog(const ConnectionProfile &p, const QString &replaces);
    void showDetails();
    void updateRow(const QString &name);
    void updateActions();
    void measureLatency(const QString &name);
    QTreeWidgetItem *itemFor(const QString &name) const;

    QTreeWidget *m_list = nullptr;
    QLabel *m_details = nullptr;
    QAction *m_new = nullptr;
    QAction *m_edit = nullptr;
    QAction *m_duplicate = nullptr;
    QAction *m_delete = nullptr;
    QAction *m_import = nullptr;
    QAction *m_connect = nullptr;
    QAction *m_disconnect = nullptr;
    QList<ConnectionProfile> m_profiles;
    SshAuthPrompter *m_prompter = nullptr;
    QHash<QString, QPointer<SshConnection>> m_connections;
    QHash<QString, int> m_latency;
};

} // namespace fb::gui
