#include "StudyPanel.h"

#include "StudyCharts.h"

#include "SweepChart.h"
#include "common/Paths.h"
#include "common/Units.h"
#include "session/StudyLoader.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardItemModel>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <cmath>

namespace fb::gui {

namespace {

constexpr int kSortRole = Qt::UserRole + 1;

QComboBox *makeCombo(const QString &objectName, QWidget *parent)
{
    auto *box = new QComboBox(parent);
    box->setObjectName(objectName);
    box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    box->setMinimumContentsLength(10);
    return box;
}

} // namespace

StudyPanel::StudyPanel(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);

    auto *controls = new QHBoxLayout;
    m_metric = makeCombo(QStringLiteral("studyMetric"), this);
    m_x = makeCombo(QStringLiteral("studyX"), this);
    m_series = makeCombo(QStringLiteral("studySeries"), this);
    m_logX = new QCheckBox(tr("Log x"), this);
    m_logX->setObjectName(QStringLiteral("studyLogX"));
    m_logY = new QCheckBox(tr("Log y"), this);
    m_logY->setObjectName(QStringLiteral("studyLogY"));
    m_reload = new QPushButton(tr("Reload"), this);
    m_reload->setObjectName(QStringLiteral("studyReload"));
    m_reload->setToolTip(tr("Read the run again (a running run's new results)"));
    m_export = new QPushButton(tr("Export CSV…"), this);
    m_export->setObjectName(QStringLiteral("studyExportCsv"));
    m_export->setToolTip(tr("Save the trial table as CSV, with the values exactly as in the result files"));
    controls->addWidget(new QLabel(tr("Metric"), this));
    controls->addWidget(m_metric);
    controls->addWidget(new QLabel(tr("x"), this));
    controls->addWidget(m_x);
    controls->addWidget(new QLabel(tr("Series"), this));
    controls->addWidget(m_series);
    controls->addWidget(m_logX);
    controls->addWidget(m_logY);
    controls->addStretch();
    controls->addWidget(m_reload);
    controls->addWidget(m_export);
    layout->addLayout(controls);

    m_message = new QLabel(tr("Select a run in the Runs panel and press Study to see its sweep and trial table."), this);
    m_message->setObjectName(QStringLiteral("studyMessage"));
    m_message->setWordWrap(true);
    layout->addWidget(m_message);

    auto *split = new QSplitter(Qt::Vertical, this);
    m_tabs = new QTabWidget(split);
    m_tabs->setObjectName(QStringLiteral("studyCharts"));
    m_sweep = new charts::SweepChart(m_tabs);
    m_sweep->setObjectName(QStringLiteral("studySweepChart"));
    m_tabs->addTab(m_sweep, tr("Sweep"));
    m_charts = new StudyCharts(m_tabs);
    m_model = new QStandardItemModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(kSortRole);
    m_table = new QTableView(split);
    m_table->setObjectName(QStringLiteral("studyTrialTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    split->addWidget(m_tabs);
    split->addWidget(m_table);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({600, 400}); // the chart gets most of the height
    layout->addWidget(split, 1);

    for (QComboBox *box : {m_metric, m_x, m_series})
        connect(box, &QComboBox::currentIndexChanged, this, [this] {
            if (!m_filling)
                redrawSweep();
        });
    connect(m_logX, &QCheckBox::toggled, this, [this](bool on) { m_sweep->setLogX(on); });
    connect(m_logY, &QCheckBox::toggled, this, [this](bool on) { m_sweep->setLogY(on); });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { m_charts->setSelection(selectedTrials()); });
    connect(m_reload, &QPushButton::clicked, this, &StudyPanel::reload);
    connect(m_export, &QPushButton::clicked, this, &StudyPanel::exportCsvInteractively);
    connect(&m_watcher, &QFutureWatcher<LoadedStudy>::finished, this, [this] {
        present(m_watcher.result());
        if (!m_pendingRun.isEmpty()) // the selection moved on meanwhile
            showRun(std::exchange(m_pendingRun, {}));
    });
    m_reload->setEnabled(false);
    m_export->setEnabled(false);
}

void StudyPanel::showRun(const QString &runId)
{
    if (runId.isEmpty())
        return;
    if (m_watcher.isRunning()) {
        m_pendingRun = runId;
        return;
    }
    m_message->setText(tr("Reading run %1…").arg(runId));
    m_message->show();
    const QString store = Paths::runStorePath();
    m_watcher.setFuture(QtConcurrent::run([store, runId] {
        LoadedStudy l;
        l.runId = runId;
        l.study = session::loadStudy(store, runId, &l.error);
        return l;
    }));
}

void StudyPanel::reload()
{
    showRun(m_study.runId());
}

void StudyPanel::present(const LoadedStudy &loaded)
{
    if (!loaded.study) {
        m_message->setText(tr("Run %1: %2").arg(loaded.runId, loaded.error));
        m_message->show();
        emit studyShown(0);
        return;
    }
    setStudy(*loaded.study);
}

void StudyPanel::setStudy(const metrics::Study &study)
{
    // Keep the user's choices across a reload of the same run.
    const bool sameRun = study.runId() == m_study.runId();
    const QString metric = sameRun ? currentMetric() : QString();
    const QString x = sameRun ? currentX() : QString();
    const QString series = sameRun ? currentSeries() : QString();
    const QStringList selected = sameRun ? selectedTrials() : QStringList();
    const int sortColumn = sameRun ? m_proxy->sortColumn() : 0;
    const Qt::SortOrder sortOrder = sameRun ? m_proxy->sortOrder() : Qt::AscendingOrder;
    m_study = study;
    QStringList notes;
    notes << tr("%1 (%2): %3 trial(s), %4 with results")
                 .arg(study.name(), study.runId())
                 .arg(study.trials().size())
                 .arg(study.resultCount());
    for (const metrics::StudyTrial &t : study.trials()) {
        if (!t.error.isEmpty())
            notes << tr("%1: %2").arg(t.id, t.error);
        if (t.result && !t.result->generatorLimitedReason().isEmpty())
            notes << tr("%1: GENERATOR LIMITED: %2").arg(t.id, t.result->generatorLimitedReason());
    }
    m_message->setText(notes.join(QLatin1Char('\n')));
    m_message->show();
    fillCombos();
    if (sameRun)
        setSweep(metric, x, series);
    fillTable();
    m_table->sortByColumn(std::max(0, sortColumn), sortOrder);
    m_charts->setStudy(m_study);
    for (int row = 0; row < m_proxy->rowCount(); ++row)
        if (selected.contains(m_proxy->index(row, 0).data().toString()))
            m_table->selectionModel()->select(m_proxy->index(row, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    redrawSweep();
    m_reload->setEnabled(!study.runId().isEmpty());
    m_export->setEnabled(!study.trials().isEmpty());
    emit studyShown(int(study.trials().size()));
}

void StudyPanel::fillCombos()
{
    m_filling = true;
    m_metric->clear();
    m_x->clear();
    m_series->clear();
    for (const metrics::StudyMetric &m : m_study.metrics())
        m_metric->addItem(m.displayName(), m.key);
    const QStringList main = m_study.mainMetrics();
    if (!main.isEmpty())
        m_metric->setCurrentIndex(m_metric->findData(main.first()));
    m_series->addItem(tr("(none)"), QString());
    const metrics::StudyParameter *widest = nullptr;
    for (const metrics::StudyParameter &p : m_study.parameters()) {
        m_x->addItem(p.name, p.path);
        m_series->addItem(p.name, p.path);
        m_x->setItemData(m_x->count() - 1, p.path, Qt::ToolTipRole);
        if (!widest || p.values.size() >= widest->values.size())
            widest = &p;
    }
    // Default: the parameter with the most values on x, the first other one as series.
    if (widest) {
        m_x->setCurrentIndex(m_x->findData(widest->path));
        for (const metrics::StudyParameter &p : m_study.parameters())
            if (&p != widest) {
                m_series->setCurrentIndex(m_series->findData(p.path));
                break;
            }
        // A log x axis when the values span a factor of 8 or more (1, 4, 16 …).
        bool positive = widest->numeric;
        double lo = INFINITY, hi = 0;
        for (const QString &v : widest->values) {
            const double d = v.toDouble();
            positive = positive && d > 0;
            lo = std::min(lo, d);
            hi = std::max(hi, d);
        }
        m_logX->setChecked(positive && hi / lo >= 8);
    }
    m_filling = false;
}

QStringList StudyPanel::selectedTrials() const
{
    QStringList ids;
    for (const QModelIndex &row : m_table->selectionModel()->selectedRows(0))
        ids << row.data().toString();
    return ids;
}

QStringList StudyPanel::tableMetrics() const
{
    return m_study.mainMetrics();
}

void StudyPanel::fillTable()
{
    m_model->clear();
    const QStringList metrics = tableMetrics();
    QStringList header{tr("Trial"), tr("State")};
    for (const metrics::StudyParameter &p : m_study.parameters())
        header << p.name;
    for (const QString &key : metrics) {
        const metrics::StudyMetric *m = m_study.metric(key);
        header << (m ? m->displayName() : key);
    }
    m_model->setHorizontalHeaderLabels(header);
    for (int c = 0; c < metrics.size(); ++c)
        m_model->horizontalHeaderItem(2 + int(m_study.parameters().size()) + c)->setToolTip(metrics[c]);
    for (const metrics::StudyTrial &t : m_study.trials()) {
        QList<QStandardItem *> row;
        auto *id = new QStandardItem(t.id);
        id->setData(t.index, kSortRole);
        if (!t.error.isEmpty())
            id->setToolTip(t.error);
        row << id;
        auto *state = new QStandardItem(t.state);
        state->setData(t.state, kSortRole);
        // fbload's verdict on itself (run.generator): a warning icon and the reason.
        if (const QString why = t.result ? t.result->generatorLimitedReason() : QString(); !why.isEmpty()) {
            state->setText(tr("%1 · GENERATOR LIMITED").arg(t.state));
            state->setIcon(style()->standardIcon(QStyle::SP_MessageBoxWarning));
            state->setToolTip(tr("The load generator could not keep up: %1").arg(why));
        }
        row << state;
        for (const metrics::StudyParameter &p : m_study.parameters()) {
            const QString v = t.parameter(p.path);
            auto *item = new QStandardItem(v);
            bool ok = false;
            const double d = v.toDouble(&ok);
            item->setData(ok ? QVariant(d) : QVariant(v), kSortRole);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            row << item;
        }
        for (const QString &key : metrics) {
            const double v = t.value(key);
            const metrics::StudyMetric *m = m_study.metric(key);
            const units::MetricUnit unit = m ? m->unit : units::MetricUnit{};
            auto *item = new QStandardItem(std::isfinite(v) ? units::format(v * unit.toBase, unit.unit) : QString());
            item->setData(std::isfinite(v) ? QVariant(v) : QVariant(-INFINITY), kSortRole);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            row << item;
        }
        m_model->appendRow(row);
    }
}

void StudyPanel::redrawSweep()
{
    const QString metric = currentMetric();
    const QString x = currentX();
    if (metric.isEmpty() || x.isEmpty()) {
        m_sweep->clearLines();
        m_sweep->setTitle(QString());
        emit sweepChanged();
        return;
    }
    m_sweep->showStudy(m_study, metric, x, currentSeries());
    const metrics::StudyMetric *m = m_study.metric(metric);
    const metrics::StudyParameter *p = m_study.parameter(x);
    m_sweep->setTitle(tr("%1 vs %2 — %3").arg(m ? m->displayName() : metric, p ? p->name : x, m_study.name()));
    m_sweep->setLogX(m_logX->isChecked() && p && p->numeric);
    m_sweep->setLogY(m_logY->isChecked());
    emit sweepChanged();
}

bool StudyPanel::setSweep(const QString &metric, const QString &x, const QString &series)
{
    const int mi = m_metric->findData(metric);
    const metrics::StudyParameter *xp = m_study.parameter(x);
    const metrics::StudyParameter *sp = series.isEmpty() ? nullptr : m_study.parameter(series);
    if (mi < 0 || !xp || (!series.isEmpty() && !sp))
        return false;
    m_filling = true;
    m_metric->setCurrentIndex(mi);
    m_x->setCurrentIndex(m_x->findData(xp->path));
    m_series->setCurrentIndex(m_series->findData(sp ? sp->path : QString()));
    m_filling = false;
    redrawSweep();
    return true;
}

QString StudyPanel::currentMetric() const { return m_metric->currentData().toString(); }
QString StudyPanel::currentX() const { return m_x->currentData().toString(); }
QString StudyPanel::currentSeries() const { return m_series->currentData().toString(); }

QString StudyPanel::tableCsv() const
{
    return m_study.tableCsv(tableMetrics());
}

bool StudyPanel::exportCsv(const QString &path, QString *error) const
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(tableCsv().toUtf8()) < 0 || !f.commit()) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

void StudyPanel::exportCsvInteractively()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export trial table"),
                                                      m_study.runId() + QStringLiteral("-trials.csv"), tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportCsv(path, &error))
        QMessageBox::warning(this, tr("Export trial table"), error);
}

void StudyPanel::addChartTab(QWidget *chart, const QString &title)
{
    m_tabs->addTab(chart, title);
}

} // namespace fb::gui
