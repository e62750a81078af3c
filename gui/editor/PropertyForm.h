// PropertyForm: the fields of the node selected on the canvas, with the
// validator's messages inline under the field they concern, and the sweep
// editor (a list of values per parameter, the number of trials and the
// estimated node-hours). Which fields a node has comes from
// RecipeDocument::editableFields(); enumerations (kind, workload, load
// model, target service) are combo boxes filled from the recipe schema
// (serviceKinds(), workloadKinds(), loadModels()). A committed field is one
// RecipeDocument::setField() command; text the field cannot take changes
// nothing and stays in the field, marked red, with the loader's message for
// it (the one `fbctl validate` prints) until it is corrected. A mouse wheel
// over a drop-down that does not have focus scrolls the form instead of
// changing the value. The sweep box belongs to the selected field of the
// current document: it is reloaded when either changes.
#pragma once

#include <QHash>
#include <QWidget>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QTreeWidget;

namespace fb::editor {

class RecipeDocument;

class PropertyForm : public QWidget
{
    Q_OBJECT
public:
    explicit PropertyForm(RecipeDocument *document, QWidget *parent = nullptr);

    void setNode(const QString &nodePath); // "services[0]", "clients[1]", "monitor" or empty
    QString node() const { return m_node; }
    // The editor widget of a field suffix ("name", "load.concurrency"): a QLineEdit or QComboBox.
    QWidget *fieldEditor(const QString &field) const { return m_editors.value(field); }
    QString fieldMessage(const QString &field) const;
    // The refused text of a field, shown marked until fixed; empty when none.
    QString refusedText(const QString &field) const;
    // Sweep editor: sets the list for `field` of the current node ("1, 2, 4"; empty removes).
    bool applySweep(const QString &field, const QString &values);
    QString summary() const; // "3 trials · ≈ 0.01 node-hours"
    QComboBox *sweepFieldBox() const { return m_sweepField; }
    QLineEdit *sweepValuesBox() const { return m_sweepValues; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Refused
    {
        QString text;    // what the user typed
        QString message; // why the recipe cannot take it
    };
    void rebuild();
    void refresh();
    void commit(const QString &field, const QString &text);
    QString fieldOf(const QString &diagnosticPath) const;

    RecipeDocument *m_document;
    QString m_node;
    QWidget *m_fields;
    QFormLayout *m_layout = nullptr;
    QLabel *m_title;
    QHash<QString, QWidget *> m_editors;
    QHash<QString, QLabel *> m_messages;
    QHash<QString, Refused> m_refused;  // full field path → the refused text, for this document
    QStringList m_containerPending;     // services switched to Apptainer that have no image yet
    QComboBox *m_sweepField;
    QLineEdit *m_sweepValues;
    QTreeWidget *m_sweepList;
    QLabel *m_summary;
};

} // namespace fb::editor
