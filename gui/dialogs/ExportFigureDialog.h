// ExportFigureDialog: File > Export Figure and every chart's Export… — one
// chart (or a choice among the charts on screen) to PNG at a chosen DPI
// (default 300), SVG, PDF or its data as CSV, at a single-column (3.5 in),
// double-column (7 in) or custom size, always in the light print theme and
// the bundled font (charts/FigureStyle.h) whatever the app's theme. The
// export itself is fbcharts' (ChartExport.h), the same as `fbctl export`'s.
#pragma once

#include "ChartExport.h"

#include <QDialog>
#include <QPointer>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace fb::charts {
class ChartWidget;
}

namespace fb::gui {

class ExportFigureDialog : public QDialog
{
    Q_OBJECT
public:
    // `charts`: what can be exported (titles in a combo box when several);
    // `current` is preselected.
    ExportFigureDialog(const QList<charts::ChartWidget *> &charts, charts::ChartWidget *current, QWidget *parent = nullptr);

    // The choices, for the app's menu and for tests.
    void setFormat(charts::FigureFormat format);
    void setPreset(const QString &name);        // "single-column", "double-column", "custom"
    void setCustomSize(const QSizeF &inches);
    void setDpi(int dpi);
    void setFilePath(const QString &path);
    charts::ChartWidget *chart() const;
    charts::ExportOptions options() const;
    charts::FigureFormat format() const;
    QString filePath() const;

    // Writes the file; false with the reason shown in the dialog (and in *error).
    bool exportNow(QString *error = nullptr);

private:
    void browse();
    void updateState();

    QList<QPointer<charts::ChartWidget>> m_charts;
    QComboBox *m_chart = nullptr;
    QComboBox *m_format = nullptr;
    QComboBox *m_preset = nullptr;
    QDoubleSpinBox *m_width = nullptr;
    QDoubleSpinBox *m_height = nullptr;
    QSpinBox *m_dpi = nullptr;
    QDoubleSpinBox *m_fontSize = nullptr;
    QLineEdit *m_path = nullptr;
    QLabel *m_pixels = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace fb::gui
