// Every generated script passes shellcheck and sets every FB_ variable before
// using it (they run under set -u): the first two trials of every example, every
// service template, and a hostile recipe full of quotes, $(…), backticks and
// newlines.
#include "RecipeTestUtil.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTest>

using namespace fb::recipe;

class TestRecipeShellcheck : public QObject
{
    Q_OBJECT
private:
    // shellcheck's findings for `text`, or empty when it passes.
    static QString shellcheck(const QString &text, int *exitCode)
    {
        QProcess p;
        p.start(QStringLiteral("shellcheck"), {QStringLiteral("--shell=bash"), QStringLiteral("--severity=style"),
                                               QStringLiteral("--format=gcc"), QStringLiteral("-")});
        if (!p.waitForStarted(10000)) {
            *exitCode = -1;
            return QStringLiteral("shellcheck did not start");
        }
        p.write(text.toUtf8());
        p.closeWriteChannel();
        p.waitForFinished(60000);
        *exitCode = p.exitCode();
        return QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
    }

    static void checkAll(const Recipe &recipe, const QString &label, int maxTrials)
    {
        QList<Trial> trials;
        QList<Diagnostic> diags;
        QVERIFY2(SweepExpander(&test::catalog()).expand(recipe, &trials, &diags), qPrintable(formatDiagnostics(diags)));
        for (int i = 0; i < trials.size() && i < maxTrials; ++i) {
            QList<BatchScript> scripts;
            QStringList errors;
            QVERIFY2(BatchScriptGenerator().generate(trials[i].recipe, test::contextFor(label, trials[i].id), &scripts, &errors),
                     qPrintable(errors.join(QLatin1Char('\n'))));
            for (const BatchScript &s : scripts) {
                // Scripts run under `set -u`: every FB_ variable is set before its first use.
                static const QRegularExpression use(QStringLiteral("\\$\\{?(FB_[A-Z0-9_]+)"));
                for (auto it = use.globalMatch(s.text); it.hasNext();) {
                    const auto m = it.next();
                    const qsizetype set = s.text.indexOf(QRegularExpression(QStringLiteral("(^|\\s)%1=").arg(m.captured(1))));
                    QVERIFY2(set >= 0 && set < m.capturedStart(),
                             qPrintable(QStringLiteral("%1 %2/%3 uses %4 before setting it").arg(label, trials[i].id, s.fileName, m.captured(1))));
                }
                int rc = 0;
                const QString findings = shellcheck(s.text, &rc);
                QVERIFY2(rc == 0, qPrintable(QStringLiteral("%1 %2/%3:\n%4").arg(label, trials[i].id, s.fileName, findings)));
            }
        }
    }

private slots:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("shellcheck")).isEmpty())
            QFAIL("shellcheck is not installed (scripts/setup-debian.sh installs it)");
    }

    // The check can fail: a script with an unquoted expansion is reported.
    void detectsProblems()
    {
        int rc = 0;
        const QString findings = shellcheck(QStringLiteral("#!/bin/bash\nrm $1\n"), &rc);
        QVERIFY(rc != 0);
        QVERIFY(findings.contains(QStringLiteral("SC2086")));
    }

    void examples_data()
    {
        QTest::addColumn<QString>("path");
        for (const QString &p : test::examplePaths())
            QTest::newRow(qPrintable(QFileInfo(p).completeBaseName())) << p;
    }
    void examples()
    {
        QFETCH(QString, path);
        const LoadResult r = RecipeLoader(&test::catalog()).loadAndValidateFile(path);
        QVERIFY2(r.ok(), qPrintable(formatDiagnostics(r.diagnostics)));
        checkAll(r.recipe, QFileInfo(path).completeBaseName(), 2); // later trials differ only in values
    }

    void templates_data()
    {
        QTest::addColumn<QString>("kind");
        for (const QString &k : serviceKinds())
            QTest::newRow(qPrintable(k)) << k;
    }
    void templates()
    {
        QFETCH(QString, kind);
        const QString text = QStringLiteral("version: 1\nmonitor: {gpu_exporter: true, prometheus: {port: 19090}, node_exporter: {port: 19100}}\nservices:\n  - name: s\n    template: %1\n"
                                            "clients:\n  - {name: c, service: s, workload: http, instances: 2, nodes: 2}\n").arg(kind);
        const LoadResult r = RecipeLoader(&test::catalog()).loadAndValidateText(text);
        QVERIFY2(r.ok(), qPrintable(formatDiagnostics(r.diagnostics)));
        checkAll(r.recipe, kind, 1);
    }

    void hostile()
    {
        QFile f(QStringLiteral(FB_TEST_SOURCE_DIR "/data/hostile.yaml"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.readAll());
        const LoadResult r = RecipeLoader(&test::catalog()).loadAndValidateText(text);
        QVERIFY2(r.ok(), qPrintable(formatDiagnostics(r.diagnostics)));
        checkAll(r.recipe, QStringLiteral("hostile"), 1);
    }
};

QTEST_GUILESS_MAIN(TestRecipeShellcheck)
#include "tst_recipeshellcheck.moc"
