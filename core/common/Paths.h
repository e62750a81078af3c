// Paths: where FactoryBench finds its own data (recipe catalog, fbload source
// bundle) and keeps the user's (profiles, run store, autosaves), on every OS.
//
// Data shipped with the app is looked up, in order, in $FB_DATA_DIR, next to
// the installed executable (../share/factorybench on Linux, the bundle's
// Resources on macOS, the executable's folder as a last resort) and finally in
// the source tree of a developer build (the installers put the data under
// <prefix>/share/factorybench on Linux and Windows alike; docs/installing.md). User data goes through QStandardPaths;
// $FB_CONFIG_DIR and $FB_STATE_DIR override it (tests use private folders).
#pragma once

#include <QString>
#include <QStringList>

namespace fb::Paths {

// Folder with recipes/ (services/, examples/) and fbload/ (the source bundle).
// Empty when no installation or source tree can be found.
QString dataDir();
QStringList dataDirCandidates();
QString recipeCatalogDir();   // <data>/recipes
QString fbloadSourceDir();    // <data>/fbload, or core/clients in a source tree

QString configDir();          // settings and connection profiles
QString profilesDir();        // <config>/profiles, one JSON file per profile
QString stateDir();           // run store, autosaves, downloaded results
QString runStorePath();       // <state>/runs.sqlite

} // namespace fb::Paths
