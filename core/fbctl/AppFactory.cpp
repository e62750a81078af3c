#include "AppFactory.h"

#include <QCoreApplication>

namespace fb::cli {

std::map<QString, AppFactory> &appFactories()
{
    static std::map<QString, AppFactory> factories;
    return factories;
}

std::unique_ptr<QCoreApplication> createApplication(int &argc, char **argv)
{
    if (argc > 1) {
        const auto it = appFactories().find(QString::fromLocal8Bit(argv[1]));
        if (it != appFactories().end())
            return it->second(argc, argv);
    }
    return std::make_unique<QCoreApplication>(argc, argv);
}

} // namespace fb::cli
