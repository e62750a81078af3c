#!/usr/bin/env python3
"""SYNTHETIC Weaviate server: the subset of Weaviate's REST and GraphQL API
that fbload's vector workload uses, written from Weaviate's public API
documentation, in-memory, exact brute-force search (cosine distance). Not
Weaviate, and its GraphQL "parser" understands only the two query shapes below.

REST: GET /v1/meta; POST /v1/schema ({"class", "vectorizer", "properties"});
DELETE /v1/schema/{class}; POST /v1/batch/objects ({"objects": [...]}) which
answers 200 with one result per object, failures inside as
"result": {"errors": {"error": [{"message": ...}]}} as Weaviate does.
GraphQL (POST /v1/graphql {"query"}):
  {Get{Class(nearVector:{vector:[...]},limit:N){idx _additional{distance}}}}
  {Aggregate{Class{meta{count}}}}
GraphQL failures answer 200 with {"data": null, "errors": [{"message": ...}]};
REST failures answer 4xx with {"error": [{"message": ...}]}.
Usage: synthetic_weaviate_server.py --port 0 --port-file FILE
"""
import argparse, json, math, os, re, threading, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
CLASSES = {}  # name -> {"dim": int|None, "objects": [(idx, vector)]}
CLASS_RE = re.compile(r"^[A-Z][_0-9A-Za-z]*$")
GET_RE = re.compile(r"^\s*\{\s*Get\s*\{\s*(\w+)\s*\(\s*nearVector\s*:\s*\{\s*vector\s*:\s*\[([^\]]*)\]\s*\}\s*,"
                    r"\s*limit\s*:\s*(\d+)\s*\)\s*\{([^{}]*)_additional\s*\{\s*distance\s*\}\s*\}\s*\}\s*\}\s*$")
AGG_RE = re.compile(r"^\s*\{\s*Aggregate\s*\{\s*(\w+)\s*\{\s*meta\s*\{\s*count\s*\}\s*\}\s*\}\s*\}\s*$")


def rest_error(status, message):
    return status, {"error": [{"message": message}]}


def gql_error(message):
    return 200, {"data": None, "errors": [{"locations": [{"column": 1, "line": 1}], "message": message, "path": None}]}


def cosine_distance(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    na = math.sqrt(sum(x * x for x in a)) or 1.0
    nb = math.sqrt(sum(y * y for y in b)) or 1.0
    return 1.0 - dot / (na * nb)


def batch(body):
    objs = body.get("objects")
    if not isinstance(objs, list):
        return rest_error(422, "objects: expected an array of objects")
    out = []
    with LOCK:
        for o in objs:
            cls, vec = o.get("class"), o.get("vector")
            r = {"class": cls, "id": o.get("id") or str(uuid.uuid4()), "properties": o.get("properties"),
                 "creationTimeUnix": 0, "result": {}}
            c = CLASSES.get(cls)
            err = None
            if c is None:
                err = "class '%s' not present in schema" % cls
            elif not isinstance(vec, list) or not vec:
                err = "vectorizer is none: a vector is required"
            elif c["dim"] is not None and len(vec) != c["dim"]:
                err = "insert to vector index: new node has a vector with length %d. Existing nodes have vectors " \
                      "with length %d" % (len(vec), c["dim"])
            if err:
                r["result"] = {"errors": {"error": [{"message": err}]}}
            else:
                c["dim"] = len(vec)
                c["objects"].append(((o.get("properties") or {}).get("idx"), vec))
            out.append(r)
    return 200, out


def graphql(body):
    q = body.get("query")
    if not isinstance(q, str):
        return rest_error(422, "query: expected a string")
    m = AGG_RE.match(q)
    if m:
        with LOCK:
            c = CLASSES.get(m.group(1))
            if c is None:
                return gql_error('Cannot query field "%s" on type "AggregateObjectsObj".' % m.group(1))
            return 200, {"data": {"Aggregate": {m.group(1): [{"meta": {"count": len(c["objects"])}}]}}}
    m = GET_RE.match(q)
    if not m:
        return gql_error("Syntax Error GraphQL request (1:1) (the synthetic server understands only "
                         "Get{Class(nearVector:{vector:[...]},limit:N){... _additional{distance}}})")
    cls, vec_text, limit = m.group(1), m.group(2), int(m.group(3))
    try:
        vec = [float(x) for x in vec_text.split(",") if x.strip()]
    except ValueError:
        return gql_error("Argument \"nearVector\" has invalid value: vector must be a list of numbers")
    with LOCK:
        c = CLASSES.get(cls)
        if c is None:
            return gql_error('Cannot query field "%s" on type "GetObjectsObj".' % cls)
        if c["dim"] is not None and len(vec) != c["dim"]:
            return gql_error("explorer: get class: vector search: object vector search at index %s: vector "
                             "lengths don't match: %d vs %d" % (cls.lower(), len(vec), c["dim"]))
        scored = sorted((cosine_distance(vec, v), i) for i, v in c["objects"])[:limit]
    return 200, {"data": {"Get": {cls: [{"idx": i, "_additional": {"distance": d}} for d, i in scored]}}}


def route(method, path, body):
    if method == "GET" and path == "/v1/meta":
        return 200, {"hostname": "http://127.0.0.1", "version": "1.24.0-synthetic", "modules": {}}
    if method == "POST" and path == "/v1/schema":
        cls = body.get("class")
        if not isinstance(cls, str) or not CLASS_RE.match(cls):
            return rest_error(422, "'%s' is not a valid class name" % (cls,))
        with LOCK:
            if cls in CLASSES:
                return rest_error(422, 'class name "%s" already exists' % cls)
            CLASSES[cls] = {"dim": None, "objects": []}
        return 200, {"class": cls, "vectorizer": body.get("vectorizer", "none"), "properties": body.get("properties", [])}
    m = re.match(r"^/v1/schema/(\w+)$", path)
    if m and method == "DELETE":
        with LOCK:
            CLASSES.pop(m.group(1), None)  # Weaviate answers 200 for a missing class too
        return 200, None
    if method == "POST" and path == "/v1/batch/objects":
        return batch(body)
    if method == "POST" and path == "/v1/graphql":
        return graphql(body)
    return rest_error(404, "no route %s %s" % (method, path))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else {}
            if not isinstance(body, dict):
                raise ValueError("expected a JSON object")
            status, obj = route(self.command, self.path.split("?")[0], body)
        except ValueError as e:
            status, obj = rest_error(400, "invalid JSON body: %s" % e)
        data = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(status)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = do_PUT = handle_any


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.replace(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
