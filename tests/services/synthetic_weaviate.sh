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
  start) start_synthetic "$dir" synthetic_weaviate "synthetic Weaviate" -- ;;
  stop) stop_synthetic "$dir" synthetic_weaviate ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
