// UnclosedFlow: where an unclosed flow collection really starts. yaml-cpp
// reports "end of map flow not found" / "end of sequence flow not found" at
// the place it gave up — the next key, often the line after — not at the `{`
// or `[` that is never closed (an unclosed `{` on line 7 reads "8:8").
// RecipeLoader moves such errors to the opener this scan finds.
//
// Hand-written because yaml-cpp's scanner is not public API and a second YAML
// library for one message would be a new dependency on every platform. The
// scan knows just enough YAML to find flow brackets: quoted scalars (a bracket
// inside quotes is text), comments, block scalars (`|`, `>`) and plain
// scalars (a `{` inside `a {b` is text; only a node that starts with one opens
// a flow). It runs only after yaml-cpp has already failed.
#pragma once

#include <QString>

#include <optional>

namespace fb::recipe {

struct UnclosedFlow
{
    QChar opener;    // '{', '[', or '"' / '\'' for a quoted scalar inside the flow that never ends
    int line = 0;    // 1-based
    int column = 0;  // 1-based, in characters
};

// The innermost flow collection (or quoted scalar inside one) still open at
// the end of `text`, or nothing when every flow is closed.
std::optional<UnclosedFlow> findUnclosedFlow(const QString &text);

} // namespace fb::recipe
