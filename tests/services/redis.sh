#!/usr/bin/env bash
# CTest fixture: a throw-away redis-server on 127.0.0.1 (no persistence).
# Usage: redis.sh start|stop DIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
cmd=$1; dir=$2
mkdir -p "$dir"
case "$cmd" in
  start)
    stop_pidfile "$dir/redis.pid"
    port=$(free_port)
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
      --dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    wait_port 127.0.0.1 "$port" 10 || { echo "redis did not start; see $dir/redis.log" >&2; exit 1; }
    for _ in $(seq 50); do [ -s "$dir/redis.pid" ] && break; sleep 0.1; done
    echo "$port" > "$dir/redis.port"
    echo "redis-server on 127.0.0.1:$port (pid $(cat "$dir/redis.pid"))"
    ;;
  stop) stop_pidfile "$dir/redis.pid"; rm -f "$dir/redis.port" ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
