// libFuzzer entry point: any bytes → RecipeLoader (+ validator). Inputs that
// load go on through the sweep expander, the batch-script generator and a
// save → load round trip, so every stage that parses or writes recipe text
// is exercised. Crashes, hangs and sanitizer reports are the findings.
#include "recipe/BatchScriptGenerator.h"
#include "recipe/Catalog.h"
#include "recipe/RecipeLoader.h"
#include "recipe/RecipeSaver.h"
#include "recipe/RecipeValidator.h"
#include "recipe/SweepExpander.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace fb::recipe;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const Catalog catalog(QStringLiteral(FB_FUZZ_SOURCE_DIR "/recipes/services"));
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const LoadResult r = RecipeLoader(&catalog).loadAndValidateText(text, QStringLiteral("fuzz.yaml"));
    for (const Diagnostic &d : r.diagnostics)
        (void)d.toString();
    if (!r.ok())
        return 0;
    // Bounded work per input: expand only small sweeps.
    const qint64 count = RecipeValidator::trialCount(r.recipe.sweep);
    if (count < 1 || count > 64)
        return 0;
    QList<Trial> trials;
    QList<Diagnostic> diags;
    if (SweepExpander(&catalog).expand(r.recipe, &trials, &diags) && !trials.isEmpty()) {
        QList<BatchScript> scripts;
        QStringList errors;
        BatchScriptGenerator().generate(trials.first().recipe, ScriptContext{}, &scripts, &errors);
    }
    // load → save → load must give an equal recipe (what tst_recipeio checks
    // on the examples), for any input that loads.
    const QString saved = RecipeSaver(&catalog).toText(r.recipe);
    const LoadResult again = RecipeLoader(&catalog).loadText(saved, QStringLiteral("saved.yaml"));
    if (!again.ok() || !(again.recipe == r.recipe)) {
        const Recipe &a = r.recipe, &b = again.recipe;
        fprintf(stderr, "round trip changed the recipe (differs: %s%s%s%s%s%s%s); saved text:\n%s\n%s\n",
                a.metadata == b.metadata ? "" : "metadata ", a.cluster == b.cluster ? "" : "cluster ",
                a.services == b.services ? "" : "services ", a.clients == b.clients ? "" : "clients ",
                a.monitor == b.monitor ? "" : "monitor ", a.sweep == b.sweep ? "" : "sweep ",
                a.version == b.version ? "" : "version", saved.toUtf8().toPercentEncoding(" \n:'\"[]{},-_./$()`#;").constData(),
                qPrintable(formatDiagnostics(again.diagnostics)));
        abort();
    }
    return 0;
}
