#!/usr/bin/env python3
"""SYNTHETIC Chroma server: the subset of Chroma's HTTP API v1 that fbload's
vector workload uses, written from Chroma's public API documentation (the
/api/v1 OpenAPI routes), in-memory, exact brute-force search. Not Chroma.

Routes: GET /api/v1/heartbeat; POST /api/v1/collections (name, metadata,
get_or_create); GET and DELETE /api/v1/collections/{name};
POST /api/v1/collections/{id}/add (ids, embeddings); GET .../{id}/count;
POST .../{id}/query (query_embeddings, n_results, include).
Errors as Chroma reports them: {"error": "<Type>", "message": "..."} with 4xx,
and FastAPI-style 422 {"detail": [...]} for missing required fields.
Usage: synthetic_chroma_server.py --port 0 --port-file FILE
"""
import argparse, json, math, re, threading, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
BY_NAME = {}   # name -> collection dict
BY_ID = {}     # id -> collection dict
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]$")


class ApiError(Exception):
    def __init__(self, status, kind, message):
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message


def missing(field):
    e = ApiError(422, None, None)
    e.body = {"detail": [{"loc": ["body", field], "msg": "field required", "type": "value_error.missing"}]}
    return e


def public(c):
    return {"id": c["id"], "name": c["name"], "metadata": c["metadata"], "dimension": c["dim"]}


def check_dim(c, vec):
    if c["dim"] is None:
        c["dim"] = len(vec)
    if len(vec) != c["dim"]:
        raise ApiError(400, "InvalidDimension",
                       "Embedding dimension %d does not match collection dimensionality %d" % (len(vec), c["dim"]))


def cosine_distance(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    na = math.sqrt(sum(x * x for x in a)) or 1.0
    nb = math.sqrt(sum(y * y for y in b)) or 1.0
    return 1.0 - dot / (na * nb)


def route(method, path, body):
    if method == "GET" and path == "/api/v1/heartbeat":
        return 200, {"nanosecond heartbeat": time.time_ns()}
    if path == "/api/v1/collections" and method == "POST":
        if "name" not in body:
            raise missing("name")
        name = body["name"]
        if not isinstance(name, str) or not NAME_RE.match(name) or ".." in name:
            raise ApiError(400, "ValueError", "Expected collection name that (1) contains 3-63 characters, "
                           "(2) starts and ends with an alphanumeric character ... got %r" % (name,))
        with LOCK:
            if name in BY_NAME:
                if body.get("get_or_create"):
                    return 200, public(BY_NAME[name])
                raise ApiError(409, "UniqueConstraintError", "Collection %s already exists" % name)
            c = {"id": str(uuid.uuid4()), "name": name, "metadata": body.get("metadata"), "dim": None,
                 "ids": [], "index": {}, "vecs": []}
            BY_NAME[name] = c
            BY_ID[c["id"]] = c
            return 200, public(c)
    m = re.match(r"^/api/v1/collections/([^/]+)$", path)
    if m and method in ("GET", "DELETE"):
        name = m.group(1)
        with LOCK:
            c = BY_NAME.get(name)
            if c is None:
                raise ApiError(404, "ValueError", "Collection %s does not exist." % name)
            if method == "GET":
                return 200, public(c)
            del BY_NAME[name]
            del BY_ID[c["id"]]
            return 200, None
    m = re.match(r"^/api/v1/collections/([^/]+)/(add|count|query)$", path)
    if m:
        cid, op = m.group(1), m.group(2)
        with LOCK:
            c = BY_ID.get(cid)
            if c is None:
                raise ApiError(404, "NotFoundError", "Collection %s does not exist." % cid)
            if op == "count" and method == "GET":
                return 200, len(c["ids"])
            if op == "add" and method == "POST":
                for f in ("ids", "embeddings"):
                    if f not in body:
                        raise missing(f)
                ids, embs = body["ids"], body["embeddings"]
                if len(ids) != len(embs):
                    raise ApiError(400, "ValueError", "Number of embeddings %d must match number of ids %d"
                                   % (len(embs), len(ids)))
                for e in embs:
                    check_dim(c, e)
                for i, e in zip(ids, embs):
                    if i in c["index"]:
                        continue  # Chroma ignores existing ids in add (with a warning)
                    c["index"][i] = len(c["ids"])
                    c["ids"].append(i)
                    c["vecs"].append(e)
                return 201, True
            if op == "query" and method == "POST":
                if "query_embeddings" not in body:
                    raise missing("query_embeddings")
                n = body.get("n_results", 10)
                if not isinstance(n, int) or n < 1:
                    raise ApiError(400, "ValueError", "Expected requested number of results to be a positive integer, got %r" % (n,))
                ids_out, dist_out = [], []
                for q in body["query_embeddings"]:
                    check_dim(c, q)
                    scored = sorted((cosine_distance(q, v), i) for i, v in zip(c["ids"], c["vecs"]))[:n]
                    ids_out.append([i for _, i in scored])
                    dist_out.append([d for d, _ in scored])
                return 200, {"ids": ids_out, "distances": dist_out, "metadatas": None, "embeddings": None,
                             "documents": None}
    raise ApiError(404, "NotFound", "no route %s %s" % (method, path))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else {}
            if not isinstance(body, dict) and self.command == "POST":
                raise ApiError(422, "ValidationError", "expected a JSON object")
            status, obj = route(self.command, self.path.split("?")[0], body if isinstance(body, dict) else {})
        except json.JSONDecodeError as e:
            status, obj = 422, {"detail": [{"loc": ["body", e.pos], "msg": "JSON decode error", "type": "value_error.jsondecode"}]}
        except ApiError as e:
            status, obj = e.status, getattr(e, "body", None) or {"error": e.kind, "message": e.message}
        self.reply(status, obj)

    do_GET = do_POST = do_DELETE = do_PUT = handle_any


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, default=0)
    # 0.0.0.0 when it runs as a service job clients on other nodes reach (tst_multiinstance).
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port-file")
    a = ap.parse_args()
    srv = ThreadingHTTPServer((a.host, a.port), Handler)
    srv.daemon_threads = True
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write("%d\n" % srv.server_address[1])
        import os
        os.replace(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
