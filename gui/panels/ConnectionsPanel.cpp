#include "ConnectionsPanel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace fb::gui {

ConnectionsPanel::ConnectionsPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    m_list = new QTreeWidget(this);
    m_list->setObjectName(QStringLiteral("profileList"));
    m_list->setHeaderLabels({tr("Profile"), tr("Login"), tr("State")});
    m_list->setRootIsDecorated(false);
    m_list->setAlternatingRowColors(true);
    m_list->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_list->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_details = new QLabel(this);
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_details);
    connect(m_list, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        const int i = item ? m_list->indexOfTopLevelItem(item) : -1;
        if (i < 0 || i >= m_profiles.size()) {
            m_details->clear();
            emit currentProfileChanged(QString());
            return;
        }
        const ConnectionProfile &p = m_profiles[i];
        m_details->setText(tr("<b>%1</b><br>%2<br>Key: %3<br>Work directory: %4")
                               .arg(p.name.toHtmlEscaped(), p.description.toHtmlEscaped(),
                                    (p.identityFile.isEmpty() ? tr("default keys") : p.identityFile).toHtmlEscaped(),
                                    (p.remoteWorkDir.isEmpty() ? tr("home") : p.remoteWorkDir).toHtmlEscaped()));
        emit currentProfileChanged(p.name);
    });
    reload();
}

void ConnectionsPanel::reload()
{
    m_list->clear();
    m_profiles.clear();
    ProfileStore store;
    const QStringList names = store.names();
    for (const QString &n : names) {
        ConnectionProfile p;
        QString error;
        auto *item = new QTreeWidgetItem(m_list);
        if (store.load(n, &p, &error)) {
            item->setText(0, p.name);
            item->setText(1, QStringLiteral("%1@%2:%3").arg(p.user, p.host).arg(p.port));
            item->setText(2, tr("Saved"));
        } else {
            p.name = n;
            item->setText(0, n);
            item->setText(1, tr("unreadable"));
            item->setToolTip(1, error);
        }
        m_profiles << p;
    }
    if (names.isEmpty()) {
        m_details->setText(tr("No connection profiles yet. Run <tt>scripts/demo.sh</tt> for the local "
                              "mini-cluster, or <tt>fbctl profile import</tt>."));
    }
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
    for (int i = 0; i < m_profiles.size(); ++i) {
        if (m_profiles[i].name == name) {
            m_list->setCurrentItem(m_list->topLevelItem(i));
            return true;
        }
    }
    return false;
}

} // namespace fb::gui
