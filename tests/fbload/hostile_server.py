#!/usr/bin/env python3
"""TEST TOOL: a hostile server for fbload's robustness tests (tst_hostile.cpp).

It speaks just enough of one protocol to get fbload's requests, then answers
them in a hostile way, forever, on every connection:

  endless-line  a line that never ends (an HTTP header, an SSE "data:" or
                NDJSON line, a RESP simple string)
  endless-body  a valid start whose body never ends (HTTP Content-Length of
                a terabyte; an SSE/NDJSON stream of tokens without its final
                chunk; a RESP bulk string shorter than announced)
  slow-drip     a valid start, then one byte every 20 ms
  garbage       random bytes (seeded: the same bytes every run)

Protocols: http, sse (OpenAI chat streaming), ndjson (Ollama generate),
redis, vector (Chroma: the collection set-up before the run is answered
properly), s3 (HEAD of the bucket before the run is answered properly).

Usage: hostile_server.py PROTOCOL MODE
Listens on 127.0.0.1, port 0; prints "port N" first, then "conn K" when
connection K is accepted and "hostile K" when its hostile answer starts
(stdout, line-buffered), so a test can wait for conditions. Runs until
killed. Never use it outside tests.
"""
import random
import socket
import sys
import threading
import time

PROTOCOLS = ("http", "sse", "ndjson", "redis", "vector", "s3")
MODES = ("endless-line", "endless-body", "slow-drip", "garbage")
BLOCK = 64 * 1024
lock = threading.Lock()


def say(text):
    with lock:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def read_http_request(conn, buf):
    """Reads one HTTP request; returns (request line, rest of buf) or None on EOF."""
    while b"\r\n\r\n" not in buf:
        data = conn.recv(BLOCK)
        if not data:
            return None
        buf += data
    head, _, rest = buf.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        data = conn.recv(BLOCK)
        if not data:
            return None
        rest += data
    return head.split(b"\r\n")[0].decode("latin-1"), rest[length:]


def setup_answer(protocol, request_line):
    """The proper answer to a set-up request fbload sends before the run, or None."""
    method, path = request_line.split(" ")[:2]
    if protocol == "vector" and not (path.endswith("/add") or path.endswith("/query")):
        body = b'{"id":"c0ffee","name":"fbload"}' if method == "POST" else b"{}"
        return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    if protocol == "s3" and method == "HEAD":
        return b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    return None


def hostile_parts(protocol, mode):
    """(start, repeated unit) of the hostile answer; the unit repeats forever."""
    if protocol == "redis":
        return {"endless-line": (b"+", b"a" * BLOCK),
                "endless-body": (b"$15000000\r\n", b"b" * BLOCK),  # under the 16 MiB reply limit
                "slow-drip": (b"", b"+OK"),
                }[mode]
    if protocol == "sse":
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
        token = b'data: {"choices":[{"delta":{"content":"x"}}]}\n\n'
        return {"endless-line": (head + b"data: ", b"a" * BLOCK),
                "endless-body": (head, token * 64),
                "slow-drip": (b"", head + token),
                }[mode]
    if protocol == "ndjson":
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n\r\n"
        token = b'{"response":"x","done":false}\n'
        return {"endless-line": (head + b'{"response":"', b"a" * BLOCK),
                "endless-body": (head, token * 64),
                "slow-drip": (b"", head + token),
                }[mode]
    # http, vector, s3: plain HTTP answers.
    return {"endless-line": (b"HTTP/1.1 200 OK\r\nX-Endless: ", b"a" * BLOCK),
            "endless-body": (b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n", b"{" * BLOCK),
            "slow-drip": (b"", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
            }[mode]


def hostile(conn, protocol, mode, index):
    say("hostile %d" % index)
    if mode == "garbage":
        block = random.Random(index).randbytes(BLOCK)
        while True:
            conn.sendall(block)
    start, unit = hostile_parts(protocol, mode)
    conn.sendall(start)
    if mode == "slow-drip":
        # One byte every 20 ms, cycling through a valid answer that thus never ends.
        i = 0
        while True:
            conn.sendall(unit[i % len(unit):i % len(unit) + 1])
            i += 1
            time.sleep(0.02)
    while True:
        conn.sendall(unit)


def serve(conn, protocol, mode, index):
    try:
        with conn:
            buf = b""
            while True:
                if protocol == "redis":
                    if not conn.recv(BLOCK):
                        return
                    hostile(conn, protocol, mode, index)
                got = read_http_request(conn, buf)
                if got is None:
                    return
                request_line, buf = got
                answer = setup_answer(protocol, request_line)
                if answer is None:
                    hostile(conn, protocol, mode, index)
                conn.sendall(answer)
    except OSError:
        pass  # fbload closed the connection: that is the point


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in PROTOCOLS or sys.argv[2] not in MODES:
        sys.stderr.write("usage: hostile_server.py {%s} {%s}\n" % ("|".join(PROTOCOLS), "|".join(MODES)))
        return 2
    protocol, mode = sys.argv[1], sys.argv[2]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    say("port %d" % listener.getsockname()[1])
    index = 0
    while True:
        conn, _ = listener.accept()
        index += 1
        say("conn %d" % index)
        threading.Thread(target=serve, args=(conn, protocol, mode, index), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
