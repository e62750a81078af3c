// An llm client replaying a dataset (docs/fbload.md, "Datasets and trace
// replay"): the validator knows every dataset parameter (no warning), a typo
// still gets one, and the client's fbload config carries the params as they
// are (the dataset path is a path on the cluster, not expanded).
#include "RecipeTestUtil.h"

#include "recipe/BatchScriptGenerator.h"
#include "recipe/RecipeLoader.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace fb::recipe;

namespace {

const char *kReplay = R"(version: 1
metadata:
  name: replay
  seed: 9
services:
  - name: llm
    kind: vllm
    external: {host: 127.0.0.1, port: 8000}
clients:
  - name: trace
    service: llm
    workload: llm
    duration: 10m
    params:
      api: openai-completions
      model: m
      dataset: /shared/traces/mooncake.jsonl
      dataset_format: trace
      time_scale: 2
      timestamp_unit: ms
      block_tokens: 512
      num_prompts: 1000
      shuffle: false
      multi_turn: false
      request_log: /shared/out/requests.jsonl
)";

LoadResult load(const QString &text)
{
    return RecipeLoader(&test::catalog()).loadAndValidateText(text, QStringLiteral("replay.yaml"));
}

} // namespace

class TestRecipeReplay : public QObject
{
    Q_OBJECT
private slots:
    void datasetParamsAreKnownAndPassedAsIs()
    {
        const LoadResult r = load(QString::fromUtf8(kReplay));
        QVERIFY2(r.ok(), qPrintable(formatDiagnostics(r.diagnostics)));
        for (const Diagnostic &d : r.diagnostics)
            QVERIFY2(d.severity != Diagnostic::Warning, qPrintable(d.toString()));
        const QJsonObject cfg = QJsonDocument::fromJson(BatchScriptGenerator::fbloadConfig(r.recipe, r.recipe.clients[0])).object();
        const QJsonObject params = cfg[QStringLiteral("params")].toObject();
        QCOMPARE(params[QStringLiteral("dataset")].toString(), QStringLiteral("/shared/traces/mooncake.jsonl"));
        QCOMPARE(params[QStringLiteral("time_scale")].toDouble(), 2.0);
        QCOMPARE(params[QStringLiteral("num_prompts")].toInt(), 1000);
        QCOMPARE(params[QStringLiteral("request_log")].toString(), QStringLiteral("/shared/out/requests.jsonl"));
        // Closed loop in the recipe: fbload turns it into trace replay itself.
        QCOMPARE(cfg[QStringLiteral("load")].toObject()[QStringLiteral("model")].toString(), QStringLiteral("closed"));
    }

    void typoStillWarns()
    {
        const LoadResult r = load(QString::fromUtf8(kReplay).replace(QStringLiteral("time_scale"), QStringLiteral("timescale")));
        bool warned = false;
        for (const Diagnostic &d : r.diagnostics)
            warned |= d.severity == Diagnostic::Warning && d.path == QStringLiteral("clients[0].params.timescale") &&
                      d.message.contains(QStringLiteral("did you mean \"time_scale\"?"));
        QVERIFY2(warned, qPrintable(formatDiagnostics(r.diagnostics)));
    }
};

QTEST_GUILESS_MAIN(TestRecipeReplay)
#include "tst_recipereplay.moc"
