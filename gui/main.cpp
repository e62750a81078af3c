// factorybench — the FactoryBench desktop app.
#include "MainWindow.h"
#include "RecipeEditor.h"
#include "panels/CampaignPanel.h"

#include <QFileInfo>

#include "common/AppInfo.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QScreen>
#include <QTimer>

#include <cstdio>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    fb::initApplication(app);
    app.setApplicationDisplayName(QStringLiteral("FactoryBench"));
    app.setDesktopFileName(QStringLiteral("org.factorybench.FactoryBench"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Benchmark AI Factory services on Slurm clusters, end to end."));
    parser.addHelpOption();
    QCommandLineOption version(QStringList{QStringLiteral("v"), QStringLiteral("version")},
                               QStringLiteral("Print the version and git commit, then exit."));
    QCommandLineOption profile(QStringLiteral("profile"), QStringLiteral("Select the connection profile <name>."),
                               QStringLiteral("name"));
    QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                  QStringLiteral("Save a screenshot of the window to <file> once it is shown, then exit."),
                                  QStringLiteral("file"));
    QCommandLineOption recipe(QStringLiteral("recipe"), QStringLiteral("Open the recipe <file> in the Recipe panel."),
                              QStringLiteral("file"));
    QCommandLineOption run(QStringLiteral("run"), QStringLiteral("Start the campaign of --recipe on --profile at once (the one-click session)."));
    parser.addOptions({version, profile, recipe, run, screenshot});
    parser.process(app);
    if (parser.isSet(version)) {
        std::printf("%s\n", qPrintable(fb::versionLine(QStringLiteral("factorybench"))));
        return 0;
    }

    fb::gui::MainWindow window;
    window.restoreLayout();
    if (parser.isSet(profile) && !window.selectProfile(parser.value(profile)))
        std::fprintf(stderr, "factorybench: no connection profile named \"%s\"\n", qPrintable(parser.value(profile)));
    window.show();
    if (parser.isSet(recipe)) {
        auto *panel = window.campaignPanel();
        if (parser.isSet(run))
            QObject::connect(panel, &fb::gui::CampaignPanel::planReady, panel, [panel](bool ok) {
                if (ok)
                    panel->startCampaign();
            }, Qt::SingleShotConnection);
        const QString path = QFileInfo(parser.value(recipe)).absoluteFilePath();
        window.recipeEditor()->openFile(path);
        panel->setRecipePath(path);
    }

    if (parser.isSet(screenshot)) {
        const QString file = parser.value(screenshot);
        QTimer::singleShot(500, &window, [&window, file] {
            const bool ok = window.grab().save(file);
            std::fprintf(ok ? stdout : stderr, "%s %s\n", ok ? "saved screenshot" : "cannot save screenshot", qPrintable(file));
            QApplication::exit(ok ? 0 : 1);
        });
    }
    return app.exec();
}
