// PropertyForm: the fields of the node selected on the canvas, with the
// validator's messages inline under the field they concern, and the sweep
// editor (a list of values per parameter, the number of trials and the
// estimated node-hours). Which fields a node has comes from
// RecipeDocument::editableFields(); enumerations (kind, workload, load
// model, target service) are combo boxes filled from the recipe schema
// (serviceKinds(), workloadKinds(), loadModels()). A committed field is one
// RecipeDocument::setField() command; text the field cannot take is refused
// with a message and changes nothing.
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
    // Sweep editor: sets the list for `field` of the current node ("1, 2, 4"; empty removes).
    bool applySweep(const QString &field, const QString &values);
    QString summary() const; // "3 trials · ≈ 0.01 node-hours"

private:
    void rebuild();
    void refresh();
    void commit(const QString &field, const QString &text);

    RecipeDocument *m_document;
    QString m_node;
    QWidget *m_fields;
    QFormLayout *m_layout = nullptr;
    QLabel *m_title;
    QHash<QString, QWidget *> m_editors;
    QHash<QString, QLabel *> m_messages;
    QHash<QString, QString> m_refused;   // field → why the last text was refused
    QComboBox *m_sweepField;
    QLineEdit *m_sweepValues;
    QTreeWidget *m_sweepList;
    QLabel *m_summary;
};

} // namespace fb::editor
