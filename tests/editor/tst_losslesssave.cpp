// Saving from the editor changes only what the user changed: each example
// recipe (they carry comments), opened in a RecipeDocument, edited through
// setField — the call the property form makes — and saved, differs from the
// file in exactly one line. metadata.name follows Save As unless the user
// chose a name.
#include "RecipeDocument.h"

#include "recipe/RecipeLoader.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using fb::editor::RecipeDocument;

namespace {

QString readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

// "-old" / "+new" for each line that differs; the files must have as many lines.
QStringList changedLines(const QString &before, const QString &after)
{
    const QStringList a = before.split(QLatin1Char('\n')), b = after.split(QLatin1Char('\n'));
    if (a.size() != b.size())
        return {QStringLiteral("line count %1 -> %2").arg(a.size()).arg(b.size())};
    QStringList out;
    for (qsizetype i = 0; i < a.size(); ++i)
        if (a[i] != b[i])
            out << QLatin1Char('-') + a[i] << QLatin1Char('+') + b[i];
    return out;
}

QStringList examples()
{
    QStringList out;
    const QDir d(QStringLiteral(FB_SOURCE_DIR "/recipes/examples"));
    for (const QFileInfo &fi : d.entryInfoList({QStringLiteral("*.yaml")}, QDir::Files, QDir::Name))
        out << fi.absoluteFilePath();
    return out;
}

} // namespace

class TestLosslessSave : public QObject
{
    Q_OBJECT

private slots:
    void oneFieldOneLine_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        // Form edits of fields the examples write (the first one each example has is used).
        const QList<std::pair<QString, QString>> edits{
            {QStringLiteral("clients[0].warmup"), QStringLiteral("7s")},
            {QStringLiteral("clients[0].duration"), QStringLiteral("42s")},
            {QStringLiteral("clients[0].threads"), QStringLiteral("3")},
            {QStringLiteral("services[0].name"), QStringLiteral("renamed")},
        };
        for (const QString &path : examples()) {
            const auto loaded = fb::recipe::RecipeLoader().loadFile(path);
            QVERIFY(loaded.ok());
            for (const auto &[field, value] : edits) {
                const bool swept = std::any_of(loaded.recipe.sweep.axes.begin(), loaded.recipe.sweep.axes.end(),
                                               [&](const fb::recipe::SweepAxis &a) { return a.path == field; });
                if (loaded.recipe.positions.contains(field) && !swept) {
                    QTest::newRow(qPrintable(QFileInfo(path).fileName() + QLatin1Char(' ') + field)) << path << field << value;
                    break;
                }
            }
        }
    }
    void oneFieldOneLine()
    {
        QFETCH(QString, source);
        QFETCH(QString, field);
        QFETCH(QString, value);
        QTemporaryDir dir;
        const QString path = dir.filePath(QFileInfo(source).fileName());
        QVERIFY(QFile::copy(source, path));
        const QString before = readFile(path);

        RecipeDocument doc;
        QString error;
        QVERIFY2(doc.load(path, &error), qPrintable(error));
        QVERIFY2(doc.setField(field, value), qPrintable(field));
        QVERIFY(doc.isDirty());
        QVERIFY2(doc.save(path, &error), qPrintable(error));
        const QString after = readFile(path);
        const QStringList diff = changedLines(before, after);
        QVERIFY2(diff.size() == 2, qPrintable(diff.join(QLatin1Char('\n'))));
        QVERIFY2(diff[1].contains(value), qPrintable(diff.join(QLatin1Char('\n'))));
        QCOMPARE(doc.yaml(), after); // the YAML tab shows the file as saved, comments included

        RecipeDocument again;
        QVERIFY2(again.load(path, &error), qPrintable(error));
        QCOMPARE(again.recipe(), doc.recipe());
    }

    // Save As "my-postgres.yaml" names the recipe (and so its runs) "my-postgres"...
    void nameFollowsSaveAs()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("postgres.yaml"));
        QVERIFY(QFile::copy(QStringLiteral(FB_SOURCE_DIR "/recipes/examples/postgres.yaml"), path));
        RecipeDocument doc;
        QString error;
        QVERIFY2(doc.load(path, &error), qPrintable(error));
        QCOMPARE(doc.recipe().metadata.name, QStringLiteral("postgres"));
        const QString copy = dir.filePath(QStringLiteral("my-postgres.yaml"));
        QVERIFY2(doc.save(copy, &error), qPrintable(error));
        QCOMPARE(doc.recipe().metadata.name, QStringLiteral("my-postgres"));
        QVERIFY(!doc.isDirty());
        QCOMPARE(changedLines(readFile(path), readFile(copy)),
                 (QStringList{QStringLiteral("-  name: postgres"), QStringLiteral("+  name: my-postgres")}));

        // ...and a new recipe "untitled" too.
        RecipeDocument fresh;
        QVERIFY(!fresh.addServiceFromTemplate(QStringLiteral("redis")).isEmpty());
        const QString created = dir.filePath(QStringLiteral("cache-test.yaml"));
        QVERIFY2(fresh.save(created, &error), qPrintable(error));
        QCOMPARE(fresh.recipe().metadata.name, QStringLiteral("cache-test"));
        QVERIFY(readFile(created).contains(QStringLiteral("name: cache-test\n")));
    }

    // A name the user chose stays whatever the file is called.
    void chosenNameStays()
    {
        QTemporaryDir dir;
        RecipeDocument doc;
        QVERIFY(doc.setYaml(QStringLiteral("version: 1\nmetadata:\n  name: nightly   # chosen\n")));
        QString error;
        const QString path = dir.filePath(QStringLiteral("other.yaml"));
        QVERIFY2(doc.save(path, &error), qPrintable(error));
        QCOMPARE(doc.recipe().metadata.name, QStringLiteral("nightly"));
        QCOMPARE(readFile(path), QStringLiteral("version: 1\nmetadata:\n  name: nightly   # chosen\n"));
    }
};

QTEST_MAIN(TestLosslessSave)
#include "tst_losslesssave.moc"
