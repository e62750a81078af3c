// FigureStyle: how exported figures and reports look, whatever the app's
// theme: the light publication theme (ChartTheme::publication) set in DejaVu
// Sans, a free font compiled into fbcharts (resources/fonts) and loaded with
// QFontDatabase, so a figure has the same glyphs and metrics on Linux,
// Windows and macOS and in the offscreen `fbctl export`.
#pragma once

#include "ChartTheme.h"

#include <QString>

namespace fb::charts {

// "DejaVu Sans" once the bundled font is registered (first call, GUI thread);
// the platform's sans-serif family if loading failed (never expected).
QString figureFontFamily();

// The print theme: publication colours and line widths, the figure font at
// `basePointSize` (titles 1.2×). 8 pt suits a 3.5 in column, 9 pt 7 in.
ChartTheme printTheme(qreal basePointSize = 8.0);

} // namespace fb::charts
