// WireValues: the checks on recipe values that end up inside another
// program's syntax, run by RecipeValidator so that `fbctl validate` and the
// editor report them with the field path before anything is submitted:
//  - fbload params that become part of a protocol line (HTTP request line and
//    header lines of the http, llm, vector and s3 workloads): no CR, LF or
//    other control character (fbload refuses them too, at start-up); and no
//    NUL in the postgres/mysql user, password and database;
//  - kind-specific service settings written into config files (redis.conf:
//    persistence, maxmemory, password), which the generator encodes
//    (ConfigSyntax.h) but which must also mean something to the server.
// Swept values are checked one by one (the sweep axis of the field's path).
#pragma once

#include "recipe/Recipe.h"

namespace fb::recipe {

struct ValueProblem
{
    QString path;    // "clients[0].params.headers.X-Trace"
    QString message; // without the path
};

QList<ValueProblem> wireValueProblems(const Recipe &recipe);

} // namespace fb::recipe
