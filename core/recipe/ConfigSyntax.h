// ConfigSyntax: the one encoder per config-file syntax that recipe values
// reach (besides the shell, which is ShellQuote's). BatchScriptGenerator
// writes every recipe value into a generated config file through these, so a
// value can never add a line, a directive or a key to the file:
//  - redis.conf (Redis's config-line syntax, sdssplitargs): redisConfigArgument;
//  - prometheus.yml (YAML): yamlDoubleQuoted, prometheusDuration;
//  - fbload's JSON config: QJsonDocument (no function here: Qt encodes it).
// Init SQL (settings.init_sql) is the user's SQL, written as is: it is
// content, not a value placed into someone else's syntax.
// RecipeValidator refuses, with the field path, values that encode fine but
// cannot mean anything to the program reading the file (isRedisMemorySize).
#pragma once

#include <QString>

namespace fb::recipe {

// One argument of a redis.conf directive: double-quoted, with \\, \", \n,
// \r, \t, \a, \b and \xHH for every other control byte. Redis reads it back
// byte for byte (CONFIG GET returns the value).
QString redisConfigArgument(const QString &value);

// A YAML double-quoted scalar (yaml-cpp's emitter): quotes, backslashes,
// control and non-ASCII characters escaped, so it is one line and one value.
QString yamlDoubleQuoted(const QString &value);

// A duration as Prometheus reads it ("1h30m", "1500ms": whole units only).
QString prometheusDuration(double seconds);

// A size Redis's maxmemory accepts: digits with an optional unit b, k, kb, m,
// mb, g or gb (any case).
bool isRedisMemorySize(const QString &value);

} // namespace fb::recipe
