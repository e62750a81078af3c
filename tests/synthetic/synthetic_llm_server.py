#!/usr/bin/env python3
"""Synthetic LLM server for FactoryBench tests (named "synthetic": it runs no model).

It speaks just enough of two public APIs for fbload's llm workload to be
tested against known truth:

* Ollama REST API (github.com/ollama/ollama, docs/api.md): POST /api/generate
  and /api/chat, streamed as NDJSON (one JSON object per line, the last with
  "done": true, "prompt_eval_count" and "eval_count"), or one JSON object when
  "stream": false; options.num_predict limits the output; POST /api/pull and
  GET /api/tags for the pull/warm-up path.
* OpenAI API (platform.openai.com/docs/api-reference, as served by vLLM and
  Triton's OpenAI front end): POST /v1/completions and /v1/chat/completions,
  streamed as server-sent events ("data: {json}\\n\\n" ... "data: [DONE]\\n\\n");
  with stream_options.include_usage a last chunk carries "usage" and an empty
  "choices" array; chat streams start with a role-only delta whose content is
  empty (as OpenAI and vLLM do). Non-streaming answers carry "usage".

Timing is the point: the first token is sent --ttft-ms after the request
arrived, token i (0-based) at ttft + i * tpot, each with optional uniform
jitter of +-jitter-ms, scheduled on absolute times so delays do not drift.
Prompt tokens are counted as whitespace-separated words (fbload synthesises
prompts of one-token words); the output is exactly max_tokens tokens (or
--output-tokens), each token one SSE/NDJSON chunk.

Test hooks: POST /control/stall {"seconds": S} (or GET /control/stall?seconds=S)
holds every response (headers and tokens) for S seconds from now, to simulate
a stalled server; GET /control/stats returns request counts.

Python 3 standard library only (a thread per connection). Usage:
  synthetic_llm_server.py --port 0 --port-file F --ttft-ms 200 --tpot-ms 20
"""
import argparse
import json
import os
import random
import signal
import socket
import sys
import threading
import time
from urllib.parse import urlparse, parse_qs


class Server:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.stall_until = 0.0
        self.requests = 0
        self.active = 0
        self.lock = threading.Lock()
        # How late tokens left (s after their scheduled time): the tests use it
        # to tell fbload's error from this server's own scheduling error.
        self.lateness = []

    # ---- timing helpers -------------------------------------------------
    def sleep_until(self, when):
        # One thread per connection sleeping in clock_nanosleep(): wake-ups
        # are precise to tens of microseconds, where an asyncio loop (epoll_wait
        # has millisecond resolution, and one thread serves every stream) sent
        # tokens 1-3 ms late under load. The tests check fbload against these
        # times to 1-2 ms. /control/stats reports the lateness achieved.
        while True:
            now = time.monotonic()
            target = max(when, self.stall_until)
            if target <= now:
                return
            time.sleep(target - now)

    def jitter(self):
        j = self.args.jitter_ms / 1000.0
        return self.rng.uniform(-j, j) if j > 0 else 0.0

    # ---- HTTP plumbing --------------------------------------------------
    def handle(self, sock):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rfile = sock.makefile("rb")
        writer = Writer(sock)
        try:
            while True:
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    line = rfile.readline(65536)
                    if not line:
                        return
                    head += line
                lines = head.decode("latin-1").split("\r\n")
                method, target, _version = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                body = b""
                n = int(headers.get("content-length", "0") or 0)
                if n:
                    body = rfile.read(n)
                keep = headers.get("connection", "").lower() != "close"
                self.route(method, target, body, writer)
                if not keep:
                    break
        except (ConnectionError, OSError, ValueError):
            pass
        finally:
            try:
                sock.close()
            except OSError:
                pass

    @staticmethod
    def send_json(writer, status, obj):
        data = json.dumps(obj).encode()
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}.get(status, "Error")
        writer.write(b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                     % (status, reason.encode(), len(data)) + data)

    @staticmethod
    def chunk(data):
        return b"%x\r\n%s\r\n" % (len(data), data)

    def route(self, method, target, body, writer):
        url = urlparse(target)
        path = url.path
        if path == "/control/stall":
            seconds = 0.0
            if body:
                seconds = float(json.loads(body).get("seconds", 0))
            else:
                seconds = float(parse_qs(url.query).get("seconds", ["0"])[0])
            self.stall_until = time.monotonic() + seconds
            self.send_json(writer, 200, {"stalled_for": seconds})
            return
        if path == "/control/stats":
            late = sorted(self.lateness)
            pick = lambda q: round(late[min(len(late) - 1, int(q * len(late)))] * 1000, 3) if late else None
            self.send_json(writer, 200, {"requests": self.requests, "active": self.active, "tokens": len(late),
                                         "lateness_ms": {"p50": pick(0.5), "p99": pick(0.99),
                                                         "max": pick(1.0)}})
            if "reset" in parse_qs(url.query):
                self.lateness = []
            return
        if path in ("/health", "/v1/models", "/api/tags", "/api/version"):
            self.send_json(writer, 200, {"models": [{"name": "synthetic"}], "data": [{"id": "synthetic"}],
                                         "version": "synthetic"})
            return
        if path == "/api/pull":
            self.send_json(writer, 200, {"status": "success"})
            return
        if method != "POST" or path not in ("/api/generate", "/api/chat", "/v1/completions", "/v1/chat/completions"):
            self.send_json(writer, 404, {"error": "not found: %s %s" % (method, path)})
            return
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            self.send_json(writer, 400, {"error": "invalid JSON body"})
            return
        with self.lock:
            self.requests += 1
            self.active += 1
            rid = "synthetic-%d" % self.requests
        try:
            self.generate(path, req, writer, rid)
        finally:
            with self.lock:
                self.active -= 1

    # ---- generation -----------------------------------------------------
    def generate(self, path, req, writer, rid):
        start = time.monotonic()
        ollama = path.startswith("/api/")
        chat = path.endswith("chat") or path.endswith("chat/completions")
        if chat:
            text = " ".join(str(m.get("content", "")) for m in req.get("messages", []))
        else:
            text = str(req.get("prompt", ""))
        prompt_tokens = len(text.split())
        if ollama:
            n = int((req.get("options") or {}).get("num_predict", 128))
        else:
            n = int(req.get("max_completion_tokens") or req.get("max_tokens") or 16)
        if self.args.output_tokens > 0:
            n = self.args.output_tokens
        n = max(n, 1)
        stream = bool(req.get("stream", ollama))  # Ollama streams by default, OpenAI does not
        model = req.get("model", "synthetic")
        ttft = self.args.ttft_ms / 1000.0
        tpot = self.args.tpot_ms / 1000.0
        with self.lock:
            times = [start + ttft + i * tpot + self.jitter() for i in range(n)]
        for i in range(1, n):  # jitter must not reorder tokens
            times[i] = max(times[i], times[i - 1])
        created = int(time.time())

        if not stream:
            self.sleep_until(times[-1])
            out = " ".join("tok" for _ in range(n))
            if ollama:
                obj = {"model": model, "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ"), "done": True,
                       "done_reason": "length", "prompt_eval_count": prompt_tokens, "eval_count": n,
                       "total_duration": int((time.monotonic() - start) * 1e9)}
                if chat:
                    obj["message"] = {"role": "assistant", "content": out}
                else:
                    obj["response"] = out
            else:
                choice = {"index": 0, "finish_reason": "length"}
                if chat:
                    choice["message"] = {"role": "assistant", "content": out}
                else:
                    choice["text"] = out
                obj = {"id": rid, "object": "chat.completion" if chat else "text_completion", "created": created,
                       "model": model, "choices": [choice],
                       "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": n,
                                 "total_tokens": prompt_tokens + n}}
            self.send_json(writer, 200, obj)
            return

        ctype = b"application/x-ndjson" if ollama else b"text/event-stream"
        self.sleep_until(start)  # honours a stall before the headers
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: " + ctype + b"\r\nTransfer-Encoding: chunked\r\n\r\n")
        if chat and not ollama:
            role = {"id": rid, "object": "chat.completion.chunk", "created": created, "model": model,
                    "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}
            writer.write(self.chunk(b"data: " + json.dumps(role).encode() + b"\n\n"))
        include_usage = bool((req.get("stream_options") or {}).get("include_usage"))
        for i in range(n):
            self.sleep_until(times[i])
            piece = "tok" if i == 0 else " tok"
            last = i == n - 1
            if ollama:
                obj = {"model": model, "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ"), "done": False}
                if chat:
                    obj["message"] = {"role": "assistant", "content": piece}
                else:
                    obj["response"] = piece
                data = json.dumps(obj).encode() + b"\n"
                if last:
                    fin = {"model": model, "created_at": obj["created_at"], "done": True, "done_reason": "length",
                           "prompt_eval_count": prompt_tokens, "eval_count": n,
                           "total_duration": int((time.monotonic() - start) * 1e9)}
                    if chat:
                        fin["message"] = {"role": "assistant", "content": ""}
                    else:
                        fin["response"] = ""
                    data += json.dumps(fin).encode() + b"\n"
            else:
                choice = {"index": 0, "finish_reason": "length" if last else None}
                if chat:
                    choice["delta"] = {"content": piece}
                else:
                    choice["text"] = piece
                obj = {"id": rid, "object": "chat.completion.chunk" if chat else "text_completion",
                       "created": created, "model": model, "choices": [choice]}
                data = b"data: " + json.dumps(obj).encode() + b"\n\n"
                if last:
                    if include_usage:
                        usage = {"id": rid, "object": obj["object"], "created": created, "model": model,
                                 "choices": [], "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": n,
                                                          "total_tokens": prompt_tokens + n}}
                        data += b"data: " + json.dumps(usage).encode() + b"\n\n"
                    data += b"data: [DONE]\n\n"
            writer.write(self.chunk(data))
            if len(self.lateness) < 1000000:
                self.lateness.append(time.monotonic() - max(times[i], self.stall_until))
        writer.write(b"0\r\n\r\n")


class Writer:
    """Sends each write at once (one token = one chunk = one sendall())."""

    def __init__(self, sock):
        self.sock = sock

    def write(self, data):
        self.sock.sendall(data)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--port-file", help="write the bound port here once listening")
    p.add_argument("--ttft-ms", type=float, default=200.0)
    p.add_argument("--tpot-ms", type=float, default=20.0, help="delay between tokens")
    p.add_argument("--jitter-ms", type=float, default=0.0, help="uniform +- jitter per token")
    p.add_argument("--output-tokens", type=int, default=0, help="override max_tokens (0: honour the request)")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    # Threads hand the GIL over every 5 ms by default; a token thread waking
    # up must not wait that long for a busy neighbour.
    sys.setswitchinterval(0.0005)
    srv = Server(args)
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((args.host, args.port))
    lsock.listen(1024)
    port = lsock.getsockname()[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    print("synthetic LLM server listening on %s:%d" % (args.host, port), file=sys.stderr, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    while True:
        conn, _addr = lsock.accept()
        threading.Thread(target=srv.handle, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
