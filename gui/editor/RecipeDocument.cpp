#include "RecipeDocument.h"

#include "recipe/Catalog.h"
#include "recipe/RecipeLoader.h"
#include "recipe/RecipeSaver.h"
#include "recipe/RecipeValidator.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSaveFile>
#include <QUndoCommand>
#include <QUndoStack>

#include <algorithm>

namespace fb::editor {

using namespace fb::recipe;

// Every edit is a whole-recipe snapshot pair: a Recipe is a small value with
// operator==, so storing before/after is simpler and safer than one inverse
// per edit kind, and undo restores exactly what was there.
class RecipeCommand : public QUndoCommand
{
public:
    RecipeCommand(RecipeDocument *doc, Recipe before, Recipe after, const QString &text, int id, QString key)
        : QUndoCommand(text), m_doc(doc), m_before(std::move(before)), m_after(std::move(after)), m_id(id), m_key(std::move(key))
    {
    }
    // Undo and redo leave text that does not load behind: the recipe's YAML replaces it.
    void undo() override { m_doc->clearBroken(); m_doc->applyRecipe(m_before); }
    void redo() override { m_doc->clearBroken(); m_doc->applyRecipe(m_after); }
    int id() const override { return m_id; }
    // Typing into one form field is one command, not one per keystroke.
    bool mergeWith(const QUndoCommand *other) override
    {
        const auto *o = static_cast<const RecipeCommand *>(other);
        if (o->m_key != m_key)
            return false;
        m_after = o->m_after;
        return true;
    }

private:
    RecipeDocument *m_doc;
    Recipe m_before;
    Recipe m_after;
    int m_id;
    QString m_key;
};

namespace {

QList<Diagnostic> validated(const Recipe &r, const ClusterTools &tools)
{
    RecipeValidator v;
    v.tools = tools;
    return v.validate(r);
}

QString workloadFor(const QString &kind)
{
    static const QHash<QString, QString> map{
        {QStringLiteral("redis"), QStringLiteral("redis")},     {QStringLiteral("postgres"), QStringLiteral("postgres")},
        {QStringLiteral("mysql"), QStringLiteral("mysql")},     {QStringLiteral("minio"), QStringLiteral("s3")},
        {QStringLiteral("ollama"), QStringLiteral("llm")},      {QStringLiteral("vllm"), QStringLiteral("llm")},
        {QStringLiteral("vllm-ray"), QStringLiteral("llm")},    {QStringLiteral("triton"), QStringLiteral("llm")},
        {QStringLiteral("chroma"), QStringLiteral("vector")},   {QStringLiteral("weaviate"), QStringLiteral("vector")}};
    return map.value(kind, QStringLiteral("http"));
}

// Renumbers (or drops, when `removed`) sweep paths below "<list>[index]".
void shiftSweepPaths(Sweep &sweep, const QString &list, int removed)
{
    static const QRegularExpression re(QStringLiteral("^(services|clients)\\[(\\d+)\\](.*)$"));
    auto remap = [&](const QString &path) -> std::optional<QString> {
        const auto m = re.match(path);
        if (!m.hasMatch() || m.captured(1) != list)
            return path;
        const int i = m.captured(2).toInt();
        if (i == removed)
            return std::nullopt;
        if (i < removed)
            return path;
        return QStringLiteral("%1[%2]%3").arg(list).arg(i - 1).arg(m.captured(3));
    };
    QList<SweepAxis> axes;
    for (SweepAxis a : sweep.axes) {
        if (const auto p = remap(a.path)) {
            a.path = *p;
            axes << a;
        }
    }
    sweep.axes = axes;
    QList<QStringList> zip;
    for (const QStringList &g : sweep.zip) {
        QStringList kept;
        for (const QString &p : g)
            if (const auto q = remap(p))
                kept << *q;
        if (kept.size() > 1)
            zip << kept;
    }
    sweep.zip = zip;
}

} // namespace

RecipeDocument::RecipeDocument(const Catalog *catalog, QObject *parent)
    : QObject(parent), m_catalog(catalog ? catalog : &Catalog::standard()), m_form(*m_catalog), m_undo(new QUndoStack(this)),
      m_autosave(new Autosave([this] { return m_fileName; }, [this] { return m_broken ? m_brokenText : yaml(); }, this))
{
    m_recipe.metadata.name = QStringLiteral("untitled");
    m_diagnostics = validated(m_recipe, m_tools);
    connect(m_undo, &QUndoStack::cleanChanged, this, [this](bool clean) { emit dirtyChanged(!clean || m_brokenModified); });
    connect(m_autosave, &Autosave::saved, this, &RecipeDocument::autosaved);
}

RecipeDocument::~RecipeDocument()
{
    delete m_autosave; // waits for a write in flight while the document is whole
}

void RecipeDocument::applyRecipe(const Recipe &r)
{
    m_recipe = r;
    m_diagnostics = validated(m_recipe, m_tools);
    emit changed();
    m_autosave->schedule();
}

bool RecipeDocument::pushRecipe(const Recipe &after, const QString &text, int mergeId, const QString &mergeKey)
{
    if (after == m_recipe)
        return false;
    m_yamlDiagnostics.clear();
    clearBroken();
    m_undo->push(new RecipeCommand(this, m_recipe, after, text, mergeId, mergeKey));
    return true;
}

QString RecipeDocument::uniqueServiceName(const QString &base) const
{
    auto taken = [this](const QString &n) {
        return std::any_of(m_recipe.services.begin(), m_recipe.services.end(), [&](const Service &s) { return s.name == n; })
            || std::any_of(m_recipe.clients.begin(), m_recipe.clients.end(), [&](const Client &c) { return c.name == n; });
    };
    if (!taken(base))
        return base;
    for (int i = 2;; ++i)
        if (const QString n = QStringLiteral("%1-%2").arg(base).arg(i); !taken(n))
            return n;
}

QString RecipeDocument::addServiceFromTemplate(const QString &templateName)
{
    if (!m_catalog->find(templateName))
        return {};
    // The loader resolves the template exactly as it would for a hand-written
    // `template:` line, so a dropped service equals a typed one.
    const QString name = uniqueServiceName(templateName);
    const QString text = QStringLiteral("version: 1\nservices:\n  - name: %1\n    template: %2\n").arg(name, templateName);
    const LoadResult loaded = RecipeLoader(m_catalog).loadText(text, QStringLiteral("template:%1").arg(templateName));
    if (!loaded.ok() || loaded.recipe.services.size() != 1) {
        qWarning("fbeditor: template %s: %s", qPrintable(templateName), qPrintable(formatDiagnostics(loaded.diagnostics)));
        return {};
    }
    Recipe r = m_recipe;
    r.services << loaded.recipe.services.first();
    // A cluster known to lack Apptainer runs the service natively (container: none).
    if (m_tools.lacksApptainer())
        r.services.last().container = Container{};
    return pushRecipe(r, tr("Add service %1").arg(name)) ? name : QString();
}

QString RecipeDocument::addClient(const QString &service)
{
    const Service *target = service.isEmpty() ? nullptr : m_recipe.findService(service);
    if (!service.isEmpty() && !target)
        return {};
    Client c;
    c.name = uniqueServiceName(QStringLiteral("load"));
    c.workload = target ? workloadFor(target->kind) : QStringLiteral("http");
    c.service = service;
    Recipe r = m_recipe;
    r.clients << c;
    return pushRecipe(r, tr("Add client %1").arg(c.name)) ? c.name : QString();
}

bool RecipeDocument::connectClient(const QString &client, const QString &service)
{
    const Service *target = m_recipe.findService(service);
    if (!target)
        return false;
    Recipe r = m_recipe;
    for (Client &c : r.clients) {
        if (c.name != client)
            continue;
        // A fresh client takes the workload that fits its new target.
        if (c.service.isEmpty() && c.workload == QLatin1String("http"))
            c.workload = workloadFor(target->kind);
        c.service = service;
        c.port.clear();
        return pushRecipe(r, tr("Connect %1 → %2").arg(client, service));
    }
    return false;
}

bool RecipeDocument::setMonitorEnabled(bool enabled)
{
    Recipe r = m_recipe;
    r.monitor.enabled = enabled;
    return pushRecipe(r, enabled ? tr("Add monitor") : tr("Remove monitor"));
}

QStringList RecipeDocument::editableFields(const QString &nodePath)
{
    return FormFields::editable(nodePath);
}

QString RecipeDocument::fieldValue(const QString &path) const
{
    return m_form.text(m_recipe, path);
}

QString RecipeDocument::fieldError(const QString &path, const QString &value) const
{
    Recipe probe = m_recipe;
    QString why;
    return m_form.setText(&probe, path, value, &why) ? QString() : why;
}

bool RecipeDocument::setField(const QString &path, const QString &value, QString *error)
{
    Recipe r = m_recipe;
    static const QRegularExpression serviceName(QStringLiteral("^services\\[(\\d+)\\]\\.name$"));
    const auto renamed = serviceName.match(path);
    const QString oldName = renamed.hasMatch() ? fieldValue(path) : QString();
    if (!m_form.setText(&r, path, value, error))
        return false;
    // Renaming a service keeps its clients pointed at it.
    if (renamed.hasMatch())
        for (Client &c : r.clients)
            if (c.service == oldName)
                c.service = r.services[renamed.captured(1).toInt()].name;
    // Choosing Apptainer for a native service brings back its template's image.
    static const QRegularExpression container(QStringLiteral("^services\\[(\\d+)\\]\\.container$"));
    if (const auto m = container.match(path); m.hasMatch() && value.trimmed() == QLatin1String("apptainer")) {
        Service &s = r.services[m.captured(1).toInt()];
        if (!s.container.isSet() && m_catalog->find(s.templateName)) {
            const LoadResult t = RecipeLoader(m_catalog).loadText(
                QStringLiteral("version: 1\nservices:\n  - name: x\n    template: %1\n").arg(s.templateName));
            if (t.ok() && t.recipe.services.size() == 1)
                s.container = t.recipe.services.first().container;
        }
    }
    // One id for all field edits; the key makes consecutive edits of the same field merge.
    pushRecipe(r, tr("Set %1").arg(path), 1, path);
    return true;
}

QStringList RecipeDocument::sweepValues(const QString &path) const
{
    for (const SweepAxis &a : m_recipe.sweep.axes)
        if (a.path == path)
            return a.values;
    return {};
}

bool RecipeDocument::setSweep(const QString &path, const QStringList &values)
{
    QStringList vals;
    for (const QString &v : values)
        if (!v.trimmed().isEmpty())
            vals << v.trimmed();
    Recipe r = m_recipe;
    auto it = std::find_if(r.sweep.axes.begin(), r.sweep.axes.end(), [&](const SweepAxis &a) { return a.path == path; });
    if (vals.isEmpty()) {
        if (it == r.sweep.axes.end())
            return false;
        r.sweep.axes.erase(it);
        return pushRecipe(r, tr("Remove sweep of %1").arg(path));
    }
    // The model holds the first value in the field itself (as the loader does);
    // each value is set as the sweep expander sets it, so one the field cannot take is refused.
    for (const QString &v : vals) {
        Recipe probe = r;
        if (!m_form.fields().write(&probe, path, FieldValue::scalar(v)))
            return false;
    }
    m_form.fields().write(&r, path, FieldValue::scalar(vals.first()));
    if (it == r.sweep.axes.end())
        r.sweep.axes << SweepAxis{path, vals};
    else
        std::find_if(r.sweep.axes.begin(), r.sweep.axes.end(), [&](const SweepAxis &a) { return a.path == path; })->values = vals;
    return pushRecipe(r, tr("Sweep %1 over %2").arg(path, vals.join(QStringLiteral(", "))));
}

bool RecipeDocument::removeNode(const QString &nodePath)
{
    if (nodePath == QLatin1String("monitor"))
        return setMonitorEnabled(false);
    static const QRegularExpression item(QStringLiteral("^(services|clients)\\[(\\d+)\\]$"));
    const auto m = item.match(nodePath);
    const int index = m.hasMatch() ? m.captured(2).toInt() : -1;
    Recipe r = m_recipe;
    QString name;
    if (m.captured(1) == QLatin1String("services") && index < r.services.size())
        name = r.services.takeAt(index).name;
    else if (m.captured(1) == QLatin1String("clients") && index < r.clients.size())
        name = r.clients.takeAt(index).name;
    else
        return false;
    shiftSweepPaths(r.sweep, m.captured(1), index);
    return pushRecipe(r, tr("Remove %1").arg(name));
}

bool RecipeDocument::setYaml(const QString &text)
{
    const LoadResult loaded = RecipeLoader(m_catalog).loadText(text, m_fileName.isEmpty() ? QStringLiteral("recipe.yaml") : QFileInfo(m_fileName).fileName());
    if (!loaded.ok()) {
        m_yamlDiagnostics = loaded.diagnostics;
        // Kept, so that save() and the autosave write what the user typed.
        const bool wasDirty = isDirty();
        if (!m_broken || m_brokenText != text) {
            m_broken = true;
            m_brokenText = text;
            m_brokenModified = true;
            m_autosave->schedule();
        }
        if (isDirty() != wasDirty)
            emit dirtyChanged(isDirty());
        return false;
    }
    pushRecipe(loaded.recipe, tr("Edit YAML")); // each parsed pause in typing (or paste) is one step
    m_baseText = text; // what the user typed (comments included) is what later saves edit
    m_yamlDiagnostics.clear();
    clearBroken();
    return true;
}

void RecipeDocument::clearBroken()
{
    if (!m_broken)
        return;
    const bool wasDirty = isDirty();
    m_broken = false;
    m_brokenText.clear();
    m_brokenModified = false;
    if (isDirty() != wasDirty)
        emit dirtyChanged(isDirty());
}

void RecipeDocument::setClusterTools(const ClusterTools &tools)
{
    if (tools == m_tools)
        return;
    m_tools = tools;
    m_diagnostics = validated(m_recipe, m_tools);
    emit changed();
}

QString RecipeDocument::yaml() const
{
    return RecipeSaver(m_catalog).toText(m_recipe, m_baseText);
}

qint64 RecipeDocument::trialCount() const
{
    return RecipeValidator::trialCount(m_recipe.sweep);
}

bool RecipeDocument::load(const QString &path, QString *error)
{
    const LoadResult loaded = RecipeLoader(m_catalog).loadFile(path);
    if (!loaded.ok()) {
        m_yamlDiagnostics = loaded.diagnostics;
        if (error)
            *error = formatDiagnostics(loaded.diagnostics);
        if (QFile f(path); f.open(QIODevice::ReadOnly))
            openBroken(path, QString::fromUtf8(f.readAll()));
        return false;
    }
    m_undo->clear();
    m_yamlDiagnostics.clear();
    clearBroken();
    m_fileName = QFileInfo(path).absoluteFilePath();
    m_baseText = readText(path);
    applyRecipe(loaded.recipe);
    m_undo->setClean();
    emit fileNameChanged(m_fileName);
    emit dirtyChanged(false);
    emit replaced();
    return true;
}

void RecipeDocument::openBroken(const QString &path, const QString &text)
{
    const QList<Diagnostic> diagnostics = m_yamlDiagnostics;
    m_undo->clear();
    m_fileName = QFileInfo(path).absoluteFilePath();
    m_baseText.clear(); // the canonical layout until the repaired text loads
    m_broken = true;
    m_brokenText = text;
    m_brokenModified = false;
    Recipe empty; // nothing valid to show yet: an empty canvas until the text loads
    empty.metadata.name = QFileInfo(path).completeBaseName();
    applyRecipe(empty);
    m_yamlDiagnostics = diagnostics;
    m_undo->setClean();
    emit fileNameChanged(m_fileName);
    emit dirtyChanged(false);
    emit replaced();
}

// A broken document saves its text as it is: the repair in progress, not a recipe.
bool RecipeDocument::saveBrokenText(const QString &path, QString *error)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(m_brokenText.toUtf8()) < 0 || !f.commit()) {
        if (error)
            *error = f.errorString();
        return false;
    }
    const QString abs = QFileInfo(path).absoluteFilePath();
    if (abs != m_fileName) {
        m_fileName = abs;
        emit fileNameChanged(m_fileName);
    }
    m_brokenModified = false;
    m_undo->setClean();
    emit dirtyChanged(isDirty());
    return true;
}

bool RecipeDocument::save(const QString &path, QString *error)
{
    if (m_broken)
        return saveBrokenText(path, error);
    nameAfterFile(path);
    QString fallback;
    if (!RecipeSaver(m_catalog).saveFile(m_recipe, path, error, m_baseText, &fallback))
        return false;
    if (!fallback.isEmpty())
        qWarning("fbeditor: %s: saved in the canonical layout, comments and formatting were not kept: %s",
                 qPrintable(path), qPrintable(fallback));
    m_baseText = readText(path); // the next save edits what is on disk now
    const QString abs = QFileInfo(path).absoluteFilePath();
    if (abs != m_fileName) {
        m_fileName = abs;
        emit fileNameChanged(m_fileName);
    }
    m_undo->setClean();
    return true;
}

// metadata.name follows the file (Save As "my-postgres.yaml" names the runs
// "my-postgres") unless the user chose a name: one that is empty, still
// "untitled" or the old file's base name was derived, not chosen.
void RecipeDocument::nameAfterFile(const QString &path)
{
    const QString base = QFileInfo(path).completeBaseName();
    const QString name = m_recipe.metadata.name;
    const bool derived = name.isEmpty() || name == QLatin1String("untitled")
        || (!m_fileName.isEmpty() && name == QFileInfo(m_fileName).completeBaseName());
    if (!derived || name == base || base.isEmpty())
        return;
    Recipe r = m_recipe;
    r.metadata.name = base;
    pushRecipe(r, tr("Name the recipe %1").arg(base));
}

QString RecipeDocument::readText(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

void RecipeDocument::newDocument()
{
    m_undo->clear();
    m_fileName.clear();
    m_baseText.clear();
    m_yamlDiagnostics.clear();
    clearBroken();
    Recipe r;
    r.metadata.name = QStringLiteral("untitled");
    applyRecipe(r);
    m_undo->setClean();
    emit fileNameChanged(m_fileName);
    emit dirtyChanged(false);
    emit replaced();
}

bool RecipeDocument::isDirty() const
{
    return !m_undo->isClean() || m_brokenModified;
}

QString RecipeDocument::autosavePath() const
{
    return m_autosave->path();
}

void RecipeDocument::flushAutosave()
{
    m_autosave->flush();
}

} // namespace fb::editor
