// The bounds fbload puts on what a server can make it hold or do, so that a
// hostile or broken server costs a protocol error, never unbounded memory or
// a worker stuck in one read (docs/fbload.md, "Limits").
#pragma once

#include <cstddef>

namespace fbload {

// An HTTP response head (status line and headers), a chunk-size line and a
// trailer section: beyond this, the reply is a `protocol` error.
constexpr size_t kMaxHeadBytes = 64 * 1024;
// One line of a token stream (SSE event line, NDJSON object) or one RESP
// simple-string, error or length line.
constexpr size_t kMaxLineBytes = 1024 * 1024;
// A response fbload keeps whole before it can use it: a non-streamed llm
// answer, a RESP reply (the redis workload raises it to value_size + 1 MiB
// when that is larger). Also the most a connection's receive buffer holds.
// Buffers grow by doubling up to exactly this, so while one grows a
// connection holds at most 1.5 times it.
constexpr size_t kMaxBufferedBytes = 16 * 1024 * 1024;
// Content chunks (tokens) of one streamed llm answer: their gaps are kept
// until the answer completes (8 bytes each).
constexpr size_t kMaxStreamChunks = size_t{1} << 20;
// Bytes read from one connection per wake-up of its worker before the
// worker goes back to its event loop (clock, timeouts, signals, other
// connections); the rest is read on the next round.
constexpr size_t kMaxReadPerWake = 256 * 1024;
// Connections of one fbload process: event-loop workloads (one socket
// each) and blocking workloads (one thread each).
constexpr int kMaxConnections = 100000;
constexpr int kMaxBlockingConnections = 4096;
// File descriptors fbload needs besides its connections (stdio, the result,
// /metrics and its clients, prepare connections), plus two per thread.
constexpr int kReservedFds = 64;

}  // namespace fbload
