#include "RecipeEditor.h"

#include "PropertyForm.h"
#include "RecipeCanvas.h"
#include "RecipeDocument.h"
#include "recipe/Catalog.h"

#include <algorithm>

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPainter>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QTabWidget>
#include <QTextBlock>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

namespace fb::editor {

using namespace fb::recipe;

namespace {

constexpr int kPayloadRole = Qt::UserRole + 1;

// Palette items carry their payload in kNodeMimeType so the canvas can tell
// a template from a file or text dragged in from elsewhere.
class Palette : public QListWidget
{
public:
    using QListWidget::QListWidget;

protected:
    QStringList mimeTypes() const override { return {QLatin1String(kNodeMimeType)}; }
    QMimeData *mimeData(const QList<QListWidgetItem *> &items) const override
    {
        if (items.isEmpty())
            return nullptr;
        auto *mime = new QMimeData;
        mime->setData(QLatin1String(kNodeMimeType), items.first()->data(kPayloadRole).toString().toUtf8());
        return mime;
    }
};

QIcon dot(QColor color)
{
    QPixmap pm(28, 28);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setBrush(color);
    p.setPen(Qt::NoPen);
    p.drawRoundedRect(QRectF(4, 4, 20, 20), 5, 5);
    return QIcon(pm);
}

} // namespace

RecipeEditor::RecipeEditor(QWidget *parent, const Catalog *catalog)
    : QWidget(parent), m_document(new RecipeDocument(catalog, this)), m_toolBar(new QToolBar(this)),
      m_palette(new Palette(this)), m_canvas(new RecipeCanvas(m_document, this)), m_form(new PropertyForm(m_document, this)),
      m_tabs(new QTabWidget(this)), m_yaml(new QPlainTextEdit(this)), m_yamlStatus(new QLabel(this)),
      m_diagnostics(new QListWidget(this)), m_yamlTimer(new QTimer(this))
{
    QUndoStack *undo = m_document->undoStack();
    m_new = m_toolBar->addAction(QIcon::fromTheme(QStringLiteral("document-new")), tr("New"));
    m_open = m_toolBar->addAction(QIcon::fromTheme(QStringLiteral("document-open")), tr("Open…"));
    // Open's drop-down lists the recent files.
    auto *recent = new QMenu(this);
    m_open->setMenu(recent);
    if (auto *button = qobject_cast<QToolButton *>(m_toolBar->widgetForAction(m_open)))
        button->setPopupMode(QToolButton::MenuButtonPopup);
    attachRecentMenu(recent);
    m_save = m_toolBar->addAction(QIcon::fromTheme(QStringLiteral("document-save")), tr("Save"));
    m_saveAs = m_toolBar->addAction(QIcon::fromTheme(QStringLiteral("document-save-as")), tr("Save as…"));
    m_toolBar->addSeparator();
    // Own actions rather than QUndoStack::createUndoAction(): its text grows with the
    // command's ("Undo Sweep clients[0].load.concurrency over …") and stretches the toolbar.
    m_undo = new QAction(QIcon::fromTheme(QStringLiteral("edit-undo")), tr("Undo"), this);
    m_redo = new QAction(QIcon::fromTheme(QStringLiteral("edit-redo")), tr("Redo"), this);
    m_undo->setEnabled(false);
    m_redo->setEnabled(false);
    connect(m_undo, &QAction::triggered, undo, &QUndoStack::undo);
    connect(m_redo, &QAction::triggered, undo, &QUndoStack::redo);
    connect(undo, &QUndoStack::canUndoChanged, m_undo, &QAction::setEnabled);
    connect(undo, &QUndoStack::canRedoChanged, m_redo, &QAction::setEnabled);
    connect(undo, &QUndoStack::undoTextChanged, m_undo, [this](const QString &t) { m_undo->setToolTip(tr("Undo %1").arg(t)); });
    connect(undo, &QUndoStack::redoTextChanged, m_redo, [this](const QString &t) { m_redo->setToolTip(tr("Redo %1").arg(t)); });
    m_undo->setShortcut(QKeySequence::Undo);
    m_redo->setShortcut(QKeySequence::Redo);
    m_toolBar->addAction(m_undo);
    m_toolBar->addAction(m_redo);
    m_delete = m_toolBar->addAction(QIcon::fromTheme(QStringLiteral("edit-delete")), tr("Delete node"));
    m_new->setShortcut(QKeySequence::New);
    m_open->setShortcut(QKeySequence::Open);
    m_save->setShortcut(QKeySequence::Save);
    m_saveAs->setShortcut(QKeySequence::SaveAs);
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto *spacer = new QWidget(m_toolBar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    m_toolBar->addWidget(spacer);
    m_fileLabel = new QLabel(m_toolBar);
    m_fileLabel->setContentsMargins(0, 0, 12, 0);
    m_toolBar->addWidget(m_fileLabel);

    buildPalette();

    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_yaml->setFont(mono);
    m_yaml->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_yamlStatus->setWordWrap(true);
    auto *yamlPage = new QWidget(this);
    auto *yl = new QVBoxLayout(yamlPage);
    yl->setContentsMargins(0, 0, 0, 0);
    yl->addWidget(m_yaml, 1);
    yl->addWidget(m_yamlStatus);
    m_tabs->addTab(m_canvas, tr("Canvas"));
    m_tabs->addTab(yamlPage, tr("YAML"));

    auto *formScroll = new QScrollArea(this);
    formScroll->setWidget(m_form);
    formScroll->setWidgetResizable(true);
    formScroll->setMinimumWidth(340);
    formScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    auto *center = new QSplitter(Qt::Vertical, this);
    center->addWidget(m_tabs);
    center->addWidget(m_diagnostics);
    center->setStretchFactor(0, 5);
    center->setStretchFactor(1, 1);

    auto *split = m_split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_palette);
    split->addWidget(center);
    split->addWidget(formScroll);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setStretchFactor(2, 0);
    split->setSizes({220, 1000, 460});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_toolBar);
    layout->addWidget(split, 1);

    m_yamlTimer->setSingleShot(true);
    m_yamlTimer->setInterval(kYamlDebounceMs);
    connect(m_yaml, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_applyingYaml)
            m_yamlTimer->start();
    });
    connect(m_yamlTimer, &QTimer::timeout, this, &RecipeEditor::yamlEdited);
    connect(m_document, &RecipeDocument::changed, this, [this] {
        syncYamlFromDocument();
        showYamlErrors();
        showDiagnostics();
    });
    // A new document: nothing selected, so the form (and its sweep box) starts empty.
    connect(m_document, &RecipeDocument::replaced, this, [this] { m_canvas->selectNode({}); });
    connect(m_document, &RecipeDocument::dirtyChanged, this, &RecipeEditor::updateTitle);
    connect(m_document, &RecipeDocument::fileNameChanged, this, &RecipeEditor::updateTitle);
    connect(m_canvas, &RecipeCanvas::selectedNodeChanged, m_form, &PropertyForm::setNode);
    connect(m_canvas, &RecipeCanvas::selectedNodeChanged, this, [this](const QString &n) { m_delete->setEnabled(!n.isEmpty()); });
    // Direct: in the app, the window's FileDropHandler takes file drops first (and opens them after the drop).
    connect(m_canvas, &RecipeCanvas::openFileRequested, this, &RecipeEditor::requestOpen);
    connect(m_palette, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem *item) {
        m_canvas->dropPayload(item->data(kPayloadRole).toString(), {});
    });
    connect(m_delete, &QAction::triggered, this, [this] { m_document->removeNode(m_canvas->selectedNode()); });
    connect(m_new, &QAction::triggered, this, [this] {
        if (maybeSave())
            m_document->newDocument();
    });
    connect(m_open, &QAction::triggered, this, [this] {
        if (!maybeSave())
            return;
        const QString path = QFileDialog::getOpenFileName(this, tr("Open recipe"), QFileInfo(m_document->fileName()).absolutePath(),
                                                          tr("Recipes (*.yaml *.yml)"));
        if (!path.isEmpty())
            openFile(path);
    });
    connect(m_save, &QAction::triggered, this, [this] {
        if (m_document->fileName().isEmpty())
            m_saveAs->trigger();
        else
            saveFile(m_document->fileName());
    });
    connect(m_saveAs, &QAction::triggered, this, [this] {
        QString path = QFileDialog::getSaveFileName(this, tr("Save recipe as"), m_document->fileName(), tr("Recipes (*.yaml *.yml)"));
        // "my-postgres" is saved as my-postgres.yaml, so Open's filter shows it.
        if (!path.isEmpty() && QFileInfo(path).suffix().isEmpty())
            path += QStringLiteral(".yaml");
        if (!path.isEmpty())
            saveFile(path);
    });
    m_delete->setEnabled(false);
    syncYamlFromDocument();
    showDiagnostics();
    updateTitle();
}

RecipeEditor::~RecipeEditor()
{
    // The views hold the document by pointer and react to its signals: they go first.
    qDeleteAll(findChildren<QWidget *>(Qt::FindDirectChildrenOnly));
    m_document->flushAutosave();
}

void RecipeEditor::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_sized) { // first show: split the real width, so small windows and 200 % scale keep a usable canvas
        m_sized = true;
        const int w = width();
        // The palette as wide as its longest entry ("Prometheus monitor"), within its min/max width.
        const int palette = std::clamp(std::max(w * 13 / 100, m_palette->sizeHintForColumn(0) + 2 * m_palette->frameWidth() + 8),
                                       m_palette->minimumWidth(), m_palette->maximumWidth());
        const int form = w * 27 / 100;
        m_split->setSizes({palette, w - palette - form, form});
    }
}

void RecipeEditor::buildPalette()
{
    m_palette->setDragEnabled(true);
    m_palette->setDragDropMode(QAbstractItemView::DragOnly);
    m_palette->setIconSize(QSize(22, 22));
    m_palette->setSpacing(2);
    m_palette->setMinimumWidth(150);
    m_palette->setMaximumWidth(260);
    m_palette->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto add = [this](const QString &text, const QString &payload, const QString &tip, QColor color) {
        auto *item = new QListWidgetItem(dot(color), text, m_palette);
        item->setData(kPayloadRole, payload);
        item->setToolTip(tip);
    };
    auto header = [this](const QString &text) {
        auto *item = new QListWidgetItem(text, m_palette);
        QFont f = item->font();
        f.setBold(true);
        item->setFont(f);
        item->setFlags(Qt::NoItemFlags); // a heading: neither selectable nor draggable
        item->setForeground(m_palette->palette().color(QPalette::WindowText));
    };
    header(tr("Clients"));
    add(tr("fbload client"), QStringLiteral("client"), tr("The FactoryBench load generator; drop it on a service to connect it"),
        QColor(0x2e, 0x9d, 0x5b));
    header(tr("Monitor"));
    add(tr("Prometheus monitor"), QStringLiteral("monitor"), tr("Prometheus, node_exporter and optional GPU exporter"),
        QColor(0xe0, 0x8a, 0x1e));
    header(tr("Services"));
    for (const CatalogEntry &e : m_document->catalog().entries())
        add(e.name, QStringLiteral("service:") + e.name, e.description, QColor(0x2f, 0x6f, 0xd0));
    m_palette->setCurrentItem(nullptr);
}

void RecipeEditor::syncYamlFromDocument()
{
    if (m_applyingYaml)
        return; // the change came from the YAML tab: keep the user's text and cursor
    const QString text = m_document->hasBrokenText() ? m_document->brokenText() : m_document->yaml();
    if (m_yaml->toPlainText() == text)
        return;
    m_applyingYaml = true;
    m_yaml->setPlainText(text);
    m_applyingYaml = false;
    m_yamlTimer->stop();
}

void RecipeEditor::yamlEdited()
{
    m_applyingYaml = true;
    const bool ok = m_document->setYaml(m_yaml->toPlainText());
    m_applyingYaml = false;
    if (ok) {
        m_yamlStatus->setText(tr("YAML is valid; the canvas follows it."));
        m_yamlStatus->setStyleSheet(QStringLiteral("color: #2e7d32;"));
    }
    showYamlErrors();
    showDiagnostics();
}

void RecipeEditor::showYamlErrors()
{
    const QList<Diagnostic> errors = m_document->yamlDiagnostics();
    const bool broken = m_document->hasBrokenText();
    if (!errors.isEmpty()) {
        m_yamlStatus->setText(formatDiagnostics(errors));
        m_yamlStatus->setStyleSheet(QStringLiteral("color: #c0392b;"));
    } else if (!m_yamlStatus->text().startsWith(tr("YAML is valid"))) {
        m_yamlStatus->clear();
    }
    // Mark each line the loader complains about, and the character at its column.
    QList<QTextEdit::ExtraSelection> marks;
    for (const Diagnostic &d : errors) {
        const QTextBlock block = m_yaml->document()->findBlockByNumber(d.line - 1);
        if (d.line <= 0 || !block.isValid())
            continue;
        QTextEdit::ExtraSelection line;
        line.cursor = QTextCursor(block);
        line.format.setBackground(QColor(0xfd, 0xe2, 0xe0));
        line.format.setProperty(QTextFormat::FullWidthSelection, true);
        marks << line;
        QTextEdit::ExtraSelection at;
        at.cursor = QTextCursor(block);
        at.cursor.setPosition(block.position() + std::clamp(d.column - 1, 0, std::max(0, block.length() - 2)));
        at.cursor.movePosition(QTextCursor::NextCharacter, QTextCursor::KeepAnchor);
        at.format.setBackground(QColor(0xe7, 0x4c, 0x3c));
        at.format.setForeground(Qt::white);
        at.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        at.format.setUnderlineColor(QColor(0x8e, 0x1c, 0x12));
        at.format.setToolTip(d.toString());
        marks << at;
    }
    m_yaml->setExtraSelections(marks);
    // While the YAML does not load, the other views show the last valid recipe
    // (nothing, for a broken file) and take no edits: an edit there would
    // replace the text being repaired.
    m_palette->setEnabled(!broken);
    m_form->setEnabled(!broken);
    m_canvas->setEnabled(!broken);
    if (broken && !errors.isEmpty()) {
        const Diagnostic &first = errors.first();
        const QString where = first.line > 0 ? tr(" (first error at line %1, column %2)").arg(first.line).arg(first.column) : QString();
        const bool empty = m_document->recipe().services.isEmpty() && m_document->recipe().clients.isEmpty();
        m_canvas->setMessage(tr("The YAML does not load%1: fix it in the YAML tab. %2")
                                 .arg(where, empty ? tr("Nothing to show until it loads.") : tr("The canvas shows the last valid state.")));
    } else {
        m_canvas->setMessage({});
    }
}

void RecipeEditor::showDiagnostics()
{
    m_diagnostics->clear();
    QList<Diagnostic> all = m_document->yamlDiagnostics();
    // While the text does not load, the validator's findings are about the
    // recipe the canvas still shows, not the text: only the text's errors count.
    if (!m_document->hasBrokenText())
        all += m_document->diagnostics();
    for (const Diagnostic &d : all) {
        auto *item = new QListWidgetItem(d.toString(), m_diagnostics);
        item->setForeground(d.severity == Diagnostic::Error ? QColor(0xc0, 0x39, 0x2b) : QColor(0xa8, 0x6a, 0x00));
    }
    if (all.isEmpty())
        new QListWidgetItem(tr("No problems: the recipe is valid."), m_diagnostics);
}

void RecipeEditor::updateTitle()
{
    const QString name = m_document->fileName().isEmpty() ? tr("untitled.yaml") : QFileInfo(m_document->fileName()).fileName();
    const QString title = name + (m_document->isDirty() ? QStringLiteral("*") : QString());
    m_fileLabel->setText(m_document->isDirty() ? tr("%1 — modified").arg(name) : name);
    m_fileLabel->setToolTip(m_document->fileName());
    emit titleChanged(title);
}

bool RecipeEditor::openFile(const QString &path)
{
    QString error;
    const bool ok = m_document->load(path, &error);
    const bool opened = ok || (m_document->hasBrokenText() && m_document->fileName() == QFileInfo(path).absoluteFilePath());
    showYamlErrors();
    showDiagnostics();
    if (!opened)
        return false; // unreadable: the diagnostics list says why
    addRecent(path);
    if (!ok) { // open for repair: the text, with the cursor on the first error
        m_tabs->setCurrentIndex(m_tabs->indexOf(m_yaml->parentWidget()));
        const QList<Diagnostic> errors = m_document->yamlDiagnostics();
        if (!errors.isEmpty() && errors.first().line > 0) {
            const QTextBlock block = m_yaml->document()->findBlockByNumber(errors.first().line - 1);
            QTextCursor c(block);
            c.setPosition(block.position() + std::clamp(errors.first().column - 1, 0, std::max(0, block.length() - 1)));
            m_yaml->setTextCursor(c);
            m_yaml->centerCursor();
        }
    }
    emit fileOpened(m_document->fileName(), ok);
    return ok;
}

bool RecipeEditor::saveFile(const QString &path)
{
    QString error;
    if (!m_document->save(path, &error)) {
        QMessageBox::warning(this, tr("Save recipe"), tr("Could not save %1: %2").arg(path, error));
        return false;
    }
    addRecent(path);
    return true;
}

bool RecipeEditor::maybeSave()
{
    if (!m_document->isDirty())
        return true;
    const auto answer = QMessageBox::question(this, tr("Unsaved changes"), tr("The recipe has unsaved changes. Save them?"),
                                              QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Cancel)
        return false;
    if (answer == QMessageBox::Save) {
        m_save->trigger();
        return !m_document->isDirty();
    }
    return true;
}

bool RecipeEditor::requestOpen(const QString &path)
{
    return maybeSave() && openFile(path);
}

QStringList RecipeEditor::recentFiles() const
{
    QStringList list = QSettings().value(QStringLiteral("editor/recentFiles")).toStringList();
    // Pruned on read rather than on a timer: a file deleted or on an unmounted
    // share simply disappears from the menus, and the next addRecent() forgets it.
    list.removeIf([](const QString &path) { return !QFileInfo::exists(path); });
    return list.mid(0, kMaxRecent);
}

void RecipeEditor::clearRecentFiles()
{
    QSettings().remove(QStringLiteral("editor/recentFiles"));
}

void RecipeEditor::addRecent(const QString &path)
{
    QStringList list = recentFiles();
    const QString abs = QFileInfo(path).absoluteFilePath();
    list.removeAll(abs);
    list.prepend(abs);
    while (list.size() > kMaxRecent)
        list.removeLast();
    QSettings().setValue(QStringLiteral("editor/recentFiles"), list);
}

void RecipeEditor::attachRecentMenu(QMenu *menu)
{
    connect(menu, &QMenu::aboutToShow, this, [this, menu] { fillRecentMenu(menu); });
    fillRecentMenu(menu);
}

void RecipeEditor::fillRecentMenu(QMenu *menu)
{
    menu->clear();
    const QStringList files = recentFiles();
    for (int i = 0; i < files.size(); ++i) {
        const QString path = files[i];
        // "&1 local-redis.yaml" with the folder in the tooltip: full paths make a menu wider than the window.
        QAction *a = menu->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(QFileInfo(path).fileName().replace(QLatin1Char('&'), QLatin1String("&&"))), this,
                                     [this, path] { requestOpen(path); });
        a->setData(path);
        a->setToolTip(path);
        a->setStatusTip(path);
    }
    if (files.isEmpty())
        menu->addAction(tr("No recent files"))->setEnabled(false);
    menu->setToolTipsVisible(true);
    menu->addSeparator();
    QAction *clear = menu->addAction(tr("Clear recent"), this, &RecipeEditor::clearRecentFiles);
    clear->setObjectName(QStringLiteral("clearRecent"));
    clear->setEnabled(!files.isEmpty());
}

} // namespace fb::editor
