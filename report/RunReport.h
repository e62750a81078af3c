// RunReport: a run's report for a reader who was not there — the question
// (recipe name and description), the trial table (swept values and main
// figures with units), the sweep, throughput–latency and latency figures,
// the SLO verdicts, the warnings (interrupted trials, failed jobs) and the
// manifest (versions, nodes, jobs, fbload version, recipe text).
//
// Two outputs with the same content: a self-contained HTML file (figures as
// inline SVG, styles inline, nothing fetched: it opens offline and in a mail
// attachment) and an A4 PDF (text through QTextDocument, figures painted as
// vectors). Figures use the print theme and the bundled font (FigureStyle.h).
// Runs in the GUI thread (charts are widgets); fbctl runs it offscreen.
#pragma once

#include "FigureCatalog.h"
#include "ReportData.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace fb::charts {
class ChartWidget;
}

namespace fb::report {

class RunReport
{
public:
    explicit RunReport(ReportData data);
    ~RunReport();
    RunReport(const RunReport &) = delete;
    RunReport &operator=(const RunReport &) = delete;

    const ReportData &data() const { return m_data; }
    QStringList figureTitles() const;     // the figures the report holds, in order
    QStringList figureProblems() const;   // figures left out and why (e.g. no swept parameter)

    QString html();                       // the whole HTML document
    bool writeHtml(const QString &path, QString *error);
    bool writePdf(const QString &path, QString *error);

private:
    struct Figure
    {
        QString title;
        FigureRequest request;
        std::unique_ptr<charts::ChartWidget> chart;
    };
    struct Block
    {
        QString html;     // rich text (Qt's HTML subset: the PDF lays it out with QTextDocument)
        int figure = -1;  // or a figure, by index
    };
    void buildFigures();
    QList<Block> blocks() const;
    QString headerHtml() const;
    QString trialTableHtml() const;
    QString sloHtml() const;
    QString warningsHtml() const;
    QString manifestHtml() const;
    QString caption(int figure) const; // "Figure 2. Latency p99 vs concurrency: …"

    ReportData m_data;
    std::vector<Figure> m_figures;
    QStringList m_problems;
};

} // namespace fb::report
