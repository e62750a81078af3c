// RecipeDocument: the one editable recipe behind the visual editor. It owns a
// fb::recipe::Recipe and a QUndoStack; the canvas, the property form and the
// YAML tab are views of it and never mutate the recipe themselves — every
// edit (dropped template, new client, connection, typed field, sweep list,
// pasted YAML, removal) is one QUndoCommand pushed here, so undo/redo works
// the same whichever view made the change (the shape of Tiled's Document).
//
// The document also keeps the file name, the dirty flag (the undo stack's
// clean state) and an autosave side file in <stateDir>/autosave/, written off
// the GUI thread a moment after each change so a crash loses nothing.
#pragma once

#include "Autosave.h"
#include "FormFields.h"
#include "common/ClusterTools.h"
#include "recipe/Diagnostic.h"
#include "recipe/Recipe.h"

#include <QObject>
#include <QVariant>

class QUndoStack;

namespace fb::recipe {
class Catalog;
}

namespace fb::editor {

class RecipeDocument : public QObject
{
    Q_OBJECT
public:
    // Templates come from `catalog`; nullptr: Catalog::standard().
    explicit RecipeDocument(const recipe::Catalog *catalog = nullptr, QObject *parent = nullptr);
    ~RecipeDocument() override;

    const recipe::Recipe &recipe() const { return m_recipe; }
    const recipe::Catalog &catalog() const { return *m_catalog; }
    QUndoStack *undoStack() const { return m_undo; }

    // --- edits: each pushes exactly one undo command; false (and no command) when refused.
    // A service from a catalog template, named after it ("redis", "redis-2", …). Returns the name.
    QString addServiceFromTemplate(const QString &templateName);
    // An fbload client; targets `service` when given (workload guessed from its kind).
    QString addClient(const QString &service = {});
    // Points client `client` at service `service` (the canvas edge).
    bool connectClient(const QString &client, const QString &service);
    bool setMonitorEnabled(bool enabled);
    // A field by its recipe path, e.g. "services[0].name", "clients[1].load.concurrency",
    // "clients[0].duration" (seconds). Values are the form's text; see fieldValue().
    // Text the field cannot take changes nothing; *error gets the loader's message for it
    // (the one `fbctl validate` prints, see FormFields.h).
    // Form text is read and written through FormFields (FieldPath.h, the loader's own readers).
    bool setField(const QString &path, const QString &value, QString *error = nullptr);
    QString fieldValue(const QString &path) const;
    // What setField would say about `value` at `path`, without changing anything (empty: it fits).
    QString fieldError(const QString &path, const QString &value) const;
    static QStringList editableFields(const QString &nodePath); // field suffixes of "services[i]" / "clients[i]" / "monitor"
    // Sweep list for `path`; an empty list removes the axis. The field keeps the first value.
    bool setSweep(const QString &path, const QStringList &values);
    QStringList sweepValues(const QString &path) const;
    // Removes "services[i]" or "clients[i]" (clients of a removed service keep their now dangling target:
    // the validator says so, and the user decides).
    bool removeNode(const QString &nodePath);
    // Replaces the whole recipe with parsed YAML. On errors nothing changes and the
    // loader's diagnostics are returned (also in yamlDiagnostics()).
    bool setYaml(const QString &text);
    QString yaml() const;

    // Loader errors of the last setYaml() or load() that failed; empty after a good one.
    QList<recipe::Diagnostic> yamlDiagnostics() const { return m_yamlDiagnostics; }
    // The document's YAML does not load: a broken file opened for repair, or
    // text typed into the YAML tab. The recipe is then the last valid state
    // (empty for a broken file), brokenText() is the text, and save() writes
    // that text as it is, so a repair is never lost.
    bool hasBrokenText() const { return m_broken; }
    QString brokenText() const { return m_brokenText; }
    // RecipeValidator findings on the current recipe (recomputed on change).
    QList<recipe::Diagnostic> diagnostics() const { return m_diagnostics; }

    // Trials the sweep expands to (node-hours: PropertyForm::summary, from the jobs' requests).
    qint64 trialCount() const;

    // What the selected cluster offers (from its connection profile). The
    // validator warns about tools it lacks, and a template dropped while
    // Apptainer is known to be missing becomes a native service.
    void setClusterTools(const ClusterTools &tools);
    ClusterTools clusterTools() const { return m_tools; }

    // --- files
    // Replaces the document, clears undo. A file that is not a valid recipe
    // still opens for repair: the document takes its path and its text
    // (hasBrokenText()), the recipe is empty, and load() returns false with
    // the loader's diagnostics. Only an unreadable file leaves it unchanged.
    bool load(const QString &path, QString *error);
    // Marks clean. Lossless: edits the text the recipe was loaded from (or last
    // saved as, or typed in the YAML tab), so comments and layout survive; a new
    // recipe is written in the canonical layout. metadata.name follows the
    // file's base name unless the user chose one (see nameAfterFile()).
    bool save(const QString &path, QString *error);
    void newDocument();
    QString fileName() const { return m_fileName; }
    bool isDirty() const;
    QString autosavePath() const;
    // Waits for a pending autosave (tests, shutdown).
    void flushAutosave();

signals:
    void changed();                 // the recipe changed (any edit, undo, redo, load)
    void dirtyChanged(bool dirty);
    void fileNameChanged(const QString &fileName);
    void autosaved(const QString &path);
    void replaced();                // a new document (load, new): views drop per-document state

private:
    friend class RecipeCommand;
    void applyRecipe(const recipe::Recipe &r); // used by commands
    bool pushRecipe(const recipe::Recipe &after, const QString &text, int mergeId = -1, const QString &mergeKey = {});
    QString uniqueServiceName(const QString &base) const;
    void openBroken(const QString &path, const QString &text);
    bool saveBrokenText(const QString &path, QString *error);
    void clearBroken();
    void nameAfterFile(const QString &path);
    static QString readText(const QString &path);

    const recipe::Catalog *m_catalog;
    FormFields m_form;
    recipe::Recipe m_recipe;
    QUndoStack *m_undo;
    Autosave *m_autosave;
    QString m_fileName;
    QList<recipe::Diagnostic> m_diagnostics;
    QList<recipe::Diagnostic> m_yamlDiagnostics;
    QString m_baseText;             // the text m_recipe's lossless saves edit; empty: a new recipe
    bool m_broken = false;          // the YAML does not load
    QString m_brokenText;
    bool m_brokenModified = false;  // m_brokenText differs from the file
    ClusterTools m_tools;
};

} // namespace fb::editor
