#!/usr/bin/env bash
# A running fbload scraped by a real Prometheus, all on 127.0.0.1, for the
# dashboard's live test: redis-server as the target, fbload driving it at a
# modest constant rate with /metrics on, Prometheus scraping that every second.
# (The mini-cluster version goes through an SSH tunnel; this one does not.)
#
#   fbload_live.sh start DIR FBLOAD   start all three; writes DIR/prometheus.port
#                                     and DIR/*.pid; returns once Prometheus has
#                                     scraped fbload (fbload_up == 1)
#   fbload_live.sh stop DIR           kill exactly those PIDs
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then sed -n '2,12p' "$0" >&2; exit 2; fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

die() { echo "fbload_live.sh: $*" >&2; exit 1; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
stop_pid() {
  local f=$1
  [ -f "$f" ] || return 0
  local pid; pid=$(cat "$f")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}
stop_all() {
  stop_pid "$dir/fbload.pid"
  stop_pid "$dir/prometheus.pid"
  stop_pid "$dir/redis.pid"
}

case "$cmd" in
start)
  fbload=${3:-}
  [ -x "$fbload" ] || die "fbload binary not executable: '$fbload'"
  stop_all
  rm -rf "$dir/data" "$dir/log"
  mkdir -p "$dir/data" "$dir/log"

  rport=$(free_port)
  setsid redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no \
      >"$dir/log/redis.log" 2>&1 </dev/null &
  echo $! >"$dir/redis.pid"
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$rport") 2>/dev/null && break; sleep 0.1; done

  mport=$(free_port)
  echo '{}' >"$dir/client.json"
  # CTest may start the fixture long before the tests that use it (they wait
  # for free slots while other tests run), so fbload keeps going for 30 min;
  # the fixture's stop kills it as soon as the last of its tests is done.
  setsid "$fbload" run --config "$dir/client.json" --workload redis --target "127.0.0.1:$rport" \
      --out "$dir/result.json" --duration 1800 --warmup 0 --model constant --rate 300 --concurrency 2 \
      --metrics-port "$mport" --metrics-bind 127.0.0.1 --label run=live \
      >"$dir/log/fbload.log" 2>&1 </dev/null &
  echo $! >"$dir/fbload.pid"
  echo "$mport" >"$dir/fbload-metrics.port"

  pport=$(free_port)
  cat >"$dir/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: fbload
    static_configs:
      - targets: ['127.0.0.1:$mport']
YML
  setsid prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
      --web.listen-address="127.0.0.1:$pport" >"$dir/log/prometheus.log" 2>&1 </dev/null &
  echo $! >"$dir/prometheus.pid"
  echo "$pport" >"$dir/prometheus.port"

  end=$((SECONDS + 40))
  until [ "$(curl -fsS "http://127.0.0.1:$pport/api/v1/query?query=fbload_up" 2>/dev/null \
            | sed -n 's/.*"value":\[[^,]*,"\([0-9]*\)"\].*/\1/p')" = 1 ]; do
    kill -0 "$(cat "$dir/fbload.pid")" 2>/dev/null || { stop_all; die "fbload exited (log: $dir/log/fbload.log)"; }
    kill -0 "$(cat "$dir/prometheus.pid")" 2>/dev/null || { stop_all; die "prometheus exited (log: $dir/log/prometheus.log)"; }
    [ $SECONDS -lt $end ] || { stop_all; die "prometheus has not scraped fbload after 40 s"; }
    sleep 0.2
  done
  echo "fbload on redis 127.0.0.1:$rport, /metrics on $mport, prometheus on 127.0.0.1:$pport"
  ;;
stop)
  stop_all
  ;;
*)
  die "unknown command $cmd (start|stop)"
  ;;
esac
