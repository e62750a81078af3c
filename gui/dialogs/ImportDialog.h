// ImportDialog: the Host entries of an OpenSSH client config (default
// ~/.ssh/config) as a checklist. What OpenSSH settings could not be carried
// over is listed with file:line. Names that exist already start unchecked so
// an import never replaces a profile by accident.
#pragma once

#include "ssh/ConnectionProfile.h"

#include <QDialog>
#include <QStringList>

class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;

namespace fb::gui {

class ImportDialog : public QDialog
{
    Q_OBJECT
public:
    // path empty: ~/.ssh/config. `existing`: names of saved profiles.
    ImportDialog(const QString &path, const QStringList &existing, QWidget *parent = nullptr);

    void load(const QString &path);              // (re)reads a config file
    QList<ConnectionProfile> found() const { return m_found; }
    QList<ConnectionProfile> selected() const;   // the checked hosts
    bool setChecked(const QString &name, bool checked);

private:
    QStringList m_existing;
    QList<ConnectionProfile> m_found;
    QLineEdit *m_path = nullptr;
    QListWidget *m_hosts = nullptr;
    QLabel *m_summary = nullptr;
    QPlainTextEdit *m_notes = nullptr;
};

} // namespace fb::gui
