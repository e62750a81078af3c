#!/usr/bin/env bash
# CTest fixture: s3rver (npm, tests/cluster/npm/node_modules) on 127.0.0.1 with
# a private data directory DIR/data. Its fixed credentials are S3RVER/S3RVER;
# it stores object o of bucket b as DIR/data/b/o._S3rver_object, which the
# tests read to check what fbload stored independently of fbload's own GETs.
# Usage: s3rver.sh start|stop DIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
cmd=$1; dir=$2
mkdir -p "$dir"
s3rver="$here/../cluster/npm/node_modules/s3rver/bin/s3rver.js"
case "$cmd" in
  start)
    stop_pidfile "$dir/s3rver.pid"
    rm -rf "$dir/data" "$dir/s3rver.port"
    mkdir -p "$dir/data"
    [ -f "$s3rver" ] || { echo "s3rver is not installed at $s3rver (run the setup script: npm ci in tests/cluster/npm)" >&2; exit 1; }
    port=$(free_port)
    nohup node "$s3rver" -d "$dir/data" -a 127.0.0.1 -p "$port" --silent > "$dir/s3rver.log" 2>&1 &
    echo $! > "$dir/s3rver.pid"
    wait_port 127.0.0.1 "$port" 20 || { echo "s3rver did not start; see $dir/s3rver.log" >&2; exit 1; }
    echo "$port" > "$dir/s3rver.port"
    echo "s3rver on 127.0.0.1:$port (pid $(cat "$dir/s3rver.pid"), data $dir/data)"
    ;;
  stop) stop_pidfile "$dir/s3rver.pid"; rm -f "$dir/s3rver.port" ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
