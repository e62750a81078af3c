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
  start) start_synthetic "$dir" synthetic_chroma "synthetic Chroma" -- ;;
  stop) stop_synthetic "$dir" synthetic_chroma ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
