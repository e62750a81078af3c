#include "CampaignPanel.h"

#include "CampaignNotifier.h"

#include "recipe/BatchScriptGenerator.h"
#include "recipe/RecipeLoader.h"
#include "recipe/SweepExpander.h"
#include "ssh/ConnectionProfile.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace fb::gui {

CampaignPanel::CampaignPanel(session::CampaignRunner *runner, QWidget *parent)
    : QWidget(parent)
    , m_runner(runner)
{
    m_notifier = new CampaignNotifier(this, this);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);

    auto *fileRow = new QHBoxLayout;
    m_path = new QLineEdit(this);
    m_path->setObjectName(QStringLiteral("recipePath"));
    m_path->setPlaceholderText(tr("Recipe file (.yaml)"));
    auto *open = new QPushButton(tr("Open…"), this);
    fileRow->addWidget(new QLabel(tr("Recipe:"), this));
    fileRow->addWidget(m_path, 1);
    fileRow->addWidget(open);
    layout->addLayout(fileRow);

    m_diagnostics = new QLabel(this);
    m_diagnostics->setObjectName(QStringLiteral("diagnostics"));
    m_diagnostics->setWordWrap(true);
    m_diagnostics->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_diagnostics);

    auto *trialRow = new QHBoxLayout;
    m_trials = new QComboBox(this);
    m_trials->setObjectName(QStringLiteral("trials"));
    trialRow->addWidget(new QLabel(tr("Trial:"), this));
    trialRow->addWidget(m_trials, 1);
    layout->addLayout(trialRow);

    m_preview = new QPlainTextEdit(this);
    m_preview->setObjectName(QStringLiteral("scriptPreview"));
    m_preview->setReadOnly(true);
    m_preview->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_preview->setPlaceholderText(tr("The batch scripts of the selected trial appear here, exactly as they are submitted."));
    layout->addWidget(m_preview, 1);

    auto *runRow = new QHBoxLayout;
    m_status = new QLabel(tr("Open a recipe to start."), this);
    m_status->setObjectName(QStringLiteral("campaignStatus"));
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("campaignProgress"));
    m_progress->setMaximumWidth(220);
    m_progress->setFormat(tr("%v of %m trials"));
    m_progress->setValue(0);
    m_progress->hide(); // shown once a campaign starts
    m_run = new QPushButton(tr("Run campaign"), this);
    m_run->setObjectName(QStringLiteral("runCampaign"));
    m_run->setDefault(true);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelCampaign"));
    runRow->addWidget(m_status, 1);
    runRow->addWidget(m_progress);
    runRow->addWidget(m_cancel);
    runRow->addWidget(m_run);
    layout->addLayout(runRow);

    connect(open, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open recipe"), QFileInfo(m_path->text()).absolutePath(),
                                                          tr("Recipes (*.yaml *.yml)"));
        if (!path.isEmpty())
            setRecipePath(path);
    });
    connect(m_path, &QLineEdit::editingFinished, this, [this] { setRecipePath(m_path->text()); });
    connect(m_trials, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_preview->setPlainText(i >= 0 && i < m_plan.trialScripts.size() ? m_plan.trialScripts[i] : QString());
    });
    connect(&m_planWatcher, &QFutureWatcher<RecipePlan>::finished, this, [this] { showPlan(m_planWatcher.result()); });
    connect(m_run, &QPushButton::clicked, this, &CampaignPanel::startCampaign);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        m_runner->cancel();
        m_status->setText(tr("Cancelling: stopping the run's jobs…"));
        m_cancel->setEnabled(false);
    });
    connect(m_runner, &session::CampaignRunner::trialChanged, this, [this](const QString &trial, const QString &state, const QString &step) {
        if (state == QLatin1String("completed") || state == QLatin1String("failed"))
            m_progress->setValue(++m_trialsDone);
        m_status->setText(tr("Trial %1: %2 (%3)").arg(trial, step, state));
    });
    connect(m_runner, &session::CampaignRunner::finished, this, [this](const session::CampaignResult &r) {
        m_status->setText(r.state == QLatin1String("completed")
                              ? tr("Run %1 completed: %2 trial(s), %3 result file(s).").arg(r.runId).arg(r.trialsCompleted).arg(r.resultFiles)
                              : tr("Run %1 %2: %3").arg(r.runId, r.state, r.error.section(QLatin1Char('\n'), 0, 0)));
        updateButtons();
        m_notifier->notify(r);
    });
    updateButtons();
}

QString CampaignPanel::recipePath() const
{
    return m_path->text();
}

void CampaignPanel::setProfile(const QString &name)
{
    m_profile = name;
    updateButtons();
}

void CampaignPanel::setRecipePath(const QString &path)
{
    m_path->setText(path);
    if (path.isEmpty() || m_planWatcher.isRunning())
        return;
    m_status->setText(tr("Checking %1…").arg(QFileInfo(path).fileName()));
    m_planWatcher.setFuture(QtConcurrent::run(&CampaignPanel::plan, path));
}

RecipePlan CampaignPanel::plan(const QString &path)
{
    RecipePlan p;
    p.path = path;
    if (!QFileInfo::exists(path)) {
        p.diagnostics = tr("%1: no such file").arg(path);
        return p;
    }
    const recipe::LoadResult loaded = recipe::RecipeLoader().loadAndValidateFile(path);
    p.diagnostics = recipe::formatDiagnostics(loaded.diagnostics).trimmed();
    if (!loaded.ok())
        return p;
    QList<recipe::Trial> trials;
    QList<recipe::Diagnostic> diags;
    if (!recipe::SweepExpander().expand(loaded.recipe, &trials, &diags)) {
        p.diagnostics += recipe::formatDiagnostics(diags);
        return p;
    }
    for (const recipe::Trial &t : trials) {
        QStringList params;
        for (const recipe::KeyValue &kv : t.parameters)
            params << kv.key + QLatin1Char('=') + kv.value;
        p.trialLabels << QStringLiteral("%1   %2").arg(t.id, params.isEmpty() ? tr("(no swept parameters)") : params.join(QStringLiteral(", ")));
        recipe::ScriptContext ctx;
        ctx.trialId = t.id;
        ctx.trialDir = ctx.runDir + QLatin1Char('/') + t.id;
        QList<recipe::BatchScript> scripts;
        QStringList errors;
        QString text;
        if (!recipe::BatchScriptGenerator().generate(t.recipe, ctx, &scripts, &errors)) {
            text = tr("# cannot generate the scripts:\n# ") + errors.join(QStringLiteral("\n# "));
        } else {
            for (const recipe::BatchScript &s : scripts)
                text += QStringLiteral("# ===== %1 (%2 job) =====\n%3\n").arg(s.fileName, s.role, s.text);
        }
        p.trialScripts << text;
    }
    p.ok = true;
    return p;
}

void CampaignPanel::showPlan(const RecipePlan &plan)
{
    m_plan = plan;
    m_trials->clear();
    m_trials->addItems(plan.trialLabels);
    m_diagnostics->setText(plan.diagnostics.isEmpty() ? QString() : plan.diagnostics.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")));
    m_diagnostics->setStyleSheet(plan.ok ? QString() : QStringLiteral("color: #b00020"));
    m_status->setText(plan.ok ? tr("%n trial(s) ready to run.", nullptr, int(plan.trialLabels.size())) : tr("The recipe has errors."));
    if (plan.path != m_path->text())
        setRecipePath(m_path->text()); // the path changed while we were checking
    updateButtons();
    emit planReady(plan.ok);
}

bool CampaignPanel::startCampaign()
{
    if (m_runner->isRunning() || !m_plan.ok || m_profile.isEmpty())
        return false;
    ConnectionProfile profile;
    QString error;
    // A small JSON file; read here so a broken profile is reported at once.
    if (!ProfileStore().load(m_profile, &profile, &error)) {
        QMessageBox::warning(this, tr("Connection profile"), error);
        return false;
    }
    session::CampaignOptions o;
    o.recipePath = m_plan.path;
    o.profileName = profile.name;
    o.remoteWorkDir = profile.remoteWorkDir;
    o.buildPrelude = profile.buildPrelude;
    m_trialsDone = 0;
    m_progress->setMaximum(int(m_plan.trialLabels.size()));
    m_progress->setValue(0);
    m_progress->show();
    m_runner->start(o, profile, {}, m_prompter);
    m_status->setText(tr("Starting on %1…").arg(profile.name));
    updateButtons();
    return true;
}

void CampaignPanel::updateButtons()
{
    const bool running = m_runner->isRunning();
    m_run->setEnabled(!running && m_plan.ok && !m_profile.isEmpty());
    m_run->setToolTip(m_profile.isEmpty() ? tr("Select a connection first") : tr("Run on %1").arg(m_profile));
    m_cancel->setEnabled(running);
    m_path->setEnabled(!running);
}

} // namespace fb::gui
