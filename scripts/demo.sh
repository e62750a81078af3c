#!/usr/bin/env bash
# README command (a): set up, build and launch FactoryBench against the local
# demo cluster (a real Slurm + sshd on 127.0.0.1, see tests/cluster/).
#
#   scripts/demo.sh          bring everything up, run the demo campaign, start the app
#   scripts/demo.sh stop     stop the app (if started headless) and the cluster
#
# It first runs the local Redis campaign with fbctl (the app's main job,
# headless) so the app opens with a finished run. With a display the app opens in a window. Without one ($DISPLAY unset) it
# runs under Xvfb in the background, saves a screenshot and says where.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# ccache: paths relative to the checkout, so a fresh clone (CI) reuses the
# objects compiled in any other clone on this machine.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$top} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
state=${FB_DEMO_DIR:-$HOME/.local/state/factorybench-demo}
# The cluster's user (fbuser) must reach its folder, so it lives outside the
# (often private) home folder.
cluster=${FB_DEMO_CLUSTER_DIR:-/var/tmp/factorybench-demo-cluster}
build=build/ci  # the same build as scripts/test.sh, so (a) and (b) share it

stop() {
  if [ -f "$state/app.pid" ]; then kill "$(cat "$state/app.pid")" 2>/dev/null || true; rm -f "$state/app.pid"; fi
  if [ -f "$state/xvfb.pid" ]; then kill "$(cat "$state/xvfb.pid")" 2>/dev/null || true; rm -f "$state/xvfb.pid"; fi
  if [ -d "$cluster" ]; then tests/cluster/minicluster.sh down "$cluster"; fi
}
if [ "${1:-}" = "stop" ]; then stop; exit 0; fi

echo "== setup (Debian packages)"
scripts/setup-debian.sh
echo "== build"
cmake --preset ci >/dev/null
cmake --build --preset ci --target factorybench fbctl

echo "== demo cluster"
mkdir -p "$state"
if tests/cluster/minicluster.sh status "$cluster" >/dev/null 2>&1; then
  echo "mini-cluster already up in $cluster"
else
  tests/cluster/minicluster.sh down "$cluster" >/dev/null 2>&1 || true
  tests/cluster/minicluster.sh up "$cluster"
fi
"$build/core/fbctl/fbctl" profile import "$cluster/profile.json"

# The app's main job, headless: the local Redis campaign (3 trials: a
# redis-server job, an fbload client job and a Prometheus job each). The first
# run builds fbload on the "cluster" (about a minute); later runs reuse it.
# FB_DEMO_NO_CAMPAIGN=1 skips it.
if [ -z "${FB_DEMO_NO_CAMPAIGN:-}" ]; then
  echo "== campaign: recipes/examples/local-redis.yaml on mini-cluster"
  if "$build/core/fbctl/fbctl" run recipes/examples/local-redis.yaml --profile mini-cluster; then
    run=$("$build/core/fbctl/fbctl" status | head -n 1 | cut -f1)
    # Per trial: its swept values, throughput and p50/p99 latency in scaled
    # units (fbctl results RUN without --summary lists the files and hashes).
    echo "results of $run (fbctl results $run --summary):"
    "$build/core/fbctl/fbctl" results "$run" --summary
  else
    echo "the campaign failed; see the lines above (fbctl status, fbctl logs RUN)" >&2
  fi
fi

echo "== FactoryBench"
app=("$build/gui/factorybench" --profile mini-cluster --recipe recipes/examples/local-redis.yaml)
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ "$(uname)" = Darwin ]; then
  exec "${app[@]}"
fi
# No display: start a virtual one so the app runs exactly as it would on a desktop.
display=:${FB_DEMO_DISPLAY:-87}
if [ ! -f "$state/xvfb.pid" ] || ! kill -0 "$(cat "$state/xvfb.pid")" 2>/dev/null; then
  setsid Xvfb "$display" -screen 0 1920x1080x24 -nolisten tcp >"$state/xvfb.log" 2>&1 < /dev/null &
  echo $! > "$state/xvfb.pid"
  sleep 1
fi
if [ -f "$state/app.pid" ] && kill -0 "$(cat "$state/app.pid")" 2>/dev/null; then
  kill "$(cat "$state/app.pid")" 2>/dev/null || true
fi
DISPLAY=$display "${app[@]}" --screenshot "$state/screenshot.png" >/dev/null 2>&1 || true
DISPLAY=$display setsid "${app[@]}" >"$state/app.log" 2>&1 < /dev/null &
echo $! > "$state/app.pid"
cat <<MSG
No display found, so FactoryBench runs under Xvfb on $display (pid $(cat "$state/app.pid")).
  screenshot:  $state/screenshot.png
  see it live: x11vnc -display $display   (or set DISPLAY and run the command again)
  profile:     mini-cluster ($(sed -n 's/.*"user": "\(.*\)".*/\1/p' "$cluster/profile.json")@127.0.0.1)
  stop:        scripts/demo.sh stop
MSG
