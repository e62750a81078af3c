// Diagnostic: one finding about a recipe (error or warning) with the field
// path and the file position it concerns. Loader and validator collect them
// all rather than stopping at the first, so the editor and `fbctl validate`
// can show every problem at once.
#pragma once

#include <QList>
#include <QString>

namespace fb::recipe {

struct Diagnostic
{
    enum Severity { Error, Warning };
    Severity severity = Error;
    QString path;      // "services[1].health.timeout"; empty for the document itself
    QString file;      // "campaign.yaml"
    int line = 0;      // 1-based; 0 = unknown
    int column = 0;    // 1-based
    QString message;   // without path and position

    // `services[1].health.timeout: expected … (campaign.yaml:14:16)`, prefixed
    // with "warning: " for warnings; one line: control characters quoted from
    // the recipe are written as escapes (\n, \u001b).
    QString toString() const;
    bool operator==(const Diagnostic &) const = default;
};

bool hasErrors(const QList<Diagnostic> &diagnostics);
QString formatDiagnostics(const QList<Diagnostic> &diagnostics); // one per line

} // namespace fb::recipe
