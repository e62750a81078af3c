#include "ProfileDialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

namespace fb::gui {

namespace {

// "~/…" as OpenSSH and the SSH layer read it.
QString expandHome(const QString &path)
{
    if (path == QLatin1String("~") || path.startsWith(QLatin1String("~/")))
        return QDir::homePath() + path.mid(1);
    return path;
}

// A line edit with a "…" button that opens a file picker.
QWidget *withBrowse(QLineEdit *edit, const QString &title, QWidget *dialog)
{
    auto *row = new QWidget(dialog);
    auto *h = new QHBoxLayout(row);
    h->setContentsMargins(0, 0, 0, 0);
    h->addWidget(edit, 1);
    auto *browse = new QToolButton(row);
    browse->setObjectName(edit->objectName() + QStringLiteral("Browse"));
    browse->setText(QStringLiteral("…"));
    browse->setToolTip(title);
    h->addWidget(browse);
    QObject::connect(browse, &QToolButton::clicked, dialog, [edit, title, dialog] {
        // Non-modal picker opened with open(): the GUI thread does not wait in exec().
        auto *picker = new QFileDialog(dialog, title, QFileInfo(expandHome(edit->text())).absolutePath());
        picker->setAttribute(Qt::WA_DeleteOnClose);
        picker->setFileMode(QFileDialog::ExistingFile);
        picker->setFilter(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
        QObject::connect(picker, &QFileDialog::fileSelected, edit, &QLineEdit::setText);
        picker->open();
    });
    return row;
}

} // namespace

ProfileDialog::ProfileDialog(const ConnectionProfile &profile, const QStringList &takenNames, QWidget *parent)
    : QDialog(parent)
    , m_original(profile)
    , m_taken(takenNames)
{
    setObjectName(QStringLiteral("profileDialog"));
    setWindowTitle(profile.name.isEmpty() ? tr("New connection profile") : tr("Connection profile %1").arg(profile.name));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);

    m_name = addLine(QStringLiteral("name"), profile.name, tr("meluxina"));
    form->addRow(tr("&Name:"), m_name);
    m_host = addLine(QStringLiteral("host"), profile.host, tr("login.lxp.lu"));
    form->addRow(tr("&Host:"), m_host);
    m_port = addLine(QStringLiteral("port"), QString::number(profile.port), QStringLiteral("22"));
    form->addRow(tr("&Port:"), m_port);
    m_user = addLine(QStringLiteral("user"), profile.user, tr("your cluster login"));
    form->addRow(tr("&User:"), m_user);
    m_identity = addLine(QStringLiteral("identityFile"), profile.identityFile, tr("empty: ssh-agent and default keys"));
    form->addRow(tr("&Key file:"), withBrowse(m_identity, tr("Choose a private key"), this));
    m_identitiesOnly = new QCheckBox(tr("Use only this key (IdentitiesOnly)"), this);
    m_identitiesOnly->setObjectName(QStringLiteral("identitiesOnly"));
    m_identitiesOnly->setChecked(profile.identitiesOnly);
    m_useAgent = new QCheckBox(tr("Try ssh-agent keys first"), this);
    m_useAgent->setObjectName(QStringLiteral("useAgent"));
    m_useAgent->setChecked(profile.useAgent);
    form->addRow(QString(), m_identitiesOnly);
    form->addRow(QString(), m_useAgent);
    m_knownHosts = addLine(QStringLiteral("knownHostsFile"), profile.knownHostsFile, tr("empty: ~/.ssh/known_hosts"));
    form->addRow(tr("Known &hosts file:"), withBrowse(m_knownHosts, tr("Choose a known_hosts file"), this));
    if (!profile.proxyJump.isEmpty()) {
        // Recorded from ~/.ssh/config; the SSH layer does not follow jump hosts yet, so say so.
        m_proxyJump = addLine(QStringLiteral("proxyJump"), profile.proxyJump, {});
        m_proxyJump->setToolTip(tr("Recorded from ~/.ssh/config. FactoryBench connects directly to the host; "
                                   "jump hosts are not followed yet."));
        form->addRow(tr("&Jump host:"), m_proxyJump);
    }
    m_keepalive = new QSpinBox(this);
    m_keepalive->setObjectName(QStringLiteral("keepaliveSeconds"));
    m_keepalive->setRange(1, 300);
    m_keepalive->setSuffix(tr(" s"));
    m_keepalive->setValue(qBound(1, profile.keepaliveSeconds, 300));
    form->addRow(tr("Keep&alive:"), m_keepalive);
    m_workDir = addLine(QStringLiteral("remoteWorkDir"), profile.remoteWorkDir, QStringLiteral("$SCRATCH/factorybench"));
    form->addRow(tr("Remote &work directory:"), m_workDir);
    m_prelude = new QPlainTextEdit(profile.buildPrelude, this);
    m_prelude->setObjectName(QStringLiteral("buildPrelude"));
    m_prelude->setPlaceholderText(QStringLiteral("module load env/release/latest CMake GCC"));
    m_prelude->setTabChangesFocus(true);
    m_prelude->setFixedHeight(fontMetrics().lineSpacing() * 4 + 12);
    form->addRow(tr("&Build prelude:"), m_prelude);
    m_description = addLine(QStringLiteral("description"), profile.description, {});
    form->addRow(tr("&Description:"), m_description);
    layout->addLayout(form);

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("validationMessage"));
    m_message->setWordWrap(true);
    m_message->setStyleSheet(QStringLiteral("color: #b3261e;"));
    layout->addWidget(m_message);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ProfileDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_prelude, &QPlainTextEdit::textChanged, this, &ProfileDialog::revalidate);
    setMinimumWidth(560);
    revalidate();
}

QLineEdit *ProfileDialog::addLine(const QString &objectName, const QString &text, const QString &placeholder)
{
    auto *edit = new QLineEdit(text, this);
    edit->setObjectName(objectName);
    edit->setPlaceholderText(placeholder);
    connect(edit, &QLineEdit::textChanged, this, &ProfileDialog::revalidate);
    return edit;
}

ConnectionProfile ProfileDialog::profile() const
{
    ConnectionProfile p = m_original;
    p.name = m_name->text().trimmed();
    p.host = m_host->text().trimmed();
    p.port = m_port->text().trimmed().toInt();
    p.user = m_user->text().trimmed();
    p.identityFile = m_identity->text().trimmed();
    p.identitiesOnly = m_identitiesOnly->isChecked();
    p.useAgent = m_useAgent->isChecked();
    p.knownHostsFile = m_knownHosts->text().trimmed();
    if (m_proxyJump)
        p.proxyJump = m_proxyJump->text().trimmed();
    p.keepaliveSeconds = m_keepalive->value();
    p.remoteWorkDir = m_workDir->text().trimmed();
    p.buildPrelude = m_prelude->toPlainText();
    p.description = m_description->text().trimmed();
    return p;
}

QStringList ProfileDialog::validationErrors() const
{
    QStringList errors;
    const ConnectionProfile p = profile();
    if (p.name.isEmpty())
        errors << tr("Name: required");
    else if (!ProfileStore::isValidName(p.name))
        errors << tr("Name: use letters, digits, '.', '_' and '-' only");
    else if (p.name != m_original.name && m_taken.contains(p.name))
        errors << tr("Name: a profile named \"%1\" exists already").arg(p.name);
    if (p.host.isEmpty())
        errors << tr("Host: required");
    else if (p.host.contains(QLatin1Char(' ')))
        errors << tr("Host: must not contain spaces");
    bool portOk = false;
    const int port = m_port->text().trimmed().toInt(&portOk);
    if (!portOk || port < 1 || port > 65535)
        errors << tr("Port: must be a number from 1 to 65535 (\"%1\")").arg(m_port->text());
    if (p.user.isEmpty())
        errors << tr("User: required");
    if (!p.identityFile.isEmpty()) {
        const QFileInfo key(expandHome(p.identityFile));
        if (!key.exists())
            errors << tr("Key file: %1 does not exist").arg(key.filePath());
        else if (!key.isFile() || !key.isReadable())
            errors << tr("Key file: %1 is not a readable file").arg(key.filePath());
    }
    if (!p.knownHostsFile.isEmpty()) {
        // It may not exist yet (accepted keys create it), but its folder must.
        const QFileInfo kh(expandHome(p.knownHostsFile));
        if (kh.exists() && !kh.isFile())
            errors << tr("Known hosts file: %1 is not a file").arg(kh.filePath());
        else if (!kh.exists() && !kh.absoluteDir().exists())
            errors << tr("Known hosts file: folder %1 does not exist").arg(kh.absolutePath());
    }
    return errors;
}

QString ProfileDialog::validationMessage() const { return m_message->text(); }

void ProfileDialog::revalidate()
{
    const QStringList errors = validationErrors();
    m_message->setText(errors.value(0));
    m_message->setVisible(!errors.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(errors.isEmpty());
    // Mark the fields named by an error.
    const QList<QPair<QWidget *, QString>> fields{{m_name, tr("Name:")},       {m_host, tr("Host:")},
                                                  {m_port, tr("Port:")},       {m_user, tr("User:")},
                                                  {m_identity, tr("Key file:")}, {m_knownHosts, tr("Known hosts file:")}};
    for (const auto &[w, prefix] : fields) {
        bool bad = false;
        for (const QString &e : errors)
            bad = bad || e.startsWith(prefix);
        w->setStyleSheet(bad ? QStringLiteral("QLineEdit { border: 1px solid #b3261e; }") : QString());
        w->setToolTip(bad ? errors.filter(prefix).value(0) : QString());
    }
}

void ProfileDialog::accept()
{
    revalidate();
    if (!validationErrors().isEmpty())
        return;
    QDialog::accept();
}

} // namespace fb::gui
