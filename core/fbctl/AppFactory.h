// AppFactory: fbctl runs on a QCoreApplication (no display, no GUI
// libraries). A command that draws — `fbctl export`, `fbctl report` paint
// charts, which are widgets — registers here a factory for the application it
// needs (a QApplication on the offscreen platform); main() asks before it
// creates the application, so only those commands load the GUI stack.
#pragma once

#include <QString>

#include <functional>
#include <map>
#include <memory>

class QCoreApplication;

namespace fb::cli {

using AppFactory = std::function<std::unique_ptr<QCoreApplication>(int &argc, char **argv)>;

std::map<QString, AppFactory> &appFactories(); // command name -> factory

struct AppFactoryRegistrar
{
    AppFactoryRegistrar(const QString &command, AppFactory factory) { appFactories()[command] = std::move(factory); }
};

// The application for the command in argv[1]: its registered factory's, else a QCoreApplication.
std::unique_ptr<QCoreApplication> createApplication(int &argc, char **argv);

} // namespace fb::cli
