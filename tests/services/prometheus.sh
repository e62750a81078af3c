#!/usr/bin/env bash
# A real Prometheus (and a node exporter it scrapes) on 127.0.0.1, for the
# metrics and charts tests: the PromQL client is tested against the real API,
# not a mock, and the exposition parser against text real exporters produce.
#
#   prometheus.sh start DIR   start both on free ports; config, TSDB and logs
#                             under DIR; writes DIR/prometheus.port,
#                             DIR/prometheus.pid, DIR/node-exporter.port,
#                             DIR/node-exporter.pid; returns once Prometheus is
#                             ready and has scraped both targets at least once
#   prometheus.sh stop DIR    kill exactly those PIDs
#
# Scrape interval is 1 s so tests see fresh samples quickly.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '2,13p' "$0" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

die() { echo "prometheus.sh: $*" >&2; exit 1; }
port_free() { ! ss -Htln "sport = :$1" 2>/dev/null | grep -q .; }
free_port() {
  local p
  for _ in $(seq 100); do
    p=$(( (RANDOM % 20000) + 40000 ))
    if port_free "$p"; then echo "$p"; return; fi
  done
  die "no free port found"
}
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_pid() {
  local f=$1
  if pid_alive "$f"; then
    local pid; pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

case "$cmd" in
start)
  stop_pid "$dir/prometheus.pid"
  stop_pid "$dir/node-exporter.pid"
  rm -rf "$dir/data"
  mkdir -p "$dir/data" "$dir/log"
  nport=$(free_port)
  # Only a few collectors: fast scrapes, and none that needs privileges.
  setsid prometheus-node-exporter --web.listen-address="127.0.0.1:$nport" \
      --collector.disable-defaults --collector.cpu --collector.meminfo \
      --collector.loadavg --collector.netdev --collector.filesystem --collector.stat \
      >"$dir/log/node-exporter.log" 2>&1 </dev/null &
  echo $! >"$dir/node-exporter.pid"
  echo "$nport" >"$dir/node-exporter.port"

  pport=$(free_port)
  while [ "$pport" = "$nport" ]; do pport=$(free_port); done
  cat >"$dir/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['127.0.0.1:$pport']
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$nport']
YML
  setsid prometheus --config.file="$dir/prometheus.yml" \
      --storage.tsdb.path="$dir/data" \
      --web.listen-address="127.0.0.1:$pport" \
      >"$dir/log/prometheus.log" 2>&1 </dev/null &
  ppid=$!
  echo "$ppid" >"$dir/prometheus.pid"
  echo "$pport" >"$dir/prometheus.port"

  end=$((SECONDS + 30))
  until curl -fsS "http://127.0.0.1:$pport/-/ready" >/dev/null 2>&1; do
    pid_alive "$dir/prometheus.pid" || die "prometheus exited (log: $dir/log/prometheus.log)"
    [ $SECONDS -lt $end ] || die "prometheus not ready after 30 s (log: $dir/log/prometheus.log)"
    sleep 0.2
  done
  # Wait until both targets have been scraped, so `up` has samples.
  until [ "$(curl -fsS "http://127.0.0.1:$pport/api/v1/query?query=count(up%3D%3D1)" 2>/dev/null \
            | sed -n 's/.*"value":\[[^,]*,"\([0-9]*\)"\].*/\1/p')" = 2 ]; do
    [ $SECONDS -lt $end ] || die "targets not scraped after 30 s"
    sleep 0.2
  done
  echo "prometheus on 127.0.0.1:$pport, node exporter on 127.0.0.1:$nport"
  ;;
stop)
  stop_pid "$dir/prometheus.pid"
  stop_pid "$dir/node-exporter.pid"
  ;;
*)
  die "unknown command $cmd (start|stop)"
  ;;
esac
