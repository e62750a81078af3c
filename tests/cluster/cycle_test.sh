#!/usr/bin/env bash
# Brings a second mini-cluster up, down and up again; checks each bring-up
# takes under 15 s, that teardown stops exactly the recorded PIDs and removes
# its state, and that a job runs after the second bring-up.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$1
fail() { echo "FAIL: $*" >&2; "$here/minicluster.sh" down "$dir" >/dev/null 2>&1 || true; exit 1; }

for round in 1 2; do
  start=$(date +%s.%N)
  "$here/minicluster.sh" up "$dir" >/dev/null || fail "bring-up $round failed"
  secs=$(awk "BEGIN{print $(date +%s.%N) - $start}")
  awk "BEGIN{exit !($secs < 15)}" || fail "bring-up $round took ${secs}s (limit 15 s)"
  echo "bring-up $round: ${secs}s"
  pids=$(cat "$dir"/pids/*.pid)
  [ "$(echo "$pids" | wc -l)" -eq 4 ] || fail "expected 4 daemons, got: $pids"
  # shellcheck disable=SC1091
  . "$dir/env.sh"
  out=$(srun --quiet -p cpu -t 1 hostname) || fail "srun failed after bring-up $round"
  [ "$out" = "$(hostname -s)" ] || fail "srun printed '$out'"
  "$here/minicluster.sh" down "$dir" >/dev/null || fail "teardown $round failed"
  for p in $pids; do
    if kill -0 "$p" 2>/dev/null; then fail "pid $p still alive after teardown"; fi
  done
  if [ -e "$dir/slurm" ] || [ -e "$dir/pids" ]; then fail "teardown left state behind"; fi
done
echo "1 passed, 0 failed"
