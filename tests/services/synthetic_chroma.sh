#!/usr/bin/env bash
# CTest fixture: the SYNTHETIC Chroma server (tests/synthetic/synthetic_chroma_server.py,
# python3 stdlib, written from Chroma's public API docs; not Chroma itself).
# Usage: synthetic_chroma.sh start|stop DIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
cmd=$1; dir=$2
mkdir -p "$dir"
case "$cmd" in
  start)
    stop_pidfile "$dir/synthetic_chroma.pid"
    rm -f "$dir/synthetic_chroma.port"
    nohup python3 "$here/../synthetic/synthetic_chroma_server.py" --port 0 --port-file "$dir/synthetic_chroma.port" \
      > "$dir/synthetic_chroma.log" 2>&1 &
    echo $! > "$dir/synthetic_chroma.pid"
    for _ in $(seq 100); do [ -s "$dir/synthetic_chroma.port" ] && break; sleep 0.1; done
    [ -s "$dir/synthetic_chroma.port" ] || { echo "synthetic chroma server did not start; see $dir/synthetic_chroma.log" >&2; exit 1; }
    echo "synthetic Chroma server on 127.0.0.1:$(cat "$dir/synthetic_chroma.port") (pid $(cat "$dir/synthetic_chroma.pid"))"
    ;;
  stop) stop_pidfile "$dir/synthetic_chroma.pid"; rm -f "$dir/synthetic_chroma.port" ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
