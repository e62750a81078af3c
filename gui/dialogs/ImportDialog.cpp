#include "ImportDialog.h"

#include "ssh/SshConfigImport.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace fb::gui {

ImportDialog::ImportDialog(const QString &path, const QStringList &existing, QWidget *parent)
    : QDialog(parent)
    , m_existing(existing)
{
    setObjectName(QStringLiteral("importDialog"));
    setWindowTitle(tr("Import from OpenSSH config"));
    auto *layout = new QVBoxLayout(this);
    auto *row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Config file:"), this));
    m_path = new QLineEdit(this);
    m_path->setObjectName(QStringLiteral("configPath"));
    row->addWidget(m_path, 1);
    auto *browse = new QPushButton(tr("Browse…"), this);
    row->addWidget(browse);
    auto *reread = new QPushButton(tr("Read"), this);
    reread->setObjectName(QStringLiteral("readConfig"));
    row->addWidget(reread);
    layout->addLayout(row);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("importSummary"));
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    m_hosts = new QListWidget(this);
    m_hosts->setObjectName(QStringLiteral("importHosts"));
    layout->addWidget(m_hosts, 1);
    m_notes = new QPlainTextEdit(this);
    m_notes->setObjectName(QStringLiteral("importNotes"));
    m_notes->setReadOnly(true);
    m_notes->setMaximumHeight(fontMetrics().lineSpacing() * 6 + 12);
    m_notes->setPlaceholderText(tr("Everything in the file was understood."));
    layout->addWidget(m_notes);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Import selected"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(reread, &QPushButton::clicked, this, [this] { load(m_path->text()); });
    connect(m_path, &QLineEdit::returnPressed, this, [this] { load(m_path->text()); });
    connect(browse, &QPushButton::clicked, this, [this] {
        auto *picker = new QFileDialog(this, tr("OpenSSH client config"), QDir::homePath() + QStringLiteral("/.ssh"));
        picker->setAttribute(Qt::WA_DeleteOnClose);
        picker->setFileMode(QFileDialog::ExistingFile);
        picker->setFilter(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
        connect(picker, &QFileDialog::fileSelected, this, [this](const QString &f) {
            m_path->setText(f);
            load(f);
        });
        picker->open();
    });
    resize(620, 480);
    load(path.isEmpty() ? QDir::homePath() + QStringLiteral("/.ssh/config") : path);
}

void ImportDialog::load(const QString &path)
{
    m_path->setText(path);
    // A config file is a few KiB on local disk: read here, like QSettings would.
    const SshConfigImport result = importSshConfig(path);
    m_found = result.profiles;
    m_hosts->clear();
    for (const ConnectionProfile &p : m_found) {
        const bool exists = m_existing.contains(p.name);
        QString text = QStringLiteral("%1    %2@%3:%4").arg(p.name, p.user.isEmpty() ? tr("(user?)") : p.user, p.host).arg(p.port);
        if (!p.proxyJump.isEmpty())
            text += tr("    via %1").arg(p.proxyJump);
        if (exists)
            text += tr("    (exists: replaces the saved profile)");
        auto *item = new QListWidgetItem(text, m_hosts);
        item->setData(Qt::UserRole, p.name);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(exists ? Qt::Unchecked : Qt::Checked);
    }
    if (!result.error.isEmpty())
        m_summary->setText(result.error);
    else if (m_found.isEmpty())
        m_summary->setText(tr("No concrete Host entries in %1.").arg(path));
    else
        m_summary->setText(tr("%n host(s) found in %1. Checked hosts become connection profiles.", nullptr,
                              int(m_found.size())).arg(path));
    m_notes->setPlainText(result.notes.join(QLatin1Char('\n')));
}

QList<ConnectionProfile> ImportDialog::selected() const
{
    QList<ConnectionProfile> out;
    for (int i = 0; i < m_hosts->count() && i < m_found.size(); ++i)
        if (m_hosts->item(i)->checkState() == Qt::Checked)
            out << m_found[i];
    return out;
}

bool ImportDialog::setChecked(const QString &name, bool checked)
{
    for (int i = 0; i < m_hosts->count(); ++i) {
        if (m_hosts->item(i)->data(Qt::UserRole).toString() == name) {
            m_hosts->item(i)->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
            return true;
        }
    }
    return false;
}

} // namespace fb::gui
