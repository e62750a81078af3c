// RecipeEditor: the visual recipe editor — palette of templates, canvas,
// property form with sweep editor, YAML tab and diagnostics — all views of
// one RecipeDocument. Embed it anywhere (the main window docks it); its
// actions (new, open, save, save as, undo, redo, delete) are exposed so a
// host can put them in its menus and toolbars.
//
// The YAML tab is kept in sync both ways: document changes rewrite it unless
// the user is typing there; typing parses the text after a short pause
// (kYamlDebounceMs) and, when it loads without errors, replaces the document
// as one undoable command. Errors show under the text and change nothing.
#pragma once

#include <QWidget>

class QAction;
class QLabel;
class QListWidget;
class QMenu;
class QPlainTextEdit;
class QSplitter;
class QTabWidget;
class QTimer;
class QToolBar;

namespace fb::recipe {
class Catalog;
}

namespace fb::editor {

class PropertyForm;
class RecipeCanvas;
class RecipeDocument;

class RecipeEditor : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kYamlDebounceMs = 400;

    explicit RecipeEditor(QWidget *parent = nullptr, const recipe::Catalog *catalog = nullptr);
    ~RecipeEditor() override;

    RecipeDocument *document() const { return m_document; }
    RecipeCanvas *canvas() const { return m_canvas; }
    PropertyForm *form() const { return m_form; }
    QPlainTextEdit *yamlEdit() const { return m_yaml; }
    QListWidget *palette() const { return m_palette; }
    QListWidget *diagnosticsList() const { return m_diagnostics; }
    QTabWidget *tabs() const { return m_tabs; }

    QAction *newAction() const { return m_new; }
    QAction *openAction() const { return m_open; }
    QAction *saveAction() const { return m_save; }
    QAction *saveAsAction() const { return m_saveAs; }
    QAction *undoAction() const { return m_undo; }
    QAction *redoAction() const { return m_redo; }
    QAction *deleteAction() const { return m_delete; }

    // Opens a recipe. A file that does not load opens for repair: its text in
    // the YAML tab (brought to the front) with the errors marked at their
    // line:column, an empty canvas with a notice, and the path kept so Save
    // writes the fixed text back. Returns true only for a valid recipe.
    bool openFile(const QString &path);
    // What a user's open does (drop, recent file): the unsaved-changes prompt
    // first, then openFile(). False when cancelled or the file does not load.
    bool requestOpen(const QString &path);
    bool saveFile(const QString &path);
    // Unsaved changes: asks save / discard / cancel. True when it is fine to go on.
    bool maybeSave();
    // Most recent first (QSettings "editor/recentFiles", at most kMaxRecent);
    // files that no longer exist are left out.
    QStringList recentFiles() const;
    void clearRecentFiles();
    // Keeps `menu` filled with the recent files and "Clear recent" (rebuilt
    // each time it is about to show). The toolbar's Open drop-down and the
    // main window's File > Open Recent both use it.
    void attachRecentMenu(QMenu *menu);
    static constexpr int kMaxRecent = 8;

signals:
    void titleChanged(const QString &title);     // "local-redis.yaml*"
    // A file was opened (valid or for repair): hosts bring the editor to the front.
    void fileOpened(const QString &path, bool valid);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void buildPalette();
    void syncYamlFromDocument();
    void yamlEdited();
    void showYamlErrors();   // marks the loader's errors in the YAML tab; the notice on the canvas
    void showDiagnostics();
    void updateTitle();
    void addRecent(const QString &path);
    void fillRecentMenu(QMenu *menu);

    RecipeDocument *m_document;
    QToolBar *m_toolBar;
    QListWidget *m_palette;
    RecipeCanvas *m_canvas;
    PropertyForm *m_form;
    QTabWidget *m_tabs;
    QPlainTextEdit *m_yaml;
    QLabel *m_yamlStatus;
    QLabel *m_fileLabel = nullptr;
    QListWidget *m_diagnostics;
    QTimer *m_yamlTimer;
    bool m_applyingYaml = false;
    QSplitter *m_split = nullptr;
    bool m_sized = false;
    QAction *m_new, *m_open, *m_save, *m_saveAs, *m_undo, *m_redo, *m_delete;
};

} // namespace fb::editor
