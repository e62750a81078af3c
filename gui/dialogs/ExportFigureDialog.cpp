#include "ExportFigureDialog.h"

#include "ChartWidget.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>

namespace fb::gui {

using charts::FigureFormat;

namespace {
const QString kCustom = QStringLiteral("custom");

QString defaultFileName(const charts::ChartWidget *chart)
{
    QString name = chart ? chart->title().toLower() : QString();
    name.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
    name = name.section(QLatin1Char('-'), 0, 7, QString::SectionSkipEmpty);
    return name.isEmpty() ? QStringLiteral("figure") : name;
}
} // namespace

ExportFigureDialog::ExportFigureDialog(const QList<charts::ChartWidget *> &charts, charts::ChartWidget *current, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Export Figure"));
    setObjectName(QStringLiteral("exportFigureDialog"));
    auto *form = new QFormLayout;

    m_chart = new QComboBox(this);
    m_chart->setObjectName(QStringLiteral("exportChartChoice"));
    for (charts::ChartWidget *c : charts) {
        m_charts << c;
        m_chart->addItem(c->title().isEmpty() ? tr("Untitled chart") : c->title());
    }
    m_chart->setCurrentIndex(std::max(0, int(charts.indexOf(current))));
    form->addRow(tr("Chart:"), m_chart);

    m_format = new QComboBox(this);
    m_format->setObjectName(QStringLiteral("exportFormat"));
    m_format->addItem(tr("PNG image"), int(FigureFormat::Png));
    m_format->addItem(tr("SVG (vector)"), int(FigureFormat::Svg));
    m_format->addItem(tr("PDF (vector)"), int(FigureFormat::Pdf));
    m_format->addItem(tr("CSV (the chart's data)"), int(FigureFormat::Csv));
    form->addRow(tr("Format:"), m_format);

    m_preset = new QComboBox(this);
    m_preset->setObjectName(QStringLiteral("exportSize"));
    for (const charts::SizePreset &p : charts::sizePresets())
        m_preset->addItem(p.label, p.name);
    m_preset->addItem(tr("Custom"), kCustom);
    form->addRow(tr("Size:"), m_preset);

    auto *custom = new QHBoxLayout;
    m_width = new QDoubleSpinBox(this);
    m_height = new QDoubleSpinBox(this);
    for (QDoubleSpinBox *s : {m_width, m_height}) {
        s->setRange(0.5, 40);
        s->setDecimals(3); // 2.625 in (the one-column preset) exactly
        s->setSingleStep(0.25);
        s->setSuffix(tr(" in"));
    }
    m_width->setObjectName(QStringLiteral("exportWidth"));
    m_height->setObjectName(QStringLiteral("exportHeight"));
    custom->addWidget(m_width);
    custom->addWidget(new QLabel(QStringLiteral("×"), this));
    custom->addWidget(m_height);
    form->addRow(tr("Width × height:"), custom);

    m_dpi = new QSpinBox(this);
    m_dpi->setObjectName(QStringLiteral("exportDpi"));
    m_dpi->setRange(24, 2400);
    m_dpi->setValue(300);
    m_dpi->setSuffix(tr(" dpi"));
    form->addRow(tr("Resolution:"), m_dpi);

    m_fontSize = new QDoubleSpinBox(this);
    m_fontSize->setObjectName(QStringLiteral("exportFontSize"));
    m_fontSize->setRange(4, 36);
    m_fontSize->setDecimals(1);
    m_fontSize->setValue(8);
    m_fontSize->setSuffix(tr(" pt"));
    form->addRow(tr("Font size:"), m_fontSize);

    auto *pathRow = new QHBoxLayout;
    m_path = new QLineEdit(this);
    m_path->setObjectName(QStringLiteral("exportPath"));
    auto *browse = new QPushButton(tr("Browse…"), this);
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);
    form->addRow(tr("File:"), pathRow);

    m_pixels = new QLabel(this);
    m_pixels->setObjectName(QStringLiteral("exportPixels"));
    form->addRow(QString(), m_pixels);

    m_status = new QLabel(tr("Exported in the light print theme with the DejaVu Sans font, whatever the app's theme."), this);
    m_status->setObjectName(QStringLiteral("exportStatus"));
    m_status->setWordWrap(true);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton *save = buttons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
    save->setObjectName(QStringLiteral("exportButton"));
    save->setDefault(true);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    setPreset(charts::sizePresets().first().name);
    m_path->setText(QDir::home().filePath(defaultFileName(chart()) + QStringLiteral(".png")));
    connect(browse, &QPushButton::clicked, this, &ExportFigureDialog::browse);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(save, &QPushButton::clicked, this, [this] {
        if (exportNow())
            accept();
    });
    connect(m_format, &QComboBox::currentIndexChanged, this, [this] {
        // Keep the file's suffix in step with the format.
        const QFileInfo fi(m_path->text());
        const QString suffix = charts::figureFormatName(format());
        if (!m_path->text().isEmpty() && fi.suffix().toLower() != suffix)
            m_path->setText(fi.dir().filePath(fi.completeBaseName() + QLatin1Char('.') + suffix));
        updateState();
    });
    connect(m_preset, &QComboBox::currentIndexChanged, this, [this] {
        if (const auto p = charts::sizePreset(m_preset->currentData().toString()))
            setCustomSize(p->inches);
        updateState();
    });
    for (QDoubleSpinBox *s : {m_width, m_height})
        connect(s, &QDoubleSpinBox::valueChanged, this, &ExportFigureDialog::updateState);
    connect(m_dpi, &QSpinBox::valueChanged, this, &ExportFigureDialog::updateState);
    updateState();
}

void ExportFigureDialog::setFormat(FigureFormat f)
{
    m_format->setCurrentIndex(m_format->findData(int(f)));
}

void ExportFigureDialog::setPreset(const QString &name)
{
    m_preset->setCurrentIndex(std::max(0, m_preset->findData(name)));
    if (const auto p = charts::sizePreset(name))
        setCustomSize(p->inches);
    updateState();
}

void ExportFigureDialog::setCustomSize(const QSizeF &inches)
{
    m_width->setValue(inches.width());
    m_height->setValue(inches.height());
}

void ExportFigureDialog::setDpi(int dpi)
{
    m_dpi->setValue(dpi);
}

void ExportFigureDialog::setFilePath(const QString &path)
{
    m_path->setText(path);
}

charts::ChartWidget *ExportFigureDialog::chart() const
{
    return m_charts.value(m_chart->currentIndex());
}

FigureFormat ExportFigureDialog::format() const
{
    return FigureFormat(m_format->currentData().toInt());
}

QString ExportFigureDialog::filePath() const
{
    return m_path->text();
}

charts::ExportOptions ExportFigureDialog::options() const
{
    charts::ExportOptions o;
    o.dpi = m_dpi->value();
    o.inches = QSizeF(m_width->value(), m_height->value());
    o.printTheme = true;
    o.fontPointSize = m_fontSize->value();
    return o;
}

void ExportFigureDialog::updateState()
{
    const bool custom = m_preset->currentData().toString() == kCustom;
    m_width->setEnabled(custom);
    m_height->setEnabled(custom);
    const bool image = format() != FigureFormat::Csv;
    m_dpi->setEnabled(format() == FigureFormat::Png);
    m_preset->setEnabled(image);
    m_fontSize->setEnabled(image);
    const QSize px = options().pixelSize();
    m_pixels->setText(format() == FigureFormat::Png ? tr("%1 × %2 px").arg(px.width()).arg(px.height())
                      : image                       ? tr("%1 × %2 in").arg(m_width->value()).arg(m_height->value())
                                                    : tr("The data behind the chart, one row per point"));
}

void ExportFigureDialog::browse()
{
    const QString suffix = charts::figureFormatName(format());
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Figure"), m_path->text(),
                                                      tr("%1 files (*.%2)").arg(suffix.toUpper(), suffix));
    if (!path.isEmpty())
        m_path->setText(QFileInfo(path).suffix().isEmpty() ? path + QLatin1Char('.') + suffix : path);
}

bool ExportFigureDialog::exportNow(QString *error)
{
    QString why;
    charts::ChartWidget *c = chart();
    if (!c)
        why = tr("The chart is gone (its panel was closed).");
    else if (m_path->text().trimmed().isEmpty())
        why = tr("Choose a file to write.");
    else if (!charts::exportFigure(c, m_path->text().trimmed(), format(), options(), &why))
        why = tr("Export failed: %1").arg(why);
    if (!why.isEmpty()) {
        m_status->setText(why);
        if (error)
            *error = why;
        return false;
    }
    m_status->setText(tr("Wrote %1").arg(QDir::toNativeSeparators(m_path->text().trimmed())));
    return true;
}

} // namespace fb::gui
