#!/usr/bin/env bash
# The two-node mini-cluster (minicluster.sh up DIR --nodes 2): both nodes take
# jobs, a job on the second node has that node's hostname and reaches the
# first node by name over the veth link; teardown stops the five daemons and
# removes the network namespace, the veth pair, /etc/netns/<ns> and the
# /etc/hosts line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$1
fail() { echo "FAIL: $*" >&2; "$here/minicluster.sh" down "$dir" >/dev/null 2>&1 || true; exit 1; }

start=$(date +%s.%N)
"$here/minicluster.sh" up "$dir" --nodes 2 >/dev/null || fail "bring-up failed"
secs=$(awk "BEGIN{print $(date +%s.%N) - $start}")
awk "BEGIN{exit !($secs < 20)}" || fail "bring-up took ${secs}s (limit 20 s)"
echo "bring-up: ${secs}s"
pids=$(cat "$dir"/pids/*.pid)
[ "$(echo "$pids" | wc -l)" -eq 5 ] || fail "expected 5 daemons, got: $pids"
ns=$(cat "$dir/net/ns") veth=$(cat "$dir/net/veth") node2=$(cat "$dir/net/node2") host_addr=$(cat "$dir/net/host_addr")
# shellcheck disable=SC1091
. "$dir/env.sh"
host=$(hostname -s)
[ "$FB_CLUSTER_NODES" = "$host $node2" ] || fail "env.sh lists nodes '$FB_CLUSTER_NODES'"
out=$(srun --quiet -p cpu -t 1 -w "$node2" hostname -s) || fail "srun on $node2 failed"
[ "$out" = "$node2" ] || fail "a job on $node2 says its hostname is '$out'"
out=$(srun --quiet -p cpu -t 1 -w "$node2" getent hosts "$host") || fail "$host does not resolve on $node2"
[ "$(echo "$out" | awk '{print $1}')" = "$host_addr" ] || fail "$host resolves to '$out' on $node2, expected $host_addr"
out=$(srun --quiet -p cpu -t 1 -w "$host" getent hosts "$node2") || fail "$node2 does not resolve on $host"
echo "ok: $node2 ↔ $host by name ($out)"

"$here/minicluster.sh" down "$dir" >/dev/null || fail "teardown failed"
for p in $pids; do
  if kill -0 "$p" 2>/dev/null; then fail "pid $p still alive after teardown"; fi
done
if ip netns list | grep -qw "$ns"; then fail "namespace $ns left behind"; fi
if ip link show "$veth" >/dev/null 2>&1; then fail "veth $veth left behind"; fi
if [ -e "/etc/netns/$ns" ]; then fail "/etc/netns/$ns left behind"; fi
if grep -qF "# fbmini:$dir;" /etc/hosts; then fail "/etc/hosts line left behind"; fi
if [ -e "$dir/slurm" ] || [ -e "$dir/net" ]; then fail "teardown left state behind"; fi
echo "1 passed, 0 failed"
