#!/usr/bin/env bash
# CTest fixture: the synthetic LLM server (tests/synthetic/synthetic_llm_server.py)
# with TTFT 200 ms and 20 ms per token unless TTFT_MS / TPOT_MS say otherwise.
# Usage: synthetic_llm.sh start|stop DIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
cmd=$1; dir=$2
mkdir -p "$dir"
case "$cmd" in
  start)
    stop_pidfile "$dir/synthetic_llm.pid"
    rm -f "$dir/synthetic_llm.port"
    # The server is the timing reference of the LLM tests (tokens due every
    # 20 ms, checked to 1-2 ms): run it at a raised priority so compile jobs
    # sharing the machine do not delay its tokens. Without the permission,
    # nice says so in the log and runs it at normal priority.
    nohup nice -n -5 python3 "$here/../synthetic/synthetic_llm_server.py" --port 0 --port-file "$dir/synthetic_llm.port" \
      --ttft-ms "${TTFT_MS:-200}" --tpot-ms "${TPOT_MS:-20}" > "$dir/synthetic_llm.log" 2>&1 &
    echo $! > "$dir/synthetic_llm.pid"
    for _ in $(seq 100); do [ -s "$dir/synthetic_llm.port" ] && break; sleep 0.1; done
    [ -s "$dir/synthetic_llm.port" ] || { echo "synthetic server did not start; see $dir/synthetic_llm.log" >&2; exit 1; }
    echo "synthetic LLM server on 127.0.0.1:$(cat "$dir/synthetic_llm.port") (pid $(cat "$dir/synthetic_llm.pid"))"
    ;;
  stop) stop_pidfile "$dir/synthetic_llm.pid"; rm -f "$dir/synthetic_llm.port" ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
