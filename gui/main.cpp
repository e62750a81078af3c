// factorybench — the FactoryBench desktop app.
#include "MainWindow.h"
#include "RecipeEditor.h"
#include "panels/CampaignPanel.h"

#include <QFileInfo>

#include "common/AppInfo.h"
#include "common/Paths.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QScreen>
#include <QTimer>

#include <QFileOpenEvent>

#include <cstdio>
#include <functional>

namespace {
// macOS hands documents opened from Finder (CFBundleDocumentTypes in
// installers/macos/Info.plist.in) to the app as QFileOpenEvent, not argv.
class FileOpenFilter : public QObject
{
public:
    FileOpenFilter(std::function<void(const QString &)> open, QObject *parent) : QObject(parent), m_open(std::move(open)) {}

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::FileOpen) {
            m_open(static_cast<QFileOpenEvent *>(event)->file());
            return true;
        }
        return QObject::eventFilter(watched, event);
    }

private:
    std::function<void(const QString &)> m_open;
};
} // namespace

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
    QCommandLineOption printPaths(QStringLiteral("print-paths"),
                                  QStringLiteral("Print where the recipe catalog, the fbload sources and the user's data are, then exit."));
    parser.addOptions({version, profile, recipe, run, screenshot, printPaths});
    // A bare file argument is what desktops pass on double-click (Exec=factorybench %f).
    parser.addPositionalArgument(QStringLiteral("file"), QStringLiteral("Recipe file to open (same as --recipe)."),
                                 QStringLiteral("[file]"));
    parser.process(app);
    if (parser.isSet(version)) {
        std::printf("%s\n", qPrintable(fb::versionLine(QStringLiteral("factorybench"))));
        return 0;
    }
    if (parser.isSet(printPaths)) {
        const QString catalog = fb::Paths::recipeCatalogDir();
        const QString fbload = fb::Paths::fbloadSourceDir();
        std::printf("data: %s\ncatalog: %s\nfbload: %s\nconfig: %s\nstate: %s\n", qPrintable(fb::Paths::dataDir()),
                    qPrintable(catalog), qPrintable(fbload), qPrintable(fb::Paths::configDir()),
                    qPrintable(fb::Paths::stateDir()));
        if (catalog.isEmpty() || fbload.isEmpty()) {
            std::fprintf(stderr, "factorybench: data not found (looked in %s)\n",
                         qPrintable(fb::Paths::dataDirCandidates().join(QStringLiteral(", "))));
            return 1;
        }
        return 0;
    }
    QString recipeFile = parser.value(recipe);
    if (recipeFile.isEmpty() && !parser.positionalArguments().isEmpty())
        recipeFile = parser.positionalArguments().constFirst();

    fb::gui::MainWindow window;
    window.restoreLayout();
    if (parser.isSet(profile) && !window.selectProfile(parser.value(profile)))
        std::fprintf(stderr, "factorybench: no connection profile named \"%s\"\n", qPrintable(parser.value(profile)));
    window.show();
    app.installEventFilter(new FileOpenFilter([&window](const QString &file) {
        const QString path = QFileInfo(file).absoluteFilePath();
        window.recipeEditor()->openFile(path);
        window.campaignPanel()->setRecipePath(path);
    }, &app));
    if (!recipeFile.isEmpty()) {
        auto *panel = window.campaignPanel();
        if (parser.isSet(run))
            QObject::connect(panel, &fb::gui::CampaignPanel::planReady, panel, [panel](bool ok) {
                if (ok)
                    panel->startCampaign();
            }, Qt::SingleShotConnection);
        const QString path = QFileInfo(recipeFile).absoluteFilePath();
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
