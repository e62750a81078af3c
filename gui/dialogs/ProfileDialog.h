// ProfileDialog: creates or edits one connection profile. Every field is
// validated as the user types; the first problem is shown under the form,
// naming the field ("Port: …"), the field is marked, and OK stays disabled
// until the profile is valid. The dialog never saves: the caller
// (ConnectionsPanel) does, so a rename or a duplicate is one decision there.
#pragma once

#include "ssh/ConnectionProfile.h"

#include <QDialog>
#include <QStringList>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace fb::gui {

class ProfileDialog : public QDialog
{
    Q_OBJECT
public:
    // `takenNames`: names of other saved profiles (a new name must not clash).
    ProfileDialog(const ConnectionProfile &profile, const QStringList &takenNames, QWidget *parent = nullptr);

    ConnectionProfile profile() const;      // the profile as currently typed
    QStringList validationErrors() const;   // "Field: message", in form order; empty when valid
    QString validationMessage() const;      // what the dialog shows (first error)

    void accept() override; // refuses while invalid

private:
    void revalidate();
    QLineEdit *addLine(const QString &objectName, const QString &text, const QString &placeholder);

    ConnectionProfile m_original;
    QStringList m_taken;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_host = nullptr;
    QLineEdit *m_port = nullptr;
    QLineEdit *m_user = nullptr;
    QLineEdit *m_identity = nullptr;
    QCheckBox *m_identitiesOnly = nullptr;
    QCheckBox *m_useAgent = nullptr;
    QLineEdit *m_knownHosts = nullptr;
    QLineEdit *m_proxyJump = nullptr; // only when the profile has one
    QSpinBox *m_keepalive = nullptr;
    QLineEdit *m_workDir = nullptr;
    QPlainTextEdit *m_prelude = nullptr;
    QLineEdit *m_description = nullptr;
    QLabel *m_message = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace fb::gui
