#!/usr/bin/env bash
# README command (b): set up, build and run every test.
#
#   scripts/test.sh              setup + build (preset ci) + ctest (all but benchmarks)
#   scripts/test.sh -L cluster   extra arguments go to ctest
#
# The tests start their own servers (a Slurm mini-cluster with sshd, Redis,
# Prometheus, …) on 127.0.0.1 and stop them by PID; they need root, as the
# mini-cluster creates its non-root cluster user and starts sshd and slurmd.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# ccache: paths relative to the checkout, so a fresh clone (CI) reuses the
# objects compiled in any other clone on this machine.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$top} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
preset=${FB_PRESET:-ci}
jobs=${FB_JOBS:-$(nproc)}

step() { printf '\n== %s\n' "$*"; }

step "setup (Debian packages)"
scripts/setup-debian.sh

step "configure ($preset)"
cmake --preset "$preset" >/dev/null

step "build"
cmake --build --preset "$preset" --parallel "$jobs"

step "test"
ctest --preset "$preset" --parallel "$jobs" "$@"
