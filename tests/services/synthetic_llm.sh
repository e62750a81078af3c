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
    # The server is the timing reference of the LLM tests (tokens due every
    # 20 ms, checked to 1-2 ms): run it at a raised priority so compile jobs
    # sharing the machine do not delay its tokens. Without the permission,
    # nice says so in the log and runs it at normal priority.
    start_synthetic "$dir" synthetic_llm "synthetic LLM" nice -n -5 -- --ttft-ms "${TTFT_MS:-200}" --tpot-ms "${TPOT_MS:-20}"
    ;;
  stop) stop_synthetic "$dir" synthetic_llm ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
