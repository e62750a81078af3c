// Quantities: the human spellings recipes use for durations ("30s", "5m",
// "1h30m", "500ms", or a bare number of seconds) and sizes ("4G", "512M",
// "1.5KiB", or a bare number of bytes), parsed and formatted back.
// Hand-written because neither Qt nor yaml-cpp parses these spellings; the
// grammar is small and fully covered by tst_recipequantities.
#pragma once

#include <QString>

#include <optional>

namespace fb::recipe {

std::optional<double> parseDuration(const QString &text);   // seconds
QString formatDuration(double seconds);                      // "1h30m", "500ms", "2.5s"
// Slurm --time: "D-HH:MM:SS" or "HH:MM:SS" (rounded up to whole seconds).
QString formatSlurmTime(double seconds);
// Its inverse, also "MM:SS", "MM" and "D-HH[:MM]"; 0 when unreadable
// ("UNLIMITED", empty).
double parseSlurmTimeLimit(const QString &text);

std::optional<qint64> parseSize(const QString &text);       // bytes; K/M/G/T are powers of 1024
QString formatSize(qint64 bytes);                            // "4G", "512M", "1000"
// Slurm --mem: whole mebibytes with the unit, e.g. "4096M" (Slurm rounds up too).
QString formatSlurmMemory(qint64 bytes);

// Numbers written without exponent and without trailing zeros ("0.25", "30").
QString formatNumber(double value);

} // namespace fb::recipe
