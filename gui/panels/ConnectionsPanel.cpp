#include "ConnectionsPanel.h"

#include "dialogs/ImportDialog.h"
#include "dialogs/ProfileDialog.h"

#include <QAction>
#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QToolBar>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace fb::gui {

namespace {
enum Column { NameColumn, LoginColumn, StateColumn };
}

ConnectionsPanel::ConnectionsPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    auto *bar = new QToolBar(this);
    bar->setObjectName(QStringLiteral("connectionsToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->setIconSize(QSize(16, 16));
    auto add = [&](const QString &objectName, const QString &text, const QString &tip) {
        QAction *a = bar->addAction(text);
        a->setObjectName(objectName);
        a->setToolTip(tip);
        return a;
    };
    m_connect = add(QStringLiteral("connectAction"), tr("Connect"), tr("Open the SSH connection of the selected profile"));
    m_disconnect = add(QStringLiteral("disconnectAction"), tr("Disconnect"), tr("Close the connection and its tunnels"));
    bar->addSeparator();
    m_new = add(QStringLiteral("newAction"), tr("New…"), tr("Create a connection profile"));
    m_edit = add(QStringLiteral("editAction"), tr("Edit…"), tr("Edit the selected profile"));
    m_duplicate = add(QStringLiteral("duplicateAction"), tr("Duplicate…"), tr("Copy the selected profile"));
    m_delete = add(QStringLiteral("deleteAction"), tr("Delete"), tr("Delete the selected profile"));
    bar->addSeparator();
    m_import = add(QStringLiteral("importAction"), tr("Import…"), tr("Import hosts from ~/.ssh/config"));
    layout->addWidget(bar);

    m_list = new QTreeWidget(this);
    m_list->setObjectName(QStringLiteral("profileList"));
    m_list->setHeaderLabels({tr("Profile"), tr("Login"), tr("State")});
    m_list->setRootIsDecorated(false);
    m_list->setAlternatingRowColors(true);
    m_list->header()->setStretchLastSection(true);
    m_details = new QLabel(this);
    m_details->setObjectName(QStringLiteral("profileDetails"));
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_details);

    connect(m_list, &QTreeWidget::currentItemChanged, this, [this] {
        showDetails();
        updateActions();
        emit currentProfileChanged(currentProfile());
    });
    connect(m_list, &QTreeWidget::itemDoubleClicked, this, [this] { m_connect->trigger(); });
    connect(m_connect, &QAction::triggered, this, [this] { connectProfile(currentProfile()); });
    connect(m_disconnect, &QAction::triggered, this, [this] { disconnectProfile(currentProfile()); });
    connect(m_new, &QAction::triggered, this, [this] { newProfile(); });
    connect(m_edit, &QAction::triggered, this, [this] { editProfile(currentProfile()); });
    connect(m_duplicate, &QAction::triggered, this, [this] { duplicateProfile(currentProfile()); });
    connect(m_delete, &QAction::triggered, this, [this] { deleteProfile(currentProfile()); });
    connect(m_import, &QAction::triggered, this, [this] { importFromSshConfig(); });
    reload();
}

ConnectionsPanel::~ConnectionsPanel()
{
    // Connections are children; their destructors close the sessions.
    for (const QPointer<SshConnection> &c : std::as_const(m_connections))
        if (c)
            c->disconnect(this);
}

void ConnectionsPanel::reload()
{
    const QString current = currentProfile();
    const QSignalBlocker block(m_list);
    m_list->clear();
    m_profiles.clear();
    ProfileStore store;
    const QStringList names = store.names();
    for (const QString &n : names) {
        ConnectionProfile p;
        QString error;
        auto *item = new QTreeWidgetItem(m_list);
        if (store.load(n, &p, &error)) {
            item->setText(NameColumn, p.name);
            item->setText(LoginColumn, QStringLiteral("%1@%2:%3").arg(p.user, p.host).arg(p.port));
        } else {
            p.name = n;
            item->setText(NameColumn, n);
            item->setText(LoginColumn, tr("unreadable"));
            item->setToolTip(LoginColumn, error);
        }
        m_profiles << p;
        updateRow(p.name);
    }
    // Fitted to the names and logins with some air (ResizeToContents leaves
    // none), but still resizable by the user.
    for (const int column : {int(NameColumn), int(LoginColumn)}) {
        m_list->resizeColumnToContents(column);
        m_list->setColumnWidth(column, m_list->columnWidth(column) + 16);
    }
    if (!current.isEmpty())
        selectProfile(current);
    showDetails();
    updateActions();
    emit profilesChanged();
}

QStringList ConnectionsPanel::profileNames() const
{
    QStringList n;
    for (const ConnectionProfile &p : m_profiles)
        n << p.name;
    return n;
}

QString ConnectionsPanel::currentProfile() const
{
    const int i = m_list->indexOfTopLevelItem(m_list->currentItem());
    return i >= 0 && i < m_profiles.size() ? m_profiles[i].name : QString();
}

bool ConnectionsPanel::selectProfile(const QString &name)
{
    if (QTreeWidgetItem *item = itemFor(name)) {
        m_list->setCurrentItem(item);
        return true;
    }
    return false;
}

ConnectionProfile ConnectionsPanel::profile(const QString &name) const
{
    for (const ConnectionProfile &p : m_profiles)
        if (p.name == name)
            return p;
    return {};
}

QTreeWidgetItem *ConnectionsPanel::itemFor(const QString &name) const
{
    for (int i = 0; i < m_profiles.size() && i < m_list->topLevelItemCount(); ++i)
        if (m_profiles[i].name == name)
            return m_list->topLevelItem(i);
    return nullptr;
}

SshConnection *ConnectionsPanel::connection(const QString &profile) const { return m_connections.value(profile); }

SshConnection::State ConnectionsPanel::connectionState(const QString &profile) const
{
    const SshConnection *c = connection(profile);
    return c ? c->state() : SshConnection::State::Disconnected;
}

int ConnectionsPanel::latencyMs(const QString &profile) const { return m_latency.value(profile, -1); }

QString ConnectionsPanel::stateText(const QString &profile) const
{
    const SshConnection *c = connection(profile);
    if (!c)
        return tr("Disconnected");
    switch (c->state()) {
    case SshConnection::State::Disconnected:
        return tr("Disconnected");
    case SshConnection::State::Connecting:
        return tr("Connecting…");
    case SshConnection::State::Authenticating:
        return tr("Authenticating…");
    case SshConnection::State::Ready: {
        const int ms = latencyMs(profile);
        return ms >= 0 ? tr("Connected (%1 ms)").arg(ms) : tr("Connected");
    }
    case SshConnection::State::Reconnecting:
        return tr("Reconnecting… (%1)").arg(c->errorString());
    case SshConnection::State::Failed:
        return tr("Failed: %1").arg(c->errorString());
    }
    return {};
}

void ConnectionsPanel::updateRow(const QString &name)
{
    QTreeWidgetItem *item = itemFor(name);
    if (!item)
        return;
    const QString text = stateText(name);
    item->setText(StateColumn, text);
    item->setToolTip(StateColumn, text);
    QColor colour;
    switch (connectionState(name)) {
    case SshConnection::State::Ready:
        colour = QColor(0x1b, 0x7f, 0x3b);
        break;
    case SshConnection::State::Failed:
        colour = QColor(0xb3, 0x26, 0x1e);
        break;
    case SshConnection::State::Disconnected:
        break;
    default:
        colour = QColor(0x9a, 0x67, 0x00);
        break;
    }
    item->setForeground(StateColumn, colour.isValid() ? QBrush(colour) : QBrush());
}

void ConnectionsPanel::updateActions()
{
    const QString name = currentProfile();
    const bool has = !name.isEmpty();
    const SshConnection::State s = connectionState(name);
    const bool live = s != SshConnection::State::Disconnected && s != SshConnection::State::Failed;
    m_connect->setEnabled(has && !live && !profile(name).host.isEmpty());
    m_disconnect->setEnabled(has && live);
    m_edit->setEnabled(has);
    m_duplicate->setEnabled(has);
    m_delete->setEnabled(has);
}

void ConnectionsPanel::showDetails()
{
    const QString name = currentProfile();
    if (m_profiles.isEmpty()) {
        m_details->setText(tr("No connection profiles yet. Use <b>New…</b> or <b>Import…</b> (from ~/.ssh/config), "
                              "or run <tt>scripts/demo.sh</tt> for the local mini-cluster."));
        return;
    }
    if (name.isEmpty()) {
        m_details->clear();
        return;
    }
    const ConnectionProfile p = profile(name);
    QString html = tr("<b>%1</b>").arg(p.name.toHtmlEscaped());
    if (!p.description.isEmpty())
        html += QStringLiteral("<br>") + p.description.toHtmlEscaped();
    html += tr("<br>Key: %1").arg((p.identityFile.isEmpty() ? tr("ssh-agent and default keys") : p.identityFile).toHtmlEscaped());
    html += tr("<br>Known hosts: %1").arg((p.knownHostsFile.isEmpty() ? QStringLiteral("~/.ssh/known_hosts") : p.knownHostsFile).toHtmlEscaped());
    if (!p.proxyJump.isEmpty())
        html += tr("<br>Jump host: %1 (not followed yet: connects directly)").arg(p.proxyJump.toHtmlEscaped());
    html += tr("<br>Work directory: %1").arg((p.remoteWorkDir.isEmpty() ? tr("home") : p.remoteWorkDir).toHtmlEscaped());
    m_details->setText(html);
}

ProfileDialog *ConnectionsPanel::openDialog(const ConnectionProfile &p, const QString &replaces)
{
    QStringList taken = profileNames();
    taken.removeAll(replaces);
    auto *dialog = new ProfileDialog(p, taken, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    connect(dialog, &QDialog::accepted, this, [this, dialog, replaces] {
        const ConnectionProfile edited = dialog->profile();
        ProfileStore store;
        QString error;
        if (!store.save(edited, &error)) {
            QMessageBox::warning(this, tr("Profile not saved"), error); // modal only on a disk error
            return;
        }
        if (!replaces.isEmpty() && replaces != edited.name) {
            // Renamed: the old name's connection (and its tunnels) goes with it.
            if (SshConnection *old = m_connections.take(replaces)) {
                old->disconnectFromHost();
                old->deleteLater();
            }
            if (!store.remove(replaces, &error))
                QMessageBox::warning(this, tr("Old profile not removed"), error);
        }
        reload();
        selectProfile(edited.name);
    });
    dialog->open();
    return dialog;
}

ProfileDialog *ConnectionsPanel::newProfile()
{
    ConnectionProfile p;
    return openDialog(p, {});
}

ProfileDialog *ConnectionsPanel::editProfile(const QString &name)
{
    if (name.isEmpty())
        return nullptr;
    return openDialog(profile(name), name);
}

ProfileDialog *ConnectionsPanel::duplicateProfile(const QString &name)
{
    if (name.isEmpty())
        return nullptr;
    ConnectionProfile copy = profile(name);
    const QStringList taken = profileNames();
    QString candidate = name + QStringLiteral("-copy");
    for (int i = 2; taken.contains(candidate); ++i)
        candidate = QStringLiteral("%1-copy%2").arg(name).arg(i);
    copy.name = candidate;
    return openDialog(copy, {});
}

void ConnectionsPanel::deleteProfile(const QString &name, bool confirm)
{
    if (name.isEmpty())
        return;
    auto remove = [this, name] {
        if (SshConnection *c = m_connections.take(name)) {
            c->disconnectFromHost();
            c->deleteLater();
        }
        ProfileStore store;
        QString error;
        if (!store.remove(name, &error))
            QMessageBox::warning(this, tr("Profile not deleted"), error);
        reload();
    };
    if (!confirm) {
        remove();
        return;
    }
    auto *box = new QMessageBox(QMessageBox::Question, tr("Delete profile"),
                                tr("Delete the connection profile \"%1\"? Keys and known_hosts are not touched.").arg(name),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("deleteConfirmation"));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::WindowModal);
    connect(box, &QMessageBox::finished, this, [remove](int result) {
        if (result == QMessageBox::Yes)
            remove();
    });
    box->open();
}

ImportDialog *ConnectionsPanel::importFromSshConfig(const QString &path)
{
    auto *dialog = new ImportDialog(path, profileNames(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        ProfileStore store;
        QStringList errors;
        QString last;
        for (const ConnectionProfile &p : dialog->selected()) {
            QString error;
            if (store.save(p, &error))
                last = p.name;
            else
                errors << QStringLiteral("%1: %2").arg(p.name, error);
        }
        reload();
        if (!last.isEmpty())
            selectProfile(last);
        if (!errors.isEmpty())
            QMessageBox::warning(this, tr("Some hosts were not imported"), errors.join(QLatin1Char('\n')));
    });
    dialog->open();
    return dialog;
}

void ConnectionsPanel::connectProfile(const QString &name)
{
    const ConnectionProfile p = profile(name);
    if (name.isEmpty() || p.host.isEmpty())
        return;
    SshConnection *c = m_connections.value(name);
    if (c && !(c->profile() == p)) {
        // The profile was edited since: its tunnels close with the old connection.
        m_connections.remove(name);
        c->deleteLater();
        c = nullptr;
    }
    if (!c) {
        c = new SshConnection(p, m_prompter, this);
        m_connections.insert(name, c);
        connect(c, &SshConnection::stateChanged, this, [this, name, c](SshConnection::State s) {
            if (m_connections.value(name) != c)
                return; // a replaced connection winding down
            if (s == SshConnection::State::Ready)
                measureLatency(name);
            else
                m_latency.remove(name);
            updateRow(name);
            updateActions();
            showDetails();
            emit connectionStateChanged(name, s);
        });
    }
    m_latency.remove(name);
    c->connectToHost();
    updateRow(name);
    updateActions();
}

void ConnectionsPanel::disconnectProfile(const QString &name)
{
    if (SshConnection *c = connection(name))
        c->disconnectFromHost(); // state follows through stateChanged
}

void ConnectionsPanel::measureLatency(const QString &name)
{
    SshConnection *c = connection(name);
    if (!c)
        return;
    // One command round trip (open a channel, exec, exit status) over the
    // shared session: what a user feels when the cluster answers.
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    QPointer<SshConnection> guard(c);
    c->run(QStringLiteral("true"), 10000).then(this, [this, name, timer, guard](const SshCommandResult &r) {
        if (!guard || m_connections.value(name) != guard || guard->state() != SshConnection::State::Ready)
            return;
        if (r.ok())
            m_latency.insert(name, int(timer->elapsed()));
        updateRow(name);
        emit connectionStateChanged(name, guard->state()); // the text changed
    });
}

} // namespace fb::gui
