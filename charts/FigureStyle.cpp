#include "FigureStyle.h"

#include <QFontDatabase>
#include <QFontInfo>

// Q_INIT_RESOURCE must be called outside a namespace; fbcharts is a static
// library, so its resources are registered on first use.
static void initFigureFonts()
{
    Q_INIT_RESOURCE(figurefonts);
}

namespace fb::charts {

QString figureFontFamily()
{
    static const QString family = [] {
        initFigureFonts();
        QString name;
        for (const char *file : {":/factorybench/fonts/DejaVuSans.ttf", ":/factorybench/fonts/DejaVuSans-Bold.ttf"}) {
            const int id = QFontDatabase::addApplicationFont(QString::fromLatin1(file));
            if (id >= 0 && name.isEmpty())
                name = QFontDatabase::applicationFontFamilies(id).value(0);
        }
        return name.isEmpty() ? QFontDatabase::systemFont(QFontDatabase::GeneralFont).family() : name;
    }();
    return family;
}

ChartTheme printTheme(qreal basePointSize)
{
    ChartTheme t = ChartTheme::publication(basePointSize);
    const QString family = figureFontFamily();
    t.titleFont.setFamily(family);
    t.labelFont.setFamily(family);
    // No hinting: glyph advances are the font's, identical at every DPI and on
    // every platform (hinted widths differ between FreeType, DirectWrite, Core Text).
    t.titleFont.setHintingPreference(QFont::PreferNoHinting);
    t.labelFont.setHintingPreference(QFont::PreferNoHinting);
    return t;
}

} // namespace fb::charts
