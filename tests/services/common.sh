# Shared helpers for the CTest service fixtures (sourced, not run).
# Each service script: `<name>.sh start DIR` writes DIR/<name>.port and
# DIR/<name>.pid; `<name>.sh stop DIR` kills exactly that PID.

free_port() {
  # Ask the kernel for a free port; the tiny race with other tests is accepted.
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_port() {  # host port seconds
  local deadline=$(( $(date +%s) + $3 ))
  while [ "$(date +%s)" -le "$deadline" ]; do
    if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

stop_pidfile() {  # pidfile
  [ -f "$1" ] || return 0
  local pid; pid=$(cat "$1")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$1"
}

# The synthetic servers (tests/synthetic/<name>_server.py): start one on a free
# port, wait for its port file, say where it is. Words before `--` prefix the
# command (e.g. nice); words after it go to the server.
#   start_synthetic DIR NAME LABEL [LAUNCHER...] -- [SERVER ARGS...]
start_synthetic() {
  local dir=$1 name=$2 label=$3; shift 3
  local launcher=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do launcher+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  stop_pidfile "$dir/$name.pid"
  rm -f "$dir/$name.port"
  nohup "${launcher[@]}" python3 "$(dirname "${BASH_SOURCE[0]}")/../synthetic/${name}_server.py" --port 0 --port-file "$dir/$name.port" "$@" \
    > "$dir/$name.log" 2>&1 &
  echo $! > "$dir/$name.pid"
  for _ in $(seq 100); do [ -s "$dir/$name.port" ] && break; sleep 0.1; done
  [ -s "$dir/$name.port" ] || { echo "$label server did not start; see $dir/$name.log" >&2; exit 1; }
  echo "$label server on 127.0.0.1:$(cat "$dir/$name.port") (pid $(cat "$dir/$name.pid"))"
}

stop_synthetic() {  # DIR NAME
  stop_pidfile "$1/$2.pid"
  rm -f "$1/$2.port"
}
