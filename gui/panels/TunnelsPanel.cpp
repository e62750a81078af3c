#include "TunnelsPanel.h"

#include "ConnectionsPanel.h"

#include "ssh/SshConnection.h"

#include <QDesktopServices>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

namespace fb::gui {

TunnelsPanel::TunnelsPanel(ConnectionsPanel *connections, QWidget *parent)
    : QWidget(parent)
    , m_connections(connections)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    auto *row = new QHBoxLayout;
    m_open = new QPushButton(tr("Open tunnel…"), this);
    m_open->setObjectName(QStringLiteral("openTunnelButton"));
    m_close = new QPushButton(tr("Close"), this);
    m_close->setObjectName(QStringLiteral("closeTunnelButton"));
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("tunnelsStatus"));
    row->addWidget(m_open);
    row->addWidget(m_close);
    row->addSpacing(12);
    row->addWidget(m_status, 1);
    layout->addLayout(row);

    m_table = new QTableWidget(0, 7, this);
    m_table->setObjectName(QStringLiteral("tunnelTable"));
    m_table->setHorizontalHeaderLabels(
        {tr("Name"), tr("Remote"), tr("Local URL"), tr("Bytes in"), tr("Bytes out"), tr("Connections"), tr("State")});
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_table, 1);

    connect(m_open, &QPushButton::clicked, this, &TunnelsPanel::showOpenDialog);
    connect(m_close, &QPushButton::clicked, this, [this] { closeTunnel(m_table->currentRow()); });
    connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] { m_close->setEnabled(m_table->currentRow() >= 0); });
    connect(m_connections, &ConnectionsPanel::currentProfileChanged, this, &TunnelsPanel::updateStatus);
    connect(m_connections, &ConnectionsPanel::connectionStateChanged, this, [this] {
        updateStatus();
        refresh();
    });
    // Counters are polled, not pushed: a busy tunnel would otherwise repaint
    // the table on every chunk it forwards.
    m_timer = new QTimer(this);
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &TunnelsPanel::refresh);
    m_timer->start();
    m_close->setEnabled(false);
    updateStatus();
}

QString TunnelsPanel::stateName(SshTunnel::State s)
{
    switch (s) {
    case SshTunnel::State::Opening:
        return tr("Opening…");
    case SshTunnel::State::Listening:
        return tr("Listening");
    case SshTunnel::State::Suspended:
        return tr("Suspended (reconnecting)");
    case SshTunnel::State::Closed:
        return tr("Closed");
    case SshTunnel::State::Failed:
        return tr("Failed");
    }
    return {};
}

void TunnelsPanel::updateStatus()
{
    const QString profile = m_connections->currentProfile();
    const SshConnection *c = m_connections->connection(profile);
    const bool usable = c && c->state() != SshConnection::State::Disconnected && c->state() != SshConnection::State::Failed;
    m_open->setEnabled(usable);
    if (profile.isEmpty())
        m_status->setText(tr("Select a connection profile."));
    else if (!usable)
        m_status->setText(tr("Connect %1 to open tunnels.").arg(profile));
    else
        m_status->setText(tr("Through %1 — %2. Local ports listen on 127.0.0.1 only.")
                              .arg(profile, m_connections->stateText(profile)));
}

SshTunnel *TunnelsPanel::openTunnel(const QString &remoteHost, quint16 remotePort, quint16 localPort, const QString &name)
{
    const QString profile = m_connections->currentProfile();
    SshConnection *c = m_connections->connection(profile);
    if (!c || c->state() == SshConnection::State::Disconnected || c->state() == SshConnection::State::Failed) {
        m_status->setText(tr("Connect %1 first: tunnels go through its SSH connection.")
                              .arg(profile.isEmpty() ? tr("a profile") : profile));
        return nullptr;
    }
    SshTunnel *t = c->openTunnel(remoteHost, remotePort, localPort);
    Row r;
    r.name = name.isEmpty() ? QStringLiteral("%1:%2").arg(remoteHost).arg(remotePort) : name;
    r.profile = profile;
    r.tunnel = t;
    m_rows << r;
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    for (int col = 0; col < m_table->columnCount(); ++col)
        if (col != UrlColumn)
            m_table->setItem(row, col, new QTableWidgetItem);
    auto *link = new QLabel(m_table);
    link->setObjectName(QStringLiteral("tunnelUrl"));
    link->setContentsMargins(4, 0, 4, 0);
    link->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
    connect(link, &QLabel::linkActivated, this, [](const QString &url) { QDesktopServices::openUrl(QUrl(url)); });
    m_table->setCellWidget(row, UrlColumn, link);
    connect(t, &SshTunnel::stateChanged, this, [this, t](SshTunnel::State s, const QString &reason) {
        for (int i = 0; i < m_rows.size(); ++i) {
            if (m_rows[i].tunnel == t) {
                m_rows[i].lastState = s;
                m_rows[i].reason = reason;
                updateRow(i);
            }
        }
    });
    updateRow(row);
    return t;
}

void TunnelsPanel::closeTunnel(int row)
{
    if (row < 0 || row >= m_rows.size())
        return;
    SshTunnel *t = m_rows[row].tunnel;
    const bool open = t && t->state() != SshTunnel::State::Closed && t->state() != SshTunnel::State::Failed;
    if (open) {
        t->close(); // Closed arrives through stateChanged
        return;
    }
    if (t)
        t->deleteLater();
    m_rows.removeAt(row);
    m_table->removeRow(row);
}

int TunnelsPanel::tunnelCount() const { return int(m_rows.size()); }

SshTunnel *TunnelsPanel::tunnel(int row) const { return row >= 0 && row < m_rows.size() ? m_rows[row].tunnel.data() : nullptr; }

QString TunnelsPanel::cellText(int row, int column) const
{
    if (column == UrlColumn) {
        const auto *link = qobject_cast<QLabel *>(m_table->cellWidget(row, column));
        return link ? QUrl(link->property("url").toString()).toString() : QString();
    }
    const QTableWidgetItem *item = m_table->item(row, column);
    return item ? item->text() : QString();
}

QString TunnelsPanel::statusText() const { return m_status->text(); }

void TunnelsPanel::refresh()
{
    for (int i = 0; i < m_rows.size(); ++i)
        updateRow(i);
}

void TunnelsPanel::updateRow(int row)
{
    if (row < 0 || row >= m_rows.size() || row >= m_table->rowCount())
        return;
    Row &r = m_rows[row];
    const SshTunnel *t = r.tunnel;
    if (!t && r.lastState != SshTunnel::State::Failed) {
        r.lastState = SshTunnel::State::Closed; // its connection went away
        r.reason = tr("connection closed");
    }
    const QLocale locale;
    m_table->item(row, NameColumn)->setText(r.name);
    m_table->item(row, NameColumn)->setToolTip(tr("Profile %1").arg(r.profile));
    if (t) {
        m_table->item(row, RemoteColumn)->setText(QStringLiteral("%1:%2").arg(t->remoteHost()).arg(t->remotePort()));
        m_table->item(row, InColumn)->setText(locale.formattedDataSize(t->bytesFromRemote(), 1, QLocale::DataSizeTraditionalFormat));
        m_table->item(row, OutColumn)->setText(locale.formattedDataSize(t->bytesToRemote(), 1, QLocale::DataSizeTraditionalFormat));
        m_table->item(row, InColumn)->setData(Qt::UserRole, t->bytesFromRemote());
        m_table->item(row, OutColumn)->setData(Qt::UserRole, t->bytesToRemote());
        m_table->item(row, ConnectionsColumn)->setText(tr("%1 open, %2 total").arg(t->activeConnections()).arg(t->totalConnections()));
    }
    auto *link = qobject_cast<QLabel *>(m_table->cellWidget(row, UrlColumn));
    const bool listening = t && (r.lastState == SshTunnel::State::Listening || r.lastState == SshTunnel::State::Suspended)
                           && t->localPort() != 0;
    if (link) {
        const QString url = listening ? QStringLiteral("http://127.0.0.1:%1/").arg(t->localPort()) : QString();
        if (link->property("url").toString() != url) {
            link->setProperty("url", url);
            link->setText(url.isEmpty() ? QStringLiteral("—") : QStringLiteral("<a href=\"%1\">%1</a>").arg(url));
            link->setToolTip(url.isEmpty() ? QString() : tr("Open in the browser"));
        }
    }
    QString state = stateName(r.lastState);
    if (!r.reason.isEmpty() && (r.lastState == SshTunnel::State::Failed || r.lastState == SshTunnel::State::Suspended))
        state += QStringLiteral(": ") + r.reason;
    QTableWidgetItem *s = m_table->item(row, StateColumn);
    s->setText(state);
    s->setToolTip(r.reason);
    s->setForeground(r.lastState == SshTunnel::State::Failed      ? QBrush(QColor(0xb3, 0x26, 0x1e))
                     : r.lastState == SshTunnel::State::Listening ? QBrush(QColor(0x1b, 0x7f, 0x3b))
                                                                  : QBrush());
}

void TunnelsPanel::showOpenDialog()
{
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("openTunnelDialog"));
    dialog->setWindowTitle(tr("Open tunnel"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    auto *form = new QFormLayout(dialog);
    auto *name = new QLineEdit(dialog);
    name->setObjectName(QStringLiteral("tunnelName"));
    name->setPlaceholderText(tr("optional, e.g. Prometheus"));
    auto *host = new QLineEdit(QStringLiteral("localhost"), dialog);
    host->setObjectName(QStringLiteral("remoteHost"));
    host->setToolTip(tr("As the login node resolves it: a compute node's name, or localhost for the login node itself"));
    auto *port = new QSpinBox(dialog);
    port->setObjectName(QStringLiteral("remotePort"));
    port->setRange(1, 65535);
    port->setValue(9090);
    auto *local = new QSpinBox(dialog);
    local->setObjectName(QStringLiteral("localPort"));
    local->setRange(0, 65535);
    local->setSpecialValueText(tr("any free port"));
    form->addRow(tr("Name:"), name);
    form->addRow(tr("Remote host:"), host);
    form->addRow(tr("Remote port:"), port);
    form->addRow(tr("Local port (127.0.0.1):"), local);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Open"));
    form->addRow(buttons);
    connect(host, &QLineEdit::textChanged, dialog, [buttons](const QString &h) {
        buttons->button(QDialogButtonBox::Ok)->setEnabled(!h.trimmed().isEmpty() && !h.contains(QLatin1Char(' ')));
    });
    connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(dialog, &QDialog::accepted, this, [this, name, host, port, local] {
        openTunnel(host->text().trimmed(), quint16(port->value()), quint16(local->value()), name->text().trimmed());
    });
    dialog->open();
}

} // namespace fb::gui
