#include "PropertyForm.h"

#include "RecipeDocument.h"
#include "common/Units.h"
#include "recipe/BatchScriptGenerator.h"
#include "recipe/JobRequest.h"
#include "recipe/Recipe.h"

#include <QAbstractSpinBox>
#include <QComboBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTextDocument>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace fb::editor {

using namespace fb::recipe;

namespace {

// Fields whose values can be swept (numbers and choices the trials vary).
bool sweepable(const QString &field)
{
    static const QStringList fields{QStringLiteral("threads"), QStringLiteral("load.concurrency"), QStringLiteral("load.rate"),
                                    QStringLiteral("duration"), QStringLiteral("requests"), QStringLiteral("instances"),
                                    QStringLiteral("nodes"), QStringLiteral("resources.nodes"), QStringLiteral("resources.cpus_per_task"),
                                    QStringLiteral("resources.gpus_per_node"), QStringLiteral("resources.memory")};
    return fields.contains(field);
}

QString label(const QString &field)
{
    QString l = field;
    l.replace(QLatin1Char('_'), QLatin1Char(' ')).replace(QLatin1Char('.'), QStringLiteral(" › "));
    l[0] = l[0].toUpper();
    return l;
}

} // namespace

PropertyForm::PropertyForm(RecipeDocument *document, QWidget *parent)
    : QWidget(parent), m_document(document), m_fields(new QWidget(this)), m_title(new QLabel(this)),
      m_sweepField(new QComboBox(this)), m_sweepValues(new QLineEdit(this)), m_sweepList(new QTreeWidget(this)),
      m_summary(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    QFont tf = m_title->font();
    tf.setPointSizeF(tf.pointSizeF() * 1.25);
    tf.setBold(true);
    m_title->setFont(tf);
    layout->addWidget(m_title);
    layout->addWidget(m_fields);

    auto *sweep = new QGroupBox(tr("Sweep"), this);
    auto *sl = new QVBoxLayout(sweep);
    auto *row = new QHBoxLayout;
    m_sweepValues->setPlaceholderText(tr("values, e.g. 1, 2, 4"));
    auto *apply = new QPushButton(tr("Set"), sweep);
    // The field on its own line: names like "clients[0].load.concurrency" do not fit beside the values.
    sl->addWidget(m_sweepField);
    row->addWidget(m_sweepValues, 1);
    row->addWidget(apply);
    sl->addLayout(row);
    m_sweepList->setHeaderLabels({tr("Parameter"), tr("Values")});
    m_sweepList->setRootIsDecorated(false);
    m_sweepList->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_sweepList->setMaximumHeight(140);
    sl->addWidget(m_sweepList);
    QFont sf = m_summary->font();
    sf.setBold(true);
    m_summary->setFont(sf);
    m_summary->setWordWrap(true);
    sl->addWidget(m_summary);
    layout->addWidget(sweep);
    layout->addStretch(1);

    auto doApply = [this] { applySweep(m_sweepField->currentText(), m_sweepValues->text()); };
    connect(apply, &QPushButton::clicked, this, doApply);
    connect(m_sweepValues, &QLineEdit::returnPressed, this, doApply);
    connect(m_sweepField, &QComboBox::currentTextChanged, this, [this](const QString &field) {
        m_sweepValues->setText(m_document->sweepValues(m_node + QLatin1Char('.') + field).join(QStringLiteral(", ")));
    });
    m_sweepField->setFocusPolicy(Qt::StrongFocus);
    m_sweepField->installEventFilter(this);
    connect(m_document, &RecipeDocument::changed, this, &PropertyForm::refresh);
    // Another document: its fields, refused texts and sweep box start afresh.
    connect(m_document, &RecipeDocument::replaced, this, [this] {
        m_refused.clear();
        m_containerPending.clear();
        m_sweepValues->clear();
        rebuild();
    });
    rebuild();
}

void PropertyForm::setNode(const QString &nodePath)
{
    if (nodePath == m_node) {
        refresh();
        return;
    }
    m_node = nodePath;
    rebuild();
}

void PropertyForm::rebuild()
{
    delete m_fields->layout();
    qDeleteAll(m_fields->findChildren<QWidget *>(Qt::FindDirectChildrenOnly));
    m_editors.clear();
    m_messages.clear();
    m_layout = new QFormLayout(m_fields);
    m_layout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_sweepField->blockSignals(true);
    m_sweepField->clear();

    const Recipe &r = m_document->recipe();
    for (const QString &field : RecipeDocument::editableFields(m_node)) {
        QWidget *editor = nullptr;
        QStringList choices;
        if (field == QLatin1String("kind"))
            choices = serviceKinds();
        else if (field == QLatin1String("workload"))
            choices = workloadKinds();
        else if (field == QLatin1String("load.model"))
            choices = loadModels();
        else if (field == QLatin1String("service"))
            for (const Service &s : r.services)
                choices << s.name;
        else if (field.endsWith(QLatin1String("enabled")) || field == QLatin1String("container.nv"))
            choices = {QStringLiteral("true"), QStringLiteral("false")};
        else if (field == QLatin1String("container"))
            choices = {QStringLiteral("none"), QStringLiteral("apptainer")};
        if (!choices.isEmpty() || field == QLatin1String("service")) {
            auto *combo = new QComboBox(m_fields);
            combo->addItems(choices);
            // Scrolling the form over a drop-down must not change it: only a focused one takes the wheel.
            combo->setFocusPolicy(Qt::StrongFocus);
            combo->installEventFilter(this);
            connect(combo, &QComboBox::activated, this, [this, field, combo] { commit(field, combo->currentText()); });
            editor = combo;
        } else {
            auto *line = new QLineEdit(m_fields);
            connect(line, &QLineEdit::editingFinished, this, [this, field, line] {
                if (line->isModified()) {
                    line->setModified(false);
                    commit(field, line->text());
                }
            });
            editor = line;
        }
        editor->setObjectName(field);
        auto *message = new QLabel(m_fields);
        message->setWordWrap(true);
        message->setTextFormat(Qt::RichText);
        message->hide();
        auto *box = new QWidget(m_fields);
        auto *bl = new QVBoxLayout(box);
        bl->setContentsMargins(0, 0, 0, 0);
        bl->setSpacing(2);
        bl->addWidget(editor);
        bl->addWidget(message);
        m_layout->addRow(label(field), box);
        m_editors.insert(field, editor);
        m_messages.insert(field, message);
        if (sweepable(field))
            m_sweepField->addItem(field);
    }
    m_sweepField->blockSignals(false);
    // The values box shows the sweep of the field now selected, of this node and document.
    m_sweepValues->setText(m_sweepField->count() > 0
                               ? m_document->sweepValues(m_node + QLatin1Char('.') + m_sweepField->currentText()).join(QStringLiteral(", "))
                               : QString());
    m_sweepField->setEnabled(m_sweepField->count() > 0);
    m_sweepValues->setEnabled(m_sweepField->count() > 0);
    if (m_node.isEmpty())
        m_layout->addRow(new QLabel(tr("Select a node on the canvas to edit it."), m_fields));
    // Rows added to a visible form are shown only later (queued), and hidden widgets take no
    // room: show them now so the scroll area sizes the form for all of its rows at once.
    for (QWidget *w : m_fields->findChildren<QWidget *>(Qt::FindDirectChildrenOnly))
        w->show();
    m_layout->activate();
    updateGeometry();
    refresh();
}

void PropertyForm::refresh()
{
    const Recipe &r = m_document->recipe();
    QString title = m_node;
    if (m_node.startsWith(QLatin1String("services[")))
        title = tr("Service %1").arg(m_document->fieldValue(m_node + QStringLiteral(".name")));
    else if (m_node.startsWith(QLatin1String("clients[")))
        title = tr("fbload client %1").arg(m_document->fieldValue(m_node + QStringLiteral(".name")));
    else if (m_node == QLatin1String("monitor"))
        title = tr("Monitor");
    else
        title = tr("Recipe %1").arg(r.metadata.name);
    m_title->setText(title);

    const auto diags = m_document->diagnostics();
    // A service's container fields apply only when it runs in a container.
    const bool inContainer = m_document->fieldValue(m_node + QStringLiteral(".container")) == QLatin1String("apptainer")
        || m_containerPending.contains(m_node);
    for (auto it = m_editors.cbegin(); it != m_editors.cend(); ++it) {
        const QString field = it.key();
        const QString path = m_node + QLatin1Char('.') + field;
        QString value = m_document->fieldValue(path);
        if (field == QLatin1String("container") && m_containerPending.contains(m_node))
            value = QStringLiteral("apptainer");
        if (field.startsWith(QLatin1String("container.")))
            it.value()->setEnabled(inContainer);
        const auto refused = m_refused.constFind(path);
        if (refused != m_refused.cend())
            value = refused->text; // the user's text stays until it is fixed
        if (auto *line = qobject_cast<QLineEdit *>(it.value())) {
            if (!line->hasFocus()) {
                line->setText(value);
                line->setCursorPosition(0); // show a long value's start ("${service_dir}/…"), not its end
            } else if (!line->isModified()) {
                line->setText(value);
            }
            const bool invalid = refused != m_refused.cend();
            line->setProperty("invalid", invalid);
            line->setStyleSheet(invalid ? QStringLiteral("QLineEdit { background: #fde2e0; color: #8e1c12; border: 1px solid #c0392b; }")
                                        : QString());
        } else if (auto *combo = qobject_cast<QComboBox *>(it.value())) {
            if (field == QLatin1String("service")) { // the target list follows the services
                QStringList names;
                for (const Service &s : r.services)
                    names << s.name;
                combo->clear();
                combo->addItems(names);
            }
            if (combo->findText(value) < 0 && !value.isEmpty())
                combo->addItem(value);
            combo->setCurrentIndex(combo->findText(value));
        }
        // The same messages as the loader/validator, for this field or anything below it.
        QStringList lines;
        auto add = [&lines](const QString &text, const char *color) {
            lines << QStringLiteral("<span style=\"color:%1\">%2</span>").arg(QLatin1String(color), text.toHtmlEscaped());
        };
        if (refused != m_refused.cend())
            add(refused->message, "#c0392b");
        for (const Diagnostic &d : diags) {
            if (fieldOf(d.path) == field)
                add(d.severity == Diagnostic::Warning ? tr("warning: %1").arg(d.message) : d.message,
                    d.severity == Diagnostic::Warning ? "#a86a00" : "#c0392b");
        }
        if (const QStringList swept = m_document->sweepValues(path); !swept.isEmpty())
            add(tr("swept over %1 (the field holds the first value)").arg(swept.join(QStringLiteral(", "))), "#2f6fd0");
        QLabel *message = m_messages.value(field);
        message->setText(lines.join(QStringLiteral("<br>")));
        message->setVisible(!lines.isEmpty());
    }

    m_sweepList->clear();
    for (const SweepAxis &a : r.sweep.axes)
        new QTreeWidgetItem(m_sweepList, {a.path, a.values.join(QStringLiteral(", "))});
    m_summary->setText(summary());
}

void PropertyForm::commit(const QString &field, const QString &text)
{
    const QString path = m_node + QLatin1Char('.') + field;
    if (field == QLatin1String("container")) // Apptainer with no image yet: the fields open for one
        m_containerPending.removeAll(m_node);
    QString why;
    if (text == m_document->fieldValue(path) || m_document->setField(path, text, &why)) {
        m_refused.remove(path);
        if (field == QLatin1String("container") && text == QLatin1String("apptainer")
            && m_document->fieldValue(path) != QLatin1String("apptainer"))
            m_containerPending << m_node;
    } else {
        m_refused.insert(path, Refused{text, why});
    }
    refresh();
}

// The field of this node a finding is shown under: the most specific one
// whose path is the finding's or above it ("container.nv", not "container").
QString PropertyForm::fieldOf(const QString &diagnosticPath) const
{
    QString best;
    for (auto it = m_editors.cbegin(); it != m_editors.cend(); ++it) {
        const QString path = m_node + QLatin1Char('.') + it.key();
        const bool covers = diagnosticPath == path || diagnosticPath.startsWith(path + QLatin1Char('.'))
            || diagnosticPath.startsWith(path + QLatin1Char('['));
        if (covers && it.key().size() > best.size())
            best = it.key();
    }
    return best;
}

QString PropertyForm::refusedText(const QString &field) const
{
    return m_refused.value(m_node + QLatin1Char('.') + field).text;
}

bool PropertyForm::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Wheel) {
        auto *w = qobject_cast<QWidget *>(watched);
        if (w && !w->hasFocus() && (qobject_cast<QComboBox *>(w) || qobject_cast<QAbstractSpinBox *>(w))) {
            event->ignore(); // not consumed by the widget: the scroll area behind it scrolls
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

QString PropertyForm::fieldMessage(const QString &field) const
{
    const QLabel *l = m_messages.value(field);
    if (!l || l->isHidden())
        return {};
    QTextDocument doc; // the plain text of the coloured lines
    doc.setHtml(l->text());
    return doc.toPlainText();
}

bool PropertyForm::applySweep(const QString &field, const QString &values)
{
    if (field.isEmpty() || m_node.isEmpty())
        return false;
    const QStringList list = values.split(QLatin1Char(','), Qt::SkipEmptyParts);
    const QString path = m_node + QLatin1Char('.') + field;
    const bool ok = list.isEmpty() ? m_document->setSweep(path, {}) || m_document->sweepValues(path).isEmpty()
                                   : m_document->setSweep(path, list) || m_document->sweepValues(path) == [&] {
                                         QStringList t;
                                         for (const QString &v : list) t << v.trimmed();
                                         return t;
                                     }();
    if (!ok)
    {
        // Say which value the field cannot take, in the loader's words.
        QString why;
        for (const QString &v : list)
            if (why.isEmpty())
                why = m_document->fieldError(path, v.trimmed());
        m_refused.insert(path, Refused{m_document->fieldValue(path), why.isEmpty() ? tr("cannot sweep %1 over \"%2\"").arg(field, values)
                                                                                  : tr("cannot sweep %1: %2").arg(field, why)});
    }
    else
        m_refused.remove(path);
    refresh();
    return ok;
}

QString PropertyForm::summary() const
{
    const qint64 trials = m_document->trialCount();
    if (trials < 0)
        return tr("The zip groups do not match: no trial count");
    // The one node-hours formula (recipe::nodeHours: nodes × time limit per
    // job), on the recipe's jobs as written; fbctl plan and the Session panel
    // sum it over every expanded trial and service group. With service reuse
    // and no swept service field the trials share one set of service jobs
    // (their time limit then covers the group: the plan has the exact sum).
    const recipe::Recipe &r = m_document->recipe();
    const bool sweptServices = std::any_of(r.sweep.axes.begin(), r.sweep.axes.end(), [](const recipe::SweepAxis &a) {
        return a.path.startsWith(QLatin1String("services[")) || a.path.startsWith(QLatin1String("cluster."));
    });
    const bool shared = r.sweep.reuseServices && !sweptServices && trials > 1;
    double hours = 0;
    for (const recipe::JobRequest &j : recipe::BatchScriptGenerator::requests(r))
        hours += (shared && j.role == QLatin1String("service") ? 1.0 : double(trials)) * j.nodeHours();
    return (trials == 1 ? tr("1 trial") : tr("%1 trials").arg(trials))
        + tr(" · ≈ %1 node-hours (from time limits)").arg(units::format(hours, units::Unit::None));
}

} // namespace fb::editor
