#!/usr/bin/env bash
# CTest fixture: the SYNTHETIC Weaviate server (tests/synthetic/synthetic_weaviate_server.py,
# python3 stdlib, written from Weaviate's public API docs; not Weaviate itself).
# Usage: synthetic_weaviate.sh start|stop DIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
cmd=$1; dir=$2
mkdir -p "$dir"
case "$cmd" in
  start)
    stop_pidfile "$dir/synthetic_weaviate.pid"
    rm -f "$dir/synthetic_weaviate.port"
    nohup python3 "$here/../synthetic/synthetic_weaviate_server.py" --port 0 --port-file "$dir/synthetic_weaviate.port" \
      > "$dir/synthetic_weaviate.log" 2>&1 &
    echo $! > "$dir/synthetic_weaviate.pid"
    for _ in $(seq 100); do [ -s "$dir/synthetic_weaviate.port" ] && break; sleep 0.1; done
    [ -s "$dir/synthetic_weaviate.port" ] || { echo "synthetic weaviate server did not start; see $dir/synthetic_weaviate.log" >&2; exit 1; }
    echo "synthetic Weaviate server on 127.0.0.1:$(cat "$dir/synthetic_weaviate.port") (pid $(cat "$dir/synthetic_weaviate.pid"))"
    ;;
  stop) stop_pidfile "$dir/synthetic_weaviate.pid"; rm -f "$dir/synthetic_weaviate.port" ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
